"""Connect Four on bitboards (John Tromp's layout), any board size.

## Description
Two players drop `X` (player 0, moves first) and `O` (player 1) stones into the columns of a
`rows x cols` board (6x7 by default); four in a row (horizontal, vertical or diagonal) wins; a full
board without one is a draw. No exact solution is at hand on 6x7 in pure Python: this is where
search (MCTS) has to earn its keep.

## State
A tuple `(cells0, cells1, player)`: one bitboard per player and the player to move. Column `c`
uses bits `c * (rows + 1)` to `c * (rows + 1) + rows - 1`, bottom row first; the extra bit per
column stays empty so that shifted lines never wrap from one column into the next.

## Actions
The column index `0..cols-1`; the stone falls to the lowest empty cell.

## Returns
`(+1, -1)` when `X` wins, `(-1, +1)` when `O` wins, `(0, 0)` for a draw.
"""

from __future__ import annotations

import numpy as np

from mbrl_helpers.games._protocol import board_to_string, illegal_action, parse_board
from mbrl_helpers.validation import check_int

_X_WINS, _O_WINS, _DRAW = (1, -1), (-1, 1), (0, 0)


class ConnectFour:
    """Connect Four on a `rows x cols` board (see the module docstring)."""

    name = "connect-four"
    num_symmetries = 2

    def __init__(self, rows: int = 6, cols: int = 7):
        self.rows = check_int("rows", rows, low=1, high=16)
        self.cols = check_int("cols", cols, low=1, high=16)
        self.num_actions = self.cols
        h = self.rows + 1  # bits per column, one of them the empty guard bit
        self._h = h
        self._bottom = tuple(1 << (c * h) for c in range(self.cols))
        self._column = tuple(((1 << self.rows) - 1) << (c * h) for c in range(self.cols))
        self._top = tuple(1 << (c * h + self.rows - 1) for c in range(self.cols))
        self._full = sum(self._column)
        # Shifts that move a stone one step along a line: vertical, horizontal, the two diagonals.
        self._directions = (1, h, h + 1, h - 1)
        self._all_actions = tuple(range(self.cols))

    def __repr__(self) -> str:
        return f"ConnectFour(rows={self.rows}, cols={self.cols})"

    def __eq__(self, other) -> bool:
        return type(other) is ConnectFour and (other.rows, other.cols) == (self.rows, self.cols)

    def __hash__(self) -> int:
        return hash(("ConnectFour", self.rows, self.cols))

    def _has_four(self, cells: int) -> bool:
        for d in self._directions:
            pairs = cells & (cells >> d)  # stones with a neighbour d further on
            if pairs & (pairs >> (2 * d)):  # two such pairs in a row: four stones
                return True
        return False

    # --- the protocol -----------------------------------------------------------------------
    def initial_state(self) -> tuple[int, int, int]:
        """The empty board, `X` to move."""
        return (0, 0, 0)

    def current_player(self, state: tuple[int, int, int]) -> int:
        """The player to move: 0 (`X`) or 1 (`O`)."""
        return state[2]

    def legal_actions(self, state: tuple[int, int, int]) -> tuple[int, ...]:
        """The columns that are not full, in increasing order; `()` once the game is over."""
        if self.is_terminal(state):
            return ()
        occupied = state[0] | state[1]
        top = self._top
        return tuple(c for c in self._all_actions if not occupied & top[c])

    def next_state(self, state: tuple[int, int, int], action: int) -> tuple[int, int, int]:
        """The state after the player to move drops a stone into column `action`."""
        cells0, cells1, player = state
        if action not in self.legal_actions(state):
            raise illegal_action(self, state, action)
        if isinstance(action, float):
            raise TypeError(f"action must be an int (a column), got {action!r}")
        # The column's stones are contiguous from its bottom bit: adding that bit gives the next cell.
        bit = ((cells0 | cells1) & self._column[action]) + self._bottom[action]
        if player == 0:
            return (cells0 | bit, cells1, 1)
        return (cells0, cells1 | bit, 0)

    def is_terminal(self, state: tuple[int, int, int]) -> bool:
        """Four in a row for the player who just moved, or a full board."""
        cells0, cells1, player = state
        last = cells1 if player == 0 else cells0
        return self._has_four(last) or (cells0 | cells1) == self._full

    def returns(self, state: tuple[int, int, int]) -> tuple[int, int]:
        """`(G_0, G_1)` of a terminal state: +1 for the winner, -1 for the loser, 0 each if drawn."""
        cells0, cells1, player = state
        if self._has_four(cells1 if player == 0 else cells0):
            return _O_WINS if player == 0 else _X_WINS
        if (cells0 | cells1) == self._full:
            return _DRAW
        raise ValueError("state must be terminal to have returns; this game is not over")

    def render(self, state: tuple[int, int, int]) -> str:
        """The board, top row first, with the column numbers underneath."""
        footer = [" ".join(str(c % 10) for c in range(self.cols))]
        return board_to_string(self.board(state), footer)

    # --- fast path for rollouts and MCTS ------------------------------------------------------
    def random_playout(self, state: tuple[int, int, int], *, rng: np.random.Generator) -> tuple:
        """Play uniformly random moves from `state` to the end; return the returns `(G_0, G_1)`.

        Same distribution as playing `random_player` against itself from `state`; one call to
        `rng` draws all the uniforms at once.
        """
        if self.is_terminal(state):
            return self.returns(state)
        cells0, cells1, player = state
        occupied = cells0 | cells1
        top, bottom, column, full = self._top, self._bottom, self._column, self._full
        u = rng.random(self.rows * self.cols).tolist()
        i = 0
        while True:
            free = [c for c in self._all_actions if not occupied & top[c]]
            c = free[int(u[i] * len(free))]
            i += 1
            bit = (occupied & column[c]) + bottom[c]
            occupied |= bit
            if player == 0:
                cells0 |= bit
                if self._has_four(cells0):
                    return _X_WINS
                player = 1
            else:
                cells1 |= bit
                if self._has_four(cells1):
                    return _O_WINS
                player = 0
            if occupied == full:
                return _DRAW

    # --- boards, parsing, network input --------------------------------------------------------
    def board(self, state: tuple[int, int, int]) -> np.ndarray:
        """A `rows x cols` int array, top row first: +1 for `X`, -1 for `O`, 0 for empty."""
        cells0, cells1, _ = state
        board = np.zeros((self.rows, self.cols), dtype=int)
        for c in range(self.cols):
            for r in range(self.rows):
                bit = 1 << (c * self._h + r)
                board[self.rows - 1 - r, c] = (1 if cells0 & bit else 0) - (
                    1 if cells1 & bit else 0
                )
        return board

    def _from_board(self, board: np.ndarray) -> tuple[int, int, int]:
        cells0 = cells1 = 0
        for c in range(self.cols):
            column = board[::-1, c]  # bottom row first
            filled = np.flatnonzero(column != 0)
            if filled.size and filled[-1] != filled.size - 1:
                raise ValueError(f"column {c} has a stone floating above an empty cell")
            for r in filled:
                bit = 1 << (c * self._h + int(r))
                if column[r] == 1:
                    cells0 |= bit
                else:
                    cells1 |= bit
        return (cells0, cells1, int(np.count_nonzero(board) % 2))

    def state_from_string(self, text: str) -> tuple[int, int, int]:
        """Parse a board given top row first (`X`, `O`, `.`; spaces, `/`, `|` ignored)."""
        board = parse_board(
            text.replace("/", " ") if isinstance(text, str) else text, self.rows, self.cols
        )
        state = self._from_board(board)
        if self._has_four(state[0] if state[2] == 0 else state[1]):
            raise ValueError("text must not hold four in a row for the player to move")
        return state

    def encode(self, state: tuple[int, int, int]) -> np.ndarray:
        """Network input from the view of the player to move: float32 array (2, rows, cols).

        Plane 0 holds the stones of the player to move, plane 1 the opponent's (top row first).
        """
        board = self.board(state) * (1 if state[2] == 0 else -1)
        return np.stack([board == 1, board == -1]).astype(np.float32)

    # --- symmetries ----------------------------------------------------------------------------
    def transform_state(self, state: tuple[int, int, int], k: int) -> tuple[int, int, int]:
        """Symmetry `k`: 0 is the identity, 1 the left-right mirror."""
        k = check_int("k", k, low=0, high=1)
        if k == 0:
            return state
        mirrored = self._from_board(self.board(state)[:, ::-1])
        return (mirrored[0], mirrored[1], state[2])

    def transform_action(self, action: int, k: int) -> int:
        """The column that `action` goes to under symmetry `k`."""
        k = check_int("k", k, low=0, high=1)
        action = check_int("action", action, low=0, high=self.cols - 1)
        return action if k == 0 else self.cols - 1 - action

    def transform_policy(self, pi, k: int) -> np.ndarray:
        """Move a per-column vector by symmetry `k` (`out[transform_action(a, k)] = pi[a]`)."""
        k = check_int("k", k, low=0, high=1)
        pi = np.asarray(pi)
        if pi.shape != (self.cols,):
            raise ValueError(
                f"pi must be a vector of length {self.cols} (one per column), got {pi.shape}"
            )
        return pi.copy() if k == 0 else pi[::-1].copy()
