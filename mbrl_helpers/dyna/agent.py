"""Tabular Q-learning, Dyna-Q and Dyna-Q+ (Sutton & Barto 6.5, 8.2, 8.3), readable version.

- `dyna_q(env, n_planning=0, *, n_episodes=None, n_steps=None, alpha=0.1, gamma=0.95,
  epsilon=0.1, kappa=0.0, rng, max_episode_steps=None) -> DynaResult`: the Dyna-Q box of
  section 8.2, steps (a)-(f), on any Gymnasium environment with `Discrete` observation and
  action spaces. `n_planning=0` is one-step tabular Q-learning; `kappa > 0` is Dyna-Q+.
- `q_learning(env, **kw)` = `dyna_q(env, 0, **kw)`; `dyna_q_plus(env, n_planning, kappa=1e-3,
  **kw)` = `dyna_q(..., kappa=kappa)`.
- `DynaResult`: `Q` (array `n_states x n_actions`), `steps` and `returns` per episode, `rewards`
  per real time step (`np.cumsum(result.rewards)` is the curve of Figures 8.4 and 8.5),
  `n_updates` (planning updates made) and the learned `model`.
- `planning`: step (f); `DynaQAgent`: the same box one real step at a time (`act`, `learn`).

Randomness: `rng` is split into independent streams for the environment's seed, acting and
planning. With separate streams, planning does not change which actions are taken until it
changes Q: the first episode is the same for every n on the same seed (Q stays zero until the
first reward). Every random choice takes one uniform draw `u` and picks `int(u * k)` among `k`
options, so the fast path (`mbrl_helpers.dyna.fast`) can pre-draw the same stream in blocks and
give the same result.

Q is a list of lists inside the loops: on a 6x9 maze a numpy call costs more than the
arithmetic it does (`Q[s, a]` and `Q[s].max()` are ~1 microsecond each, plain lists ~0.1).
"""

from __future__ import annotations

import dataclasses
import math

import gymnasium
import numpy as np

from mbrl_helpers.models import DeterministicModel, ReplayBuffer
from mbrl_helpers.tabular import epsilon_greedy, q_update
from mbrl_helpers.validation import (
    check_budget,
    check_discount,
    check_float,
    check_int,
    check_probability,
    check_rng,
    check_step_size,
    check_tabular_env,
)

__all__ = [
    "DynaQAgent",
    "DynaResult",
    "dyna_q",
    "dyna_q_plus",
    "planning",
    "q_learning",
]


@dataclasses.dataclass(frozen=True)
class DynaResult:
    """What one run of an agent returns."""

    Q: np.ndarray  # action values, shape (n_states, n_actions)
    steps: np.ndarray  # real time steps of each finished episode (int)
    returns: np.ndarray  # undiscounted return of each finished episode
    rewards: np.ndarray  # reward of every real time step, over all episodes
    n_updates: int  # planning (or replayed) updates made: n per real step
    # the learned model, or the replay buffer of `q_learning_replay` (None from the fast path)
    model: DeterministicModel | ReplayBuffer | None = None


def planning(
    Q,
    model: DeterministicModel,
    n_planning: int,
    alpha: float,
    gamma: float,
    *,
    rng: np.random.Generator,
    kappa: float = 0.0,
    t: int = 0,
) -> None:
    """Step (f): n times, replay a modelled transition through the Q-learning update.

    S <- random previously observed state; A <- random action previously taken in S;
    R, S' <- Model(S, A); Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)].
    Dyna-Q+ (kappa > 0) plans with R + kappa sqrt(tau), tau = t - (time (S, A) was last tried).
    """
    n_planning = _check_planning(model, n_planning, alpha, gamma, kappa)
    for s, a in model.random_pairs(n_planning, rng=rng):  # S, A: observed state, tried action
        r, s_next, terminated = model.transitions[s][a]  # R, S' <- Model(S, A)
        if kappa:  # Dyna-Q+: bonus for pairs not tried for a long time (planning only)
            r += kappa * math.sqrt(t - model.last_tried[s][a])
        q_update(Q, s, a, r, s_next, terminated, alpha, gamma, check=False)  # checked above


def dyna_q(
    env: gymnasium.Env,
    n_planning: int = 0,
    *,
    n_episodes: int | None = None,
    n_steps: int | None = None,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    kappa: float = 0.0,
    rng: np.random.Generator,
    max_episode_steps: int | None = None,
) -> DynaResult:
    """Tabular Dyna-Q (Sutton & Barto 8.2), or Dyna-Q+ with `kappa > 0` (8.3).

    Runs until `n_episodes` episodes have finished or `n_steps` real steps were taken (whichever
    comes first; give at least one). Each real step: (b) epsilon-greedy action, (c) take it,
    (d) Q-learning update, (e) model update, (f) `n_planning` planning updates. An episode ends
    on termination, on truncation by the environment, or after `max_episode_steps` steps.
    """
    n_states, n_actions = check_tabular_env("env", env)
    n_planning = check_int("n_planning", n_planning, low=0)
    n_episodes, n_steps, max_episode_steps = check_budget(n_episodes, n_steps, max_episode_steps)
    alpha, gamma = check_step_size("alpha", alpha), check_discount("gamma", gamma)
    epsilon = check_probability("epsilon", epsilon)
    kappa = check_float("kappa", kappa, low=0.0)
    env_seed, act_rng, plan_rng = _streams(rng=rng)

    # Initialize Q(s, a) and Model(s, a) (the box's first line, without a letter)
    Q = [[0.0] * n_actions for _ in range(n_states)]
    model = DeterministicModel(n_actions=n_actions, plus=kappa > 0)

    def model_learning_and_planning(s, a, r, s_next, terminated, t):
        model.update(s, a, r, s_next, terminated, t)  # (e) Model(S, A) <- R, S'
        planning(Q, model, n_planning, alpha, gamma, rng=plan_rng, kappa=kappa, t=t)  # (f)

    return _act_and_learn(
        env,
        Q,
        model_learning_and_planning,
        memory=model,
        n_per_step=n_planning,
        n_episodes=n_episodes,
        n_steps=n_steps,
        max_episode_steps=max_episode_steps,
        alpha=alpha,
        gamma=gamma,
        epsilon=epsilon,
        env_seed=env_seed,
        act_rng=act_rng,
    )


def q_learning(env: gymnasium.Env, **kwargs) -> DynaResult:
    """One-step tabular Q-learning (Sutton & Barto 6.5): Dyna-Q without planning."""
    return dyna_q(env, 0, **kwargs)


def dyna_q_plus(
    env: gymnasium.Env, n_planning: int, *, kappa: float = 1e-3, **kwargs
) -> DynaResult:
    """Dyna-Q+ (Sutton & Barto 8.3): planning reward R + kappa sqrt(tau)."""
    if check_float("kappa", kappa, low=0.0) == 0.0:
        raise ValueError("kappa must be > 0 for Dyna-Q+ (kappa = 0 is plain Dyna-Q)")
    return dyna_q(env, n_planning, kappa=kappa, **kwargs)


class DynaQAgent:
    """Dyna-Q (section 8.2) one step at a time, built from this module's pieces.

    The same `act` / `learn` / `Q` / `n_updates` interface as `PrioritizedSweeping`, so that
    `updates_until_optimal` can run both. `n_updates` counts every Q update: the direct one
    (step d) and the `n_planning` planning ones (step f).
    """

    def __init__(
        self,
        n_states: int,
        n_actions: int,
        *,
        alpha: float = 0.5,
        gamma: float = 0.95,
        epsilon: float = 0.1,
        n_planning: int = 5,
        rng: np.random.Generator,
    ) -> None:
        n_states = check_int("n_states", n_states, low=1)
        n_actions = check_int("n_actions", n_actions, low=1)
        self.alpha = check_step_size("alpha", alpha)
        self.gamma = check_discount("gamma", gamma)
        self.epsilon = check_probability("epsilon", epsilon)
        self.n_planning = check_int("n_planning", n_planning, low=0)
        self.rng = check_rng("rng", rng)
        self.Q = [[0.0] * n_actions for _ in range(n_states)]
        self.model = DeterministicModel(n_actions=n_actions)
        self.n_updates = 0

    def act(self, s: int) -> int:
        """(b) A <- epsilon-greedy(S, Q), ties broken at random."""
        return epsilon_greedy(self.Q[s], self.epsilon, rng=self.rng)

    def learn(self, s: int, a: int, r: float, s_next: int, terminated: bool) -> None:
        """Steps (d)-(f) after one real transition."""
        q_update(self.Q, s, a, r, s_next, terminated, self.alpha, self.gamma)  # (d)
        self.model.update(s, a, r, s_next, terminated)  # (e) Model(S, A) <- R, S'
        planning(self.Q, self.model, self.n_planning, self.alpha, self.gamma, rng=self.rng)
        self.n_updates += 1 + self.n_planning


# -- helpers ---------------------------------------------------------------------------------


def _act_and_learn(
    env, Q, after_update, *, memory, n_per_step, n_episodes, n_steps, max_episode_steps,
    alpha, gamma, epsilon, env_seed, act_rng,
) -> DynaResult:  # fmt: skip
    """Steps (a)-(d) of the box, episode after episode until the budget is spent, each real step
    followed by `after_update(S, A, R, S', terminated, t)`: Dyna-Q's (e) and (f), or the
    replay agent's (e') and (f') (`mbrl_helpers.dyna.replay`). Its arguments are checked by the
    caller. `n_per_step` updates per real step are counted in `n_updates`; `memory` (the model
    or the buffer) is returned with the result."""
    steps, returns, rewards = [], [], []
    t = 0
    while len(steps) < n_episodes and t < n_steps:
        s, _ = env.reset(seed=env_seed if t == 0 else None)  # (a) S <- current state
        episode_steps, episode_return = 0, 0.0
        while True:
            a = epsilon_greedy(Q[s], epsilon, rng=act_rng)  # (b) A <- eps-greedy(S, Q)
            s_next, r, terminated, truncated, _ = env.step(a)  # (c) take A; observe R, S'
            s_next, r, t = int(s_next), float(r), t + 1
            q_update(Q, s, a, r, s_next, terminated, alpha, gamma)  # (d) direct RL
            after_update(s, a, r, s_next, terminated, t)  # (e) and (f)
            rewards.append(r)
            episode_steps, episode_return = episode_steps + 1, episode_return + r
            s = s_next
            if terminated or truncated or episode_steps == max_episode_steps:
                steps.append(episode_steps)
                returns.append(episode_return)
                break
            if t == n_steps:
                break
    return DynaResult(
        Q=np.array(Q),
        steps=np.array(steps, dtype=int),
        returns=np.array(returns, dtype=float),
        rewards=np.array(rewards, dtype=float),
        n_updates=n_per_step * t,
        model=memory,
    )


def _streams(*, rng) -> tuple[int, np.random.Generator, np.random.Generator]:
    """The environment's seed, and independent generators for acting and for planning."""
    check_rng("rng", rng)
    env_seed, entropy = (int(x) for x in rng.integers(2**31, size=2))
    # Derived from draws, not rng.spawn(): spawn() counts children on the SeedSequence, so
    # two generators built from one SeedSequence would not give the same streams.
    act_ss, plan_ss = np.random.SeedSequence(entropy).spawn(2)
    return env_seed, np.random.default_rng(act_ss), np.random.default_rng(plan_ss)


def _check_planning(model, n_planning, alpha, gamma, kappa) -> int:
    """planning's arguments, or an error that names the bad one (a cheap test first: planning
    runs once per real step)."""
    ok = type(alpha) is float and type(gamma) is float and type(kappa) is float
    ok = ok and type(n_planning) is int
    if not (ok and 0.0 < alpha <= 1.0 and 0.0 <= gamma <= 1.0 and n_planning >= 0 and kappa >= 0):
        n_planning = check_int("n_planning", n_planning, low=0)
        check_step_size("alpha", alpha)
        check_discount("gamma", gamma)
        check_float("kappa", kappa, low=0.0)
    if n_planning and not model.states:
        raise ValueError("the model is empty: planning needs at least one observed transition")
    return n_planning
