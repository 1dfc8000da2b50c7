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
from collections.abc import Sequence

import gymnasium
import numpy as np

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
    "TableModel",
    "dyna_q",
    "dyna_q_plus",
    "epsilon_greedy",
    "greedy_policy",
    "planning",
    "q_learning",
    "q_update",
]


@dataclasses.dataclass
class DynaResult:
    """What one run of an agent returns."""

    Q: np.ndarray  # action values, shape (n_states, n_actions)
    steps: np.ndarray  # real time steps of each finished episode (int)
    returns: np.ndarray  # undiscounted return of each finished episode
    rewards: np.ndarray  # reward of every real time step, over all episodes
    n_updates: int  # planning updates made (n_planning per real step)
    model: TableModel | None = None  # the learned model (the fast path does not return one)


class TableModel:
    """The deterministic table model of Dyna-Q: step (e), `Model(S, A) <- R, S'`.

    `transitions[s][a] = (r, s_next, terminated)`; `states` lists the previously observed
    states (first visit first) and `actions[s]` the actions previously taken in `s`: exactly
    what step (f) samples from. With `plus=True` (Dyna-Q+, Sutton & Barto 8.3 footnote) a newly
    seen state gets every action at once, modelled as "back to the same state, reward 0",
    and `last_tried[s][a]` records the time step each pair was last tried for real.
    """

    def __init__(self, n_actions: int, plus: bool = False):
        self.n_actions = check_int("n_actions", n_actions, low=1)
        self.plus = bool(plus)
        self.transitions: dict[int, dict[int, tuple[float, int, bool]]] = {}
        self.states: list[int] = []
        self.actions: dict[int, list[int]] = {}
        self.last_tried: dict[int, list[int]] = {}

    def update(self, s: int, a: int, r: float, s_next: int, terminated: bool, t: int = 0) -> None:
        """Model(S, A) <- R, S' (the latest observation wins: the world may change)."""
        if not (type(a) is int and 0 <= a < self.n_actions):  # a cheap test first
            a = check_int("a", a, low=0, high=self.n_actions - 1)
        if s not in self.transitions:
            self.states.append(s)
            if self.plus:  # untried actions: assumed to lead back to s with reward 0
                self.transitions[s] = {b: (0.0, s, False) for b in range(self.n_actions)}
                self.actions[s] = list(range(self.n_actions))
                self.last_tried[s] = [0] * self.n_actions
            else:
                self.transitions[s] = {}
                self.actions[s] = []
        if a not in self.transitions[s]:
            self.actions[s].append(a)
        self.transitions[s][a] = (r, s_next, terminated)
        if self.plus:
            self.last_tried[s][a] = t

    def __len__(self) -> int:
        """The number of modelled (s, a) pairs."""
        return sum(len(tried) for tried in self.actions.values())


def q_update(
    Q, s: int, a: int, r: float, s_next: int, terminated: bool, alpha: float, gamma: float
):
    """Step (d): Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)].

    A terminal S' has no future: the target is just R (Sutton & Barto 6.5).
    """
    _check_update(Q, s, a, s_next, alpha, gamma)
    target = r if terminated else r + gamma * max(Q[s_next])
    Q[s][a] += alpha * (target - Q[s][a])


def epsilon_greedy(q_s: Sequence[float], epsilon: float, rng: np.random.Generator) -> int:
    """Step (b): with probability epsilon a random action, else a greedy one, ties at random.

    A fixed tie-break (always the first argmax) makes a zero-initialised agent walk into the
    same wall forever; random ties make the first episode a random walk.
    """
    if not (type(epsilon) is float and 0.0 <= epsilon <= 1.0):  # a cheap test first
        check_probability("epsilon", epsilon)  # raises, naming the argument, if it is wrong
    if rng.random() < epsilon:
        return int(rng.random() * len(q_s))
    best = max(q_s)
    greedy = [a for a, q in enumerate(q_s) if q == best]
    if len(greedy) == 1:
        return greedy[0]
    return greedy[int(rng.random() * len(greedy))]


def planning(
    Q,
    model: TableModel,
    n_planning: int,
    alpha: float,
    gamma: float,
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
    states, actions, transitions = model.states, model.actions, model.transitions
    for u_s, u_a in rng.random((n_planning, 2)).tolist():
        s = states[int(u_s * len(states))]  # S <- random previously observed state
        tried = actions[s]
        a = tried[int(u_a * len(tried))]  # A <- random action previously taken in S
        r, s_next, terminated = transitions[s][a]  # R, S' <- Model(S, A)
        if kappa:  # Dyna-Q+: bonus for pairs not tried for a long time (planning only)
            r += kappa * math.sqrt(t - model.last_tried[s][a])
        # Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)], as in the box
        target = r if terminated else r + gamma * max(Q[s_next])
        Q[s][a] += alpha * (target - Q[s][a])


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
    env_seed, act_rng, plan_rng = _streams(rng)

    # Initialize Q(s, a) and Model(s, a) (the box's first line, without a letter)
    Q = [[0.0] * n_actions for _ in range(n_states)]
    model = TableModel(n_actions, plus=kappa > 0)
    steps, returns, rewards = [], [], []
    t = 0
    while len(steps) < n_episodes and t < n_steps:
        s, _ = env.reset(seed=env_seed if t == 0 else None)  # (a) S <- current state
        episode_steps, episode_return = 0, 0.0
        while True:
            a = epsilon_greedy(Q[s], epsilon, act_rng)  # (b) A <- eps-greedy(S, Q)
            s_next, r, terminated, truncated, _ = env.step(a)  # (c) take A; observe R, S'
            s_next, r, t = int(s_next), float(r), t + 1
            q_update(Q, s, a, r, s_next, terminated, alpha, gamma)  # (d) direct RL
            model.update(s, a, r, s_next, terminated, t)  # (e) Model(S, A) <- R, S'
            planning(Q, model, n_planning, alpha, gamma, plan_rng, kappa, t)  # (f)
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
        n_updates=n_planning * t,
        model=model,
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


def greedy_policy(Q: np.ndarray) -> np.ndarray:
    """The greedy action of each state (-1 where every action is tied, i.e. nothing learned)."""
    Q = np.asarray(Q, dtype=float)
    if Q.ndim != 2:
        raise ValueError(f"Q must be a 2-D array (n_states, n_actions), got shape {Q.shape}")
    pi = Q.argmax(axis=1)
    pi[(Q == Q.max(axis=1, keepdims=True)).all(axis=1)] = -1
    return pi


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
        self.model = TableModel(n_actions)
        self.n_updates = 0

    def act(self, s: int) -> int:
        """(b) A <- epsilon-greedy(S, Q), ties broken at random."""
        return epsilon_greedy(self.Q[s], self.epsilon, self.rng)

    def learn(self, s: int, a: int, r: float, s_next: int, terminated: bool) -> None:
        """Steps (d)-(f) after one real transition."""
        q_update(self.Q, s, a, r, s_next, terminated, self.alpha, self.gamma)  # (d)
        self.model.update(s, a, r, s_next, terminated)  # (e) Model(S, A) <- R, S'
        planning(self.Q, self.model, self.n_planning, self.alpha, self.gamma, self.rng)
        self.n_updates += 1 + self.n_planning


# -- helpers ---------------------------------------------------------------------------------


def _streams(rng) -> tuple[int, np.random.Generator, np.random.Generator]:
    """The environment's seed, and independent generators for acting and for planning."""
    check_rng("rng", rng)
    env_seed, entropy = (int(x) for x in rng.integers(2**31, size=2))
    # Derived from draws, not rng.spawn(): spawn() counts children on the SeedSequence, so
    # two generators built from one SeedSequence would not give the same streams.
    act_ss, plan_ss = np.random.SeedSequence(entropy).spawn(2)
    return env_seed, np.random.default_rng(act_ss), np.random.default_rng(plan_ss)


def _check_update(Q, s, a, s_next, alpha, gamma) -> None:
    """q_update's arguments, or an error that names the bad one (a cheap test first)."""
    try:
        n_states, n_actions = len(Q), len(Q[0])
    except (TypeError, IndexError):
        raise TypeError(f"Q must be a non-empty table Q[s][a], got {Q!r:.60}") from None
    if (
        type(s) is int and type(a) is int and type(s_next) is int  # not bool, not 1.5
        and type(alpha) is float and type(gamma) is float
        and 0.0 < alpha <= 1.0 and 0.0 <= gamma <= 1.0
        and 0 <= s < n_states and 0 <= a < n_actions and 0 <= s_next < n_states
    ):  # fmt: skip
        return
    check_step_size("alpha", alpha)
    check_discount("gamma", gamma)
    for name, value, n in (("s", s, n_states), ("a", a, n_actions), ("s_next", s_next, n_states)):
        check_int(name, value, low=0, high=n - 1)


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
