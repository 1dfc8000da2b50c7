"""Example 8.4 of Sutton & Barto: updates until the greedy policy is optimal, on mazes of growing size.

Prioritized sweeping (`mbrl_helpers.planning.prioritized_sweeping.PrioritizedSweeping`) against
Dyna-Q one step at a time (`mbrl_helpers.dyna.DynaQAgent`) on the Dyna maze enlarged by
`mbrl_helpers.envs.enlarge_maze` (Peng and Williams, 1993):

- `updates_until_optimal(agent, env, start)`: run an agent until its greedy path is optimal;
- `greedy_path_length`, `shortest_path_length`: the two paths compared.

Models are in Gymnasium's `P[s][a]` format (see `mbrl_helpers.planning`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from mbrl_helpers import validation

__all__ = ["greedy_path_length", "shortest_path_length", "updates_until_optimal"]


def greedy_path_length(P, Q: np.ndarray, start: int, max_steps: int) -> int | None:
    """Steps the greedy policy (first-action ties) of Q takes from `start` to termination in a
    deterministic model, or None if it has not terminated within `max_steps`."""
    s = start
    for step in range(1, max_steps + 1):
        _, s, _, terminated = P[s][int(np.argmax(Q[s]))][0]
        if terminated:
            return step
    return None


def shortest_path_length(P, start: int) -> int:
    """Fewest steps from `start` to a terminating transition in a deterministic model (BFS)."""
    frontier, seen, depth = [start], {start}, 0
    while frontier:
        depth += 1
        next_frontier = []
        for s in frontier:
            for transitions in P[s].values() if isinstance(P[s], Mapping) else P[s]:
                _, s_next, _, terminated = transitions[0]
                if terminated:
                    return depth
                if s_next not in seen:
                    seen.add(s_next)
                    next_frontier.append(s_next)
        frontier = next_frontier
    raise ValueError(f"no terminating transition is reachable from start state {start}")


def updates_until_optimal(
    agent,
    env,
    start: int,
    *,
    slack: float = 1.0,
    max_updates: int = 1_000_000,
    max_episodes: int = 10_000,
    max_episode_steps: int = 100_000,
) -> int | None:
    """Run `agent` in the deterministic `env` until its greedy policy is optimal (Example 8.4).

    `agent` has `act(s) -> a`, `learn(s, a, r, s_next, terminated)`, a table `Q` and a counter
    `n_updates`. After each episode the greedy path from `start` is compared with the shortest
    path in the env's true model `env.unwrapped.P`: it counts as optimal when it is at most
    `slack` times as long. Returns the number of updates by then, or None if `max_updates`
    updates or `max_episodes` episodes ran out first.
    """
    slack = validation.check_float("slack", slack, low=1.0)
    max_updates = validation.check_int("max_updates", max_updates, low=1)
    max_episodes = validation.check_int("max_episodes", max_episodes, low=1)
    max_episode_steps = validation.check_int("max_episode_steps", max_episode_steps, low=1)
    P = env.unwrapped.P
    longest = int(math.floor(slack * shortest_path_length(P, start) + 1e-9))
    for _ in range(max_episodes):
        if agent.n_updates >= max_updates:
            break
        s, _ = env.reset()
        for _ in range(max_episode_steps):
            a = agent.act(s)
            s_next, r, terminated, truncated, _ = env.step(a)
            agent.learn(s, a, r, s_next, terminated)
            s = s_next
            if terminated or truncated:
                break
        if greedy_path_length(P, agent.Q, start, longest) is not None:
            return int(agent.n_updates)
    return None
