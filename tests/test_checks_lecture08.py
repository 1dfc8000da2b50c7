"""The checks of lecture 08 pass the references and fail the typical mistakes."""

import dataclasses
import math
import time

import numpy as np
import pytest

from mbrl_helpers import planning
from mbrl_helpers.course import checks


def reference(P, gamma, theta):
    V = np.zeros(len(P))
    sweeps = 1
    while planning.value_iteration_sweep(V, P, gamma) >= theta:
        sweeps += 1
    T, R = planning.tabulate(P)
    return R + gamma * T @ V, sweeps * T.shape[0] * T.shape[1]


def counts_sweeps(P, gamma, theta):
    Q, updates = reference(P, gamma, theta)
    return Q, updates // Q.size


def forgets_last_sweep(P, gamma, theta):
    Q, updates = reference(P, gamma, theta)
    return Q, updates - Q.size


def returns_V(P, gamma, theta):
    Q, updates = reference(P, gamma, theta)
    return Q.max(axis=1), updates


def one_sweep(P, gamma, theta):
    V = np.zeros(len(P))
    planning.value_iteration_sweep(V, P, gamma)
    T, R = planning.tabulate(P)
    return R + gamma * T @ V, T.shape[0] * T.shape[1]


def synchronous(P, gamma, theta):
    T, R = planning.tabulate(P)
    V, sweeps = np.zeros(T.shape[0]), 0
    while True:
        V_new = (R + gamma * T @ V).max(axis=1)
        sweeps += 1
        if np.max(np.abs(V_new - V)) < theta:
            return R + gamma * T @ V_new, sweeps * R.size
        V = V_new


def writes_into_the_model(P, gamma, theta):
    for s in P:  # "the goal is absorbing": written into the model it was given
        for a in P[s]:
            P[s][a] = [(p, s2, r, done) for p, s2, r, done in P[s][a]]
        P[s][0] = list(P[s][0])
    P[0][0].append((0.0, 0, 0.0, False))
    return reference(P, gamma, theta)


def nan_in_a_row(P, gamma, theta):
    Q, updates = reference(P, gamma, theta)
    Q = Q.copy()
    Q[-1, -1] = np.nan  # a terminal state's row, left unset
    return Q, updates


def test_passes_the_reference():
    assert checks.evaluate("8.1", reference).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (counts_sweeps, "one update per (s, a) pair"),
        (forgets_last_sweep, "count it too"),
        (returns_V, "not V(s)"),
        (one_sweep, "sweep until Delta < theta"),
        (synchronous, "sweep in place"),
        (writes_into_the_model, "changed its input P"),
        (nan_in_a_row, "holds NaN values"),
        (lambda P, gamma, theta: None, "return Q, updates"),
    ],
)
def test_fails_typical_mistakes(wrong, words):
    result = checks.evaluate("8.1", wrong)
    assert result.status == checks.FAILED
    assert words in result.line, result.line


# --- 8.3 ---------------------------------------------------------------------------------------
def break_even(training_cost, cost_per_move_learned, cost_per_move_search, moves_per_game):
    saving = moves_per_game * (cost_per_move_search - cost_per_move_learned)
    if saving <= 0:
        return None
    return math.ceil(training_cost / saving)


def _guarded(formula):
    def wrong(training, learned, search, m):
        if search <= learned:
            return None
        return formula(training, learned, search, m)

    return wrong


BREAK_EVEN_MISTAKES = [
    (_guarded(lambda t, l, s, m: math.ceil(t / (m * s))), "the learned player also pays"),
    (_guarded(lambda t, l, s, m: math.ceil(t / (s - l))), "the costs are per move"),
    (_guarded(lambda t, l, s, m: math.floor(t / (m * (s - l)))), "round up"),
    (_guarded(lambda t, l, s, m: math.floor(t / (m * (s - l))) + 1), "not floor + 1"),
    (_guarded(lambda t, l, s, m: t / (m * (s - l))), "is a whole number"),
    (lambda t, l, s, m: math.inf if s <= l else break_even(t, l, s, m), "return None"),
    (lambda t, l, s, m: -1 if s <= l else break_even(t, l, s, m), "return None"),
    (lambda t, l, s, m: None if s <= l else float("nan"), "holds NaN values"),
    (lambda t, l, s, m: None, "does pay for itself"),
]


def test_break_even_reference_passes():
    assert checks.evaluate("8.3", break_even).passed


@pytest.mark.parametrize(
    ("wrong", "words"),
    BREAK_EVEN_MISTAKES,
    ids=[str(i) for i in range(len(BREAK_EVEN_MISTAKES))],
)
def test_break_even_fails_typical_mistakes(wrong, words):
    result = checks.evaluate("8.3", wrong)
    assert result.status == checks.FAILED
    assert words in result.line, result.line
    assert "np.float64" not in result.line


def _never_returns(*args, **kwargs):
    while True:
        pass


@pytest.mark.parametrize("exercise_id", ["8.1", "8.3"])
def test_a_function_that_never_returns_fails_within_the_limit(exercise_id, monkeypatch):
    checks.registered(8)
    entry = checks._REGISTRY[exercise_id]
    monkeypatch.setitem(checks._REGISTRY, exercise_id, dataclasses.replace(entry, time_limit=0.5))
    start = time.perf_counter()
    result = checks.evaluate(exercise_id, _never_returns)
    assert result.status == checks.FAILED
    assert "did not finish within 0.5 s" in result.line
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("exercise_id", ["8.1", "8.3"])
def test_not_implemented_is_reported(exercise_id):
    def todo(*args, **kwargs):
        raise NotImplementedError(exercise_id)

    assert checks.evaluate(exercise_id, todo).status == checks.NOT_IMPLEMENTED
