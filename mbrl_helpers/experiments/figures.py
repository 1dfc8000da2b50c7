"""The figures of Sutton & Barto chapter 8 that Dyna-Q draws (Figures 8.2 to 8.5).

- `figure_8_2(n_runs=30, n_episodes=50, planning_steps=(0, 5, 50), seed=0)` -> `{n: mean steps
  per episode}`: Dyna-Q on the Dyna maze for each number of planning steps n.
- `figure_8_3(planning_steps=(0, 50), seed=0)` -> `{n: Q halfway through the second episode}`.
- `figure_8_4(...)`, `figure_8_5(...)` -> `{"Dyna-Q": mean cumulative reward, "Dyna-Q+": ...}`
  indexed by time step, on the blocking and the shortcut maze.

With `per_run=True`, figures 8.2, 8.4 and 8.5 return every run instead of the mean: arrays of
shape `(n_runs, n_episodes)` (steps per episode) or `(n_runs, n_steps)` (the reward of each
time step), so that a lecture can report the spread and count the runs that did something.
Run i uses the seed `np.random.SeedSequence(seed).spawn(n_runs)[i]`, the same as
`mbrl_helpers.randomness.spawn_rngs(seed, n_runs)[i]`.

They run the fast path `mbrl_helpers.dyna.dyna_q_fast` (`fast=False` runs the readable
`mbrl_helpers.dyna.dyna_q` instead: the same numbers, slower). The algorithms live in
`mbrl_helpers.dyna`; this module only sets up the book's experiments and averages the runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import gymnasium
import numpy as np

from mbrl_helpers import dyna
from mbrl_helpers.envs import BlockingMaze, DynaMaze, ShortcutMaze
from mbrl_helpers.validation import check_float, check_int

__all__ = ["figure_8_2", "figure_8_3", "figure_8_4", "figure_8_5"]


def figure_8_2(
    n_runs: int = 30,
    n_episodes: int = 50,
    planning_steps: Sequence[int] = (0, 5, 50),
    seed: int = 0,
    *,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    fast: bool = True,
    per_run: bool = False,
) -> dict[int, np.ndarray]:
    """Figure 8.2: mean steps per episode of Dyna-Q on the Dyna maze, for each n.

    Run i uses the same seed for every n (common random numbers), so the curves differ only
    through planning. `per_run=True`: the steps of every run, shape (n_runs, n_episodes).
    """
    n_runs = check_int("n_runs", n_runs, low=1)
    n_episodes = check_int("n_episodes", n_episodes, low=1)
    planning_steps = _check_planning_steps(planning_steps)
    agent = _agent(fast)
    seeds = np.random.SeedSequence(check_int("seed", seed, low=0)).spawn(n_runs)
    curves = {}
    for n in planning_steps:
        steps = [
            agent(
                DynaMaze(),
                n,
                n_episodes=n_episodes,
                alpha=alpha,
                gamma=gamma,
                epsilon=epsilon,
                rng=np.random.default_rng(ss),
            ).steps
            for ss in seeds
        ]
        curves[n] = np.array(steps) if per_run else np.mean(steps, axis=0)
    return curves


def figure_8_3(
    planning_steps: Sequence[int] = (0, 50), seed: int = 0, *, fast: bool = True
) -> dict[int, np.ndarray]:
    """Figure 8.3: Q (hence the greedy policy) halfway through the second episode, per n."""
    planning_steps = _check_planning_steps(planning_steps)
    agent = _agent(fast)
    out = {}
    for n in planning_steps:
        first_two = agent(DynaMaze(), n, n_episodes=2, rng=np.random.default_rng(seed)).steps
        halfway = int(first_two[0] + first_two[1] // 2)
        out[n] = agent(DynaMaze(), n, n_steps=halfway, rng=np.random.default_rng(seed)).Q
    return out


def _changing_maze_figure(
    make_env: Callable[[], gymnasium.Env],
    n_runs: int,
    n_steps: int,
    n_planning: int,
    alpha: float,
    kappa: float,
    seed: int,
    fast: bool,
    per_run: bool,
) -> dict[str, np.ndarray]:
    n_runs = check_int("n_runs", n_runs, low=1)
    n_steps = check_int("n_steps", n_steps, low=1)
    check_float("kappa", kappa, low=0.0, low_open=True)
    agent = _agent(fast)
    seeds = np.random.SeedSequence(check_int("seed", seed, low=0)).spawn(n_runs)
    curves = {}
    for name, k in (("Dyna-Q", 0.0), ("Dyna-Q+", kappa)):
        rewards = np.array(
            [
                agent(
                    make_env(),
                    n_planning,
                    n_steps=n_steps,
                    alpha=alpha,
                    kappa=k,
                    rng=np.random.default_rng(ss),
                ).rewards
                for ss in seeds
            ]
        )
        curves[name] = rewards if per_run else np.cumsum(rewards, axis=1).mean(axis=0)
    return curves


def figure_8_4(
    n_runs: int = 20,
    n_steps: int = 3000,
    n_planning: int = 10,
    *,
    alpha: float = 1.0,
    kappa: float = 1e-4,
    change_at: int = 1000,
    seed: int = 0,
    fast: bool = True,
    per_run: bool = False,
) -> dict[str, np.ndarray]:
    """Figure 8.4: mean cumulative reward on the blocking maze (the wall moves at `change_at`).

    `per_run=True`: the reward of every time step of every run, shape (n_runs, n_steps)."""
    return _changing_maze_figure(
        lambda: BlockingMaze(change_at), n_runs, n_steps, n_planning, alpha, kappa, seed, fast,
        per_run,
    )  # fmt: skip


def figure_8_5(
    n_runs: int = 10,
    n_steps: int = 6000,
    n_planning: int = 10,
    *,
    alpha: float = 1.0,
    kappa: float = 1e-3,
    change_at: int = 3000,
    seed: int = 0,
    fast: bool = True,
    per_run: bool = False,
) -> dict[str, np.ndarray]:
    """Figure 8.5: mean cumulative reward on the shortcut maze (it opens at `change_at`).

    `per_run=True`: the reward of every time step of every run, shape (n_runs, n_steps)."""
    return _changing_maze_figure(
        lambda: ShortcutMaze(change_at), n_runs, n_steps, n_planning, alpha, kappa, seed, fast,
        per_run,
    )  # fmt: skip


# -- helpers ---------------------------------------------------------------------------------


def _check_planning_steps(planning_steps) -> tuple[int, ...]:
    if isinstance(planning_steps, int | np.integer):
        planning_steps = (planning_steps,)
    if (
        isinstance(planning_steps, str)
        or not isinstance(planning_steps, Sequence | np.ndarray)
        or len(planning_steps) == 0
    ):
        raise TypeError(f"planning_steps must be a sequence of ints, got {planning_steps!r}")
    return tuple(check_int("planning_steps", n, low=0) for n in planning_steps)


def _agent(fast: bool) -> Callable[..., dyna.DynaResult]:
    return dyna.dyna_q_fast if fast else dyna.dyna_q
