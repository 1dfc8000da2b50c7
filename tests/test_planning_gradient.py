"""Tests of mbrl_helpers.planning.gradient: the hand-derived gradient against finite differences,
gradient ascent against the exact optimum of a linear-quadratic problem and against random
shooting (tested itself in test_planning_shooting.py), and the danger of planning through a model
where it was never fitted."""

from __future__ import annotations

import numpy as np
import pytest

from mbrl_helpers import envs, models
from mbrl_helpers.planning import gradient, shooting

S0 = np.zeros(2)


def random_linear_model(n: int, m: int, rng) -> models.LinearModel:
    return models.LinearModel(
        A=np.eye(n) + 0.1 * rng.standard_normal((n, n)),
        B=rng.standard_normal((n, m)),
        c=0.1 * rng.standard_normal(n),
    )


@pytest.mark.parametrize("gamma", [1.0, 0.9])
@pytest.mark.parametrize(
    "model",
    [envs.PointMass(), envs.PointMass(u_max=1.0), envs.PointMass(dt=0.2, friction=0.5, u_max=0.3)],
    ids=["linear", "saturating", "stiff"],
)
def test_return_gradient_matches_finite_differences(model, gamma):
    reward = gradient.ReachReward(x_target=1.0, action_cost=0.05)
    actions = np.random.default_rng(0).uniform(-2, 2, size=(12, 1))
    grad = gradient.return_gradient(model, reward, S0, actions, gamma)
    fd = gradient.finite_difference_gradient(
        lambda a: gradient.predicted_return(model, reward, S0, a, gamma), actions
    )
    np.testing.assert_allclose(grad, fd, atol=1e-6, rtol=1e-5)
    assert np.abs(grad).max() > 1e-3  # not a trivially zero gradient


def test_return_gradient_with_several_action_dimensions():
    rng = np.random.default_rng(1)
    model = random_linear_model(2, 3, rng)
    reward = gradient.ReachReward(x_target=-0.5, action_cost=0.2)
    actions = rng.standard_normal((7, 3))
    grad = gradient.return_gradient(model, reward, S0, actions, 0.95)
    fd = gradient.finite_difference_gradient(
        lambda a: gradient.predicted_return(model, reward, S0, a, 0.95), actions
    )
    np.testing.assert_allclose(grad, fd, atol=1e-6)


def test_finite_difference_gradient_of_a_known_function():
    grad = gradient.finite_difference_gradient(
        lambda x: float(np.sum(x**3)), np.array([[1.0, -2.0]])
    )
    np.testing.assert_allclose(grad, [[3.0, 12.0]], rtol=1e-6)
    with pytest.raises(ValueError, match="eps must be > 0"):
        gradient.finite_difference_gradient(np.sum, np.zeros(2), eps=0.0)


def test_fit_linear_model_recovers_a_linear_system_exactly():
    system = envs.PointMass(dt=0.1, friction=0.3)  # no saturation: truly linear
    S, U, S_next = envs.random_transitions(
        system, 50, rng=np.random.default_rng(0), state_scale=1.0, action_scale=1.0
    )
    model = models.fit_linear_model(S, U, S_next)
    f_s, f_a = system.jacobians(S0, np.zeros(1))
    np.testing.assert_allclose(model.A, f_s, atol=1e-10)
    np.testing.assert_allclose(model.B, f_a, atol=1e-10)
    np.testing.assert_allclose(model.c, 0.0, atol=1e-10)


def test_fit_linear_model_validates_shapes():
    with pytest.raises(ValueError, match="one transition per row"):
        models.fit_linear_model(np.zeros((5, 2)), np.zeros(5), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="need at least 4 transitions"):
        models.fit_linear_model(np.zeros((3, 2)), np.zeros((3, 1)), np.zeros((3, 2)))


def test_gradient_planning_climbs_to_the_linear_quadratic_optimum():
    """J is quadratic in the actions for a linear model: its maximiser solves a linear system."""
    model, reward, H = envs.PointMass(), gradient.ReachReward(1.0, 0.01), 15
    # x_{t+1} = M_t a + 0: build M column by column from unit action sequences.
    M = np.zeros((H, H))
    for k in range(H):
        e = np.zeros((H, 1))
        e[k] = 1.0
        M[:, k] = gradient.rollout(model, S0, e)[1:, 0]
    # J(a) = -|M a - 1|^2 - c |a|^2  =>  a* = (M^T M + c I)^{-1} M^T 1
    a_star = np.linalg.solve(M.T @ M + 0.01 * np.eye(H), M.T @ np.ones(H))
    J_star = gradient.predicted_return(model, reward, S0, a_star[:, None])
    plan = gradient.gradient_planning(
        model, reward, S0, np.zeros((H, 1)), n_iterations=3000, step_size=0.05
    )
    actions, history = plan.actions, plan.history
    assert plan.J == history[-1]
    assert np.all(np.diff(history) >= -1e-12)  # a small enough step never goes downhill
    assert history[-1] == pytest.approx(J_star, abs=1e-3)
    # The optimum is flat along some directions: the actions agree to a couple of percent.
    np.testing.assert_allclose(actions[:, 0], a_star, rtol=0.03, atol=0.05)


def test_gradient_planning_respects_the_bound():
    actions = gradient.gradient_planning(
        envs.PointMass(),
        gradient.ReachReward(5.0, 0.0),
        S0,
        np.zeros((10, 1)),
        n_iterations=50,
        step_size=0.5,
        bound=0.4,
    ).actions
    assert np.abs(actions).max() == pytest.approx(0.4)


def test_gradient_planning_beats_random_shooting_on_a_long_horizon():
    model, reward, H = envs.PointMass(), gradient.ReachReward(1.0, 0.01), 30
    J_gradient = gradient.gradient_planning(
        model, reward, S0, np.zeros((H, 1)), n_iterations=100, step_size=0.02, bound=1.0
    ).J
    J_shoot = shooting.random_shooting(
        model, reward, S0, horizon=H, n_candidates=300, bound=1.0, rng=np.random.default_rng(0)
    ).J
    assert J_gradient > J_shoot + 1.0


@pytest.mark.parametrize("seed", range(5))
def test_planning_through_a_model_outside_its_data_is_dangerous(seed):
    """A linear model fitted on gentle pushes promises too much when the planner pushes hard
    (lecture 03 shows data set 0 and says the effect holds on data sets 0-4)."""
    world = envs.PointMass(u_max=1.0)  # the real motor saturates
    S, U, S_next = envs.random_transitions(
        world, 200, rng=np.random.default_rng(seed), state_scale=1.0, action_scale=0.5
    )
    model = models.fit_linear_model(S, U, S_next)
    reward, H = gradient.ReachReward(1.0, 0.001), 30
    results = {}
    for bound in (None, 0.5):
        plan = gradient.gradient_planning(
            model, reward, S0, np.zeros((H, 1)), n_iterations=200, step_size=0.02, bound=bound
        )
        results[bound] = (plan.J, gradient.predicted_return(world, reward, S0, plan.actions))
    predicted, real = results[None]
    assert predicted - real > 5.0  # the model's promise is broken
    predicted_safe, real_safe = results[0.5]
    assert abs(predicted_safe - real_safe) < 1.0
    assert real_safe > real  # staying where the data are is better in the real world


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"actions0": np.zeros(5)}, ValueError, "actions must be a 2-D array"),
        ({"step_size": 0.0}, ValueError, "step_size must be > 0"),
        ({"n_iterations": -1}, ValueError, "n_iterations must be >= 0"),
        ({"bound": -1.0}, ValueError, "bound must be > 0"),
        ({"actions0": np.full((3, 1), np.inf)}, ValueError, "actions must be finite"),
    ],
)
def test_gradient_planning_validates_arguments(kwargs, error, words):
    args = {"actions0": np.zeros((5, 1)), "n_iterations": 3, "step_size": 0.1} | kwargs
    with pytest.raises(error, match=words):
        gradient.gradient_planning(envs.PointMass(), gradient.ReachReward(), S0, **args)
