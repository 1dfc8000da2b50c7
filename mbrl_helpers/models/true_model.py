"""The true model of a tabular task, given as a table, and many simulated trajectories at once
(lecture 00; Sutton & Barto 8.1, "models can be used to mimic or simulate experience").

- `TrueModel(P)`: a model given by a Gymnasium-style table `P[s][a] = [(prob, s_next, r,
  terminated), ...]`, e.g. `env.unwrapped.P`: the simulator an engineer is handed.
- `mbrl_helpers.envs.SimulatedEnv(model, ...)` turns any such model into an environment.
- `model_arrays(P, n_states, n_actions)`: the table as arrays `p[s, a, s']`, `r[s, a, s']`,
  `done[s, a, s']` for vectorised simulation.
- `simulate_returns(...)`: the returns of many trajectories of a policy, simulated side by side.
- `expected_return(...)`: the same expectation computed exactly, by pushing the distribution of
  the state forward through the table (lecture 00's exercise 0.1 writes it with a model's
  `distribution(s, a)`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import numpy as np

from mbrl_helpers.models.table import Transition, _TableModel
from mbrl_helpers.validation import check_discount, check_int, check_rng


def _check_P(P: Mapping) -> Mapping:
    if not isinstance(P, Mapping) or not P:
        raise TypeError(
            f"P must be a non-empty dict P[s][a] = [(prob, s_next, r, terminated)], got {type(P).__name__}"
        )
    return P


class TrueModel(_TableModel):
    """A model that is a given table `P[s][a]` (e.g. `env.unwrapped.P`): the simulator an
    engineer is handed. It answers like the learned table models: `sample`, `distribution`,
    `to_P`; every pair of `P` counts as observed."""

    def __init__(self, P: Mapping) -> None:
        super().__init__()
        self.P = _check_P(P)
        for s, row in P.items():
            for a in row.keys() if isinstance(row, Mapping) else range(len(row)):
                self._remember(s, a)

    def _observed(self, s: Hashable, a: Hashable) -> bool:
        try:
            self.P[s][a]
        except (KeyError, IndexError, TypeError):
            return False
        return True

    def _missing(self, s: Hashable, a: Hashable) -> list[Transition]:
        raise ValueError(f"(s, a) = ({s!r}, {a!r}) is not in the model's table P")

    def _observed_distribution(self, s: Hashable, a: Hashable) -> list[Transition]:
        """`P[s][a]`, with numpy integers turned into Python ints."""
        return [(float(p), int(s2), float(r), bool(done)) for p, s2, r, done in self.P[s][a]]


def model_arrays(
    P: Mapping, n_states: int, n_actions: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`(p, r, done)`, each of shape `(n_states, n_actions, n_states)`, from a table `P[s][a]`.

    `p[s, a, s']` is the probability of `s'`; `r[s, a, s']` the (probability-weighted mean) reward
    of that transition; `done[s, a, s']` whether it terminates. Pairs missing from `P` raise.
    """
    _check_P(P)
    n_states = check_int("n_states", n_states, low=1)
    n_actions = check_int("n_actions", n_actions, low=1)
    p = np.zeros((n_states, n_actions, n_states))
    r = np.zeros_like(p)
    done = np.zeros(p.shape, dtype=bool)
    for s in range(n_states):
        for a in range(n_actions):
            try:
                entries = P[s][a]
            except (KeyError, IndexError):
                raise ValueError(f"P has no entry for (s, a) = ({s}, {a})") from None
            for prob, s_next, reward, terminated in entries:
                if not 0 <= int(s_next) < n_states:
                    raise ValueError(
                        f"P[{s}][{a}] leads to state {s_next}, outside 0..{n_states - 1}"
                    )
                p[s, a, s_next] += prob
                r[s, a, s_next] += prob * reward
                done[s, a, s_next] |= bool(terminated)
            total = p[s, a].sum()
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"P[{s}][{a}] probabilities sum to {total:.6g}, expected 1")
    r = np.divide(r, p, out=np.zeros_like(r), where=p > 0)
    return p, r, done


def _check_policy(policy, n_states: int, n_actions: int) -> np.ndarray:
    policy = np.asarray(policy)
    if policy.shape != (n_states,) or not np.issubdtype(policy.dtype, np.integer):
        raise ValueError(
            f"policy must be an integer array of shape ({n_states},), got {policy.dtype} {policy.shape}"
        )
    if policy.min() < 0 or policy.max() >= n_actions:
        raise ValueError(f"policy actions must lie in 0..{n_actions - 1}")
    return policy


def expected_return(
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray],
    policy: np.ndarray,
    start_state: int,
    *,
    gamma: float = 1.0,
    max_steps: int = 100,
) -> float:
    """E[G] = E[sum_{t < T} gamma^t R_{t+1}], T = min(termination, max_steps), exactly.

    d_0 = onehot(start_state); at each step t, G += gamma^t sum_{s, s'} d_t(s) p(s'|s, pi(s))
    r(s, pi(s), s'), and d_{t+1}(s') = sum_s d_t(s) p(s'|s, pi(s)) [not terminated]: the whole
    distribution of the running episode's state moves at once (Sutton & Barto 8.1, a
    distribution model). The mean of `simulate_returns` converges to it.
    """
    p, r, done = arrays
    n_states, n_actions = p.shape[:2]
    policy = _check_policy(policy, n_states, n_actions)
    start_state = check_int("start_state", start_state, low=0, high=n_states - 1)
    gamma = check_discount("gamma", gamma)
    max_steps = check_int("max_steps", max_steps, low=1)
    states = np.arange(n_states)
    p_pi, r_pi, done_pi = p[states, policy], r[states, policy], done[states, policy]
    reward_pi = (p_pi * r_pi).sum(axis=1)  # expected reward of one step from each state
    moves_on = p_pi * ~done_pi  # probability of reaching s' without the episode ending
    d = np.zeros(n_states)
    d[start_state] = 1.0
    G, discount = 0.0, 1.0
    for _ in range(max_steps):
        G += discount * float(d @ reward_pi)
        d = d @ moves_on
        discount *= gamma
    return G


def simulate_returns(
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray],
    policy: np.ndarray,
    start_state: int,
    n_trajectories: int,
    *,
    rng: np.random.Generator,
    gamma: float = 1.0,
    max_steps: int = 100,
) -> np.ndarray:
    """The discounted returns `G = sum_t gamma^t R_{t+1}` of `n_trajectories` simulated episodes.

    All trajectories advance together, one numpy step per time step: `S' ~ p[S, pi(S), :]` is
    drawn for every running trajectory at once by inverting the cumulative distribution.
    Episodes stop at termination or after `max_steps` steps.
    """
    p, r, done = arrays
    n_states, n_actions = p.shape[:2]
    policy = _check_policy(policy, n_states, n_actions)
    start_state = check_int("start_state", start_state, low=0, high=n_states - 1)
    n = check_int("n_trajectories", n_trajectories, low=1)
    check_rng("rng", rng)
    gamma = check_discount("gamma", gamma)
    max_steps = check_int("max_steps", max_steps, low=1)

    cumulative = np.cumsum(p, axis=2)
    s = np.full(n, start_state)
    G = np.zeros(n)
    discount = np.ones(n)
    running = np.ones(n, dtype=bool)
    for _ in range(max_steps):
        idx = np.flatnonzero(running)
        if idx.size == 0:
            break
        a = policy[s[idx]]
        u = rng.random(idx.size)
        s_next = (cumulative[s[idx], a] <= u[:, None]).sum(axis=1).clip(max=n_states - 1)
        G[idx] += discount[idx] * r[s[idx], a, s_next]
        discount[idx] *= gamma
        running[idx] = ~done[s[idx], a, s_next]
        s[idx] = s_next
    return G
