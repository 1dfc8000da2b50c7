"""MuZero's three functions in one numpy network, with hand-written backpropagation through the unroll.

    representation   s^0 = h(o)           = tanh(relu(o W_h1 + b_h1) W_h2 + b_h2)
    dynamics         r^k, s^k = g(s^{k-1}, a^k):
                         u = relu(s^{k-1} W_gs + W_ga[a^k] + b_g1)      (W_ga[a]: one-hot a, times W)
                         s^k = tanh(u W_g2 + b_g2),   r^k = sigmoid(u w_r + b_r)
    prediction       p^k, v^k = f(s^k):
                         e = relu(s^k W_f + b_f)
                         p^k = softmax(e W_p + b_p) over all actions,   v^k = tanh(e w_v + b_v)

(Schrittwieser et al., 2020, "Mastering Atari, Go, chess and shogi by planning with a learned
model"). Latent states live in [-1, 1]^d (tanh), rewards in [0, 1] (a sigmoid: the reward of a
move is 0 or 1 in our tasks), values in [-1, 1] for the player to move.

Training unrolls the model K steps from a real position o_t along the actions really taken,
and compares step k's predictions with targets for position t + k (`UnrollBatch`):

    l = sum_{k=0..K} (z_k - v^k)^2 + m_k (-pi_k^T log p^k)                value, policy (masked)
      + sum_{k=1..K} -[u_k log r^k + (1 - u_k) log(1 - r^k)]              reward (cross-entropy)
      + w_c sum_{k=1..K} c_k ||s^k - h(o_{t+k})||^2 / d                   consistency (masked)
      + c ||theta||^2

averaged over the batch, each step weighted 1. The consistency term (EfficientZero, Ye et al.,
2021) is *not* in the original MuZero: it pulls g's latent state towards the representation of the
real next observation (held fixed: no gradient flows into that target); on tic-tac-toe it
shortens training a little (lecture 07, section 1: 63 against 68 iterations on average over
five seeds). Set `w_c = 0` for the original loss. As in MuZero,
the gradient that flows from step k+1 back into the latent state s^k is halved, so that the
dynamics, applied K times, do not receive K times the gradient of the representation.

Everything is written out, forward and backward side by side; `tests/test_muzero.py` checks the
gradients against finite differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation as v_

PARAM_NAMES = (
    "Wh1", "bh1", "Wh2", "bh2",  # representation h
    "Wgs", "Wga", "bg1", "Wg2", "bg2", "wr", "br",  # dynamics g (latent, reward)
    "Wf", "bf", "Wp", "bp", "wv", "bv",  # prediction f (policy, value)
)  # fmt: skip
GRADIENT_SCALE = 0.5
"""Factor on the gradient flowing from unroll step k+1 back into the latent state s^k (MuZero)."""


@dataclass
class UnrollBatch:
    """Training data for the K-step unroll from B real positions (arrays, B rows each).

    - `obs` (B, K+1, n_inputs): the encoded real observations o_t, ..., o_{t+K} (zeros past the
      end; only o_t feeds the network, the others are consistency targets);
    - `actions` (B, K): a_{t+1}, ..., a_{t+K}, the actions really taken (random past the end);
    - `value` (B, K+1): value targets z_{t+k} (0 from the end on: the absorbing state);
    - `reward` (B, K): reward targets u_{t+k}, k = 1..K (0 past the end);
    - `policy` (B, K+1, A): the search's visit distributions pi_{t+k} (zeros where masked);
    - `policy_mask` (B, K+1): 1 where position t+k was searched (before the end);
    - `consistency_mask` (B, K+1): 1 where o_{t+k} is a real non-terminal observation (k >= 1);
    - `value_mask` (B, K+1), optional: 0 where the value and reward targets are unknown (past the
      end of an episode cut off by a step limit); None means all known.
    """

    obs: np.ndarray
    actions: np.ndarray
    value: np.ndarray
    reward: np.ndarray
    policy: np.ndarray
    policy_mask: np.ndarray
    consistency_mask: np.ndarray
    value_mask: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.actions)

    @property
    def K(self) -> int:
        return self.actions.shape[1]


@dataclass
class LossParts:
    """The terms of the unrolled loss, each summed over the unroll and averaged over the batch."""

    value: float
    policy: float
    reward: float
    consistency: float  # already multiplied by its weight w_c
    l2: float

    @property
    def total(self) -> float:
        return self.value + self.policy + self.reward + self.consistency + self.l2


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow warning for large |x|


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


class MuZeroNet:
    """h, g and f of MuZero as small perceptrons (see the module docstring), float32 by default.

    `n_inputs`: size of an encoded observation; `n_actions`: number of actions; `latent`: size d
    of a latent state; `hidden`: units of h's and f's hidden layers; `dynamics_hidden`: units of
    g's hidden layer. `dtype=np.float64` gives the precision the gradient tests need.
    """

    def __init__(
        self,
        n_inputs: int,
        n_actions: int,
        latent: int = 64,
        hidden: int = 64,
        dynamics_hidden: int = 128,
        *,
        seed: int = 0,
        dtype=np.float32,
    ):
        self.n_inputs = v_.check_int("n_inputs", n_inputs, low=1)
        self.n_actions = v_.check_int("n_actions", n_actions, low=1)
        self.latent = v_.check_int("latent", latent, low=1)
        self.hidden = v_.check_int("hidden", hidden, low=1)
        self.dynamics_hidden = v_.check_int("dynamics_hidden", dynamics_hidden, low=1)
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(v_.check_int("seed", seed, low=0))
        D, H, G, A = self.latent, self.hidden, self.dynamics_hidden, self.n_actions

        def he(n_in, *shape):  # He initialisation for layers followed by a ReLU
            return rng.normal(0.0, np.sqrt(2.0 / n_in), size=shape)

        def glorot(n_in, *shape):  # for the tanh layers
            return rng.normal(0.0, np.sqrt(1.0 / n_in), size=shape)

        params = {
            "Wh1": he(n_inputs, n_inputs, H),
            "bh1": np.zeros(H),
            "Wh2": glorot(H, H, D),
            "bh2": np.zeros(D),
            "Wgs": he(D + A, D, G),
            "Wga": he(D + A, A, G),
            "bg1": np.zeros(G),
            "Wg2": glorot(G, G, D),
            "bg2": np.zeros(D),
            "wr": 0.01 * rng.standard_normal(G),
            "br": np.array(-2.0),  # most moves earn no reward: start near r = 0.12
            "Wf": he(D, D, H),
            "bf": np.zeros(H),
            # small heads: the untrained policy is near uniform, the value near 0
            "Wp": 0.01 * rng.standard_normal((H, A)),
            "bp": np.zeros(A),
            "wv": 0.01 * rng.standard_normal(H),
            "bv": np.array(0.0),
        }
        self.params = {k: np.asarray(w, dtype=self.dtype) for k, w in params.items()}

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def copy(self) -> MuZeroNet:
        """An independent copy (same shapes, copied weights)."""
        new = MuZeroNet.__new__(MuZeroNet)
        new.__dict__.update(self.__dict__)
        new.params = {k: w.copy() for k, w in self.params.items()}
        return new

    def __repr__(self) -> str:
        return (
            f"MuZeroNet(n_inputs={self.n_inputs}, n_actions={self.n_actions}, "
            f"latent={self.latent}, hidden={self.hidden}, "
            f"dynamics_hidden={self.dynamics_hidden}, {self.n_params} parameters, "
            f"{self.dtype.name})"
        )

    # --- the three functions (batched forward passes) -------------------------------------------
    def represent(self, obs) -> np.ndarray:
        """s^0 = h(o) for a batch of encoded observations (B, n_inputs) -> (B, d)."""
        P = self.params
        x = np.asarray(obs, dtype=self.dtype)
        if x.ndim != 2 or x.shape[1] != self.n_inputs:
            raise ValueError(f"obs must have shape (B, {self.n_inputs}), got {x.shape}")
        a1 = x @ P["Wh1"] + P["bh1"]
        return np.tanh(np.maximum(a1, 0.0) @ P["Wh2"] + P["bh2"])

    def dynamics(self, s, actions) -> tuple[np.ndarray, np.ndarray]:
        """(r^k, s^k) = g(s^{k-1}, a^k) for a batch: rewards (B,) in [0, 1], latents (B, d)."""
        P = self.params
        u = np.maximum(s @ P["Wgs"] + P["Wga"][actions] + P["bg1"], 0.0)
        return _sigmoid(u @ P["wr"] + P["br"]), np.tanh(u @ P["Wg2"] + P["bg2"])

    def predict(self, s) -> tuple[np.ndarray, np.ndarray]:
        """(p^k, v^k) = f(s^k) for a batch: policies (B, A) over all actions, values (B,)."""
        P = self.params
        e = np.maximum(s @ P["Wf"] + P["bf"], 0.0)
        return np.exp(_log_softmax(e @ P["Wp"] + P["bp"])), np.tanh(e @ P["wv"] + P["bv"])

    def initial_inference(self, obs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(s^0, p^0, v^0): h, then f, for a batch of encoded observations."""
        s = self.represent(obs)
        p, v = self.predict(s)
        return s, p, v

    def recurrent_inference(self, s, actions) -> tuple[np.ndarray, ...]:
        """(r, s', p', v'): g, then f, for a batch of latent states and actions."""
        r, s_next = self.dynamics(s, actions)
        p, v = self.predict(s_next)
        return r, s_next, p, v

    def unroll(self, obs0, actions) -> dict[str, np.ndarray]:
        """Predictions along the actions (B, K) from observations (B, n_inputs), as arrays.

        Returns `latent` (B, K+1, d), `policy` (B, K+1, A), `value` (B, K+1) and `reward`
        (B, K): step k's prediction for position t + k.
        """
        actions = np.asarray(actions)
        s = self.represent(obs0)
        latents, policies, values, rewards = [s], [], [], []
        for k in range(actions.shape[1] + 1):
            p, v = self.predict(s)
            policies.append(p)
            values.append(v)
            if k < actions.shape[1]:
                r, s = self.dynamics(s, actions[:, k])
                rewards.append(r)
                latents.append(s)
        B = len(actions)
        return {
            "latent": np.stack(latents, axis=1),
            "policy": np.stack(policies, axis=1),
            "value": np.stack(values, axis=1),
            "reward": np.stack(rewards, axis=1) if rewards else np.zeros((B, 0), self.dtype),
        }

    # --- the unrolled loss and its gradient -----------------------------------------------------
    def loss(self, batch: UnrollBatch, c_l2: float = 1e-4, w_c: float = 0.0) -> LossParts:
        """The unrolled loss of the module docstring on `batch` (no gradient)."""
        return self.loss_and_grads(batch, c_l2, w_c, grads=False)[0]

    def loss_and_grads(
        self,
        batch: UnrollBatch,
        c_l2: float = 1e-4,
        w_c: float = 0.0,
        *,
        grads: bool = True,
        gradient_scale: float = GRADIENT_SCALE,
        target_params: dict | None = None,
    ) -> tuple[LossParts, dict | None]:
        """The unrolled loss and its gradient with respect to every parameter.

        Forward: s^0 = h(o_t), then f at every step and g between steps. Backward: f's gradient
        at every step at once, then back along the unroll from step K to 0, where the latent
        state's gradient collects f's, the consistency term's and g's of the next step, times
        `gradient_scale` (MuZero's 1/2; with 1 the result is the exact gradient of the loss).
        The consistency targets h(o_{t+k}) use `target_params` (default: the current weights),
        and no gradient flows into them.
        """
        P, dt = self.params, self.dtype
        B, K = batch.actions.shape
        A, D = self.n_actions, self.latent
        obs = np.asarray(batch.obs, dtype=dt)
        actions = np.asarray(batch.actions)
        z = np.asarray(batch.value, dtype=dt)
        u_target = np.asarray(batch.reward, dtype=dt)
        pi = np.asarray(batch.policy, dtype=dt)
        m_p = np.asarray(batch.policy_mask, dtype=dt)
        m_c = np.asarray(batch.consistency_mask, dtype=dt)
        m_v = (
            np.ones((B, K + 1), dtype=dt)
            if batch.value_mask is None
            else np.asarray(batch.value_mask, dtype=dt)
        )

        # -- forward: h
        a1 = obs[:, 0] @ P["Wh1"] + P["bh1"]
        h1 = np.maximum(a1, 0.0)
        s = np.tanh(h1 @ P["Wh2"] + P["bh2"])
        S = [s]  # s^0..s^K
        G_pre, U = [], []  # g's hidden pre-activations and activations, steps 1..K
        rho = np.empty((B, K), dtype=dt)  # reward logits
        for k in range(K):  # -- forward: g, K times
            g_pre = s @ P["Wgs"] + P["Wga"][actions[:, k]] + P["bg1"]
            u = np.maximum(g_pre, 0.0)
            rho[:, k] = u @ P["wr"] + P["br"]
            s = np.tanh(u @ P["Wg2"] + P["bg2"])
            G_pre.append(g_pre)
            U.append(u)
            S.append(s)
        S_all = np.stack(S, axis=1).reshape(B * (K + 1), D)
        # -- forward: f on every step at once
        f_pre = S_all @ P["Wf"] + P["bf"]
        e = np.maximum(f_pre, 0.0)
        log_p = _log_softmax(e @ P["Wp"] + P["bp"]).reshape(B, K + 1, A)
        v = np.tanh(e @ P["wv"] + P["bv"]).reshape(B, K + 1)
        r = _sigmoid(rho)
        # -- consistency targets: h of the real observations o_{t+1..t+K}, held fixed
        if w_c and K:
            T = P if target_params is None else target_params
            o_next = obs[:, 1:].reshape(B * K, -1)
            target = np.tanh(
                np.maximum(o_next @ T["Wh1"] + T["bh1"], 0.0) @ T["Wh2"] + T["bh2"]
            ).reshape(B, K, D)
            diff = (np.stack(S[1:], axis=1) - target) * m_c[:, 1:, None]
        else:
            diff = np.zeros((B, K, D), dtype=dt)

        # -- the loss
        eps = np.finfo(dt).tiny
        value_loss = float(np.sum(m_v * (z - v) ** 2)) / B
        policy_loss = float(-np.sum(m_p[:, :, None] * pi * log_p)) / B
        reward_loss = (
            float(
                -np.sum(
                    m_v[:, 1:]
                    * (u_target * np.log(r + eps) + (1.0 - u_target) * np.log(1.0 - r + eps))
                )
            )
            / B
        )
        consistency = w_c * float(np.sum(diff**2)) / (B * D)
        l2 = c_l2 * float(sum(np.sum(w.astype(np.float64) ** 2) for w in P.values()))
        parts = LossParts(value_loss, policy_loss, reward_loss, consistency, l2)
        if not grads:
            return parts, None

        g = {}
        # -- backward: f at every step (policy: softmax - pi, masked; value: tanh')
        p = np.exp(log_p)
        d_logits = (m_p[:, :, None] * (p * pi.sum(axis=-1, keepdims=True) - pi)).reshape(-1, A) / B
        d_av = (-2.0 * m_v * (z - v) * (1.0 - v**2)).reshape(-1) / B
        g["Wp"], g["bp"] = e.T @ d_logits, d_logits.sum(axis=0)
        g["wv"], g["bv"] = e.T @ d_av, d_av.sum()
        d_e = d_logits @ P["Wp"].T + np.outer(d_av, P["wv"])
        d_f = d_e * (f_pre > 0)
        g["Wf"], g["bf"] = S_all.T @ d_f, d_f.sum(axis=0)
        d_S = (d_f @ P["Wf"].T).reshape(B, K + 1, D)
        d_S[:, 1:] += (2.0 * w_c / (B * D)) * diff  # consistency: the target gets no gradient

        # -- backward: g from step K down to 1, the latent state's gradient flowing back
        d_rho = m_v[:, 1:] * (r - u_target) / B  # d/d logit of a sigmoid's cross-entropy
        d_gpre_all = np.empty((K, B, self.dynamics_hidden), dtype=dt)
        d_s = d_S[:, K]
        for k in range(K - 1, -1, -1):
            s_next = S[k + 1]
            d_an = d_s * (1.0 - s_next**2)  # through tanh
            d_u = d_an @ P["Wg2"].T + np.outer(d_rho[:, k], P["wr"])
            d_gpre = d_u * (G_pre[k] > 0)
            d_gpre_all[k] = d_gpre
            if k == K - 1:
                g["Wg2"], g["bg2"] = U[k].T @ d_an, d_an.sum(axis=0)
            else:
                g["Wg2"] += U[k].T @ d_an
                g["bg2"] += d_an.sum(axis=0)
            # s^k gets f's and the consistency gradient, plus g's, halved (MuZero)
            d_s = d_S[:, k] + gradient_scale * (d_gpre @ P["Wgs"].T)
        if K:
            U_all = np.stack(U).reshape(K * B, -1)
            S_prev = np.stack(S[:K]).reshape(K * B, D)
            d_gpre_flat = d_gpre_all.reshape(K * B, -1)
            g["wr"] = U_all.T @ d_rho.T.reshape(-1)
            g["br"] = d_rho.sum()
            g["Wgs"] = S_prev.T @ d_gpre_flat
            onehot = np.zeros((K * B, A), dtype=dt)
            onehot[np.arange(K * B), actions.T.reshape(-1)] = 1.0
            g["Wga"] = onehot.T @ d_gpre_flat
            g["bg1"] = d_gpre_flat.sum(axis=0)
        else:
            for name in ("Wgs", "Wga", "bg1", "Wg2", "bg2", "wr", "br"):
                g[name] = np.zeros_like(P[name])

        # -- backward: h
        d_a2 = d_s * (1.0 - S[0] ** 2)
        g["Wh2"], g["bh2"] = h1.T @ d_a2, d_a2.sum(axis=0)
        d_a1 = (d_a2 @ P["Wh2"].T) * (a1 > 0)
        g["Wh1"], g["bh1"] = obs[:, 0].T @ d_a1, d_a1.sum(axis=0)
        for name in PARAM_NAMES:  # d/dtheta c ||theta||^2 = 2 c theta
            g[name] = (g[name] + 2.0 * c_l2 * P[name]).astype(dt, copy=False)
        return parts, g


# --- the prediction part of the loss, on its own (lecture 07's exercises) -----------------------
def unroll_loss(value, reward_logit, policy_logits, z, u, pi, policy_mask) -> float:
    """The unrolled loss of the predictions, summed over the steps, averaged over the batch.

        l = (1/B) sum_b [ sum_{k=0..K} (z_k - v^k)^2 + m_k (-pi_k^T log softmax(logits^k))
                          + sum_{k=1..K} -(u_k log r^k + (1 - u_k) log(1 - r^k)) ],
        r^k = sigmoid(reward_logit^k)

    Shapes: `value`, `z`, `policy_mask` (B, K+1); `reward_logit`, `u` (B, K) for k = 1..K;
    `policy_logits`, `pi` (B, K+1, A). The terms `MuZeroNet.loss_and_grads` computes (without
    the consistency term and the weight decay).
    """
    v, z, m = (np.asarray(x, dtype=float) for x in (value, z, policy_mask))
    rho, u = np.asarray(reward_logit, dtype=float), np.asarray(u, dtype=float)
    logits, pi = np.asarray(policy_logits, dtype=float), np.asarray(pi, dtype=float)
    B = len(v)
    value_term = np.sum((z - v) ** 2)
    policy_term = -np.sum(m[:, :, None] * pi * _log_softmax(logits))
    # -(u log sigmoid(x) + (1 - u) log(1 - sigmoid(x))) = softplus(x) - u x, without overflow
    reward_term = np.sum(np.logaddexp(0.0, rho) - u * rho)
    return float(value_term + policy_term + reward_term) / B


def unroll_loss_gradients(value, reward_logit, policy_logits, z, u, pi, policy_mask):
    """The gradient of `unroll_loss` with respect to its three predictions (same shapes).

    dl/dv^k = -2 (z_k - v^k) / B
    dl/dreward_logit^k = (sigmoid(reward_logit^k) - u_k) / B
    dl/dlogits^k = m_k (softmax(logits^k) sum_a pi_k(a) - pi_k) / B
    """
    v, z, m = (np.asarray(x, dtype=float) for x in (value, z, policy_mask))
    rho, u = np.asarray(reward_logit, dtype=float), np.asarray(u, dtype=float)
    logits, pi = np.asarray(policy_logits, dtype=float), np.asarray(pi, dtype=float)
    B = len(v)
    p = np.exp(_log_softmax(logits))
    d_logits = m[:, :, None] * (p * pi.sum(axis=-1, keepdims=True) - pi) / B
    return -2.0 * (z - v) / B, (_sigmoid(rho) - u) / B, d_logits
