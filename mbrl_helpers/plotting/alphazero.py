"""Figures for lecture 06: the AlphaZero loop, PUCT bonuses, learning curves, what the net learned.

Every function draws with matplotlib on the axes it is given (or new ones) and returns them; the
algorithms in `mbrl_helpers.alphazero` never import this module.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from mbrl_helpers.alphazero import History


def draw_alphazero_loop(ax=None):
    """The cycle: self-play (MCTS + f_theta) -> examples (s, pi, z) -> gradient steps -> f_theta."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.6))
    boxes = {
        "net": (0.5, 0.82, "network $f_\\theta(s) = (\\pi_\\theta(\\cdot|s), V_\\theta(s))$"),
        "play": (0.85, 0.3, "self-play:\nMCTS at every move,\n$\\pi_\\theta$ as prior, $V_\\theta$ at leaves"),
        "data": (0.5, 0.08, "examples $(s_t, \\pi_t, z_t)$\n$\\times$ 8 symmetries"),
        "learn": (0.15, 0.3, "gradient steps on\n$(z-v)^2 - \\pi^\\top \\log p + c\\|\\theta\\|^2$"),
    }  # fmt: skip
    for x, y, text in boxes.values():
        ax.add_patch(
            FancyBboxPatch(
                (x - 0.15, y - 0.08), 0.3, 0.16, boxstyle="round,pad=0.02", fc="0.95", ec="0.3"
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=9)
    arrows = [("net", "play", "guides"), ("play", "data", "visits, outcome"),
              ("data", "learn", "minibatches"), ("learn", "net", "new $\\theta$")]  # fmt: skip
    for a, b, label in arrows:
        (xa, ya, _), (xb, yb, _) = boxes[a], boxes[b]
        ax.add_patch(
            FancyArrowPatch(
                (xa, ya), (xb, yb), arrowstyle="-|>", mutation_scale=14, shrinkA=38, shrinkB=38,
                connectionstyle="arc3,rad=-0.25", color="tab:blue",
            )
        )  # fmt: skip
        ax.text((xa + xb) / 2 + 0.04 * np.sign(xb - xa + 1e-9), (ya + yb) / 2, label,
                fontsize=8, color="tab:blue", ha="center")  # fmt: skip
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.05, 0.95)
    ax.set_axis_off()
    ax.set_title("AlphaZero: planning ahead of acting (training) feeds planning while acting")
    return ax


def plot_bonus(ax=None, *, P: float = 0.2, c_puct: float = 1.5, n_max: int = 400):
    """Exploration bonus of a child never visited, as the parent's visits N(s) grow."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    N_s = np.arange(1, n_max + 1)
    ax.plot(
        N_s,
        c_puct * P * np.sqrt(N_s),
        label=f"AlphaZero: $c_{{puct}} P \\sqrt{{N(s)}}$ ($c_{{puct}}$={c_puct})",
    )
    ax.plot(N_s, np.full(N_s.shape, P), label="notes: $P / (N(s,a) + 1)$")
    ax.set_xlabel("visits of the parent N(s)")
    ax.set_ylabel("bonus of an unvisited child")
    ax.set_title(f"prior P = {P}: one bonus grows, one does not")
    ax.legend(fontsize=8)
    return ax


def plot_loss_rates(
    history: History,
    ax: plt.Axes,
    *,
    raw: str = "network alone",
    search: str = "network + search",
) -> plt.Axes:
    """Per iteration, the exact probability of losing to the perfect player, of the network alone
    (`raw`) and of the search with it (`search`), as X and as O; the stretch from which neither
    loses again is shaded. For AlphaZero's and MuZero's histories alike."""
    it = np.arange(1, history.n_iterations + 1)
    curves = [
        (history.raw_loss_first, f"{raw}, as X", "tab:orange", "-"),
        (history.raw_loss_second, f"{raw}, as O", "tab:orange", "--"),
        (history.search_loss_first, f"{search}, as X", "tab:blue", "-"),
        (history.search_loss_second, f"{search}, as O", "tab:blue", "--"),
    ]
    for values, label, color, style in curves:
        ax.plot(it, values, style, color=color, label=label, marker=".")
    start = history.unbeaten_from()
    if start is not None:
        ax.axvspan(start + 0.5, history.n_iterations + 0.5, color="tab:green", alpha=0.12,
                   label="no loss to the perfect player")  # fmt: skip
    ax.set_xlabel("iteration")
    ax.set_ylabel("P(loss)")
    ax.set_title("against the perfect player (exact)")
    ax.legend(fontsize=7)
    return ax


def plot_history(history: History, axes=None):
    """Learning curves (three panels): the two loss terms, the probabilities of losing to the
    perfect player, and those of the network alone against a random player, per iteration."""
    if not isinstance(history, History):
        raise TypeError(f"history must be an alphazero.History, got {type(history).__name__}")
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(15, 3.6))
    it = np.arange(1, history.n_iterations + 1)
    ax = axes[0]
    ax.plot(it, history.value_loss, label="value term $(z - v)^2$")
    ax.plot(it, history.policy_loss, label="policy term $-\\pi^\\top \\log p$")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss (mean of the last minibatches)")
    ax.set_title("training loss")
    ax.legend(fontsize=8)
    plot_loss_rates(history, axes[1])
    ax = axes[2]  # its own scale: these rates are a hundred times smaller
    ax.plot(it, history.raw_loss_random_first, "-", color="tab:orange", marker=".",
            label="network alone, as X")  # fmt: skip
    ax.plot(it, history.raw_loss_random_second, "--", color="tab:orange", marker=".",
            label="network alone, as O")  # fmt: skip
    ax.set_xlabel("iteration")
    ax.set_ylabel("P(loss)")
    ax.set_title("against a random player (exact)")
    ax.legend(fontsize=7)
    return axes


def draw_board(ax, game, state, *, values=None, title: str = "", cmap: str = "Greens"):
    """A tic-tac-toe board; `values` (length 9, NaN where not shown) colour the empty cells."""
    board = game.board(state)
    rows, cols = board.shape
    shade = (
        np.full((rows, cols), np.nan) if values is None else np.asarray(values).reshape(rows, cols)
    )
    ax.imshow(np.where(board == 0, shade, np.nan), cmap=cmap, vmin=0, vmax=1)
    for r in range(rows):
        for c in range(cols):
            if board[r, c]:
                ax.text(c, r, "X" if board[r, c] > 0 else "O", ha="center", va="center",
                        fontsize=20, weight="bold")  # fmt: skip
    ax.set_xticks(np.arange(-0.5, cols), minor=True)
    ax.set_yticks(np.arange(-0.5, rows), minor=True)
    ax.grid(which="minor", color="0.3", linewidth=1.5)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_title(title, fontsize=9)
    return ax


def plot_policy_vs_solver(game, states: Sequence, priors, values, solved, axes=None):
    """Per position: the network's policy as shading, with the solver's move values in the cells.

    `priors[i]` is a length-9 policy, `values[i]` the network's V, `solved[i]` the pair
    (value, per-move values as a dict action -> value) from the view of the player to move.
    """
    n = len(states)
    if axes is None:
        _, axes = plt.subplots(1, n, figsize=(2.6 * n, 3.0))
    axes = np.atleast_1d(axes)
    for ax, s, p, v, (v_star, move_values) in zip(
        axes, states, priors, values, solved, strict=True
    ):
        draw_board(ax, game, s, values=p,
                   title=f"{'XO'[game.current_player(s)]} to move\n$V_\\theta$ = {v:+.2f}, "
                         f"solver {v_star:+d}")  # fmt: skip
        for a, val in move_values.items():
            r, c = divmod(a, game.cols)
            ax.text(c, r + 0.32, f"{val:+d}", ha="center", va="center", fontsize=8,
                    color="tab:red" if val < v_star else "0.2")  # fmt: skip
            ax.text(c, r - 0.1, f"{p[a]:.2f}", ha="center", va="center", fontsize=10)
    return axes


def plot_seeds(histories: Sequence[History], axes=None):
    """Many seeds of `train`: per iteration, the exact probability of losing as O to the perfect
    player, for the network alone and with search, one line per seed; a dot marks the iteration
    from which each seed is unbeaten (both players, both sides) to the end."""
    for h in histories:
        if not isinstance(h, History):
            raise TypeError(f"histories must be alphazero.History objects, got {type(h).__name__}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.4), sharey=True)
    colors = plt.get_cmap("tab10")
    panels = [("raw_loss_second", "network alone, as O"),
              ("search_loss_second", "network + search (50 simulations), as O")]  # fmt: skip
    for ax, (field_name, title) in zip(axes, panels, strict=True):
        for i, h in enumerate(histories):
            it = np.arange(1, h.n_iterations + 1)
            values = np.asarray(getattr(h, field_name))
            ax.plot(it, values, color=colors(i % 10), lw=1.2, alpha=0.8)
            start = h.unbeaten_from()
            if start is not None:
                ax.plot(start + 1, values[start], "o", color=colors(i % 10), ms=5)
        ax.set_xlabel("iteration")
        ax.set_title(title)
    axes[0].set_ylabel("P(loss) against the perfect player")
    axes[-1].plot([], [], "o", color="0.4", label="unbeaten from here on")
    axes[-1].legend(fontsize=8)
    return axes


def plot_ablation(results: dict, n_iterations: int, ax=None):
    """For each variant, the iteration from which each seed is unbeaten (a dot per seed; seeds
    still losing at the end are drawn above the last iteration, as 'not unbeaten')."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.6 + 0.6 * len(results)))
    never = n_iterations + 2
    for row, values in enumerate(results.values()):
        values = list(values)
        y = row + np.linspace(-0.15, 0.15, len(values)) if len(values) > 1 else [row]
        x = [never if v is None else v for v in values]
        ax.scatter(x, y, color=["tab:red" if v is None else "tab:blue" for v in values], s=22)
        done = [v for v in values if v is not None]
        if done:
            ax.plot([np.median(done)] * 2, [row - 0.3, row + 0.3], color="k", lw=1.5)
    ax.axvline(n_iterations + 1, color="0.6", ls=":")
    ax.set_yticks(range(len(results)), list(results))
    ax.set_xticks([*range(0, n_iterations + 1, 5), never],
                  [*map(str, range(0, n_iterations + 1, 5)), "never"])  # fmt: skip
    ax.set_xlim(0, never + 1)
    ax.invert_yaxis()
    ax.set_xlabel("iteration from which the players never lose to the perfect player "
                  "(bar: median of the unbeaten seeds)")  # fmt: skip
    return ax
