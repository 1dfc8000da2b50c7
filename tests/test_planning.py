"""Tests of mbrl_helpers.planning: value iteration against independent calculations, the updates,
the Figure 8.7 experiment, prioritized sweeping and the two timings of planning."""

from __future__ import annotations

import numpy as np
import pytest
from tabular_models import bfs_steps_to_goal, chain_P, frozen_lake_P, policy_iteration

from mbrl_helpers import models, planning, tabular
from mbrl_helpers.envs import DYNA_MAZE, GridWorld


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
        planning.value_iteration(P_np, 0.9).V, planning.value_iteration(P, 0.9).V
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
    plan = planning.value_iteration(P, gamma, theta=theta)
    V, Q = plan.V, plan.Q
    bound = theta * gamma / (1 - gamma)  # distance of value iteration's answer from v*
    np.testing.assert_allclose(V, policy_iteration(P, gamma), atol=10 * bound + 1e-9)
    np.testing.assert_allclose(V, Q.max(axis=1), atol=10 * bound + 1e-9)


def test_value_iteration_greedy_policy_is_optimal_by_exact_evaluation():
    P = frozen_lake_P()
    plan = planning.value_iteration(P, 0.99)
    V, Q = plan.V, plan.Q
    v_pi = planning.policy_evaluation(P, tabular.greedy_policy(Q), 0.99)
    np.testing.assert_allclose(v_pi, V, atol=1e-5)
    # ... and every other deterministic change of one state's action is no better.
    pi = tabular.greedy_policy(Q)
    for s in range(16):
        for a in range(4):
            other = pi.copy()
            other[s] = a
            assert planning.policy_evaluation(P, other, 0.99)[0] <= v_pi[0] + 1e-9


def test_value_iteration_undiscounted_frozen_lake_terminates():
    V = planning.value_iteration(frozen_lake_P(), 1.0, theta=1e-10).V
    # Undiscounted, the value is the probability of ever reaching the goal: in [0, 1], and 1
    # where the goal can be reached for sure... which slippery FrozenLake never allows from 0.
    assert 0.5 < V[0] < 1.0
    assert V[5] == 0.0 and V[15] == 0.0  # terminal states are worth nothing


@pytest.mark.parametrize("gamma", [0.9, 0.95])
def test_value_iteration_on_dyna_maze_is_gamma_to_the_distance(gamma):
    env = GridWorld(DYNA_MAZE)
    V = planning.value_iteration(env.P, gamma, theta=1e-12).V
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
    V = planning.value_iteration(P, 0.5).V  # discounted it is fine: 1 / (1 - 0.5)
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
    np.testing.assert_allclose(V, planning.value_iteration(P, 0.9, theta=1e-12).V, atol=1e-9)


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
    assert tabular.greedy_policy(Q).tolist() == [0, 2]
    rng = np.random.default_rng(0)
    first = {int(tabular.greedy_policy(Q, rng=rng)[0]) for _ in range(50)}
    assert first == {0, 1}
    with pytest.raises(AttributeError):
        tabular.greedy_policy(Q, rng=0)


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
        r, s_next, terminated = planning.sample_transition(P, 0, 0, rng=rng)
        seen.append(r)
        planning.sample_update(Q, 0, 0, r, s_next, terminated, 1 / t, 1.0)
        assert Q[0, 0] == pytest.approx(np.mean(seen))
    assert planning.expected_update(Q, P, 0, 0, 1.0) == pytest.approx(values.mean())


def test_value_iteration_on_a_model_object_says_to_call_to_P():
    model = models.TabularModel()
    model.update(0, 0, 1.0, 0, True)
    with pytest.raises(TypeError, match=r"pass model.to_P\(n_states, n_actions\)"):
        planning.value_iteration(model, 0.9)


def test_sample_transition_returns_r_s_next_terminated_like_the_learned_models():
    P = {0: {0: [(1.0, 2, 0.5, True)]}}
    model = models.TabularModel()
    model.update(0, 0, 0.5, 2, True)
    rng = np.random.default_rng(0)
    assert planning.sample_transition(P, 0, 0, rng=rng) == (0.5, 2, True)
    assert model.sample(0, 0, rng=rng) == (0.5, 2, True)


@pytest.mark.parametrize("b", [2, 10, 100])
def test_expected_vs_sample_errors_follow_the_analytic_curve(b):
    errors = planning.expected_vs_sample_errors(b, 2 * b, 4000, rng=np.random.default_rng(0))
    rms_expected, rms_sample = errors.expected, errors.sample
    assert len(rms_expected) == len(rms_sample) == 2 * b + 1
    assert rms_expected[0] == rms_sample[0] == 1.0
    assert np.all(rms_expected[:b] == 1.0) and np.all(rms_expected[b:] == 0.0)
    t = np.arange(1, 2 * b + 1)
    analytic = np.sqrt((b - 1) / (b * t))  # the std of a mean of t samples of b values
    np.testing.assert_allclose(rms_sample[1:], analytic, rtol=0.08)


def test_expected_vs_sample_errors_is_reproducible_and_validated():
    a = planning.expected_vs_sample_errors(10, 20, 50, rng=np.random.default_rng(1))
    b = planning.expected_vs_sample_errors(10, 20, 50, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a.sample, b.sample)
    with pytest.raises(ValueError, match="b must be >= 1"):
        planning.expected_vs_sample_errors(0, 20, 50, rng=np.random.default_rng(1))
    with pytest.raises(TypeError, match="rng must be"):
        planning.expected_vs_sample_errors(2, 20, 50, rng=1)


# -- prioritized sweeping -------------------------------------------------------------------------
