"""Where to spend planning updates (Sutton & Barto 8.6, 8.7): along trajectories.

- When to plan: `plan_ahead` (sweeps of expected updates over every pair, or over the pairs of
  given states, before acting) versus
  `act_while_planning` / `rtdp_plan` (real-time DP trials from the current state, section 8.7).
- Trajectory sampling (section 8.6, Figure 8.8): `random_branching_task`, `trajectory_sampling`,
  `greedy_start_value`.

Models are in Gymnasium's `P[s][a]` format (see `mbrl_helpers.planning`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np

from mbrl_helpers import validation
from mbrl_helpers.planning import check_Q, expected_update, sample_transition
from mbrl_helpers.prioritized_sweeping import argmax_random

# --------------------------------------------------------------------------------------------
# Planning while acting (section 8.7): trials of expected updates from the current state
# --------------------------------------------------------------------------------------------


def rtdp_plan(
    Q: np.ndarray,
    P,
    s: int,
    gamma: float,
    n_updates: int,
    max_depth: int,
    rng: np.random.Generator,
) -> int:
    """Decision-time planning from the current state `s`: real-time DP trials (section 8.7).

    Repeat: from `s`, follow the greedy policy of Q through the model for at most `max_depth`
    steps, applying an `expected_update` to every pair on the way, until `n_updates` updates are
    spent. Only states reachable from `s` are ever touched. Returns the greedy action at `s`.
    """
    n_updates = validation.check_int("n_updates", n_updates, low=1)
    max_depth = validation.check_int("max_depth", max_depth, low=1)
    validation.check_rng("rng", rng)
    spent = 0
    while spent < n_updates:
        state = s
        for _ in range(max_depth):
            a = argmax_random(Q[state], rng)
            expected_update(Q, P, state, a, gamma)
            spent += 1
            _, s_next, terminated = sample_transition(P, state, a, rng)
            if terminated or spent >= n_updates:
                break
            state = s_next
    return argmax_random(Q[s], rng)


def plan_ahead(
    Q: np.ndarray, P, gamma: float, n_updates: int, states: Iterable[int] | None = None
) -> None:
    """Planning ahead of acting: `n_updates` expected updates in sweeps over every (s, a), in
    state order, in place (asynchronous value iteration on Q, sections 4.5 and 8.5).

    `states` (default: every state) restricts the sweeps to those states, for instance the cells
    of a maze that are not walls: updates of states that can never be reached are wasted.
    """
    n_updates = validation.check_int("n_updates", n_updates, low=0)
    n_states, n_actions = check_Q(Q).shape
    if states is None:
        states = range(n_states)
    else:
        states = [validation.check_int("states", s, low=0, high=n_states - 1) for s in states]
        if not states:
            raise ValueError("states: expected at least one state to sweep, got none")
    pairs = itertools.cycle(itertools.product(states, range(n_actions)))
    for s, a in itertools.islice(pairs, n_updates):
        expected_update(Q, P, s, a, gamma)


def act_while_planning(
    P,
    start: int,
    gamma: float,
    n_updates_per_step: int,
    max_depth: int,
    rng: np.random.Generator,
    max_steps: int = 10_000,
) -> tuple[int | None, np.ndarray]:
    """Planning while acting: before every real step, `rtdp_plan` from the current state.

    Acts in the model `P` (here the true model stands in for the world) from `start` with Q = 0
    (optimistic when every reward is negative). Returns the number of steps to termination (None
    if `max_steps` ran out) and the final Q; the updates spent are steps * n_updates_per_step.
    """
    n_states = len(P)
    n_actions = len(P[0])
    Q = np.zeros((n_states, n_actions))
    s = start
    for step in range(1, max_steps + 1):
        a = rtdp_plan(Q, P, s, gamma, n_updates_per_step, max_depth, rng)
        _, s, terminated = sample_transition(P, s, a, rng)  # the real step
        if terminated:
            return step, Q
    return None, Q


# --------------------------------------------------------------------------------------------
# Trajectory sampling (section 8.6, Figure 8.8)
# --------------------------------------------------------------------------------------------


class BranchingTask(NamedTuple):
    """A random episodic task of Figure 8.8: 2 actions per state, each leading to one of `b`
    next states (equally likely) with probability 1 - p_terminate, or to termination.

    `next_state[s][a]` lists the b next states, `reward[s][a]` their rewards (N(0, 1)) and
    `reward_terminal[s][a]` the reward when the episode ends; the start state is 0, gamma = 1.
    """

    next_state: list
    reward: list
    reward_terminal: list
    p_terminate: float

    def to_P(self) -> dict:
        """The task in `P[s][a]` format (termination as a transition back to s, terminated)."""
        P = {}
        for s, (nexts, rewards, r_ends) in enumerate(
            zip(self.next_state, self.reward, self.reward_terminal, strict=True)
        ):
            P[s] = {}
            for a in range(2):
                b = len(nexts[a])
                P[s][a] = [
                    ((1 - self.p_terminate) / b, s2, r, False)
                    for s2, r in zip(nexts[a], rewards[a], strict=True)
                ] + [(self.p_terminate, s, r_ends[a], True)]
        return P


def random_branching_task(
    n_states: int, b: int, rng: np.random.Generator, p_terminate: float = 0.1
) -> BranchingTask:
    """A random task of Figure 8.8 with `n_states` states and branching factor `b`."""
    n_states = validation.check_int("n_states", n_states, low=1)
    b = validation.check_int("b", b, low=1)
    p_terminate = validation.check_float("p_terminate", p_terminate, low=0.0, low_open=True)
    validation.check_rng("rng", rng)
    nexts = rng.integers(n_states, size=(n_states, 2, b)).tolist()
    rewards = rng.standard_normal((n_states, 2, b)).tolist()
    r_ends = rng.standard_normal((n_states, 2)).tolist()
    return BranchingTask(nexts, rewards, r_ends, p_terminate)


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
    nexts, rewards, r_ends, p_end = task
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
