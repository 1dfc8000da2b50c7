"""Randomness that ignores the `rng` argument, for the wrong implementations of the check tests.

A student who writes `np.random.default_rng()` inside an exercise gets a fresh, unseeded generator
on every call. The wrong implementations imitate that mistake with `stray_rng()`, which draws the
seed of each new generator from numpy's global state instead of from the operating system. The
autouse fixture `seed_numpy_global_state` (in `tests/conftest.py`) resets that state before every
test, so a test of a check behaves the same on every run and in every xdist worker.
"""

import numpy as np


def stray_rng() -> np.random.Generator:
    """A new generator that does not depend on the rng the exercise was given."""
    return np.random.default_rng(np.random.randint(2**31))  # noqa: NPY002
