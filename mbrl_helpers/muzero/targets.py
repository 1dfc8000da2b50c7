"""What MuZero learns from: whole recorded games, and the targets of a K-step unroll.

A game (an episode) is stored whole, as a `Trajectory`: observations o_0..o_T, the actions
a_1..a_T taken (a_{t+1} at o_t), the rewards u_1..u_T they earned (for the player who moved),
the search's visit distributions pi_0..pi_{T-1} and root values nu_0..nu_{T-1}.

Value targets (`value_targets`), for the player to move at s_t, with sigma = -1 in a two-player
game (the next position belongs to the opponent) and +1 for a single agent:

    z_t = sum_{i=0}^{n-1} (sigma gamma)^i u_{t+1+i} + (sigma gamma)^n nu_{t+n}

with no rewards and no value after a terminal state (z_T = 0). A board game takes n = infinity
and gamma = 1: z_t = u_{t+1} - u_{t+2} + u_{t+3} - ..., the final outcome for the player to move
(+1 if they go on to win, -1 if they lose, 0 for a draw), as in AlphaZero.

Unroll targets (`unroll_targets`): step k = 0..K of an unroll from position t is compared with
position t + k:

    action a_{t+k} (k >= 1), value z_{t+k}, reward u_{t+k} (k >= 1), policy pi_{t+k}

Past the end of a game (t + k > T) the game stays in an *absorbing* state: value and reward
targets 0, no policy target (masked), and the actions are drawn at random (any action leads
nowhere). Positions t + k >= T have no policy target and no consistency target (the terminal
observation is never a root, so the representation of it is not trained). An episode cut off
by a step limit (not terminated) has no targets at all past its last state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation as v_
from mbrl_helpers.randomness import random_index

RANDOM_ACTION = -1
"""Marks an action past the end of a game in stored unrolls: replaced by a random one per batch."""


@dataclass
class Trajectory:
    """One finished game or episode (see the module docstring). T = number of moves."""

    observations: np.ndarray  # (T+1, n_inputs): o_0..o_T
    actions: np.ndarray  # (T,): a_1..a_T
    rewards: np.ndarray  # (T,): u_1..u_T, for the player who made the move
    policies: np.ndarray  # (T, A): pi_0..pi_{T-1}, the search's visit distributions
    root_values: np.ndarray  # (T,): nu_0..nu_{T-1}, the search's value of each position
    terminated: bool = True  # False: cut off by a step limit
    final_value: float = 0.0  # a value estimate of s_T when not terminated (bootstrap)

    @property
    def T(self) -> int:
        return len(self.actions)


@dataclass
class UnrollTargets:
    """The targets of one K-step unroll from position t (arrays over the steps k)."""

    actions: np.ndarray  # (K,): a_{t+1}..a_{t+K}, random past the end
    value: np.ndarray  # (K+1,): z_{t+k}, 0 past the end
    reward: np.ndarray  # (K,): u_{t+k} for k = 1..K, 0 past the end
    policy: np.ndarray  # (K+1, A): pi_{t+k}, zeros where masked
    policy_mask: np.ndarray  # (K+1,): 1.0 where t + k < T


def value_targets(
    rewards,
    root_values,
    *,
    discount: float = 1.0,
    n_steps: int | None = None,
    two_player: bool = True,
    terminated: bool = True,
    final_value: float = 0.0,
) -> np.ndarray:
    """z_0..z_T (see the module docstring): n-step returns with sign flips for two players.

    `n_steps=None` means n = infinity (the whole remaining game, no bootstrap): a board game's
    outcome. After a terminal state there is nothing: z_T = 0. A game cut off at s_T
    (`terminated=False`) bootstraps from `final_value`, a value estimate of s_T (z_T = it).
    """
    u = np.asarray(rewards, dtype=float)
    nu = np.asarray(root_values, dtype=float)
    T = len(u)
    if nu.shape != (T,):
        raise ValueError(f"root_values must have one entry per move ({T}), got shape {nu.shape}")
    gamma = v_.check_discount("discount", discount)
    n = T + 1 if n_steps is None else v_.check_int("n_steps", n_steps, low=1)
    sigma_gamma = (-1.0 if two_player else 1.0) * gamma
    # nu_T is the value of the last state: 0 if terminal, the bootstrap value if cut off
    nu = np.append(nu, 0.0 if terminated else float(final_value))
    z = np.empty(T + 1)
    for t in range(T + 1):
        end = min(t + n, T)
        g = sum(sigma_gamma**i * u[t + i] for i in range(end - t))
        if t + n <= T:  # bootstrap from the search's value n moves later
            g += sigma_gamma**n * nu[t + n]
        elif not terminated:  # the game was cut off within n moves: bootstrap at s_T
            g += sigma_gamma ** (T - t) * nu[T]
        z[t] = g
    return z


def unroll_targets(
    trajectory: Trajectory,
    t: int,
    K: int,
    z: np.ndarray,
    *,
    rng: np.random.Generator,
) -> UnrollTargets:
    """The targets of the K-step unroll from position t of `trajectory`, with value targets `z`.

    `z` holds z_0..z_T (`value_targets`). Past the end: absorbing (value 0, reward 0, no policy),
    actions drawn uniformly with `rng`. The reference for the lecture's exercise; training builds
    the same arrays for all positions at once (`stored_unrolls`).
    """
    if not trajectory.terminated:
        raise ValueError("trajectory must be a finished game (terminated=True)")
    T = trajectory.T
    t = v_.check_int("t", t, low=0, high=T - 1)
    K = v_.check_int("K", K, low=0)
    v_.check_rng("rng", rng)
    A = trajectory.policies.shape[1]
    actions = np.empty(K, dtype=int)
    value = np.zeros(K + 1)
    reward = np.zeros(K)
    policy = np.zeros((K + 1, A))
    mask = np.zeros(K + 1)
    for k in range(K + 1):
        i = t + k  # the position whose targets step k learns
        if k >= 1:
            # a_{t+k} and u_{t+k}: trajectory.actions[i - 1], trajectory.rewards[i - 1]
            if i <= T:
                actions[k - 1] = trajectory.actions[i - 1]
                reward[k - 1] = trajectory.rewards[i - 1]
            else:
                actions[k - 1] = random_index(A, rng=rng)  # absorbing: any action, reward 0
        if i <= T:
            value[k] = z[i]  # z_T = 0 after a terminal state
        if i < T:
            policy[k] = trajectory.policies[i]
            mask[k] = 1.0
    return UnrollTargets(actions, value, reward, policy, mask)


def stored_unrolls(trajectory: Trajectory, K: int, z: np.ndarray) -> dict[str, np.ndarray]:
    """The unroll targets of every position t = 0..T-1 of a trajectory, stacked (one row per t).

    Same targets as `unroll_targets`, with `RANDOM_ACTION` where a random action goes (drawn per
    minibatch), plus the observations o_t..o_{t+K} (zeros past the end), a consistency mask (1
    where 1 <= k and t + k < T) and a value mask (0 past the end of a cut-off episode).
    """
    T, A = trajectory.T, trajectory.policies.shape[1]
    obs = trajectory.observations
    pad = K + 1
    obs_pad = np.concatenate([obs, np.zeros((pad, obs.shape[1]), dtype=obs.dtype)])
    z_pad = np.concatenate([z, np.zeros(pad)])
    u_pad = np.concatenate([trajectory.rewards, np.zeros(pad)])
    a_pad = np.concatenate([trajectory.actions, np.full(pad, RANDOM_ACTION)]).astype(int)
    pi_pad = np.concatenate([trajectory.policies, np.zeros((pad + 1, A))])
    index = np.arange(T)[:, None] + np.arange(K + 1)[None, :]  # (T, K+1): position t + k
    known = 1.0 if trajectory.terminated else 0.0
    value_mask = np.where(index <= T, 1.0, known)
    consistency_mask = (index < T).astype(float)
    consistency_mask[:, 0] = 0.0
    return {
        "obs": obs_pad[index],
        "actions": a_pad[index[:, :K]],  # a_{t+k} for k = 1..K is actions[t + k - 1]
        "value": z_pad[index] * value_mask,
        "value_mask": value_mask,
        "reward": u_pad[index[:, :K]] * value_mask[:, 1:],
        "policy": pi_pad[index],
        "policy_mask": (index < T).astype(float),
        "consistency_mask": consistency_mask,
    }


def record_game(game, moves, policies=None) -> Trajectory:
    """A `Trajectory` of a two-player game played with the given `moves` from the start.

    Observations are `game.encode` of each position, rewards 1 on a winning move (for its
    mover), `policies` the search's visit distributions (default: one-hot on the moves played),
    root values 0. The game must be over after the last move.
    """
    moves = [int(a) for a in moves]
    state = game.initial_state()
    obs, rewards = [], []
    for a in moves:
        obs.append(np.asarray(game.encode(state), dtype=np.float32).ravel())
        nxt = game.next_state(state, a)  # an illegal move raises, naming it
        won = game.is_terminal(nxt) and game.returns(nxt)[game.current_player(state)] > 0
        rewards.append(1.0 if won else 0.0)
        state = nxt
    if not game.is_terminal(state):
        raise ValueError(f"moves must finish the game, {moves} leaves it running")
    obs.append(np.asarray(game.encode(state), dtype=np.float32).ravel())
    A = game.num_actions
    policies = np.eye(A)[moves] if policies is None else np.asarray(policies, dtype=float)
    if policies.shape != (len(moves), A):
        raise ValueError(f"policies must have shape {(len(moves), A)}, got {policies.shape}")
    return Trajectory(
        observations=np.stack(obs),
        actions=np.array(moves),
        rewards=np.array(rewards),
        policies=policies,
        root_values=np.zeros(len(moves)),
    )
