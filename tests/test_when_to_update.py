"""When to update the model: the experiment behind lecture 02's stored numbers."""

import gymnasium as gym
import numpy as np
import pytest

from mbrl_helpers.experiments import when_to_update


def test_the_stored_runs_are_what_the_experiment_computes():
    stored = when_to_update.stored_results()
    assert stored.checkpoints == (250, 500, 1_000, 1_500, 2_000)
    assert set(stored.values) == set(when_to_update.settings(500, 5))
    assert all(v.shape == (100, 5) for v in stored.values.values())
    first = when_to_update.run(1, seed=stored.seed)  # run 0 of the stored 100, recomputed
    for name, values in first.values.items():
        np.testing.assert_allclose(values[0], stored.values[name][0], atol=1e-9)


def test_a_model_that_waits_for_its_batch_plans_like_q_learning_until_then():
    env = gym.make("FrozenLake-v1")
    P = env.unwrapped.P

    def values(model_every, n_planning):
        return when_to_update.dyna_q_batched(
            env,
            P,
            n_steps=400,
            model_every=model_every,
            n_planning=n_planning,
            checkpoints=[100, 200, 400],
            rng=np.random.default_rng(4),
        )

    # before its first batch (step 500) the model is empty, so no planning happens at all
    np.testing.assert_array_equal(values(500, 5), values(1, 0))
    assert np.all((values(1, 5) >= 0) & (values(1, 5) <= 1))


def test_bad_arguments_are_named():
    env = gym.make("FrozenLake-v1")
    with pytest.raises(ValueError, match="model_every must be >= 1"):
        when_to_update.dyna_q_batched(
            env,
            env.unwrapped.P,
            n_steps=10,
            model_every=0,
            n_planning=1,
            checkpoints=[10],
            rng=np.random.default_rng(0),
        )
    with pytest.raises(ValueError, match="checkpoints must be <= 10"):
        when_to_update.dyna_q_batched(
            env,
            env.unwrapped.P,
            n_steps=10,
            model_every=1,
            n_planning=1,
            checkpoints=[20],
            rng=np.random.default_rng(0),
        )
