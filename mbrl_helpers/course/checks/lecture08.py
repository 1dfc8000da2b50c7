"""Checks for lecture 08, "The big picture"."""

from __future__ import annotations

import math

import gymnasium
import numpy as np

from mbrl_helpers import planning
from mbrl_helpers.course.checks import (
    CheckFailure,
    exercise,
    py,
    require_finite,
    require_unchanged,
    snapshot,
)

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
        P = snapshot(P)  # the student's own copy: the module's chain stays intact
        before = snapshot(P)
        result = student(P, gamma, 1e-6)
        require_unchanged("P", before, P, hint="the model is an input: read P[s][a], never "
                          "write into it")  # fmt: skip
        if not (isinstance(result, tuple) and len(result) == 2):
            raise CheckFailure(
                f"expected a pair (Q, updates), got {type(result).__name__}",
                "return Q, updates",
            )
        Q, updates = result
        Q = require_finite(f"Q on {name}", Q)
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
                f"on {name}: expected {expected_updates} updates, got {py(updates)}", hint
            )


# --- 8.3 when does planning ahead pay? --------------------------------------------------------
def reference_break_even(
    training_cost, cost_per_move_learned, cost_per_move_search, moves_per_game
):
    """The smallest whole number of games G with
    training + G m learned <= G m search, or None when the learned player is not cheaper."""
    saving = moves_per_game * (cost_per_move_search - cost_per_move_learned)
    if saving <= 0:
        return None
    return max(0, math.ceil(training_cost / saving - 1e-12))


BREAK_EVEN_CASES = [  # (training, learned per move, search per move, moves per game)
    (1.02, 0.00002, 0.0098, 4.5),  # CPU seconds: AlphaZero (network alone) against MCTS, 3000
    (96240, 0, 3000, 4.5),  # simulations
    (120, 2, 5, 3),
    (90, 1, 4, 5),  # divides exactly: 6 games pay
    (0, 1, 4, 5),  # nothing to pay back
    (10, 5, 5, 4),  # never
    (10, 6, 5, 4),  # never
]


def _break_even_mistakes(training, learned, search, m):
    with np.errstate(all="ignore"):
        return [
            (
                "learned cost forgotten",
                math.ceil(training / (m * search)) if search > 0 else None,
                "the learned player also pays for its moves: each game saves m (search - "
                "learned), not m search",
            ),
            (
                "moves forgotten",
                math.ceil(training / (search - learned)) if search > learned else None,
                "the costs are per move: a game of m moves saves m (search - learned)",
            ),
            (
                "rounded down",
                math.floor(training / (m * (search - learned))) if search > learned else None,
                "round up: after floor(...) games training has not quite paid for itself",
            ),
            (
                "one game too many",
                math.floor(training / (m * (search - learned))) + 1 if search > learned else None,
                "the smallest G with training + G m learned <= G m search: when the division is "
                "exact, that many games already pay (math.ceil, not floor + 1)",
            ),
        ]


@exercise("8.3", "when planning ahead pays for itself")
def check_break_even(student):
    answers = []
    for case in BREAK_EVEN_CASES:
        expected = reference_break_even(*case)
        got = student(*case)
        where = (
            f"training {case[0]}, per move {case[1]} (learned) and {case[2]} (search), "
            f"{case[3]} moves per game: expected {expected}, got {py(got)!r}"
        )
        if expected is None:
            if got is not None:
                raise CheckFailure(
                    where,
                    "when the learned player costs as much per move as the search or more, "
                    "training never pays for itself: return None (not infinity, 0 or a "
                    "negative number)",
                )
            continue
        if got is None:
            raise CheckFailure(where, "this training does pay for itself after some games")
        if isinstance(got, bool) or not isinstance(got, int | np.integer):
            value = float(require_finite("your number of games", got))
            if value != int(value):
                raise CheckFailure(
                    where, "a number of games is a whole number: the smallest G that pays"
                )
            got = int(value)
        answers.append((case, int(got), expected))
    wrong = [(case, got, expected) for case, got, expected in answers if got != expected]
    if wrong:
        fits = None
        for case, got, _ in answers:
            here = {name for name, value, _ in _break_even_mistakes(*case) if value == got}
            fits = here if fits is None else fits & here
        hints = [hint for name, _, hint in _break_even_mistakes(*wrong[0][0]) if name in fits]
        case, got, expected = wrong[0]
        raise CheckFailure(
            f"training {case[0]}, per move {case[1]} (learned) and {case[2]} (search), "
            f"{case[3]} moves per game: expected {expected} games, got {got}",
            " or: ".join(hints)
            if hints
            else "G = ceil(training / (m (search - learned))), the first whole number of games "
            "after which training plus the learned player's moves cost no more than the search's",
        )
