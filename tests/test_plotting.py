"""The figures of the lectures draw what they are given (labels, lines, numbers), headless."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mbrl_helpers import games
from mbrl_helpers.planning import ExpectedVsSample
from mbrl_helpers.plotting import alphazero as az_plots
from mbrl_helpers.plotting import diagrams, models, planning, rollouts


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(fig_or_ax):
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title])


def test_concept_diagrams_name_their_parts():
    taxonomy = texts(diagrams.draw_taxonomy())
    for label in ("Model-free", "Model-based", "Value-based", "Policy-based", "Planning"):
        assert label in taxonomy
    cycle = texts(diagrams.draw_planning_cycle())
    for label in ("acting", "direct RL", "model learning", "planning", "experience"):
        assert label in cycle
    assert "section 8.2" in cycle and "Figure 8.1" not in cycle  # 8.1 is the Dyna architecture
    field = texts(diagrams.draw_map_of_the_field())
    for label in (
        "(critic)",
        "(actor)",
        "transition model",
        "AlphaGo",
        "Dyna-Q",
        "model-free",
        "model-based",
        "MuZero",
        "PILCO",
        "PETS",
        "MBPO, Dreamer",
    ):
        assert label in field
    # MCTS keeps values in its tree: it sits inside the value function's circle
    ax = diagrams.draw_map_of_the_field().axes[0]
    mcts_text = next(t for t in ax.texts if t.get_text().startswith("MCTS"))
    value_circle = ax.patches[0]
    x, y = mcts_text.get_position()
    (cx, cy), r = value_circle.center, value_circle.width / 2
    assert (x - cx) ** 2 + (y - cy) ** 2 < r**2
    legend = [
        t.get_text() for t in diagrams.draw_map_of_the_field().axes[0].get_legend().get_texts()
    ]
    assert "plans ahead of acting" in legend and "plans while acting" in legend


def test_model_plots_draw_one_line_per_curve():
    ax = models.model_error_vs_data(
        [100, 1000, 10000], {"counting": [0.5, 0.2, 0.05], "last outcome": [0.6, 0.6, 0.6]}
    )
    assert len(ax.lines) >= 2
    ax = models.error_vs_horizon([1, 5, 10], {"open loop": [0.1, 0.5, 1.0]})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.1, 0.5, 1.0])
    ax = models.grid_values(
        np.arange(16, dtype=float).reshape(4, 4),
        [list(row) for row in ("SFFF", "FHFH", "FFFH", "HFFG")],
    )
    assert "15.00" in texts(ax)


def test_plots_over_runs_show_means_and_ranges():
    ax = models.counts_over_runs({"one model": [1, 3, 2], "ensemble": [6, 8, 7]}, 8)
    assert [p.get_width() for p in ax.patches] == [2.0, 7.0]
    assert ax.get_xlim() == (0.0, 8.0) and "3 runs" in ax.get_xlabel()
    runs = np.array([[-9.0, -5.0, -1.0], [-3.0, -3.0, -3.0]])
    ax = models.curves_over_runs({"learner": runs})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [-6.0, -4.0, -2.0])
    assert ax.get_xscale() == "log" and "learner (mean)" in ax.get_legend_handles_labels()[1]
    plt.close("all")


def test_rollout_plots_show_the_board_and_the_match_table():
    game = games.TicTacToe()
    state = game.state_from_string("XX. / .O. / ...")
    drawn = texts(rollouts.draw_board(game, state))
    assert drawn.count("X") == 2 and drawn.count("O") == 1
    result = games.match(game, games.random_player(game, 0), games.random_player(game, 1), 10)
    ax = rollouts.plot_match_results({"random vs random": result})
    assert ax.patches, "the match results are drawn as bars"
    assert rollouts.draw_when_to_plan().axes


def test_planning_plots_draw_the_given_curves():
    assert len(planning.draw_planning_families().axes) == 3
    x = np.linspace(0, 2, 5)
    ax = planning.plot_figure_8_7(
        {2: ExpectedVsSample(x, np.exp(-x)), 10: ExpectedVsSample(x, np.exp(-2 * x))}
    )
    assert len(ax.lines) >= 2
    ax = planning.plot_example_8_4(
        [47, 188], {"Dyna-Q": [5000, 20000], "prioritized sweeping": [150, 600]}
    )
    assert len(ax.lines) >= 2
    ax = planning.plot_example_8_4(
        [47, 188],
        {"Dyna-Q": [5000, 20000]},
        {"Dyna-Q": [(4000, 6000), (15000, 30000)]},
    )
    assert ax.containers, "quartiles are drawn as error bars"
    curves = {"random shooting": np.array([[-3.0, -2.0, -1.0], [-4.0, -2.0, -2.0]])}
    ax = planning.plot_return_curves(
        {**curves, "gradient": np.array([-5.0, -1.0])},
        x={"random shooting": np.arange(1, 4), "gradient": np.array([0, 2])},
    )
    assert np.allclose(ax.lines[0].get_ydata(), [-3.5, -2.0, -1.5])  # the median over seeds
    assert ax.collections, "the quartiles of several seeds are drawn as a band"
    ax = planning.plot_returns_by_planner({"a": [1.0, 2.0, 3.0], "b": [[0.0, 1.0]]})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert np.allclose(ax.lines[0].get_xdata(), [2.0, 2.0])  # the mean of "a"


def test_planned_states_draw_masks_and_paths():
    from mbrl_helpers.envs import DYNA_MAZE, GridWorld

    maze = GridWorld(DYNA_MAZE)
    mask = np.zeros(maze.n_states, dtype=bool)
    axes = planning.plot_planned_states(
        maze, {"a": mask, "b": mask}, paths={"a": [maze.start, maze.start + 1]}
    )
    assert len(axes) == 2 and len(axes[0].lines) == 1 and not axes[1].lines


def test_budget_figures_put_numbers_on_log_axes():
    from mbrl_helpers.experiments.budget import Row
    from mbrl_helpers.experiments.game_budget import Strength
    from mbrl_helpers.plotting import budget as budget_plots

    rows = [Row("Q-learning", "none", "none", 4418.0, 4418.0, 15.2, 0),
            Row("Dyna-Q, n=50", "learned table", "ahead", 672.0, 34252.0, 14.8, 0)]  # fmt: skip
    axes = budget_plots.plot_costs(rows)
    assert all(ax.get_xscale() == "log" for ax in axes)
    assert not any(ax.patches for ax in axes), "no bars: on a log axis their length misleads"
    labels = " ".join(t.get_text() for ax in axes for t in ax.texts)
    assert "4,418" in labels and "34,252" in labels
    results = [Strength("mcts", b, s, 0.0, o, 10, 0.01) for b, o in ((10, 0.8), (100, 0.4))
               for s in (0, 1)] + [Strength("alphazero", 0, 0, 0.0, 0.0, 10, 0.001)]  # fmt: skip
    ax = budget_plots.plot_game_strength(results)
    assert ax.get_xscale() == "log" and len(ax.get_legend().get_texts()) == 2


def test_seed_and_ablation_figures():
    from mbrl_helpers.alphazero import History

    h = History(raw_loss_second=[0.5, 0.0], search_loss_second=[0.2, 0.0], raw_loss_first=[0, 0],
                search_loss_first=[0, 0], value_loss=[1, 1])  # fmt: skip
    axes = az_plots.plot_seeds([h, h])
    assert len(axes[0].lines) == 4  # a line and an unbeaten marker per seed
    ax = az_plots.plot_ablation({"a": [3, None], "b": [5, 7]}, 10)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert "never" in [t.get_text() for t in ax.get_xticklabels()]


def test_alphazero_figures():
    assert "self-play" in texts(az_plots.draw_alphazero_loop()).lower()
    ax = az_plots.plot_bonus()
    growing, constant = (line.get_ydata() for line in ax.lines[:2])
    assert np.all(np.diff(growing) > 0), "AlphaZero's bonus of an unvisited child grows with N(s)"
    assert np.allclose(constant, constant[0]), "the notes' bonus pi/(N(s,a)+1) does not"


def test_alphazero_history_has_three_panels_with_their_own_curves():
    from mbrl_helpers.alphazero import History

    h = History()
    for i in range(3):
        h.value_loss.append(0.3 - 0.1 * i)
        h.policy_loss.append(1.5 - 0.1 * i)
        for series in (h.raw_loss_first, h.search_loss_first, h.raw_loss_random_first):
            series.append(0.0)
        h.raw_loss_second.append([0.5, 0.0, 0.0][i])
        h.search_loss_second.append([0.4, 0.0, 0.0][i])
        h.raw_loss_random_second.append([0.03, 0.01, 0.002][i])
    axes = az_plots.plot_history(h)
    assert len(axes) == 3
    assert [len(ax.lines) for ax in axes] == [2, 4, 2]
    assert axes[2].lines[1].get_ydata().tolist() == [0.03, 0.01, 0.002]
    assert "random" in axes[2].get_title()
    plt.close("all")
    with pytest.raises(TypeError, match="history must be an alphazero.History"):
        az_plots.plot_history({})
