"""REINFORCE with baseline: the softmax and its log-gradient, the update of one episode, learning."""

import gymnasium as gym
import numpy as np
import pytest

import mbrl_helpers  # noqa: F401  (registers the mazes)
from mbrl_helpers import policy_gradient as pg


class Chain(gym.Env):
    """States 0 -> 1 -> ... -> length: action 1 moves right, action 0 stays; reward 1 at the end."""

    def __init__(self, length: int = 2):
        self.length = length
        self.observation_space = gym.spaces.Discrete(length + 1)
        self.action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.s = 0
        return self.s, {}

    def step(self, a):
        self.s += int(a)
        terminated = self.s == self.length
        return self.s, float(terminated), terminated, False, {}


def test_softmax_policy_rows_are_distributions_and_ignore_a_constant_shift():
    theta = np.array([[0.0, 0.0], [1.0, 3.0], [1000.0, 0.0]])
    pi = pg.softmax_policy(theta)
    assert pi.shape == (3, 2)
    np.testing.assert_allclose(pi.sum(axis=1), 1.0)
    np.testing.assert_allclose(pi[0], [0.5, 0.5])
    np.testing.assert_allclose(pi[1], np.exp([1, 3]) / np.exp([1, 3]).sum())
    np.testing.assert_allclose(pi[2], [1.0, 0.0])  # no overflow
    np.testing.assert_allclose(pg.softmax_policy(theta + 7.0), pi)


def test_softmax_policy_rejects_a_vector():
    with pytest.raises(ValueError, match="theta must be a 2-D array"):
        pg.softmax_policy(np.zeros(4))


@pytest.mark.parametrize("a", [0, 1, 3])
def test_grad_log_pi_matches_finite_differences(a):
    theta_s = np.random.default_rng(a).normal(size=4)

    def log_pi(x):
        return np.log(pg.softmax_policy(x[None, :])[0, a])

    eps = 1e-6
    numeric = np.array(
        [(log_pi(theta_s + eps * e) - log_pi(theta_s - eps * e)) / (2 * eps) for e in np.eye(4)]
    )
    np.testing.assert_allclose(pg.grad_log_pi(theta_s, a), numeric, atol=1e-8)


def _first_episode(**kwargs):
    """One episode on a 2-step chain, seed 0 (5 steps: state 0 and state 1 are both revisited)."""
    return pg.reinforce(Chain(2), n_episodes=1, rng=np.random.default_rng(0), **kwargs)


def _replay_first_episode(alpha_theta, alpha_w, gamma, discount_updates):
    """The same episode, replayed from the same seed, and the box's updates done by hand."""
    rng = np.random.default_rng(0)
    rng.integers(2**31)  # reinforce draws the environment's seed first
    s, visits = 0, []  # the policy stays uniform during the episode: theta changes after it
    while s < 2:
        a = int(rng.choice(2, p=[0.5, 0.5]))
        visits.append((s, a))
        s += a
    T = len(visits)
    theta, w = np.zeros((3, 2)), np.zeros(3)
    for t, (s, a) in enumerate(visits):
        G = gamma ** (T - 1 - t)  # only the last step is rewarded (R_T = 1)
        delta = G - w[s]
        w[s] += alpha_w * delta
        discount = gamma**t if discount_updates else 1.0
        theta[s] += alpha_theta * discount * delta * pg.grad_log_pi(theta[s], a)
    return T, theta, w


@pytest.mark.parametrize("discount_updates", [False, True])
def test_one_episode_updates_theta_and_the_baseline_as_in_the_box(discount_updates):
    alpha_theta, alpha_w, gamma = 0.5, 0.1, 0.9
    result = _first_episode(
        alpha_theta=alpha_theta, alpha_w=alpha_w, gamma=gamma, discount_updates=discount_updates
    )
    T, theta, w = _replay_first_episode(alpha_theta, alpha_w, gamma, discount_updates)
    assert T == 5
    assert result.steps.tolist() == [T] and result.returns.tolist() == [1.0]
    np.testing.assert_allclose(result.V, w)
    np.testing.assert_allclose(result.theta, theta)


def test_moving_right_becomes_likely_on_the_chain():
    result = pg.reinforce(Chain(3), n_episodes=500, alpha_theta=0.5, rng=np.random.default_rng(0))
    pi = pg.softmax_policy(result.theta)
    assert np.all(pi[:3, 1] > 0.95), pi  # staying put only delays the discounted reward
    assert result.steps[-20:].mean() < 4


def test_discount_updates_changes_only_theta():
    plain = _first_episode(alpha_theta=0.5, gamma=0.5)
    discounted = _first_episode(alpha_theta=0.5, gamma=0.5, discount_updates=True)
    np.testing.assert_allclose(discounted.V, plain.V)  # the baseline's update has no gamma^t
    assert not np.allclose(discounted.theta, plain.theta)


def test_reinforce_learns_the_dyna_maze():
    maze = gym.make("mbrl_helpers/DynaMaze-v0")
    result = pg.reinforce(maze, n_episodes=60, alpha_theta=2.0, rng=np.random.default_rng(0))
    assert result.steps[0] > 100  # the first episode is a random walk
    assert result.steps[-10:].mean() < 30  # the shortest path takes 14 steps
    assert np.all(result.returns == 1.0)
    greedy = pg.softmax_policy(result.theta).argmax(axis=1)
    s, _ = maze.reset(seed=0)
    steps = 0
    while steps < 100:
        s, r, terminated, _, _ = maze.step(int(greedy[s]))
        steps += 1
        if terminated:
            break
    assert terminated and steps <= 20


def test_n_steps_plays_whole_episodes_until_the_budget_is_reached():
    lake = gym.make("FrozenLake-v1")
    result = pg.reinforce(lake, n_steps=500, rng=np.random.default_rng(1))
    assert result.steps.sum() >= 500
    assert result.steps[:-1].sum() < 500
    both = pg.reinforce(lake, n_steps=500, n_episodes=3, rng=np.random.default_rng(1))
    assert len(both.steps) == 3 and both.steps.sum() < 500


def test_same_seed_same_run_different_seed_different_run():
    lake = gym.make("FrozenLake-v1")
    a, b, c = (
        pg.reinforce(lake, n_episodes=50, rng=np.random.default_rng(seed)) for seed in (3, 3, 4)
    )
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_array_equal(a.steps, b.steps)
    assert not np.array_equal(a.steps, c.steps)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({}, ValueError, "give n_episodes or n_steps"),
        ({"n_episodes": 0}, ValueError, "n_episodes"),
        ({"n_episodes": 5, "alpha_theta": 0.0}, ValueError, "alpha_theta must be > 0"),
        ({"n_episodes": 5, "alpha_w": 1.5}, ValueError, "alpha_w"),
        ({"n_episodes": 5, "gamma": 1.5}, ValueError, "gamma"),
        ({"n_episodes": 5, "max_episode_steps": 0}, ValueError, "max_episode_steps"),
    ],
)
def test_reinforce_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        pg.reinforce(gym.make("FrozenLake-v1"), rng=np.random.default_rng(0), **kwargs)


def test_reinforce_rejects_a_continuous_env_and_a_missing_generator():
    with pytest.raises(TypeError, match="Discrete observation and action spaces"):
        pg.reinforce(gym.make("CartPole-v1"), n_episodes=1, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        pg.reinforce(gym.make("FrozenLake-v1"), n_episodes=1, rng=0)


def test_max_episode_steps_cuts_episodes_and_grad_log_pi_checks_its_action():
    maze = gym.make("mbrl_helpers/DynaMaze-v0")
    result = pg.reinforce(
        maze, n_episodes=5, max_episode_steps=7, alpha_theta=0.5, rng=np.random.default_rng(0)
    )
    assert result.steps.tolist() == [7] * 5  # a random walk needs far more than 7 steps
    assert np.all(result.returns == 0.0)
    with pytest.raises(ValueError, match="a must be <= 3"):
        pg.grad_log_pi(np.zeros(4), 4)
    with pytest.raises(ValueError, match="a must be >= 0"):
        pg.grad_log_pi(np.zeros(4), -1)
    np.testing.assert_allclose(
        pg.grad_log_pi(np.zeros(4), np.int64(2)), [-0.25, -0.25, 0.75, -0.25]
    )
