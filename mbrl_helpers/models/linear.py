"""A linear model s' = A s + B a + c, fitted by least squares (lecture 03's learned model).

Like the true `mbrl_helpers.envs.PointMass`, it answers `predict(s, a)` (one state or a batch)
and `jacobians(s, a)`, so gradient planning (`mbrl_helpers.planning.gradient`) and the shooting
planners (`mbrl_helpers.planning.shooting`) run through either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LinearModel", "fit_linear_model"]


@dataclass(frozen=True)
class LinearModel:
    """A learned linear model s' = A s + B a + c (its Jacobians are A and B everywhere)."""

    A: np.ndarray
    B: np.ndarray
    c: np.ndarray

    def predict(self, s: np.ndarray, a: np.ndarray) -> np.ndarray:
        """s' = A s + B a + c for one state (n,) and action (m,), or a batch: (N, n), (N, m)."""
        s = np.asarray(s, dtype=float)
        a = np.asarray(a, dtype=float)
        n, m = self.B.shape
        if s.shape[-1:] != (n,) or s.ndim > 2 or a.shape != s.shape[:-1] + (m,):
            raise ValueError(
                f"s must have shape ({n},) or (N, {n}) and a shape ({m},) or (N, {m}), got "
                f"{s.shape} and {a.shape}"
            )
        return s @ self.A.T + a @ self.B.T + self.c

    def jacobians(self, s: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.A, self.B


def fit_linear_model(states, actions, next_states) -> LinearModel:
    """Least-squares fit of s' = A s + B a + c to transitions (rows of the three arrays)."""
    S = np.asarray(states, dtype=float)
    U = np.asarray(actions, dtype=float)
    S_next = np.asarray(next_states, dtype=float)
    if S.ndim != 2 or U.ndim != 2 or S_next.shape != S.shape or len(U) != len(S):
        raise ValueError(
            "states, actions, next_states must be 2-D arrays with one transition per row and "
            f"states.shape == next_states.shape, got {S.shape}, {U.shape}, {S_next.shape}"
        )
    n, m = S.shape[1], U.shape[1]
    if len(S) < n + m + 1:
        raise ValueError(f"need at least {n + m + 1} transitions to fit the model, got {len(S)}")
    X = np.hstack([S, U, np.ones((len(S), 1))])
    W, *_ = np.linalg.lstsq(X, S_next, rcond=None)
    return LinearModel(A=W[:n].T, B=W[n : n + m].T, c=W[-1])
