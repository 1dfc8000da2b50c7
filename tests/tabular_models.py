"""Small tabular models and independent solvers shared by the planning tests."""

from __future__ import annotations

import gymnasium
import numpy as np

from mbrl_helpers.envs import GridWorld


def frozen_lake_P(map_name: str = "4x4") -> dict:
    return gymnasium.make("FrozenLake-v1", map_name=map_name).unwrapped.P


def chain_P(n: int = 4) -> dict:
    """0 -> 1 -> ... -> n-1 -> terminate with reward 1; action 1 stays put with reward 0."""
    P = {}
    for s in range(n):
        right = (1.0, s + 1, 0.0, False) if s < n - 1 else (1.0, s, 1.0, True)
        P[s] = {0: [right], 1: [(1.0, s, 0.0, False)]}
    return P


def policy_iteration(P, gamma):
    """An independent solver: policy iteration with iterative (loop) policy evaluation."""
    n_states, n_actions = len(P), len(P[0])

    def q(V, s, a):
        return sum(p * (r if t else r + gamma * V[s2]) for p, s2, r, t in P[s][a])

    pi = [0] * n_states
    while True:
        V = [0.0] * n_states
        for _ in range(100_000):
            delta = 0.0
            for s in range(n_states):
                v = q(V, s, pi[s])
                delta = max(delta, abs(v - V[s]))
                V[s] = v
            if delta < 1e-13:
                break
        new_pi = [
            max(range(n_actions), key=lambda a, s=s: (q(V, s, a), -a)) for s in range(n_states)
        ]
        stable = all(q(V, s, new_pi[s]) <= q(V, s, pi[s]) + 1e-12 for s in range(n_states))
        if stable:
            return np.array(V)
        pi = new_pi


def bfs_steps_to_goal(env: GridWorld) -> dict[int, int]:
    """Fewest steps from each cell to the goal, by BFS backwards over the map's moves."""
    dist = {g: 0 for g in env.goals}
    frontier = list(env.goals)
    while frontier:
        nxt = []
        for s2 in frontier:
            for s in range(env.n_states):
                if s in dist or s in env.walls:
                    continue
                if any(env.next_state[s][a] == s2 for a in range(4)):
                    dist[s] = dist[s2] + 1
                    nxt.append(s)
        frontier = nxt
    return dist


# -- tabulate: the model check ----------------------------------------------------------------
