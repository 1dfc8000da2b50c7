"""A replay buffer: the real transitions themselves, kept to be replayed (Lin 1992; DQN).

`ReplayBuffer(capacity=None)` stores every real transition `(s, a, r, s_next, terminated)` as it
happened, duplicates included; with a `capacity`, the newest overwrites the oldest (first in,
first out). `random_transitions(n, rng=...)` draws `n` stored transitions uniformly, so a
state-action pair comes back **as often as it happened**: a pair tried a hundred times is
replayed a hundred times as often as a pair tried once.

A buffer is a model too, a non-parametric one (van Hasselt, Hessel and Aslanides, "When to use
parametric models in reinforcement learning?", NeurIPS 2019): it memorises instead of
summarising. Compare the table models of `mbrl_helpers.models.table`: `DeterministicModel` keeps
one outcome per pair (the latest) and Dyna-Q's step (f) samples a previously observed state and
then an action tried in it; `TabularModel` keeps counts, the per-pair averages of what a buffer
stores one by one. A buffer grows with experience (until its capacity); a table model grows
with the world. It is not asked about a pair `(s, a)`: it can only give back what happened.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from mbrl_helpers.randomness import random_indices
from mbrl_helpers.validation import check_int, check_rng

__all__ = ["ReplayBuffer", "StoredTransition"]

StoredTransition = tuple[Hashable, Hashable, float, Hashable, bool]
"""One real transition as stored: `(s, a, r, s_next, terminated)`."""


class ReplayBuffer:
    """The real transitions `(s, a, r, s_next, terminated)`, replayed uniformly at random.

    `transitions` is the storage itself (a list; with a capacity, a ring: once full, `add`
    overwrites the oldest entry, at position `n_added % capacity`). `n_added` counts every
    transition ever added.
    """

    def __init__(self, capacity: int | None = None) -> None:
        self.capacity = None if capacity is None else check_int("capacity", capacity, low=1)
        self.transitions: list[StoredTransition] = []
        self.n_added = 0

    def __len__(self) -> int:
        """The number of transitions stored now (at most `capacity`)."""
        return len(self.transitions)

    def add(self, s: Hashable, a: Hashable, r: float, s_next: Hashable, terminated: bool) -> None:
        """Store one real transition; when full, it replaces the oldest one (first in, first out)."""
        transition = (s, a, float(r), s_next, bool(terminated))
        if self.capacity is None or len(self.transitions) < self.capacity:
            self.transitions.append(transition)
        else:
            self.transitions[self.n_added % self.capacity] = transition
        self.n_added += 1

    def random_transitions(self, n: int, *, rng: np.random.Generator) -> list[StoredTransition]:
        """`n` stored transitions, each drawn uniformly (with replacement): one uniform `u` per
        draw, the `int(u * len(self))`-th entry (`mbrl_helpers.randomness.random_indices`)."""
        n = check_int("n", n, low=0)
        check_rng("rng", rng)
        if n and not self.transitions:
            raise ValueError("the buffer is empty: add(...) at least one transition first")
        stored = self.transitions
        return [stored[i] for i in random_indices(len(stored), n, rng=rng).tolist()]

    def pair_counts(self) -> dict[tuple[Hashable, Hashable], int]:
        """How many stored transitions each `(s, a)` has: the weight of the pair in replay."""
        counts: dict[tuple[Hashable, Hashable], int] = {}
        for s, a, *_ in self.transitions:
            counts[(s, a)] = counts.get((s, a), 0) + 1
        return counts

    def __repr__(self) -> str:
        cap = "unlimited" if self.capacity is None else self.capacity
        return f"ReplayBuffer({len(self)} transitions, capacity {cap})"
