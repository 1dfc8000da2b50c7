"""The budget table of the game methods (lecture 08): exact strengths, thresholds, stored data."""

import pytest

from mbrl_helpers import games
from mbrl_helpers.experiments import game_budget
from mbrl_helpers.experiments.game_budget import Strength


def test_strength_is_exact_and_reproducible():
    game = games.TicTacToe()
    a = game_budget.strength(game, "mcts", 20, seed=3)
    b = game_budget.strength(game, "mcts", 20, seed=3)
    assert (a.loss_first, a.loss_second, a.moves) == (b.loss_first, b.loss_second, b.moves)
    assert 0 <= a.loss_first <= 1 and 0 < a.loss_second <= 1  # 20 simulations lose as O
    assert a.moves > 10 and a.seconds >= 0
    rollouts = game_budget.strength(game, "rollouts", 9, seed=0)
    assert rollouts.method == "rollouts" and rollouts.loss_second > 0


def test_make_player_names_its_mistakes():
    game = games.TicTacToe()
    with pytest.raises(ValueError, match="method must be"):
        game_budget.make_player(game, "minimax", 10, 0)
    with pytest.raises(ValueError, match="needs the trained net"):
        game_budget.make_player(game, "alphazero", 10, 0)


def test_threshold_needs_every_seed_unbeaten():
    results = [
        Strength("mcts", 100, 0, 0.0, 0.0, 10, 0.1),
        Strength("mcts", 100, 1, 0.0, 0.1, 10, 0.1),
        Strength("mcts", 300, 0, 0.0, 0.0, 10, 0.1),
        Strength("mcts", 300, 1, 0.0, 0.0, 10, 0.1),
        Strength("rollouts", 100, 0, 0.0, 0.3, 10, 0.1),
    ]
    assert game_budget.threshold(results, "mcts") == 300
    assert game_budget.threshold(results, "rollouts") is None
    assert results[0].unbeaten and not results[1].unbeaten
    assert results[0].seconds_per_move == pytest.approx(0.01)


def test_stored_table_says_what_lecture_08_says(tmp_path):
    results, trainings = game_budget.load()
    assert game_budget.threshold(results, "mcts") == 3000
    assert game_budget.threshold(results, "rollouts") is None
    assert [t.unbeaten_from for t in trainings] == [7, 10, 7, 12, 17, 6, 9, 10, 9, 8][:5]
    alone = [r for r in results if r.method == "alphazero" and r.budget == 0]
    assert len(alone) == 5 and all(r.unbeaten for r in alone)
    path = tmp_path / "budget.json"
    game_budget.save(results, trainings, path, note="test")
    assert game_budget.load(path) == (results, trainings)
