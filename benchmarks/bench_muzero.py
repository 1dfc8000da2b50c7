"""MuZero on tic-tac-toe: time to unbeaten play over seeds, beside AlphaZero in the same process.

For each seed, in one process:

1. `muzero.train(TicTacToe(), seed)` with its defaults (it stops once the search player and the
   network alone have not lost to the perfect player for 3 evaluations in a row): time of the
   call, training time (self-play + gradient steps, without the evaluations), iterations,
   self-play games, the first iteration from which it stays unbeaten; then the exact loss rates
   of `MuZeroPlayer(game, net, 50)` and of the network alone, computed one position at a time
   with `alphazero.loss_rates` (the same numbers as the history's, which searches in lockstep).
2. `alphazero.train(TicTacToe(), seed)` with its defaults (25 iterations of 30 games), the same
   figures, and the ratios MuZero / AlphaZero.
3. AlphaZero trained for as long as MuZero trained (the same number of seconds, a longer run
   with the same settings, whose first 25 iterations are the default run's), to compare both at
   the same wall time and at the same number of self-play games.

The table "MuZero vs AlphaZero" reads each history at four budgets (AlphaZero's default
games and time, MuZero's games and time to unbeaten) and gives, over the seeds, the mean exact
loss rates of the 50-simulation search player as X and as O, and on how many seeds it is
unbeaten. `--write` stores the table in `mbrl_helpers/data/muzero_vs_alphazero.json`, which
lecture 07 prints. Usage::

    .venv/bin/python benchmarks/bench_muzero.py [--seeds 0 1 2 3 4] [--write]

Seconds are **CPU seconds of this process** (`time.process_time`, patched in for the two
training modules' clock, so `History.seconds` counts them): on the shared 2-core course machine
the wall clock measured other people's work as well (with a load average of 10, a 30-second run
took 4 minutes), while CPU seconds are what the run costs, and what it takes on an idle
machine, where a single-threaded run's wall time equals its CPU time. The wall times and the
load averages are printed beside. MuZero runs its matrix products on one BLAS thread
(`muzero._blas`); AlphaZero's are small enough that BLAS does not start threads for them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import statistics
import time
from pathlib import Path

import numpy as np

from mbrl_helpers import alphazero, muzero
from mbrl_helpers.alphazero import training as az_training
from mbrl_helpers.games import TicTacToe
from mbrl_helpers.muzero import training as mz_training

TABLE_PATH = (
    Path(__file__).resolve().parent.parent / "mbrl_helpers" / "data" / "muzero_vs_alphazero.json"
)
GAMES_PER_ITERATION = 30  # both defaults


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


class _CPUClock:
    """The `time` module, but `perf_counter` is this process's CPU clock."""

    perf_counter = staticmethod(time.process_time)

    def __getattr__(self, name):
        return getattr(time, name)


@contextlib.contextmanager
def cpu_clock():
    """Within the block, both `train` functions time themselves in CPU seconds."""
    saved = az_training.time, mz_training.time
    az_training.time = mz_training.time = _CPUClock()
    try:
        yield
    finally:
        az_training.time, mz_training.time = saved


def timed(fn, *args, **kwargs):
    """fn(*args, **kwargs), its CPU seconds and its wall seconds."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.process_time() - cpu, time.perf_counter() - wall


def at_budget(history, *, games: int | None = None, seconds: float | None = None) -> int:
    """The last iteration within the budget (self-play games or training seconds); if training
    stopped before the budget ran out, its last iteration (the network it ended with)."""
    if games is not None:
        n = games // GAMES_PER_ITERATION
    else:
        n = int(np.searchsorted(np.array(history.seconds), seconds + 1e-9))
    return max(0, min(n, history.n_iterations) - 1)


def rates(history, i: int) -> tuple[float, float]:
    return history.search_loss_first[i], history.search_loss_second[i]


def run_seed(game, seed: int) -> dict:
    print(f"seed {seed} ({load()})")
    (mz_net, mz), mz_cpu, mz_wall = timed(muzero.train, game, seed=seed, progress=False)
    k = mz.unbeaten_from()
    seq = alphazero.loss_rates(game, muzero.MuZeroPlayer(game, mz_net, 50))
    raw = alphazero.loss_rates(game, muzero.MuZeroPlayer(game, mz_net, 0))
    mz_games = mz.n_iterations * GAMES_PER_ITERATION
    print(
        f"  MuZero:    {mz_cpu:5.1f} s ({mz.seconds[-1]:.1f} s training, "
        f"{mz_cpu - mz.seconds[-1]:.1f} s evaluating; {mz_wall:.1f} s wall), "
        f"{mz.n_iterations} iterations, {mz_games} "
        f"games; unbeaten from iteration {'never' if k is None else k + 1} "
        f"({'-' if k is None else f'{mz.seconds[k]:.1f} s'}); final loss rates, search 50: "
        f"{seq[0]:.3f} as X, {seq[1]:.3f} as O; network alone {raw[0]:.3f}, {raw[1]:.3f}"
    )
    (az_net, az), az_cpu, az_wall = timed(alphazero.train, game, seed=seed, progress=False)
    ka = az.unbeaten_from()
    az_seq = alphazero.loss_rates(game, alphazero.AlphaZeroPlayer(game, az_net, 50))
    print(
        f"  AlphaZero: {az_cpu:5.1f} s ({az.seconds[-1]:.1f} s training; {az_wall:.1f} s wall), "
        f"{az.n_iterations} iterations, {az.n_iterations * GAMES_PER_ITERATION} games; unbeaten "
        f"from iteration {'never' if ka is None else ka + 1} "
        f"({'-' if ka is None else f'{az.seconds[ka]:.1f} s'}); final search 50: "
        f"{az_seq[0]:.3f} as X, {az_seq[1]:.3f} as O"
    )
    # AlphaZero for as long as MuZero trained: the same settings, more iterations.
    per_iteration = az.seconds[-1] / az.n_iterations
    n_long = max(az.n_iterations, math.ceil(1.15 * mz.seconds[-1] / per_iteration))
    (_, az_long), long_cpu, long_wall = timed(
        alphazero.train, game, seed=seed, n_iterations=n_long, progress=False
    )
    print(
        f"  AlphaZero, {n_long} iterations: {long_cpu:.1f} s ({az_long.seconds[-1]:.1f} s "
        f"training; {long_wall:.1f} s wall; {load()})"
    )
    ratio_unbeaten = (
        mz.seconds[k] / az.seconds[ka] if k is not None and ka is not None else float("nan")
    )
    print(
        f"  ratios MuZero / AlphaZero: train() {mz_cpu / az_cpu:.1f}x, training time to unbeaten "
        f"{ratio_unbeaten:.1f}x, training time per self-play game "
        f"{(mz.seconds[-1] / mz_games) / (az.seconds[-1] / (az.n_iterations * 30)):.1f}x"
    )
    budgets = {
        "AlphaZero's default: 750 games": dict(games=az.n_iterations * GAMES_PER_ITERATION),
        "AlphaZero's training time": dict(seconds=az.seconds[-1]),
        "MuZero's games to unbeaten": dict(games=mz_games),
        "MuZero's training time to unbeaten": dict(seconds=mz.seconds[-1]),
    }
    rows = {}
    for name, budget in budgets.items():
        i_mz = at_budget(mz, **budget)
        i_az = at_budget(az_long, **budget)
        rows[name] = {
            "muzero": {
                "games": (i_mz + 1) * GAMES_PER_ITERATION,
                "seconds": mz.seconds[i_mz],
                "loss": rates(mz, i_mz),
            },
            "alphazero": {
                "games": (i_az + 1) * GAMES_PER_ITERATION,
                "seconds": az_long.seconds[i_az],
                "loss": rates(az_long, i_az),
            },
        }
    return {
        "seed": seed,
        "muzero": {
            "cpu": mz_cpu,
            "wall": mz_wall,
            "train": mz.seconds[-1],
            "iterations": mz.n_iterations,
            "unbeaten_from": k,
            "final": seq,
            "raw": raw,
        },
        "alphazero": {
            "cpu": az_cpu,
            "wall": az_wall,
            "train": az.seconds[-1],
            "unbeaten_from": ka,
        },
        "budgets": rows,
        "load": os.getloadavg()[0],
    }


def table(results: list[dict]) -> list[dict]:
    """One row per budget: mean games, seconds and loss rates over the seeds, seeds unbeaten."""
    out = []
    for name in results[0]["budgets"]:
        row = {"budget": name}
        for algo in ("alphazero", "muzero"):
            cells = [r["budgets"][name][algo] for r in results]
            row[algo] = {
                "games": statistics.mean(c["games"] for c in cells),
                "seconds": statistics.mean(c["seconds"] for c in cells),
                "loss_x": statistics.mean(c["loss"][0] for c in cells),
                "loss_o": statistics.mean(c["loss"][1] for c in cells),
                "unbeaten": sum(c["loss"] == (0.0, 0.0) for c in cells),
            }
        out.append(row)
    return out


def format_table(rows: list[dict], n_seeds: int) -> str:
    """The table as text (the lecture prints the stored one with this function's twin)."""
    lines = [
        f"{'budget (mean over ' + str(n_seeds) + ' seeds)':38s} {'algorithm':10s} {'games':>6s} "
        f"{'seconds':>8s} {'loss as X':>10s} {'loss as O':>10s} {'unbeaten':>9s}"
    ]
    for row in rows:
        for algo, label in (("alphazero", "AlphaZero"), ("muzero", "MuZero")):
            c = row[algo]
            lines.append(
                f"{row['budget'] if algo == 'alphazero' else '':38s} {label:10s} "
                f"{c['games']:6.0f} {c['seconds']:8.1f} {c['loss_x']:10.3f} {c['loss_o']:10.3f} "
                f"{c['unbeaten']:>5d}/{n_seeds}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--write", action="store_true", help=f"store the table in {TABLE_PATH}")
    args = parser.parse_args()
    game = TicTacToe()
    start = time.perf_counter()
    with cpu_clock():
        results = [run_seed(game, seed) for seed in args.seeds]
    mz_cpus = [r["muzero"]["cpu"] for r in results]
    az_cpus = [r["alphazero"]["cpu"] for r in results]
    unbeaten = sum(r["muzero"]["final"] == (0.0, 0.0) for r in results)
    print(
        f"\nMuZero, train(TicTacToe(), seed) with defaults, seeds {args.seeds}: "
        f"{min(mz_cpus):.1f}-{max(mz_cpus):.1f} s (median {statistics.median(mz_cpus):.1f}); "
        f"MuZeroPlayer(n_simulations=50) never loses to the perfect player, as X and as O, on "
        f"{unbeaten} of {len(results)} seeds"
    )
    print(
        f"AlphaZero, same seeds: {min(az_cpus):.1f}-{max(az_cpus):.1f} s (median "
        f"{statistics.median(az_cpus):.1f}); ratio of the medians MuZero / AlphaZero "
        f"{statistics.median(mz_cpus) / statistics.median(az_cpus):.1f}x"
    )
    rows = table(results)
    print("\nMuZero vs AlphaZero (search player, 50 simulations, exact loss rates against the "
          "perfect player):")  # fmt: skip
    print(format_table(rows, len(results)))
    print(f"\n({time.perf_counter() - start:.0f} s in all; {load()})")
    if args.write:
        data = {
            "command": "python benchmarks/bench_muzero.py --write",
            "seeds": args.seeds,
            "load_average": [round(r["load"], 2) for r in results],
            "seconds": "CPU seconds of the process (see the benchmark's docstring)",
            "muzero_train_seconds": [round(w, 1) for w in mz_cpus],
            "alphazero_train_seconds": [round(w, 1) for w in az_cpus],
            "muzero_wall_seconds": [round(r["muzero"]["wall"], 1) for r in results],
            "alphazero_wall_seconds": [round(r["alphazero"]["wall"], 1) for r in results],
            "muzero_unbeaten_seeds": unbeaten,
            "rows": rows,
        }
        TABLE_PATH.write_text(json.dumps(data, indent=1) + "\n")
        print(f"stored in {TABLE_PATH}")


if __name__ == "__main__":
    main()
