"""Tests of mbrl_helpers.mcts: the four steps, the search, the player, and the contract."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mbrl_helpers import games, mcts
from mbrl_helpers.mcts import Node


class Nim:
    """A private test game: take 1 or 2 stones, whoever takes the last stone wins.

    Piles that are multiples of 3 are lost for the player to move. It has no `random_playout`,
    so it exercises the generic rollout path. State: (stones, player to move).
    """

    def __init__(self, stones: int = 7):
        self.stones = stones

    def initial_state(self):
        return (self.stones, 0)

    def current_player(self, state):
        return state[1]

    def legal_actions(self, state):
        return tuple(a for a in (1, 2) if a <= state[0])

    def next_state(self, state, action):
        if action not in self.legal_actions(state):
            raise ValueError(f"illegal action {action}")
        return (state[0] - action, 1 - state[1])

    def is_terminal(self, state):
        return state[0] == 0

    def returns(self, state):
        winner = 1 - state[1]  # the player who took the last stone
        return (1, -1) if winner == 0 else (-1, 1)


def node_with_children(N_parent, stats, player=0):
    """A parent with N = N_parent and children (action i) with the given (N, W) pairs."""
    parent = Node(None, 1 - player)
    parent.to_play = player
    parent.N = N_parent
    for i, (n, w) in enumerate(stats):
        child = Node(i, player, 1.0 / len(stats))
        child.N, child.W = n, w
        parent.children.append(child)
    return parent


TTT = games.TicTacToe()


# --- selection ------------------------------------------------------------------------------
def test_ucb1_score_matches_the_notes_formula():
    assert mcts.ucb1_score(0.5, 100, 10, 2.0) == pytest.approx(
        0.5 + 2.0 * math.sqrt(math.log(100) / 10)
    )
    assert mcts.ucb1_score(0.5, 100, 0, 2.0) == math.inf


def test_ucb1_picks_unvisited_children_first_at_random():
    node = node_with_children(10, [(5, 5.0), (0, 0.0), (4, 4.0), (0, 0.0)])
    chosen = {mcts.ucb1(node, 1.0, rng=np.random.default_rng(seed)).action for seed in range(40)}
    assert chosen == {1, 3}


def test_ucb1_uses_the_parents_count_in_the_log():
    # Child 0: Q = 0.5 over 50 visits; child 1: Q = 0.3 over 2 visits. With ln N(s) = ln 100 the
    # bonus of child 1 wins; with the child's own count (ln 2) child 0 would win.
    node = node_with_children(100, [(50, 25.0), (2, 0.6)])
    assert mcts.ucb1(node, 1.0, rng=np.random.default_rng(0)).action == 1
    assert mcts.ucb1(node, 0.0, rng=np.random.default_rng(0)).action == 0  # c = 0: greedy on Q


def test_ucb1_breaks_equal_scores_at_random():
    node = node_with_children(9, [(4, 2.0), (1, -1.0), (4, 2.0)])
    chosen = [mcts.ucb1(node, 1.0, rng=np.random.default_rng(seed)).action for seed in range(60)]
    assert set(chosen) == {0, 2}
    assert 15 < chosen.count(0) < 45


def test_rule_from_scores_uses_the_arrays_and_breaks_ties_at_random():
    def puct(Q, N, P, c):
        return Q + c * P * np.sqrt(max(N.sum(), 1.0)) / (1.0 + N)

    select = mcts.rule_from_scores(puct)
    node = node_with_children(1, [(0, 0.0), (0, 0.0), (0, 0.0)])
    node.children[1].P = 0.8
    assert select(node, 1.0, rng=np.random.default_rng(0)).action == 1
    node.children[1].P = node.children[0].P
    chosen = {select(node, 1.0, rng=np.random.default_rng(s)).action for s in range(40)}
    assert chosen == {0, 1, 2}


# --- expansion ------------------------------------------------------------------------------
def test_expand_makes_one_child_per_legal_action_with_its_prior():
    state = TTT.state_from_string("XO. / ... / ...")
    node = mcts.set_state(TTT, Node(None, 1), state)
    legal = TTT.legal_actions(state)
    expand_priors = dict(zip(legal, np.linspace(1, 2, len(legal)) / 10, strict=True))
    mcts.expand(TTT, node, expand_priors)
    assert [ch.action for ch in node.children] == list(legal)
    assert [ch.P for ch in node.children] == pytest.approx(list(expand_priors.values()))
    assert all(ch.N == 0 and ch.W == 0.0 and ch.player == 0 for ch in node.children)
    assert all(ch.state is None for ch in node.children)  # computed lazily on a first visit


def test_expand_accepts_priors_aligned_with_the_legal_actions_and_checks_the_length():
    node = mcts.set_state(TTT, Node(None, 1), TTT.initial_state())
    mcts.expand(TTT, node, np.full(9, 1 / 9))
    assert [ch.action for ch in node.children] == list(range(9))
    node = mcts.set_state(TTT, Node(None, 1), TTT.initial_state())
    with pytest.raises(ValueError, match="priors must have one entry per legal action"):
        mcts.expand(TTT, node, [0.5, 0.5])


# --- backup ---------------------------------------------------------------------------------
def test_backup_flips_the_sign_between_the_players():
    # root (X to move) -> a (X chose it, O to move) -> b (O chose it, X to move)
    root, a, b = Node(None, 1), Node(0, 0), Node(4, 1)
    mcts.backup([root, a, b], 1.0, to_play=0)  # the leaf is won for X, the player to move there
    assert [n.N for n in (root, a, b)] == [1, 1, 1]
    assert [n.W for n in (root, a, b)] == [-1.0, 1.0, -1.0]
    mcts.backup([root, a], -0.5, to_play=1)  # O to move at a, values it at -0.5
    assert (root.W, a.W, a.N, root.N) == (-1.5, 1.5, 2, 2)  # X gains 0.5, O loses 0.5


# --- the search -----------------------------------------------------------------------------
def test_search_counts_every_simulation_and_is_reproducible():
    state = TTT.initial_state()
    r1 = mcts.search(TTT, state, n_simulations=300, rng=np.random.default_rng(3))
    r2 = mcts.search(TTT, state, n_simulations=300, rng=np.random.default_rng(3))
    assert r1.root.N == 300
    assert int(r1.N.sum()) == 299  # the first simulation evaluates the root itself
    assert r1.actions == list(TTT.legal_actions(state))
    np.testing.assert_array_equal(r1.N, r2.N)
    np.testing.assert_array_equal(r1.Q, r2.Q)
    assert np.all(np.abs(r1.Q) <= 1.0)
    assert -1.0 <= r1.value <= 1.0
    # N(s) = 1 + sum_a N(s,a) holds at every expanded node.
    stack = [r1.root]
    while stack:
        node = stack.pop()
        if node.children:
            assert node.N == 1 + sum(ch.N for ch in node.children)
            stack.extend(ch for ch in node.children if ch.N)


@pytest.mark.parametrize(
    ("board", "expected", "why"),
    [
        ("XX. / OO. / ...", 2, "X completes the top row"),
        ("XO. / XO. / ...", 6, "X completes the left column"),
        ("X.. / OO. / X..", 5, "X blocks the middle row"),
        ("XX. / O.. / ...", 2, "O blocks the top row"),
        ("O.X / .X. / ...", 6, "O blocks the diagonal"),
    ],
)
def test_search_plays_the_winning_or_blocking_move(board, expected, why):
    state = TTT.state_from_string(board)
    result = mcts.search(TTT, state, n_simulations=500, rng=np.random.default_rng(0))
    assert result.best_action(rng=np.random.default_rng(0)) == expected, why
    assert int(np.argmax(result.N)) == result.actions.index(expected)


def test_a_move_that_wins_at_once_has_q_one():
    state = TTT.state_from_string("XX. / OO. / ...")
    result = mcts.search(TTT, state, n_simulations=200, rng=np.random.default_rng(1))
    assert result.Q[result.actions.index(2)] == 1.0  # a terminal child: always the game's +1
    assert result.value > 0.5


def test_search_solves_nim_with_the_generic_rollout():
    game = Nim(7)  # 7 -> take 1 leaves 6, a multiple of 3: lost for the opponent
    for stones, winning in [(7, 1), (5, 2), (4, 1)]:
        result = mcts.search(game, (stones, 0), n_simulations=400, rng=np.random.default_rng(0))
        assert result.best_action(rng=np.random.default_rng(0)) == winning
    # From 3 stones every move loses against best play: the search's value says so.
    result = mcts.search(game, (3, 1), n_simulations=400, rng=np.random.default_rng(0))
    assert result.value < 0


def test_search_finds_a_connect_four_win_and_block():
    game = games.ConnectFour(rows=5, cols=5)
    win = game.state_from_string("..... / ..... / O.... / O.... / XXX.O")
    result = mcts.search(game, win, n_simulations=400, rng=np.random.default_rng(0))
    assert result.best_action(rng=np.random.default_rng(0)) == 3
    block = game.state_from_string("..... / ..... / X.... / X.... / OOO.X")
    result = mcts.search(game, block, n_simulations=800, rng=np.random.default_rng(0))
    assert result.best_action(rng=np.random.default_rng(0)) == 3


def test_a_custom_evaluator_and_selection_rule_plug_in():
    calls = []

    def uniform_zero(state):
        calls.append(state)
        legal = TTT.legal_actions(state)
        return np.full(len(legal), 1 / len(legal)), 0.0

    def greedy_prior(node, c, rng):
        return max(node.children, key=lambda ch: (ch.P, -ch.N))

    result = mcts.search(
        TTT,
        TTT.initial_state(),
        uniform_zero,
        n_simulations=50,
        rng=np.random.default_rng(0),
        select=greedy_prior,
    )
    assert len(calls) == 50  # every simulation reached a new non-terminal leaf
    assert result.P == pytest.approx(np.full(9, 1 / 9))
    assert np.all(result.Q == 0.0)


def test_root_noise_mixes_dirichlet_noise_into_the_root_priors_only():
    result = mcts.search(
        TTT,
        TTT.initial_state(),
        n_simulations=50,
        rng=np.random.default_rng(0),
        root_noise=(0.3, 0.25),
    )
    assert result.P.sum() == pytest.approx(1.0)
    assert np.all(result.P >= 0.75 / 9 - 1e-12)  # (1 - fraction) P + fraction eta, eta >= 0
    assert result.P.std() > 0.01
    deeper = [gc.P for ch in result.root.children for gc in ch.children]
    assert deeper and all(p == pytest.approx(1 / 8) for p in deeper)


def test_evaluator_values_outside_the_range_are_rejected():
    def bad(state):
        legal = TTT.legal_actions(state)
        return dict.fromkeys(legal, 1 / len(legal)), 3.0

    with pytest.raises(ValueError, match=r"value in \[-1, 1\]"):
        mcts.search(TTT, TTT.initial_state(), bad, n_simulations=5, rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_simulations": 0}, ValueError, "n_simulations must be >= 1"),
        ({"n_simulations": 2.5}, TypeError, "n_simulations must be an integer"),
        ({"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
        ({"c": -1.0}, ValueError, "c must be >= 0"),
        ({"select": "ucb1"}, TypeError, "select must be a function"),
        ({"root_noise": 0.3}, TypeError, "root_noise must be None or"),
        ({"root_noise": (0.0, 0.25)}, ValueError, "root_noise alpha must be > 0"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    args = {"n_simulations": 10, "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(error, match=match):
        mcts.search(TTT, TTT.initial_state(), **args)


def test_bad_game_state_and_evaluator_are_named():
    with pytest.raises(TypeError, match="game must be a game following the game protocol"):
        mcts.search(object(), None, n_simulations=1, rng=np.random.default_rng(0))
    over = TTT.state_from_string("XXX / OO. / ...")
    with pytest.raises(ValueError, match="state must not be terminal"):
        mcts.search(TTT, over, n_simulations=1, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="evaluate must be a function"):
        mcts.search(TTT, TTT.initial_state(), 3, n_simulations=1, rng=np.random.default_rng(0))


# --- the result and the final move ----------------------------------------------------------
def test_best_action_is_the_most_visited_not_the_highest_q():
    root = node_with_children(12, [(2, 2.0), (7, 3.5), (2, 1.0)])
    assert mcts.best_action(root, rng=np.random.default_rng(0)) == 1  # Q = 0.5 < 1.0, but N = 7


def test_best_action_breaks_visit_ties_at_random():
    root = node_with_children(11, [(5, 1.0), (5, 4.0), (0, 0.0)])
    chosen = [mcts.best_action(root, rng=np.random.default_rng(s)) for s in range(40)]
    assert set(chosen) == {0, 1}


def test_policy_is_the_visit_distribution_at_temperature_tau():
    result = mcts.search(TTT, TTT.initial_state(), n_simulations=200, rng=np.random.default_rng(0))
    assert result.policy(1.0) == pytest.approx(result.N / result.N.sum())
    greedy = result.policy(0.0)
    assert greedy.sum() == pytest.approx(1.0)
    assert np.all(greedy[result.N < result.N.max()] == 0)
    sharp = result.policy(0.5)
    assert sharp.max() > result.policy(1.0).max()


# --- the player -----------------------------------------------------------------------------
def test_player_is_reproducible_and_validates():
    state = TTT.initial_state()
    moves = [mcts.MCTSPlayer(TTT, n_simulations=100, seed=5)(state) for _ in range(2)]
    assert moves[0] == moves[1]
    player = mcts.MCTSPlayer(TTT, n_simulations=100, seed=5)
    player(state)
    assert player.last_result.root.N == 100
    with pytest.raises(ValueError, match="n_simulations must be >= 1"):
        mcts.MCTSPlayer(TTT, n_simulations=0)
    with pytest.raises(ValueError, match="c_uct must be >= 0"):
        mcts.MCTSPlayer(TTT, c_uct=-1)


def _old_player_moves(game, n_simulations, seed, states):
    """The moves of MCTSPlayer as it was before subtree reuse: a fresh search on every move."""
    rng = np.random.default_rng(seed)
    evaluate = mcts.rollout_evaluator(game, rng=rng)
    moves, visits = [], []
    for state in states:
        result = mcts.search(game, state, evaluate, n_simulations=n_simulations, rng=rng)
        moves.append(result.best_action(rng=rng))
        visits.append(result.N.tolist())
    return moves, visits


def test_player_without_reuse_is_unchanged_move_for_move():
    # The states of a whole game against the perfect player, then the old loop on the same states.
    player = mcts.MCTSPlayer(TTT, n_simulations=150, seed=3)
    states, moves, visits = [], [], []

    def recording(state):
        states.append(state)
        moves.append(player(state))
        visits.append(player.last_result.N.tolist())
        return moves[-1]

    games.play(TTT, [games.perfect_player(TTT, seed=1), recording])
    assert (moves, visits) == _old_player_moves(TTT, 150, 3, states)
    replay = mcts.MCTSPlayer(TTT, n_simulations=150, seed=3, reuse_tree=False)
    assert [replay(s) for s in states] == moves
    assert player.simulations_run == 150 * len(states) and player.visits_reused == 0


def test_subtree_finds_the_node_after_the_move_and_the_reply_with_its_statistics():
    state = TTT.initial_state()
    result = mcts.search(TTT, state, n_simulations=400, rng=np.random.default_rng(0))
    a = result.best_action(rng=np.random.default_rng(0))
    child = next(ch for ch in result.root.children if ch.action == a)
    reply = max(child.children, key=lambda ch: ch.N)
    after = TTT.next_state(TTT.next_state(state, a), reply.action)
    kept = mcts.subtree(TTT, result.root, a, after)
    assert kept is reply and kept.N > 0 and kept.state == after
    assert mcts.subtree(TTT, result.root, a, TTT.next_state(state, a)) is child  # one move on
    unvisited = [ch for ch in child.children if ch.N == 0]
    if unvisited:  # a reply the tree never tried: nothing to keep
        s = TTT.next_state(TTT.next_state(state, a), unvisited[0].action)
        assert mcts.subtree(TTT, result.root, a, s) is None
    assert mcts.subtree(TTT, result.root, a, TTT.initial_state()) is None  # not below the root


def test_search_from_a_kept_root_adds_simulations_to_its_statistics():
    state = TTT.initial_state()
    result = mcts.search(TTT, state, n_simulations=400, rng=np.random.default_rng(1))
    a = result.best_action(rng=np.random.default_rng(1))
    child = next(ch for ch in result.root.children if ch.action == a)
    reply = max(child.children, key=lambda ch: ch.N)
    after = TTT.next_state(TTT.next_state(state, a), reply.action)
    kept = mcts.subtree(TTT, result.root, a, after)
    n_before, children_before = kept.N, [ch.N for ch in kept.children]
    again = mcts.search(TTT, after, n_simulations=100, rng=np.random.default_rng(2), root=kept)
    assert again.root is kept and kept.N == n_before + 100 and again.n_simulations == 100
    assert all(n >= m for n, m in zip(again.N.tolist(), children_before, strict=True))
    assert int(again.N.sum()) == kept.N - 1  # N(s) = 1 + sum_a N(s,a) still holds
    assert -1.0 <= again.value <= 1.0


def test_a_kept_root_gets_root_noise_once_it_is_the_root():
    state = TTT.initial_state()
    result = mcts.search(TTT, state, n_simulations=300, rng=np.random.default_rng(4))
    child = max(result.root.children, key=lambda ch: ch.N)
    priors = [gc.P for gc in child.children]
    s1 = TTT.next_state(state, child.action)
    mcts.search(
        TTT, s1, n_simulations=1, rng=np.random.default_rng(5), root=child, root_noise=(0.3, 0.5)
    )
    assert [gc.P for gc in child.children] != pytest.approx(priors)
    assert sum(gc.P for gc in child.children) == pytest.approx(1.0)


def test_search_rejects_a_root_of_another_state():
    result = mcts.search(TTT, TTT.initial_state(), n_simulations=50, rng=np.random.default_rng(0))
    child = max(result.root.children, key=lambda ch: ch.N)
    with pytest.raises(ValueError, match="root must be a node of `state`"):
        mcts.search(
            TTT, TTT.initial_state(), n_simulations=5, rng=np.random.default_rng(0), root=child
        )
    with pytest.raises(TypeError, match="root must be None or an mcts.Node"):
        mcts.search(TTT, TTT.initial_state(), n_simulations=5, rng=np.random.default_rng(0), root=1)


def test_reusing_player_keeps_the_subtree_and_counts_what_it_kept():
    player = mcts.MCTSPlayer(TTT, n_simulations=300, seed=0, reuse_tree=True)
    reused = []

    def recording(state):
        action = player(state)
        reused.append((player.last_reused, player.last_result.root.N))
        return action

    games.play(TTT, [recording, games.perfect_player(TTT, seed=0)])
    assert reused[0] == (0, 300)  # the first move: a fresh tree
    assert any(kept > 0 for kept, _ in reused[1:])  # later moves start from a kept subtree
    assert all(root_n == kept + 300 for kept, root_n in reused)  # 300 new simulations each
    assert player.visits_reused == sum(kept for kept, _ in reused)
    assert player.simulations_run == 300 * len(reused)
    # A new game starts from a fresh tree, not from the old game's.
    player(TTT.initial_state())
    assert player.last_reused == 0


def test_counted_reuse_tops_the_root_up_to_the_budget_and_saves_simulations():
    player = mcts.MCTSPlayer(TTT, n_simulations=300, seed=0, reuse_tree=True, count_reused=True)
    log = []

    def recording(state):
        action = player(state)
        log.append(
            (player.last_reused, player.last_result.n_simulations, player.last_result.root.N)
        )
        return action

    games.play(TTT, [recording, games.perfect_player(TTT, seed=0)])
    for kept, new, root_n in log:
        assert new == max(1, 300 - kept) and root_n == max(300, kept + 1)
    assert player.simulations_run == sum(new for _, new, _ in log) < 300 * len(log)


def test_reusing_player_is_reproducible_and_validates():
    def game_moves(seed):
        moves = []
        player = mcts.MCTSPlayer(TTT, n_simulations=100, seed=seed, reuse_tree=True)

        def recording(state):
            moves.append(player(state))
            return moves[-1]

        games.play(TTT, [recording, games.random_player(TTT, seed=seed)])
        return moves

    assert game_moves(7) == game_moves(7)
    with pytest.raises(ValueError, match="count_reused=True needs reuse_tree=True"):
        mcts.MCTSPlayer(TTT, count_reused=True)
    with pytest.raises(TypeError, match="reuse_tree must be True or False"):
        mcts.MCTSPlayer(TTT, reuse_tree=1)
    assert "reuse_tree=True" in repr(mcts.MCTSPlayer(TTT, reuse_tree=True))


def test_mcts_with_200_simulations_never_loses_as_first_player_against_perfect_play():
    for i in range(12):
        mcts_player = mcts.MCTSPlayer(TTT, n_simulations=200, seed=i)
        G = games.play(TTT, [mcts_player, games.perfect_player(TTT, seed=100 + i)])
        assert G[0] >= 0, f"game {i}"


def test_mcts_with_1000_simulations_rarely_loses_as_second_player_against_perfect_play():
    losses = 0
    for i in range(10):
        mcts_player = mcts.MCTSPlayer(TTT, n_simulations=1000, seed=i)
        G = games.play(TTT, [games.perfect_player(TTT, seed=100 + i), mcts_player])
        losses += G[1] < 0
    assert losses <= 1


def test_mcts_beats_the_random_player():
    result = games.match(
        TTT, mcts.MCTSPlayer(TTT, n_simulations=100, seed=0), games.random_player(TTT, seed=1), 20
    )
    assert result.total.losses == 0
    assert result.total.wins >= 15


# --- pictures and the step-through widget ---------------------------------------------------
def test_tree_layout_centres_parents_and_respects_the_filters():
    from mbrl_helpers.plotting import mcts as plot_mcts

    result = mcts.search(TTT, TTT.initial_state(), n_simulations=60, rng=np.random.default_rng(0))
    pos, edges = plot_mcts.tree_layout(result.root, max_depth=1)
    assert len(edges) == 9 and len(pos) == 10
    xs = sorted(pos[id(ch)][0] for ch in result.root.children)
    assert xs == list(range(9))
    assert pos[id(result.root)] == (4.0, 0.0)
    pos, edges = plot_mcts.tree_layout(result.root, max_depth=2, max_children=2, min_visits=3)
    assert all(child.N >= 3 for _, child in edges)
    assert sum(parent is result.root for parent, _ in edges) == 2


def test_draw_tree_and_root_visits_draw_the_numbers():
    import matplotlib.pyplot as plt

    from mbrl_helpers.plotting import mcts as plot_mcts

    state = TTT.state_from_string("X.O / .X. / ..O")
    result = mcts.search(TTT, state, n_simulations=30, rng=np.random.default_rng(0))
    ax = plot_mcts.draw_tree(result, TTT, max_depth=1)
    texts = [t.get_text() for t in ax.texts]
    child = result.root.children[0]
    assert f"a={child.action}\nN={child.N}\nQ={child.Q:+.2f}" in texts
    assert TTT.render(state) in texts
    ax = plot_mcts.plot_root_visits(result)
    assert [int(p.get_height()) for p in ax.patches] == result.N.tolist()
    plt.close("all")
    with pytest.raises(TypeError, match="tree must be a Node or a SearchResult"):
        plot_mcts.draw_tree("root")


def test_stepper_runs_the_four_phases_in_order_like_the_search():
    from mbrl_helpers.widgets.mcts import MCTSStepper

    state = TTT.state_from_string("X.O / .X. / ..O")
    stepper = MCTSStepper(TTT, state, seed=0)
    phases = []
    for _ in range(8):
        stepper.step()
        phases.append(stepper.phase)
    assert phases == ["selection", "expansion", "simulation", "backup"] * 2
    assert stepper.simulations == 2 and stepper.root.N == 2
    assert stepper.description.startswith("4. Backup")
    stepper.step()
    assert stepper.description.startswith("Simulation 3, 1. Selection")
    stepper.run(20)
    assert stepper.root.N == 23 and stepper.phase == "backup"
    assert stepper.root.N == 1 + sum(ch.N for ch in stepper.root.children)
    assert abs(stepper.value) <= 1
    stepper.reset()
    assert stepper.root.N == 0 and stepper.simulations == 0


def test_stepper_describes_a_drawn_backup_without_a_negative_zero():
    from mbrl_helpers.widgets.mcts import MCTSStepper

    stepper = MCTSStepper(TTT, TTT.initial_state(), seed=0)
    backups = []
    for _ in range(60):
        stepper.run(1)
        backups.append((stepper.value, stepper.description))
    draws = [text for value, text in backups if value == 0]
    assert draws, "60 random playouts from the empty board include a draw"
    assert all("W += +0 for player" in text and "+0 for the opponent's" in text for text in draws)
    assert not any("-0 " in text for _, text in backups)


def test_draw_playout_shows_each_board_of_the_rollout_and_its_value():
    import matplotlib.pyplot as plt

    from mbrl_helpers.widgets.mcts import MCTSStepper

    stepper = MCTSStepper(TTT, TTT.state_from_string("X.O / .X. / ..O"), seed=0)
    with pytest.raises(ValueError, match="no simulation phase has run yet"):
        stepper.draw_playout()
    while stepper.phase != "simulation" or stepper.leaf.terminal:
        stepper.step()
    ax = stepper.draw_playout()
    texts = [t.get_text() for t in ax.texts]
    assert TTT.render(stepper.leaf.state) in texts
    assert [f"a={a}" for a in stepper.playout] == [t for t in texts if t.startswith("a=")]
    assert f"value {stepper.value:+.0f} for player {stepper.to_play}" in texts
    plt.close("all")


def test_stepper_widget_buttons_step_the_search():
    import matplotlib.pyplot as plt

    from mbrl_helpers.widgets.mcts import MCTSStepper

    stepper = MCTSStepper(TTT, TTT.initial_state(), seed=1)
    box = stepper.widget()
    box.buttons["next phase"].click()
    assert stepper.phase == "selection"
    box.buttons["next phase"].click()
    box.buttons["next phase"].click()  # the simulation: tree and playout side by side
    assert stepper.phase == "simulation"
    box.buttons["next simulation"].click()
    assert stepper.phase == "backup" and stepper.simulations == 1
    box.buttons["+10 simulations"].click()
    assert stepper.simulations == 11
    box.buttons["reset"].click()
    assert stepper.simulations == 0
    plt.close("all")
