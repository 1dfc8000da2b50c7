"""The budget comparison of lecture 08: costs are counted right and order as the lectures say."""

import gymnasium as gym
import numpy as np
import pytest

from mbrl_helpers import planning
from mbrl_helpers.experiments import budget


@pytest.fixture()
def maze():
    return gym.make("mbrl_helpers/DynaMaze-v0")


def test_planning_saves_real_steps_and_costs_compute(maze):
    q = budget.learn_until_near_optimal(maze, 0, seed=1)
    dyna = budget.learn_until_near_optimal(maze, 50, seed=1)
    assert q.updates == q.real_steps, "Q-learning makes one update per real step"
    assert dyna.updates == 51 * dyna.real_steps, "Dyna-Q makes 1 + n updates per real step"
    assert dyna.real_steps < q.real_steps / 2
    assert q.path_length <= 16 and dyna.path_length <= 16


def test_value_iteration_on_learned_model_and_decision_time_planning(maze):
    cost, model = budget.value_iteration_on_learned_model(maze, seed=3, chunk=100)
    assert cost.real_steps % 100 == 0 and cost.path_length <= 16
    P_learned = model.to_P(maze.unwrapped.n_states, 4)
    episode = budget.rtdp_while_acting(maze, P_learned, seed=3)
    assert episode.path_length is not None and episode.updates == 300 * episode.real_steps
    given = budget.rtdp_while_acting(maze, maze.unwrapped.P, seed=3, n_updates=300)
    assert given.path_length is not None and given.path_length < 30


def test_a_model_without_the_goal_cannot_plan_a_path(maze):
    s, _ = maze.reset(seed=0)
    model, _ = budget.explore(maze, s, 0, rng=np.random.default_rng(0))
    P_empty = model.to_P(maze.unwrapped.n_states, 4)
    episode = budget.rtdp_while_acting(maze, P_empty, seed=0, n_updates=5, max_steps=30)
    assert episode.path_length is None and episode.real_steps == 30


def test_in_place_value_iteration_agrees_with_synchronous_and_counts_its_updates():
    P = gym.make("FrozenLake-v1").unwrapped.P
    in_place = planning.value_iteration(P, 0.9, theta=1e-10, in_place=True)
    synchronous = planning.value_iteration(P, 0.9, theta=1e-10)
    np.testing.assert_allclose(in_place.Q, synchronous.Q, atol=1e-7)
    assert in_place.n_updates == in_place.n_sweeps * 64
    assert synchronous.n_updates == synchronous.n_sweeps * 64
    assert in_place.n_sweeps < synchronous.n_sweeps  # later states see the new values


def test_budget_table_is_reproducible_and_ordered():
    rows = budget.budget_table(n_runs=2, seed=0)
    assert rows == budget.budget_table(n_runs=2, seed=0)
    by_method = {(r.method, r.model): r for r in rows}
    q = by_method["Q-learning", "none"]
    dyna = by_method["Dyna-Q, n=50", "learned table"]
    given = by_method["RTDP from the current state", "given (true P)"]
    assert dyna.real_steps < q.real_steps < 20_000
    assert dyna.updates > q.updates
    assert given.real_steps == given.path_length < 40
    assert all(r.failures == 0 for r in rows)
    with pytest.raises(ValueError, match="n_runs must be >= 1"):
        budget.budget_table(n_runs=0)


def test_exploration_slider_redraws_when_moved():
    from mbrl_helpers.widgets import big_picture

    text, _Q = big_picture.exploration_report(gym.make("mbrl_helpers/DynaMaze-v0"), 0, seed=0)
    assert text.startswith("0 random real steps: the model knows 0 of 216")
    assert "does not reach the goal" in text
    box = big_picture.exploration_slider(seed=0)
    assert "100 random real steps" in box.report.value
    box.slider.value = 1500
    assert "1500 random real steps" in box.report.value
    assert "greedy path from S: 14 steps" in box.report.value
