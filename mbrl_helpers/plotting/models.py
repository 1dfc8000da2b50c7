"""Figures for lecture 02, "Model learning": model error against data, loss curves, rollouts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from mbrl_helpers.models.nets import LossCurve


def _axes(ax, figsize=(5.0, 3.4)):
    if ax is None:
        _fig, ax = plt.subplots(figsize=figsize)
    return ax


def model_error_vs_data(
    n: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    ax=None,
    xlabel: str = "real transitions",
    ylabel: str = "mean total variation to the true $p$",
    reference: bool = True,
):
    """Log-log curves of a model error against the amount of data, with a 1/sqrt(n) guide."""
    ax = _axes(ax)
    n = np.asarray(n, dtype=float)
    for name, values in curves.items():
        ax.loglog(n, values, "o-", label=name, markersize=4)
    if reference:
        first = np.asarray(next(iter(curves.values())), dtype=float)
        ax.loglog(n, first[0] * np.sqrt(n[0] / n), "k:", label=r"$\propto 1/\sqrt{n}$")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return ax


def loss_history(history: LossCurve, ax=None, title: str = "", smooth: int = 25):
    """Training loss per step (moving average over `smooth` steps) and held-out loss, log scale."""
    ax = _axes(ax)
    train = np.asarray(history.train, dtype=float)
    k = max(1, min(smooth, len(train)))
    averaged = np.convolve(train, np.ones(k) / k, mode="valid")
    ax.semilogy(np.arange(k - 1, len(train)), averaged, label=f"training (mean of {k} steps)")
    if history.val:
        ax.semilogy(history.val_steps, history.val, "o-", markersize=3, label="held out")
    ax.set_xlabel("gradient step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def error_vs_horizon(horizons: Sequence[int], errors: Mapping[str, Sequence[float]], ax=None):
    """Prediction error after h model steps, one curve per way of predicting."""
    ax = _axes(ax)
    for name, values in errors.items():
        ax.semilogy(horizons, values, "o-", markersize=4, label=name)
    ax.set_xlabel("horizon $h$ (model steps)")
    ax.set_ylabel("mean |error| of $\\hat s_{t+h}$")
    ax.legend(fontsize=8)
    return ax


def rollout_vs_real(
    real: np.ndarray,
    predictions: Mapping[str, np.ndarray],
    names: Sequence[str],
    figsize=(10.0, 2.6),
):
    """One panel per state dimension: the real trajectory and each model's predicted one."""
    real = np.asarray(real)
    fig, axes = plt.subplots(1, real.shape[1], figsize=figsize)
    for d, ax in enumerate(np.atleast_1d(axes)):
        ax.plot(real[:, d], "k-", lw=2, label="real")
        for label, pred in predictions.items():
            ax.plot(np.asarray(pred)[:, d], "--", label=label)
        ax.set_title(names[d], fontsize=9)
        ax.set_xlabel("t")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def grid_values(values, desc, ax=None, title: str = "", fmt: str = "{:.2f}", cmap="viridis"):
    """A FrozenLake-style map: one number per cell, coloured, with the map's letter in a corner."""
    ax = _axes(ax, figsize=(3.2, 3.2))
    desc = np.asarray(desc).astype(str)
    grid = np.asarray(values, dtype=float).reshape(desc.shape)
    ax.imshow(grid, cmap=cmap)
    for (i, j), v in np.ndenumerate(grid):
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=8, color="w")
        ax.text(j - 0.4, i - 0.25, desc[i, j], fontsize=7, color="orange")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    ax.set_title(title, fontsize=9)
    return ax


def counts_over_runs(
    rows: Mapping[str, Sequence[int]], n_per_run: int, ax=None, xlabel: str | None = None
):
    """One horizontal bar per row: the mean over runs of a count out of `n_per_run`, with a
    line from the smallest to the largest run."""
    ax = _axes(ax, figsize=(7.0, 3.4))
    labels = list(rows)
    values = [np.asarray(rows[k], dtype=float) for k in labels]
    means = np.array([v.mean() for v in values])
    low = means - np.array([v.min() for v in values])
    high = np.array([v.max() for v in values]) - means
    ax.barh(labels, means, xerr=[low, high], color="tab:green", capsize=3)
    ax.set_xlim(0, n_per_run)
    ax.set_xlabel(xlabel or f"of {n_per_run}: mean and range of {len(values[0])} runs")
    ax.invert_yaxis()
    return ax


def curves_over_runs(curves: Mapping[str, np.ndarray], ax=None, logx: bool = True):
    """For each name, runs x points: the mean curve over runs and the band from the smallest to
    the largest run, against 1, 2, ... (episodes)."""
    ax = _axes(ax, figsize=(6.0, 3.4))
    for name, runs in curves.items():
        runs = np.asarray(runs, dtype=float)
        x = np.arange(1, runs.shape[1] + 1)
        ax.plot(x, runs.mean(axis=0), label=f"{name} (mean)")
        ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), alpha=0.2)
    if logx:
        ax.set_xscale("log")
    ax.legend(fontsize=8)
    return ax
