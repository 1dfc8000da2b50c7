"""Checks for lecture 08, "The big picture"."""

from __future__ import annotations

import gymnasium
import numpy as np

from mbrl_helpers import planning
from mbrl_helpers.course.checks import CheckFailure, exercise

# A 3-state chain: 0 -> 1 -> 2 (terminal step from 1, reward 1); action 1 stays put.
_CHAIN = {
    0: {0: [(1.0, 1, 0.0, False)], 1: [(1.0, 0, 0.0, False)]},
    1: {0: [(1.0, 2, 1.0, True)], 1: [(1.0, 1, 0.0, False)]},
    2: {0: [(1.0, 2, 0.0, False)], 1: [(1.0, 2, 0.0, False)]},
}


@exercise("8.1", "plan on a model and count the computation")
def check_plan_and_count(student):
    lake = gymnasium.make("FrozenLake-v1").unwrapped.P
    for name, P, gamma in [("a 3-state chain", _CHAIN, 0.9), ("FrozenLake", lake, 0.95)]:
        reference = planning.value_iteration(P, gamma, theta=1e-6, in_place=True)
        expected_Q, expected_updates = reference.Q, reference.n_updates
        result = student(P, gamma, 1e-6)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise CheckFailure(f"expected a pair (Q, updates), got {type(result).__name__}")
        Q, updates = result
        Q = np.asarray(Q, dtype=float)
        if Q.shape != expected_Q.shape:
            hint = (
                "return Q(s, a) for every pair, not V(s)"
                if Q.shape == expected_Q.shape[:1]
                else None
            )
            raise CheckFailure(
                f"on {name}: Q must have shape {expected_Q.shape}, got {Q.shape}", hint
            )
        if not np.allclose(Q, expected_Q, atol=1e-4):
            s, a = np.unravel_index(np.argmax(np.abs(Q - expected_Q)), Q.shape)
            raise CheckFailure(
                f"on {name}: expected Q[{s}, {a}] = {expected_Q[s, a]:.4f}, got {Q[s, a]:.4f}",
                "sweep until Delta < theta, then Q = R + gamma * T @ V (planning.tabulate gives T, R)",
            )
        n_pairs = Q.size
        if int(updates) != expected_updates:
            if int(updates) == planning.value_iteration(P, gamma, theta=1e-6).n_updates:
                hint = "sweep in place with planning.value_iteration_sweep (later states see new values)"
            elif int(updates) * n_pairs == expected_updates:
                hint = "count one update per (s, a) pair in every sweep: sweeps * |S| * |A|"
            elif int(updates) == expected_updates - n_pairs:
                hint = "the sweep that found Delta < theta also did work: count it too"
            else:
                hint = "count |S| * |A| updates per sweep, for every sweep you ran"
            raise CheckFailure(
                f"on {name}: expected {expected_updates} updates, got {updates}", hint
            )
