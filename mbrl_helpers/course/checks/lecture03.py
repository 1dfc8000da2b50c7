"""Checks for lecture 03, "Planning methods" (Sutton & Barto 4.4, 8.1, 8.4, 8.5).

Models are in Gymnasium's format `P[s][a] = [(prob, s_next, r, terminated), ...]`; `Q` is a
numpy array `(n_states, n_actions)` and `V` one of shape `(n_states,)`.

- 3.1 `expected_update(Q, P, s, a, gamma)`: the expected update of Q[s, a], in place;
- 3.2 `q_planning_step(Q, P, s, a, alpha, gamma, rng)`: a sample update on a transition drawn
  from the distribution model (random-sample one-step tabular Q-planning, section 8.1);
- 3.3 `value_iteration_sweep(V, P, gamma) -> delta`: one in-place sweep of value iteration;
- 3.4 `push_predecessors(Q, queue, predecessors, model, s, gamma, theta)` (`model` a
  `models.DeterministicModel`: `model.transitions[s][a] = (r, s_next, terminated)`): the inner loop of
  prioritized sweeping that queues the predecessors of s (section 8.4).

The `reference_*` functions are the solutions the checks compare against.
"""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers.course.checks import CheckFailure, exercise
from mbrl_helpers.models import DeterministicModel
from mbrl_helpers.planning import expected_update as reference_expected_update
from mbrl_helpers.planning import sample_transition, sample_update
from mbrl_helpers.planning import value_iteration_sweep as reference_value_iteration_sweep
from mbrl_helpers.planning.prioritized_sweeping import PriorityQueue
from mbrl_helpers.planning.prioritized_sweeping import (
    push_predecessors as reference_push_predecessors,
)

__all__ = [
    "reference_expected_update",
    "reference_push_predecessors",
    "reference_q_planning_step",
    "reference_value_iteration_sweep",
]


def reference_q_planning_step(Q, P, s, a, alpha, gamma, rng):
    """R, S' <- a sample of Model(S, A); Q(S, A) += alpha [R + gamma max Q(S', .) - Q(S, A)]."""
    r, s_next, terminated = sample_transition(P, s, a, rng=rng)
    sample_update(Q, s, a, r, s_next, terminated, alpha, gamma)


# A small stochastic model: from (0, 0) three outcomes, one of them terminating into state 3,
# whose (meaningless) Q values are non-zero so that bootstrapping from it shows.
_P = {
    0: {
        0: [(0.5, 1, 1.0, False), (0.3, 2, 0.0, False), (0.2, 3, 2.0, True)],
        1: [(1.0, 0, 0.0, False)],
    },
    1: {0: [(1.0, 2, 0.0, False)], 1: [(0.6, 0, 0.5, False), (0.4, 3, 1.0, True)]},
    2: {0: [(1.0, 3, 3.0, True)], 1: [(0.25, 1, 0.0, False), (0.75, 2, -1.0, False)]},
    3: {0: [(1.0, 3, 0.0, True)], 1: [(1.0, 3, 0.0, True)]},
}


def _q_table() -> np.ndarray:
    return np.array([[0.2, -0.1], [0.4, 1.5], [2.0, 0.7], [5.0, 4.0]])


def _changed_only(Q, before, s, a, name):
    changed = [tuple(int(i) for i in ix) for ix in np.argwhere(Q != before)]
    if not changed:
        raise CheckFailure(
            f"Q did not change for {name}",
            "update Q in place (Q[s, a] = ...); the check looks at the array you were given",
        )
    if changed != [(s, a)]:
        raise CheckFailure(
            f"for {name} only Q[{s}, {a}] should change, but {changed} changed",
            "an update touches the one entry Q[s, a]",
        )


# -- 3.1 ---------------------------------------------------------------------------------------


def _weighted(transitions, weights, value) -> float:
    return sum(w * value(s2, r, t) for w, (_, s2, r, t) in zip(weights, transitions, strict=True))


def _wrong_expected_updates(Q, transitions, a, gamma) -> dict[str, float]:
    """What the typical mistakes make of the expected update, from the table Q before it."""
    probs = [p for p, *_ in transitions]
    uniform = [1 / len(transitions)] * len(transitions)
    ones = [1.0] * len(transitions)

    def right(s2, r, t):
        return r if t else r + gamma * Q[s2].max()

    return {
        "bootstrap": _weighted(transitions, probs, lambda s2, r, t: r + gamma * Q[s2].max()),
        "uniform": _weighted(transitions, uniform, right),
        "taken": _weighted(transitions, probs, lambda s2, r, t: r if t else r + gamma * Q[s2, a]),
        "mean": _weighted(
            transitions, probs, lambda s2, r, t: r if t else r + gamma * Q[s2].mean()
        ),
        "no_gamma": _weighted(transitions, probs, lambda s2, r, t: r if t else r + Q[s2].max()),
        "sum": _weighted(transitions, ones, right),
    }


@exercise("3.1", "the expected update of Q(s, a)")
def check_expected_update(student):
    gamma = 0.9
    for s, a in [(0, 0), (1, 1), (2, 1), (2, 0)]:
        Q = _q_table()
        before = Q.copy()
        student(Q, _P, s, a, gamma)
        name = f"(s={s}, a={a})"
        _changed_only(Q, before, s, a, name)
        expected = before.copy()
        reference_expected_update(expected, _P, s, a, gamma)
        got, want = float(Q[s, a]), float(expected[s, a])
        if math.isclose(got, want, abs_tol=1e-9):
            continue
        wrong = _wrong_expected_updates(before, _P[s][a], a, gamma)
        hints = {
            "bootstrap": "a terminating transition has no future: its term is just r, "
            "never r + gamma max Q(s', .)",
            "uniform": "weight each outcome by its probability p(s', r | s, a), the first entry "
            "of each tuple",
            "taken": "bootstrap from max_a' Q(s', a'), the best action in s'",
            "mean": "bootstrap from the max over actions in s', not their mean",
            "no_gamma": "discount the value of s' by gamma",
            "sum": "weight each outcome by its probability p(s', r | s, a)",
        }
        for key, value in wrong.items():
            if math.isclose(got, value, abs_tol=1e-9):
                raise CheckFailure(f"Q[{s}, {a}]: expected {want:.4f}, got {got:.4f}", hints[key])
        raise CheckFailure(
            f"Q[{s}, {a}]: expected {want:.4f}, got {got:.4f}",
            "Q(s, a) <- sum over (p, s', r, terminated) of p [r + gamma max_a' Q(s', a')], "
            "without the max term when terminated",
        )


# -- 3.2 ---------------------------------------------------------------------------------------

# (0, 0) leads to state 1 with probability 0.8 (target 0 + 0.9 * 2.0 = 1.8) or terminates into
# state 2 with probability 0.2 (target 1.0; bootstrapping from Q[2] would give 3.7).
_P_SAMPLE = {
    0: {0: [(0.8, 1, 0.0, False), (0.2, 2, 1.0, True)], 1: [(1.0, 0, 0.0, False)]},
    1: {0: [(1.0, 1, 0.0, False)], 1: [(1.0, 1, 0.0, False)]},
    2: {0: [(1.0, 2, 0.0, True)], 1: [(1.0, 2, 0.0, True)]},
}
_N_SAMPLES = 2000


def _sample_targets(student, alpha, seed):
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(_N_SAMPLES):
        Q = np.array([[0.2, 0.0], [0.5, 2.0], [3.0, 0.0]])
        before = Q.copy()
        student(Q, _P_SAMPLE, 0, 0, alpha, 0.9, rng=rng)
        if len(results) == 0:
            _changed_only(Q, before, 0, 0, "(s=0, a=0)")
        results.append(float(Q[0, 0]))
    return np.array(results)


@exercise("3.2", "a sample update on a transition drawn from the model")
def check_q_planning_step(student):
    for alpha in (1.0, 0.5):
        got = _sample_targets(student, alpha, seed=3)
        outcomes = {0.2 + alpha * (1.8 - 0.2): "s'=1", 0.2 + alpha * (1.0 - 0.2): "terminal"}
        expected_value = 0.8 * 1.8 + 0.2 * 1.0
        known = np.zeros(len(got), dtype=bool)
        for value in outcomes:
            known |= np.isclose(got, value)
        if not known.all():
            bad = float(got[~known][0])
            if math.isclose(bad, 0.2 + alpha * (1.0 + 0.9 * 3.0 - 0.2)):
                hint = "a terminating transition has no future: the target is just R"
            elif math.isclose(bad, 0.2 + alpha * (expected_value - 0.2)):
                hint = (
                    "that is the expected update: draw ONE outcome (with its probability) "
                    "and update towards its target alone"
                )
            elif math.isclose(bad, 1.8) or math.isclose(bad, 1.0):
                hint = "move Q(S, A) only a step alpha towards the target"
            else:
                hint = "Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)]"
            raise CheckFailure(
                f"with alpha = {alpha}, Q[0, 0] became {bad:.4f}, which is no sample "
                f"update's result (expected {' or '.join(f'{v:.2f}' for v in outcomes)})",
                hint,
            )
        frequency = float(np.mean(np.isclose(got, 0.2 + alpha * (1.8 - 0.2))))
        if abs(frequency - 0.8) > 0.05:
            hint = "sample the outcome with its probability p (e.g. rng.choice(n, p=probs))"
            if abs(frequency - 0.5) <= 0.05:
                hint = "you chose among the outcomes uniformly: " + hint
            elif frequency in (0.0, 1.0):
                hint = (
                    "every update drew the same outcome: sample the outcome with its "
                    "probability, with the rng you were given (a new generator in each call "
                    "repeats the same number)"
                )
            raise CheckFailure(
                f"the outcome with probability 0.8 was drawn in {frequency:.0%} of "
                f"{_N_SAMPLES} updates",
                hint,
            )
    again = _sample_targets(student, 1.0, seed=3)
    if not np.array_equal(again, _sample_targets(student, 1.0, seed=3)):
        raise CheckFailure(
            "two runs with the same seeded rng gave different samples",
            "draw every random number from the rng you were given, never from np.random",
        )
    if np.array_equal(again, _sample_targets(student, 1.0, seed=4)):
        raise CheckFailure(
            "two runs with differently seeded rngs gave the same samples",
            "draw the outcome with the rng you were given",
        )


# -- 3.3 ---------------------------------------------------------------------------------------

# A chain listed backwards: state 0 terminates with reward 1, state k moves to k - 1. Sweeping
# 0, 1, 2, 3 in place, each state already sees its successor's new value.
_CHAIN = {
    s: {0: [(1.0, s - 1, 0.0, False)] if s else [(1.0, 0, 1.0, True)], 1: [(1.0, s, 0.0, False)]}
    for s in range(4)
}


def _sweep(student, V, P, gamma, name):
    before = V.copy()
    delta = student(V, P, gamma)
    expected_V = before.copy()
    expected_delta = reference_value_iteration_sweep(expected_V, P, gamma)
    if np.array_equal(V, before) and not np.array_equal(expected_V, before):
        raise CheckFailure(
            f"V did not change in {name}",
            "update V in place (V[s] = ...); the check looks at the array you were given",
        )
    return before, delta, expected_V, expected_delta


def _check_delta(delta, expected_delta, name):
    if delta is None:
        raise CheckFailure("your sweep returned None", "return Delta = max over s of |v - V(s)|")
    if not math.isclose(float(delta), expected_delta, abs_tol=1e-9):
        hint = "Delta = max over states of |old V(s) - new V(s)|"
        if float(delta) <= 0.0:
            hint = "take the absolute value of each change: values can go down as well as up"
        raise CheckFailure(
            f"after {name}, expected Delta = {expected_delta:.4f}, got {float(delta):.4f}", hint
        )


@exercise("3.3", "one in-place sweep of value iteration")
def check_value_iteration_sweep(student):
    gamma = 0.9
    # (1) in place: later states see the new values of earlier ones
    V = np.zeros(4)
    before, delta, expected_V, expected_delta = _sweep(
        student, V, _CHAIN, gamma, "a sweep of the chain"
    )
    if not np.allclose(V, expected_V):
        hint = "V(s) <- max_a sum p [r + gamma V(s')] for each state in turn"
        synchronous = np.array([1.0, 0.0, 0.0, 0.0])
        if np.allclose(V, synchronous):
            hint = (
                "you used the old V for every state (a copy made before the sweep); the sweep "
                "is in place: write V[s] at once, so later states use the new values"
            )
        raise CheckFailure(
            f"after one sweep of a 4-state chain from V = 0: expected V = "
            f"{np.round(expected_V, 4).tolist()}, got {np.round(V, 4).tolist()}",
            hint,
        )
    _check_delta(delta, expected_delta, "a sweep in which V rises from 0")
    # (2) terminal transitions: never bootstrap from the state they land in
    V = np.array([0.0, 0.0, 0.0, 10.0])
    P = {
        0: {0: [(0.5, 3, 1.0, True), (0.5, 1, 0.0, False)], 1: [(1.0, 0, 0.0, False)]},
        1: {0: [(1.0, 3, 2.0, True)], 1: [(1.0, 0, 0.0, False)]},
        2: {0: [(1.0, 2, 0.0, False)], 1: [(1.0, 1, -1.0, False)]},
        3: {0: [(1.0, 3, 0.0, True)], 1: [(1.0, 3, 0.0, True)]},
    }
    before, delta, expected_V, expected_delta = _sweep(
        student, V, P, gamma, "a sweep with terminal transitions"
    )
    if not np.allclose(V, expected_V):
        hint = "V(s) <- max_a sum_{s', r} p(s', r | s, a) [r + gamma V(s')]"
        if V[1] > expected_V[1] + 1.0:
            hint = (
                "a terminating transition has no future: its term is just r, even if V of the "
                "state it lands in is not zero"
            )
        raise CheckFailure(
            f"expected V = {np.round(expected_V, 4).tolist()}, got {np.round(V, 4).tolist()}",
            hint,
        )
    # (3) Delta: the largest absolute change, returned
    V = np.full(4, 5.0)  # the values fall: every change is negative
    _, delta, expected_V, expected_delta = _sweep(student, V, _CHAIN, gamma, "a sweep from V = 5")
    _check_delta(delta, expected_delta, "a sweep in which V falls from 5")
    # (4) stochastic outcomes weighted by their probabilities (FrozenLake-like)
    V = np.linspace(-1.0, 1.0, 4)
    _, delta, expected_V, expected_delta = _sweep(student, V, _P, gamma, "a stochastic sweep")
    if not np.allclose(V, expected_V):
        raise CheckFailure(
            f"on a stochastic model expected V = {np.round(expected_V, 4).tolist()}, "
            f"got {np.round(V, 4).tolist()}",
            "weight each outcome by its probability p(s', r | s, a) and take the max over actions",
        )


# -- 3.4 ---------------------------------------------------------------------------------------

_GAMMA, _THETA = 0.5, 1e-4


def _ps_case():
    Q = np.zeros((6, 2))
    Q[3] = [2.0, 1.0]  # the state just updated: max_a Q(3, a) = 2
    Q[0, 0] = 5.0  # overestimated: |0 + 0.5 * 2 - 5| = 4
    Q[1, 1] = 1.0 - 1e-6  # almost right: |1 - (1 - 1e-6)| = 1e-6 <= theta, not queued
    Q[4] = [0.25, 9.0]  # (4, 0) underestimated: |0.5 + 1 - 0.25| = 1.25
    model = DeterministicModel(n_actions=2)
    model.update(0, 0, 0.0, 3, False)
    model.update(1, 1, 0.0, 3, False)
    model.update(2, 0, 0.3, 3, True)  # terminates on arrival in 3: priority |0.3 - 0| = 0.3
    model.update(4, 0, 0.5, 3, False)
    model.update(4, 1, 0.0, 5, False)  # leads elsewhere
    predecessors = {3: {(0, 0): None, (1, 1): None, (2, 0): None, (4, 0): None}, 5: {(4, 1): None}}
    queue = PriorityQueue()
    queue.push((5, 0), 0.7)  # already queued: must stay
    return Q, queue, predecessors, model


@exercise("3.4", "prioritized sweeping: queue the predecessors of s")
def check_push_predecessors(student):
    Q, queue, predecessors, model = _ps_case()
    Q_before = Q.copy()
    student(Q, queue, predecessors, model, 3, _GAMMA, _THETA)
    Q_ref, expected_queue, predecessors_ref, model_ref = _ps_case()
    reference_push_predecessors(
        Q_ref, expected_queue, predecessors_ref, model_ref, 3, _GAMMA, _THETA
    )
    got, want = queue.items(), expected_queue.items()
    if not np.array_equal(Q, Q_before):
        raise CheckFailure(
            "Q changed: this step only computes priorities and queues pairs",
            "the update of Q(S, A) happens before; here only queue.push(...)",
        )

    def show(items):
        return "{" + ", ".join(f"{k}: {v:.4g}" for k, v in sorted(items.items())) + "}"

    if got == want or (set(got) == set(want) and all(math.isclose(got[k], want[k]) for k in want)):
        return
    message = f"expected the queue {show(want)}, got {show(got)}"
    if (5, 0) not in got:
        hint = "keep what is already queued: only push, never empty or rebuild the queue"
    elif any(p < 0 for p in got.values()) or ((0, 0) not in got):
        hint = (
            "the priority is the absolute value |R_bar + gamma max_a Q(S, a) - Q(S_bar, A_bar)|: "
            "an overestimated value needs an update as much as an underestimated one"
        )
    elif (4, 0) in got and math.isclose(got[(4, 0)], abs(0.5 + _GAMMA * 9.0 - 0.25)):
        hint = "bootstrap from max_a Q(S, a) of the state S that was just updated, not of S_bar"
    elif (1, 1) in got:
        hint = "only queue a pair whose priority exceeds theta (P > theta)"
    elif (2, 0) in got and math.isclose(got[(2, 0)], abs(0.3 + _GAMMA * 2.0)):
        hint = "a predecessor whose transition terminates has no future: its target is just R_bar"
    elif (4, 1) in got:
        hint = "loop over predecessors[s] only: the pairs predicted to lead to S"
    elif (3, 0) in got or (3, 1) in got:
        hint = "queue the predecessors S_bar, A_bar of S, not S itself"
    else:
        hint = "P <- |R_bar + gamma max_a Q(S, a) - Q(S_bar, A_bar)|; if P > theta, push it"
    raise CheckFailure(message, hint)
