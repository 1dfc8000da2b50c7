"""Figures for lecture 08's budget tables: what each method spends, on scales where position (not
bar length) carries the number."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_costs(rows: Sequence, axes=None):
    """The tabular budget table (`experiments.budget.budget_table`) as dots on log axes: real
    steps and value updates per method, each dot labelled with its number.

    Dots rather than bars: on a log axis a bar's length depends on where the axis happens to
    start, so lengths would mislead; a dot's position is the number itself.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 3.8), sharey=True)
    labels = [f"{r.method}\n({r.model})" for r in rows]
    y = np.arange(len(rows))
    panels = [("real_steps", "real environment steps", "experience", "tab:blue"),
              ("updates", "value updates", "computation", "tab:orange")]  # fmt: skip
    for ax, (field, xlabel, title, color) in zip(axes, panels, strict=True):
        values = np.array([getattr(r, field) for r in rows], dtype=float)
        for yi in y:  # a guide across the whole axis: no length to read, only a position
            ax.axhline(yi, color="0.9", lw=0.8, zorder=0)
        ax.plot(values, y, "o", color=color, ms=8)
        for yi, v in zip(y, values, strict=True):
            ax.annotate(f"{v:,.0f}", (v, yi), xytext=(7, 0), textcoords="offset points",
                        va="center", fontsize=9)  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlim(1, 10 ** np.ceil(np.log10(values.max()) + 0.6))
        ax.set_xlabel(f"{xlabel} (log scale: each grid line is 10 times the last)")
        ax.set_title(title)
        ax.grid(axis="x", which="major", alpha=0.4)
    axes[0].set_yticks(y, labels)
    axes[0].invert_yaxis()
    return axes


def plot_game_strength(results: Sequence, ax=None):
    """Strength against computation per move for the game methods (`experiments.game_budget`):
    the probability of losing as O to the perfect player (mean over seeds, bars from the least to
    the most) against rollouts or simulations per move, on a log axis; AlphaZero's network alone
    (0 simulations) is drawn at 1."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4))
    styles = {
        "rollouts": ("rollout algorithm (random base policy)", "tab:green", "s"),
        "mcts": ("MCTS (UCT, random rollouts)", "tab:red", "o"),
        "alphazero": ("AlphaZero network + PUCT (trained, seed 0)", "tab:purple", "D"),
    }
    for method, (label, color, marker) in styles.items():
        budgets = sorted({r.budget for r in results if r.method == method})
        if not budgets:
            continue
        mean, low, high = [], [], []
        for b in budgets:
            rates = [r.loss_second for r in results if r.method == method and r.budget == b]
            mean.append(np.mean(rates))
            low.append(np.mean(rates) - min(rates))
            high.append(max(rates) - np.mean(rates))
        x = [max(b, 1) for b in budgets]
        ax.errorbar(x, mean, yerr=[low, high], color=color, marker=marker, capsize=3, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("rollouts or simulations per move (log scale; the network alone at 1)")
    ax.set_ylabel("P(loss) as O against the perfect player")
    ax.set_ylim(-0.03, 1.0)
    ax.legend(fontsize=8)
    ax.set_title("tic-tac-toe: strength against computation per move")
    return ax
