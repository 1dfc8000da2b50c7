"""The three mazes of Sutton & Barto chapter 8, and mazes that change while the agent learns.

Public names:

- `DYNA_MAZE`: the map of Example 8.1 (6x9; shortest path from S to G: 14 steps).
- `BLOCKING_MAZE = (before, after)`: Example 8.2. The wall's gap on the right closes and a gap on
  the left opens (shortest path 10 steps before, 16 after).
- `SHORTCUT_MAZE = (before, after)`: Example 8.3. A shortcut on the right opens (shortest path
  16 steps before, 10 after).
- `DynaMaze(render_mode=None)`: a `GridWorld` on `DYNA_MAZE`.
- `ChangingMaze(before, after, change_at, render_mode=None)`: a `GridWorld` whose map switches
  from `before` to `after` once `change_at` real time steps have been taken.
- `BlockingMaze(change_at=1000)`, `ShortcutMaze(change_at=3000)`: the book's two changing mazes.

Registered with Gymnasium (on `import mbrl_helpers`) as `mbrl_helpers/DynaMaze-v0`,
`mbrl_helpers/BlockingMaze-v0` and `mbrl_helpers/ShortcutMaze-v0`.

## The clock of a changing maze, and what P describes
A `ChangingMaze` counts every call to `step` in `env.t`, across episodes: `reset()` moves the
agent back to the start but does not turn back the clock, because in Examples 8.2 and 8.3 the
world changes after 1000 (3000) time steps, whatever the episode. Steps 1..change_at happen in
`before`; from step `change_at + 1` on, the world is `after`. `reset(options={"restart": True})`
(or a fresh environment) restores `before` and `t = 0`.

`env.P` (with `next_state`, `reward`, `terminal` and `grid`) always describes the world *as it is
now*: `before` until the change, `after` from then on. Both are kept: `env.P_before` and
`env.P_after`. A value-iteration planner handed `env.P` at time 0 therefore plans for a world
that will stop existing: that is the point of these examples. If the agent stands on a cell that
the change turns into a wall, it stays there and can walk out (a wall cell moves like a free
cell); nothing can walk in.
"""

from __future__ import annotations

from collections.abc import Sequence

from mbrl_helpers.envs.gridworld import GridWorld, parse_grid
from mbrl_helpers.validation import check_int

DYNA_MAZE = """
.......#G
..#....#.
S.#....#.
..#......
.....#...
.........
"""

BLOCKING_MAZE = (
    """
........G
.........
.........
########.
.........
...S.....
""",
    """
........G
.........
.........
.########
.........
...S.....
""",
)

SHORTCUT_MAZE = (
    """
........G
.........
.........
.########
.........
...S.....
""",
    """
........G
.........
.........
.#######.
.........
...S.....
""",
)


class DynaMaze(GridWorld):
    """The Dyna maze of Sutton & Barto Example 8.1: 6x9, 7 walls, S at (2, 0), G at (0, 8)."""

    def __init__(self, render_mode: str | None = None):
        super().__init__(DYNA_MAZE, render_mode=render_mode)


class ChangingMaze(GridWorld):
    """A maze whose map switches from `before` to `after` after `change_at` time steps.

    See the module docstring for the clock and for what `P` describes (Sutton & Barto 8.3).
    """

    def __init__(
        self,
        before: str | Sequence[str],
        after: str | Sequence[str],
        change_at: int,
        render_mode: str | None = None,
    ):
        self.change_at = check_int("change_at", change_at, low=0)
        self.grid_before, self.grid_after = parse_grid(before), parse_grid(after)
        if len(self.grid_before) != len(self.grid_after) or len(self.grid_before[0]) != len(
            self.grid_after[0]
        ):
            raise ValueError("before and after must be maps of the same shape")
        if "".join(self.grid_before).index("S") != "".join(self.grid_after).index("S"):
            raise ValueError("before and after must have the start 'S' in the same cell")
        super().__init__(self.grid_after, render_mode=render_mode)
        self.P_after = self.P
        self.tables_after = (self.next_state, self.reward, self.terminal)
        self._set_grid(self.grid_before)
        self.P_before = self.P
        self.tables_before = (self.next_state, self.reward, self.terminal)
        self.t = 0
        self._maybe_change()

    @property
    def changed(self) -> bool:
        """Whether the world is now `after`."""
        return self.t >= self.change_at

    def _maybe_change(self) -> None:
        if self.t == self.change_at:
            self._set_grid(self.grid_after)
            self.P = self.P_after

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Back to the start; with `options={"restart": True}` also back to `before` and t = 0."""
        if options and options.get("restart"):
            self.t = 0
            self._set_grid(self.grid_before)
            self.P = self.P_before
            self._maybe_change()
        return super().reset(seed=seed, options=options)

    def step(self, action):
        """One step in the current world; the clock then ticks and may switch the map."""
        result = super().step(action)
        self.t += 1
        self._maybe_change()
        return result


class BlockingMaze(ChangingMaze):
    """Sutton & Barto Example 8.2: the short path on the right is blocked after 1000 steps."""

    def __init__(self, change_at: int = 1000, render_mode: str | None = None):
        super().__init__(*BLOCKING_MAZE, change_at=change_at, render_mode=render_mode)


class ShortcutMaze(ChangingMaze):
    """Sutton & Barto Example 8.3: a shortcut on the right opens after 3000 steps."""

    def __init__(self, change_at: int = 3000, render_mode: str | None = None):
        super().__init__(*SHORTCUT_MAZE, change_at=change_at, render_mode=render_mode)


def enlarge_maze(grid: str, factor: int) -> str:
    """The maze `grid` at `factor` times the resolution: each cell becomes factor x factor cells.

    The mazes of Example 8.4 (Peng and Williams, 1993). Walls grow into blocks of walls; the
    start and goal stay single cells, at the top-left corner of their blocks.
    """
    factor = check_int("factor", factor, low=1)
    if not isinstance(grid, str):
        raise TypeError(f"grid must be a string map, got {type(grid).__name__}")
    rows = [row.strip() for row in grid.strip().splitlines()]
    big = []
    for row in rows:
        for i in range(factor):
            big.append(
                "".join(
                    (ch if i == 0 and j == 0 else ("." if ch in "SG" else ch))
                    for ch in row
                    for j in range(factor)
                )
            )
    return "\n".join(big)
