"""Lecture 00's REINFORCE on slippery FrozenLake: which step size, and does the book's gamma^t matter?

    .venv/bin/python benchmarks/reinforce_step_sizes.py [--out mbrl_helpers/data/reinforce_step_sizes.json]

Not a speed benchmark (so `make benchmarks` does not run it): the measurement behind two
sentences of lecture 00, which loads the stored result (package data, so that the lecture runs
from any copy of the notebooks). For each step size alpha_theta and each
form of the update (Sutton & Barto 13.3-13.4 keep the factor gamma^t, `discount_updates=True`;
the lecture, like most implementations, drops it), REINFORCE with a baseline runs 20,000 real
steps on seeds 0-4, exactly as in the lecture (gamma = 0.99), and the success rate of its greedy
policy is computed exactly from FrozenLake's true model (`models.expected_return`, at most 100
steps), as the lecture does. Takes a minute or two.
"""

from __future__ import annotations

import argparse
import json
import pathlib

import gymnasium as gym
import numpy as np

from mbrl_helpers import models, policy_gradient

STEP_SIZES = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0)
SEEDS = range(5)
GAMMA = 0.99
OUT = (
    pathlib.Path(__file__).resolve().parents[1]
    / "mbrl_helpers"
    / "data"
    / "reinforce_step_sizes.json"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=OUT, help="where to store the JSON")
    args = parser.parse_args(argv)

    lake = gym.make("FrozenLake-v1")
    n_states, n_actions = lake.observation_space.n, lake.action_space.n
    true_arrays = models.model_arrays(lake.unwrapped.P, n_states, n_actions)

    def success_rate(policy: np.ndarray) -> float:
        return models.expected_return(true_arrays, policy, 0, max_steps=100)

    rows = []
    for discount_updates in (False, True):
        for alpha in STEP_SIZES:
            rates = [
                success_rate(
                    policy_gradient.reinforce(
                        lake,
                        n_steps=20_000,
                        alpha_theta=alpha,
                        gamma=GAMMA,
                        rng=np.random.default_rng(seed),
                        discount_updates=discount_updates,
                    ).theta.argmax(axis=1)
                )
                for seed in SEEDS
            ]
            rows.append(
                {"discount_updates": discount_updates, "alpha_theta": alpha, "success": rates}
            )
            form = "with gamma^t   " if discount_updates else "without gamma^t"
            print(
                f"{form} alpha_theta = {alpha:<4}: mean {np.mean(rates):.3f}  "
                f"seeds {' '.join(f'{x:.2f}' for x in rates)}",
                flush=True,
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "command": "python benchmarks/reinforce_step_sizes.py",
        "task": "FrozenLake-v1 (slippery), 20,000 real steps, gamma = 0.99, seeds 0-4",
        "rows": rows,
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"stored in {args.out}")


if __name__ == "__main__":
    main()
