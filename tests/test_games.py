"""Tests of mbrl_helpers.games: rules, solver, players, symmetries, encodings."""

import numpy as np
import pytest

from mbrl_helpers import games

TTT = games.TicTacToe()
C4 = games.ConnectFour()


def all_states(game, state=None, seen=None):
    """Every state reachable from `state` (depth-first)."""
    state = game.initial_state() if state is None else state
    seen = set() if seen is None else seen
    if state not in seen:
        seen.add(state)
        for a in game.legal_actions(state):
            all_states(game, game.next_state(state, a), seen)
    return seen


# --- tic-tac-toe rules ------------------------------------------------------------------------
def test_tictactoe_is_a_game_and_starts_empty():
    assert isinstance(TTT, games.Game) and isinstance(C4, games.Game)
    s = TTT.initial_state()
    assert TTT.current_player(s) == 0
    assert TTT.legal_actions(s) == tuple(range(9))
    assert not TTT.is_terminal(s)
    assert TTT.render(s) == ". . .\n. . .\n. . ."


def test_tictactoe_moves_alternate_and_fill_cells():
    s = TTT.next_state(TTT.initial_state(), 4)
    assert TTT.current_player(s) == 1 and 4 not in TTT.legal_actions(s)
    s = TTT.next_state(s, 0)
    assert TTT.current_player(s) == 0
    assert TTT.render(s) == "O . .\n. X .\n. . ."
    assert s == TTT.state_from_string("O.. .X. ...")


def test_tictactoe_has_5478_reachable_positions_and_958_terminal_ones():
    states = all_states(TTT)
    assert len(states) == 5478
    terminal = [s for s in states if TTT.is_terminal(s)]
    assert len(terminal) == 958
    outcomes = [TTT.returns(s) for s in terminal]
    assert outcomes.count((1, -1)) == 626 and outcomes.count((-1, 1)) == 316
    assert outcomes.count((0, 0)) == 16


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("XXX OO. ...", (1, -1)),
        ("XX. OOO X..", (-1, 1)),
        ("XOX XOO OXX", (0, 0)),
        ("X.. .X. O OX", (1, -1)),
        ("XXO .OX O..", (-1, 1)),
    ],
)
def test_tictactoe_returns_of_terminal_states(text, expected):
    s = TTT.state_from_string(text)
    assert TTT.is_terminal(s) and TTT.legal_actions(s) == ()
    assert TTT.returns(s) == expected


def test_tictactoe_returns_of_a_live_state_raises():
    with pytest.raises(ValueError, match="terminal"):
        TTT.returns(TTT.initial_state())


def test_illegal_action_names_it_and_lists_legal_ones():
    s = TTT.state_from_string("XO. ... ...")
    with pytest.raises(ValueError, match=r"action 0 is illegal.*\[2, 3, 4, 5, 6, 7, 8\]"):
        TTT.next_state(s, 0)
    with pytest.raises(ValueError, match="action 9 is illegal"):
        TTT.next_state(s, 9)
    with pytest.raises(ValueError, match="game is over"):
        TTT.next_state(TTT.state_from_string("XXX OO. ..."), 8)
    with pytest.raises(ValueError, match="action 3 is illegal"):
        C4.next_state(C4.state_from_string("...O... ...X... " * 3), 3)


def test_non_integer_actions_raise_type_errors():
    with pytest.raises(TypeError, match="action must be an int"):
        TTT.next_state(TTT.initial_state(), 3.0)
    with pytest.raises(TypeError, match="action must be an int"):
        C4.next_state(C4.initial_state(), 3.0)
    s = TTT.next_state(TTT.initial_state(), np.int64(4))  # numpy ints are fine
    assert TTT.legal_actions(s) == (0, 1, 2, 3, 5, 6, 7, 8)


def test_module_docstring_examples_run():
    import doctest

    result = doctest.testmod(games)
    assert result.attempted >= 4 and result.failed == 0


@pytest.mark.parametrize("text", ["XX. ... ...", "XXXX OO ...", "XAB ... ...", "XX. OO. OO."])
def test_state_from_string_rejects_bad_boards(text):
    with pytest.raises(ValueError, match="text"):
        TTT.state_from_string(text)


def test_state_from_string_rejects_non_strings():
    with pytest.raises(TypeError, match="text"):
        TTT.state_from_string(123)


def test_random_playout_has_the_distribution_of_random_play():
    # Exact probabilities of random play from the empty board: X 0.585, O 0.288, draw 0.127.
    rng = np.random.default_rng(0)
    results = [TTT.random_playout(TTT.initial_state(), rng=rng) for _ in range(20_000)]
    x_wins = results.count((1, -1)) / len(results)
    draws = results.count((0, 0)) / len(results)
    assert abs(x_wins - 0.5849) < 0.015 and abs(draws - 0.1270) < 0.01
    assert TTT.random_playout(TTT.state_from_string("XXX OO. ..."), rng=rng) == (1, -1)


def test_random_playout_is_reproducible():
    a = [TTT.random_playout((0, 0, 0), rng=np.random.default_rng(3)) for _ in range(5)]
    b = [TTT.random_playout((0, 0, 0), rng=np.random.default_rng(3)) for _ in range(5)]
    assert a == b


# --- symmetries and encodings -----------------------------------------------------------------
def test_tictactoe_symmetries_are_the_8_distinct_maps_of_the_square():
    assert len(set(games.SYMMETRIES)) == 8
    assert games.SYMMETRIES[0] == tuple(range(9))
    for perm in games.SYMMETRIES:
        assert sorted(perm) == list(range(9)) and perm[4] == 4  # the centre is fixed
        line_sets = {frozenset(line) for line in games.LINES}
        assert {frozenset(perm[i] for i in line) for line in games.LINES} == line_sets


def test_symmetries_commute_with_moves_and_keep_solved_values():
    s = TTT.state_from_string("X.. .O. ..X")
    value, optimal = games.solve(TTT, s)
    for k in range(8):
        t = TTT.transform_state(s, k)
        assert TTT.current_player(t) == TTT.current_player(s)
        for a in TTT.legal_actions(s):
            assert TTT.next_state(t, TTT.transform_action(a, k)) == TTT.transform_state(
                TTT.next_state(s, a), k
            )
        t_value, t_optimal = games.solve(TTT, t)
        assert t_value == value
        assert sorted(t_optimal) == sorted(TTT.transform_action(a, k) for a in optimal)


def test_transform_policy_moves_entries_with_their_actions():
    pi = np.arange(9.0)
    for k in range(8):
        out = TTT.transform_policy(pi, k)
        for a in range(9):
            assert out[TTT.transform_action(a, k)] == pi[a]
    with pytest.raises(ValueError, match="pi"):
        TTT.transform_policy(np.ones(7), 1)
    with pytest.raises(ValueError, match="k"):
        TTT.transform_state(TTT.initial_state(), 8)


def test_encode_is_from_the_view_of_the_player_to_move():
    s = TTT.state_from_string("X.. .O. ..X")  # O to move
    x = TTT.encode(s)
    assert x.shape == (2, 3, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x[0], [[0, 0, 0], [0, 1, 0], [0, 0, 0]])  # O's own stones
    np.testing.assert_array_equal(x[1], [[1, 0, 0], [0, 0, 0], [0, 0, 1]])
    y = C4.encode(C4.next_state(C4.initial_state(), 2))  # O to move, X on the bottom row
    assert y.shape == (2, 6, 7) and y[1, 5, 2] == 1 and y.sum() == 1


# --- Connect Four -----------------------------------------------------------------------------
def test_connect_four_stones_fall_and_columns_fill():
    s = C4.initial_state()
    for _ in range(6):
        s = C4.next_state(s, 0)
    assert C4.legal_actions(s) == (1, 2, 3, 4, 5, 6)
    assert C4.board(s)[:, 0].tolist() == [-1, 1, -1, 1, -1, 1]  # top row first
    assert C4.state_from_string(C4.render(s).rsplit("\n", 1)[0]) == s


@pytest.mark.parametrize(
    ("moves", "winner"),
    [
        ([0, 1, 0, 1, 0, 1, 0], (1, -1)),  # vertical
        ([0, 0, 1, 1, 2, 2, 3], (1, -1)),  # horizontal
        ([0, 1, 1, 2, 3, 2, 2, 3, 4, 3, 3], (1, -1)),  # diagonal /
        ([6, 5, 5, 4, 3, 4, 4, 3, 2, 3, 3], (1, -1)),  # diagonal \
        ([6, 0, 6, 1, 5, 2, 6, 3], (-1, 1)),
    ],  # O horizontal
)
def test_connect_four_wins(moves, winner):
    s = C4.initial_state()
    for a in moves[:-1]:
        s = C4.next_state(s, a)
        assert not C4.is_terminal(s)
    s = C4.next_state(s, moves[-1])
    assert C4.is_terminal(s) and C4.returns(s) == winner and C4.legal_actions(s) == ()


def test_connect_four_lines_do_not_wrap_across_columns():
    # X holds the top 2 cells of column 0 and the bottom 2 of column 1: not four in a row.
    s = C4.state_from_string("X...... / X...... / O...... / O...... / XX..... / OX....O")
    assert not C4.is_terminal(s)


def test_small_connect_four_draws_and_solves():
    game = games.ConnectFour(rows=3, cols=4)  # no vertical four: a drawn board exists
    states = all_states(game)
    assert any(game.is_terminal(s) and game.returns(s) == (0, 0) for s in states)
    value, optimal = games.solve(game, game.initial_state())
    assert value in (-1, 0, 1) and optimal


def test_connect_four_symmetry_and_random_playout():
    s = C4.state_from_string("....... " * 5 + "X.O....")
    m = C4.transform_state(s, 1)
    assert C4.board(m)[5].tolist() == [0, 0, 0, 0, -1, 0, 1]
    assert C4.transform_action(0, 1) == 6
    assert C4.next_state(m, 6) == C4.transform_state(C4.next_state(s, 0), 1)
    rng = np.random.default_rng(1)
    results = [C4.random_playout(C4.initial_state(), rng=rng) for _ in range(300)]
    assert set(results) <= {(1, -1), (-1, 1), (0, 0)} and results.count((1, -1)) > 100


def test_connect_four_validates_size():
    with pytest.raises(ValueError, match="rows"):
        games.ConnectFour(rows=0)
    with pytest.raises(TypeError, match="cols"):
        games.ConnectFour(cols=7.0)


# --- solver ---------------------------------------------------------------------------------
def test_solver_says_the_empty_board_is_a_draw_after_5478_positions():
    value, optimal = games.solve(TTT, TTT.initial_state())
    assert value == 0 and optimal == list(range(9))
    assert games.positions_solved(TTT) == 5478


@pytest.mark.parametrize(
    ("text", "value", "optimal"),
    [
        ("XX. OO. ...", 1, [2]),  # X wins at once (and must: O threatens 5)
        ("XX. O.. ...", -1, [2, 4, 5, 6, 7, 8]),  # O blocks at 2, but X forks with 4: all lose
        ("X.. .O. ..X", 0, [1, 3, 5, 7]),  # O must answer opposite corners with an edge
        ("X.. ... ...", 0, [4]),  # O must take the centre after a corner
        ("XO. ... ...", 1, [3, 4, 6]),  # an edge next to X's corner loses to a fork
        ("XX. .O. ...", 0, [2]),  # O blocks
        ("XXO .O. X..", 0, [3]),  # O blocks the column
    ],
)
def test_solver_finds_wins_and_blocks(text, value, optimal):
    assert games.solve(TTT, TTT.state_from_string(text)) == (value, optimal)


def test_solver_values_are_consistent_with_one_move_lookahead():
    for s in all_states(TTT):
        value, optimal = games.solve(TTT, s)
        if TTT.is_terminal(s):
            assert optimal == [] and value == TTT.returns(s)[TTT.current_player(s)]
            continue
        children = {a: -games.solve(TTT, TTT.next_state(s, a))[0] for a in TTT.legal_actions(s)}
        assert value == max(children.values())
        assert optimal == [a for a, v in children.items() if v == value]


# --- players, play, match ---------------------------------------------------------------------
def test_perfect_player_never_loses_and_draws_itself():
    perfect = games.perfect_player(TTT, seed=0)
    result = games.match(TTT, perfect, games.random_player(TTT, seed=1), n_games=100)
    assert result.total.losses == 0 and result.total.games == 100
    assert result.as_first.games == 50 and result.as_second.games == 50
    assert result.as_first.wins > 40
    self_play = games.match(TTT, perfect, games.perfect_player(TTT, seed=2), n_games=20)
    assert self_play.total.draws == 20


def test_perfect_player_varies_among_optimal_moves_and_is_seeded():
    first_moves = {games.perfect_player(TTT, seed)(TTT.initial_state()) for seed in range(40)}
    assert len(first_moves) > 4
    assert games.perfect_player(TTT, 5)((0, 0, 0)) == games.perfect_player(TTT, 5)((0, 0, 0))


def test_play_returns_the_returns_and_starts_anywhere():
    s = TTT.state_from_string("XX. OO. ...")
    win = games.play(TTT, [games.perfect_player(TTT), games.random_player(TTT)], state=s)
    assert win == (1, -1)
    results = {
        games.play(TTT, [games.random_player(TTT, i), games.random_player(TTT, 99 + i)])
        for i in range(30)
    }
    assert results == {(1, -1), (-1, 1), (0, 0)}


def test_match_alternates_sides():
    def first_cell(state):
        return TTT.legal_actions(state)[0]

    # first_cell vs itself: X always wins along the top row (0, 1, 2 against 3, 4).
    result = games.match(TTT, first_cell, first_cell, n_games=4)
    assert (result.as_first.wins, result.as_second.losses) == (2, 2)
    assert str(result) == "as X: 2 W / 0 D / 0 L; as O: 0 W / 0 D / 2 L; total: 2 W / 0 D / 2 L"


def test_play_and_match_validate_arguments():
    with pytest.raises(TypeError, match="players"):
        games.play(TTT, [games.random_player(TTT)])
    with pytest.raises(TypeError, match=r"players\[1\]"):
        games.play(TTT, [games.random_player(TTT), "me"])
    with pytest.raises(TypeError, match="game"):
        games.play("tic-tac-toe", [games.random_player(TTT)] * 2)
    with pytest.raises(ValueError, match="n_games"):
        games.match(TTT, games.random_player(TTT), games.random_player(TTT), n_games=0)

    def cheat(state):
        return 4

    with pytest.raises(ValueError, match="action 4 is illegal"):
        games.play(TTT, [cheat, cheat])


def test_wilson_interval_covers_the_rate_and_stays_in_the_unit_interval():
    low, high = games.wilson_interval(7, 200)
    assert low < 7 / 200 < high
    assert (round(low, 3), round(high, 3)) == (0.017, 0.07)
    assert games.wilson_interval(0, 200)[0] == 0.0 and 0 < games.wilson_interval(0, 200)[1] < 0.02
    assert games.wilson_interval(20, 20)[1] == 1.0 and games.wilson_interval(20, 20)[0] > 0.8
    narrow, wide = games.wilson_interval(50, 1000), games.wilson_interval(5, 100)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]  # more games, a narrower interval
    with pytest.raises(ValueError, match="k must be <= 10"):
        games.wilson_interval(11, 10)
    with pytest.raises(ValueError, match="n must be >= 1"):
        games.wilson_interval(0, 0)
