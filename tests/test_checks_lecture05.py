"""The checks of lecture 05 pass the reference solutions and catch the typical mistakes."""

from __future__ import annotations

import math
import random
import time

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


def simulate(game, root, evaluate, n_simulations, rng, c=mcts.C_UCT, backup=mcts.backup):
    for _ in range(n_simulations):
        path = mcts.select_path(game, root, mcts.ucb1, c, rng=rng)
        leaf = path[-1]
        if leaf.terminal:
            to_play = leaf.player
            value = leaf.returns[to_play]
        else:
            priors, value = evaluate(leaf.state)
            mcts.expand(game, leaf, priors)
            to_play = leaf.to_play
        backup(path, value, to_play)


REFERENCE = {
    "5.1": ucb1_score,
    "5.2": select_child,
    "5.3": expand,
    "5.4": backup,
    "5.5": best_action,
    "5.6": simulate,
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

    message = failure("5.4", wrong)
    assert "sign error" in message and "the same sign for every node" in message


def test_backup_with_the_flip_the_wrong_way_round_is_caught():
    def wrong(path, value, to_play):
        for node in path:
            node.N += 1
            node.W += -value if node.player == to_play else value

    message = failure("5.4", wrong)
    assert "sign error" in message and "+value and -value are swapped" in message


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


def test_alternating_flip_from_the_leaf_is_caught_at_a_terminal_leaf():
    def alternating(path, value, to_play):
        # right when to_play is to move at the leaf, wrong when to_play made the last move
        for node in reversed(path):
            value = -value
            node.N += 1
            node.W += value

    message = failure("5.4", alternating)
    assert "sign error" in message and "terminal leaf" in message
    assert "the leaf's edge -value" in message


def test_alternating_flip_that_starts_from_to_play_is_accepted():
    def alternating(path, value, to_play):
        value = value if path[-1].player == to_play else -value  # the leaf's edge first
        for node in reversed(path):
            node.N += 1
            node.W += value
            value = -value

    assert checks.evaluate("5.4", alternating).passed


def _by_depth(sign_of):
    """A backup whose sign depends only on the position i in a path of n nodes."""

    def backup(path, value, to_play):
        for i, node in enumerate(path):
            node.N += 1
            node.W += sign_of(i, len(path)) * value

    return backup


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (_by_depth(lambda i, n: (-1) ** (n - 1 - i)), "the leaf's edge +value"),
        (_by_depth(lambda i, n: -((-1) ** i)), "by depth from the root"),
        (_by_depth(lambda i, n: (-1) ** i), "by depth from the root"),
    ],
)
def test_sign_conventions_that_hold_for_one_parity_or_one_kind_of_leaf_are_caught(wrong, words):
    message = failure("5.4", wrong)
    assert "sign error" in message and words in message


def test_backup_from_x_view_is_caught():
    def wrong(path, value, to_play):
        for node in path:
            node.N += 1
            node.W += value if node.player == 0 else -value

    assert "not of X (player 0)" in failure("5.4", wrong)


def test_backup_changing_the_player_or_writing_nan_is_caught():
    def changes_player(path, value, to_play):
        backup(path, value, to_play)
        path[-1].player = to_play

    def nan(path, value, to_play):
        backup(path, value, to_play)
        path[0].W = math.nan

    assert "changed node.action or node.player" in failure("5.4", changes_player)
    assert "W along the path holds NaN values" in failure("5.4", nan)


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


# --- randomness from rng only, inputs left alone (5.2, 5.3, 5.5) ------------------------------
def _ties_with(choose):
    def select(node, c, rng):
        scores = [ucb1_score(ch.Q, node.N, ch.N, c) for ch in node.children]
        ties = [ch for ch, sc in zip(node.children, scores, strict=True) if sc == max(scores)]
        return choose(ties)

    return select


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (_ties_with(lambda ties: ties[np.random.randint(len(ties))]), "np.random.randint"),  # noqa: NPY002
        (_ties_with(lambda ties: random.choice(ties)), "random.choice"),
        (_ties_with(lambda ties: random.Random().choice(ties)), "with the same seed gave"),
        (
            _ties_with(
                lambda ties: ties[np.random.Generator(np.random.PCG64()).integers(len(ties))]
            ),
            "with the same seed gave",
        ),
    ],
)
def test_selection_must_draw_its_ties_from_rng(wrong, words):
    assert words in failure("5.2", wrong)


def test_selection_with_a_biased_tie_break_is_caught():
    # the first tied child four times in five: every tied child still comes up sometimes
    wrong = _ties_with(lambda ties: ties[0] if np.random.random() < 0.8 else ties[-1])  # noqa: NPY002

    def biased(node, c, rng):
        scores = [ucb1_score(ch.Q, node.N, ch.N, c) for ch in node.children]
        ties = [ch for ch, sc in zip(node.children, scores, strict=True) if sc == max(scores)]
        return ties[0] if rng.random() < 0.8 else ties[int(rng.integers(len(ties)))]

    assert "not with a preference for some of them" in failure("5.2", biased)
    assert "np.random.random" in failure("5.2", wrong)


def test_final_move_with_a_biased_tie_break_is_caught():
    def biased(root, rng):
        most = max(ch.N for ch in root.children)
        ties = [ch.action for ch in root.children if ch.N == most]
        return ties[0] if rng.random() < 0.75 else ties[-1]

    assert "not with a preference for some of them" in failure("5.5", biased)


def test_selection_that_changes_the_node_is_caught():
    def wrong(node, c, rng):
        child = select_child(node, c, rng)
        child.N += 1  # a visit counted during selection
        return child

    assert "changed its input node" in failure("5.2", wrong)


def test_expansion_that_renormalises_the_priors_in_place_is_caught():
    def wrong(game, node, priors):
        legal = list(game.legal_actions(node.state))
        priors[legal] /= priors[legal].sum()
        node.children = [mcts.Node(a, node.to_play, priors[a]) for a in legal]

    assert "changed its input priors" in failure("5.3", wrong)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (
            lambda root, rng: random.Random().choice(
                [ch.action for ch in root.children if ch.N == max(c.N for c in root.children)]
            ),
            "with the same seed gave",
        ),
        (
            lambda root, rng: np.random.choice(  # noqa: NPY002
                [ch.action for ch in root.children if ch.N == max(c.N for c in root.children)]
            ),
            "np.random.choice",
        ),
    ],
)
def test_final_move_must_draw_its_ties_from_rng(wrong, words):
    assert words in failure("5.5", wrong)


def test_final_move_that_changes_the_root_is_caught():
    def wrong(root, rng):
        a = best_action(root, rng)
        root.N = 0
        return a

    assert "changed its input root" in failure("5.5", wrong)


# --- 5.6 the simulation loop -----------------------------------------------------------------
def _loop(terminal=None, evaluated=None, after=None, select_c=None):
    """The reference loop with one step replaced, to plant one mistake at a time.

    terminal(leaf) -> (value, to_play) or None (skip the backup); evaluated(game, leaf, evaluate)
    -> (value, to_play) for a new leaf; after(backup, path, value, to_play) does the backup.
    """

    def loop(game, root, evaluate, n_simulations, rng, c=mcts.C_UCT, backup=mcts.backup):
        for _ in range(n_simulations):
            path = mcts.select_path(
                game, root, mcts.ucb1, c if select_c is None else select_c, rng=rng
            )
            leaf = path[-1]
            if leaf.terminal:
                if terminal is None:
                    value, to_play = leaf.returns[leaf.player], leaf.player
                else:
                    result = terminal(game, leaf, evaluate)
                    if result is None:
                        continue
                    value, to_play = result
            elif evaluated is None:
                priors, value = evaluate(leaf.state)
                mcts.expand(game, leaf, priors)
                to_play = leaf.to_play
            else:
                value, to_play = evaluated(game, leaf, evaluate)
            if after is None:
                backup(path, value, to_play)
            else:
                after(backup, path, value, to_play)

    return loop


def _evaluate_and_expand(game, leaf, evaluate):
    priors, value = evaluate(leaf.state)
    mcts.expand(game, leaf, priors)
    return value, game.current_player(leaf.state)


def _expand_uniform(game, leaf, evaluate):
    mcts.expand(game, leaf, dict.fromkeys(game.legal_actions(leaf.state), 1.0))  # none: raises
    return leaf.returns[leaf.player], leaf.player


def _evaluate_only(game, leaf, evaluate):
    _, value = evaluate(leaf.state)
    return value, game.current_player(leaf.state)


def _uniform_first(game, leaf, evaluate):
    legal = game.legal_actions(leaf.state)
    mcts.expand(game, leaf, dict.fromkeys(legal, 1 / len(legal)))  # expanded before evaluating
    _, value = evaluate(leaf.state)
    return value, leaf.to_play


def _new_root_loop(game, root, evaluate, n_simulations, rng, c=mcts.C_UCT, backup=mcts.backup):
    simulate(game, mcts.new_root(game, root.state), evaluate, n_simulations, rng, c, backup)


def _package_backup_loop(game, root, evaluate, n_simulations, rng, c=mcts.C_UCT, backup=None):
    simulate(game, root, evaluate, n_simulations, rng, c, mcts.backup)


def _own_rng_loop(game, root, evaluate, n_simulations, rng, c=mcts.C_UCT, backup=mcts.backup):
    simulate(game, root, evaluate, n_simulations, np.random.default_rng(), c, backup)


PLANTED_LOOPS = [
    (_loop(terminal=_evaluate_and_expand), "passed a finished game to the evaluator"),
    (_loop(terminal=_expand_uniform), "has no moves: do not evaluate or expand it"),
    (_loop(terminal=_evaluate_only), "passed a finished game to the evaluator"),
    (_loop(terminal=lambda game, leaf, evaluate: None), "also one that reached a terminal leaf"),
    (
        _loop(after=lambda backup, path, value, to_play: backup(path[1:], value, to_play)),
        "did not start at the root",
    ),
    (
        _loop(
            after=lambda backup, path, value, to_play: [
                backup(path, value, to_play) for _ in (1, 2)
            ]
        ),
        "call backup once",
    ),
    (
        _loop(
            evaluated=lambda game, leaf, ev: (_evaluate_and_expand(game, leaf, ev)[0], leaf.player)
        ),
        "with to_play = leaf.to_play, not leaf.player",
    ),
    (
        _loop(
            evaluated=lambda game, leaf, ev: (
                -_evaluate_and_expand(game, leaf, ev)[0],
                leaf.to_play,
            )
        ),
        "do not negate it",
    ),
    (
        _loop(terminal=lambda game, leaf, ev: (leaf.returns[0], leaf.player)),
        "you took X's outcome (returns[0])",
    ),
    (
        _loop(terminal=lambda game, leaf, ev: (leaf.returns[leaf.player], 1 - leaf.player)),
        "back it up with to_play = leaf.player",
    ),
    (
        _loop(terminal=lambda game, leaf, ev: (leaf.returns[leaf.to_play], leaf.to_play)),
        "nobody is to move (leaf.to_play is None)",
    ),
    (_loop(evaluated=_uniform_first), "expand the leaf with the priors the evaluator returned"),
    (_loop(select_c=mcts.C_UCT), "select with the c you were given"),
    (_new_root_loop, "searched from a root of its own"),
    (_package_backup_loop, "never called the backup function passed as `backup`"),
    (_own_rng_loop, "np.random.default_rng() without a seed"),
]


def test_the_package_loop_passes_as_the_loop():
    assert checks.evaluate("5.6", _loop()).passed


@pytest.mark.parametrize(("wrong", "words"), PLANTED_LOOPS)
def test_simulation_loop_mistakes_are_named(wrong, words):
    message = failure("5.6", wrong)
    assert words in message, message
    assert "np." not in message.replace("np.random.default_rng()", ""), message


def test_simulation_loop_with_a_private_seeded_generator_is_caught():
    def wrong(game, root, evaluate, n_simulations, rng, c=mcts.C_UCT, backup=mcts.backup):
        simulate(game, root, evaluate, n_simulations, np.random.default_rng(123), c, backup)

    assert "your tree differs from mcts.search's with the same seed" in failure("5.6", wrong)


# --- every check of the lecture stops a student function that never returns ------------------
@pytest.mark.parametrize("exercise_id", sorted(REFERENCE))
def test_a_function_that_never_returns_fails_within_the_time_limit(exercise_id):
    checks.registered(5)

    def endless(*args, **kwargs):
        while True:
            pass

    start = time.perf_counter()
    result = checks.evaluate(exercise_id, endless, time_limit=0.5)
    assert time.perf_counter() - start < 3.0
    assert result.status == checks.FAILED and "did not finish within 0.5 s" in result.message
