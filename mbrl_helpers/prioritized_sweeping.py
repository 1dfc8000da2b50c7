"""Prioritized sweeping (Sutton & Barto 8.4) and the experiment of Example 8.4.

- `PriorityQueue`, `push_predecessors`, `PrioritizedSweeping`: the algorithm of the book's box,
  with its queue of (s, a) pairs by priority |R + gamma max_a Q(S', a) - Q(S, A)| > theta.
- Example 8.4: `enlarge_maze`, `DynaQAgent` (lecture 01's Dyna-Q one step at a time),
  `greedy_path_length`, `shortest_path_length`, `updates_until_optimal`.

Models are in Gymnasium's `P[s][a]` format (see `mbrl_helpers.planning`).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Hashable, Mapping

import numpy as np

from mbrl_helpers import dyna, validation

# --------------------------------------------------------------------------------------------
# Prioritized sweeping (section 8.4)
# --------------------------------------------------------------------------------------------


class PriorityQueue:
    """A max-priority queue of state-action pairs, as prioritized sweeping needs (section 8.4).

    Pushing a pair that is already queued keeps only the higher of its two priorities; equal
    priorities come out first-in first-out. A heap with lazy deletion: O(log n) push and pop.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Hashable]] = []
        self._priority: dict[Hashable, float] = {}
        self._entry: dict[Hashable, int] = {}
        self._counter = itertools.count()

    def push(self, pair: Hashable, priority: float) -> None:
        """Insert `pair` with `priority`; if already queued, keep the higher priority."""
        priority = float(priority)
        if not math.isfinite(priority):  # cheaper than validation.check_float in the hot loop
            raise ValueError(f"priority must be a finite number, got {priority}")
        if pair in self._priority and self._priority[pair] >= priority:
            return
        count = next(self._counter)
        self._priority[pair] = priority
        self._entry[pair] = count
        heapq.heappush(self._heap, (-priority, count, pair))

    def pop(self) -> tuple[Hashable, float]:
        """Remove and return `(pair, priority)` with the highest priority."""
        while self._heap:
            _, count, pair = heapq.heappop(self._heap)
            if self._entry.get(pair) == count:  # skip entries superseded by a higher priority
                del self._entry[pair]
                return pair, self._priority.pop(pair)
        raise IndexError("pop from an empty PriorityQueue")

    def priority(self, pair: Hashable) -> float | None:
        """The priority of a queued pair, or None."""
        return self._priority.get(pair)

    def items(self) -> dict[Hashable, float]:
        """A copy of `{pair: priority}` for every queued pair."""
        return dict(self._priority)

    def __len__(self) -> int:
        return len(self._priority)

    def __contains__(self, pair: Hashable) -> bool:
        return pair in self._priority

    def __repr__(self) -> str:
        return f"PriorityQueue({len(self)} pairs)"


def push_predecessors(
    Q: np.ndarray,
    queue: PriorityQueue,
    predecessors: Mapping,
    model: Mapping,
    s: int,
    gamma: float,
    theta: float,
) -> None:
    """Queue the predecessors of `s` whose value would change by more than theta (section 8.4).

    Loop for all S_bar, A_bar predicted to lead to S:
        R_bar <- predicted reward for S_bar, A_bar, S
        P <- |R_bar + gamma max_a Q(S, a) - Q(S_bar, A_bar)|      (no bootstrap if terminal)
        if P > theta, then insert S_bar, A_bar into PQueue with priority P
    `predecessors[s]` holds the pairs (s_bar, a_bar) seen to lead to s; `model[(s_bar, a_bar)]`
    is the deterministic model's `(r, s_next, terminated)`. `Q[s][a]` may be a numpy array or a
    list of lists.
    """
    v_s = max(Q[s])  # max_a Q(S, a), the same for every predecessor
    for s_bar, a_bar in predecessors.get(s, ()):
        r_bar, _, terminated = model[(s_bar, a_bar)]  # R_bar <- predicted reward for S_bar, A_bar
        priority = abs((r_bar if terminated else r_bar + gamma * v_s) - Q[s_bar][a_bar])
        if priority > theta:
            queue.push((s_bar, a_bar), priority)


def argmax_random(row: np.ndarray, rng: np.random.Generator) -> int:
    """The index of the largest entry of `row`, ties broken at random."""
    best = np.flatnonzero(row == row.max())
    return int(best[0]) if len(best) == 1 else int(rng.choice(best))


class PrioritizedSweeping:
    """Prioritized sweeping for a deterministic environment (section 8.4, boxed algorithm).

    Call `act(s)` for an epsilon-greedy action and `learn(s, a, r, s_next, terminated)` after each
    real step: it records the model and predecessors, queues (s, a) if its priority exceeds
    theta, then performs up to `n_planning` updates, each followed by `push` (by default
    `push_predecessors`; pass your own to try it in the full algorithm).
    `n_updates` counts every Q update (planning updates only: as in the book's algorithm, the
    real transition enters through the queue).
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
        theta: float = 1e-4,
        rng: np.random.Generator,
        push: Callable | None = None,
    ) -> None:
        n_states = validation.check_int("n_states", n_states, low=1)
        n_actions = validation.check_int("n_actions", n_actions, low=1)
        self.alpha = validation.check_step_size("alpha", alpha)
        self.gamma = validation.check_discount("gamma", gamma)
        self.epsilon = validation.check_probability("epsilon", epsilon)
        self.n_planning = validation.check_int("n_planning", n_planning, low=0)
        self.theta = validation.check_float("theta", theta, low=0.0)
        if push is not None and not callable(push):
            raise TypeError(f"push must be a function like push_predecessors, got {push!r}")
        self.push = push or push_predecessors
        self.rng = validation.check_rng("rng", rng)
        self.Q = np.zeros((n_states, n_actions))
        self.model: dict[tuple[int, int], tuple[float, int, bool]] = {}
        self.predecessors: dict[int, dict[tuple[int, int], None]] = {}
        self.queue = PriorityQueue()
        self.n_updates = 0

    def act(self, s: int) -> int:
        """(b) A <- epsilon-greedy(S, Q), ties broken at random."""
        return dyna.epsilon_greedy(self.Q[s], self.epsilon, self.rng)

    def learn(self, s: int, a: int, r: float, s_next: int, terminated: bool) -> None:
        """Steps (d)-(g) after one real transition."""
        Q, gamma = self.Q, self.gamma
        # (d) Model(S, A) <- R, S'  (and remember that (S, A) leads to S')
        self.model[(s, a)] = (float(r), int(s_next), bool(terminated))
        self.predecessors.setdefault(int(s_next), {})[(s, a)] = None
        # (e) P <- |R + gamma max_a Q(S', a) - Q(S, A)|; (f) if P > theta, insert S, A
        target = r if terminated else r + gamma * max(Q[s_next])
        priority = abs(target - Q[s][a])
        if priority > self.theta:
            self.queue.push((s, a), priority)
        # (g) Loop repeat n times, while PQueue is not empty
        for _ in range(self.n_planning):
            if not self.queue:
                break
            (ps, pa), _ = self.queue.pop()
            pr, ps_next, pterm = self.model[(ps, pa)]
            target = pr if pterm else pr + gamma * max(Q[ps_next])
            Q[ps][pa] += self.alpha * (target - Q[ps][pa])
            self.n_updates += 1
            self.push(Q, self.queue, self.predecessors, self.model, ps, gamma, self.theta)


# --------------------------------------------------------------------------------------------
# Example 8.4: updates until the greedy policy is optimal
# --------------------------------------------------------------------------------------------


def enlarge_maze(grid: str, factor: int) -> str:
    """The maze `grid` at `factor` times the resolution: each cell becomes factor x factor cells.

    The mazes of Example 8.4 (Peng and Williams, 1993). Walls grow into blocks of walls; the
    start and goal stay single cells, at the top-left corner of their blocks.
    """
    factor = validation.check_int("factor", factor, low=1)
    if not isinstance(grid, str):
        raise TypeError(f"grid must be a string map, got {type(grid).__name__}")
    rows = [row.strip() for row in grid.strip().splitlines()]
    big = []
    for row in rows:
        for i in range(factor):
            big.append(
                "".join(
                    (ch if i == 0 and j == 0 else ("." if ch in "SG" else ch))
                    for ch in row
                    for j in range(factor)
                )
            )
    return "\n".join(big)


class DynaQAgent:
    """Dyna-Q (section 8.2) one step at a time, built from the pieces of `mbrl_helpers.dyna`.

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
        n_states = validation.check_int("n_states", n_states, low=1)
        n_actions = validation.check_int("n_actions", n_actions, low=1)
        self.alpha = validation.check_step_size("alpha", alpha)
        self.gamma = validation.check_discount("gamma", gamma)
        self.epsilon = validation.check_probability("epsilon", epsilon)
        self.n_planning = validation.check_int("n_planning", n_planning, low=0)
        self.rng = validation.check_rng("rng", rng)
        self.Q = [[0.0] * n_actions for _ in range(n_states)]
        self.model = dyna.TableModel(n_actions)
        self.n_updates = 0

    def act(self, s: int) -> int:
        """(b) A <- epsilon-greedy(S, Q), ties broken at random."""
        return dyna.epsilon_greedy(self.Q[s], self.epsilon, self.rng)

    def learn(self, s: int, a: int, r: float, s_next: int, terminated: bool) -> None:
        """Steps (d)-(f) after one real transition."""
        dyna.q_update(self.Q, s, a, r, s_next, terminated, self.alpha, self.gamma)  # (d)
        self.model.update(s, a, r, s_next, terminated)  # (e) Model(S, A) <- R, S'
        dyna.planning(self.Q, self.model, self.n_planning, self.alpha, self.gamma, self.rng)
        self.n_updates += 1 + self.n_planning


def greedy_path_length(P, Q: np.ndarray, start: int, max_steps: int) -> int | None:
    """Steps the greedy policy (first-action ties) of Q takes from `start` to termination in a
    deterministic model, or None if it has not terminated within `max_steps`."""
    s = start
    for step in range(1, max_steps + 1):
        _, s, _, terminated = P[s][int(np.argmax(Q[s]))][0]
        if terminated:
            return step
    return None


def shortest_path_length(P, start: int) -> int:
    """Fewest steps from `start` to a terminating transition in a deterministic model (BFS)."""
    frontier, seen, depth = [start], {start}, 0
    while frontier:
        depth += 1
        next_frontier = []
        for s in frontier:
            for transitions in P[s].values() if isinstance(P[s], Mapping) else P[s]:
                _, s_next, _, terminated = transitions[0]
                if terminated:
                    return depth
                if s_next not in seen:
                    seen.add(s_next)
                    next_frontier.append(s_next)
        frontier = next_frontier
    raise ValueError(f"no terminating transition is reachable from start state {start}")


def updates_until_optimal(
    agent,
    env,
    start: int,
    *,
    slack: float = 1.0,
    max_updates: int = 1_000_000,
    max_episodes: int = 10_000,
    max_episode_steps: int = 100_000,
) -> int | None:
    """Run `agent` in the deterministic `env` until its greedy policy is optimal (Example 8.4).

    `agent` has `act(s) -> a`, `learn(s, a, r, s_next, terminated)`, a table `Q` and a counter
    `n_updates`. After each episode the greedy path from `start` is compared with the shortest
    path in the env's true model `env.unwrapped.P`: it counts as optimal when it is at most
    `slack` times as long. Returns the number of updates by then, or None if `max_updates`
    updates or `max_episodes` episodes ran out first.
    """
    slack = validation.check_float("slack", slack, low=1.0)
    max_updates = validation.check_int("max_updates", max_updates, low=1)
    max_episodes = validation.check_int("max_episodes", max_episodes, low=1)
    max_episode_steps = validation.check_int("max_episode_steps", max_episode_steps, low=1)
    P = env.unwrapped.P
    longest = int(math.floor(slack * shortest_path_length(P, start) + 1e-9))
    for _ in range(max_episodes):
        if agent.n_updates >= max_updates:
            break
        s, _ = env.reset()
        for _ in range(max_episode_steps):
            a = agent.act(s)
            s_next, r, terminated, truncated, _ = env.step(a)
            agent.learn(s, a, r, s_next, terminated)
            s = s_next
            if terminated or truncated:
                break
        if greedy_path_length(P, agent.Q, start, longest) is not None:
            return int(agent.n_updates)
    return None
