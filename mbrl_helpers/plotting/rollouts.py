"""Figures for lecture 04 (rollouts): boards with values, the rollout fan, Q against N, matches.

Every function draws with matplotlib and returns the axes (or figure); it takes results computed
by `mbrl_helpers.rollouts` and `mbrl_helpers.games`, never the reverse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

from mbrl_helpers.games import Game, MatchResult, State, check_game
from mbrl_helpers.rollouts import RolloutEstimate

OUTCOME_COLORS = {1: "tab:green", 0: "0.55", -1: "tab:red"}
X_COLOR, O_COLOR = "tab:blue", "tab:orange"


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def draw_board(
    game: Game,
    state: State,
    ax: plt.Axes | None = None,
    *,
    values: Mapping[int, float] | None = None,
    title: str | None = None,
    highlight: int | None = None,
    fontsize: float = 20,
) -> plt.Axes:
    """A board (`game.board(state)`), with an optional number per action drawn where it plays.

    For tic-tac-toe an action is a cell; for Connect Four a column, whose value is written under
    it. Values in [-1, 1] colour their cell from red (-1) to green (+1); `highlight` circles one
    action (e.g. the chosen move).
    """
    check_game("game", game)
    board = game.board(state)
    rows, cols = board.shape
    ax = _axes(ax, (0.8 * cols + 0.4, 0.8 * rows + 0.6))
    cmap = plt.get_cmap("RdYlGn")
    per_cell = game.num_actions == rows * cols
    for a, v in (values or {}).items():
        if v is None or not np.isfinite(v):
            continue
        r, c = divmod(a, cols) if per_cell else (rows, a)
        ax.add_patch(
            Rectangle((c, rows - 1 - r), 1, 1, color=cmap(0.5 + 0.5 * float(v)), alpha=0.55)
        )
        ax.text(
            c + 0.5, rows - 0.5 - r, f"{v:+.2f}", ha="center", va="center", fontsize=fontsize * 0.5
        )
    for r in range(rows):
        for c in range(cols):
            mark = {1: ("X", X_COLOR), -1: ("O", O_COLOR)}.get(int(board[r, c]))
            if mark:
                ax.text(
                    c + 0.5,
                    rows - 0.5 - r,
                    mark[0],
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color=mark[1],
                    weight="bold",
                )
    if highlight is not None:
        r, c = divmod(highlight, cols) if per_cell else (rows, highlight)
        ax.add_patch(Circle((c + 0.5, rows - 0.5 - r), 0.45, fill=False, lw=2.5, color="black"))
    for i in range(rows + 1):
        ax.plot([0, cols], [i, i], color="black", lw=1)
    for j in range(cols + 1):
        ax.plot([j, j], [0, rows], color="black", lw=1)
    low = -1.1 if (values and not per_cell) or (highlight is not None and not per_cell) else -0.05
    ax.set_xlim(-0.05, cols + 0.05)
    ax.set_ylim(low, rows + 0.05)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def draw_when_to_plan(figsize: tuple[float, float] = (10, 4.6)) -> plt.Figure:
    """Two timelines: planning ahead of acting (once, for every state) vs while acting (per s_t)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=figsize)
    n_steps = 4
    xs = 3.0 + 2.0 * np.arange(n_steps)
    for ax in (top, bottom):
        ax.set_xlim(-0.2, xs[-1] + 1.2)
        ax.set_ylim(-0.9, 1.6)
        ax.axis("off")
        for i, x in enumerate(xs):
            ax.add_patch(Circle((x, 0), 0.28, color="0.9", ec="black", zorder=3))
            ax.text(x, 0, f"$S_{i}$", ha="center", va="center", zorder=4)
            if i + 1 < n_steps:
                ax.add_patch(
                    FancyArrowPatch(
                        (x + 0.3, 0),
                        (x + 1.7, 0),
                        arrowstyle="-|>",
                        mutation_scale=12,
                        color="black",
                    )
                )
                ax.text(x + 1.0, -0.35, f"$A_{i}$", ha="center", fontsize=9)
    # Planning ahead: one long planning phase that covers every state, then fast lookups.
    top.add_patch(Rectangle((0.0, -0.6), 2.2, 2.0, color="tab:blue", alpha=0.2))
    top.text(
        1.1,
        0.4,
        "plan for\nevery state\n(value iteration,\nDyna-Q)",
        ha="center",
        va="center",
        fontsize=9,
    )
    for x in xs[:-1]:
        top.text(x, 0.55, "look up\n$\\pi(S_t)$", ha="center", fontsize=8)
    top.set_title(
        "planning ahead of acting: a policy for all states, computed before it is needed",
        fontsize=10,
        loc="left",
    )
    # Planning while acting: a fan of simulations from the current state at every step.
    rng = np.random.default_rng(0)
    for x in xs[:-1]:
        for dx in np.linspace(-0.6, 0.6, 5):
            y, xx = 0.3, x
            pts = [(xx, y)]
            for _ in range(4):
                xx += dx / 4 + rng.normal(0, 0.05)
                y += 0.28
                pts.append((xx, y))
            px, py = zip(*pts, strict=True)
            bottom.plot(px, py, color="tab:orange", lw=1)
    bottom.text(1.1, 0.4, "nothing\nplanned\nin advance", ha="center", va="center", fontsize=9)
    bottom.set_title(
        "planning while acting: simulations from the current state $S_t$ only, "
        "then act and forget (rollouts, MCTS)",
        fontsize=10,
        loc="left",
    )
    fig.tight_layout()
    return fig


def draw_rollout_fan(
    game: Game,
    state: State,
    first_actions: Sequence[int],
    outcomes: Sequence[float],
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """The rollout algorithm as a picture: s_t, one branch per action, its rollouts' outcomes.

    Each rollout is a dashed line from the branch of its first action to its outcome v_i; the
    mean per branch is Q(s_t, a), written at the right.
    """
    check_game("game", game)
    actions = game.legal_actions(state)
    first_actions, outcomes = list(first_actions), list(outcomes)
    ax = _axes(ax, (9, 0.7 * len(actions) + 1))
    ys = np.arange(len(actions))[::-1].astype(float)
    most = max([first_actions.count(a) for a in actions] + [1])
    x_q = 3.4 + 0.45 * most  # the Q column, right of the longest fan
    ax.text(
        0,
        ys.mean(),
        "$s_t$",
        ha="center",
        va="center",
        fontsize=13,
        bbox={"boxstyle": "circle", "fc": "0.9"},
    )
    for a, y in zip(actions, ys, strict=True):
        ax.plot([0.25, 1.6], [ys.mean(), y], color="black", lw=1)
        ax.text(1.8, y, f"a={a}", va="center", fontsize=9)
        mine = [v for f, v in zip(first_actions, outcomes, strict=True) if f == a]
        for k, v in enumerate(mine):
            x_end = 3.0 + 0.45 * k
            ax.plot([2.5, x_end], [y, y + 0.25], ls="--", lw=0.8, color=OUTCOME_COLORS[int(v)])
            ax.text(
                x_end,
                y + 0.3,
                f"{int(v):+d}",
                fontsize=8,
                ha="center",
                color=OUTCOME_COLORS[int(v)],
            )
        q = f"Q = {np.mean(mine):+.2f}  ({len(mine)} rollouts)" if mine else "no rollout"
        ax.text(x_q, y, q, va="center", fontsize=9)
    ax.set_xlim(-0.4, x_q + 2.0)
    ax.set_ylim(-0.6, len(actions) - 0.2)
    ax.axis("off")
    ax.set_title(
        "rollouts from $s_t$: $Q(s_t,a)$ = mean outcome of the rollouts starting with $a$",
        fontsize=10,
    )
    return ax


def plot_q_against_n(
    ns: Sequence[int],
    estimates: Sequence[RolloutEstimate],
    exact: Sequence[float] | None = None,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Q(s, a) +- one standard error against the number of rollouts N, one line per action."""
    ax = _axes(ax, (7, 4))
    actions = estimates[0].actions
    colors = plt.get_cmap("tab10")
    for j, a in enumerate(actions):
        q = [e.Q[j] for e in estimates]
        se = [e.standard_error[j] for e in estimates]
        shift = 1 + 0.04 * (j - len(actions) / 2)  # spread the points so the bars do not overlap
        ax.errorbar(
            np.asarray(ns) * shift,
            q,
            yerr=se,
            marker="o",
            ms=3,
            capsize=3,
            color=colors(j),
            label=f"a={a}",
        )
        if exact is not None:
            ax.axhline(exact[j], color=colors(j), ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("rollouts N (log scale)")
    ax.set_ylabel("$Q(s,a)$ $\\pm$ one standard error")
    ax.legend(fontsize=8, ncol=2)
    return ax


def plot_match_results(results: Mapping[str, MatchResult], ax: plt.Axes | None = None) -> plt.Axes:
    """Stacked bars of the share of wins, draws and losses, one bar per match."""
    ax = _axes(ax, (8, 0.5 * len(results) + 1))
    names = list(results)
    totals = [results[n].total for n in names]
    shares = np.array([[t.wins, t.draws, t.losses] for t in totals], dtype=float)
    shares /= shares.sum(axis=1, keepdims=True)
    left = np.zeros(len(names))
    for k, (label, color) in enumerate(
        zip(("win", "draw", "loss"), ("tab:green", "0.7", "tab:red"), strict=True)
    ):
        ax.barh(names, shares[:, k], left=left, color=color, label=label)
        left += shares[:, k]
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of games (first player named, sides alternate)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return ax
