"""The stored runs of AlphaZero over seeds (lectures 06 and 08): complete, readable, replayable."""

import numpy as np
import pytest

from mbrl_helpers import alphazero, games
from mbrl_helpers.experiments import alphazero_seeds


def test_every_variant_is_stored_for_ten_seeds():
    runs = alphazero_seeds.load()
    assert {(r.variant, r.seed) for r in runs} == {
        (v, s) for v in alphazero_seeds.VARIANTS for s in range(10)
    }
    for r in runs:
        assert r.history.n_iterations == 25
        assert len(r.argmax_optimal) == len(r.mass_on_optimal) == len(alphazero_seeds.POSITIONS)


def test_the_lecture_loop_is_unbeaten_in_every_stored_seed():
    """What lecture 06 says of its ten seeds; if a re-run of the benchmark changes it, the
    lecture's prose must change too."""
    runs = [r for r in alphazero_seeds.load() if r.variant == "lecture's loop"]
    assert [r.unbeaten_from() for r in runs] == [7, 10, 7, 12, 17, 6, 9, 10, 9, 8]
    assert all(r.raw_vs_perfect == (0.0, 0.0) for r in runs)
    assert all(r.puct10_vs_random == (0.0, 0.0) for r in runs)


def _history(rows):
    h = alphazero.History()
    n = len(rows[0])
    h.value_loss[:] = h.policy_loss[:] = [0.1] * n
    h.positions[:] = [100 * (i + 1) for i in range(n)]
    h.seconds[:] = [0.5 * (i + 1) for i in range(n)]
    (h.raw_loss_first[:], h.raw_loss_second[:], h.search_loss_first[:],
     h.search_loss_second[:]) = rows  # fmt: skip
    return h


def _run(history):
    pair = (0.0, 0.0)
    return alphazero_seeds.SeedRun("lecture's loop", 0, history, pair, pair, pair, pair, pair,
                                   pair, pair, (True,), (1.0,))  # fmt: skip


def test_unbeaten_from_first_zero_and_cost_count_from_one():
    run = _run(_history([[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [1, 0, 0, 0]]))
    assert run.unbeaten_from() == 4  # raw as O lost at iteration 3
    assert run.first_zero("search_loss") == 2
    assert run.first_zero("raw_loss") == 4
    config = alphazero.TrainConfig()
    cost = run.cost_until_unbeaten(config)
    assert cost == {"iterations": 4, "games": 4 * config.games_per_iteration, "positions": 400,
                    "simulations": 400 * config.self_play.n_simulations,
                    "gradient_steps": 4 * config.n_gradient_steps, "seconds": 2.0}  # fmt: skip
    losing = _run(_history([[0, 0], [0, 1], [0, 0], [0, 0]]))
    assert losing.unbeaten_from() is None and losing.cost_until_unbeaten(config) is None
    assert losing.first_zero("raw_loss") is None


def test_save_and_load_round_trip(tmp_path):
    runs = alphazero_seeds.load()[:3]
    path = tmp_path / "runs.json"
    alphazero_seeds.save(runs, path, note="test")
    again = alphazero_seeds.load(path)
    assert [r.unbeaten_from() for r in again] == [r.unbeaten_from() for r in runs]
    assert again[1].raw_vs_random == runs[1].raw_vs_random


def test_stored_train_replays_a_stored_run_and_refuses_others():
    game = games.TicTacToe()
    net, history = alphazero_seeds.stored_train(game, seed=3, progress=False, noise_fraction=0.0)
    stored = next(
        r for r in alphazero_seeds.load() if r.variant == "no Dirichlet noise" and r.seed == 3
    )
    assert net is None and history.value_loss == stored.history.value_loss
    with pytest.raises(ValueError, match="no stored run for seed 11"):
        alphazero_seeds.stored_train(game, seed=11)
    with pytest.raises(ValueError, match="no stored run for seed 0"):
        alphazero_seeds.stored_train(game, seed=0, lr=0.5)
    with pytest.raises(ValueError, match="only tic-tac-toe"):
        alphazero_seeds.stored_train(games.ConnectFour(4, 5), seed=0)
    with pytest.raises(ValueError, match="variant must be one of"):
        alphazero_seeds.run_seed("no search", 0)


def test_config_of_each_variant_differs_only_where_it_says():
    base = alphazero.TrainConfig()
    assert alphazero_seeds.config_of("lecture's loop") == base
    assert alphazero_seeds.config_of("no symmetries") == base.replace(symmetries=False)
    notes = alphazero_seeds.config_of("notes' rule in self-play")
    assert notes.self_play.rule == "notes" and notes.self_play.c_puct == 1.0
    assert np.isclose(alphazero_seeds.config_of("no Dirichlet noise").self_play.noise_fraction, 0)
