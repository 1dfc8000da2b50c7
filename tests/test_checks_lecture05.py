"""The checks of lecture 05 pass the reference solutions and catch the typical mistakes."""

from __future__ import annotations

import math

import numpy as np
import pytest

# --- reference solutions (as in solutions/05_mcts.ipynb) ------------------------------------
from mbrl_helpers import mcts
from mbrl_helpers.course import checks


def ucb1_score(Q, N_parent, N_child, c):
    if N_child == 0:
        return math.inf
    return Q + c * math.sqrt(math.log(N_parent) / N_child)


def select_child(node, c, rng):
    scores = [ucb1_score(ch.Q, node.N, ch.N, c) for ch in node.children]
    best = max(scores)
    ties = [ch for ch, score in zip(node.children, scores, strict=True) if score == best]
    return ties[rng.integers(len(ties))]


def expand(game, node, priors):
    legal = game.legal_actions(node.state)
    total = sum(priors[a] for a in legal)
    node.children = [mcts.Node(a, node.to_play, priors[a] / total) for a in legal]


def backup(path, value, to_play):
    for node in path:
        node.N += 1
        node.W += value if node.player == to_play else -value


def best_action(root, rng):
    most = max(ch.N for ch in root.children)
    ties = [ch.action for ch in root.children if ch.N == most]
    return ties[rng.integers(len(ties))]


REFERENCE = {
    "5.1": ucb1_score,
    "5.2": select_child,
    "5.3": expand,
    "5.4": backup,
    "5.5": best_action,
}


@pytest.mark.parametrize("exercise_id", sorted(REFERENCE))
def test_reference_passes(exercise_id):
    result = checks.evaluate(exercise_id, REFERENCE[exercise_id])
    assert result.passed, result.line


@pytest.mark.parametrize(
    ("exercise_id", "library_fn"),
    [("5.1", mcts.ucb1_score), ("5.2", mcts.ucb1), ("5.4", mcts.backup), ("5.5", mcts.best_action)],
)
def test_the_library_functions_pass_too(exercise_id, library_fn):
    # (mcts.expand takes priors over the legal actions only, unlike exercise 5.3's.)
    assert checks.evaluate(exercise_id, library_fn).passed


def test_not_implemented_is_reported():
    def todo(*args, **kwargs):
        raise NotImplementedError("Exercise 5.1")

    assert checks.evaluate("5.1", todo).status == checks.NOT_IMPLEMENTED


def failure(exercise_id, fn):
    result = checks.evaluate(exercise_id, fn)
    assert result.status == checks.FAILED, result.line
    return result.message + " | " + (result.hint or "")


# --- 5.1 UCB1 score --------------------------------------------------------------------------
def test_ucb1_division_by_zero_is_caught():
    def wrong(Q, N_parent, N_child, c):
        return Q + c * math.sqrt(math.log(N_parent) / N_child)

    assert "unvisited child (N(s,a) = 0) your function raised ZeroDivisionError" in failure(
        "5.1", wrong
    )


def test_ucb1_zero_instead_of_inf_for_unvisited_is_caught():
    def wrong(Q, N_parent, N_child, c):
        return Q + c * math.sqrt(math.log(N_parent) / max(N_child, 1)) if N_child else 0.0

    assert "expected inf, got 0.0" in failure("5.1", wrong)


def test_ucb1_log_of_the_childs_count_is_caught():
    def wrong(Q, N_parent, N_child, c):
        return math.inf if N_child == 0 else Q + c * math.sqrt(math.log(N_child) / N_child)

    assert "ln of the child's count" in failure("5.1", wrong)


def test_ucb1_without_exploration_is_caught():
    def wrong(Q, N_parent, N_child, c):
        return math.inf if N_child == 0 else Q

    assert "no exploration bonus" in failure("5.1", wrong)


def test_ucb1_other_formula_errors_are_reported_with_the_expected_value():
    def wrong(Q, N_parent, N_child, c):  # forgot the square root
        return math.inf if N_child == 0 else Q + c * math.log(N_parent) / N_child

    message = failure("5.1", wrong)
    assert "expected 1.4384, got 1.2954" in message and "sqrt" in message


# --- 5.2 selection ---------------------------------------------------------------------------
def test_select_ties_toward_the_first_child_are_caught():
    def wrong(node, c, rng):
        scores = [ucb1_score(ch.Q, node.N, ch.N, c) for ch in node.children]
        return node.children[int(np.argmax(scores))]

    assert "always chose [1]" in failure("5.2", wrong)


def test_select_greedy_on_q_is_caught():
    def wrong(node, c, rng):
        unvisited = [ch for ch in node.children if ch.N == 0]
        if unvisited:
            return unvisited[rng.integers(len(unvisited))]
        best = max(ch.Q for ch in node.children)
        ties = [ch for ch in node.children if ch.Q == best]
        return ties[rng.integers(len(ties))]

    assert "that is the child with the highest Q" in failure("5.2", wrong)


def test_select_with_the_childs_log_is_caught():
    def wrong(node, c, rng):
        def score(ch):
            return math.inf if ch.N == 0 else ch.Q + c * math.sqrt(math.log(ch.N) / ch.N)

        scores = [score(ch) for ch in node.children]
        ties = [ch for ch, s in zip(node.children, scores, strict=True) if s == max(scores)]
        return ties[rng.integers(len(ties))]

    assert "expected child 1, got 2 | that is what ln of the child's count gives" in failure(
        "5.2", wrong
    )


def test_select_returning_an_action_is_caught():
    def wrong(node, c, rng):
        return select_child(node, c, rng).action

    assert "must return one of node.children" in failure("5.2", wrong)


def test_select_that_skips_unvisited_children_is_caught():
    def wrong(node, c, rng):
        visited = [ch for ch in node.children if ch.N > 0]
        return max(visited, key=lambda ch: ucb1_score(ch.Q, node.N, ch.N, c))

    assert "you chose a visited child" in failure("5.2", wrong)


# --- 5.3 expansion ---------------------------------------------------------------------------
def test_expand_with_illegal_children_is_caught():
    def wrong(game, node, priors):
        node.children = [mcts.Node(a, node.to_play, priors[a]) for a in range(9)]

    assert "cells [0, 1, 4, 8] are taken" in failure("5.3", wrong)


def test_expand_without_renormalising_is_caught():
    def wrong(game, node, priors):
        node.children = [
            mcts.Node(a, node.to_play, priors[a]) for a in game.legal_actions(node.state)
        ]

    message = failure("5.3", wrong)
    assert "divide by their sum" in message
    assert "np.float64" not in message and "got 0.1" in message  # numpy scalars as plain numbers


def test_messages_show_numpy_scalars_as_plain_numbers():
    def wrong_player(game, node, priors):
        expand(game, node, priors)
        for child in node.children:
            child.player = np.int64(1 - node.to_play)

    def first_of_ties(root, rng):
        return np.int64(max(root.children, key=lambda ch: ch.N).action)

    for message in (failure("5.3", wrong_player), failure("5.5", first_of_ties)):
        assert "np." not in message, message


def test_expand_with_the_wrong_player_is_caught():
    def wrong(game, node, priors):
        expand(game, node, priors)
        for child in node.children:
            child.player = 1 - node.to_play

    assert "expected player = 0 (who chooses a" in failure("5.3", wrong)


def test_expand_touching_the_nodes_statistics_is_caught():
    def wrong(game, node, priors):
        expand(game, node, priors)
        node.N += 1

    assert "must not change the node's own statistics" in failure("5.3", wrong)


# --- 5.4 backup ------------------------------------------------------------------------------
def test_backup_without_the_sign_flip_is_caught():
    def wrong(path, value, to_play):
        for node in path:
            node.N += 1
            node.W += value

    assert "sign error" in failure("5.4", wrong)


def test_backup_with_the_flip_the_wrong_way_round_is_caught():
    def wrong(path, value, to_play):
        for node in path:
            node.N += 1
            node.W += -value if node.player == to_play else value

    assert "sign error" in failure("5.4", wrong)


def test_backup_skipping_the_root_is_caught():
    def wrong(path, value, to_play):
        backup(path[1:], value, to_play)

    assert "every node on the path, the root and the leaf included" in failure("5.4", wrong)


def test_backup_overwriting_w_is_caught():
    def wrong(path, value, to_play):
        for node in path:
            node.N += 1
            node.W = value if node.player == to_play else -value

    assert "accumulate, do not overwrite" in failure("5.4", wrong)


def test_alternating_flip_from_the_leaf_is_accepted():
    def alternating(path, value, to_play):
        # value is for to_play, the player to move at the leaf; the leaf's edge belongs to the other
        for node in reversed(path):
            value = -value
            node.N += 1
            node.W += value

    assert checks.evaluate("5.4", alternating).passed


# --- 5.5 the move to play --------------------------------------------------------------------
def test_final_move_by_q_is_caught():
    def wrong(root, rng):
        return max(root.children, key=lambda ch: ch.Q).action

    assert "the highest Q" in failure("5.5", wrong)


def test_final_move_ties_toward_the_first_are_caught():
    def wrong(root, rng):
        return max(root.children, key=lambda ch: ch.N).action

    assert "you chose [1]" in failure("5.5", wrong)


def test_final_move_returning_a_node_is_caught():
    def wrong(root, rng):
        return max(root.children, key=lambda ch: ch.N)

    assert "got a Node" in failure("5.5", wrong)
