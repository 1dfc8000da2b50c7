"""Planning with a model of the environment: Sutton & Barto (2nd ed.) sections 4.4 and 8.5.

A model is given in Gymnasium's toy-text format, `P[s][a] = [(prob, next_state, reward,
terminated), ...]`: the true model of FrozenLake (`env.unwrapped.P`) or of the course's
gridworlds, or a learned `models.TabularModel`'s distributions (`model.to_P(n_states,
n_actions)`). A `terminated` transition ends the episode, so its next state is never bootstrapped
from: a terminal state has value 0.

- Distribution planning: `expected_update`, `value_iteration_sweep`, `value_iteration`.
- Sample planning: `sample_update` (one Q-learning update on a sampled transition).
- `expected_vs_sample_errors`: the experiment of Figure 8.7.
- `tabulate` (the model as arrays), `policy_evaluation`.

Next to it: prioritized sweeping and Example 8.4 in `mbrl_helpers.planning.prioritized_sweeping`;
trajectory sampling and real-time DP, where to focus updates, in
`mbrl_helpers.planning.rtdp`; gradient-based planning through a differentiable model in
`mbrl_helpers.planning.gradient`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from mbrl_helpers import validation
from mbrl_helpers.randomness import random_indices, sample_index
from mbrl_helpers.tabular import q_update

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
    hint = ""
    if hasattr(container, "to_P"):  # a learned model, e.g. models.TabularModel
        hint = f"; for a learned model pass model.to_P(n_states, n_actions) as {name}"
    raise TypeError(
        f"{name} must be a dict or list indexed by {what}, got {type(container).__name__}{hint}"
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


def sample_transition(P, s: int, a: int, *, rng: np.random.Generator) -> tuple[float, int, bool]:
    """`R, S' <- Model(S, A)`: one sample `(r, s_next, terminated)` from `P[s][a]`.

    The same order and the same draw as the models' `sample` (`mbrl_helpers.models`).
    """
    validation.check_rng("rng", rng)
    transitions = P[s][a]
    k = sample_index([t[0] for t in transitions], rng=rng) if len(transitions) > 1 else 0
    _, s_next, r, terminated = transitions[k]
    return float(r), int(s_next), bool(terminated)


# --------------------------------------------------------------------------------------------
# Expected and sample updates (section 8.5)
# --------------------------------------------------------------------------------------------


def check_Q(Q) -> np.ndarray:
    if not isinstance(Q, np.ndarray) or Q.ndim != 2 or not np.issubdtype(Q.dtype, np.floating):
        raise TypeError(f"Q must be a 2-D float numpy array (n_states, n_actions), got {Q!r:.60}")
    return Q


def expected_update(Q: np.ndarray, P, s: int, a: int, gamma: float) -> float:
    """Expected update of `Q[s, a]` in place (section 8.5); returns the new value.

    Q(s, a) <- sum_{s', r} p(s', r | s, a) [r + gamma max_a' Q(s', a')]   (no bootstrap if terminal)

    It costs one max over actions per possible next state (the branching factor b).
    """
    check_Q(Q)
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
    check_Q(Q)
    q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    return float(Q[s, a])


@dataclass(frozen=True)
class ExpectedVsSample:
    """RMS errors of Figure 8.7 after 0, 1, ..., n_computations max-Q computations."""

    expected: np.ndarray  # one expected update (finished after b computations)
    sample: np.ndarray  # sample updates with alpha = 1/t, one computation each


def expected_vs_sample_errors(
    b: int, n_computations: int, n_runs: int, *, rng: np.random.Generator
) -> ExpectedVsSample:
    """RMS error of an estimate of q(s, a) after 0..n_computations max-Q computations (Fig. 8.7).

    The setting of Figure 8.7: `b` equally likely next states whose values max_a' Q(s', a') are
    correct (drawn from N(0, 1)), so the true value is their mean; the initial estimate is off by
    1. An expected update uses `b` computations and leaves no error; sample updates with
    alpha = 1/t (a running mean of sampled next-state values) cost one computation each.
    Each curve has length `n_computations + 1`.
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
    samples = np.take_along_axis(
        values,
        random_indices(b, n_runs * n_computations, rng=rng).reshape(n_runs, n_computations),
        axis=1,
    )
    estimates = np.cumsum(samples, axis=1) / t
    rms_sample = np.sqrt(np.mean((estimates - q_true[:, None]) ** 2, axis=0))
    rms_sample = np.concatenate([[np.sqrt(np.mean(error0**2))], rms_sample])
    # The expected update finishes after b computations and is then exact.
    rms_expected = np.where(np.arange(n_computations + 1) < b, np.sqrt(np.mean(error0**2)), 0.0)
    return ExpectedVsSample(rms_expected, rms_sample)


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


@dataclass(frozen=True)
class ValueIteration:
    """What `value_iteration` returns: the values, the sweeps it took and the updates it made."""

    V: np.ndarray  # optimal state values V(s)
    Q: np.ndarray  # optimal action values Q(s, a) = sum p(s', r | s, a) [r + gamma V(s')]
    n_sweeps: int  # sweeps over every state until max |change| < theta
    n_updates: int  # expected updates made: n_sweeps * n_states * n_actions


def value_iteration(
    P,
    gamma: float,
    *,
    theta: float = 1e-8,
    max_sweeps: int = 100_000,
    in_place: bool = False,
) -> ValueIteration:
    """Optimal values of a model in `P[s][a]` format, by value iteration (section 4.4).

    V_{k+1}(s) = max_a sum_{s', r} p(s', r | s, a) [r + gamma V_k(s')],  until max_s |V_{k+1} - V_k|
    < theta; then Q(s, a) = sum p(s', r | s, a) [r + gamma V(s')].

    By default the sweeps are synchronous and vectorised over the listed outcomes (sparse: a maze
    costs O(states), not O(states^2)); most of the time goes into checking the model. With
    `in_place=True` they are the book's in-place sweeps (`value_iteration_sweep`: later states
    see the new values of earlier ones), which usually need fewer sweeps. With gamma = 1 values
    may grow without bound (a loop that collects reward or cost forever): after `max_sweeps`
    sweeps it raises a RuntimeError instead of looping forever.
    """
    gamma = validation.check_discount("gamma", gamma)
    theta = validation.check_float("theta", theta, low=0.0, low_open=True)
    max_sweeps = validation.check_int("max_sweeps", max_sweeps, low=1)
    if isinstance(P, TabularMDP):
        if in_place:
            raise TypeError("in_place=True sweeps a model in P[s][a] format, not a TabularMDP")
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

    n_states, n_actions = R.shape
    V = np.zeros(n_states)
    delta = np.inf
    for sweep in range(1, max_sweeps + 1):
        if in_place:
            delta = value_iteration_sweep(V, P, gamma)
        else:
            V_new = backup(V).max(axis=1)
            delta = float(np.max(np.abs(V_new - V)))
            V = V_new
        if not np.isfinite(delta):
            break
        if delta < theta:
            return ValueIteration(V, backup(V), sweep, sweep * n_states * n_actions)
    raise RuntimeError(
        f"value iteration did not converge: after {max_sweeps} sweeps the values still changed "
        f"by {delta:.3g} >= theta = {theta:g}. With gamma = {gamma:g}, values grow without bound "
        "where reward (or cost) can be collected forever without terminating; use gamma < 1, or "
        "check the model's terminal transitions."
    )


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
