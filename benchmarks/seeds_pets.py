"""PETS-style planning over seeds: CEM through an ensemble vs one network, re-planned (MPC).

Lecture 03 loads what this script stores (`mbrl_helpers/data/pets_seeds.json`): for 20 seeds,
the real return of a 30-step MPC episode on the saturating point mass with each planner of
`mbrl_helpers.experiments.pets` (true model, linear model, each of the 5 networks alone, the
ensemble's mean, PETS' TS-infinity), and what each first plan promised. About a minute on one
core; the lecture re-runs seed 0 live to show the stored numbers are reproducible.

Usage::

    .venv/bin/python benchmarks/seeds_pets.py            # writes the JSON file
    .venv/bin/python benchmarks/seeds_pets.py --check    # recomputes and compares
"""

from __future__ import annotations

import sys
import time

import numpy as np
import stored  # this folder's helper, benchmarks/stored.py

from mbrl_helpers.experiments import pets

N_SEEDS = 20


def main() -> int:
    args = stored.parser(__doc__.splitlines()[0]).parse_args()
    config, runs = pets.PETSConfig(), []
    for seed in range(N_SEEDS):
        start = time.perf_counter()
        runs.append(pets.run(seed, config))
        real = runs[-1].real_return
        print(
            f"seed {seed:2d}: "
            + "  ".join(f"{k} {np.mean(v):6.2f}" for k, v in real.items())
            + f"  ({time.perf_counter() - start:.1f} s)",
            flush=True,
        )
    text = pets.to_json(runs, config)
    return stored.write_or_check("data/pets_seeds.json", text, args.check)


if __name__ == "__main__":
    sys.exit(main())
