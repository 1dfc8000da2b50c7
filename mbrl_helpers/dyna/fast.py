"""The fast path of Dyna-Q / Dyna-Q+ on the course's mazes: the same algorithm, one flat loop.

Public names: `dyna_q_fast(env, n_planning=0, **same keywords as mbrl_helpers.dyna.dyna_q)`
returns the same `DynaResult` as `dyna_q` on the same `rng` (same Q to the last bit, same
steps, returns and rewards; tests/test_dyna.py checks it), only faster.
`q_learning_replay_fast(env, n_replay=0, **same keywords as mbrl_helpers.dyna.q_learning_replay)`
does the same for Q-learning with experience replay: one loop serves both, only steps (e) and
(f) differ (`_FlatModel` or `_FlatBuffer`). It needs a `GridWorld`
(possibly a `ChangingMaze`) from `mbrl_helpers.envs`, wrapped at most by Gymnasium's default
wrappers and `TimeLimit`: it reads the maze's transition tables and simulates it itself, so
`env` is left untouched (its clock does not advance). Any other environment: use `dyna_q`.

Why it is faster, in plain Python (numpy's per-call overhead dominates on a 6x9 maze):

- the box (b)-(f) runs in one loop with local variables, and a handful of calls per real step
  (`_uniforms`, `_FlatModel.record` and `.picks`, `_plan`), none per planning update;
- the model is one flat list of `(s, a, r, s_next, g, t_last)` entries, `n_actions` slots per
  observed state, so a planning step is one indexing and one unpacking; `g = gamma` or 0.0 for
  a terminal S' (`r + 0.0 * max Q(S')` is exactly `r`, so no branch is needed); `t_last` is
  when (s, a) was last tried, and Dyna-Q+ reads its bonus `kappa sqrt(tau)` from a table grown
  as t grows;
- `V[s] = max_a Q(s, a)` is kept up to date by each update (a comparison; `max` only when the
  largest entry goes down), so the target `R + g V[S']` costs an indexing, not a `max` call;
- with many planning steps, the indices of the sampled entries are computed by numpy for the
  whole batch (one call per real step instead of four Python operations per update);
- until the first nonzero reward, planning updates are exact no-ops (Q stays all zeros: the
  first episode of Figure 8.2 is a random walk), so their arithmetic is skipped;
- the uniform draws of acting are pre-drawn in blocks from the acting stream (the same
  numbers `dyna_q` draws one by one); planning draws `(n, 2)` uniforms per real step, as
  `dyna_q` does. The model entry `pick = entries[int(u * len(entries))]` uses one draw per
  choice, like `dyna_q`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import gymnasium
import numpy as np
from gymnasium.wrappers import OrderEnforcing, PassiveEnvChecker, TimeLimit

from mbrl_helpers.dyna.agent import DynaResult, _streams
from mbrl_helpers.envs import ChangingMaze, GridWorld
from mbrl_helpers.validation import (
    check_budget,
    check_discount,
    check_float,
    check_int,
    check_probability,
    check_step_size,
    check_tabular_env,
)

__all__ = ["dyna_q_fast", "q_learning_replay_fast"]

_BLOCK = 4096  # acting draws per numpy call
_VECTOR_MIN = 16  # from this many planning steps, compute the sampled indices with numpy


def _unwrap(env: gymnasium.Env) -> tuple[GridWorld, int | None]:
    """The GridWorld inside env, and the TimeLimit of its wrappers (None if there is none)."""
    limit = None
    while isinstance(env, gymnasium.Wrapper):
        if isinstance(env, TimeLimit):
            cap = env._max_episode_steps
            limit = cap if limit is None else min(limit, cap)
        elif not isinstance(env, OrderEnforcing | PassiveEnvChecker):
            raise TypeError(
                f"dyna_q_fast simulates the maze itself and cannot honour the wrapper "
                f"{type(env).__name__}: use mbrl_helpers.dyna.dyna_q"
            )
        env = env.env
    if not isinstance(env, GridWorld):
        raise TypeError(
            f"env must be a GridWorld maze from mbrl_helpers.envs for the fast path, got "
            f"{type(env).__name__}: use mbrl_helpers.dyna.dyna_q"
        )
    return env, limit


def dyna_q_fast(
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
    """Dyna-Q (Sutton & Barto 8.2) / Dyna-Q+ (8.3) on a maze: `mbrl_helpers.dyna.dyna_q`, fast.

    Same arguments, same result on the same rng (the returned `model` is None).
    """
    check_tabular_env("env", env)
    n_planning = check_int("n_planning", n_planning, low=0)
    kappa = check_float("kappa", kappa, low=0.0)
    return _run(
        env,
        n_planning,
        lambda n_states, n_actions, gamma: _FlatModel(n_states, n_actions, gamma, kappa > 0),
        n_episodes=n_episodes,
        n_steps=n_steps,
        alpha=alpha,
        gamma=gamma,
        epsilon=epsilon,
        kappa=kappa,
        rng=rng,
        max_episode_steps=max_episode_steps,
    )


def q_learning_replay_fast(
    env: gymnasium.Env,
    n_replay: int = 0,
    *,
    n_episodes: int | None = None,
    n_steps: int | None = None,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    capacity: int | None = None,
    rng: np.random.Generator,
    max_episode_steps: int | None = None,
) -> DynaResult:
    """Q-learning with experience replay on a maze: `mbrl_helpers.dyna.q_learning_replay`, fast.

    Same arguments, same result on the same rng (the returned `model` is None).
    """
    check_tabular_env("env", env)
    n_replay = check_int("n_replay", n_replay, low=0)
    capacity = None if capacity is None else check_int("capacity", capacity, low=1)
    return _run(
        env,
        n_replay,
        lambda n_states, n_actions, gamma: _FlatBuffer(gamma, capacity),
        n_episodes=n_episodes,
        n_steps=n_steps,
        alpha=alpha,
        gamma=gamma,
        epsilon=epsilon,
        kappa=0.0,
        rng=rng,
        max_episode_steps=max_episode_steps,
    )


def _run(
    env, n_planning, make_memory, *, n_episodes, n_steps, alpha, gamma, epsilon, kappa, rng,
    max_episode_steps,
) -> DynaResult:  # fmt: skip
    """The loop of both agents: steps (a)-(d) as in `dyna_q`, (e) `memory.record`, (f)
    `memory.picks` of `memory.draws` uniforms per update, then the same updates (`_plan`)."""
    n_states, n_actions = check_tabular_env("env", env)
    maze, limit = _unwrap(env)
    n_episodes, n_steps, max_episode_steps = check_budget(n_episodes, n_steps, max_episode_steps)
    if limit is not None:
        max_episode_steps = limit if max_episode_steps is None else min(limit, max_episode_steps)
    if max_episode_steps is None:
        max_episode_steps = math.inf
    alpha, gamma = check_step_size("alpha", alpha), check_discount("gamma", gamma)
    epsilon = check_probability("epsilon", epsilon)
    plus = kappa > 0
    _, act_rng, plan_rng = _streams(rng=rng)  # the env seed is unused: mazes are deterministic

    # The world: its tables now, and after a pending change (the changing mazes).
    next_state, reward, terminal = maze.next_state, maze.reward, maze.terminal
    change_in = math.inf
    if isinstance(maze, ChangingMaze) and not maze.changed:
        change_in = maze.change_at - maze.t

    Q = [[0.0] * n_actions for _ in range(n_states)]
    V = [0.0] * n_states  # V[s] == max(Q[s]) at all times, kept up to date by every update
    model = make_memory(n_states, n_actions, gamma)
    draws = model.draws  # uniforms per planning update: 2 for the model (S, then A), 1 to replay
    record, picks, entry = model.record, model.picks, model.entry  # bound once, used every step
    uniform = _uniforms(rng=act_rng).__next__
    plan_random = plan_rng.random
    bonus = [0.0]  # Dyna-Q+: kappa sqrt(tau) for tau = 0, 1, ..., t, grown as t grows
    steps, returns, rewards = [], [], []
    t = 0
    rewarded = plus  # any nonzero reward seen yet? (a Dyna-Q+ bonus is nonzero at once)
    while len(steps) < n_episodes and t < n_steps:
        s = maze.start
        episode_steps, episode_return = 0, 0.0
        while True:
            # (b) epsilon-greedy, ties at random: one uniform draw per choice
            q = Q[s]
            if uniform() < epsilon:
                a = int(uniform() * n_actions)
            elif q.count(V[s]) == 1:  # one greedy action (count and index are cheap C loops)
                a = q.index(V[s])
            else:
                greedy = [b for b, v in enumerate(q) if v == V[s]]
                a = greedy[int(uniform() * len(greedy))]
            # (c) take A; observe R, S' (the maze's own tables)
            s_next, r = next_state[s][a], reward[s][a]
            terminated = terminal[s_next]
            t += 1
            if t == change_in:
                next_state, reward, terminal = maze.tables_after
            # (d) direct RL
            old = q[a]
            new = q[a] = old + alpha * ((r if terminated else r + gamma * V[s_next]) - old)
            if new > V[s]:
                V[s] = new
            elif new < old and old == V[s]:  # the max went down: recompute it
                V[s] = max(q)
            # (e) Model(S, A) <- R, S' (or: store the transition in the replay buffer)
            record(s, a, r, s_next, terminated, t)
            # (f) planning: n times S, A <- random observed pair; R, S' <- Model(S, A); update
            # (or: n times a random stored transition)
            rewarded = rewarded or r != 0.0
            if n_planning:
                u = plan_random((n_planning, draws))
                # Until the first reward, Q is all zeros and every modelled reward is 0: each
                # update would be Q += alpha * (0 + g * 0 - 0), exactly nothing. The numbers are
                # drawn anyway (the stream stays that of dyna_q); the arithmetic is skipped.
                if rewarded:
                    if plus:
                        bonus.append(kappa * math.sqrt(t))  # bonus[tau] = kappa sqrt(tau)
                    _plan(Q, V, entry, picks(u), alpha, bonus, t, plus)
            rewards.append(r)
            episode_steps += 1
            episode_return += r
            s = s_next
            if terminated or episode_steps == max_episode_steps:
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
    )


def _uniforms(*, rng: np.random.Generator) -> Iterator[float]:
    """The acting stream's uniforms, pre-drawn in blocks: the numbers `dyna_q` draws one by one
    (a generator: its `__next__` costs less per draw than a method call)."""
    while True:
        yield from rng.random(_BLOCK).tolist()


class _FlatModel:
    """Dyna-Q's deterministic model (`models.DeterministicModel`), flattened for speed.

    The i-th observed state (first visit first) owns the slots entry[i * n_actions : (i + 1) *
    n_actions], filled with its tried actions in the order they were first tried; an entry is
    `(s, a, r, s_next, g, t_last)`, with g = gamma, or 0.0 for a terminal S'.
    """

    draws = 2  # uniforms per planning update: one for S, one for A
    __slots__ = ("entry", "gamma", "n_actions", "n_observed", "n_tried", "n_tried_array")
    __slots__ += ("plus", "slot", "where")

    def __init__(self, n_states: int, n_actions: int, gamma: float, plus: bool) -> None:
        self.n_actions, self.gamma, self.plus = n_actions, gamma, plus
        self.entry: list = [None] * (n_states * n_actions)
        self.slot = [-1] * n_states  # slot[s]: i, or -1 if s was never observed
        self.where: list = [None] * n_states  # where[s][a]: the entry of (s, a), -1 if untried
        self.n_tried: list[int] = []  # n_tried[i]: actions tried in the i-th observed state
        self.n_tried_array = np.zeros(n_states)  # the same, for the vectorised picks
        self.n_observed = 0

    def record(self, s: int, a: int, r: float, s_next: int, terminated: bool, t: int) -> None:
        """Model(S, A) <- R, S' (step e), at real time step t."""
        where_s = self.where[s]
        if where_s is None:  # a newly observed state
            where_s = self._observe(s)
        k = where_s[a]
        if k < 0:  # a newly tried action
            i = self.slot[s]
            k = where_s[a] = i * self.n_actions + self.n_tried[i]
            self.n_tried[i] += 1
            self.n_tried_array[i] += 1
        self.entry[k] = (s, a, r, s_next, 0.0 if terminated else self.gamma, t)

    def _observe(self, s: int) -> list[int]:
        """Give a newly observed state its slots; return where[s]."""
        i = self.slot[s] = self.n_observed
        self.n_observed += 1
        base = i * self.n_actions
        if self.plus:  # untried actions: back to s, reward 0 (the book's footnote)
            for b in range(self.n_actions):
                self.entry[base + b] = (s, b, 0.0, s, self.gamma, 0)
            self.where[s] = list(range(base, base + self.n_actions))
            self.n_tried.append(self.n_actions)
            self.n_tried_array[i] = self.n_actions
        else:
            self.where[s] = [-1] * self.n_actions
            self.n_tried.append(0)
        return self.where[s]

    def picks(self, u: np.ndarray) -> list[int]:
        """The entries of step (f) for the uniforms `u` (shape (n, 2)): S <- the int(u_s *
        n_observed)-th observed state, A <- its int(u_a * n_tried)-th tried action, as
        `DeterministicModel.random_pairs` chooses (numpy truncates float64 products exactly as
        int() does)."""
        if len(u) >= _VECTOR_MIN:
            i = (u[:, 0] * self.n_observed).astype(np.intp)
            return (i * self.n_actions + (u[:, 1] * self.n_tried_array[i]).astype(np.intp)).tolist()
        n_observed, n_tried, n_actions = self.n_observed, self.n_tried, self.n_actions
        picks = []
        for u_s, u_a in u.tolist():
            i = int(u_s * n_observed)
            picks.append(i * n_actions + int(u_a * n_tried[i]))
        return picks


class _FlatBuffer:
    """The replay buffer of `q_learning_replay` (`models.ReplayBuffer`), as `_plan` reads it.

    `entry` holds the stored transitions in the buffer's order, as `(s, a, r, s_next, g, t)`
    with g = gamma, or 0.0 for a terminal S'; with a capacity it is a ring, as in the buffer.
    """

    draws = 1  # uniforms per replayed update: one for the stored transition
    __slots__ = ("capacity", "entry", "gamma", "n_added")

    def __init__(self, gamma: float, capacity: int | None) -> None:
        self.gamma, self.capacity = gamma, capacity
        self.entry: list = []
        self.n_added = 0

    def record(self, s: int, a: int, r: float, s_next: int, terminated: bool, t: int) -> None:
        """Store (S, A, R, S') (step e'); when full, over the oldest entry."""
        item = (s, a, r, s_next, 0.0 if terminated else self.gamma, t)
        if self.capacity is None or len(self.entry) < self.capacity:
            self.entry.append(item)
        else:
            self.entry[self.n_added % self.capacity] = item
        self.n_added += 1

    def picks(self, u: np.ndarray) -> list[int]:
        """The stored transitions of step (f') for the uniforms `u` (shape (n, 1)): the
        int(u * len)-th, as `ReplayBuffer.random_transitions` chooses."""
        k = len(self.entry)
        if len(u) >= _VECTOR_MIN:
            return (u[:, 0] * k).astype(np.intp).tolist()
        return [int(x * k) for x in u[:, 0].tolist()]


def _plan(Q, V, entry, picks, alpha: float, bonus: list[float], t: int, plus: bool) -> None:
    """Step (f)'s updates on the picked model entries, keeping V[s] = max Q(s, .) up to date.

    Q(S, A) <- Q(S, A) + alpha [R + g V(S') - Q(S, A)], R plus kappa sqrt(t - t_last) for
    Dyna-Q+. Two copies of the loop, so that plain Dyna-Q pays nothing for the bonus.
    """
    if plus:
        for k in picks:
            ps, pa, pr, ps_next, g, t_last = entry[k]  # R, S' <- Model(S, A)
            pq = Q[ps]
            old = pq[pa]
            new = pq[pa] = old + alpha * (pr + bonus[t - t_last] + g * V[ps_next] - old)
            if new > V[ps]:
                V[ps] = new
            elif new < old and old == V[ps]:
                V[ps] = max(pq)
    else:
        for k in picks:
            ps, pa, pr, ps_next, g, _ = entry[k]  # R, S' <- Model(S, A)
            pq = Q[ps]
            old = pq[pa]
            new = pq[pa] = old + alpha * (pr + g * V[ps_next] - old)
            if new > V[ps]:
                V[ps] = new
            elif new < old and old == V[ps]:  # the max went down: recompute it
                V[ps] = max(pq)
