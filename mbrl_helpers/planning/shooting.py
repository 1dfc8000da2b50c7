"""Shooting: plan an action sequence by trying candidates in a model and keeping the best.

An action sequence a_0..a_{H-1} is scored by its predicted return in a model s_{t+1} = f(s_t, a_t)
from s_0,

    J(a_0..a_{H-1}) = sum_{t=0}^{H-1} gamma^t rho(s_{t+1}, a_t),

as in `mbrl_helpers.planning.gradient`, but without derivatives: the model is only run forwards.

- `random_shooting`: the best of N sequences drawn uniformly in [-bound, bound].
- `cross_entropy_method` (CEM; Rubinstein 1999, used for planning by PETS, Chua et al. 2018):
  draw candidates from a Gaussian N(mu, sigma^2) per time step and action dimension (clipped to
  the bound), keep the `n_elites` best, refit mu and sigma to them, repeat:

      mu <- smoothing mu + (1 - smoothing) mean(elites),
      sigma <- smoothing sigma + (1 - smoothing) std(elites).

- `predicted_returns`: J of a batch of candidates through one model or an **ensemble**, the
  "trajectory sampling" of PETS: each candidate is followed by particles, each particle
  predicted by an ensemble member, and J is the mean over the particles:

      "mean"  every member follows the candidate once (one particle per member);
      "tsinf" each of `n_particles` particles keeps one member drawn at random for the whole
              horizon (PETS' TS-infinity);
      "ts1"   each particle draws a new member at every step (PETS' TS1).

  With a reward concave in the state, averaging over particles penalises candidates whose
  outcome the members disagree on: for rho = -(x - x*)^2, E[rho] = -(E[x] - x*)^2 - Var[x].
- `model_predictive_control` (MPC): plan with CEM from the current real state, execute only the
  first action, observe, plan again (warm-started with the previous plan shifted by one step).

`models` is one model with `predict(s, a)`, a sequence of such models (the members of an
ensemble: a list of `mbrl_helpers.models.neural.RegressionModel`, or of `LinearModel`), or an
object with a `members` attribute holding them, such as `mbrl_helpers.models.Ensemble` (whose
members are followed one by one, not its mean prediction). `predict` is called on batches: `s` of shape
(N, obs_dim) and `a` of shape (N, action_dim), returning (N, obs_dim); `reward(s_next, a)` too,
returning (N,). A candidate whose predicted return is not finite (a model that diverged) is never
chosen.

Every planner returns a `mbrl_helpers.planning.gradient.Plan`: the chosen `actions` (horizon,
action_dim) and the `history` of the best predicted return after each candidate evaluated, so
planners are compared at the same number of candidate evaluations (one candidate through the
model, or through every particle of an ensemble).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation
from mbrl_helpers.planning.gradient import Plan
from mbrl_helpers.randomness import random_indices

__all__ = [
    "PROPAGATIONS",
    "CEMPlan",
    "MPCEpisode",
    "cross_entropy_method",
    "members_of",
    "model_predictive_control",
    "predicted_returns",
    "random_shooting",
]

PROPAGATIONS = ("mean", "tsinf", "ts1")


def members_of(models) -> tuple:
    """The models to predict with: `(models,)` for one model, the members of an ensemble (an
    object with `members`), or the models of a sequence."""
    if hasattr(models, "members"):
        models = models.members
    if hasattr(models, "predict"):
        return (models,)
    if not isinstance(models, Sequence) or isinstance(models, str):
        raise TypeError(
            "models must be a model with predict(s, a), a sequence of them, or an ensemble with "
            f"`members`, got {type(models).__name__}"
        )
    members = tuple(models)
    if not members:
        raise ValueError("models: expected at least one model, got an empty sequence")
    for i, member in enumerate(members):
        if not callable(getattr(member, "predict", None)):
            raise TypeError(f"models[{i}] has no predict(s, a) method: {type(member).__name__}")
    return members


def _check_candidates(actions) -> np.ndarray:
    actions = np.asarray(actions, dtype=float)
    if actions.ndim != 3 or 0 in actions.shape:
        raise ValueError(
            "actions must be a 3-D array (n_candidates, horizon, action_dim), got shape "
            f"{actions.shape}"
        )
    if not np.all(np.isfinite(actions)):
        raise ValueError("actions must be finite")
    return actions


def _predict(member, s: np.ndarray, a: np.ndarray) -> np.ndarray:
    s_next = np.asarray(member.predict(s, a), dtype=float)
    if s_next.shape != s.shape:
        raise ValueError(
            f"a model's predict(s, a) on a batch of {len(s)} states of shape {s.shape[1:]} "
            f"returned shape {s_next.shape}; predict must accept a batch (N, obs_dim) and "
            "return one next state per row"
        )
    return s_next


def predicted_returns(
    models,
    reward,
    s0,
    actions,
    *,
    gamma: float = 1.0,
    propagation: str = "mean",
    n_particles: int = 20,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """J of each candidate sequence `actions[i]` (shape (N, H, action_dim)) from `s0`: shape (N,).

    Through one model: J = sum_t gamma^t rho(s_{t+1}, a_t). Through an ensemble, the mean of J
    over the particles of `propagation` ("mean", "tsinf" or "ts1", see the module docstring;
    `n_particles` and `rng` serve the last two). Non-finite returns become -inf.
    """
    members = members_of(models)
    actions = _check_candidates(actions)
    gamma = validation.check_discount("gamma", gamma)
    if propagation not in PROPAGATIONS:
        raise ValueError(f"propagation must be one of {PROPAGATIONS}, got {propagation!r}")
    n, horizon, _ = actions.shape
    s0 = np.asarray(s0, dtype=float)
    if s0.ndim != 1:
        raise ValueError(f"s0 must be one state, a 1-D array, got shape {s0.shape}")
    if len(members) == 1 or propagation == "mean":
        P = len(members)  # one particle per member, member k for particle k
        assignment = np.tile(np.arange(P), n)
    else:
        P = validation.check_int("n_particles", n_particles, low=1)
        validation.check_rng("rng", rng)
        assignment = random_indices(len(members), n * P, rng=rng)
    states = np.repeat(s0[None], n * P, axis=0)
    particle_actions = np.repeat(actions, P, axis=0)  # candidate i -> particles iP .. iP + P - 1
    returns = np.zeros(n * P)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(horizon):
            if propagation == "ts1" and len(members) > 1 and t > 0:
                assignment = random_indices(len(members), n * P, rng=rng)
            a_t = particle_actions[:, t]
            if len(members) == 1:
                states = _predict(members[0], states, a_t)
            else:
                next_states = np.empty_like(states)
                for k, member in enumerate(members):
                    rows = assignment == k
                    if rows.any():
                        next_states[rows] = _predict(member, states[rows], a_t[rows])
                states = next_states
            returns += gamma**t * np.asarray(reward(states, a_t), dtype=float)
    J = returns.reshape(n, P).mean(axis=1)
    return np.where(np.isfinite(J), J, -np.inf)


def _check_planner_args(horizon, action_dim, bound) -> tuple[int, int, float]:
    return (
        validation.check_int("horizon", horizon, low=1),
        validation.check_int("action_dim", action_dim, low=1),
        validation.check_float("bound", bound, low=0.0, low_open=True),
    )


def _best(J: np.ndarray, candidates: np.ndarray, best, best_J: float):
    i = int(np.argmax(J))
    if J[i] > best_J:
        return candidates[i].copy(), float(J[i])
    return best, best_J


def _plan_or_fail(best, history) -> np.ndarray:
    if best is None:
        raise ValueError(
            "every candidate's predicted return was infinite or NaN: the model diverged "
            "(try a smaller bound or check the model)"
        )
    return best


def random_shooting(
    models,
    reward,
    s0,
    *,
    horizon: int,
    n_candidates: int,
    bound: float,
    rng: np.random.Generator,
    action_dim: int = 1,
    gamma: float = 1.0,
    propagation: str = "mean",
    n_particles: int = 20,
) -> Plan:
    """Best of `n_candidates` action sequences drawn uniformly in [-bound, bound] (by predicted
    return): derivative-free planning. The plan's history is the best predicted return so far
    after each candidate (length n_candidates)."""
    horizon, action_dim, bound = _check_planner_args(horizon, action_dim, bound)
    n_candidates = validation.check_int("n_candidates", n_candidates, low=1)
    validation.check_rng("rng", rng)
    candidates = rng.uniform(-bound, bound, size=(n_candidates, horizon, action_dim))
    J = predicted_returns(
        models,
        reward,
        s0,
        candidates,
        gamma=gamma,
        propagation=propagation,
        n_particles=n_particles,
        rng=rng,
    )
    best, _ = _best(J, candidates, None, -np.inf)
    return Plan(_plan_or_fail(best, J), np.maximum.accumulate(J))


@dataclass(frozen=True)
class CEMPlan(Plan):
    """A `Plan` found by the cross-entropy method, with the final sampling distribution."""

    mean: np.ndarray  # mu after the last iteration, shape (horizon, action_dim)
    std: np.ndarray  # sigma after the last iteration


def cross_entropy_method(
    models,
    reward,
    s0,
    *,
    horizon: int,
    n_candidates: int,
    n_elites: int,
    n_iterations: int,
    bound: float,
    rng: np.random.Generator,
    action_dim: int = 1,
    gamma: float = 1.0,
    init_mean=None,
    init_std: float | None = None,
    smoothing: float = 0.0,
    propagation: str = "mean",
    n_particles: int = 20,
) -> CEMPlan:
    """The cross-entropy method: `n_iterations` rounds of `n_candidates` sequences drawn from
    N(mu, sigma^2) (clipped to [-bound, bound]); mu and sigma are refitted to the `n_elites` best
    (see the module docstring). mu starts at `init_mean` (default 0), sigma at `init_std`
    (default bound / 2, PETS' choice). Returns the best candidate evaluated, its history (best
    predicted return after each of the n_iterations * n_candidates candidates), and the final
    mu and sigma."""
    horizon, action_dim, bound = _check_planner_args(horizon, action_dim, bound)
    n_candidates = validation.check_int("n_candidates", n_candidates, low=1)
    n_elites = validation.check_int("n_elites", n_elites, low=1, high=n_candidates)
    n_iterations = validation.check_int("n_iterations", n_iterations, low=1)
    smoothing = validation.check_float("smoothing", smoothing, low=0.0, high=1.0)
    if smoothing == 1.0:
        raise ValueError("smoothing must be < 1 (with 1 the distribution never moves)")
    validation.check_rng("rng", rng)
    if init_mean is None:
        mean = np.zeros((horizon, action_dim))
    else:
        mean = np.array(init_mean, dtype=float)
        if mean.shape != (horizon, action_dim) or not np.all(np.isfinite(mean)):
            raise ValueError(
                f"init_mean must be a finite array of shape ({horizon}, {action_dim}), got "
                f"shape {mean.shape}"
            )
    std0 = bound / 2 if init_std is None else init_std
    std = np.full((horizon, action_dim), validation.check_float("init_std", std0, low=0.0))
    best, best_J, history = None, -np.inf, []
    for _ in range(n_iterations):
        noise = rng.standard_normal((n_candidates, horizon, action_dim))
        candidates = np.clip(mean + std * noise, -bound, bound)
        J = predicted_returns(
            models,
            reward,
            s0,
            candidates,
            gamma=gamma,
            propagation=propagation,
            n_particles=n_particles,
            rng=rng,
        )
        history.append(np.maximum.accumulate(np.maximum(J, best_J)))
        best, best_J = _best(J, candidates, best, best_J)
        elites = candidates[np.argsort(J, kind="stable")[-n_elites:]]
        mean = smoothing * mean + (1 - smoothing) * elites.mean(axis=0)
        std = smoothing * std + (1 - smoothing) * elites.std(axis=0)
    return CEMPlan(_plan_or_fail(best, history), np.concatenate(history), mean, std)


@dataclass(frozen=True)
class MPCEpisode:
    """What `model_predictive_control` did in the real system."""

    states: np.ndarray  # real states s_0..s_T, shape (n_steps + 1, obs_dim)
    actions: np.ndarray  # the actions executed, shape (n_steps, action_dim)
    rewards: np.ndarray  # the real rewards rho(s_{t+1}, a_t), shape (n_steps,)
    predicted: np.ndarray  # the predicted return of the plan made at each step
    gamma: float

    @property
    def real_return(self) -> float:
        """sum_t gamma^t r_t in the real system."""
        return float(np.sum(self.gamma ** np.arange(len(self.rewards)) * self.rewards))


def model_predictive_control(
    world,
    models,
    reward,
    s0,
    *,
    n_steps: int,
    horizon: int,
    rng: np.random.Generator,
    gamma: float = 1.0,
    **cem,
) -> MPCEpisode:
    """Model-predictive control: at each of `n_steps` real steps, plan with
    `cross_entropy_method` through `models` from the real state (over min(horizon, steps left)
    steps, warm-started with the previous mu shifted by one step), execute the first action in
    `world` (anything with `predict(s, a)`: the real system), observe the real next state.

    `cem` holds the remaining settings of `cross_entropy_method` (n_candidates, n_elites,
    n_iterations, bound, action_dim, init_std, smoothing, propagation, n_particles).
    """
    n_steps = validation.check_int("n_steps", n_steps, low=1)
    horizon = validation.check_int("horizon", horizon, low=1)
    validation.check_rng("rng", rng)
    for name in ("init_mean", "horizon", "rng", "gamma"):
        if name in cem:
            raise TypeError(f"model_predictive_control sets {name} itself")
    action_dim = cem.get("action_dim", 1)
    s = np.asarray(s0, dtype=float)
    states, actions, rewards, predicted = [s], [], [], []
    mean = None
    for t in range(n_steps):
        h = min(horizon, n_steps - t)
        if mean is not None:  # warm start: the previous plan, one step on
            mean = np.vstack([mean[1:], np.zeros((1, action_dim))])[:h]
        plan = cross_entropy_method(
            models, reward, s, horizon=h, rng=rng, gamma=gamma, init_mean=mean, **cem
        )
        a = plan.actions[0]
        s = np.asarray(world.predict(s, a), dtype=float)  # the real step
        states.append(s)
        actions.append(a)
        rewards.append(float(reward(s, a)))
        predicted.append(plan.J)
        mean = plan.mean
    return MPCEpisode(
        np.array(states), np.array(actions), np.array(rewards), np.array(predicted), gamma
    )
