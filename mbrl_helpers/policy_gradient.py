"""REINFORCE with baseline (Sutton & Barto 13.4), tabular: the policy-based model-free agent.

Lecture 00 runs it on FrozenLake next to Q-learning (value-based, model-free) and a learned model
with value iteration (model-based), so that all three families of the taxonomy appear as running
code.

Public names:

- `grad_log_pi(theta_s, a)`: the gradient of ln pi(a | s, theta) with respect to theta(s, .).
- `softmax_policy(theta)`: pi(a | s) = exp(theta[s, a]) / sum_b exp(theta[s, b]), for every s.
- `reinforce(env, *, n_episodes=None, n_steps=None, alpha_theta=0.25, alpha_w=0.1, gamma=0.95, rng,
  discount_updates=False, max_episode_steps=None) -> PolicyGradientResult`.
- `PolicyGradientResult`: `theta` (preferences, `n_states x n_actions`), `V` (the baseline
  v(s, w)), and `steps` and `returns` per episode.

The box of section 13.4, with one-hot features (one preference per (s, a), one weight per s):

    generate an episode S_0, A_0, R_1, ..., S_{T-1}, A_{T-1}, R_T following pi(. | ., theta)
    for t = 0, 1, ..., T-1:
        G <- sum_{k=t+1}^{T} gamma^(k-t-1) R_k
        delta <- G - v(S_t, w)
        w(S_t) <- w(S_t) + alpha_w delta
        theta(S_t, .) <- theta(S_t, .) + alpha_theta gamma^t delta grad ln pi(A_t | S_t, theta)

with grad ln pi(a | s, theta) = onehot(a) - pi(. | s) in the row of s (and zero elsewhere).

`discount_updates=False` (the default) drops the factor gamma^t, as most implementations do. The
book keeps it because the gradient of the discounted objective from S_0 has it; but an episode of
the Dyna maze starts with about a thousand random steps, and with gamma = 0.95 the factor gamma^t
would shrink the updates of the states near the goal, the ones that matter, to about
0.95^1000 = 5e-23 of the others.
"""

from __future__ import annotations

import dataclasses

import gymnasium
import numpy as np

from mbrl_helpers.models.nets import softmax
from mbrl_helpers.randomness import draw_seed, sample_index
from mbrl_helpers.validation import (
    check_budget,
    check_discount,
    check_float,
    check_int,
    check_rng,
    check_step_size,
    check_tabular_env,
)

__all__ = ["PolicyGradientResult", "grad_log_pi", "reinforce", "softmax_policy"]


@dataclasses.dataclass(frozen=True)
class PolicyGradientResult:
    """What one run of REINFORCE returns."""

    theta: np.ndarray  # action preferences, shape (n_states, n_actions)
    V: np.ndarray  # the baseline v(s, w) = w[s], shape (n_states,)
    steps: np.ndarray  # real time steps of each episode (int)
    returns: np.ndarray  # undiscounted return of each episode


def grad_log_pi(theta_s: np.ndarray, a: int) -> np.ndarray:
    """The gradient of ln pi(a | s, theta) with respect to the row theta(s, .).

    For a softmax over preferences it is onehot(a) - pi(. | s): raise the preference of the
    action taken, lower all of them in proportion to how likely they were.
    """
    grad = -softmax(theta_s)
    if not (type(a) is int and 0 <= a < len(grad)):  # a cheap test first: this runs every step
        a = check_int("a", a, low=0, high=len(grad) - 1)
    grad[a] += 1.0
    return grad


def softmax_policy(theta: np.ndarray) -> np.ndarray:
    """pi(a | s) for every state: the softmax of each row of the preferences `theta`."""
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2:
        raise ValueError(
            f"theta must be a 2-D array (n_states, n_actions), got shape {theta.shape}"
        )
    return softmax(theta)


def reinforce(
    env: gymnasium.Env,
    *,
    n_episodes: int | None = None,
    n_steps: int | None = None,
    alpha_theta: float = 0.25,
    alpha_w: float = 0.1,
    gamma: float = 0.95,
    rng: np.random.Generator,
    discount_updates: bool = False,
    max_episode_steps: int | None = None,
) -> PolicyGradientResult:
    """REINFORCE with a learned state-value baseline (Sutton & Barto 13.4), tabular.

    Plays episodes with the softmax policy of its preferences and updates them after each
    episode, from the returns of that episode only (on-policy: the data must come from the
    current policy, so an episode's transitions are used once and then thrown away). An episode
    ends on termination, on truncation by the environment, or after `max_episode_steps` steps.

    The run stops after `n_episodes` episodes, or after the episode during which the real steps
    reach `n_steps` (whole episodes only: REINFORCE needs the end of an episode to learn from
    it), whichever comes first; give at least one.
    """
    n_states, n_actions = check_tabular_env("env", env)
    n_episodes, n_steps, max_episode_steps = check_budget(n_episodes, n_steps, max_episode_steps)
    alpha_theta = check_float("alpha_theta", alpha_theta, low=0.0, low_open=True)  # may be > 1
    alpha_w = check_step_size("alpha_w", alpha_w)
    gamma = check_discount("gamma", gamma)
    check_rng("rng", rng)
    env_seed = draw_seed(rng=rng)

    theta = np.zeros((n_states, n_actions))
    w = np.zeros(n_states)
    steps, returns = [], []
    episode, total_steps = 0, 0
    while episode < n_episodes and total_steps < n_steps:
        # Generate an episode following pi(. | ., theta).
        states, actions, rewards = [], [], []
        s, _ = env.reset(seed=env_seed if episode == 0 else None)
        episode += 1
        while True:
            a = sample_index(softmax(theta[s]), rng=rng)
            s_next, r, terminated, truncated, _ = env.step(a)
            states.append(s)
            actions.append(a)
            rewards.append(float(r))
            s = int(s_next)
            if terminated or truncated or len(states) == max_episode_steps:
                break
        steps.append(len(states))
        total_steps += len(states)
        returns.append(sum(rewards))

        # G_t for every t, from the end: G_t = R_{t+1} + gamma G_{t+1}.
        G = np.zeros(len(rewards))
        g = 0.0
        for t in reversed(range(len(rewards))):
            g = rewards[t] + gamma * g
            G[t] = g

        for t, (s, a) in enumerate(zip(states, actions, strict=True)):
            delta = G[t] - w[s]
            w[s] += alpha_w * delta
            discount = gamma**t if discount_updates else 1.0
            theta[s] += alpha_theta * discount * delta * grad_log_pi(theta[s], a)

    return PolicyGradientResult(
        theta=theta,
        V=w,
        steps=np.array(steps, dtype=int),
        returns=np.array(returns, dtype=float),
    )
