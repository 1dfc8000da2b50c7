"""Tests of mbrl_helpers.rollouts: the rollout algorithm of the notes and the rollout player."""

import numpy as np
import pytest

from mbrl_helpers import games, rollouts

TTT = games.TicTacToe()


def s(text):
    return TTT.state_from_string(text)


def test_rollout_returns_a_legal_first_action_and_an_outcome_for_the_player_to_move():
    rng = np.random.default_rng(0)
    # O to move (X: 0, 1, 3; O: 2, 4); O at 6 completes the diagonal 2-4-6.
    state = s("XXO XO. ...")
    seen = set()
    for _ in range(200):
        a, v = rollouts.rollout(TTT, state, rng=rng)
        assert a in TTT.legal_actions(state) and v in (-1, 0, 1)
        seen.add(a)
        if a == 6:  # O completes the 2-4-6 diagonal at once
            assert v == 1
    assert seen == set(TTT.legal_actions(state))


def test_rollout_outcome_is_from_the_view_of_the_player_to_move():
    rng = np.random.default_rng(1)
    # X to move with one cell left: X wins there.
    assert rollouts.rollout(TTT, s("XOX OXO OX."), rng=rng) == (8, 1)
    # O to move with cells 5 and 8 left: O at 8 completes 6-7-8; O at 5 lets X fill 8 and
    # complete the diagonal 0-4-8.
    state = s("XOX XX. OO.")
    assert TTT.current_player(state) == 1
    outcomes = {rollouts.rollout(TTT, state, rng=rng) for _ in range(50)}
    assert outcomes == {(8, 1), (5, -1)}


def test_rollout_with_a_base_policy_follows_it():
    perfect = games.perfect_player(TTT, seed=0)
    a, v = rollouts.rollout(
        TTT, s("XX. OO. ..."), rng=np.random.default_rng(0), base_policy=perfect
    )
    assert (a, v) == (2, 1)


def test_q_from_rollouts_averages_the_rollouts_that_start_with_each_action():
    Q, N, se = rollouts.q_from_rollouts([2, 5, 7], [5, 2, 5, 5, 2], [1, -1, 0, 1, 0])
    np.testing.assert_allclose(Q[:2], [-0.5, 2 / 3])
    assert np.isnan(Q[2]) and N.tolist() == [2, 3, 0]
    np.testing.assert_allclose(
        se[:2], [np.std([-1, 0], ddof=1) / np.sqrt(2), np.std([1, 0, 1], ddof=1) / np.sqrt(3)]
    )
    assert np.isnan(se[2])


def test_q_from_rollouts_validates():
    with pytest.raises(ValueError, match="equal length"):
        rollouts.q_from_rollouts([0, 1], [0, 1], [1])
    with pytest.raises(ValueError, match=r"first_actions holds \[4\]"):
        rollouts.q_from_rollouts([0, 1], [4], [1])


def test_greedy_action_skips_nan_and_breaks_ties_at_random():
    rng = np.random.default_rng(0)
    picks = [
        rollouts.greedy_action([3, 5, 8], np.array([0.5, np.nan, 0.5]), rng=rng) for _ in range(200)
    ]
    assert set(picks) == {3, 8} and 60 < picks.count(3) < 140
    assert rollouts.greedy_action([3, 5, 8], np.array([np.nan, -0.2, -0.5]), rng=rng) == 5
    with pytest.raises(ValueError, match="Q must have one entry per action"):
        rollouts.greedy_action([1, 2], np.zeros(3), rng=rng)
    with pytest.raises(ValueError, match="all nan"):
        rollouts.greedy_action([1, 2], np.full(2, np.nan), rng=rng)


def test_rollout_values_converge_to_the_random_policy_values():
    state = s("XX. .O. ...")
    exact = rollouts.random_play_values(TTT, state)
    est = rollouts.rollout_values(TTT, state, 6000, rng=np.random.default_rng(0))
    assert est.actions == TTT.legal_actions(state) and est.N.sum() == 6000
    z = np.abs(est.Q - exact) / est.standard_error
    assert np.all(z < 4.5)
    assert np.all(est.N > 800)  # a random first action spreads the rollouts about evenly


def test_standard_error_shrinks_like_one_over_root_n():
    state = TTT.initial_state()
    small = rollouts.rollout_values(TTT, state, 900, rng=np.random.default_rng(0))
    large = rollouts.rollout_values(TTT, state, 14_400, rng=np.random.default_rng(0))
    ratio = np.mean(small.standard_error) / np.mean(large.standard_error)
    assert 3.3 < ratio < 4.7  # sqrt(16) = 4


def test_even_rollouts_give_every_action_the_same_count_and_accept_deterministic_b():
    state = s("XX. .O. ...")
    first_cell = lambda st: TTT.legal_actions(st)[0]  # noqa: E731
    est = rollouts.rollout_values(
        TTT, state, 12, rng=np.random.default_rng(0), base_policy=first_cell, even=True
    )
    assert est.N.tolist() == [2] * 6
    # The slow path with a deterministic b: each rollout is then deterministic, so SE is 0.
    np.testing.assert_array_equal(est.standard_error, np.zeros(6))
    notes = rollouts.rollout_values(
        TTT, state, 12, rng=np.random.default_rng(0), base_policy=first_cell
    )
    assert notes.N.tolist() == [12, 0, 0, 0, 0, 0]  # b always starts with the same action


def test_fast_and_slow_paths_agree_in_distribution():
    state = s("X.. .O. ...")
    fast = rollouts.rollout_values(TTT, state, 4000, rng=np.random.default_rng(0))
    b = games.random_player(TTT, seed=5)
    slow = rollouts.rollout_values(TTT, state, 4000, rng=np.random.default_rng(0), base_policy=b)
    z = np.abs(fast.Q - slow.Q) / np.hypot(fast.standard_error, slow.standard_error)
    assert np.all(z < 4.5)


def test_random_play_values_match_hand_computation():
    # O to move with cells 5 and 8 free: O at 5 lets X win at 8 (0-4-8); O at 8 wins (6-7-8).
    state = s("XOX XX. OO.")
    assert TTT.legal_actions(state) == (5, 8)
    np.testing.assert_allclose(rollouts.random_play_values(TTT, state), [-1.0, 1.0])
    # X to move (X: 0, 2, 4; O: 1, 3, 6) with 5, 7, 8 free: X at 8 wins on 0-4-8. After X at 5
    # (or 7), O picks 7 or 8 (5 or 8) at random: leaving 8 to X loses, taking 8 draws.
    state = s("XOX OX. O..")
    np.testing.assert_allclose(rollouts.random_play_values(TTT, state), [0.5, 0.5, 1.0])
    np.testing.assert_allclose(rollouts.random_play_values(TTT, (0, 0, 0))[4], 0.5, atol=1e-12)


def test_rollout_player_plays_wins_and_blocks():
    player = rollouts.RolloutPlayer(TTT, n_rollouts=300, seed=0)
    assert player(s("XX. OO. ...")) == 2  # win
    assert player(s("XX. .O. ...")) == 2  # block
    assert player.last_estimate is not None and player.last_estimate.N.sum() == 300
    assert "action" in player.last_estimate.table()


def test_rollout_player_improves_on_its_random_base_policy():
    random_b = games.random_player(TTT, seed=1)
    base = games.match(TTT, games.random_player(TTT, seed=2), random_b, n_games=60)
    improved = games.match(TTT, rollouts.RolloutPlayer(TTT, 50, seed=3), random_b, n_games=60)
    assert improved.total.wins > base.total.wins + 15
    assert improved.total.losses < base.total.losses


def test_rollout_player_is_reproducible():
    a = games.play(TTT, [rollouts.RolloutPlayer(TTT, 20, seed=4), games.random_player(TTT, 5)])
    b = games.play(TTT, [rollouts.RolloutPlayer(TTT, 20, seed=4), games.random_player(TTT, 5)])
    assert a == b


def test_arguments_are_validated():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_rollouts"):
        rollouts.rollout_values(TTT, TTT.initial_state(), 0, rng=rng)
    with pytest.raises(TypeError, match="rng"):
        rollouts.rollout(TTT, TTT.initial_state(), rng=0)
    with pytest.raises(TypeError, match="base_policy"):
        rollouts.RolloutPlayer(TTT, 10, base_policy="random")
    with pytest.raises(ValueError, match="terminal"):
        rollouts.rollout_values(TTT, s("XXX OO. ..."), 10, rng=rng)
    with pytest.raises(TypeError, match="game"):
        rollouts.RolloutPlayer(None)


def test_works_on_connect_four():
    game = games.ConnectFour()
    # X has three in the bottom row (0, 1, 2) and O three in column 6: X wins at 3.
    state = game.state_from_string("....... " * 3 + "......O ......O XXX...O")
    player = rollouts.RolloutPlayer(game, n_rollouts=200, seed=0)
    assert player(state) == 3
