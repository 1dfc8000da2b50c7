"""A small policy-value network in numpy, with hand-written backpropagation.

    h = relu(relu(x W1 + b1) W2 + b2)                       shared body
    pi_theta(a|s) = softmax over legal a of (h Wp + bp)      policy head, illegal moves masked
    V_theta(s) = tanh(h Wv + bv)                             value head, in [-1, 1]

trained on the AlphaZero loss (Silver et al., 2017; Sutton & Barto section 16.6)

    l = (z - v)^2 - pi^T log p + c ||theta||^2

where z is the game's outcome from the view of the player to move, pi the search's visit
distribution and p the network's policy. Everything is written out, forward and backward side by
side, so the gradients can be read (and are checked against finite differences in the tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation as v_

PARAM_NAMES = ("W1", "b1", "W2", "b2", "Wp", "bp", "Wv", "bv")


@dataclass
class LossParts:
    """The three terms of the AlphaZero loss, averaged over a batch."""

    value: float  # mean (z - v)^2
    policy: float  # mean -pi^T log p
    l2: float  # c ||theta||^2

    @property
    def total(self) -> float:
        return self.value + self.policy + self.l2


def _check_batch(name: str, x, ndim: int, dtype=float) -> np.ndarray:
    a = np.asarray(x, dtype=dtype)
    if a.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {a.shape}")
    return a


class PolicyValueNet:
    """pi_theta(a|s) and V_theta(s) from one shared body: a two-layer perceptron with two heads.

    `forward(x, legal)` takes a batch of encoded positions `x` (shape `(B, n_inputs)`) and a
    boolean mask of legal moves (shape `(B, n_actions)`) and returns the policy `p` (zero on
    illegal moves, summing to one over the legal ones) and the value `v` (shape `(B,)`, from the
    view of the player to move).
    """

    def __init__(self, n_inputs: int, n_actions: int, hidden: int = 48, *, seed: int = 0):
        self.n_inputs = v_.check_int("n_inputs", n_inputs, low=1)
        self.n_actions = v_.check_int("n_actions", n_actions, low=1)
        self.hidden = v_.check_int("hidden", hidden, low=1)
        rng = np.random.default_rng(v_.check_int("seed", seed, low=0))

        def he(n_in, n_out):  # He initialisation for ReLU layers
            return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))

        self.params = {
            "W1": he(n_inputs, hidden),
            "b1": np.zeros(hidden),
            "W2": he(hidden, hidden),
            "b2": np.zeros(hidden),
            # small heads: the untrained policy is near uniform, the value near 0
            "Wp": 0.01 * rng.standard_normal((hidden, n_actions)),
            "bp": np.zeros(n_actions),
            "Wv": 0.01 * rng.standard_normal((hidden, 1)),
            "bv": np.zeros(1),
        }

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def copy(self) -> PolicyValueNet:
        """An independent copy (same shapes, copied weights)."""
        new = PolicyValueNet.__new__(PolicyValueNet)
        new.n_inputs, new.n_actions, new.hidden = self.n_inputs, self.n_actions, self.hidden
        new.params = {k: v.copy() for k, v in self.params.items()}
        return new

    def _inputs(self, x, legal) -> tuple[np.ndarray, np.ndarray]:
        x = _check_batch("x", x, 2)
        legal = _check_batch("legal", legal, 2, dtype=bool)
        if x.shape[1] != self.n_inputs:
            raise ValueError(f"x must have {self.n_inputs} columns, got shape {x.shape}")
        if legal.shape != (x.shape[0], self.n_actions):
            raise ValueError(
                f"legal must have shape {(x.shape[0], self.n_actions)}, got {legal.shape}"
            )
        if not legal.any(axis=1).all():
            raise ValueError("legal must allow at least one move in every row")
        return x, legal

    def forward(self, x, legal, *, return_cache: bool = False):
        """(p, v) for a batch; with `return_cache=True` also the intermediates for backprop."""
        x, legal = self._inputs(x, legal)
        P = self.params
        a1 = x @ P["W1"] + P["b1"]
        h1 = np.maximum(a1, 0.0)
        a2 = h1 @ P["W2"] + P["b2"]
        h2 = np.maximum(a2, 0.0)
        p = masked_softmax(h2 @ P["Wp"] + P["bp"], legal)
        v = np.tanh(h2 @ P["Wv"] + P["bv"])[:, 0]
        if return_cache:
            return p, v, (x, legal, a1, h1, a2, h2, p, v)
        return p, v

    def predict(self, x, legal) -> tuple[np.ndarray, float]:
        """(p, v) for a single encoded position: the leaf evaluator's work."""
        p, v = self.forward(np.asarray(x, dtype=float)[None], np.asarray(legal, dtype=bool)[None])
        return p[0], float(v[0])

    def predict_legal(self, x: np.ndarray, legal: list[int]) -> tuple[list[float], float]:
        """Fast path of `predict` for the search: priors on the `legal` moves only, and v.

        Same numbers as `forward` on one row, without argument checks and batch bookkeeping
        (a search calls it thousands of times; `x` must be a float vector of `n_inputs`).
        """
        P = self.params
        h = x @ P["W1"] + P["b1"]
        np.maximum(h, 0.0, out=h)
        h = h @ P["W2"] + P["b2"]
        np.maximum(h, 0.0, out=h)
        logits = (h @ P["Wp"] + P["bp"])[legal]
        e = np.exp(logits - logits.max())
        v = math.tanh(float(h @ P["Wv"][:, 0]) + float(P["bv"][0]))
        return (e / e.sum()).tolist(), v

    def loss(self, x, legal, pi, z, c: float = 1e-4) -> LossParts:
        """The AlphaZero loss (z - v)^2 - pi^T log p + c ||theta||^2, batch-averaged."""
        x, legal = self._inputs(x, legal)
        pi, z = self._targets(pi, z, legal)
        c = v_.check_float("c", c, low=0.0)
        p, v = self.forward(x, legal)
        return alphazero_loss(p, v, pi, z, self.params.values(), c)

    def _targets(self, pi, z, legal) -> tuple[np.ndarray, np.ndarray]:
        pi = _check_batch("pi", pi, 2)
        z = _check_batch("z", z, 1)
        if pi.shape != legal.shape:
            raise ValueError(f"pi must have shape {legal.shape}, got {pi.shape}")
        if z.shape != (legal.shape[0],):
            raise ValueError(f"z must have shape {(legal.shape[0],)}, got {z.shape}")
        if np.any(pi[~legal] != 0):
            raise ValueError("pi must be zero on illegal moves")
        if np.any(np.abs(z) > 1):
            raise ValueError("z must be an outcome in [-1, 1]")
        return pi, z

    def loss_and_grads(self, x, legal, pi, z, c: float = 1e-4) -> tuple[LossParts, dict]:
        """The loss and its gradient with respect to every parameter (backpropagation).

        Returns `(parts, grads)`, `grads[name]` shaped like `params[name]`; the backward pass
        mirrors `forward` step by step, from the two heads down to the input layer.
        """
        x, legal = self._inputs(x, legal)
        pi, z = self._targets(pi, z, legal)
        c = v_.check_float("c", c, low=0.0)
        p, v, cache = self.forward(x, legal, return_cache=True)
        x, legal, a1, h1, a2, h2, p, v = cache
        P = self.params
        B = x.shape[0]
        # value head: d/dv (z - v)^2 = -2 (z - v); tanh' = 1 - v^2
        d_av = (-2.0 * (z - v) * (1.0 - v**2) / B)[:, None]
        # policy head: d/dlogits [-pi^T log softmax] = p sum(pi) - pi = p - pi for a
        # distribution pi (both are 0 on illegal moves)
        d_logits = (p * pi.sum(axis=1, keepdims=True) - pi) / B
        g = {
            "Wv": h2.T @ d_av,
            "bv": d_av.sum(axis=0),
            "Wp": h2.T @ d_logits,
            "bp": d_logits.sum(axis=0),
        }
        d_h2 = d_av @ P["Wv"].T + d_logits @ P["Wp"].T
        d_a2 = d_h2 * (a2 > 0)
        g["W2"], g["b2"] = h1.T @ d_a2, d_a2.sum(axis=0)
        d_a1 = (d_a2 @ P["W2"].T) * (a1 > 0)
        g["W1"], g["b1"] = x.T @ d_a1, d_a1.sum(axis=0)
        for k in PARAM_NAMES:  # d/dtheta c ||theta||^2 = 2 c theta
            g[k] = g[k] + 2.0 * c * P[k]
        return alphazero_loss(p, v, pi, z, P.values(), c), g


def masked_softmax(logits, legal) -> np.ndarray:
    """pi_theta(a|s) = exp(l_a) / sum_{b legal} exp(l_b) on legal moves, exactly 0 on illegal ones.

    Row-wise over a batch `(B, n_actions)`; the max is subtracted first so large logits do not
    overflow.
    """
    logits = np.where(legal, logits, -np.inf)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def alphazero_loss(p, v, pi, z, theta, c: float) -> LossParts:
    """l = (z - v)^2 - pi^T log p + c ||theta||^2, the first two terms averaged over the batch.

    `p`, `pi` have shape `(B, n_actions)`, `v`, `z` shape `(B,)`, `theta` is an iterable of
    weight arrays. Illegal moves have p = 0 and pi = 0: their term 0 log 0 counts as 0.
    """
    p, pi = np.asarray(p, dtype=float), np.asarray(pi, dtype=float)
    v, z = np.asarray(v, dtype=float), np.asarray(z, dtype=float)
    # log p only where pi > 0: elsewhere the term is 0, and log 0 would give 0 * -inf = nan
    log_p = np.log(np.where(pi > 0, p, 1.0))
    return LossParts(
        value=float(np.mean((z - v) ** 2)),
        policy=float(np.mean(-(pi * log_p).sum(axis=-1))),
        l2=float(c * sum(np.sum(np.square(w)) for w in theta)),
    )
