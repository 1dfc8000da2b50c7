"""Benchmark: Sutton & Barto Figure 8.2 (Dyna-Q on the Dyna maze, n = 0, 5, 50), three ways.

    .venv/bin/python benchmarks/bench_dyna.py [--runs 30] [--baseline-runs 3] [--repeats 2]

Prints, for the naive pure-Python baseline (`naive_dyna.py`, run in this same process), the
readable `mbrl_helpers.dyna.dyna_q` and the fast path `mbrl_helpers.dyna.dyna_q_fast`:
the wall time of the figure, planning updates per second and the speed-up over the baseline.
The baseline runs fewer runs (`--baseline-runs`), and its 30-run time is extrapolated
linearly (runs are independent). Each measurement is the best of `--repeats`, interleaved, so
that load from other processes hurts all three alike. Not a test: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import naive_dyna  # noqa: E402

from mbrl_helpers.experiments import figures

PLANNING_STEPS = (0, 5, 50)


def _updates(curves: dict[int, object], n_runs: int) -> int:
    """Planning updates made: n per real step, over every run and episode."""
    return int(sum(n * round(float(curve.sum()) * n_runs) for n, curve in curves.items()))


def _no_ops(curves: dict[int, object], n_runs: int) -> int:
    """Planning updates before the first reward (all of episode 1 but its last step): exact
    no-ops, which the fast path skips (it still draws their random numbers)."""
    return int(sum(n * round((float(curve[0]) - 1) * n_runs) for n, curve in curves.items()))


def measure(name: str, n_runs: int) -> tuple[float, int, int]:
    """(wall time in seconds, planning updates, of which no-ops) of one Figure 8.2."""
    start = time.perf_counter()
    if name == "baseline":
        curves, n_updates = naive_dyna.naive_figure_8_2(
            n_runs=n_runs, planning_steps=PLANNING_STEPS
        )
    else:
        curves = figures.figure_8_2(
            n_runs=n_runs, planning_steps=PLANNING_STEPS, fast=name == "fast"
        )
        n_updates = _updates(curves, n_runs)
    return time.perf_counter() - start, n_updates, _no_ops(curves, n_runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs of our two versions")
    parser.add_argument("--baseline-runs", type=int, default=3, help="runs of the baseline")
    parser.add_argument("--repeats", type=int, default=2, help="best of this many, interleaved")
    args = parser.parse_args(argv)

    runs = {"baseline": args.baseline_runs, "readable": args.runs, "fast": args.runs}
    best: dict[str, tuple[float, int, int]] = {}
    for _ in range(args.repeats):
        for name in ("fast", "baseline", "readable"):
            result = measure(name, runs[name])
            if name not in best or result[0] < best[name][0]:
                best[name] = result

    base_seconds, base_updates, _ = best["baseline"]
    base_per_run = base_seconds / runs["baseline"]
    base_rate = base_updates / base_seconds
    print(f"Figure 8.2, n = {PLANNING_STEPS}, 50 episodes; best of {args.repeats}, interleaved")
    print(
        f"{'version':<10}{'runs':>6}{'wall s':>9}{'30-run s':>10}{'updates/s':>12}"
        f"{'x time':>8}{'x rate':>8}"
    )
    for name in ("baseline", "readable", "fast"):
        seconds, n_updates, _ = best[name]
        per_run = seconds / runs[name]
        rate = n_updates / seconds
        print(
            f"{name:<10}{runs[name]:>6}{seconds:>9.2f}{30 * per_run:>10.2f}{rate:>12,.0f}"
            f"{base_per_run / per_run:>8.1f}{rate / base_rate:>8.1f}"
        )
    print("x time: baseline time per run / this version's; x rate: ratio of updates per second.")
    seconds, n_updates, no_ops = best["fast"]
    computed = n_updates - no_ops
    print(
        f"The fast path skips the {no_ops:,} planning updates made before the first reward "
        f"({100 * no_ops / n_updates:.0f}%; exact no-ops: Q is still all zeros). Counting only "
        f"the {computed:,} it computes: {computed / seconds:,.0f} updates/s, "
        f"{computed / seconds / base_rate:.1f}x the baseline's rate."
    )


if __name__ == "__main__":
    main()
