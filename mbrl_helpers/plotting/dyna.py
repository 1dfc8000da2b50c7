"""Figures of lecture 01 (Sutton & Barto chapter 8): the Dyna cycle, mazes, learning curves.

Public names:

- `draw_dyna_cycle(ax=None)`: the planning-learning-acting cycle with Dyna's two paths to the
  value function, direct RL and planning (after the unnumbered diagram at the start of Sutton &
  Barto section 8.2), its arrows lettered with the steps of the Dyna-Q box.
- `plot_maze(env, Q=None, ax=None, title=None, agent=None)`: the maze; with `Q`, each cell
  coloured by max_a Q(s, a) and an arrow for its greedy action (Figure 8.3).
- `plot_steps_per_episode(curves, ax=None, optimal=14)`: Figure 8.2.
- `plot_cumulative_reward(curves, change_at, ax=None, title=None)`: Figures 8.4 and 8.5.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from mbrl_helpers.envs import ACTION_DELTAS, GridWorld
from mbrl_helpers.plotting.diagrams import arrow, box
from mbrl_helpers.tabular import greedy_policy

__all__ = ["draw_dyna_cycle", "plot_cumulative_reward", "plot_maze", "plot_steps_per_episode"]

_COLOURS = {"Dyna-Q": "tab:blue", "Dyna-Q+": "tab:red"}


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def draw_dyna_cycle(ax: plt.Axes | None = None) -> plt.Axes:
    """Value/policy -> acting -> experience -> model learning -> model -> planning -> value/policy,
    with direct RL as the short cut from experience to the value function."""
    ax = _axes(ax, (7, 5))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    top, left, right = (0.5, 0.85), (0.18, 0.2), (0.82, 0.2)
    box(
        ax,
        *top,
        "value / policy\n$Q$, $\\pi$",
        width=0.3,
        height=0.13,
        color="#dbe9f6",
        fontsize=11,
        weight="bold",
    )
    box(
        ax,
        *left,
        "model\n$\\hat p(s', r \\mid s, a)$",
        width=0.3,
        height=0.13,
        color="#dff0d8",
        fontsize=11,
        weight="bold",
    )
    box(
        ax,
        *right,
        "experience\n$S, A, R, S'$",
        width=0.3,
        height=0.13,
        color="#fde3c8",
        fontsize=11,
        weight="bold",
    )
    arrow(ax, (0.6, 0.8), (0.82, 0.28), "acting (b, c)", rad=-0.3, label_offset=(0.16, 0.08))
    arrow(ax, (0.67, 0.2), (0.33, 0.2), "model learning (e)", rad=0.0, label_offset=(0.0, -0.06))
    arrow(ax, (0.18, 0.28), (0.4, 0.8), "planning (f)", rad=-0.3, label_offset=(-0.16, 0.08))
    arrow(
        ax,
        (0.78, 0.28),
        (0.55, 0.78),
        "direct RL (d)",
        rad=0.15,
        color="tab:red",
        label_offset=(-0.1, -0.04),
    )
    ax.text(0.5, 0.02, "letters: the steps of the Dyna-Q box (Sutton & Barto 8.2)", ha="center",
            fontsize=9, color="grey")  # fmt: skip
    return ax


def plot_maze(
    env: GridWorld,
    Q: np.ndarray | None = None,
    ax: plt.Axes | None = None,
    title: str | None = None,
    agent: int | None = None,
    vmax: float | None = None,
) -> plt.Axes:
    """The maze (walls dark, S and G marked); with Q, values max_a Q as colours and greedy arrows.

    Cells whose actions are all tied (nothing learned yet) get no arrow.
    """
    env = getattr(env, "unwrapped", env)
    if not isinstance(env, GridWorld):
        raise TypeError(f"env must be a GridWorld maze, got {type(env).__name__}")
    ax = _axes(ax, (5, 3.6))
    n_rows, n_cols = env.shape
    if Q is not None:
        Q = np.asarray(Q, dtype=float)
        if Q.shape != (env.n_states, env.n_actions):
            raise ValueError(
                f"Q must have shape {(env.n_states, env.n_actions)} for this maze, got {Q.shape}"
            )
        V = Q.max(axis=1).reshape(n_rows, n_cols)
        V = np.where(np.array([[ch == "#" for ch in row] for row in env.grid]), np.nan, V)
        ax.imshow(V, cmap="Greens", vmin=0.0, vmax=vmax or max(np.nanmax(V), 1e-9), origin="upper")
        pi = greedy_policy(Q, undecided=-1)
        for s in range(env.n_states):
            r, c = env.to_cell(s)
            if pi[s] < 0 or env.grid[r][c] in "#G":
                continue
            dr, dc = ACTION_DELTAS[pi[s]]
            ax.arrow(c - 0.25 * dc, r - 0.25 * dr, 0.4 * dc, 0.4 * dr, head_width=0.18,
                     head_length=0.12, length_includes_head=True, color="black")  # fmt: skip
    else:
        ax.imshow(np.zeros(env.shape), cmap="Greys", vmin=0, vmax=1, origin="upper")
    for r, row in enumerate(env.grid):
        for c, ch in enumerate(row):
            if ch == "#":
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, color="#404040"))
            elif ch in "SG":  # in a corner when an arrow may take the middle of the cell
                x, y, size = (c - 0.3, r - 0.27, 9) if Q is not None else (c, r, 12)
                ax.text(x, y, ch, ha="center", va="center", fontsize=size, weight="bold",
                        color="tab:blue" if ch == "S" else "darkgreen")  # fmt: skip
    if agent is not None:
        r, c = env.to_cell(agent)
        ax.add_patch(plt.Circle((c, r), 0.3, color="tab:red", alpha=0.8))
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="#bbbbbb", linewidth=0.8)
    ax.tick_params(which="both", bottom=False, left=False, labelbottom=False, labelleft=False)
    if title:
        ax.set_title(title)
    return ax


def plot_steps_per_episode(
    curves: Mapping[int, np.ndarray], ax: plt.Axes | None = None, optimal: int | None = 14
) -> plt.Axes:
    """Figure 8.2: steps per episode against episodes, one curve per number of planning steps n.

    The first episode (hundreds of steps for every n) is left out of the y-range, as in the book.
    """
    ax = _axes(ax, (6.5, 4))
    for n, curve in curves.items():
        episodes = np.arange(1, len(curve) + 1)
        ax.plot(episodes[1:], curve[1:], label=f"n = {n} planning steps")
    if optimal is not None:
        ax.axhline(optimal, color="grey", linestyle=":", label=f"shortest path ({optimal})")
    ax.set_xlabel("episode")
    ax.set_ylabel("steps per episode")
    top = max(float(np.max(curve[1:])) for curve in curves.values())
    ax.set_ylim(0, min(top * 1.05, 800))
    ax.set_xlim(1, max(len(c) for c in curves.values()))
    ax.legend()
    return ax


def plot_cumulative_reward(
    curves: Mapping[str, np.ndarray],
    change_at: int,
    ax: plt.Axes | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Figures 8.4 and 8.5: cumulative reward against time steps; the world changes at a line."""
    ax = _axes(ax, (6.5, 4))
    # Dyna-Q and Dyna-Q+ keep their colours; other agents (replay, ...) get the next free ones
    used = {_COLOURS[name] for name in curves if name in _COLOURS}
    spare = iter(c for c in ("tab:orange", "tab:green", "tab:purple", "tab:brown") if c not in used)
    for name, curve in curves.items():
        colour = _COLOURS.get(name) or next(spare, None)
        ax.plot(np.arange(1, len(curve) + 1), curve, label=name, color=colour)
    ax.axvline(change_at, color="grey", linestyle="--", label=f"the maze changes (t = {change_at})")
    ax.set_xlabel("time steps")
    ax.set_ylabel("cumulative reward")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax
