"""Planning with a model of the environment: Sutton & Barto (2nd ed.) sections 4.4 and 8.4-8.7.

A model is given in Gymnasium's toy-text format, `P[s][a] = [(prob, next_state, reward,
terminated), ...]`: the true model of FrozenLake (`env.unwrapped.P`) or of the course's
gridworlds, or a learned `models.TabularModel`'s distributions (`model.to_P(n_states,
n_actions)`). A `terminated` transition ends the episode, so its next state is never bootstrapped
from: a terminal state has value 0.

- Distribution planning: `expected_update`, `value_iteration_sweep`, `value_iteration`.
- Sample planning: `sample_update` (one Q-learning update on a sampled transition).
- `expected_vs_sample_errors`: the experiment of Figure 8.7.
- Prioritized sweeping (section 8.4): `PriorityQueue`, `push_predecessors`,
  `PrioritizedSweeping`; for Example 8.4, `enlarge_maze`, `DynaQAgent` (lecture 01's Dyna-Q one
  step at a time) and `updates_until_optimal`.
- When to plan: `plan_ahead` (sweeps of expected updates over every pair before acting) versus
  `act_while_planning` / `rtdp_plan` (real-time DP trials from the current state, section 8.7).

Gradient-based planning through a differentiable model lives in `mbrl_helpers.analytic_planning`.
"""

from __future__ import annotations

import heapq
import itertools
import math
import numbers
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from mbrl_helpers import dyna, validation

Transition = tuple[float, int, float, bool]


# --------------------------------------------------------------------------------------------
# The model as arrays
# --------------------------------------------------------------------------------------------


class TabularMDP(NamedTuple):
    """A model as arrays: `T[s, a, s']` and `R[s, a]`, so that `Q = R + gamma * T @ V`.

    `T[s, a, s']` holds the probability of reaching `s'` *without* terminating (the mass of
    terminating transitions is left out: a terminal state has value 0) and `R[s, a]` the expected
    reward `sum_{s', r} p(s', r | s, a) r`.
    """

    T: np.ndarray
    R: np.ndarray

    @property
    def n_states(self) -> int:
        return self.T.shape[0]

    @property
    def n_actions(self) -> int:
        return self.T.shape[1]


def _indexed(name: str, container, what: str) -> list:
    """The values of a dict keyed 0..n-1, or of a list/tuple, in index order."""
    if isinstance(container, Mapping):
        keys = list(container.keys())
        if set(keys) != set(range(len(keys))):
            raise ValueError(
                f"{name} must be indexed by {what} 0..{len(keys) - 1}, got keys {keys}"
            )
        return [container[i] for i in range(len(keys))]
    if isinstance(container, Sequence) and not isinstance(container, str):
        return list(container)
    raise TypeError(
        f"{name} must be a dict or list indexed by {what}, got {type(container).__name__}"
    )


class _Transitions(NamedTuple):
    """A checked model as flat arrays, one entry per listed outcome (sparse: cheap to sweep)."""

    n_states: int
    n_actions: int
    pair: np.ndarray  # s * n_actions + a
    s_next: np.ndarray
    prob: np.ndarray
    reward: np.ndarray
    terminated: np.ndarray

    def expected_rewards(self) -> np.ndarray:
        """R[s, a] = sum_{s', r} p(s', r | s, a) r."""
        size = self.n_states * self.n_actions
        R = np.bincount(self.pair, weights=self.prob * self.reward, minlength=size)
        return R.reshape(self.n_states, self.n_actions)


def _check_transition(s: int, a: int, k: int, transition, n_states: int):
    """One outcome `(prob, next_state, reward, terminated)`, checked (plain types: fast path)."""
    if type(transition) is tuple and len(transition) == 4:
        prob, s_next, r, terminated = transition
        if (
            type(prob) is float
            and type(s_next) is int
            and type(r) in (int, float)
            and type(terminated) is bool
            and 0 <= s_next < n_states
            and math.isfinite(prob)
            and math.isfinite(r)
        ):
            return prob, s_next, float(r), terminated
    where = f"P[{s}][{a}][{k}]"
    if not isinstance(transition, Sequence) or len(transition) != 4:
        raise ValueError(
            f"{where} must be a (prob, next_state, reward, terminated) tuple, got {transition!r}"
        )
    prob, s_next, r, terminated = transition
    s_next = validation.check_int(f"next_state in {where}", s_next, low=0)
    if s_next >= n_states:
        raise ValueError(f"next_state in {where} must be < n_states = {n_states}, got {s_next}")
    r = validation.check_float(f"reward in {where}", r)
    if not isinstance(terminated, (bool, np.bool_, numbers.Integral)) or terminated not in (0, 1):
        raise TypeError(f"terminated in {where} must be a bool, got {terminated!r}")
    prob = validation.check_float(f"prob in {where}", prob)
    return prob, s_next, r, bool(terminated)


def _transitions(P) -> _Transitions:
    """Check a model in `P[s][a]` format and flatten it."""
    states = _indexed("P", P, "states")
    n_states = len(states)
    if n_states == 0:
        raise ValueError("P must hold at least one state, got an empty model")
    n_actions = None
    rows: list[tuple[int, int, float, float, bool]] = []
    for s, actions in enumerate(states):
        actions = _indexed(f"P[{s}]", actions, "actions")
        if n_actions is None:
            n_actions = len(actions)
            if n_actions == 0:
                raise ValueError("P[0] must hold at least one action, got none")
        elif len(actions) != n_actions:
            raise ValueError(
                f"every state must have the same actions: P[0] has {n_actions}, "
                f"P[{s}] has {len(actions)}"
            )
        for a, transitions in enumerate(actions):
            where = f"P[{s}][{a}]"
            if isinstance(transitions, (str, bytes)) or not isinstance(transitions, Sequence):
                raise TypeError(
                    f"{where} must be a list of (prob, next_state, reward, terminated) tuples, "
                    f"got {type(transitions).__name__}"
                )
            if len(transitions) == 0:
                raise ValueError(f"{where} must hold at least one transition, got an empty list")
            checked = [_check_transition(s, a, k, t, n_states) for k, t in enumerate(transitions)]
            pair = s * n_actions + a
            rows.extend((pair, s_next, prob, r, t) for prob, s_next, r, t in checked)
    pair, s_next, prob, reward, terminated = zip(*rows, strict=True)
    pair, prob = np.array(pair, dtype=np.intp), np.array(prob, dtype=float)
    # Probabilities: non-negative, summing to one per pair (checked at once, reported per pair).
    sums = np.bincount(pair, weights=prob, minlength=n_states * n_actions)
    negative = np.bincount(pair, weights=prob < -1e-8, minlength=n_states * n_actions)
    for bad in np.flatnonzero((np.abs(sums - 1.0) > 1e-8) | (negative > 0))[:1]:
        s, a = divmod(int(bad), n_actions)
        validation.check_distribution(f"the probabilities of P[{s}][{a}]", prob[pair == bad])
    return _Transitions(
        n_states,
        n_actions,
        pair,
        np.array(s_next, dtype=np.intp),
        prob,
        np.array(reward, dtype=float),
        np.array(terminated, dtype=bool),
    )


def tabulate(P) -> TabularMDP:
    """Check a model `P[s][a] = [(prob, next_state, reward, terminated), ...]`; return its arrays.

    Every state must have the same actions 0..n_actions-1, each with a non-empty list of
    transitions whose probabilities sum to one and whose next states are in range.
    """
    if isinstance(P, TabularMDP):
        return P
    m = _transitions(P)
    T = np.zeros((m.n_states * m.n_actions, m.n_states))
    np.add.at(T, (m.pair, m.s_next), np.where(m.terminated, 0.0, m.prob))
    return TabularMDP(T.reshape(m.n_states, m.n_actions, m.n_states), m.expected_rewards())


def sample_transition(P, s: int, a: int, rng: np.random.Generator) -> tuple[int, float, bool]:
    """`R, S' <- Model(S, A)`: one sample `(s_next, r, terminated)` from `P[s][a]`."""
    validation.check_rng("rng", rng)
    transitions = P[s][a]
    probs = np.array([t[0] for t in transitions], dtype=float)
    k = rng.choice(len(transitions), p=probs / probs.sum()) if len(transitions) > 1 else 0
    _, s_next, r, terminated = transitions[k]
    return int(s_next), float(r), bool(terminated)


# --------------------------------------------------------------------------------------------
# Expected and sample updates (section 8.5)
# --------------------------------------------------------------------------------------------


def _check_Q(Q) -> np.ndarray:
    if not isinstance(Q, np.ndarray) or Q.ndim != 2 or not np.issubdtype(Q.dtype, np.floating):
        raise TypeError(f"Q must be a 2-D float numpy array (n_states, n_actions), got {Q!r:.60}")
    return Q


def expected_update(Q: np.ndarray, P, s: int, a: int, gamma: float) -> float:
    """Expected update of `Q[s, a]` in place (section 8.5); returns the new value.

    Q(s, a) <- sum_{s', r} p(s', r | s, a) [r + gamma max_a' Q(s', a')]   (no bootstrap if terminal)

    It costs one max over actions per possible next state (the branching factor b).
    """
    _check_Q(Q)
    gamma = validation.check_discount("gamma", gamma)
    value = 0.0
    for prob, s_next, r, terminated in P[s][a]:
        value += prob * (r if terminated else r + gamma * Q[s_next].max())
    Q[s, a] = value
    return float(value)


def sample_update(
    Q: np.ndarray,
    s: int,
    a: int,
    r: float,
    s_next: int,
    terminated: bool,
    alpha: float,
    gamma: float,
) -> float:
    """Sample update of `Q[s, a]` in place (one-step tabular Q-learning, section 8.5).

    Q(s, a) <- Q(s, a) + alpha [r + gamma max_a' Q(s', a') - Q(s, a)]   (no bootstrap if terminal)

    It costs one max over actions, whatever the branching factor. Returns the new value.
    """
    _check_Q(Q)
    alpha = validation.check_step_size("alpha", alpha)
    gamma = validation.check_discount("gamma", gamma)
    target = r if terminated else r + gamma * Q[s_next].max()
    Q[s, a] += alpha * (target - Q[s, a])
    return float(Q[s, a])


def expected_vs_sample_errors(
    b: int, n_computations: int, n_runs: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """RMS error of an estimate of q(s, a) after 0..n_computations max-Q computations (Fig. 8.7).

    The setting of Figure 8.7: `b` equally likely next states whose values max_a' Q(s', a') are
    correct (drawn from N(0, 1)), so the true value is their mean; the initial estimate is off by
    1. An expected update uses `b` computations and leaves no error; sample updates with
    alpha = 1/t (a running mean of sampled next-state values) cost one computation each.
    Returns `(rms_expected, rms_sample)`, each of length `n_computations + 1`.
    """
    b = validation.check_int("b", b, low=1)
    n_computations = validation.check_int("n_computations", n_computations, low=1)
    n_runs = validation.check_int("n_runs", n_runs, low=1)
    validation.check_rng("rng", rng)
    values = rng.standard_normal((n_runs, b))
    q_true = values.mean(axis=1)
    error0 = rng.choice([-1.0, 1.0], size=n_runs)
    t = np.arange(1, n_computations + 1)
    # Sample update t with alpha = 1/t: Q_t = Q_{t-1} + (v_t - Q_{t-1}) / t, the mean of t samples.
    samples = np.take_along_axis(values, rng.integers(b, size=(n_runs, n_computations)), axis=1)
    estimates = np.cumsum(samples, axis=1) / t
    rms_sample = np.sqrt(np.mean((estimates - q_true[:, None]) ** 2, axis=0))
    rms_sample = np.concatenate([[np.sqrt(np.mean(error0**2))], rms_sample])
    # The expected update finishes after b computations and is then exact.
    rms_expected = np.where(np.arange(n_computations + 1) < b, np.sqrt(np.mean(error0**2)), 0.0)
    return rms_expected, rms_sample


# --------------------------------------------------------------------------------------------
# Value iteration (section 4.4): planning ahead of acting with expected updates
# --------------------------------------------------------------------------------------------


def value_iteration_sweep(V: np.ndarray, P, gamma: float) -> float:
    """One in-place sweep of value iteration over all states (section 4.4); returns Delta.

    for each s: v <- V(s); V(s) <- max_a sum_{s', r} p(s', r | s, a) [r + gamma V(s')];
                Delta <- max(Delta, |v - V(s)|)
    Later states in the sweep already see the new values of earlier ones.
    """
    gamma = validation.check_discount("gamma", gamma)
    delta = 0.0
    for s in range(len(V)):
        v = V[s]
        V[s] = max(
            sum(
                prob * (r if terminated else r + gamma * V[s_next])
                for prob, s_next, r, terminated in P[s][a]
            )
            for a in range(len(P[s]))
        )
        delta = max(delta, abs(v - V[s]))
    return float(delta)


def value_iteration(
    P, gamma: float, theta: float = 1e-8, max_sweeps: int = 100_000
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal values `(V, Q)` of a model in `P[s][a]` format, by value iteration (section 4.4).

    V_{k+1}(s) = max_a sum_{s', r} p(s', r | s, a) [r + gamma V_k(s')],  until max_s |V_{k+1} - V_k|
    < theta; then Q(s, a) = sum p(s', r | s, a) [r + gamma V(s')]. Sweeps are synchronous and
    vectorised over the listed outcomes (sparse: a maze costs O(states), not O(states^2)); most
    of the time goes into checking the model. With gamma = 1 values may grow without bound (a
    loop that collects reward or cost forever): after `max_sweeps` sweeps it raises a
    RuntimeError instead of looping forever.
    """
    gamma = validation.check_discount("gamma", gamma)
    theta = validation.check_float("theta", theta, low=0.0, low_open=True)
    max_sweeps = validation.check_int("max_sweeps", max_sweeps, low=1)
    if isinstance(P, TabularMDP):
        T, R = P

        def backup(V):
            return R + gamma * T @ V

    else:  # sparse: one multiply-add per listed outcome, however many states there are
        m = _transitions(P)
        R = m.expected_rewards()
        pair, s_next = m.pair, m.s_next
        weight = np.where(m.terminated, 0.0, gamma * m.prob)  # terminal: no bootstrap
        size = m.n_states * m.n_actions

        def backup(V):
            future = np.bincount(pair, weights=weight * V[s_next], minlength=size)
            return R + future.reshape(R.shape)

    V = np.zeros(R.shape[0])
    delta = np.inf
    for _ in range(max_sweeps):
        V_new = backup(V).max(axis=1)
        delta = float(np.max(np.abs(V_new - V)))
        V = V_new
        if not np.isfinite(delta):
            break
        if delta < theta:
            return V, backup(V)
    raise RuntimeError(
        f"value iteration did not converge: after {max_sweeps} sweeps the values still changed "
        f"by {delta:.3g} >= theta = {theta:g}. With gamma = {gamma:g}, values grow without bound "
        "where reward (or cost) can be collected forever without terminating; use gamma < 1, or "
        "check the model's terminal transitions."
    )


def greedy_policy(Q: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """pi(s) = argmax_a Q(s, a): ties broken at random with `rng`, or to the first action."""
    Q = np.asarray(Q, dtype=float)
    if Q.ndim != 2:
        raise ValueError(f"Q must be 2-D (n_states, n_actions), got shape {Q.shape}")
    if rng is None:
        return Q.argmax(axis=1)
    validation.check_rng("rng", rng)
    is_max = np.isclose(Q, Q.max(axis=1, keepdims=True), rtol=0.0, atol=1e-12)
    return np.array([rng.choice(np.flatnonzero(row)) for row in is_max])


def policy_evaluation(P, pi, gamma: float) -> np.ndarray:
    """v_pi of a deterministic policy `pi[s]`, exactly: solve (I - gamma T_pi) v = r_pi (eq. 4.4).

    Raises a ValueError if the system is singular (with gamma = 1, a policy that never
    terminates from some state).
    """
    gamma = validation.check_discount("gamma", gamma)
    T, R = tabulate(P)
    pi = np.asarray(pi)
    n_states, n_actions = R.shape
    if pi.shape != (n_states,) or not np.issubdtype(pi.dtype, np.integer):
        raise ValueError(f"pi must be an integer array of shape ({n_states},), got {pi!r:.60}")
    if pi.min() < 0 or pi.max() >= n_actions:
        raise ValueError(f"pi must hold actions in 0..{n_actions - 1}, got {pi}")
    states = np.arange(n_states)
    A = np.eye(n_states) - gamma * T[states, pi]
    if np.linalg.cond(A) > 1e12:
        raise ValueError(
            "policy_evaluation: the Bellman system is singular; with gamma = 1 the policy never "
            "terminates from some state"
        )
    return np.linalg.solve(A, R[states, pi])


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


def _argmax_random(row: np.ndarray, rng: np.random.Generator) -> int:
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


# --------------------------------------------------------------------------------------------
# Planning while acting (section 8.7): trials of expected updates from the current state
# --------------------------------------------------------------------------------------------


def rtdp_plan(
    Q: np.ndarray,
    P,
    s: int,
    gamma: float,
    n_updates: int,
    max_depth: int,
    rng: np.random.Generator,
) -> int:
    """Decision-time planning from the current state `s`: real-time DP trials (section 8.7).

    Repeat: from `s`, follow the greedy policy of Q through the model for at most `max_depth`
    steps, applying an `expected_update` to every pair on the way, until `n_updates` updates are
    spent. Only states reachable from `s` are ever touched. Returns the greedy action at `s`.
    """
    n_updates = validation.check_int("n_updates", n_updates, low=1)
    max_depth = validation.check_int("max_depth", max_depth, low=1)
    validation.check_rng("rng", rng)
    spent = 0
    while spent < n_updates:
        state = s
        for _ in range(max_depth):
            a = _argmax_random(Q[state], rng)
            expected_update(Q, P, state, a, gamma)
            spent += 1
            s_next, _, terminated = sample_transition(P, state, a, rng)
            if terminated or spent >= n_updates:
                break
            state = s_next
    return _argmax_random(Q[s], rng)


def plan_ahead(Q: np.ndarray, P, gamma: float, n_updates: int) -> None:
    """Planning ahead of acting: `n_updates` expected updates in sweeps over every (s, a), in
    state order, in place (asynchronous value iteration on Q, sections 4.5 and 8.5)."""
    n_updates = validation.check_int("n_updates", n_updates, low=0)
    n_states, n_actions = _check_Q(Q).shape
    pairs = itertools.cycle(itertools.product(range(n_states), range(n_actions)))
    for s, a in itertools.islice(pairs, n_updates):
        expected_update(Q, P, s, a, gamma)


def act_while_planning(
    P,
    start: int,
    gamma: float,
    n_updates_per_step: int,
    max_depth: int,
    rng: np.random.Generator,
    max_steps: int = 10_000,
) -> tuple[int | None, np.ndarray]:
    """Planning while acting: before every real step, `rtdp_plan` from the current state.

    Acts in the model `P` (here the true model stands in for the world) from `start` with Q = 0
    (optimistic when every reward is negative). Returns the number of steps to termination (None
    if `max_steps` ran out) and the final Q; the updates spent are steps * n_updates_per_step.
    """
    n_states = len(P)
    n_actions = len(P[0])
    Q = np.zeros((n_states, n_actions))
    s = start
    for step in range(1, max_steps + 1):
        a = rtdp_plan(Q, P, s, gamma, n_updates_per_step, max_depth, rng)
        s, _, terminated = sample_transition(P, s, a, rng)  # the real step
        if terminated:
            return step, Q
    return None, Q


# --------------------------------------------------------------------------------------------
# Trajectory sampling (section 8.6, Figure 8.8)
# --------------------------------------------------------------------------------------------


class BranchingTask(NamedTuple):
    """A random episodic task of Figure 8.8: 2 actions per state, each leading to one of `b`
    next states (equally likely) with probability 1 - p_terminate, or to termination.

    `next_state[s][a]` lists the b next states, `reward[s][a]` their rewards (N(0, 1)) and
    `reward_terminal[s][a]` the reward when the episode ends; the start state is 0, gamma = 1.
    """

    next_state: list
    reward: list
    reward_terminal: list
    p_terminate: float

    def to_P(self) -> dict:
        """The task in `P[s][a]` format (termination as a transition back to s, terminated)."""
        P = {}
        for s, (nexts, rewards, r_ends) in enumerate(
            zip(self.next_state, self.reward, self.reward_terminal, strict=True)
        ):
            P[s] = {}
            for a in range(2):
                b = len(nexts[a])
                P[s][a] = [
                    ((1 - self.p_terminate) / b, s2, r, False)
                    for s2, r in zip(nexts[a], rewards[a], strict=True)
                ] + [(self.p_terminate, s, r_ends[a], True)]
        return P


def random_branching_task(
    n_states: int, b: int, rng: np.random.Generator, p_terminate: float = 0.1
) -> BranchingTask:
    """A random task of Figure 8.8 with `n_states` states and branching factor `b`."""
    n_states = validation.check_int("n_states", n_states, low=1)
    b = validation.check_int("b", b, low=1)
    p_terminate = validation.check_float("p_terminate", p_terminate, low=0.0, low_open=True)
    validation.check_rng("rng", rng)
    nexts = rng.integers(n_states, size=(n_states, 2, b)).tolist()
    rewards = rng.standard_normal((n_states, 2, b)).tolist()
    r_ends = rng.standard_normal((n_states, 2)).tolist()
    return BranchingTask(nexts, rewards, r_ends, p_terminate)


def _start_value_evaluator(task: BranchingTask) -> Callable[[object], float]:
    """v_pi(0) of the greedy policy of a Q table, with the task's arrays built once."""
    nexts = np.asarray(task.next_state)
    p_go = 1.0 - task.p_terminate
    r_go = p_go * np.asarray(task.reward).mean(axis=2)  # (n_states, 2)
    r_end = task.p_terminate * np.asarray(task.reward_terminal)
    states = np.arange(len(nexts))
    weight = p_go / nexts.shape[2]

    def evaluate(Q) -> float:
        pi = np.asarray(Q, dtype=float).argmax(axis=1)
        nexts_pi, r_pi = nexts[states, pi], r_go[states, pi] + r_end[states, pi]
        V = np.zeros(len(states))
        for _ in range(100_000):  # iterative policy evaluation: a contraction by p_go per sweep
            V_new = r_pi + V[nexts_pi].sum(axis=1) * weight
            if np.abs(V_new - V).max() < 1e-7:
                break
            V = V_new
        return float(V_new[0])

    return evaluate


def greedy_start_value(task: BranchingTask, Q) -> float:
    """v_pi(0) of the greedy policy of Q in `task` (iterative policy evaluation, vectorised)."""
    return _start_value_evaluator(task)(Q)


def trajectory_sampling(
    task: BranchingTask,
    on_policy: bool,
    n_updates: int,
    eval_every: int,
    rng: np.random.Generator,
    epsilon: float = 0.1,
) -> np.ndarray:
    """Expected updates distributed uniformly or by on-policy trajectories (section 8.6).

    Uniform: cycle through every (s, a) in turn. On-policy: simulate episodes from state 0 with
    the epsilon-greedy policy of the current Q and update each pair met on the way. Every update
    is the expected update Q(s, a) <- sum p [r + max_a' Q(s', a')] (gamma = 1). Returns the greedy
    policy's start-state value after 0, eval_every, 2 eval_every, ... updates (Figure 8.8).
    """
    n_updates = validation.check_int("n_updates", n_updates, low=1)
    eval_every = validation.check_int("eval_every", eval_every, low=1)
    epsilon = validation.check_probability("epsilon", epsilon)
    validation.check_rng("rng", rng)
    nexts, rewards, r_ends, p_end = task
    n_states, p_go = len(nexts), 1.0 - p_end
    Q = [[0.0, 0.0] for _ in range(n_states)]  # lists: the updates are tiny, numpy would dominate
    evaluate = _start_value_evaluator(task)
    values = [evaluate(Q)]
    s = 0
    for k in range(1, n_updates + 1):
        if on_policy:
            q = Q[s]
            if rng.random() < epsilon or q[0] == q[1]:
                a = int(rng.random() < 0.5)
            else:
                a = int(q[1] > q[0])
        else:
            s, a = divmod((k - 1) % (2 * n_states), 2)
        b = len(nexts[s][a])
        future = sum(r + max(Q[s2]) for s2, r in zip(nexts[s][a], rewards[s][a], strict=True))
        Q[s][a] = p_go * future / b + p_end * r_ends[s][a]
        if on_policy:  # the next state of the simulated trajectory
            s = 0 if rng.random() < p_end else nexts[s][a][int(rng.random() * b)]
        if k % eval_every == 0:
            values.append(evaluate(Q))
    return np.array(values)
