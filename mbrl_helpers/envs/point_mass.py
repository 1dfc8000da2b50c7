"""A 1-D point mass with a known, differentiable model: the "real system" of gradient planning.

`PointMass(dt, friction, u_max)` has `predict(s, a) -> s_next` (one state, or a batch of states
and actions at once, as the shooting planners of `mbrl_helpers.planning.shooting` ask) and
`jacobians(s, a) -> (f_s, f_a)` (one state, for `mbrl_helpers.planning.gradient`);
`random_transitions(system, n, rng=..., state_scale=..., action_scale=...)` draws the data a
model of it is fitted to (lecture 03).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation

__all__ = ["PointMass", "random_transitions"]


@dataclass(frozen=True)
class PointMass:
    """A 1-D point mass: state s = (x, v), action a = (force,), time step dt.

    x' = x + dt v,   v' = v + dt (m(a) - friction v),   m(a) = a, or u_max tanh(a / u_max)
    when `u_max` is set (a motor that saturates: pushing harder than u_max barely helps).
    """

    dt: float = 0.1
    friction: float = 0.1
    u_max: float | None = None

    def motor(self, a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, dtype=float)
        return a if self.u_max is None else self.u_max * np.tanh(a / self.u_max)

    def predict(self, s: np.ndarray, a: np.ndarray) -> np.ndarray:
        """s' for one state `s` (2,) and action `a` (1,), or a batch: `s` (N, 2), `a` (N, 1)."""
        s = np.asarray(s, dtype=float)
        a = np.asarray(a, dtype=float)
        if s.shape[-1:] != (2,) or s.ndim > 2 or a.shape != s.shape[:-1] + (1,):
            raise ValueError(
                f"s must have shape (2,) or (N, 2) and a shape (1,) or (N, 1), got {s.shape} "
                f"and {a.shape}"
            )
        x, v = s[..., 0], s[..., 1]
        force = self.motor(a[..., 0])
        return np.stack([x + self.dt * v, v + self.dt * (force - self.friction * v)], axis=-1)

    def jacobians(self, s: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f_s = np.array([[1.0, self.dt], [0.0, 1.0 - self.dt * self.friction]])
        a0 = float(np.asarray(a, dtype=float)[0])
        dm = 1.0 if self.u_max is None else 1.0 - np.tanh(a0 / self.u_max) ** 2
        f_a = np.array([[0.0], [self.dt * dm]])
        return f_s, f_a


def random_transitions(
    system, n: int, *, rng: np.random.Generator, state_scale: float, action_scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`n` transitions of `system` from random states N(0, state_scale^2) and actions
    uniform in [-action_scale, action_scale]: the data a model is fitted to."""
    n = validation.check_int("n", n, low=1)
    validation.check_rng("rng", rng)
    S = rng.normal(scale=state_scale, size=(n, 2))
    U = rng.uniform(-action_scale, action_scale, size=(n, 1))
    S_next = np.array([system.predict(s, a) for s, a in zip(S, U, strict=True)])
    return S, U, S_next
