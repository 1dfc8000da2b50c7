"""The check of lecture 08 passes the reference and fails the typical mistakes."""

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
        (lambda P, gamma, theta: None, None),
    ],
)
def test_fails_typical_mistakes(wrong, words):
    result = checks.evaluate("8.1", wrong)
    assert result.status == checks.FAILED
    if words:
        assert words in (result.hint or "")
