"""Simulating experience from a model: the true-model simulator, SimulatedEnv, vectorised returns."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from mbrl_helpers import envs, models
from mbrl_helpers.models import TabularModel


@pytest.fixture(scope="module")
def frozen_lake():
    return gym.make("FrozenLake-v1").unwrapped.P


def test_true_model_samples_follow_P(frozen_lake):
    model = models.TrueModel(frozen_lake)
    assert model.distribution(14, 2) == [
        (pytest.approx(1 / 3), 14, 0.0, False),
        (pytest.approx(1 / 3), 15, 1.0, True),
        (pytest.approx(1 / 3), 10, 0.0, False),
    ]
    rng = np.random.default_rng(0)
    draws = [model.sample(14, 2, rng=rng)[1] for _ in range(3000)]
    for s_next in (14, 15, 10):
        assert abs(draws.count(s_next) / 3000 - 1 / 3) < 0.03
    with pytest.raises(ValueError, match=r"\(s, a\) = \(99, 0\) is not in"):
        model.distribution(99, 0)


def test_simulated_env_is_a_gymnasium_env_and_counts_steps(frozen_lake):
    env = envs.SimulatedEnv(
        models.TrueModel(frozen_lake), 16, 4, start_state=0, max_episode_steps=5
    )
    check_env(env, skip_render_check=True)
    env = envs.SimulatedEnv(
        models.TrueModel(frozen_lake), 16, 4, start_state=0, max_episode_steps=5
    )
    s, _ = env.reset(seed=3)
    assert s == 0
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated):
        s, r, terminated, truncated, _ = env.step(1)
        steps += 1
    assert env.n_model_steps == steps <= 5
    assert truncated == (not terminated and steps == 5)
    with pytest.raises(ValueError, match="action must be in 0..3, got 7"):
        env.step(7)
    with pytest.raises(TypeError, match="sample"):
        envs.SimulatedEnv(object(), 16, 4, 0)
    with pytest.raises(ValueError, match="start_state must be <= 15"):
        envs.SimulatedEnv(models.TrueModel(frozen_lake), 16, 4, 16)


def test_simulated_env_runs_on_a_learned_model():
    model = TabularModel()
    model.update(0, 0, 0.0, 1, False)
    model.update(1, 0, 1.0, 1, True)
    env = envs.SimulatedEnv(model, 2, 1, start_state=0)
    env.reset(seed=0)
    assert env.step(0)[:3] == (1, 0.0, False)
    assert env.step(0)[:3] == (1, 1.0, True)


def test_model_arrays_and_simulated_returns_match_the_exact_value(frozen_lake):
    p, r, done = models.model_arrays(frozen_lake, 16, 4)
    np.testing.assert_allclose(p.sum(axis=2), 1.0)
    assert r[14, 2, 15] == 1.0 and done[14, 2, 15] and not done[14, 2, 14]
    # Policy "always DOWN" from state 0; its success probability by exact policy evaluation.
    policy = np.full(16, 1)
    T = np.where(done, 0.0, p)[np.arange(16), policy]
    R = (p * r)[np.arange(16), policy].sum(axis=1)
    V = np.linalg.solve(np.eye(16) - 0.9 * T, R)
    G = models.simulate_returns(
        (p, r, done), policy, 0, 40_000, rng=np.random.default_rng(0), gamma=0.9, max_steps=400
    )
    assert G.shape == (40_000,)
    assert abs(G.mean() - V[0]) < 4 * G.std() / np.sqrt(G.size)
    again = models.simulate_returns(
        (p, r, done), policy, 0, 40_000, rng=np.random.default_rng(0), gamma=0.9, max_steps=400
    )
    np.testing.assert_array_equal(G, again)


def test_expected_return_is_the_exact_mean_of_the_simulated_returns(frozen_lake):
    arrays = models.model_arrays(frozen_lake, 16, 4)
    p, r, done = arrays
    policy = np.full(16, 1)  # "always DOWN", as above: exact policy evaluation for a long horizon
    T = np.where(done, 0.0, p)[np.arange(16), policy]
    R = (p * r)[np.arange(16), policy].sum(axis=1)
    V = np.linalg.solve(np.eye(16) - 0.9 * T, R)
    exact = models.expected_return(arrays, policy, 0, gamma=0.9, max_steps=400)
    assert exact == pytest.approx(V[0], abs=1e-12)
    # within a short horizon it is the mean of the simulated returns, exactly in expectation
    short = models.expected_return(arrays, policy, 0, gamma=1.0, max_steps=7)
    G = models.simulate_returns(
        arrays, policy, 0, 40_000, rng=np.random.default_rng(1), max_steps=7
    )
    assert abs(G.mean() - short) < 4 * G.std() / np.sqrt(G.size)
    assert short < models.expected_return(arrays, policy, 0, gamma=1.0, max_steps=100)
    # a terminated episode earns nothing more: from the goal (absorbing, terminal) nothing comes
    assert models.expected_return(arrays, policy, 15, max_steps=50) == 0.0
    # a one-step episode from next to the goal: the chance of stepping into it, times 1
    assert models.expected_return(arrays, np.full(16, 2), 14, max_steps=1) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="policy actions must lie in 0..3"):
        models.expected_return(arrays, np.full(16, 4), 0)
    with pytest.raises(ValueError, match="max_steps must be >= 1"):
        models.expected_return(arrays, policy, 0, max_steps=0)


def test_bad_input_is_named(frozen_lake):
    arrays = models.model_arrays(frozen_lake, 16, 4)
    with pytest.raises(ValueError, match="policy must be an integer array of shape"):
        models.simulate_returns(arrays, np.zeros(3, dtype=int), 0, 10, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="policy actions must lie in 0..3"):
        models.simulate_returns(arrays, np.full(16, 4), 0, 10, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        models.simulate_returns(arrays, np.zeros(16, dtype=int), 0, 10, rng=0)
    with pytest.raises(ValueError, match="P has no entry for"):
        models.model_arrays({0: {0: [(1.0, 0, 0.0, False)]}}, 1, 2)
    with pytest.raises(ValueError, match="sum to 0.5"):
        models.model_arrays({0: {0: [(0.5, 0, 0.0, False)]}}, 1, 1)
    with pytest.raises(TypeError, match="P must be a non-empty dict"):
        models.TrueModel([])
