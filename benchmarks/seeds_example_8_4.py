"""Example 8.4 over seeds: why prioritized sweeping beats Dyna-Q by more here than in the book.

Lecture 03 loads what this script stores (`mbrl_helpers/data/example_8_4_seeds.json`): Dyna-Q and
prioritized sweeping on the Dyna maze enlarged 1 to 4 times (47 to 752 cells), 20 runs each,
with alpha = 1 (the lecture's setting) and alpha = 0.5 (the common reproduction's), recording
for every run when its greedy path first came within 1.2 times the shortest and when it was
exactly shortest, and how many updates it had made before the first reward. That is too slow for
a notebook (about ten minutes on one core); the lecture re-runs the smallest maze to show the
stored numbers are reproducible.

Usage::

    .venv/bin/python benchmarks/seeds_example_8_4.py            # writes the JSON file
    .venv/bin/python benchmarks/seeds_example_8_4.py --check    # recomputes and compares
"""

from __future__ import annotations

import sys
import time

import stored  # this folder's helper, benchmarks/stored.py

from mbrl_helpers.experiments import example_8_4

SETTINGS = {
    "seed": 0,
    "factors": [1, 2, 3, 4],
    "alphas": [1.0, 0.5],
    "n_runs": 20,
    "slacks": [1.2, 1.0],
    "max_updates": 3_000_000,
    "max_episodes": 10_000,
}


def run(settings: dict) -> list[example_8_4.Comparison]:
    comparisons = []
    for alpha in settings["alphas"]:
        for factor in settings["factors"]:
            start = time.perf_counter()
            comparison = example_8_4.compare(
                factor,
                settings["n_runs"],
                seed=settings["seed"],
                alpha=alpha,
                slacks=tuple(settings["slacks"]),
                max_updates=settings["max_updates"],
                max_episodes=settings["max_episodes"],
            )
            comparisons.append(comparison)
            r = example_8_4.ratios(comparison)
            print(
                f"alpha {alpha}  factor {factor}  cells {comparison.cells:4d}  medians "
                f"{r.dyna_q:9,.0f} / {r.prioritized_sweeping:7,.0f}  ratio {r.ratio:5.1f}  "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    return comparisons


def main() -> int:
    args = stored.parser(__doc__.splitlines()[0]).parse_args()
    text = example_8_4.to_json(run(SETTINGS), SETTINGS)
    return stored.write_or_check("data/example_8_4_seeds.json", text, args.check)


if __name__ == "__main__":
    sys.exit(main())
