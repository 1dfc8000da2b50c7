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

import argparse
import sys
import time
from importlib import resources

import numpy as np

from mbrl_helpers.experiments import pets

N_SEEDS = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the stored file")
    args = parser.parse_args()
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
    path = resources.files("mbrl_helpers").joinpath("data/pets_seeds.json")
    if args.check:
        same = path.read_text() == text
        print("same as the stored file" if same else "DIFFERENT from the stored file")
        return 0 if same else 1
    with resources.as_file(path) as file:
        file.write_text(text)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
