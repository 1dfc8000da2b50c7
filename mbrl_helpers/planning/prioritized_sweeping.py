"""Prioritized sweeping (Sutton & Barto 8.4).

`PriorityQueue`, `push_predecessors`, `PrioritizedSweeping`: the algorithm of the book's box,
with its queue of (s, a) pairs by priority |R + gamma max_a Q(S', a) - Q(S, A)| > theta. The
experiment of Example 8.4 is in `mbrl_helpers.experiments.example_8_4`.

Models are in Gymnasium's `P[s][a]` format (see `mbrl_helpers.planning`).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Hashable, Mapping

import numpy as np

from mbrl_helpers import validation
from mbrl_helpers.models import DeterministicModel
from mbrl_helpers.tabular import epsilon_greedy, q_target, q_update


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
    model: DeterministicModel,
    s: int,
    gamma: float,
    theta: float,
) -> None:
    """Queue the predecessors of `s` whose value would change by more than theta (section 8.4).

    Loop for all S_bar, A_bar predicted to lead to S:
        R_bar <- predicted reward for S_bar, A_bar, S
        P <- |R_bar + gamma max_a Q(S, a) - Q(S_bar, A_bar)|      (no bootstrap if terminal)
        if P > theta, then insert S_bar, A_bar into PQueue with priority P
    `predecessors[s]` holds the pairs (s_bar, a_bar) seen to lead to s;
    `model.transitions[s_bar][a_bar]` is the deterministic model's `(r, s_next, terminated)`.
    `Q[s][a]` may be a numpy array or a list of lists.
    """
    v_s = max(Q[s])  # max_a Q(S, a), the same for every predecessor
    for s_bar, a_bar in predecessors.get(s, ()):
        r_bar, _, terminated = model.transitions[s_bar][a_bar]  # R_bar <- predicted reward
        priority = abs((r_bar if terminated else r_bar + gamma * v_s) - Q[s_bar][a_bar])
        if priority > theta:
            queue.push((s_bar, a_bar), priority)


class PrioritizedSweeping:
    """Prioritized sweeping for a deterministic environment (section 8.4, boxed algorithm).

    Call `act(s)` for an action (step (b), policy(S, Q): epsilon-greedy here) and
    `learn(s, a, r, s_next, terminated)` after each real step: it records the model and
    predecessors, queues (s, a) if its priority exceeds theta, then performs up to `n_planning`
    updates, each followed by `push` (by default `push_predecessors`; pass your own to try it
    in the full algorithm).
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
        self.model = DeterministicModel(n_actions=n_actions)
        self.predecessors: dict[int, dict[tuple[int, int], None]] = {}
        self.queue = PriorityQueue()
        self.n_updates = 0

    def act(self, s: int) -> int:
        """(b) A <- policy(S, Q): the book leaves the behaviour policy open; here epsilon-greedy,
        ties broken at random."""
        return epsilon_greedy(self.Q[s], self.epsilon, rng=self.rng)

    def learn(self, s: int, a: int, r: float, s_next: int, terminated: bool) -> None:
        """Steps (d)-(g) after one real transition."""
        Q, gamma = self.Q, self.gamma
        # (d) Model(S, A) <- R, S'  (and remember that (S, A) leads to S')
        self.model.update(s, a, r, s_next, terminated)
        self.predecessors.setdefault(int(s_next), {})[(s, a)] = None
        # (e) P <- |R + gamma max_a Q(S', a) - Q(S, A)|; (f) if P > theta, insert S, A
        priority = abs(q_target(Q, r, s_next, terminated, gamma) - Q[s][a])
        if priority > self.theta:
            self.queue.push((s, a), priority)
        # (g) Loop repeat n times, while PQueue is not empty
        for _ in range(self.n_planning):
            if not self.queue:
                break
            (ps, pa), _ = self.queue.pop()
            pr, ps_next, pterm = self.model.transitions[ps][pa]  # R, S' <- Model(S, A)
            q_update(Q, ps, pa, pr, ps_next, pterm, self.alpha, gamma)
            self.n_updates += 1
            self.push(Q, self.queue, self.predecessors, self.model, ps, gamma, self.theta)
