"""The budget table of the game methods (lecture 08): rollouts, MCTS and AlphaZero against the
perfect player at tic-tac-toe, per budget per move, over seeds.

For the rollout algorithm and MCTS at 10, 30, 100, ... rollouts or simulations per move (until
every seed is unbeaten) and for AlphaZero's seed-0 network (alone, and with 10 and 50 PUCT
simulations), each over five seeds: the exact probability of losing to the perfect player as X
and as O, and the CPU time per move; and AlphaZero's training cost until unbeaten, per seed. With `--store`, writes
`mbrl_helpers/data/game_budget.json`, which lecture 08 loads.

Usage::

    .venv/bin/python benchmarks/bench_game_budget.py [--seeds 0 1 2 3 4] [--store]

A few minutes on the 2-core course machine.
"""

from __future__ import annotations

import argparse
import time

from mbrl_helpers.experiments import game_budget


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--store", action="store_true", help="write the table lecture 08 loads")
    args = parser.parse_args()

    def report(row):
        r = row[0]
        rates = " ".join(f"{x.loss_first:.3f}/{x.loss_second:.3f}" for x in row)
        per_move = sum(x.seconds for x in row) / sum(x.moves for x in row)
        print(
            f"{r.method:9s} {r.budget:5d} per move: P(loss) as X/O per seed {rates}; "
            f"{1000 * per_move:.2f} ms per move",
            flush=True,
        )

    start = time.perf_counter()
    results, trainings = game_budget.sweep(args.seeds, progress=report)
    for t in trainings:
        print(
            f"AlphaZero seed {t.seed}: unbeaten from iteration {t.unbeaten_from}, {t.games} "
            f"self-play games, {t.simulations} simulations, {t.gradient_steps} gradient steps, "
            f"{t.cpu_seconds} CPU s"
        )
    for method in ("rollouts", "mcts"):
        print(f"{method}: every seed unbeaten from {game_budget.threshold(results, method)}")
    if args.store:
        path = game_budget.default_path()
        game_budget.save(
            results,
            trainings,
            path,
            note=f"seeds {args.seeds}; CPU seconds of one process on the 2-core course machine",
        )
        print(f"stored {len(results)} results in {path}")
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
