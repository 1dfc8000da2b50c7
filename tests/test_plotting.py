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
    ):
        assert label in field
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
