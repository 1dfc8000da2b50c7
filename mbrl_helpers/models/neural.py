"""Models of the environment learned by function approximation (Sutton & Barto 8.1, 9.7).

- `ClassifierModel`: discrete states. An MLP maps `[onehot(s), onehot(a)]` to the logits of
  p(s' | s, a) and is trained with the cross-entropy ("classification loss")

      L = -(1/N) sum_i log p_w(s'_i | s_i, a_i).

- `RegressionModel`: continuous states. An MLP predicts the change `s' - s` from `[s, a]` and is
  trained with the mean squared error ("regression loss"); inputs and targets are standardised
  with the training data's mean and standard deviation, so every dimension counts alike.

      s'_hat = s + Delta_w(s, a),   L = mean ||Delta_w(s_i, a_i) - (s'_i - s_i)||^2.

  It exposes the Jacobians ds'/ds and ds'/da, and `vjp` backpropagates a gradient through
  one step, so a planner can differentiate a multi-step rollout with respect to the actions.

`open_loop_rollout` feeds the model its own predictions, which is how model errors compound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from mbrl_helpers.models import nets
from mbrl_helpers.randomness import draw_seed, sample_index
from mbrl_helpers.validation import check_float, check_int, check_rng


def one_hot(i, n: int) -> np.ndarray:
    """Rows `e_i` of the identity of size `n` (an int gives one row, an array a batch)."""
    n = check_int("n", n, low=1)
    i = np.asarray(i)
    if not np.issubdtype(i.dtype, np.integer) or (i.size and (i.min() < 0 or i.max() >= n)):
        raise ValueError(f"i must hold integers in [0, {n - 1}], got {i!r}")
    return np.eye(n)[i]


class ClassifierModel:
    """p_w(s' | s, a) over `n_states` discrete next states, an MLP trained with cross-entropy."""

    def __init__(
        self,
        n_states: int,
        n_actions: int,
        *,
        rng: np.random.Generator,
        hidden: Sequence[int] = (32,),
        activation: str = "tanh",
    ) -> None:
        self.n_states = check_int("n_states", n_states, low=1)
        self.n_actions = check_int("n_actions", n_actions, low=1)
        self.net = nets.MLP(
            [n_states + n_actions, *hidden, n_states], rng=rng, activation=activation
        )

    def features(self, s, a) -> np.ndarray:
        """[onehot(s), onehot(a)] as a batch."""
        s, a = np.atleast_1d(s), np.atleast_1d(a)
        if s.shape != a.shape or s.ndim != 1:
            raise ValueError(f"s and a must be equal-length 1-D arrays, got {s.shape}, {a.shape}")
        return np.hstack([one_hot(s, self.n_states), one_hot(a, self.n_actions)])

    def predict_proba(self, s, a) -> np.ndarray:
        """p_w(. | s, a): shape (n_states,) for one pair, (N, n_states) for a batch."""
        p = nets.softmax(self.net.forward(self.features(s, a)))
        return p[0] if np.ndim(s) == 0 else p

    def sample_next_state(self, s: int, a: int, *, rng: np.random.Generator) -> int:
        """S' ~ p_w(. | s, a). (Not `sample`: the table models' `sample` returns
        `(r, s_next, terminated)`, and this model predicts the next state only.)"""
        check_rng("rng", rng)
        return sample_index(self.predict_proba(s, a), rng=rng)

    def fit(
        self,
        s,
        a,
        s_next,
        *,
        rng: np.random.Generator,
        n_gradient_steps: int = 500,
        batch_size: int = 64,
        lr: float = 3e-3,
        validation: tuple | None = None,
        progress: bool = True,
    ) -> nets.LossCurve:
        """Minimise the cross-entropy of the observed `s_next`; returns the loss history.

        `validation` is an optional held-out `(s, a, s_next)`.
        """
        x, y = self.features(s, a), np.asarray(s_next)
        val = None
        if validation is not None:
            vs, va, vn = validation
            val = (self.features(vs, va), np.asarray(vn))
        return nets.train(
            self.net,
            nets.softmax_cross_entropy,
            x,
            y,
            rng=rng,
            n_gradient_steps=n_gradient_steps,
            batch_size=batch_size,
            optimizer=nets.Adam(self.net.params, lr=check_float("lr", lr, low=0.0, low_open=True)),
            validation=val,
            progress=progress,
            desc="classifier p(s'|s,a)",
        )


class RegressionModel:
    """s'_hat = s + Delta_w(s, a) for continuous states, an MLP trained with squared error."""

    def __init__(
        self,
        obs_dim: int,
        action_dim: int,
        *,
        rng: np.random.Generator,
        hidden: Sequence[int] = (64, 64),
        activation: str = "tanh",
    ) -> None:
        self.obs_dim = check_int("obs_dim", obs_dim, low=1)
        self.action_dim = check_int("action_dim", action_dim, low=1)
        self.net = nets.MLP(
            [obs_dim + action_dim, *hidden, obs_dim], rng=rng, activation=activation
        )
        # standardisation, set from the data of the first `fit`
        self.x_mean = np.zeros(obs_dim + action_dim)
        self.x_std = np.ones(obs_dim + action_dim)
        self.y_mean = np.zeros(obs_dim)
        self.y_std = np.ones(obs_dim)
        self.fitted = False

    def _inputs(self, s, a) -> tuple[np.ndarray, np.ndarray, bool]:
        s = np.asarray(s, dtype=float)
        a = np.asarray(a, dtype=float)
        single = s.ndim == 1
        s = np.atleast_2d(s)
        if a.ndim <= 1 and self.action_dim == 1:
            a = a.reshape(-1, 1)  # scalar actions
        a = np.atleast_2d(a)
        if s.shape[1] != self.obs_dim:
            raise ValueError(
                f"s must have shape (N, {self.obs_dim}) or ({self.obs_dim},), got {s.shape}"
            )
        if a.shape != (len(s), self.action_dim):
            raise ValueError(f"a must have shape ({len(s)}, {self.action_dim}), got {a.shape}")
        return s, a, single

    def predict(self, s, a) -> np.ndarray:
        """s'_hat = s + Delta_w(s, a), for one state (obs_dim,) or a batch (N, obs_dim)."""
        s, a, single = self._inputs(s, a)
        x = (np.hstack([s, a]) - self.x_mean) / self.x_std
        s_next = s + self.net.forward(x) * self.y_std + self.y_mean
        return s_next[0] if single else s_next

    def fit(
        self,
        s,
        a,
        s_next,
        *,
        rng: np.random.Generator,
        n_gradient_steps: int = 500,
        batch_size: int = 64,
        lr: float = 3e-3,
        validation: tuple | None = None,
        progress: bool = True,
    ) -> nets.LossCurve:
        """Minimise the squared error of the standardised `s' - s`; returns the loss history.

        The first call fixes the standardisation from its data. `validation` is an optional
        held-out `(s, a, s_next)`; its loss is measured in the same standardised units.
        """
        s, a, _ = self._inputs(s, a)
        s_next = _same_shape("s_next", s_next, s)
        x = np.hstack([s, a])
        delta = s_next - s
        if not self.fitted:
            self.x_mean, self.x_std = x.mean(axis=0), x.std(axis=0) + 1e-8
            self.y_mean, self.y_std = delta.mean(axis=0), delta.std(axis=0) + 1e-8
            self.fitted = True
        val = None
        if validation is not None:
            vs, va, vn = validation
            vs, va, _ = self._inputs(vs, va)
            vy = (_same_shape("validation's s_next", vn, vs) - vs - self.y_mean) / self.y_std
            val = ((np.hstack([vs, va]) - self.x_mean) / self.x_std, vy)
        return nets.train(
            self.net,
            nets.mse,
            (x - self.x_mean) / self.x_std,
            (delta - self.y_mean) / self.y_std,
            rng=rng,
            n_gradient_steps=n_gradient_steps,
            batch_size=batch_size,
            optimizer=nets.Adam(self.net.params, lr=check_float("lr", lr, low=0.0, low_open=True)),
            validation=val,
            progress=progress,
            desc="regression s'-s",
        )

    def vjp(self, s, a, g) -> tuple[np.ndarray, np.ndarray]:
        """Backpropagate `g = dL/ds'_hat` through one step: returns (dL/ds, dL/da).

        With x = (z - x_mean) / x_std, z = [s, a]:  dL/dz = g (ds'/dz) = [g, 0] + (g y_std) J_net / x_std.
        Chain it backwards along a rollout to get the gradient of a return with respect to actions.
        """
        s, a, single = self._inputs(s, a)
        g = np.atleast_2d(np.asarray(g, dtype=float))
        if g.shape != s.shape:
            raise ValueError(f"g must have the shape of s' ({s.shape}), got {g.shape}")
        x = (np.hstack([s, a]) - self.x_mean) / self.x_std
        _y, cache = self.net.forward_cache(x)
        _grads, dx = self.net.backward(cache, g * self.y_std)
        dz = dx / self.x_std
        ds = g + dz[:, : self.obs_dim]  # the skip connection s' = s + ...
        da = dz[:, self.obs_dim :]
        return (ds[0], da[0]) if single else (ds, da)

    def jacobian(self, s, a) -> tuple[np.ndarray, np.ndarray]:
        """(ds'/ds, ds'/da) at one state: shapes (obs_dim, obs_dim) and (obs_dim, action_dim)."""
        s, a, single = self._inputs(s, a)
        if not single and len(s) != 1:
            raise ValueError("jacobian takes one state; use vjp for a batch")
        eye = np.eye(self.obs_dim)
        ds, da = self.vjp(
            np.repeat(s, self.obs_dim, axis=0), np.repeat(a, self.obs_dim, axis=0), eye
        )
        return ds, da  # row i is the gradient of s'_i


def open_loop_rollout(
    predict: Callable[[np.ndarray, object], np.ndarray], s0: np.ndarray, actions: Sequence
) -> np.ndarray:
    """s_hat_0 = s_0,  s_hat_{t+1} = model(s_hat_t, a_t): the model fed its own predictions.

    Returns the array of shape (len(actions) + 1, obs_dim). Errors compound: a wrong s_hat_t is
    the input of every later step.
    """
    s_hat = [np.array(s0, dtype=float)]
    for a in actions:
        s_hat.append(np.asarray(predict(s_hat[-1], a), dtype=float))
    return np.stack(s_hat)


def collect_transitions(
    env, n_steps: int, *, rng: np.random.Generator, policy: Callable | None = None
) -> dict[str, np.ndarray]:
    """Run `policy(s, rng) -> a` (uniform random actions by default) for `n_steps` real steps.

    Resets on termination or truncation (the first reset is seeded from `rng`). Returns arrays
    `s, a, r, s_next, terminated, truncated, episode` (episode index of each step). The last
    episode is cut short by the step budget when its last step is neither terminated nor
    truncated.
    """
    check_rng("rng", rng)
    n_steps = check_int("n_steps", n_steps, low=1)
    env.action_space.seed(draw_seed(rng=rng))
    s, _ = env.reset(seed=draw_seed(rng=rng))
    keys = ("s", "a", "r", "s_next", "terminated", "truncated", "episode")
    data: dict[str, list] = {k: [] for k in keys}
    episode = 0
    for _ in range(n_steps):
        a = env.action_space.sample() if policy is None else policy(s, rng)
        s_next, r, terminated, truncated, _ = env.step(a)
        for k, v in zip(data, (s, a, r, s_next, terminated, truncated, episode), strict=True):
            data[k].append(v)
        s = s_next
        if terminated or truncated:
            s, _ = env.reset()
            episode += 1
    return {k: np.asarray(v) for k, v in data.items()}


def _same_shape(name: str, s_next, s: np.ndarray) -> np.ndarray:
    """`s_next` as a float array of the shape of the states `s` it follows, or a ValueError."""
    s_next = np.asarray(s_next, dtype=float)
    if s_next.shape == s.shape:
        return s_next
    if len(s) == 1 and s_next.shape == s.shape[1:]:  # one transition, given as a single state
        return s_next[None]
    raise ValueError(
        f"{name} must hold one next state per state, shape {s.shape}, got shape {s_next.shape}"
    )
