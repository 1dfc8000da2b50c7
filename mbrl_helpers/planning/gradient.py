"""Gradient-based (analytic) planning: backpropagate reward through a differentiable model.

An action sequence a_0..a_{H-1} is rolled through a model s_{t+1} = f(s_t, a_t) from s_0, and
improved by gradient ascent on the predicted return

    J(a_0..a_{H-1}) = sum_{t=0}^{H-1} gamma^t rho(s_{t+1}, a_t).

The gradient is derived by hand (the chain rule run backwards in time, as backpropagation does):

    g_{t+1} = dJ/ds_{t+1} = gamma^t d_s rho(s_{t+1}, a_t) + f_s(s_{t+1}, a_{t+1})^T g_{t+2}
    dJ/da_t = gamma^t d_a rho(s_{t+1}, a_t) + f_a(s_t, a_t)^T g_{t+1}

and checked against finite differences. Here the return is differentiated with respect to the
**actions** of one plan, a <- a + eta dJ/da (trajectory optimisation, re-planned from every new
state). PILCO (Deisenroth and Rasmussen, 2011) and Dreamer (Hafner et al., 2020) backpropagate
through a learned model too, but with respect to the **parameters of a policy**, a_t = pi_theta(s_t):
theta <- theta + eta dJ/dtheta, where the chain rule also runs through d pi/d s and d pi/d theta
at every step; the result is a policy for every state, not one plan. The derivative-free planners
(random shooting, the cross-entropy method, PETS-style planning through an ensemble) are in
`mbrl_helpers.planning.shooting`; they return the same `Plan`.

A model is any object with `predict(s, a) -> s_next` and `jacobians(s, a) -> (f_s, f_a)`; in
lecture 03 a 1-D point mass (`mbrl_helpers.envs.PointMass`, the "real" system, optionally with
a saturating motor) and a `mbrl_helpers.models.LinearModel` fitted to its transitions by least
squares. The lecture notes' caveat, "don't trust the model too much", shows up when the planner
drives the actions where the model was never fitted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation


@dataclass(frozen=True)
class ReachReward:
    """rho(s', a) = -(x' - x_target)^2 - action_cost |a|^2: reach x_target, push gently."""

    x_target: float = 1.0
    action_cost: float = 0.01

    def __call__(self, s_next: np.ndarray, a: np.ndarray) -> float | np.ndarray:
        """rho for one transition (a float), or for a batch: s_next (N, n), a (N, m) -> (N,)."""
        s_next = np.asarray(s_next, dtype=float)
        a = np.asarray(a, dtype=float)
        if a.ndim == 1:  # one transition (the common case of gradient planning): a float
            return float(-((s_next[0] - self.x_target) ** 2) - self.action_cost * (a @ a))
        return -((s_next[..., 0] - self.x_target) ** 2) - self.action_cost * np.sum(a * a, axis=-1)

    def gradients(self, s_next: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(d rho / d s', d rho / d a)."""
        d_s = np.zeros_like(s_next, dtype=float)
        d_s[0] = -2.0 * (s_next[0] - self.x_target)
        return d_s, -2.0 * self.action_cost * np.asarray(a, dtype=float)


def _check_actions(actions) -> np.ndarray:
    actions = np.asarray(actions, dtype=float)
    if actions.ndim != 2 or len(actions) == 0:
        raise ValueError(
            f"actions must be a 2-D array (horizon, action_dim), got shape {actions.shape}"
        )
    if not np.all(np.isfinite(actions)):
        raise ValueError("actions must be finite")
    return actions


def rollout(model, s0, actions) -> np.ndarray:
    """States s_0..s_H of the action sequence through the model: s_{t+1} = f(s_t, a_t)."""
    actions = _check_actions(actions)
    states = [np.asarray(s0, dtype=float)]
    for a in actions:
        states.append(np.asarray(model.predict(states[-1], a), dtype=float))
    return np.array(states)


def predicted_return(model, reward, s0, actions, gamma: float = 1.0) -> float:
    """J = sum_t gamma^t rho(s_{t+1}, a_t) along the model's rollout of `actions`."""
    gamma = validation.check_discount("gamma", gamma)
    actions = _check_actions(actions)
    states = rollout(model, s0, actions)
    return float(sum(gamma**t * reward(states[t + 1], a) for t, a in enumerate(actions)))


def return_gradient(model, reward, s0, actions, gamma: float = 1.0) -> np.ndarray:
    """dJ/da_t for every t, by the hand-derived backward pass (see the module docstring)."""
    gamma = validation.check_discount("gamma", gamma)
    actions = _check_actions(actions)
    states = rollout(model, s0, actions)
    grad = np.zeros_like(actions)
    g_future = np.zeros_like(states[0])  # f_s(s_{t+1}, a_{t+1})^T g_{t+2}: what s_{t+1} does later
    for t in reversed(range(len(actions))):
        d_s, d_a = reward.gradients(states[t + 1], actions[t])
        g = gamma**t * d_s + g_future  # g_{t+1} = dJ / ds_{t+1}
        f_s, f_a = model.jacobians(states[t], actions[t])
        grad[t] = gamma**t * d_a + f_a.T @ g
        g_future = f_s.T @ g
    return grad


def finite_difference_gradient(
    f: Callable[[np.ndarray], float], x, eps: float = 1e-6
) -> np.ndarray:
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for every entry of x."""
    x = np.asarray(x, dtype=float)
    eps = validation.check_float("eps", eps, low=0.0, low_open=True)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


@dataclass(frozen=True)
class Plan:
    """An action sequence found by a planner, and its predicted return as the search went on."""

    actions: np.ndarray  # shape (horizon, action_dim)
    history: np.ndarray  # predicted return J per iteration (or best so far per candidate)

    @property
    def J(self) -> float:
        """The predicted return of `actions`."""
        return float(self.history[-1])


def gradient_planning(
    model,
    reward,
    s0,
    actions0,
    *,
    n_iterations: int,
    step_size: float,
    gamma: float = 1.0,
    bound: float | None = None,
) -> Plan:
    """Improve an action sequence by gradient ascent on the model's predicted return.

    a <- clip(a + step_size dJ/da, -bound, bound), `n_iterations` times (projected gradient
    ascent; no clipping if `bound` is None). The plan's history holds the predicted return before
    each iteration and after the last (length n_iterations + 1).
    """
    n_iterations = validation.check_int("n_iterations", n_iterations, low=0)
    step_size = validation.check_float("step_size", step_size, low=0.0, low_open=True)
    if bound is not None:
        bound = validation.check_float("bound", bound, low=0.0, low_open=True)
    actions = _check_actions(actions0).copy()
    history = [predicted_return(model, reward, s0, actions, gamma)]
    for _ in range(n_iterations):
        actions += step_size * return_gradient(model, reward, s0, actions, gamma)
        if bound is not None:
            np.clip(actions, -bound, bound, out=actions)
        history.append(predicted_return(model, reward, s0, actions, gamma))
    return Plan(actions, np.array(history))
