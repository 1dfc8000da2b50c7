"""Figures for lecture 07: the unrolled model, learning curves, the model's accuracy, maze paths.

Every function draws with matplotlib on the axes it is given (or new ones) and returns them; the
algorithms in `mbrl_helpers.muzero` never import this module.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from mbrl_helpers.muzero import History, MazeTask, ModelAccuracy
from mbrl_helpers.plotting.alphazero import plot_loss_rates
from mbrl_helpers.plotting.diagrams import BLUE, GREEN, GREY, ORANGE, arrow, box


def draw_unroll(K: int = 3, ax=None):
    """The model unrolled K steps: h, then g along the actions, f at every step; real data below."""
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 4.2))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    xs = np.linspace(0.1, 0.9, K + 1)
    w = 0.1
    for k, x in enumerate(xs):
        box(ax, x, 0.5, f"$s^{k}$", width=w, height=0.1, color=BLUE)
        box(ax, x, 0.84, f"$p^{k}, v^{k}$", width=w + 0.02, height=0.1, color=GREEN)
        arrow(ax, (x, 0.55), (x, 0.79), "$f$", label_offset=(0.018, 0))
        obs = "$o_t$" if k == 0 else f"$o_{{t+{k}}}$"
        box(ax, x, 0.13, obs, width=w, height=0.1, color=GREY)
        if k == 0:
            arrow(ax, (x, 0.18), (x, 0.45), "$h$", label_offset=(0.018, 0))
        else:
            arrow(ax, (x, 0.18), (x, 0.45), "", color="tab:gray")
            ax.text(
                x + 0.012, 0.31, "consistency:\n$s^k$ vs $h(o_{t+k})$", fontsize=7, color="tab:gray"
            )
            x0 = xs[k - 1]
            arrow(ax, (x0 + w / 2, 0.5), (x - w / 2, 0.5), f"$g$, $a_{{t+{k}}}$",
                  label_offset=(0, -0.045))  # fmt: skip
            box(ax, (x0 + x) / 2, 0.66, f"$r^{k}$", width=0.06, height=0.08, color=ORANGE)
            arrow(ax, ((x0 + x) / 2, 0.52), ((x0 + x) / 2, 0.62), "", color="tab:orange")
    ax.text(0.5, 0.98, "targets for step k come from position t + k: $\\pi_{t+k}$, $z_{t+k}$, "
            "$u_{t+k}$ (absorbing past the end)", ha="center", va="top", fontsize=9)  # fmt: skip
    ax.text(0.5, 0.02, "real observations: only $o_t$ enters the network; the model never "
            "reconstructs the others", ha="center", va="bottom", fontsize=9, color="tab:gray")  # fmt: skip
    return ax


def plot_history(history: History, axes=None):
    """Learning curves (two panels): the loss terms, and the exact probabilities of losing to the
    perfect player of the prediction network alone and of the search, per iteration."""
    if not isinstance(history, History):
        raise TypeError(f"history must be a muzero.History, got {type(history).__name__}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(13, 3.8))
    it = np.arange(1, history.n_iterations + 1)
    ax = axes[0]
    ax.plot(it, history.value_loss, label="value $\\sum_k (z - v^k)^2$")
    ax.plot(it, history.policy_loss, label="policy $\\sum_k -\\pi^\\top \\log p^k$")
    ax.plot(it, history.reward_loss, label="reward (cross-entropy)")
    ax.plot(it, history.consistency_loss, label="consistency (EfficientZero)")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss per unroll (last minibatches)")
    ax.set_title("training loss")
    ax.legend(fontsize=8)
    plot_loss_rates(history, axes[1], raw="prediction network alone", search="search in the model")
    return axes


def plot_accuracy(accuracy: ModelAccuracy, K: int, ax=None, title: str = ""):
    """Right predictions per unroll step k, in the game and past its end, with K marked."""
    if not isinstance(accuracy, ModelAccuracy):
        raise TypeError(f"accuracy must be a muzero.ModelAccuracy, got {type(accuracy).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    k = accuracy.steps
    ax.plot(k, accuracy.reward, "o-", color="tab:orange", label="reward $r^k$")
    ax.plot(k, accuracy.value, "o-", color="tab:blue", label="value $v^k$")
    ax.plot(k, accuracy.policy, "o-", color="tab:green", label="policy $p^k$: favourite optimal")
    ax.plot(k, accuracy.value_past_end, "s:", color="tab:blue", alpha=0.6,
            label="value past the end (0)")  # fmt: skip
    ax.plot(k, accuracy.reward_past_end, "s:", color="tab:orange", alpha=0.6,
            label="reward past the end (0)")  # fmt: skip
    ax.axvspan(-0.3, K + 0.3, color="tab:gray", alpha=0.1, label=f"trained: k <= K = {K}")
    ax.set_xlabel("unroll step k (moves ahead of the real position)")
    ax.set_ylabel("fraction right")
    ax.set_ylim(0, 1.03)
    ax.set_title(title or "the learned model against the solver")
    ax.legend(fontsize=7, loc="lower left")
    return ax


def plot_maze_values(
    task: MazeTask,
    values: Sequence[float],
    path: Sequence[int] = (),
    ax=None,
    title: str = "",
    vmax: float = 1.0,
):
    """A maze with one value per cell as colours (and numbers), and a path drawn through it."""
    if not isinstance(task, MazeTask):
        raise TypeError(f"task must be a muzero.MazeTask, got {type(task).__name__}")
    values = np.asarray(values, dtype=float)
    if values.shape != (task.n_states,):
        raise ValueError(
            f"values must have one entry per cell ({task.n_states}), got {values.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    n_rows, n_cols = task.shape
    grid = task.env.grid
    V = values.reshape(n_rows, n_cols).copy()
    walls = np.array([[ch == "#" for ch in row] for row in grid])
    V[walls] = np.nan
    ax.imshow(V, cmap="Greens", vmin=0.0, vmax=vmax, origin="upper")
    for r, row in enumerate(grid):
        for c, ch in enumerate(row):
            if ch == "#":
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, color="#404040"))
            elif ch in "SG":
                ax.text(c - 0.3, r - 0.27, ch, ha="center", va="center", fontsize=9,
                        weight="bold", color="tab:blue" if ch == "S" else "darkgreen")  # fmt: skip
            if ch not in "#G":
                ax.text(c, r + 0.2, f"{V[r, c]:.2f}", ha="center", va="center", fontsize=7)
    if len(path):
        rc = np.array([divmod(int(s), n_cols) for s in path])
        ax.plot(rc[:, 1], rc[:, 0], "-o", color="tab:red", markersize=3, linewidth=2)
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="#bbbbbb", linewidth=0.8)
    ax.tick_params(which="both", bottom=False, left=False, labelbottom=False, labelleft=False)
    if title:
        ax.set_title(title, fontsize=10)
    return ax
