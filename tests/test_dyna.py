"""Tests of mbrl_helpers.dyna (readable Q-learning / Dyna-Q / Dyna-Q+) and its fast path."""

import gymnasium
import numpy as np
import pytest

from mbrl_helpers import dyna, models, tabular
from mbrl_helpers.dyna.fast import dyna_q_fast, q_learning_replay_fast
from mbrl_helpers.envs import BlockingMaze, DynaMaze, GridWorld, ShortcutMaze
from mbrl_helpers.experiments import figures
from mbrl_helpers.randomness import spawn_rngs


def rng(seed=0):
    return np.random.default_rng(seed)


def assert_same_result(a, b):
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.returns, b.returns)
    np.testing.assert_array_equal(a.rewards, b.rewards)
    np.testing.assert_array_equal(a.Q, b.Q)  # bit for bit: the same updates in the same order
    assert a.n_updates == b.n_updates


# -- the pieces of the box ---------------------------------------------------------------


def test_q_update_matches_the_formula():
    Q = np.array([[0.0, 0.5], [0.2, 0.8], [3.0, 4.0]])
    dyna.q_update(Q, 0, 1, 1.0, 1, False, 0.5, 0.9)
    assert Q[0, 1] == pytest.approx(0.5 + 0.5 * (1.0 + 0.9 * 0.8 - 0.5))
    dyna.q_update(Q, 1, 0, 1.0, 2, True, 0.5, 0.9)  # terminal S': target is R alone
    assert Q[1, 0] == pytest.approx(0.2 + 0.5 * (1.0 - 0.2))
    Q_list = [[0.0, 0.5], [0.2, 0.8], [3.0, 4.0]]
    dyna.q_update(Q_list, 0, 1, 1.0, 1, False, 0.5, 0.9)  # lists and arrays alike
    assert Q_list[0][1] == pytest.approx(0.5 + 0.5 * (1.0 + 0.9 * 0.8 - 0.5))


def test_epsilon_greedy_is_greedy_and_breaks_ties_at_random():
    g = rng(1)
    assert {dyna.epsilon_greedy([0.0, 2.0, 1.0, 0.0], 0.0, rng=g) for _ in range(50)} == {1}
    picks = [dyna.epsilon_greedy([1.0, 0.0, 1.0, 1.0], 0.0, rng=g) for _ in range(3000)]
    counts = np.bincount(picks, minlength=4)
    assert counts[1] == 0
    assert all(800 < counts[a] < 1200 for a in (0, 2, 3))  # 1000 each expected


def test_epsilon_greedy_explores_with_probability_epsilon():
    g = rng(2)
    picks = np.array([dyna.epsilon_greedy([5.0, 0.0, 0.0, 0.0], 0.4, rng=g) for _ in range(4000)])
    # non-greedy actions: 0.4 * 3/4 = 0.3 of the time
    assert 0.27 < np.mean(picks != 0) < 0.33
    assert set(np.unique(picks)) == {0, 1, 2, 3}


def test_deterministic_model_records_observed_pairs_and_latest_outcome():
    model = models.DeterministicModel(n_actions=4)
    model.update(3, 1, 0.0, 4, False)
    model.update(3, 2, 0.0, 3, False)
    model.update(7, 0, 1.0, 8, True)
    model.update(3, 1, 0.5, 9, False)  # the world changed: the latest observation wins
    assert model.states == [3, 7]
    assert model.actions == {3: [1, 2], 7: [0]}
    assert model.transitions[3][1] == (0.5, 9, False)
    assert len(model) == 3


def test_deterministic_model_plus_models_untried_actions_as_self_loops():
    model = models.DeterministicModel(n_actions=4, plus=True)
    model.update(3, 1, 0.0, 4, False, t=5)
    assert model.actions[3] == [0, 1, 2, 3]
    assert model.transitions[3][0] == (0.0, 3, False)
    assert model.transitions[3][1] == (0.0, 4, False)
    assert model.last_tried[3] == [0, 5, 0, 0]


def test_planning_replays_only_observed_pairs_with_the_models_outcome():
    model = models.DeterministicModel(n_actions=4)
    model.update(0, 0, 0.5, 9, True)
    model.update(1, 2, 0.25, 9, True)
    Q = [[0.0] * 4 for _ in range(10)]
    dyna.planning(Q, model, 50, 1.0, 0.9, rng=rng(3))
    assert Q[0][0] == 0.5 and Q[1][2] == 0.25  # alpha = 1: Q = the model's R exactly
    changed = {(s, a) for s in range(10) for a in range(4) if Q[s][a] != 0.0}
    assert changed == {(0, 0), (1, 2)}


def test_planning_bonus_is_kappa_sqrt_tau():
    model = models.DeterministicModel(n_actions=2, plus=True)
    model.update(0, 0, 0.0, 1, True, t=1)
    Q = [[0.0, 0.0], [0.0, 0.0]]
    dyna.planning(Q, model, 40, 1.0, 0.9, rng=rng(4), kappa=0.1, t=10)
    assert Q[0][0] == pytest.approx(0.1 * np.sqrt(10 - 1))  # terminal: R + bonus
    # untried action 1: back to state 0 (not terminal), last tried "at time 0"
    assert Q[0][1] >= 0.1 * np.sqrt(10)  # at least its bonus, plus the discounted value of 0


def test_greedy_policy_marks_untouched_states():
    pi = tabular.greedy_policy(np.array([[0.0, 1.0], [0.0, 0.0], [2.0, -1.0]]), undecided=-1)
    assert pi.tolist() == [1, -1, 0]
    with pytest.raises(ValueError, match="Q must be a 2-D array"):
        tabular.greedy_policy(np.zeros(3))


# -- whole agents -----------------------------------------------------------------------


def test_dyna_q_returns_per_episode_statistics():
    result = dyna.dyna_q(DynaMaze(), 5, n_episodes=10, rng=rng())
    assert result.steps.shape == (10,) and result.returns.tolist() == [1.0] * 10
    assert result.rewards.shape == (result.steps.sum(),)
    assert result.rewards.sum() == 10.0
    assert result.n_updates == 5 * result.steps.sum()
    assert result.Q.shape == (54, 4)
    assert len(result.model) > 0 and 18 in result.model.states  # the start


def test_dyna_q_is_deterministic_given_the_seed():
    a = dyna.dyna_q(DynaMaze(), 5, n_episodes=5, rng=rng(7))
    b = dyna.dyna_q(DynaMaze(), 5, n_episodes=5, rng=rng(7))
    c = dyna.dyna_q(DynaMaze(), 5, n_episodes=5, rng=rng(8))
    assert_same_result(a, b)
    assert not np.array_equal(a.steps, c.steps)


def test_first_episode_is_the_same_for_every_n():
    # Q stays zero until the first reward, and acting and planning use separate streams
    first = {n: dyna.dyna_q(DynaMaze(), n, n_episodes=1, rng=rng(5)).steps[0] for n in (0, 5, 50)}
    assert len(set(first.values())) == 1
    assert first[0] > 14


def test_planning_reaches_the_optimal_path_sooner():
    steps = {
        n: figures.figure_8_2(n_runs=5, n_episodes=10, planning_steps=(n,))[n] for n in (0, 50)
    }
    assert steps[50][2:].mean() < 20 < steps[0][2:].mean()


def test_q_learning_and_dyna_q_work_on_cliff_walking():
    env = gymnasium.make("CliffWalking-v1")
    result = dyna.dyna_q(env, 20, n_episodes=100, rng=rng(0))
    P, s = env.unwrapped.P, 36
    path = 0
    while path < 100:  # follow the greedy policy through the true model
        ((_, s, _, terminated),) = P[s][int(result.Q[s].argmax())]
        path += 1
        if terminated:
            break
    assert terminated and path == 13  # the optimal path along the cliff
    ql = dyna.q_learning(env, n_episodes=20, rng=rng(0))
    assert ql.n_updates == 0 and ql.steps.shape == (20,)
    assert ql.returns.sum() == ql.rewards.sum()


def test_budget_in_steps_and_episode_cap():
    result = dyna.dyna_q(DynaMaze(), 0, n_steps=250, rng=rng(1), max_episode_steps=40)
    assert result.rewards.shape == (250,)
    assert np.all(result.steps <= 40) and len(result.steps) >= 250 // 40
    timed = gymnasium.make("mbrl_helpers/DynaMaze-v0", max_episode_steps=30)
    result = dyna.dyna_q(timed, 0, n_episodes=4, rng=rng(1))
    assert np.all(result.steps <= 30)


def test_dyna_q_plus_recovers_in_the_blocking_maze():
    curves = figures.figure_8_4(n_runs=5)
    for name in ("Dyna-Q", "Dyna-Q+"):
        assert curves[name].shape == (3000,)
        assert np.all(np.diff(curves[name]) >= 0)
    gain = {k: v[-1] - v[999] for k, v in curves.items()}  # after the wall moved
    assert gain["Dyna-Q+"] > 1.5 * gain["Dyna-Q"]


def test_dyna_q_plus_finds_the_shortcut():
    curves = figures.figure_8_5(n_runs=3)
    gain = {k: v[-1] - v[2999] for k, v in curves.items()}
    assert gain["Dyna-Q+"] > 1.2 * gain["Dyna-Q"]


def test_figure_8_2_matches_the_books_description():
    curves = figures.figure_8_2()  # 30 runs, 50 episodes, n = 0, 5, 50
    assert set(curves) == {0, 5, 50} and curves[0].shape == (50,)
    assert curves[0][0] == curves[5][0] == curves[50][0] > 300  # the same random walk
    assert curves[50][2] < 20  # near-optimal (14 steps + exploration) by the third episode
    assert curves[5][5] < 20 < curves[5][2]  # within about five
    assert curves[0][10] > 50 and curves[0][30:].mean() < 20  # about 25 episodes


def test_figure_8_3_policy_halfway_through_the_second_episode():
    Qs = figures.figure_8_3()
    learned = {n: int((tabular.greedy_policy(Q, undecided=-1) >= 0).sum()) for n, Q in Qs.items()}
    assert learned[0] <= 2 < learned[50]  # one step learned without planning; many with it


# -- readable and fast path: the same algorithm ------------------------------------------


@pytest.mark.parametrize("n_planning", [0, 1, 5, 30])
@pytest.mark.parametrize("seed", [0, 1])
def test_fast_path_equals_readable_on_the_dyna_maze(n_planning, seed):
    kw = dict(n_episodes=8, rng=None)
    a = dyna.dyna_q(DynaMaze(), n_planning, **{**kw, "rng": rng(seed)})
    b = dyna_q_fast(DynaMaze(), n_planning, **{**kw, "rng": rng(seed)})
    assert_same_result(a, b)


@pytest.mark.parametrize("n_planning", [10, 20])  # the fast path batches from 16 on
@pytest.mark.parametrize("kappa", [0.0, 1e-3, 0.05])
@pytest.mark.parametrize("maze", [BlockingMaze, ShortcutMaze])
def test_fast_path_equals_readable_on_changing_mazes(maze, kappa, n_planning):
    kw = dict(n_steps=1500, alpha=0.7, epsilon=0.2, gamma=0.9, kappa=kappa)
    a = dyna.dyna_q(maze(change_at=700), n_planning, rng=rng(3), **kw)
    b = dyna_q_fast(maze(change_at=700), n_planning, rng=rng(3), **kw)
    assert_same_result(a, b)


def test_fast_path_equals_readable_through_gymnasium_wrappers_and_caps():
    kw = dict(n_episodes=12, max_episode_steps=60, rng=None)
    env_a = gymnasium.make("mbrl_helpers/BlockingMaze-v0", max_episode_steps=45)
    env_b = gymnasium.make("mbrl_helpers/BlockingMaze-v0", max_episode_steps=45)
    a = dyna.dyna_q(env_a, 5, **{**kw, "rng": rng(9)})
    b = dyna_q_fast(env_b, 5, **{**kw, "rng": rng(9)})
    assert_same_result(a, b)
    assert a.steps.max() == 45


def test_fast_path_starts_from_the_mazes_current_clock():
    a_env, b_env = BlockingMaze(change_at=300), BlockingMaze(change_at=300)
    for env in (a_env, b_env):
        env.reset()
        for _ in range(250):
            env.step(0)
    a = dyna.dyna_q(a_env, 5, n_steps=400, rng=rng(2))
    b = dyna_q_fast(b_env, 5, n_steps=400, rng=rng(2))
    assert_same_result(a, b)
    assert a_env.t == 650 and b_env.t == 250  # the fast path leaves env untouched


def test_figures_per_run_are_the_runs_behind_the_means():
    kw = dict(n_runs=3, n_episodes=5, planning_steps=(5,))
    runs = figures.figure_8_2(per_run=True, **kw)[5]
    assert runs.shape == (3, 5)
    np.testing.assert_array_equal(runs.mean(axis=0), figures.figure_8_2(**kw)[5])
    rewards = figures.figure_8_4(n_runs=2, n_steps=1200, per_run=True)
    assert rewards["Dyna-Q"].shape == rewards["Dyna-Q+"].shape == (2, 1200)
    mean = figures.figure_8_4(n_runs=2, n_steps=1200)["Dyna-Q+"]
    np.testing.assert_array_equal(np.cumsum(rewards["Dyna-Q+"], axis=1).mean(axis=0), mean)
    # run i is the i-th generator of spawn_rngs(seed, n_runs)
    second = dyna_q_fast(BlockingMaze(), 10, n_steps=1200, alpha=1.0, rng=spawn_rngs(0, 2)[1])
    np.testing.assert_array_equal(rewards["Dyna-Q"][1], second.rewards)


def test_figures_fast_and_readable_agree():
    fast = figures.figure_8_2(n_runs=2, n_episodes=6, planning_steps=(0, 10))
    slow = figures.figure_8_2(n_runs=2, n_episodes=6, planning_steps=(0, 10), fast=False)
    for n in (0, 10):
        np.testing.assert_array_equal(fast[n], slow[n])
    fast = figures.figure_8_4(n_runs=1, n_steps=1200)
    slow = figures.figure_8_4(n_runs=1, n_steps=1200, fast=False)
    for name in fast:
        np.testing.assert_array_equal(fast[name], slow[name])


# -- bad input ---------------------------------------------------------------------------


def test_bad_arguments_are_named():
    env = DynaMaze()
    with pytest.raises(ValueError, match="give n_episodes or n_steps"):
        dyna.dyna_q(env, 0, rng=rng())
    with pytest.raises(ValueError, match="alpha must be > 0"):
        dyna.dyna_q(env, 0, n_episodes=1, alpha=0.0, rng=rng())
    with pytest.raises(ValueError, match="epsilon must be <= 1"):
        dyna.dyna_q(env, 0, n_episodes=1, epsilon=1.5, rng=rng())
    with pytest.raises(ValueError, match="n_planning must be >= 0"):
        dyna.dyna_q(env, -1, n_episodes=1, rng=rng())
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        dyna.dyna_q(env, 0, n_episodes=1, rng=0)
    with pytest.raises(TypeError, match="n_episodes must be an integer"):
        dyna.dyna_q(env, 0, n_episodes=2.5, rng=rng())
    with pytest.raises(ValueError, match="kappa must be > 0 for Dyna-Q\\+"):
        dyna.dyna_q_plus(env, 5, kappa=0.0, n_episodes=1, rng=rng())
    with pytest.raises(TypeError, match="planning_steps must be a sequence of ints"):
        figures.figure_8_2(planning_steps="5")


def test_the_pieces_of_the_box_name_their_bad_arguments():
    Q = [[0.0] * 4 for _ in range(3)]
    for kwargs, error, match in [
        ({"alpha": -1.0}, ValueError, "alpha must be > 0"),
        ({"alpha": "0.1"}, TypeError, "alpha must be a number"),
        ({"gamma": 1.5}, ValueError, "gamma must be <= 1"),
        ({"a": 4}, ValueError, "a must be <= 3"),
        ({"a": -1}, ValueError, "a must be >= 0"),
        ({"s_next": 3}, ValueError, "s_next must be <= 2"),
        ({"s": 1.5}, TypeError, "s must be an integer"),
        ({"a": True}, TypeError, "a must be an integer"),
        ({"alpha": True}, TypeError, "alpha must be a number"),
    ]:
        args = {"s": 0, "a": 1, "r": 1.0, "s_next": 2, "terminated": False}
        args.update({"alpha": 0.5, "gamma": 0.9}, **kwargs)
        with pytest.raises(error, match=match):
            dyna.q_update(Q, **args)
    assert Q == [[0.0] * 4 for _ in range(3)], "a rejected update changes nothing"
    dyna.q_update(Q, 0, 1, 1.0, 2, False, 0.5, 0.9)
    assert Q[0][1] == 0.5
    with pytest.raises(ValueError, match="epsilon must be <= 1"):
        dyna.epsilon_greedy([0.0, 0.0], 1.5, rng=rng())
    with pytest.raises(ValueError, match="epsilon must be >= 0"):
        dyna.epsilon_greedy([0.0, 0.0], -0.1, rng=rng())
    with pytest.raises(TypeError, match="epsilon must be a number"):
        dyna.epsilon_greedy([0.0, 0.0], True, rng=rng())
    with pytest.raises(TypeError, match="Q must be a non-empty table"):
        dyna.q_update([], 0, 0, 1.0, 0, True, 0.5, 0.9)
    with pytest.raises(TypeError, match="kappa must be a number"):
        dyna.planning(
            Q, models.DeterministicModel(n_actions=4), 1, 0.1, 0.95, rng=rng(), kappa="0.1"
        )
    model = models.DeterministicModel(n_actions=4)
    with pytest.raises(ValueError, match="a must be <= 3, got 9"):
        model.update(0, 9, 0.0, 1, False)
    with pytest.raises(TypeError, match="a must be an integer"):
        model.update(0, 1.5, 0.0, 1, False)
    with pytest.raises(TypeError, match="a must be an integer"):
        model.update(0, "x", 0.0, 1, False)
    with pytest.raises(ValueError, match="the model is empty"):
        dyna.planning(Q, model, 5, 0.1, 0.95, rng=rng())
    model.update(0, 1, 1.0, 2, False)
    with pytest.raises(ValueError, match="n_planning must be >= 0"):
        dyna.planning(Q, model, -1, 0.1, 0.95, rng=rng())
    with pytest.raises(TypeError, match="n_planning must be an integer"):
        dyna.planning(Q, model, 2.5, 0.1, 0.95, rng=rng())
    with pytest.raises(ValueError, match="kappa must be >= 0"):
        dyna.planning(Q, model, 1, 0.1, 0.95, rng=rng(), kappa=-1.0)
    dyna.planning(Q, model, np.int64(3), 0.1, 0.95, rng=rng())  # numpy integers are fine


def test_non_tabular_env_is_rejected():
    with pytest.raises(TypeError, match="Discrete observation and action spaces"):
        dyna.dyna_q(gymnasium.make("CartPole-v1"), 0, n_episodes=1, rng=rng())
    with pytest.raises(TypeError, match="env must be a gymnasium.Env"):
        dyna.dyna_q("maze", 0, n_episodes=1, rng=rng())


def test_fast_path_refuses_what_it_cannot_simulate():
    with pytest.raises(TypeError, match="GridWorld maze .* use mbrl_helpers.dyna.dyna_q"):
        dyna_q_fast(gymnasium.make("CliffWalking-v1"), 0, n_episodes=1, rng=rng())
    wrapped = gymnasium.wrappers.TransformReward(DynaMaze(), lambda r: 2 * r)
    with pytest.raises(TypeError, match="cannot honour the wrapper TransformReward"):
        dyna_q_fast(wrapped, 0, n_episodes=1, rng=rng())
    assert isinstance(GridWorld("S.G"), gymnasium.Env)


# -- Q-learning with experience replay: the model-free twin -------------------------------


def test_replay_with_no_replayed_updates_is_q_learning():
    a = dyna.q_learning(DynaMaze(), n_episodes=6, rng=rng(4))
    b = dyna.q_learning_replay(DynaMaze(), 0, n_episodes=6, rng=rng(4))
    assert_same_result(a, b)
    assert isinstance(b.model, models.ReplayBuffer) and len(b.model) == b.steps.sum()


def test_replay_makes_as_many_updates_as_dyna_q_and_the_same_first_episode():
    a = dyna.dyna_q(DynaMaze(), 5, n_episodes=4, rng=rng(6))
    b = dyna.q_learning_replay(DynaMaze(), 5, n_episodes=4, rng=rng(6))
    assert a.steps[0] == b.steps[0]  # Q stays zero until the first reward, for both
    assert b.n_updates == 5 * b.steps.sum()
    assert not np.array_equal(a.Q, b.Q)  # after it, they replay different things


def test_replay_is_deterministic_given_the_seed():
    a, b, c = (dyna.q_learning_replay(DynaMaze(), 5, n_episodes=5, rng=rng(s)) for s in (7, 7, 8))
    assert_same_result(a, b)
    assert not np.array_equal(a.steps, c.steps)


def test_replay_updates_use_only_stored_transitions_with_their_stored_outcomes():
    buffer = models.ReplayBuffer()
    buffer.add(0, 0, 0.5, 9, True)
    buffer.add(1, 2, 0.25, 9, True)
    Q = [[0.0] * 4 for _ in range(10)]
    dyna.replay_updates(Q, buffer, 50, 1.0, 0.9, rng=rng(3))
    assert Q[0][0] == 0.5 and Q[1][2] == 0.25  # alpha = 1: Q = the stored R exactly
    assert {(s, a) for s in range(10) for a in range(4) if Q[s][a]} == {(0, 0), (1, 2)}


def test_in_a_changed_world_the_buffer_keeps_the_stale_transitions_the_model_overwrote():
    kw = dict(n_steps=1600, alpha=1.0)
    model = dyna.dyna_q(BlockingMaze(), 10, rng=rng(0), **kw).model
    buffer = dyna.q_learning_replay(BlockingMaze(), 10, rng=rng(0), **kw).model
    below_gap, above_gap = 4 * 9 + 8, 3 * 9 + 8  # cells (4, 8) and (3, 8): the gap closes
    outcomes = [s2 for s, a, _r, s2, _t in buffer.transitions if (s, a) == (below_gap, 0)]
    assert above_gap in outcomes and below_gap in outcomes  # through the gap, then bumping
    assert model.transitions[below_gap][0][1] == below_gap  # the model keeps only the bump


def test_replay_with_a_capacity_keeps_only_the_latest_transitions():
    result = dyna.q_learning_replay(DynaMaze(), 3, n_steps=500, capacity=100, rng=rng(1))
    assert len(result.model) == 100 and result.model.n_added == 500


@pytest.mark.parametrize("capacity", [None, 40, 700])
@pytest.mark.parametrize("n_replay", [0, 5, 20])  # the fast path batches from 16 on
def test_replay_fast_path_equals_readable(n_replay, capacity):
    for maze, kw in [
        (DynaMaze, dict(n_episodes=10)),
        (BlockingMaze, dict(n_steps=1500, alpha=1.0, epsilon=0.2)),
    ]:
        a = dyna.q_learning_replay(maze(), n_replay, capacity=capacity, rng=rng(5), **kw)
        b = q_learning_replay_fast(maze(), n_replay, capacity=capacity, rng=rng(5), **kw)
        assert_same_result(a, b)


def test_replay_fast_path_through_gymnasium_wrappers_and_caps():
    kw = dict(n_episodes=12, max_episode_steps=60)
    env_a = gymnasium.make("mbrl_helpers/BlockingMaze-v0", max_episode_steps=45)
    env_b = gymnasium.make("mbrl_helpers/BlockingMaze-v0", max_episode_steps=45)
    a = dyna.q_learning_replay(env_a, 5, rng=rng(9), **kw)
    b = q_learning_replay_fast(env_b, 5, rng=rng(9), **kw)
    assert_same_result(a, b)


def test_replay_names_its_bad_arguments():
    env = DynaMaze()
    for agent in (dyna.q_learning_replay, q_learning_replay_fast):
        with pytest.raises(ValueError, match="n_replay must be >= 0"):
            agent(env, -1, n_episodes=1, rng=rng())
        with pytest.raises(ValueError, match="capacity must be >= 1"):
            agent(env, 1, n_episodes=1, capacity=0, rng=rng())
        with pytest.raises(ValueError, match="give n_episodes or n_steps"):
            agent(env, 1, rng=rng())
        with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
            agent(env, 1, n_episodes=1, rng=1)
    with pytest.raises(TypeError, match="GridWorld maze .* use mbrl_helpers.dyna.dyna_q"):
        q_learning_replay_fast(gymnasium.make("CliffWalking-v1"), 1, n_episodes=1, rng=rng())
    with pytest.raises(ValueError, match="the buffer is empty"):
        dyna.replay_updates([[0.0]], models.ReplayBuffer(), 1, 0.1, 0.9, rng=rng())


# -- figures and the widget (they import the algorithms, never the reverse) ---------------


def test_cumulative_reward_plot_gives_every_agent_its_own_colour():
    import matplotlib

    matplotlib.use("Agg")
    from mbrl_helpers.plotting import dyna as dyna_plots

    curves = {name: np.arange(5.0) for name in ("Dyna-Q", "replay", "replay, last 1,000")}
    ax = dyna_plots.plot_cumulative_reward(curves, 2)
    colours = [line.get_color() for line in ax.lines[:3]]
    assert colours[0] == "tab:blue" and len(set(colours)) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()][:3] == list(curves)


def test_plot_maze_draws_greedy_arrows_only_where_something_was_learned():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mbrl_helpers.plotting.dyna import plot_maze

    Q = np.zeros((54, 4))
    Q[26, 0] = 1.0  # one learned state: the cell below the goal, "up"
    ax = plot_maze(gymnasium.make("mbrl_helpers/DynaMaze-v0"), Q)
    assert len(ax.patches) == 7 + 1  # seven walls and one arrow
    with pytest.raises(ValueError, match="Q must have shape \\(54, 4\\)"):
        plot_maze(DynaMaze(), np.zeros((5, 4)))
    with pytest.raises(TypeError, match="env must be a GridWorld maze"):
        plot_maze(gymnasium.make("CliffWalking-v1"))
    plt.close("all")


def test_explorer_reruns_when_a_slider_moves():
    import matplotlib

    matplotlib.use("Agg")
    from mbrl_helpers.widgets.dyna import DynaExplorer

    explorer = DynaExplorer(n_planning=0, n_steps=400)
    explorer.widget()
    without = explorer.result
    explorer.controls["n"].value = 30
    assert explorer.n_planning == 30 and explorer.result is not without
    assert explorer.result.n_updates == 30 * 400
    assert "n = 30" in explorer.label.value
    explorer.controls["maze"].value = "shortcut maze"
    explorer.controls["steps"].value = 3500
    assert explorer.world().grid[3] == ".#######."  # the shortcut is open at t = 3500
    with pytest.raises(ValueError, match="maze must be one of"):
        DynaExplorer(maze="labyrinth")
