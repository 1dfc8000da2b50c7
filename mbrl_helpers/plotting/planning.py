"""Figures of lecture 03, "Planning methods" (Sutton & Barto 8.4-8.7).

Public names:

- `draw_planning_families(figsize)`: the three ways to plan with a model, side by side.
- `plot_figure_8_7(curves, ax=None)`: RMS error against max-Q computations (in units of b) for
  several branching factors b, expected vs sample updates (Figure 8.7).
- `plot_example_8_4(n_states, updates, quartiles=None, ax=None)`: updates until optimal against
  maze size (medians, with their quartiles as error bars).
- `plot_figure_8_8(curves, eval_every, ax=None)`: start-state value of the greedy policy against
  expected updates, on-policy vs uniform distribution of updates (Figure 8.8).
- `plot_gradient_planning(histories, ax=None)`: predicted return per iteration (or candidate).
- `plot_return_curves(curves, x, ax=None)`: best predicted return against model rollouts, the
  median over seeds with the quartiles as a band (random shooting vs CEM vs gradient ascent).
- `plot_returns_by_planner(returns, ax=None)`: one dot per seed and the mean, for each planner.
- `plot_trajectories(trajectories, x_target, ax=None)`: position x_t of action plans.
- `plot_planned_states(env, masks, axes=None, paths=None)`: a set of cells per planner (e.g. those
  it updated, or those whose values are exact), one maze each, with an optional path drawn on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import FancyBboxPatch

from mbrl_helpers.planning import ExpectedVsSample

__all__ = [
    "draw_planning_families",
    "plot_example_8_4",
    "plot_figure_8_7",
    "plot_figure_8_8",
    "plot_gradient_planning",
    "plot_planned_states",
    "plot_return_curves",
    "plot_returns_by_planner",
    "plot_trajectories",
]


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def draw_planning_families(figsize: tuple[float, float] = (11, 3.4)) -> plt.Figure:
    """Three panels: what each family of planning methods asks of the model and does with it."""
    fig, axes = plt.subplots(1, 3, figsize=figsize)
    panels = [
        (
            "Sample-based",
            "model: sample\n$R, S' \\sim \\hat p(\\cdot \\mid s, a)$",
            "update: one sample\n$Q \\leftarrow Q + \\alpha[R + \\gamma \\max Q(S') - Q]$",
            "Dyna-Q, MCTS;\nshooting, CEM, PETS",
            "#cfe2f3",
        ),
        (
            "Distribution-based",
            "model: all outcomes\n$\\hat p(s', r \\mid s, a)$",
            "update: expectation\n$Q \\leftarrow \\sum \\hat p\\,[r + \\gamma \\max Q(s')]$",
            "value iteration,\nprioritized sweeping",
            "#d9ead3",
        ),
        (
            "Gradient-based",
            "model: differentiable\n$s_{t+1} = f(s_t, a_t)$",
            "backprop the return J:\nplan: $a \\leftarrow a + \\eta\\, \\partial J / \\partial a$\n"
            "policy: $\\theta \\leftarrow \\theta + \\eta\\, \\partial J / \\partial \\theta$",
            "actions: this lecture, MPC\npolicy parameters: PILCO, Dreamer",
            "#fce5cd",
        ),
    ]
    for ax, (title, model, update, examples, colour) in zip(axes, panels, strict=True):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        ax.set_title(title, fontsize=12, weight="bold")
        for y, text in ((0.78, model), (0.42, update)):
            ax.add_patch(
                FancyBboxPatch(
                    (0.05, y - 0.14), 0.9, 0.28, boxstyle="round,pad=0.01,rounding_size=0.03",
                    facecolor=colour, edgecolor="black",
                )
            )  # fmt: skip
            ax.text(0.5, y, text, ha="center", va="center", fontsize=9.5)
        ax.annotate("", xy=(0.5, 0.57), xytext=(0.5, 0.63), arrowprops={"arrowstyle": "-|>"})
        ax.text(0.5, 0.1, examples, ha="center", va="center", fontsize=9.5, style="italic")
    fig.tight_layout()
    return fig


def plot_figure_8_7(curves: Mapping[int, ExpectedVsSample], ax: plt.Axes | None = None) -> plt.Axes:
    """Figure 8.7: `curves[b]`, the RMS errors indexed by computations 0..2b."""
    ax = _axes(ax, (6, 3.8))
    colours = plt.cm.viridis(np.linspace(0.0, 0.85, len(curves)))
    for colour, (b, errors) in zip(colours, curves.items(), strict=True):
        x = np.arange(len(errors.sample)) / b
        ax.plot(x, errors.sample, color=colour, label=f"sample updates, b = {b}")
        ax.plot(
            x, errors.expected, color=colour, linestyle="--", linewidth=1, drawstyle="steps-post"
        )
    ax.plot([], [], color="grey", linestyle="--", label="expected update (any b)")
    ax.set_xlabel(r"number of $\max_{a'} Q(s', a')$ computations (in units of $b$)")
    ax.set_ylabel("RMS error in the value estimate")
    ax.set_xticks([0, 1, 2], ["0", "1b", "2b"])
    ax.set_ylim(0, 1.1)
    ax.legend(fontsize=8)
    ax.set_title("Expected vs sample updates (Sutton & Barto Figure 8.7)")
    return ax


def plot_example_8_4(
    n_states: Sequence[int],
    updates: Mapping[str, Sequence[float]],
    quartiles: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Example 8.4: median updates until the greedy policy is optimal against maze size (log y);
    `quartiles[name]` (optional) gives (25th, 75th percentile) per size, drawn as error bars."""
    ax = _axes(ax, (5.5, 3.8))
    for (name, values), marker in zip(updates.items(), "os^", strict=False):
        values = np.asarray(values, dtype=float)
        if quartiles is not None and name in quartiles:
            q = np.asarray(quartiles[name], dtype=float)
            yerr = np.vstack([values - q[:, 0], q[:, 1] - values])
            ax.errorbar(n_states, values, yerr=yerr, marker=marker, capsize=3, label=name)
        else:
            ax.plot(n_states, values, marker=marker, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("gridworld size (free cells)")
    ax.set_ylabel("updates until optimal solution")
    ax.legend()
    ax.set_title("Prioritized sweeping vs Dyna-Q (Example 8.4)")
    return ax


def plot_figure_8_8(
    curves: Mapping[str, np.ndarray], eval_every: int, ax: plt.Axes | None = None
) -> plt.Axes:
    """Figure 8.8: `curves[label]` holds the greedy start-state value every `eval_every` updates;
    labels containing "on-policy" are drawn solid, the others dashed, one colour per b."""
    ax = _axes(ax, (6, 3.8))
    colours: dict[str, str] = {}
    for label, values in curves.items():
        key = label.split(",")[0]
        colour = colours.setdefault(key, f"C{len(colours)}")
        style = "-" if "on-policy" in label else "--"
        ax.plot(np.arange(len(values)) * eval_every, values, style, color=colour, label=label)
    ax.set_xlabel("computation time, in expected updates")
    ax.set_ylabel("value of start state\nunder greedy policy")
    ax.legend(fontsize=8)
    ax.set_title("On-policy trajectory sampling vs uniform updates (Figure 8.8)")
    return ax


def plot_gradient_planning(
    histories: Mapping[str, np.ndarray],
    ax: plt.Axes | None = None,
    xlabel: str = "model rollouts spent",
    x: Mapping[str, np.ndarray] | None = None,
) -> plt.Axes:
    """Predicted return against compute for several planners (`x[name]` gives the x values)."""
    ax = _axes(ax, (5.5, 3.6))
    for name, history in histories.items():
        xs = x[name] if x is not None else np.arange(len(history))
        ax.plot(xs, history, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("predicted return J")
    ax.legend(fontsize=8)
    return ax


def plot_trajectories(
    trajectories: Mapping[str, np.ndarray], x_target: float, ax: plt.Axes | None = None
) -> plt.Axes:
    """Position x_t over time of several rollouts (`trajectories[name]` holds states s_0..s_H)."""
    ax = _axes(ax, (5.5, 3.6))
    for name, states in trajectories.items():
        style = "--" if "predicted" in name else "-"
        ax.plot(np.asarray(states)[:, 0], style, label=name)
    ax.axhline(x_target, color="black", linewidth=0.8, linestyle=":", label="target")
    ax.set_xlabel("time step t")
    ax.set_ylabel("position x")
    ax.legend(fontsize=8)
    return ax


def plot_planned_states(
    env,
    masks: Mapping[str, np.ndarray],
    axes=None,
    paths: Mapping[str, Sequence[int]] | None = None,
) -> np.ndarray:
    """One maze per planner: the cells in its mask light green, walls dark, S and G marked;
    `paths[name]` (optional), a sequence of states, is drawn as a line."""
    env = getattr(env, "unwrapped", env)
    if axes is None:
        _, axes = plt.subplots(1, len(masks), figsize=(4.6 * len(masks), 3.4))
    axes = np.atleast_1d(axes)
    walls = np.array([[ch == "#" for ch in row] for row in env.grid])
    cmap = ListedColormap(["white", "#a8d5a2", "#404040"])
    for ax, (name, mask) in zip(axes, masks.items(), strict=True):
        grid = np.asarray(mask, dtype=float).reshape(env.shape)
        grid[walls] = 2.0
        ax.imshow(grid, cmap=cmap, vmin=0, vmax=2, origin="upper")
        for s, ch in ((env.start, "S"), (env.goals[0], "G")):
            r, c = env.to_cell(s)
            ax.text(c, r, ch, ha="center", va="center", fontsize=10, weight="bold")
        if paths is not None and name in paths:
            rows, cols = zip(*(env.to_cell(s) for s in paths[name]), strict=True)
            ax.plot(cols, rows, color="tab:blue", linewidth=1.5, label="greedy path from S")
            ax.legend(fontsize=7, loc="lower left")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.set_title(name, fontsize=10)
    return axes


def plot_return_curves(
    curves: Mapping[str, np.ndarray],
    x: Mapping[str, np.ndarray],
    ax: plt.Axes | None = None,
    xlabel: str = "model rollouts (candidate sequences evaluated)",
) -> plt.Axes:
    """`curves[name]` has one row per seed (a single row: one line); the median over seeds is
    drawn with the band between the 25th and 75th percentiles, against `x[name]`."""
    ax = _axes(ax, (5.5, 3.6))
    for name, values in curves.items():
        values = np.atleast_2d(np.asarray(values, dtype=float))
        (line,) = ax.plot(x[name], np.median(values, axis=0), label=name)
        if len(values) > 1:
            low, high = np.percentile(values, [25, 75], axis=0)
            ax.fill_between(x[name], low, high, color=line.get_color(), alpha=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("best predicted return J")
    ax.legend(fontsize=8)
    return ax


def plot_returns_by_planner(
    returns: Mapping[str, Sequence[float]], ax: plt.Axes | None = None, xlabel: str = "real return"
) -> plt.Axes:
    """One row per planner: a dot per seed and a bar at the mean."""
    ax = _axes(ax, (6, 0.5 + 0.5 * len(returns)))
    for i, values in enumerate(returns.values()):
        values = np.asarray(values, dtype=float).ravel()
        jitter = np.linspace(-0.15, 0.15, len(values))
        ax.scatter(values, i + jitter, s=12, alpha=0.7)
        ax.plot([values.mean()] * 2, [i - 0.3, i + 0.3], color="black", linewidth=2)
    ax.set_yticks(range(len(returns)), list(returns))
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    return ax
