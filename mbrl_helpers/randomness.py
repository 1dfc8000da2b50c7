"""The course's one convention for random draws: every random choice comes from a `rng`.

Every stochastic function of the package takes a `numpy.random.Generator` named `rng`
(keyword-only in the algorithms); user-facing entry points (players, figures, `train`) take an
integer `seed` and build their generator with `np.random.default_rng(seed)`. The package never
touches numpy's global state or Python's `random` module. Independent runs come from
`spawn_rngs(seed, n)`.

Draws go through these functions so that one idea has one implementation:

- `random_index(k, rng=rng)`: a uniform index in 0..k-1 from **one** uniform draw, `int(u * k)`.
  One draw per choice lets a fast path pre-draw a block of uniforms and make the same choices
  (`mbrl_helpers.dyna.fast` relies on it).
- `random_indices(k, n, rng=rng)`: `n` of them at once, the same way (minibatches, rollouts).
- `argmax_random(values, rng=rng)`: the index of the largest value, ties broken by `random_index`
  (no draw when there is no tie). A fixed tie-break makes a zero-initialised tabular agent loop
  in a maze; random ties make its first episode a random walk.
- `sample_index(probs, rng=rng)`: an index drawn with the given probabilities (one uniform draw,
  inverting the cumulative distribution: the same number as `rng.choice(len(probs), p=probs)`).
- `draw_seed(rng=rng)`: an integer seed for something that wants one (a Gymnasium `reset`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mbrl_helpers.validation import check_int

__all__ = [
    "argmax_random",
    "draw_seed",
    "random_index",
    "random_indices",
    "sample_index",
    "spawn_rngs",
]


def random_index(k: int, *, rng: np.random.Generator) -> int:
    """A uniform index in 0..k-1 from one uniform draw: `int(u * k)`, `u ~ U[0, 1)`."""
    return int(rng.random() * k)


def random_indices(k: int, n: int, *, rng: np.random.Generator) -> np.ndarray:
    """`n` uniform indices in 0..k-1, one uniform draw each: `(u * k).astype(int)`."""
    return (rng.random(n) * k).astype(np.intp)


def argmax_random(values: Sequence[float] | np.ndarray, *, rng: np.random.Generator) -> int:
    """argmax_i values[i], ties broken at random with one draw (none when the maximum is unique).

    Works on a list (the fast tabular loops keep Q as lists of lists) and on a 1-D array.
    """
    best = max(values)
    if isinstance(values, list) and values.count(best) == 1:  # no tie: two cheap C loops
        return values.index(best)
    ties = [i for i, v in enumerate(values) if v == best]
    if len(ties) == 1:
        return ties[0]
    return ties[int(rng.random() * len(ties))]


def sample_index(probs: Sequence[float] | np.ndarray, *, rng: np.random.Generator) -> int:
    """An index drawn from the (possibly unnormalised) probabilities `probs`, with one draw.

    The first index whose cumulative probability exceeds `u ~ U[0, 1)` (inverting the cumulative
    distribution): the same index as `rng.choice(len(probs), p=probs)` on the same generator
    state, without numpy's per-call overhead on short lists.
    """
    probs = probs.tolist() if isinstance(probs, np.ndarray) else probs
    total = 0.0
    cumulative = []
    for p in probs:
        total += p
        cumulative.append(total)
    u = rng.random()
    for i, c in enumerate(cumulative):
        if c / total > u:
            return i
    return len(cumulative) - 1  # u within rounding of the top


def draw_seed(*, rng: np.random.Generator) -> int:
    """An integer seed in [0, 2**31) drawn from `rng`, for APIs that take a seed."""
    return int(rng.integers(2**31))


def spawn_rngs(seed: int, n: int) -> list[np.random.Generator]:
    """`n` independent generators from one seed, via `np.random.SeedSequence(seed).spawn(n)`."""
    check_int("seed", seed, low=0)
    check_int("n", n, low=1)
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]
