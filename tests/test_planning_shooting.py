"""Tests of mbrl_helpers.planning.shooting: random shooting, the cross-entropy method, trajectory
sampling through an ensemble, and model-predictive control."""

from __future__ import annotations

import numpy as np
import pytest

from mbrl_helpers import envs, models
from mbrl_helpers.models import neural
from mbrl_helpers.planning import gradient, shooting

S0 = np.zeros(2)
REWARD = gradient.ReachReward(1.0, 0.01)


class Shifted:
    """The point mass whose predictions are off by a constant: a deliberately wrong member."""

    def __init__(self, offset: float):
        self.offset = offset

    def predict(self, s, a):
        return envs.PointMass().predict(s, a) + self.offset


class Ensemble:
    """An object exposing `members`, like the ensemble class of lecture 02."""

    def __init__(self, members):
        self.members = members


def test_predicted_returns_of_one_model_match_the_readable_rollout():
    model = envs.PointMass(u_max=1.0)
    actions = np.random.default_rng(0).uniform(-2, 2, size=(7, 12, 1))
    J = shooting.predicted_returns(model, REWARD, S0, actions, gamma=0.9)
    expected = [gradient.predicted_return(model, REWARD, S0, a, 0.9) for a in actions]
    np.testing.assert_allclose(J, expected, rtol=1e-12)


def test_a_linear_model_and_the_point_mass_predict_batches_like_single_states():
    rng = np.random.default_rng(1)
    S, A = rng.standard_normal((5, 2)), rng.standard_normal((5, 1))
    linear = models.LinearModel(
        A=rng.standard_normal((2, 2)), B=rng.standard_normal((2, 1)), c=np.ones(2)
    )
    for model in (envs.PointMass(u_max=1.0), linear):
        batch = model.predict(S, A)
        assert batch.shape == (5, 2)
        np.testing.assert_allclose(batch, [model.predict(s, a) for s, a in zip(S, A, strict=True)])
        with pytest.raises(ValueError, match="must have shape"):
            model.predict(S, A[:, 0])  # a transposed or flat action batch is refused


def test_the_mean_over_members_is_the_mean_of_their_returns():
    members = [Shifted(0.0), Shifted(0.1), Shifted(-0.3)]
    actions = np.random.default_rng(2).uniform(-1, 1, size=(4, 6, 1))
    J = shooting.predicted_returns(members, REWARD, S0, actions)
    each = [shooting.predicted_returns(m, REWARD, S0, actions) for m in members]
    np.testing.assert_allclose(J, np.mean(each, axis=0))
    # an object with `members` is read the same way
    np.testing.assert_allclose(
        shooting.predicted_returns(Ensemble(members), REWARD, S0, actions), J
    )


def test_disagreement_lowers_the_mean_return_of_a_concave_reward():
    """E[-(x - 1)^2] = -(E[x] - 1)^2 - Var[x]: members that disagree cost the candidate."""
    actions = np.zeros((1, 1, 1))
    agree = shooting.predicted_returns([Shifted(0.0), Shifted(0.0)], REWARD, S0, actions)
    disagree = shooting.predicted_returns([Shifted(0.5), Shifted(-0.5)], REWARD, S0, actions)
    assert disagree[0] == pytest.approx(agree[0] - 0.5**2)


@pytest.mark.parametrize("propagation", ["tsinf", "ts1"])
def test_trajectory_sampling_particles_follow_random_members_and_average_to_the_mean(propagation):
    members = [Shifted(0.0), Shifted(0.2)]
    actions = np.random.default_rng(3).uniform(-1, 1, size=(3, 5, 1))
    J = shooting.predicted_returns(
        members, REWARD, S0, actions, propagation=propagation, n_particles=4000,
        rng=np.random.default_rng(4),
    )  # fmt: skip
    mean = shooting.predicted_returns(members, REWARD, S0, actions)
    if propagation == "tsinf":  # each particle keeps one member: the mean of the members' returns
        np.testing.assert_allclose(J, mean, rtol=0.02)
    again = shooting.predicted_returns(
        members, REWARD, S0, actions, propagation=propagation, n_particles=4000,
        rng=np.random.default_rng(4),
    )  # fmt: skip
    np.testing.assert_array_equal(J, again)  # same seed, same particles
    single = shooting.predicted_returns(
        members[:1], REWARD, S0, actions, propagation=propagation, rng=np.random.default_rng(5)
    )
    np.testing.assert_allclose(single, shooting.predicted_returns(members[0], REWARD, S0, actions))


def test_the_planners_follow_the_members_of_a_models_ensemble():
    rng = np.random.default_rng(7)
    world = envs.PointMass(u_max=1.0)
    S, U, S_next = envs.random_transitions(world, 60, rng=rng, state_scale=1.0, action_scale=1.0)
    ensemble = models.fit_ensemble(
        S, U, S_next, n_members=3, rng=rng, hidden=(8,), n_gradient_steps=30
    )
    actions = rng.uniform(-1, 1, size=(4, 5, 1))
    J = shooting.predicted_returns(ensemble, REWARD, S0, actions)
    np.testing.assert_allclose(J, shooting.predicted_returns(list(ensemble), REWARD, S0, actions))
    each = [shooting.predicted_returns(m, REWARD, S0, actions) for m in ensemble.members]
    np.testing.assert_allclose(J, np.mean(each, axis=0))


def test_the_planners_work_with_a_list_of_regression_models():
    rng = np.random.default_rng(6)
    world = envs.PointMass(u_max=1.0)
    S, U, S_next = envs.random_transitions(world, 100, rng=rng, state_scale=1.0, action_scale=1.0)
    members = []
    for _ in range(2):
        member = neural.RegressionModel(2, 1, rng=rng, hidden=(8,))
        member.fit(S, U, S_next, rng=rng, n_gradient_steps=50, progress=False)
        members.append(member)
    plan = shooting.cross_entropy_method(
        members, REWARD, S0, horizon=5, n_candidates=10, n_elites=2, n_iterations=2, bound=1.0,
        rng=rng, propagation="ts1", n_particles=3,
    )  # fmt: skip
    assert plan.actions.shape == (5, 1) and len(plan.history) == 20
    assert np.all(np.abs(plan.actions) <= 1.0)


def test_random_shooting_returns_the_best_candidate():
    model = envs.PointMass()
    plan = shooting.random_shooting(
        model, REWARD, S0, horizon=10, n_candidates=30, bound=1.0, rng=np.random.default_rng(4)
    )
    assert len(plan.history) == 30 and np.all(np.diff(plan.history) >= 0)  # best so far
    assert plan.J == pytest.approx(gradient.predicted_return(model, REWARD, S0, plan.actions))
    candidates = np.random.default_rng(4).uniform(-1, 1, size=(30, 10, 1))
    assert plan.J == pytest.approx(
        max(gradient.predicted_return(model, REWARD, S0, a) for a in candidates)
    )


def test_cem_beats_random_shooting_at_the_same_number_of_rollouts():
    """On the lecture's 30-step task, over 10 seeds: CEM's worst beats random shooting's mean."""
    model, reward, H = envs.PointMass(), gradient.ReachReward(1.0, 0.001), 30
    rs, cem = [], []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        rs.append(
            shooting.random_shooting(
                model, reward, S0, horizon=H, n_candidates=300, bound=1.0, rng=rng
            ).J
        )
        plan = shooting.cross_entropy_method(
            model, reward, S0, horizon=H, n_candidates=50, n_elites=5, n_iterations=6,
            bound=1.0, rng=rng,
        )  # fmt: skip
        assert len(plan.history) == 300 and np.all(np.diff(plan.history) >= 0)
        assert plan.J == pytest.approx(gradient.predicted_return(model, reward, S0, plan.actions))
        cem.append(plan.J)
    assert min(cem) > np.mean(rs)


def test_cem_narrows_its_distribution_towards_the_optimum():
    plan = shooting.cross_entropy_method(
        envs.PointMass(), REWARD, S0, horizon=8, n_candidates=100, n_elites=10, n_iterations=8,
        bound=2.0, rng=np.random.default_rng(0),
    )  # fmt: skip
    assert plan.std.max() < 0.5 < 1.0  # from bound / 2 = 1
    assert plan.mean.shape == (8, 1)
    warm = shooting.cross_entropy_method(
        envs.PointMass(), REWARD, S0, horizon=8, n_candidates=5, n_elites=2, n_iterations=1,
        bound=2.0, rng=np.random.default_rng(1), init_mean=plan.mean, init_std=1e-9,
    )  # fmt: skip
    np.testing.assert_allclose(warm.actions, np.clip(plan.mean, -2, 2), atol=1e-6)


def test_model_predictive_control_acts_in_the_world_and_re_plans():
    world = envs.PointMass(u_max=1.0)
    reward = gradient.ReachReward(1.0, 0.001)
    settings = {"n_candidates": 30, "n_elites": 3, "n_iterations": 2, "bound": 2.0}
    episode = shooting.model_predictive_control(
        world, world, reward, S0, n_steps=20, horizon=8, rng=np.random.default_rng(0), **settings
    )
    assert episode.states.shape == (21, 2) and episode.actions.shape == (20, 1)
    # the states are the real system's, step by step
    for t in range(20):
        np.testing.assert_allclose(
            episode.states[t + 1], world.predict(episode.states[t], episode.actions[t])
        )
    assert episode.real_return == pytest.approx(episode.rewards.sum())
    assert episode.real_return > 20 * -1.0 / 2  # far better than doing nothing (-20)
    again = shooting.model_predictive_control(
        world, world, reward, S0, n_steps=20, horizon=8, rng=np.random.default_rng(0), **settings
    )
    np.testing.assert_array_equal(episode.actions, again.actions)


def test_a_model_that_diverges_is_never_chosen():
    class Exploding:
        def predict(self, s, a):
            return np.where(np.abs(a) > 0.5, np.inf, 0.0) * np.ones_like(s)

    J = shooting.predicted_returns(Exploding(), REWARD, S0, np.array([[[0.1]], [[0.9]]]))
    assert J[1] == -np.inf and np.isfinite(J[0])

    class AlwaysInfinite:
        def predict(self, s, a):
            return np.full_like(s, np.inf)

    with pytest.raises(ValueError, match="the model diverged"):
        shooting.random_shooting(
            AlwaysInfinite(), REWARD, S0, horizon=2, n_candidates=3, bound=1.0,
            rng=np.random.default_rng(0),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("models", "kwargs", "error", "words"),
    [
        ([], {}, ValueError, "at least one model"),
        ([object()], {}, TypeError, "has no predict"),
        ("point mass", {}, TypeError, "models must be a model"),
        (envs.PointMass(), {"propagation": "ts2"}, ValueError, "propagation must be one of"),
        (envs.PointMass(), {"n_elites": 0}, ValueError, "n_elites must be >= 1"),
        (envs.PointMass(), {"n_elites": 11}, ValueError, "n_elites must be <= 10"),
        (envs.PointMass(), {"smoothing": 1.0}, ValueError, "smoothing must be < 1"),
        (envs.PointMass(), {"bound": 0.0}, ValueError, "bound must be > 0"),
        (envs.PointMass(), {"init_mean": np.zeros(3)}, ValueError, "init_mean must be"),
        (envs.PointMass(), {"rng": 0}, TypeError, "rng must be"),
    ],
)
def test_cem_validates_its_arguments(models, kwargs, error, words):
    args = {
        "horizon": 3, "n_candidates": 10, "n_elites": 2, "n_iterations": 1, "bound": 1.0,
        "rng": np.random.default_rng(0),
    } | kwargs  # fmt: skip
    with pytest.raises(error, match=words):
        shooting.cross_entropy_method(models, REWARD, S0, **args)


def test_predict_must_accept_batches():
    class OneAtATime:
        def predict(self, s, a):
            return np.zeros(2)  # ignores the batch

    with pytest.raises(ValueError, match="predict must accept a batch"):
        shooting.predicted_returns(OneAtATime(), REWARD, S0, np.zeros((3, 2, 1)))


def test_random_shooting_validates_arguments():
    with pytest.raises(TypeError, match="rng must be"):
        shooting.random_shooting(
            envs.PointMass(), REWARD, S0, horizon=3, n_candidates=2, bound=1.0, rng=0
        )
    with pytest.raises(ValueError, match="n_candidates must be >= 1"):
        shooting.random_shooting(
            envs.PointMass(), REWARD, S0, horizon=3, n_candidates=0, bound=1.0,
            rng=np.random.default_rng(0),
        )  # fmt: skip
    with pytest.raises(TypeError, match="sets init_mean itself"):
        shooting.model_predictive_control(
            envs.PointMass(), envs.PointMass(), REWARD, S0, n_steps=2, horizon=2,
            rng=np.random.default_rng(0), init_mean=np.zeros((2, 1)),
        )  # fmt: skip
