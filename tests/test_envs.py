"""Tests of mbrl_helpers.envs: the chapter 8 mazes as Gymnasium environments."""

from collections import deque

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import mbrl_helpers  # noqa: F401  registers the environments
from mbrl_helpers.envs import (
    BLOCKING_MAZE,
    DOWN,
    LEFT,
    RIGHT,
    SHORTCUT_MAZE,
    UP,
    BlockingMaze,
    ChangingMaze,
    DynaMaze,
    GridWorld,
    ShortcutMaze,
    parse_grid,
)

IDS = ["mbrl_helpers/DynaMaze-v0", "mbrl_helpers/BlockingMaze-v0", "mbrl_helpers/ShortcutMaze-v0"]


def shortest_path(P, start):
    """Breadth-first search over the true model P: fewest steps from start to a terminal."""
    dist, queue = {start: 0}, deque([start])
    while queue:
        s = queue.popleft()
        for a in P[s]:
            ((prob, s_next, r, terminated),) = P[s][a]
            assert prob == 1.0
            if terminated:
                return dist[s] + 1
            if s_next not in dist:
                dist[s_next] = dist[s] + 1
                queue.append(s_next)
    return None


def value_iteration(P, gamma, n_sweeps=200):
    V = np.zeros(len(P))
    for _ in range(n_sweeps):
        V = np.array(
            [
                max(
                    sum(p * (r + gamma * (0 if t else V[s2])) for p, s2, r, t in P[s][a])
                    for a in P[s]
                )
                for s in P
            ]
        )
    return V


@pytest.mark.parametrize("env_id", IDS)
@pytest.mark.parametrize("render_mode", [None, "ansi", "rgb_array"])
def test_registered_envs_pass_check_env(env_id, render_mode):
    env = gymnasium.make(env_id, render_mode=render_mode)
    check_env(env.unwrapped, skip_render_check=False)
    assert env.observation_space == gymnasium.spaces.Discrete(54)
    assert env.action_space == gymnasium.spaces.Discrete(4)


def test_registration_is_idempotent():
    import importlib
    import warnings

    import mbrl_helpers.envs

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        importlib.reload(mbrl_helpers.envs)
        assert caught == []  # nbval would see a re-registration warning on stderr
        spec = gymnasium.registry["mbrl_helpers/DynaMaze-v0"]
        gymnasium.register(id=spec.id, entry_point=spec.entry_point)  # unguarded: warns
        assert any("Overriding environment" in str(w.message) for w in caught)


def test_dyna_maze_layout_and_optimal_path():
    env = DynaMaze()
    assert env.shape == (6, 9)
    assert env.to_cell(env.start) == (2, 0)
    assert [env.to_cell(g) for g in env.goals] == [(0, 8)]
    assert sorted(env.to_cell(w) for w in env.walls) == [
        (0, 7), (1, 2), (1, 7), (2, 2), (2, 7), (3, 2), (4, 5)
    ]  # fmt: skip
    assert shortest_path(env.P, env.start) == 14  # Sutton & Barto Example 8.1


def test_value_iteration_on_P_gives_gamma_to_the_13():
    env = DynaMaze()
    V = value_iteration(env.P, 0.95)
    # +1 on the 14th step: worth gamma^13 from the start
    assert V[env.start] == pytest.approx(0.95**13)


def test_changing_mazes_shortest_paths_before_and_after():
    blocking = BlockingMaze()
    assert shortest_path(blocking.P_before, blocking.start) == 10
    assert shortest_path(blocking.P_after, blocking.start) == 16
    shortcut = ShortcutMaze()
    assert shortest_path(shortcut.P_before, shortcut.start) == 16
    assert shortest_path(shortcut.P_after, shortcut.start) == 10


def test_step_moves_bumps_and_rewards():
    env = GridWorld(["S.#", "..G"])
    s, info = env.reset(seed=1)
    assert (s, info) == (0, {})
    assert env.step(UP)[:4] == (0, 0.0, False, False)  # off the edge: stay
    assert env.step(LEFT)[:4] == (0, 0.0, False, False)
    assert env.step(RIGHT)[:4] == (1, 0.0, False, False)
    assert env.step(RIGHT)[:4] == (1, 0.0, False, False)  # into the wall: stay
    assert env.step(DOWN)[:4] == (4, 0.0, False, False)
    s_next, r, terminated, truncated, _ = env.step(RIGHT)
    assert (s_next, r, terminated, truncated) == (5, 1.0, True, False)
    assert env.P[5][UP] == [(1.0, 5, 0.0, True)]  # the goal is absorbing
    assert env.P[4][RIGHT] == [(1.0, 5, 1.0, True)]


def test_step_rejects_bad_action():
    env = DynaMaze()
    env.reset()
    with pytest.raises(ValueError, match="action must be in"):
        env.step(4)
    with pytest.raises(TypeError, match="action must be an integer"):
        env.step(1.7)  # not silently action 1
    with pytest.raises(TypeError, match="action must be an integer"):
        env.step("a")
    env.step(np.int64(1))  # what action_space.sample() returns
    env.step(np.array(1))  # a 0-d integer array, which Discrete(4).contains accepts too
    with pytest.raises(TypeError, match="action must be an integer"):
        env.step(np.array(1.0))


def test_P_agrees_with_step_everywhere():
    env = DynaMaze()
    for s in range(env.n_states):
        if s in env.walls:
            continue
        for a in range(4):
            env.s = s
            s_next, r, terminated, _, _ = env.step(a)
            assert env.P[s][a] == [(1.0, s_next, r, terminated)]


@pytest.mark.parametrize(
    "grid, match",
    [
        ("..G\n...", "exactly one start"),
        ("S.S\n..G", "exactly one start"),
        ("S..\n...", "at least one goal"),
        ("S..\n..G.", "same length"),
        ("S.x\n..G", "unknown character 'x' at row 0, column 2"),
        ("", "at least one non-empty row"),
    ],
)
def test_malformed_maps_get_clear_errors(grid, match):
    with pytest.raises(ValueError, match=match):
        GridWorld(grid)


def test_map_type_and_render_mode_are_checked():
    with pytest.raises(TypeError, match="grid must be a string or a sequence of row strings"):
        GridWorld(42)
    with pytest.raises(ValueError, match="render_mode must be one of"):
        DynaMaze(render_mode="human")


def test_parse_grid_accepts_rows_and_W_walls():
    assert parse_grid(["S.W", "..G"]) == ("S.#", "..G")
    assert parse_grid("\n  S.#\n  ..G\n") == ("S.#", "..G")


def test_render_ansi_and_rgb():
    env = GridWorld("S.#\n..G", render_mode="ansi")
    env.reset()
    assert env.render() == "A.#\n..G\n"
    env = GridWorld("S.#\n..G", render_mode="rgb_array")
    env.reset()
    image = env.render()
    assert image.shape == (32, 48, 3) and image.dtype == np.uint8
    assert tuple(image[8, 8]) == (220, 50, 50)  # the agent on the start cell
    assert tuple(image[8, 40]) == (64, 64, 64)  # the wall


def test_blocking_maze_changes_after_1000_steps_across_episodes():
    env = BlockingMaze()
    env.reset(seed=0)
    gap = env.to_state(3, 8)
    below = env.to_state(4, 8)
    assert env.P[below][UP][0][1] == gap  # the right gap is open
    for t in range(999):
        _, _, terminated, _, _ = env.step(t % 4)
        if terminated:
            env.reset()  # episodes do not turn back the clock
    assert env.t == 999 and not env.changed
    env.step(DOWN)
    assert env.t == 1000 and env.changed
    assert env.P is env.P_after
    assert env.P[below][UP][0][1] == below  # now a wall
    assert env.grid == tuple(r.strip() for r in BLOCKING_MAZE[1].strip().splitlines())
    env.reset(options={"restart": True})
    assert env.t == 0 and env.P is env.P_before


def test_shortcut_opens_at_change_at_and_agent_can_leave_a_new_wall():
    env = ShortcutMaze(change_at=2)
    env.reset()
    env.step(UP)
    env.step(UP)  # step 2 is taken in the old world; then the world changes
    assert env.changed
    assert shortest_path(env.P, env.start) == 10


def test_agent_on_a_cell_that_becomes_a_wall_can_walk_out_but_not_back():
    env = ChangingMaze(*BLOCKING_MAZE, change_at=1)
    env.reset()
    env.s = env.to_state(4, 8)
    assert env.step(UP)[0] == env.to_state(3, 8)  # into the gap; then the gap closes
    assert env.changed and env.to_state(3, 8) in env.walls
    assert env.step(UP)[0] == env.to_state(2, 8)  # out of the new wall
    env.s = env.to_state(4, 8)
    assert env.step(UP)[0] == env.to_state(4, 8)  # and never back in


def test_changing_maze_validates_its_maps():
    with pytest.raises(ValueError, match="same shape"):
        ChangingMaze("S.G", "S.G\n...", change_at=5)
    with pytest.raises(ValueError, match="start 'S' in the same cell"):
        ChangingMaze("S.G", ".SG", change_at=5)
    with pytest.raises(ValueError, match="change_at must be >= 0"):
        ChangingMaze(*SHORTCUT_MAZE, change_at=-1)


def test_reset_seeds_and_is_deterministic():
    env = gymnasium.make("mbrl_helpers/DynaMaze-v0")
    first = [env.reset(seed=3)[0]] + [env.step(a)[0] for a in (RIGHT, RIGHT, DOWN)]
    second = [env.reset(seed=3)[0]] + [env.step(a)[0] for a in (RIGHT, RIGHT, DOWN)]
    assert first == second == [18, 19, 19, 28]
