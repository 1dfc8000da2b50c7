"""Trajectory sampling (Sutton & Barto 8.6, Figure 8.8): where to spend expected updates.

`trajectory_sampling(task, on_policy, n_updates, eval_every, rng=...)` distributes expected
updates uniformly over every (s, a), or along simulated on-policy trajectories from the start
state, on a `mbrl_helpers.envs.BranchingTask`; `greedy_start_value(task, Q)` scores the greedy
policy of Q exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mbrl_helpers import validation
from mbrl_helpers.envs.branching import BranchingTask

__all__ = ["greedy_start_value", "trajectory_sampling"]


def _start_value_evaluator(task: BranchingTask) -> Callable[[object], float]:
    """v_pi(0) of the greedy policy of a Q table, with the task's arrays built once."""
    nexts = np.asarray(task.next_state)
    p_go = 1.0 - task.p_terminate
    r_go = p_go * np.asarray(task.reward).mean(axis=2)  # (n_states, 2)
    r_end = task.p_terminate * np.asarray(task.reward_terminal)
    states = np.arange(len(nexts))
    weight = p_go / nexts.shape[2]

    def evaluate(Q) -> float:
        pi = np.asarray(Q, dtype=float).argmax(axis=1)
        nexts_pi, r_pi = nexts[states, pi], r_go[states, pi] + r_end[states, pi]
        V = np.zeros(len(states))
        for _ in range(100_000):  # iterative policy evaluation: a contraction by p_go per sweep
            V_new = r_pi + V[nexts_pi].sum(axis=1) * weight
            if np.abs(V_new - V).max() < 1e-7:
                break
            V = V_new
        return float(V_new[0])

    return evaluate


def greedy_start_value(task: BranchingTask, Q) -> float:
    """v_pi(0) of the greedy policy of Q in `task` (iterative policy evaluation, vectorised)."""
    return _start_value_evaluator(task)(Q)


def trajectory_sampling(
    task: BranchingTask,
    on_policy: bool,
    n_updates: int,
    eval_every: int,
    *,
    rng: np.random.Generator,
    epsilon: float = 0.1,
) -> np.ndarray:
    """Expected updates distributed uniformly or by on-policy trajectories (section 8.6).

    Uniform: cycle through every (s, a) in turn. On-policy: simulate episodes from state 0 with
    the epsilon-greedy policy of the current Q and update each pair met on the way. Every update
    is the expected update Q(s, a) <- sum p [r + max_a' Q(s', a')] (gamma = 1). Returns the greedy
    policy's start-state value after 0, eval_every, 2 eval_every, ... updates (Figure 8.8).
    """
    n_updates = validation.check_int("n_updates", n_updates, low=1)
    eval_every = validation.check_int("eval_every", eval_every, low=1)
    epsilon = validation.check_probability("epsilon", epsilon)
    validation.check_rng("rng", rng)
    nexts, rewards, r_ends = task.next_state, task.reward, task.reward_terminal
    p_end = task.p_terminate
    n_states, p_go = len(nexts), 1.0 - p_end
    Q = [[0.0, 0.0] for _ in range(n_states)]  # lists: the updates are tiny, numpy would dominate
    evaluate = _start_value_evaluator(task)
    values = [evaluate(Q)]
    s = 0
    for k in range(1, n_updates + 1):
        if on_policy:
            q = Q[s]
            if rng.random() < epsilon or q[0] == q[1]:
                a = int(rng.random() < 0.5)
            else:
                a = int(q[1] > q[0])
        else:
            s, a = divmod((k - 1) % (2 * n_states), 2)
        b = len(nexts[s][a])
        future = sum(r + max(Q[s2]) for s2, r in zip(nexts[s][a], rewards[s][a], strict=True))
        Q[s][a] = p_go * future / b + p_end * r_ends[s][a]
        if on_policy:  # the next state of the simulated trajectory
            s = 0 if rng.random() < p_end else nexts[s][a][int(rng.random() * b)]
        if k % eval_every == 0:
            values.append(evaluate(Q))
    return np.array(values)
