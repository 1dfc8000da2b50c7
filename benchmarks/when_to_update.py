"""When to update the model, over 100 runs: Dyna-Q whose counting model learns at once or in batches.

Lecture 02 loads what this script stores (`mbrl_helpers/data/when_to_update.json`): for 100 runs
on slippery FrozenLake, the real value v_pi(s0) of the greedy policy after 250, 500, 1,000, 1,500
and 2,000 real steps of Dyna-Q with a counting model updated every step, Dyna-Q with the model
updated every 500 steps, and Q-learning (`mbrl_helpers.experiments.when_to_update`). About a minute
on one core.

Usage::

    .venv/bin/python benchmarks/when_to_update.py            # writes the JSON file
    .venv/bin/python benchmarks/when_to_update.py --check    # recomputes and compares
"""

from __future__ import annotations

import sys
import time

import stored  # this folder's helper, benchmarks/stored.py

from mbrl_helpers.experiments import when_to_update

N_RUNS = 100


def main() -> int:
    args = stored.parser(__doc__.splitlines()[0]).parse_args()
    start = time.perf_counter()
    result = when_to_update.run(N_RUNS, seed=0)
    print(f"{N_RUNS} runs in {time.perf_counter() - start:.1f} s")
    for name, values in result.values.items():
        print(f"{name:>30}: " + " ".join(f"{v:.3f}" for v in values.mean(axis=0)))
    text = when_to_update.to_json(result)
    return stored.write_or_check(when_to_update.DATA_FILE, text, args.check)


if __name__ == "__main__":
    sys.exit(main())
