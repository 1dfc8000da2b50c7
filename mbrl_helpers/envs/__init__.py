"""Environments of the course: the gridworld mazes of Sutton & Barto chapter 8 and the others.

Importing this package (which `import mbrl_helpers` does) registers

- `mbrl_helpers/DynaMaze-v0` (Example 8.1),
- `mbrl_helpers/BlockingMaze-v0` (Example 8.2, the wall moves after 1000 time steps),
- `mbrl_helpers/ShortcutMaze-v0` (Example 8.3, the shortcut opens after 3000 time steps),

so `gymnasium.make("mbrl_helpers/DynaMaze-v0")` works. Build your own maze from a string map
with `GridWorld` (see `mbrl_helpers.envs.gridworld`); the maps and the changing-maze logic are
in `mbrl_helpers.envs.mazes`. `gymnasium.make` wraps the environment: the true model is
`env.unwrapped.P`.

Also here: `enlarge_maze` (the mazes of Example 8.4), `SimulatedEnv` (an environment that steps
through a model), `BranchingTask` / `random_branching_task` (Figure 8.8's random tasks) and
`PointMass` (the differentiable system of gradient planning), and `shortest_path_length` (a
breadth-first search in a deterministic maze's `P`). Environments know nothing of the
agents that act in them.
"""

import gymnasium

from mbrl_helpers.envs.branching import BranchingTask, random_branching_task
from mbrl_helpers.envs.gridworld import (
    ACTION_ARROWS,
    ACTION_DELTAS,
    ACTION_NAMES,
    DOWN,
    LEFT,
    RIGHT,
    UP,
    GridWorld,
    parse_grid,
    shortest_path_length,
)
from mbrl_helpers.envs.mazes import (
    BLOCKING_MAZE,
    DYNA_MAZE,
    SHORTCUT_MAZE,
    BlockingMaze,
    ChangingMaze,
    DynaMaze,
    ShortcutMaze,
    enlarge_maze,
)
from mbrl_helpers.envs.point_mass import PointMass, random_transitions
from mbrl_helpers.envs.simulated import SimulatedEnv

__all__ = [
    "ACTION_ARROWS",
    "ACTION_DELTAS",
    "ACTION_NAMES",
    "BLOCKING_MAZE",
    "DOWN",
    "DYNA_MAZE",
    "LEFT",
    "RIGHT",
    "SHORTCUT_MAZE",
    "UP",
    "BlockingMaze",
    "BranchingTask",
    "ChangingMaze",
    "DynaMaze",
    "GridWorld",
    "PointMass",
    "ShortcutMaze",
    "SimulatedEnv",
    "enlarge_maze",
    "parse_grid",
    "random_branching_task",
    "random_transitions",
    "shortest_path_length",
]

_REGISTRY = {
    "mbrl_helpers/DynaMaze-v0": "mbrl_helpers.envs.mazes:DynaMaze",
    "mbrl_helpers/BlockingMaze-v0": "mbrl_helpers.envs.mazes:BlockingMaze",
    "mbrl_helpers/ShortcutMaze-v0": "mbrl_helpers.envs.mazes:ShortcutMaze",
}

for _id, _entry_point in _REGISTRY.items():
    if _id not in gymnasium.registry:  # re-registering warns on stderr, which nbval would see
        gymnasium.register(id=_id, entry_point=_entry_point)
