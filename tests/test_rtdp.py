"""Tests of mbrl_helpers.planning.rtdp: sweeps, RTDP with its values kept (section 8.7) or
discarded after every move (decision-time planning, section 8.8), and trajectory sampling
(Figure 8.8)."""

from __future__ import annotations

import numpy as np
import pytest
from tabular_models import chain_P, frozen_lake_P

from mbrl_helpers import envs, planning
from mbrl_helpers.envs import DYNA_MAZE, GridWorld
from mbrl_helpers.experiments import example_8_4
from mbrl_helpers.planning import rtdp, trajectory_sampling


def cost_P(P):
    return {s: {a: [(p, s2, -1.0, t) for p, s2, _, t in P[s][a]] for a in P[s]} for s in P}


def test_plan_ahead_with_enough_sweeps_is_optimal_and_too_few_is_not():
    env = GridWorld(DYNA_MAZE)
    P = cost_P(env.P)
    Q = np.zeros((env.n_states, 4))
    rtdp.plan_ahead(Q, P, 1.0, 4 * env.n_states)  # one sweep: not enough
    assert example_8_4.greedy_path_length(P, Q, env.start, 14) is None
    rtdp.plan_ahead(Q, P, 1.0, 30 * 4 * env.n_states)
    assert example_8_4.greedy_path_length(P, Q, env.start, 14) == 14


def test_rtdp_episode_reaches_the_goal_touching_only_reachable_states():
    env = GridWorld(DYNA_MAZE)
    P = cost_P(env.P)
    episode = rtdp.rtdp_episode(P, env.start, 1.0, 20, 28, rng=np.random.default_rng(0))
    steps, Q = episode.steps, episode.Q
    assert steps is not None and steps >= 14 and episode.n_updates == 20 * steps
    assert not np.any(Q[list(env.walls)])  # walls cannot be reached: never planned for
    # With a huge budget per step, every action taken is optimal.
    episode = rtdp.rtdp_episode(P, env.start, 1.0, 3000, 28, rng=np.random.default_rng(0))
    assert episode.steps == 14


def _rtdp_by_hand(P, start, k, max_depth, seed, Q=None, keep=True, max_steps=10_000):
    """rtdp_plan and sample_transition in a loop: what rtdp_episode inlines."""
    rng = np.random.default_rng(seed)
    Q0 = np.zeros((len(P), 4)) if Q is None else Q.copy()
    Q, s = Q0.copy(), start
    for step in range(1, max_steps + 1):
        if not keep:
            Q = Q0.copy()
        a = rtdp.rtdp_plan(Q, P, s, 1.0, k, max_depth, rng=rng)
        _, s, terminated = planning.sample_transition(P, s, a, rng=rng)
        if terminated:
            return step, Q if keep else Q0
    return None, Q if keep else Q0


@pytest.mark.parametrize("keep", [True, False])
def test_rtdp_episode_gives_the_numbers_of_rtdp_plan_in_a_loop(keep):
    env = GridWorld(envs.enlarge_maze(DYNA_MAZE, 2))
    P = cost_P(env.P)
    Q_start = None
    for episode_index in range(3):  # episodes that continue from the stored values
        steps, Q = _rtdp_by_hand(P, env.start, 7, 28, episode_index, Q_start, keep, 400)
        episode = rtdp.rtdp_episode(
            P, env.start, 1.0, 7, 28, rng=np.random.default_rng(episode_index), Q=Q_start,
            keep_values=keep, max_steps=400,
        )  # fmt: skip
        assert episode.steps == steps
        np.testing.assert_array_equal(episode.Q, Q)
        Q_start = episode.Q
    # the same on a stochastic model (several outcomes per pair)
    lake = frozen_lake_P()
    lake_cost = cost_P(lake)
    steps, Q = _rtdp_by_hand(lake_cost, 0, 5, 20, 9, None, keep, 200)
    episode = rtdp.rtdp_episode(
        lake_cost, 0, 1.0, 5, 20, rng=np.random.default_rng(9), keep_values=keep, max_steps=200
    )
    assert episode.steps == steps
    np.testing.assert_array_equal(episode.Q, Q)


def test_stored_values_carry_over_and_discarded_values_do_not():
    env = GridWorld(envs.enlarge_maze(DYNA_MAZE, 2))
    P = cost_P(env.P)
    shortest = example_8_4.shortest_path_length(P, env.start)
    Q, lengths = None, []
    for seed in range(40):  # RTDP over episodes: the values of one episode start the next
        episode = rtdp.rtdp_episode(
            P, env.start, 1.0, 10, shortest, rng=np.random.default_rng(seed), Q=Q
        )
        Q = episode.Q
        lengths.append(episode.steps)
    assert lengths[-1] == shortest and lengths[0] > shortest
    assert example_8_4.greedy_path_length(P, Q, env.start, shortest) == shortest
    # Decision-time planning with the same small budget: values rebuilt from zero at every move
    # never see the goal from the start, and the agent wanders.
    fresh = rtdp.rtdp_episode(
        P, env.start, 1.0, 10, shortest, rng=np.random.default_rng(0), keep_values=False,
        max_steps=300,
    )  # fmt: skip
    assert fresh.steps is None and not np.any(fresh.Q)  # nothing kept


def test_rtdp_episode_validates_its_arguments():
    P = chain_P(3)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_updates_per_step must be >= 1"):
        rtdp.rtdp_episode(P, 0, 0.9, 0, 5, rng=rng)
    with pytest.raises(ValueError, match="start must be <= 2"):
        rtdp.rtdp_episode(P, 3, 0.9, 1, 5, rng=rng)
    with pytest.raises(ValueError, match="Q must have shape"):
        rtdp.rtdp_episode(P, 0, 0.9, 1, 5, rng=rng, Q=np.zeros((2, 2)))
    with pytest.raises(TypeError, match="rng must be"):
        rtdp.rtdp_episode(P, 0, 0.9, 1, 5, rng=0)


def test_rtdp_plan_validates_its_budget():
    P = chain_P(3)
    with pytest.raises(ValueError, match="n_updates must be >= 1"):
        rtdp.rtdp_plan(np.zeros((3, 2)), P, 0, 0.9, 0, 5, rng=np.random.default_rng(0))


# -- trajectory sampling (Figure 8.8) -----------------------------------------------------------


def test_branching_task_is_a_valid_model_and_its_start_value_is_exact():
    task = envs.random_branching_task(30, 3, rng=np.random.default_rng(0))
    P = task.to_P()
    T, R = planning.tabulate(P)  # probabilities sum to one: 0.9 over 3 next states + 0.1 ending
    assert T.sum(axis=2) == pytest.approx(np.full((30, 2), 0.9))
    Q = np.random.default_rng(1).standard_normal((30, 2))
    pi = Q.argmax(axis=1)
    exact = planning.policy_evaluation(P, pi, 1.0)[0]  # linear solve: independent of the iteration
    assert trajectory_sampling.greedy_start_value(task, Q) == pytest.approx(exact, abs=1e-5)


@pytest.mark.parametrize("on_policy", [False, True])
def test_trajectory_sampling_converges_to_the_optimal_start_value(on_policy):
    task = envs.random_branching_task(20, 2, rng=np.random.default_rng(2))
    V_star = planning.value_iteration(task.to_P(), 1.0, theta=1e-10).V
    values = trajectory_sampling.trajectory_sampling(
        task, on_policy, 20_000, 5_000, rng=np.random.default_rng(3)
    )
    assert len(values) == 5
    assert values[-1] == pytest.approx(V_star[0], abs=1e-4)


def test_on_policy_sampling_is_faster_early_on_large_tasks():
    """Figure 8.8's first finding: with b = 1 and 1000 states, after half a sweep's worth of
    updates, on-policy trajectory sampling has a better start-state value than uniform."""
    gaps = []
    for seq in np.random.SeedSequence(0).spawn(3):
        task_rng, run_rng = (np.random.default_rng(s) for s in seq.spawn(2))
        task = envs.random_branching_task(1000, 1, rng=task_rng)
        on = trajectory_sampling.trajectory_sampling(task, True, 1000, 1000, rng=run_rng)
        uniform = trajectory_sampling.trajectory_sampling(task, False, 1000, 1000, rng=run_rng)
        gaps.append(on[-1] - uniform[-1])
    assert min(gaps) > 0.5


def test_trajectory_sampling_validates_arguments():
    task = envs.random_branching_task(5, 1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_updates must be >= 1"):
        trajectory_sampling.trajectory_sampling(task, True, 0, 1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="b must be >= 1"):
        envs.random_branching_task(5, 0, rng=np.random.default_rng(0))


def test_plan_ahead_over_given_states_skips_the_others_and_needs_fewer_updates():
    env = GridWorld(DYNA_MAZE)
    P = cost_P(env.P)
    cells = [s for s in range(env.n_states) if s not in env.walls]
    Q = np.zeros((env.n_states, 4))
    rtdp.plan_ahead(Q, P, 1.0, 4 * len(cells), states=cells)
    assert not np.any(Q[list(env.walls)])  # walls are never updated
    assert np.all(Q[cells] != 0.0)  # every free pair got its one update of the sweep

    def updates_until_optimal(states):
        n_pairs = 4 * (env.n_states if states is None else len(states))
        Q, sweeps = np.zeros((env.n_states, 4)), 0
        while example_8_4.greedy_path_length(P, Q, env.start, 14) is None:
            rtdp.plan_ahead(Q, P, 1.0, n_pairs, states=states)
            sweeps += 1
        return sweeps * n_pairs

    assert updates_until_optimal(cells) < updates_until_optimal(None)


def test_plan_ahead_rejects_bad_states():
    Q = np.zeros((3, 2))
    P = chain_P(3)
    with pytest.raises(ValueError, match="states"):
        rtdp.plan_ahead(Q, P, 0.9, 4, states=[])
    with pytest.raises(ValueError, match="states"):
        rtdp.plan_ahead(Q, P, 0.9, 4, states=[5])
    with pytest.raises(TypeError, match="states"):
        rtdp.plan_ahead(Q, P, 0.9, 4, states=[0.5])
