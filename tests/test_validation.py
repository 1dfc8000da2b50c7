"""Argument validation: wrong input names the argument and what was expected."""

import gymnasium as gym
import numpy as np
import pytest

from mbrl_helpers import validation as v


def test_accepts_good_values():
    assert v.check_int("n", np.int64(3), low=0) == 3
    assert v.check_step_size("alpha", 0.1) == 0.1
    assert v.check_discount("gamma", 1) == 1.0
    assert v.check_probability("epsilon", 0.0) == 0.0
    np.testing.assert_allclose(v.check_distribution("p", [0.25, 0.75]), [0.25, 0.75])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: v.check_int("n_runs", 2.5), TypeError, "n_runs must be an integer"),
        (lambda: v.check_int("n_runs", True), TypeError, "n_runs must be an integer"),
        (lambda: v.check_int("n_runs", -1, low=1), ValueError, "n_runs must be >= 1, got -1"),
        (lambda: v.check_step_size("alpha", 0.0), ValueError, "alpha must be > 0.0"),
        (lambda: v.check_step_size("alpha", -0.5), ValueError, "alpha must be > 0.0"),
        (lambda: v.check_discount("gamma", 1.5), ValueError, "gamma must be <= 1.0"),
        (lambda: v.check_float("kappa", float("nan")), ValueError, "kappa must be finite"),
        (lambda: v.check_float("kappa", "0.1"), TypeError, "kappa must be a number"),
        (lambda: v.check_rng("rng", 0), TypeError, "rng must be a numpy.random.Generator"),
        (lambda: v.check_distribution("p", [0.5, 0.6]), ValueError, "p must sum to 1"),
        (lambda: v.check_distribution("p", [1.5, -0.5]), ValueError, "non-negative"),
        (lambda: v.check_distribution("p", [[1.0]]), ValueError, "1-D"),
    ],
)
def test_rejects_bad_values_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_check_tabular_env_returns_the_sizes_or_says_what_is_wrong():
    assert v.check_tabular_env("env", gym.make("FrozenLake-v1")) == (16, 4)
    with pytest.raises(TypeError, match="env must be a gymnasium.Env, got str"):
        v.check_tabular_env("env", "FrozenLake-v1")
    with pytest.raises(TypeError, match="Discrete observation and action spaces.*got Box"):
        v.check_tabular_env("env", gym.make("CartPole-v1"))
    shifted = gym.make("FrozenLake-v1")
    shifted.unwrapped.observation_space = gym.spaces.Discrete(16, start=1)
    with pytest.raises(ValueError, match="Discrete spaces must start at 0"):
        v.check_tabular_env("env", shifted)
