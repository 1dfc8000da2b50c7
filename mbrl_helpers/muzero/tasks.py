"""A single-agent task for MuZero: a gridworld maze seen through the game protocol.

MuZero's search and training take a `game` (`mbrl_helpers.games`). `MazeTask` presents a maze of
`mbrl_helpers.envs` (by default `SMALL_MAZE`, a 4x7 maze drawn like the Dyna maze of lecture 01,
Sutton & Barto Example 8.1, which `DYNA_MAZE` gives in full) in that shape, with one player (`num_players = 1`), a reward per move (`reward(state, action,
next_state)`: +1 on reaching the goal, 0 otherwise) and a discount gamma (`discount`), so that
the value of a cell d moves from the goal is gamma^(d-1): the shortest path has the largest value.

States are cell indices (`row * n_cols + col`), the four actions are up, right, down, left (the
gridworld's), every action is legal in every non-goal cell (walking into a wall leaves the agent
where it is). `encode(state)` is the one-hot vector of the agent's cell: the learned model gets
no map, it has to learn the walls from what happens.
"""

from __future__ import annotations

import numpy as np

from mbrl_helpers import validation as v_
from mbrl_helpers.envs import GridWorld, shortest_path_length
from mbrl_helpers.randomness import random_index

SMALL_MAZE = """
.....#G
..#..#.
S.#....
..#....
"""
"""A 4x7 maze in the style of the Dyna maze (walls as vertical bars, S on the left, G in the top
right corner): 22 free cells, shortest path from S 12 moves. Small enough for MuZero to learn in
seconds; the 6x9 `DYNA_MAZE` (47 free cells, 14 moves) takes about twice as long."""


class MazeTask:
    """A gridworld maze as a one-player task with rewards and a discount (see the module docstring)."""

    num_players = 1
    num_actions = 4

    def __init__(self, grid=SMALL_MAZE, discount: float = 0.9):
        self.env = GridWorld(grid)
        self.discount = v_.check_float("discount", discount, low=0.0, high=1.0, low_open=True)
        self.name = "maze"
        self.shape = self.env.shape
        self.n_states = self.env.n_states
        self.start = self.env.start
        self.goals = self.env.goals
        self.free = tuple(
            s for s in range(self.n_states) if s not in self.env.walls and s not in self.goals
        )
        self._actions = tuple(range(4))

    def __repr__(self) -> str:
        return f"MazeTask({self.shape[0]}x{self.shape[1]}, discount={self.discount})"

    # --- the game protocol (one player) ------------------------------------------------------
    def initial_state(self) -> int:
        """The start cell S."""
        return self.start

    def random_state(self, *, rng: np.random.Generator) -> int:
        """A uniformly random free cell that is not a goal (exploring starts)."""
        v_.check_rng("rng", rng)
        return self.free[random_index(len(self.free), rng=rng)]

    def current_player(self, state: int) -> int:
        """Always 0: one player."""
        return 0

    def legal_actions(self, state: int) -> tuple[int, ...]:
        """All four moves, except in a goal cell (the episode is over)."""
        return () if self.is_terminal(state) else self._actions

    def next_state(self, state: int, action: int) -> int:
        """The cell one step away (or the same cell when a wall or the edge is in the way)."""
        if action not in self.legal_actions(state):
            raise ValueError(
                f"action {action!r} is illegal here; legal actions are {list(self.legal_actions(state))}"
            )
        return self.env.next_state[state][action]

    def reward(self, state: int, action: int, next_state: int) -> float:
        """+1 on reaching a goal, 0 otherwise."""
        return float(self.env.reward[state][action])

    def is_terminal(self, state: int) -> bool:
        """True in a goal cell."""
        return bool(self.env.terminal[state])

    def returns(self, state: int) -> tuple[float]:
        """The return of a finished episode, for its one player (the last reward, 1)."""
        if not self.is_terminal(state):
            raise ValueError("state must be terminal to have returns; this episode is not over")
        return (1.0,)

    def render(self, state: int) -> str:
        """The maze as text, the agent drawn as A."""
        r0, c0 = divmod(int(state), self.shape[1])
        return "\n".join(
            "".join("A" if (r, c) == (r0, c0) else ch for c, ch in enumerate(row))
            for r, row in enumerate(self.env.grid)
        )

    def encode(self, state: int) -> np.ndarray:
        """The observation: a one-hot float32 vector over the cells."""
        x = np.zeros(self.n_states, dtype=np.float32)
        x[int(state)] = 1.0
        return x

    def shortest_path_length(self, state: int) -> int:
        """The number of moves from `state` to the nearest goal (breadth-first search)."""
        return 0 if self.is_terminal(state) else shortest_path_length(self.env.P, state)
