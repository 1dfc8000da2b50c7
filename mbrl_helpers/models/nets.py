"""A small multilayer perceptron in numpy: forward, hand-written backpropagation, SGD and Adam.

Just enough neural network to learn a model of the environment (Sutton & Barto 9.7 on
artificial neural networks; the learned models are in `mbrl_helpers.models.neural`):

    h_0 = x,   h_l = f(h_{l-1} W_l + b_l)  (l < L),   y = h_{L-1} W_L + b_L

with `f` = tanh or ReLU, rows of `x` are samples. `backward` applies the chain rule layer by
layer, returning the gradients of the parameters and of the input `x` (the latter lets a planner
differentiate through a learned model). Two losses give their gradient with the value:
`softmax_cross_entropy` (classification) and `mse` (regression). `numerical_gradient` checks
the hand-written gradients against central finite differences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from mbrl_helpers.randomness import random_indices
from mbrl_helpers.validation import check_float, check_int, check_rng

_ACTIVATIONS = {
    # name: (f(z), f'(z) written with z and f(z))
    "tanh": (np.tanh, lambda z, h: 1.0 - h**2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, h: (z > 0.0).astype(z.dtype)),
}


class MLP:
    """A fully connected network: `sizes = [n_in, hidden..., n_out]`, linear output layer."""

    def __init__(
        self, sizes: Sequence[int], *, rng: np.random.Generator, activation: str = "tanh"
    ) -> None:
        if isinstance(sizes, str | bytes) or len(sizes) < 2:
            raise ValueError(f"sizes must list at least [n_in, n_out], got {sizes!r}")
        self.sizes = [check_int(f"sizes[{i}]", n, low=1) for i, n in enumerate(sizes)]
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}"
            )
        self.activation = activation
        check_rng("rng", rng)
        self.params: list[np.ndarray] = []  # [W_1, b_1, W_2, b_2, ...]
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            # Glorot-style scale keeps tanh units out of saturation at the start
            self.params.append(rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_in, n_out)))
            self.params.append(np.zeros(n_out))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y = MLP(x) for a batch `x` of shape (N, n_in)."""
        return self.forward_cache(x)[0]

    def forward_cache(self, x: np.ndarray) -> tuple[np.ndarray, list]:
        """y and what `backward` needs: each layer's input and pre-activation."""
        h = self._check_input(x)
        f, _df = _ACTIVATIONS[self.activation]
        cache = []
        n_layers = len(self.params) // 2
        for l in range(n_layers):
            W, b = self.params[2 * l], self.params[2 * l + 1]
            z = h @ W + b
            cache.append((h, z))
            h = f(z) if l < n_layers - 1 else z
        cache.append((h, None))
        return h, cache

    def backward(self, cache: list, dy: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Chain rule from dL/dy back to (dL/dparams, dL/dx).

        dL/dW_l = h_{l-1}^T dL/dz_l,   dL/db_l = sum over the batch of dL/dz_l,
        dL/dh_{l-1} = dL/dz_l W_l^T,   dL/dz_{l-1} = dL/dh_{l-1} * f'(z_{l-1}).
        """
        _f, df = _ACTIVATIONS[self.activation]
        dy = np.asarray(dy, dtype=float)
        if dy.shape != cache[-1][0].shape:
            raise ValueError(
                f"dy must have the output's shape {cache[-1][0].shape}, got {dy.shape}"
            )
        n_layers = len(self.params) // 2
        grads: list[np.ndarray] = [np.empty(0)] * len(self.params)
        dz = dy
        for l in reversed(range(n_layers)):
            h_in, _z = cache[l]
            W = self.params[2 * l]
            grads[2 * l] = h_in.T @ dz
            grads[2 * l + 1] = dz.sum(axis=0)
            dh = dz @ W.T
            if l > 0:
                _h, z_prev = cache[l - 1]
                dz = dh * df(z_prev, h_in)
        return grads, dh

    def _check_input(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(f"x must have shape (N, {self.sizes[0]}), got {x.shape}")
        return x


# -- losses: (value, gradient with respect to the prediction) -------------------------------------
def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax along the last axis, stable for large logits (subtract the max first)."""
    z = logits - logits.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """softmax along the last axis."""
    return np.exp(log_softmax(np.asarray(logits, dtype=float)))


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """L = -(1/N) sum_i log softmax(z_i)[y_i];  dL/dz_i = (softmax(z_i) - onehot(y_i)) / N."""
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, n_classes), got {logits.shape}")
    if targets.shape != (logits.shape[0],) or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be {logits.shape[0]} integer class labels, got {targets!r}")
    if targets.min() < 0 or targets.max() >= logits.shape[1]:
        raise ValueError(f"targets must lie in [0, {logits.shape[1] - 1}]")
    n = logits.shape[0]
    logp = log_softmax(logits)
    loss = -float(logp[np.arange(n), targets].mean())
    dlogits = np.exp(logp)
    dlogits[np.arange(n), targets] -= 1.0
    return loss, dlogits / n


def mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """L = mean over all entries of (pred - target)^2;  dL/dpred = 2 (pred - target) / pred.size."""
    pred = np.asarray(pred, dtype=float)
    target = np.asarray(target, dtype=float)
    if pred.shape != target.shape:
        raise ValueError(
            f"target must have the prediction's shape {pred.shape}, got {target.shape}"
        )
    diff = pred - target
    return float(np.mean(diff**2)), 2.0 * diff / diff.size


# -- optimisers ------------------------------------------------------------------------------------
class SGD:
    """w <- w - lr * v,  v <- momentum * v + grad  (plain SGD when momentum = 0)."""

    def __init__(self, params: list[np.ndarray], lr: float = 0.1, momentum: float = 0.0) -> None:
        self.params = params
        self.lr = check_float("lr", lr, low=0.0, low_open=True)
        self.momentum = check_float("momentum", momentum, low=0.0, high=1.0)
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        """Update every parameter in place."""
        for p, g, v in zip(self.params, grads, self.v, strict=True):
            v *= self.momentum
            v += g
            p -= self.lr * v


class Adam:
    """Adam (Kingma & Ba 2015): bias-corrected running means of the gradient and its square.

    m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
    w <- w - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t), v_hat likewise.

    `params` is a list of arrays (an `MLP`'s) or a dict of named arrays (the AlphaZero network's);
    `step(grads)` takes the gradients in the same container. Arrays are updated in place.
    """

    def __init__(
        self,
        params: list[np.ndarray] | dict[str, np.ndarray],
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        self.params = params
        self._keys = list(params) if isinstance(params, dict) else None
        self.lr = check_float("lr", lr, low=0.0, low_open=True)
        self.beta1 = check_float("beta1", beta1, low=0.0, high=1.0)
        self.beta2 = check_float("beta2", beta2, low=0.0, high=1.0)
        self.eps = check_float("eps", eps, low=0.0, low_open=True)
        arrays = self._arrays(params)
        self.m = [np.zeros_like(p) for p in arrays]
        self.v = [np.zeros_like(p) for p in arrays]
        self.t = 0

    def _arrays(self, container) -> list[np.ndarray]:
        if self._keys is None:
            return list(container)
        if set(container) != set(self._keys):
            raise ValueError(
                f"gradients must have the parameters' names {sorted(self._keys)}, "
                f"got {sorted(container)}"
            )
        return [container[k] for k in self._keys]

    def step(self, grads: list[np.ndarray] | dict[str, np.ndarray]) -> None:
        """Update every parameter in place."""
        self.t += 1
        c1, c2 = 1.0 - self.beta1**self.t, 1.0 - self.beta2**self.t
        params, grads = self._arrays(self.params), self._arrays(grads)
        for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g**2
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


# -- training --------------------------------------------------------------------------------------
@dataclass
class LossCurve:
    """Loss per gradient step (on its minibatch), and held-out loss every few steps."""

    train: list[float] = field(default_factory=list)
    val_steps: list[int] = field(default_factory=list)
    val: list[float] = field(default_factory=list)


Loss = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def train(
    net: MLP,
    loss: Loss,
    x: np.ndarray,
    y: np.ndarray,
    *,
    rng: np.random.Generator,
    n_gradient_steps: int = 500,
    batch_size: int = 64,
    optimizer: SGD | Adam | None = None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    eval_every: int = 25,
    progress: bool = True,
    desc: str = "training",
) -> LossCurve:
    """Minibatch gradient descent on `loss(net(x), y)`; a tqdm bar shows the running loss.

    Minibatches are drawn with replacement from `rng`. `optimizer` defaults to Adam(lr=1e-3).
    """
    check_rng("rng", rng)
    n_gradient_steps = check_int("n_gradient_steps", n_gradient_steps, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    eval_every = check_int("eval_every", eval_every, low=1)
    x = net._check_input(x)
    y = np.asarray(y)
    if len(y) != len(x):
        raise ValueError(f"y must have one row per row of x ({len(x)}), got {len(y)}")
    optimizer = optimizer if optimizer is not None else Adam(net.params)
    history = LossCurve()
    bar = tqdm(range(n_gradient_steps), desc=desc, disable=not progress, leave=False)
    for step in bar:
        idx = random_indices(len(x), batch_size, rng=rng)
        out, cache = net.forward_cache(x[idx])
        value, dout = loss(out, y[idx])
        grads, _dx = net.backward(cache, dout)
        optimizer.step(grads)
        history.train.append(value)
        if validation is not None and (step % eval_every == 0 or step == n_gradient_steps - 1):
            history.val_steps.append(step)
            history.val.append(loss(net.forward(validation[0]), validation[1])[0])
        if step % 20 == 0:
            bar.set_postfix(loss=f"{value:.4f}")
    bar.close()
    return history


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences (f(x + eps e_i) - f(x - eps e_i)) / 2 eps, perturbing `x` in place."""
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f()
        x[i] = old - eps
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad
