"""A deterministic gridworld built from a plain string map (Sutton & Barto, chapter 8 mazes).

Public names:

- `GridWorld(grid, render_mode=None)`: a Gymnasium environment. `grid` is a string (rows
  separated by newlines) or a sequence of row strings, with the characters

  ====  =========================================
  ``.`` free cell
  ``#`` wall (also ``W``)
  ``S`` start (exactly one)
  ``G`` goal (one or more)
  ====  =========================================

- `parse_grid(grid) -> tuple[str, ...]`: the validated rows of a map.
- `UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3`: the actions (the order of Gymnasium's CliffWalking).
- `ACTION_NAMES`, `ACTION_ARROWS`, `ACTION_DELTAS`.
- `shortest_path_length(P, start)`: the fewest steps from `start` to a goal in a deterministic
  model in the format of `GridWorld.P` (breadth-first search).

## Description
The agent moves between the cells of a rectangular grid. Moving into a wall or off the edge
leaves it where it is. Reaching a goal cell gives reward +1 and ends the episode; every other
transition gives 0 (Sutton & Barto, Example 8.1).

## Action Space
`Discrete(4)`: 0 up, 1 right, 2 down, 3 left.

## Observation Space
`Discrete(n_rows * n_cols)`: the state of the cell in row `r`, column `c` is `r * n_cols + c`
(the layout of Gymnasium's FrozenLake and CliffWalking). Wall cells are states too, which the
agent never occupies; they keep the numbering a plain reshape of the grid.

## True model
`env.P[s][a] == [(1.0, s_next, r, terminated)]`, the format of Gymnasium's toy-text
environments: what value iteration consumes, and what a learned table model converges to.
A goal cell is absorbing: `P[goal][a] == [(1.0, goal, 0.0, True)]`. A wall cell moves like a
free cell (only a changing maze can ever put the agent there: see `mbrl_helpers.envs.mazes`).
The same model as flat lists, fastest for Python loops: `env.next_state[s][a]`,
`env.reward[s][a]`, `env.terminal[s]`.

## Episode End
Termination on reaching a goal. No time limit (pass `max_episode_steps` to `gymnasium.make`
for one).

## Rendering
`"ansi"`: the map as text, the agent drawn as ``A``. `"rgb_array"`: an image, 16 pixels per
cell (walls dark grey, start blue, goal green, agent red).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import StringIO

import gymnasium
import numpy as np
from gymnasium import spaces

from mbrl_helpers.validation import check_action

UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3
ACTION_NAMES = ("up", "right", "down", "left")
ACTION_ARROWS = ("↑", "→", "↓", "←")
ACTION_DELTAS = ((-1, 0), (0, 1), (1, 0), (0, -1))

FREE, WALL, START, GOAL = ".", "#", "S", "G"
_ALLOWED = {FREE, WALL, "W", START, GOAL}
CELL_PIXELS = 16
_COLOURS = {
    FREE: (255, 255, 255),
    WALL: (64, 64, 64),
    START: (120, 160, 230),
    GOAL: (90, 200, 110),
    "agent": (220, 50, 50),
}


def parse_grid(grid: str | Sequence[str]) -> tuple[str, ...]:
    """Validate a string map and return its rows (``W`` is read as a wall ``#``).

    A map is a string of rows separated by newlines (blank leading/trailing lines and
    surrounding spaces are ignored) or a sequence of row strings.
    """
    if isinstance(grid, str):
        rows = [line.strip() for line in grid.strip().splitlines()]
    elif isinstance(grid, Sequence) and all(isinstance(row, str) for row in grid):
        rows = [row.strip() for row in grid]
    else:
        raise TypeError(
            f"grid must be a string or a sequence of row strings, got {type(grid).__name__}"
        )
    if not rows or not rows[0]:
        raise ValueError("grid must have at least one non-empty row")
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        lengths = [len(row) for row in rows]
        raise ValueError(f"grid rows must all have the same length, got lengths {lengths}")
    for r, row in enumerate(rows):
        for c, ch in enumerate(row):
            if ch not in _ALLOWED:
                raise ValueError(
                    f"grid has unknown character {ch!r} at row {r}, column {c}; "
                    "expected one of '.', '#', 'W', 'S', 'G'"
                )
    rows = [row.replace("W", WALL) for row in rows]
    n_start = sum(row.count(START) for row in rows)
    if n_start != 1:
        raise ValueError(f"grid must have exactly one start 'S', found {n_start}")
    if not any(GOAL in row for row in rows):
        raise ValueError("grid must have at least one goal 'G', found none")
    return tuple(rows)


def _transition_tables(rows: tuple[str, ...]) -> tuple[list, list, list]:
    """next_state[s][a], reward[s][a], terminal[s] of a deterministic maze."""
    n_rows, n_cols = len(rows), len(rows[0])
    next_state, reward, terminal = [], [], []
    for r in range(n_rows):
        for c in range(n_cols):
            s = r * n_cols + c
            terminal.append(rows[r][c] == GOAL)
            if rows[r][c] == GOAL:  # absorbing
                next_state.append([s] * 4)
                reward.append([0.0] * 4)
                continue
            succ, rew = [], []
            for dr, dc in ACTION_DELTAS:
                r2, c2 = r + dr, c + dc
                if not (0 <= r2 < n_rows and 0 <= c2 < n_cols) or rows[r2][c2] == WALL:
                    r2, c2 = r, c  # bumped: stay put
                succ.append(r2 * n_cols + c2)
                rew.append(1.0 if rows[r2][c2] == GOAL else 0.0)
            next_state.append(succ)
            reward.append(rew)
    return next_state, reward, terminal


class GridWorld(gymnasium.Env):
    """A deterministic gridworld from a string map; see the module docstring for the spec."""

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(self, grid: str | Sequence[str], render_mode: str | None = None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, "
                f"got {render_mode!r}"
            )
        self.render_mode = render_mode
        self._set_grid(parse_grid(grid))
        self.observation_space = spaces.Discrete(self.n_states)
        self.action_space = spaces.Discrete(4)
        self.s = self.start

    def _set_grid(self, rows: tuple[str, ...]) -> None:
        """Install a map: its shape, start, goals and the true model P."""
        self.grid = rows
        self.shape = (len(rows), len(rows[0]))
        self.n_rows, self.n_cols = self.shape
        self.n_states = self.n_rows * self.n_cols
        self.n_actions = 4
        text = "".join(rows)
        self.start = text.index(START)
        self.goals = tuple(s for s, ch in enumerate(text) if ch == GOAL)
        self.walls = tuple(s for s, ch in enumerate(text) if ch == WALL)
        self.next_state, self.reward, self.terminal = _transition_tables(rows)
        # A goal is absorbing (its next state is itself), so `terminal[s_next]` covers it too.
        self.P = {
            s: {
                a: [
                    (
                        1.0,
                        self.next_state[s][a],
                        self.reward[s][a],
                        self.terminal[self.next_state[s][a]],
                    )
                ]
                for a in range(4)
            }
            for s in range(self.n_states)
        }

    # -- coordinates -------------------------------------------------------------------------
    def to_state(self, row: int, col: int) -> int:
        """The state index of cell (row, col)."""
        return row * self.n_cols + col

    def to_cell(self, s: int) -> tuple[int, int]:
        """The (row, col) of state s."""
        return divmod(int(s), self.n_cols)

    # -- Gymnasium API ---------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """Put the agent on the start cell (the maze itself is deterministic)."""
        super().reset(seed=seed)
        self.s = self.start
        return self.s, {}

    def step(self, action):
        """Move one cell; +1 and termination on reaching a goal, 0 otherwise."""
        a = action if type(action) is int and 0 <= action < 4 else check_action("action", action, 4)
        s_next = self.next_state[self.s][a]
        r = self.reward[self.s][a]
        self.s = s_next
        return s_next, r, self.terminal[s_next], False, {}

    def render(self):
        if self.render_mode == "ansi":
            return self._render_text()
        if self.render_mode == "rgb_array":
            return self._render_rgb()
        return None

    def _render_text(self) -> str:
        out = StringIO()
        r_agent, c_agent = self.to_cell(self.s)
        for r, row in enumerate(self.grid):
            line = "".join("A" if (r, c) == (r_agent, c_agent) else ch for c, ch in enumerate(row))
            out.write(line + "\n")
        return out.getvalue()

    def _render_rgb(self) -> np.ndarray:
        image = np.empty((self.n_rows, self.n_cols, 3), dtype=np.uint8)
        for r, row in enumerate(self.grid):
            for c, ch in enumerate(row):
                image[r, c] = _COLOURS[ch]
        image[self.to_cell(self.s)] = _COLOURS["agent"]
        image = image.repeat(CELL_PIXELS, axis=0).repeat(CELL_PIXELS, axis=1)
        image[::CELL_PIXELS, :] = 200  # grid lines
        image[:, ::CELL_PIXELS] = 200
        return image

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.n_rows}x{self.n_cols}, start={self.start}, "
            f"goals={self.goals})"
        )

    __str__ = __repr__  # gymnasium.Env's __str__ would print "<GridWorld instance>"


def shortest_path_length(P, start: int) -> int:
    """Fewest steps from `start` to a terminating transition in a deterministic model (BFS)."""
    frontier, seen, depth = [start], {start}, 0
    while frontier:
        depth += 1
        next_frontier = []
        for s in frontier:
            for transitions in P[s].values() if isinstance(P[s], Mapping) else P[s]:
                _, s_next, _, terminated = transitions[0]
                if terminated:
                    return depth
                if s_next not in seen:
                    seen.add(s_next)
                    next_frontier.append(s_next)
        frontier = next_frontier
    raise ValueError(f"no terminating transition is reachable from start state {start}")
