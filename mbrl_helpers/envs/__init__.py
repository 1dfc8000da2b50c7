"""Gymnasium environments of the course: the gridworld mazes of Sutton & Barto chapter 8.

Importing this package (which `import mbrl_helpers` does) registers

- `mbrl_helpers/DynaMaze-v0` (Example 8.1),
- `mbrl_helpers/BlockingMaze-v0` (Example 8.2, the wall moves after 1000 time steps),
- `mbrl_helpers/ShortcutMaze-v0` (Example 8.3, the shortcut opens after 3000 time steps),

so `gymnasium.make("mbrl_helpers/DynaMaze-v0")` works. Build your own maze from a string map
with `GridWorld` (see `mbrl_helpers.envs.gridworld`); the maps and the changing-maze logic are
in `mbrl_helpers.envs.mazes`. `gymnasium.make` wraps the environment: the true model is
`env.unwrapped.P`.
"""

import gymnasium

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
)
from mbrl_helpers.envs.mazes import (
    BLOCKING_MAZE,
    DYNA_MAZE,
    SHORTCUT_MAZE,
    BlockingMaze,
    ChangingMaze,
    DynaMaze,
    ShortcutMaze,
)

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
    "ChangingMaze",
    "DynaMaze",
    "GridWorld",
    "ShortcutMaze",
    "parse_grid",
]

_REGISTRY = {
    "mbrl_helpers/DynaMaze-v0": "mbrl_helpers.envs.mazes:DynaMaze",
    "mbrl_helpers/BlockingMaze-v0": "mbrl_helpers.envs.mazes:BlockingMaze",
    "mbrl_helpers/ShortcutMaze-v0": "mbrl_helpers.envs.mazes:ShortcutMaze",
}

for _id, _entry_point in _REGISTRY.items():
    if _id not in gymnasium.registry:  # re-registering warns on stderr, which nbval would see
        gymnasium.register(id=_id, entry_point=_entry_point)
