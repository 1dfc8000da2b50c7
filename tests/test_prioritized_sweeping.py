"""Tests of mbrl_helpers.planning.prioritized_sweeping: the queue, pushing predecessors, the agent, and
the Example 8.4 helpers."""

from __future__ import annotations

import numpy as np
import pytest

from mbrl_helpers import dyna, envs, models, planning
from mbrl_helpers.envs import DYNA_MAZE, GridWorld
from mbrl_helpers.experiments import example_8_4
from mbrl_helpers.planning import prioritized_sweeping


def test_priority_queue_pops_highest_first_keeps_the_higher_priority_and_is_fifo_on_ties():
    q = prioritized_sweeping.PriorityQueue()
    q.push((0, 0), 0.5)
    q.push((1, 0), 2.0)
    q.push((2, 0), 0.5)
    q.push((0, 0), 0.1)  # lower: ignored
    q.push((2, 0), 3.0)  # higher: replaces
    assert len(q) == 3 and (2, 0) in q and q.priority((0, 0)) == 0.5
    assert [q.pop() for _ in range(3)] == [((2, 0), 3.0), ((1, 0), 2.0), ((0, 0), 0.5)]
    assert not q
    with pytest.raises(IndexError, match="empty"):
        q.pop()
    for k in range(5):
        q.push((k, 0), 1.0)
    assert [q.pop()[0][0] for _ in range(5)] == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="priority must be a finite number"):
        q.push((0, 0), float("nan"))


def test_push_predecessors_uses_absolute_priorities_threshold_and_terminals():
    Q = np.zeros((4, 2))
    Q[3] = [2.0, 1.0]
    Q[0, 0] = 5.0  # overestimated: its priority is |0 + 0.5 * 2 - 5| = 4
    Q[1, 1] = 1.0 - 1e-6  # almost right: 1e-6 <= theta, not queued
    model = models.DeterministicModel(n_actions=2)
    model.update(0, 0, 0.0, 3, False)
    model.update(1, 1, 0.0, 3, False)
    model.update(2, 0, 0.3, 3, True)
    predecessors = {3: {(0, 0): None, (1, 1): None, (2, 0): None}}
    q = prioritized_sweeping.PriorityQueue()
    prioritized_sweeping.push_predecessors(Q, q, predecessors, model, 3, 0.5, 1e-4)
    assert q.items() == pytest.approx({(0, 0): 4.0, (2, 0): 0.3})  # terminal: just R_bar
    prioritized_sweeping.push_predecessors(
        Q, q, predecessors, model, 2, 0.5, 1e-4
    )  # no predecessors
    assert len(q) == 2


def _run_episodes(agent, env, n_episodes):
    for _ in range(n_episodes):
        s, _ = env.reset()
        terminated = False
        while not terminated:
            a = agent.act(s)
            s_next, r, terminated, _, _ = env.step(a)
            agent.learn(s, a, r, s_next, terminated)
            s = s_next


def test_prioritized_sweeping_learns_the_optimal_path_and_respects_n_planning():
    env = GridWorld(DYNA_MAZE)
    agent = prioritized_sweeping.PrioritizedSweeping(
        env.n_states, 4, alpha=1.0, rng=np.random.default_rng(0)
    )
    steps = 0
    original_learn = agent.learn

    def counting_learn(*args):
        nonlocal steps
        steps += 1
        original_learn(*args)

    agent.learn = counting_learn
    _run_episodes(agent, env, 30)
    assert 0 < agent.n_updates <= 5 * steps
    assert example_8_4.greedy_path_length(env.P, agent.Q, env.start, 100) is not None
    # With alpha = 1 in a deterministic maze, the values along the greedy path are exact.
    V = planning.value_iteration(env.P, 0.95).V
    assert max(agent.Q[env.start]) <= V[env.start] + 1e-12


def test_prioritized_sweeping_with_a_huge_threshold_never_plans():
    env = GridWorld(DYNA_MAZE)
    agent = prioritized_sweeping.PrioritizedSweeping(
        env.n_states, 4, theta=10.0, rng=np.random.default_rng(0)
    )
    _run_episodes(agent, env, 2)
    assert agent.n_updates == 0 and not np.any(agent.Q)


def test_prioritized_sweeping_needs_fewer_updates_than_dyna_q():
    """Example 8.4's finding, on the Dyna maze at twice the resolution, three seeded runs."""
    env = GridWorld(envs.enlarge_maze(DYNA_MAZE, 2))
    for rng_ps, rng_dq in zip(*(planning_rngs(3) for _ in range(2)), strict=True):
        ps = prioritized_sweeping.PrioritizedSweeping(env.n_states, 4, alpha=1.0, rng=rng_ps)
        dq = dyna.DynaQAgent(env.n_states, 4, alpha=1.0, rng=rng_dq)
        n_ps = example_8_4.updates_until_optimal(ps, env, env.start, slack=1.2)
        n_dq = example_8_4.updates_until_optimal(dq, env, env.start, slack=1.2)
        assert n_ps is not None and n_dq is not None
        assert 5 * n_ps < n_dq


def planning_rngs(n):
    return [np.random.default_rng(s) for s in np.random.SeedSequence(0).spawn(n)]


def test_updates_until_optimal_gives_up_after_max_updates():
    env = GridWorld(DYNA_MAZE)
    agent = dyna.DynaQAgent(env.n_states, 4, rng=np.random.default_rng(0))
    assert example_8_4.updates_until_optimal(agent, env, env.start, max_updates=50) is None
    with pytest.raises(ValueError, match="slack must be >= 1"):
        example_8_4.updates_until_optimal(agent, env, env.start, slack=0.5)


def test_enlarge_maze_scales_cells_and_keeps_one_start_and_goal():
    big = envs.enlarge_maze(DYNA_MAZE, 3)
    rows = big.splitlines()
    assert len(rows) == 18 and all(len(row) == 27 for row in rows)
    assert big.count("S") == 1 and big.count("G") == 1
    assert big.count("#") == 9 * DYNA_MAZE.count("#")
    assert envs.enlarge_maze(DYNA_MAZE, 1) == DYNA_MAZE.strip()
    env = GridWorld(big)
    assert example_8_4.shortest_path_length(env.P, env.start) == 42  # 3 x 14
    with pytest.raises(ValueError, match="factor must be >= 1"):
        envs.enlarge_maze(DYNA_MAZE, 0)


# -- when to plan ---------------------------------------------------------------------------------
