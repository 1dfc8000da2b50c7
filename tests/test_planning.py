"""Tests of mbrl_helpers.planning: value iteration against independent calculations, the updates,
the Figure 8.7 experiment, prioritized sweeping and the two timings of planning."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

from mbrl_helpers import planning
from mbrl_helpers.envs import DYNA_MAZE, GridWorld


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


def test_tabulate_arrays_of_frozen_lake():
    T, R = planning.tabulate(frozen_lake_P())
    assert T.shape == (16, 4, 16) and R.shape == (16, 4)
    # From state 14 moving right reaches the goal (reward 1, terminal) with probability 1/3.
    assert R[14, 2] == pytest.approx(1 / 3)
    # Terminating mass is left out of T: rows sum to 1 minus the probability of terminating.
    assert T[14, 2].sum() == pytest.approx(2 / 3)
    assert T[0, 0].sum() == pytest.approx(1.0)
    assert T[5].sum() == 0.0  # a hole: every transition terminates


def test_tabulate_rejects_negative_probabilities():
    P = {0: {0: [(1.5, 0, 0.0, False), (-0.5, 0, 0.0, False)]}}
    with pytest.raises(ValueError, match=r"P\[0\]\[0\] must hold non-negative"):
        planning.tabulate(P)


def test_numpy_typed_models_are_accepted_like_plain_ones():
    """A learned model may hold numpy scalars: the slow, checked path gives the same answer."""
    P = frozen_lake_P()
    P_np = {
        s: {
            a: [(np.float64(p), np.int64(s2), np.float32(r), np.bool_(t)) for p, s2, r, t in ts]
            for a, ts in P[s].items()
        }
        for s in P
    }
    np.testing.assert_array_equal(planning.tabulate(P_np).T, planning.tabulate(P).T)
    np.testing.assert_allclose(
        planning.value_iteration(P_np, 0.9)[0], planning.value_iteration(P, 0.9)[0]
    )


@pytest.mark.parametrize(
    ("P", "error", "words"),
    [
        ({0: {0: [(0.5, 0, 0.0, False)]}}, ValueError, "P[0][0] must sum to 1"),
        (
            {0: {0: [(1.0, 3, 0.0, False)]}},
            ValueError,
            "next_state in P[0][0][0] must be < n_states",
        ),
        ({0: {0: [(1.0, -1, 0.0, False)]}}, ValueError, "next_state in P[0][0][0] must be >= 0"),
        ({0: {0: []}}, ValueError, "P[0][0] must hold at least one transition"),
        ({0: {0: [(1.0, 0, 0.0)]}}, ValueError, "P[0][0][0] must be a (prob"),
        ({0: {0: [(1.0, 0, 0.0, "yes")]}}, TypeError, "terminated in P[0][0][0] must be a bool"),
        (
            {0: {0: [(1.0, 0.5, 0.0, False)]}},
            TypeError,
            "next_state in P[0][0][0] must be an integer",
        ),
        (
            {0: {0: [(1.0, 0, float("nan"), False)]}},
            ValueError,
            "reward in P[0][0][0] must be finite",
        ),
        ({1: {0: [(1.0, 0, 0.0, False)]}}, ValueError, "P must be indexed by states 0..0"),
        (
            {0: {0: [(1.0, 1, 0.0, False)]}, 1: {0: [(1.0, 0, 0.0, False)], 1: [(1.0, 0, 0, 0)]}},
            ValueError,
            "every state must have the same actions",
        ),
        ({}, ValueError, "at least one state"),
        ("P", TypeError, "P must be a dict or list"),
    ],
)
def test_tabulate_rejects_bad_models(P, error, words):
    with pytest.raises(error, match=None) as info:
        planning.tabulate(P)
    assert words in str(info.value)


# -- value iteration ----------------------------------------------------------------------------


@pytest.mark.parametrize(("map_name", "gamma"), [("4x4", 0.9), ("4x4", 0.99), ("8x8", 0.95)])
def test_value_iteration_matches_policy_iteration_on_frozen_lake(map_name, gamma):
    P = frozen_lake_P(map_name)
    theta = 1e-10
    V, Q = planning.value_iteration(P, gamma, theta=theta)
    bound = theta * gamma / (1 - gamma)  # distance of value iteration's answer from v*
    np.testing.assert_allclose(V, policy_iteration(P, gamma), atol=10 * bound + 1e-9)
    np.testing.assert_allclose(V, Q.max(axis=1), atol=10 * bound + 1e-9)


def test_value_iteration_greedy_policy_is_optimal_by_exact_evaluation():
    P = frozen_lake_P()
    V, Q = planning.value_iteration(P, 0.99)
    v_pi = planning.policy_evaluation(P, planning.greedy_policy(Q), 0.99)
    np.testing.assert_allclose(v_pi, V, atol=1e-5)
    # ... and every other deterministic change of one state's action is no better.
    pi = planning.greedy_policy(Q)
    for s in range(16):
        for a in range(4):
            other = pi.copy()
            other[s] = a
            assert planning.policy_evaluation(P, other, 0.99)[0] <= v_pi[0] + 1e-9


def test_value_iteration_undiscounted_frozen_lake_terminates():
    V, _ = planning.value_iteration(frozen_lake_P(), 1.0, theta=1e-10)
    # Undiscounted, the value is the probability of ever reaching the goal: in [0, 1], and 1
    # where the goal can be reached for sure... which slippery FrozenLake never allows from 0.
    assert 0.5 < V[0] < 1.0
    assert V[5] == 0.0 and V[15] == 0.0  # terminal states are worth nothing


@pytest.mark.parametrize("gamma", [0.9, 0.95])
def test_value_iteration_on_dyna_maze_is_gamma_to_the_distance(gamma):
    env = GridWorld(DYNA_MAZE)
    V, _ = planning.value_iteration(env.P, gamma, theta=1e-12)
    dist = bfs_steps_to_goal(env)
    for s, d in dist.items():
        if d > 0:  # the reward 1 arrives on the d-th step: v*(s) = gamma^(d-1)
            assert V[s] == pytest.approx(gamma ** (d - 1), abs=1e-9), s
    assert dist[env.start] == 14  # the book: the shortest path is 14 steps


def test_value_iteration_refuses_to_loop_forever():
    P = {0: {0: [(1.0, 0, 1.0, False)]}}  # reward 1 forever
    with pytest.raises(
        RuntimeError, match="did not converge.*gamma = 1, values grow without bound"
    ):
        planning.value_iteration(P, 1.0, max_sweeps=500)
    V, _ = planning.value_iteration(P, 0.5)  # discounted it is fine: 1 / (1 - 0.5)
    assert V[0] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"gamma": 1.5}, ValueError, "gamma must be <= 1"),
        ({"gamma": 0.9, "theta": 0.0}, ValueError, "theta must be > 0"),
        ({"gamma": "0.9"}, TypeError, "gamma must be a number"),
        ({"gamma": 0.9, "max_sweeps": 0}, ValueError, "max_sweeps must be >= 1"),
    ],
)
def test_value_iteration_validates_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        planning.value_iteration(chain_P(), **kwargs)


def test_value_iteration_sweep_is_in_place_and_converges():
    P = chain_P(4)
    V = np.zeros(4)
    V[3] = 0.0
    # Sweeping states 0..3 in order, the reward at the end only reaches state 3 in the first
    # sweep; a reversed chain would carry it all the way (later states see new values).
    delta = planning.value_iteration_sweep(V, P, 0.5)
    assert delta == pytest.approx(1.0)
    np.testing.assert_allclose(V, [0, 0, 0, 1.0])
    reversed_P = {
        3 - s: {a: [(p, 3 - s2, r, t) for p, s2, r, t in P[s][a]] for a in P[s]} for s in P
    }
    V = np.zeros(4)
    planning.value_iteration_sweep(V, reversed_P, 0.5)
    np.testing.assert_allclose(V, [1.0, 0.5, 0.25, 0.125])  # one in-place sweep suffices
    V = np.zeros(16)
    P = frozen_lake_P()
    while planning.value_iteration_sweep(V, P, 0.9) > 1e-12:
        pass
    np.testing.assert_allclose(V, planning.value_iteration(P, 0.9, theta=1e-12)[0], atol=1e-9)


def test_policy_evaluation_rejects_never_ending_policy_and_bad_pi():
    P = chain_P(3)
    with pytest.raises(ValueError, match="never terminates"):
        planning.policy_evaluation(P, np.array([1, 1, 1]), 1.0)
    np.testing.assert_allclose(planning.policy_evaluation(P, np.array([0, 0, 0]), 1.0), [1, 1, 1])
    with pytest.raises(ValueError, match="pi must"):
        planning.policy_evaluation(P, np.array([0, 2, 0]), 0.9)
    with pytest.raises(ValueError, match="pi must"):
        planning.policy_evaluation(P, np.array([0, 0]), 0.9)


def test_greedy_policy_breaks_ties_at_random_with_rng():
    Q = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    assert planning.greedy_policy(Q).tolist() == [0, 2]
    rng = np.random.default_rng(0)
    first = {int(planning.greedy_policy(Q, rng)[0]) for _ in range(50)}
    assert first == {0, 1}
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        planning.greedy_policy(Q, 0)


# -- expected and sample updates ------------------------------------------------------------------


def test_expected_update_averages_over_next_states_and_stops_at_terminals():
    P = {
        0: {0: [(0.25, 1, 1.0, False), (0.75, 2, 0.0, True)]},
        1: {0: [(1.0, 1, 0.0, False)]},
        2: {0: [(1.0, 2, 0.0, False)]},
    }
    Q = np.array([[0.0], [4.0], [100.0]])
    value = planning.expected_update(Q, P, 0, 0, 0.5)
    # 0.25 (1 + 0.5 * 4) + 0.75 * 0   (state 2 is reached by terminating: not bootstrapped)
    assert value == pytest.approx(0.75)
    assert Q[0, 0] == pytest.approx(0.75)


def test_sample_update_moves_alpha_towards_the_target():
    Q = np.array([[1.0, 0.0], [2.0, 3.0]])
    planning.sample_update(Q, 0, 0, 0.5, 1, False, 0.5, 0.9)
    assert Q[0, 0] == pytest.approx(1.0 + 0.5 * (0.5 + 0.9 * 3.0 - 1.0))
    Q = np.array([[1.0, 0.0], [2.0, 3.0]])
    planning.sample_update(Q, 0, 0, 0.5, 1, True, 0.5, 0.9)
    assert Q[0, 0] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        planning.sample_update(Q, 0, 0, 0.5, 1, True, 0.0, 0.9)
    with pytest.raises(TypeError, match="Q must be a 2-D float numpy array"):
        planning.sample_update([[0.0]], 0, 0, 0.5, 0, True, 0.5, 0.9)


def test_sample_updates_with_one_over_t_are_the_running_mean():
    """The claim behind Figure 8.7: alpha = 1/t sample updates average the sampled targets."""
    b = 5
    values = np.array([0.3, -1.2, 2.0, 0.7, -0.1])
    P = {0: {0: [(1 / b, 1 + i, float(v), True) for i, v in enumerate(values)]}}
    P.update({1 + i: {0: [(1.0, 1 + i, 0.0, True)]} for i in range(b)})
    Q = np.zeros((b + 1, 1))
    rng = np.random.default_rng(3)
    seen = []
    for t in range(1, 30):
        s_next, r, terminated = planning.sample_transition(P, 0, 0, rng)
        seen.append(r)
        planning.sample_update(Q, 0, 0, r, s_next, terminated, 1 / t, 1.0)
        assert Q[0, 0] == pytest.approx(np.mean(seen))
    assert planning.expected_update(Q, P, 0, 0, 1.0) == pytest.approx(values.mean())


@pytest.mark.parametrize("b", [2, 10, 100])
def test_expected_vs_sample_errors_follow_the_analytic_curve(b):
    rms_expected, rms_sample = planning.expected_vs_sample_errors(
        b, 2 * b, 4000, np.random.default_rng(0)
    )
    assert len(rms_expected) == len(rms_sample) == 2 * b + 1
    assert rms_expected[0] == rms_sample[0] == 1.0
    assert np.all(rms_expected[:b] == 1.0) and np.all(rms_expected[b:] == 0.0)
    t = np.arange(1, 2 * b + 1)
    analytic = np.sqrt((b - 1) / (b * t))  # the std of a mean of t samples of b values
    np.testing.assert_allclose(rms_sample[1:], analytic, rtol=0.08)


def test_expected_vs_sample_errors_is_reproducible_and_validated():
    a = planning.expected_vs_sample_errors(10, 20, 50, np.random.default_rng(1))
    b = planning.expected_vs_sample_errors(10, 20, 50, np.random.default_rng(1))
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="b must be >= 1"):
        planning.expected_vs_sample_errors(0, 20, 50, np.random.default_rng(1))
    with pytest.raises(TypeError, match="rng must be"):
        planning.expected_vs_sample_errors(2, 20, 50, 1)


# -- prioritized sweeping -------------------------------------------------------------------------


def test_priority_queue_pops_highest_first_keeps_the_higher_priority_and_is_fifo_on_ties():
    q = planning.PriorityQueue()
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
    model = {(0, 0): (0.0, 3, False), (1, 1): (0.0, 3, False), (2, 0): (0.3, 3, True)}
    predecessors = {3: {(0, 0): None, (1, 1): None, (2, 0): None}}
    q = planning.PriorityQueue()
    planning.push_predecessors(Q, q, predecessors, model, 3, 0.5, 1e-4)
    assert q.items() == pytest.approx({(0, 0): 4.0, (2, 0): 0.3})  # terminal: just R_bar
    planning.push_predecessors(Q, q, predecessors, model, 2, 0.5, 1e-4)  # no predecessors
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
    agent = planning.PrioritizedSweeping(env.n_states, 4, alpha=1.0, rng=np.random.default_rng(0))
    steps = 0
    original_learn = agent.learn

    def counting_learn(*args):
        nonlocal steps
        steps += 1
        original_learn(*args)

    agent.learn = counting_learn
    _run_episodes(agent, env, 30)
    assert 0 < agent.n_updates <= 5 * steps
    assert planning.greedy_path_length(env.P, agent.Q, env.start, 100) is not None
    # With alpha = 1 in a deterministic maze, the values along the greedy path are exact.
    V, _ = planning.value_iteration(env.P, 0.95)
    assert max(agent.Q[env.start]) <= V[env.start] + 1e-12


def test_prioritized_sweeping_with_a_huge_threshold_never_plans():
    env = GridWorld(DYNA_MAZE)
    agent = planning.PrioritizedSweeping(env.n_states, 4, theta=10.0, rng=np.random.default_rng(0))
    _run_episodes(agent, env, 2)
    assert agent.n_updates == 0 and not np.any(agent.Q)


def test_prioritized_sweeping_needs_fewer_updates_than_dyna_q():
    """Example 8.4's finding, on the Dyna maze at twice the resolution, three seeded runs."""
    env = GridWorld(planning.enlarge_maze(DYNA_MAZE, 2))
    for rng_ps, rng_dq in zip(*(planning_rngs(3) for _ in range(2)), strict=True):
        ps = planning.PrioritizedSweeping(env.n_states, 4, alpha=1.0, rng=rng_ps)
        dq = planning.DynaQAgent(env.n_states, 4, alpha=1.0, rng=rng_dq)
        n_ps = planning.updates_until_optimal(ps, env, env.start, slack=1.2)
        n_dq = planning.updates_until_optimal(dq, env, env.start, slack=1.2)
        assert n_ps is not None and n_dq is not None
        assert 5 * n_ps < n_dq


def planning_rngs(n):
    return [np.random.default_rng(s) for s in np.random.SeedSequence(0).spawn(n)]


def test_updates_until_optimal_gives_up_after_max_updates():
    env = GridWorld(DYNA_MAZE)
    agent = planning.DynaQAgent(env.n_states, 4, rng=np.random.default_rng(0))
    assert planning.updates_until_optimal(agent, env, env.start, max_updates=50) is None
    with pytest.raises(ValueError, match="slack must be >= 1"):
        planning.updates_until_optimal(agent, env, env.start, slack=0.5)


def test_enlarge_maze_scales_cells_and_keeps_one_start_and_goal():
    big = planning.enlarge_maze(DYNA_MAZE, 3)
    rows = big.splitlines()
    assert len(rows) == 18 and all(len(row) == 27 for row in rows)
    assert big.count("S") == 1 and big.count("G") == 1
    assert big.count("#") == 9 * DYNA_MAZE.count("#")
    assert planning.enlarge_maze(DYNA_MAZE, 1) == DYNA_MAZE.strip()
    env = GridWorld(big)
    assert planning.shortest_path_length(env.P, env.start) == 42  # 3 x 14
    with pytest.raises(ValueError, match="factor must be >= 1"):
        planning.enlarge_maze(DYNA_MAZE, 0)


# -- when to plan ---------------------------------------------------------------------------------


def cost_P(P):
    return {s: {a: [(p, s2, -1.0, t) for p, s2, _, t in P[s][a]] for a in P[s]} for s in P}


def test_plan_ahead_with_enough_sweeps_is_optimal_and_too_few_is_not():
    env = GridWorld(DYNA_MAZE)
    P = cost_P(env.P)
    Q = np.zeros((env.n_states, 4))
    planning.plan_ahead(Q, P, 1.0, 4 * env.n_states)  # one sweep: not enough
    assert planning.greedy_path_length(P, Q, env.start, 14) is None
    planning.plan_ahead(Q, P, 1.0, 30 * 4 * env.n_states)
    assert planning.greedy_path_length(P, Q, env.start, 14) == 14


def test_act_while_planning_reaches_the_goal_touching_only_reachable_states():
    env = GridWorld(DYNA_MAZE)
    P = cost_P(env.P)
    steps, Q = planning.act_while_planning(P, env.start, 1.0, 20, 28, np.random.default_rng(0))
    assert steps is not None and steps >= 14
    assert not np.any(Q[list(env.walls)])  # walls cannot be reached: never planned for
    # With a huge budget per step, every action taken is optimal.
    steps, _ = planning.act_while_planning(P, env.start, 1.0, 3000, 28, np.random.default_rng(0))
    assert steps == 14


def test_rtdp_plan_validates_its_budget():
    P = chain_P(3)
    with pytest.raises(ValueError, match="n_updates must be >= 1"):
        planning.rtdp_plan(np.zeros((3, 2)), P, 0, 0.9, 0, 5, np.random.default_rng(0))


# -- trajectory sampling (Figure 8.8) -----------------------------------------------------------


def test_branching_task_is_a_valid_model_and_its_start_value_is_exact():
    task = planning.random_branching_task(30, 3, np.random.default_rng(0))
    P = task.to_P()
    T, R = planning.tabulate(P)  # probabilities sum to one: 0.9 over 3 next states + 0.1 ending
    assert T.sum(axis=2) == pytest.approx(np.full((30, 2), 0.9))
    Q = np.random.default_rng(1).standard_normal((30, 2))
    pi = Q.argmax(axis=1)
    exact = planning.policy_evaluation(P, pi, 1.0)[0]  # linear solve: independent of the iteration
    assert planning.greedy_start_value(task, Q) == pytest.approx(exact, abs=1e-5)


@pytest.mark.parametrize("on_policy", [False, True])
def test_trajectory_sampling_converges_to_the_optimal_start_value(on_policy):
    task = planning.random_branching_task(20, 2, np.random.default_rng(2))
    V_star, _ = planning.value_iteration(task.to_P(), 1.0, theta=1e-10)
    values = planning.trajectory_sampling(task, on_policy, 20_000, 5_000, np.random.default_rng(3))
    assert len(values) == 5
    assert values[-1] == pytest.approx(V_star[0], abs=1e-4)


def test_on_policy_sampling_is_faster_early_on_large_tasks():
    """Figure 8.8's first finding: with b = 1 and 1000 states, after half a sweep's worth of
    updates, on-policy trajectory sampling has a better start-state value than uniform."""
    gaps = []
    for seq in np.random.SeedSequence(0).spawn(3):
        task_rng, run_rng = (np.random.default_rng(s) for s in seq.spawn(2))
        task = planning.random_branching_task(1000, 1, task_rng)
        on = planning.trajectory_sampling(task, True, 1000, 1000, run_rng)
        uniform = planning.trajectory_sampling(task, False, 1000, 1000, run_rng)
        gaps.append(on[-1] - uniform[-1])
    assert min(gaps) > 0.5


def test_trajectory_sampling_validates_arguments():
    task = planning.random_branching_task(5, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_updates must be >= 1"):
        planning.trajectory_sampling(task, True, 0, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="b must be >= 1"):
        planning.random_branching_task(5, 0, np.random.default_rng(0))
