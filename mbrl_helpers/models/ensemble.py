"""An ensemble of learned one-step models, and how much its members disagree.

A learned model is uncertain for two reasons (Sutton & Barto 8.1 and 8.3 meet the deep-RL
vocabulary here):

- **aleatoric** uncertainty is the world's own noise (FrozenLake's slip): more data does not
  remove it, a distribution model represents it;
- **epistemic** uncertainty is the model's ignorance where it has seen little or no data: more
  data removes it. Several models fitted to the same data agree where the data pin them down and
  disagree elsewhere, so their **disagreement** measures it.

`Ensemble(members)` holds K models with `predict(s, a) -> s_next` (`RegressionModel`s, or
anything with that method) and answers

    predict(s, a)      = (1/K) sum_k f_k(s, a)                         the mean prediction
    predictions(s, a)  = [f_1(s, a), ..., f_K(s, a)]                   shape (K, ...)
    disagreement(s, a) = mean_d  std_k f_k(s, a)_d / scale_d            one number per (s, a)
    sample_next_state(s, a, rng) = f_k(s, a), k ~ uniform{1..K} per row  a random member

`sample_next_state` (not `sample`: a table model's `sample` returns `(r, s_next, terminated)`)
is how PETS (Chua et al. 2018, "trajectory sampling") and MBPO (Janner et al. 2019)
roll an ensemble forward. An `Ensemble` is a sequence of its members (`len`, indexing,
iteration), so a planner written for "a sequence of models" takes it as it is.

`fit_ensemble(s, a, s_next, n_members=K, rng=...)` fits a **bootstrap ensemble** (Efron's
bootstrap; Osband et al. 2016; PETS): member k is a `RegressionModel` trained on its own resample
of the N transitions (N draws with replacement), from its own initial weights and minibatches.
Its `scale` is the standard deviation of the data's state change s' - s, so a disagreement of 1
means "the members differ by as much as a typical step changes the state".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mbrl_helpers.models.neural import RegressionModel
from mbrl_helpers.randomness import random_indices
from mbrl_helpers.validation import check_int, check_rng

__all__ = ["Ensemble", "fit_ensemble"]


class Ensemble(Sequence):
    """K one-step models `f_k(s, a) -> s_next`; their mean, their disagreement, a random member.

    `members`: models with a `predict(s, a)` method (e.g. `RegressionModel`), at least one.
    `scale`: per state dimension, the unit in which `disagreement` measures the members' spread
    (default 1 for every dimension).
    """

    def __init__(self, members: Sequence, *, scale=None) -> None:
        try:
            members = tuple(members)
        except TypeError:
            raise TypeError(
                f"members must be a sequence of models, got {type(members).__name__}"
            ) from None
        if not members:
            raise ValueError("members must hold at least one model, got none")
        for k, member in enumerate(members):
            if not callable(getattr(member, "predict", None)):
                raise TypeError(
                    f"members[{k}] must have a predict(s, a) method, got {type(member).__name__}"
                )
        self.members: tuple = members
        if scale is not None:
            scale = np.asarray(scale, dtype=float)
            if scale.ndim != 1 or not np.all(np.isfinite(scale)) or np.any(scale <= 0):
                raise ValueError(
                    f"scale must be a 1-D array of positive finite numbers, got {scale!r}"
                )
        self.scale = scale

    # -- a sequence of models ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.members)

    def __getitem__(self, k):
        return self.members[k]

    def __repr__(self) -> str:
        kinds = sorted({type(m).__name__ for m in self.members})
        return f"Ensemble({len(self)} members: {', '.join(kinds)})"

    # -- predictions --------------------------------------------------------------------------------
    def predictions(self, s, a) -> np.ndarray:
        """Every member's prediction: shape (K, obs_dim) for one state, (K, N, obs_dim) for N."""
        return np.stack([np.asarray(m.predict(s, a), dtype=float) for m in self.members])

    def predict(self, s, a) -> np.ndarray:
        """The mean prediction (1/K) sum_k f_k(s, a)."""
        return self.predictions(s, a).mean(axis=0)

    def disagreement(self, s, a) -> np.ndarray | float:
        """mean over state dimensions d of std_k f_k(s, a)_d / scale_d (population std over the
        K members): 0 when they agree, large where the data did not pin them down. A float for
        one state, an array of N for a batch. An ensemble of one member never disagrees."""
        preds = self.predictions(s, a)
        spread = preds.std(axis=0)  # (obs_dim,) or (N, obs_dim)
        if self.scale is not None:
            if self.scale.shape != spread.shape[-1:]:
                raise ValueError(
                    f"scale has {self.scale.size} entries, the predictions {spread.shape[-1]} "
                    "state dimensions"
                )
            spread = spread / self.scale
        out = spread.mean(axis=-1)
        return float(out) if out.ndim == 0 else out

    def sample_next_state(self, s, a, *, rng: np.random.Generator) -> np.ndarray:
        """For each state of the batch, the prediction of one member drawn uniformly at random
        (`random_indices`, one uniform per row): PETS' and MBPO's way to roll an ensemble."""
        check_rng("rng", rng)
        preds = self.predictions(s, a)
        if preds.ndim == 2:  # one state
            return preds[random_indices(len(self), 1, rng=rng)[0]]
        k = random_indices(len(self), preds.shape[1], rng=rng)
        return preds[k, np.arange(preds.shape[1])]


def fit_ensemble(
    s,
    a,
    s_next,
    *,
    n_members: int,
    rng: np.random.Generator,
    bootstrap: bool = True,
    hidden: Sequence[int] = (32, 32),
    activation: str = "tanh",
    n_gradient_steps: int = 500,
    batch_size: int = 64,
    lr: float = 3e-3,
) -> Ensemble:
    """A bootstrap ensemble of `n_members` `RegressionModel`s of s' = s + Delta_w(s, a).

    Member k: draw N indices with replacement from the N transitions (`random_indices`;
    `bootstrap=False`: use them all), build a network (`hidden`, `activation`) from `rng`, fit it
    with minibatches from `rng`. Everything comes from the one `rng`, member after member, in that
    order, so the same generator state gives the same ensemble.
    The ensemble's `scale` is the data's standard deviation of s' - s per dimension.
    """
    check_rng("rng", rng)
    n_members = check_int("n_members", n_members, low=1)
    s = np.asarray(s, dtype=float)
    if s.ndim != 2 or len(s) == 0:
        raise ValueError(f"s must have shape (N, obs_dim) with N >= 1, got {s.shape}")
    a = np.asarray(a, dtype=float)
    a2 = a.reshape(len(a), -1) if a.ndim <= 1 else a
    if len(a2) != len(s):
        raise ValueError(f"a must hold one action per state ({len(s)}), got {len(a2)}")
    s_next = np.asarray(s_next, dtype=float)
    if s_next.shape != s.shape:
        raise ValueError(f"s_next must have the shape of s {s.shape}, got {s_next.shape}")
    n, obs_dim = s.shape
    members = []
    for _ in range(n_members):
        idx = random_indices(n, n, rng=rng) if bootstrap else np.arange(n)
        member = RegressionModel(
            obs_dim, a2.shape[1], rng=rng, hidden=hidden, activation=activation
        )
        member.fit(
            s[idx],
            a2[idx],
            s_next[idx],
            rng=rng,
            n_gradient_steps=n_gradient_steps,
            batch_size=batch_size,
            lr=lr,
            progress=False,
        )
        members.append(member)
    change = (s_next - s).std(axis=0)
    return Ensemble(members, scale=np.where(change > 0, change, 1.0))
