"""Tic-tac-toe on bitboards: small enough to solve exactly, fast enough for MCTS in pure Python.

## Description
Two players put `X` (player 0, moves first) and `O` (player 1) on a 3x3 board; three in a row,
column or diagonal wins; a full board without a line is a draw.

## State
A tuple `(cells0, cells1, player)`: two 9-bit masks (bit `i` set when that player holds cell `i`)
and the player to move. Immutable and hashable, so it can key a dict (solver, MCTS tree).

## Actions
The cell index `a = 3 * row + col`, `0..8`, row 0 at the top::

    0 1 2
    3 4 5
    6 7 8

## Returns
`(+1, -1)` when `X` wins, `(-1, +1)` when `O` wins, `(0, 0)` for a draw.

Everything is looked up in tables precomputed over the 512 masks: the free cells of an occupancy
mask and whether a mask holds a line. `legal_actions`, `next_state`, `is_terminal` and `returns`
cost a few hundred nanoseconds each.
"""

from __future__ import annotations

import numpy as np

from mbrl_helpers.games._protocol import board_to_string, illegal_action, parse_board
from mbrl_helpers.validation import check_int

LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
"""The eight winning lines, as cell indices."""

_BIT = tuple(1 << i for i in range(9))
_FULL = (1 << 9) - 1
_LINE_MASKS = tuple(sum(_BIT[i] for i in line) for line in LINES)
# _HAS_LINE[m]: does the 9-bit mask m contain a line?  _FREE[m]: the cells m leaves empty.
_HAS_LINE = tuple(any(m & line == line for line in _LINE_MASKS) for m in range(1 << 9))
_FREE = tuple(tuple(i for i in range(9) if not m >> i & 1) for m in range(1 << 9))
_X_WINS, _O_WINS, _DRAW = (1, -1), (-1, 1), (0, 0)


def _symmetry_permutations() -> tuple[tuple[int, ...], ...]:
    """The 8 symmetries of the square (4 rotations, each with and without a mirror), as cell maps."""
    perms = []
    for mirror in (False, True):
        for quarter_turns in range(4):
            perm = []
            for cell in range(9):
                r, c = divmod(cell, 3)
                if mirror:
                    c = 2 - c
                for _ in range(quarter_turns):
                    r, c = c, 2 - r  # a quarter turn clockwise
                perm.append(3 * r + c)
            perms.append(tuple(perm))
    return tuple(perms)


SYMMETRIES = _symmetry_permutations()
"""`SYMMETRIES[k][a]` is the cell that cell `a` goes to under symmetry `k` (k = 0 is identity)."""

# _SYM_MASK[k][m]: the mask m with every cell moved by symmetry k.
_SYM_MASK = tuple(
    tuple(sum(_BIT[perm[i]] for i in range(9) if m >> i & 1) for m in range(1 << 9))
    for perm in SYMMETRIES
)


class TicTacToe:
    """Tic-tac-toe: `X` (player 0) against `O` (player 1) on a 3x3 board.

    See the module docstring for states, actions and returns. Sutton & Barto section 1.5 plays it
    against an imperfect opponent; here both sides are players `player(state) -> action`.
    """

    name = "tic-tac-toe"
    num_actions = 9
    num_symmetries = 8
    rows = 3
    cols = 3

    def __repr__(self) -> str:
        return "TicTacToe()"

    def __eq__(self, other) -> bool:
        return type(other) is TicTacToe

    def __hash__(self) -> int:
        return hash("TicTacToe")

    # --- the protocol -----------------------------------------------------------------------
    def initial_state(self) -> tuple[int, int, int]:
        """The empty board, `X` to move."""
        return (0, 0, 0)

    def current_player(self, state: tuple[int, int, int]) -> int:
        """The player to move: 0 (`X`) or 1 (`O`)."""
        return state[2]

    def legal_actions(self, state: tuple[int, int, int]) -> tuple[int, ...]:
        """The empty cells in increasing order; `()` once the game is over."""
        cells0, cells1, _ = state
        if _HAS_LINE[cells0] or _HAS_LINE[cells1]:
            return ()
        return _FREE[cells0 | cells1]

    def next_state(self, state: tuple[int, int, int], action: int) -> tuple[int, int, int]:
        """The state after the player to move puts a stone on cell `action`."""
        cells0, cells1, player = state
        if action not in self.legal_actions(state):
            raise illegal_action(self, state, action)
        try:
            bit = _BIT[action]
        except TypeError:
            raise TypeError(f"action must be an int (a cell 0..8), got {action!r}") from None
        if player == 0:
            return (cells0 | bit, cells1, 1)
        return (cells0, cells1 | bit, 0)

    def is_terminal(self, state: tuple[int, int, int]) -> bool:
        """A line for either player, or a full board."""
        cells0, cells1, _ = state
        return _HAS_LINE[cells0] or _HAS_LINE[cells1] or cells0 | cells1 == _FULL

    def returns(self, state: tuple[int, int, int]) -> tuple[int, int]:
        """`(G_0, G_1)` of a terminal state: +1 for the winner, -1 for the loser, 0 each if drawn."""
        cells0, cells1, _ = state
        if _HAS_LINE[cells0]:
            return _X_WINS
        if _HAS_LINE[cells1]:
            return _O_WINS
        if cells0 | cells1 == _FULL:
            return _DRAW
        raise ValueError("state must be terminal to have returns; this game is not over")

    def render(self, state: tuple[int, int, int]) -> str:
        """Three rows of `X`, `O` and `.`."""
        return board_to_string(self.board(state))

    # --- fast path for rollouts and MCTS ------------------------------------------------------
    def random_playout(self, state: tuple[int, int, int], *, rng: np.random.Generator) -> tuple:
        """Play uniformly random moves from `state` to the end; return the returns `(G_0, G_1)`.

        Same distribution as `play(game, [random_player(game), random_player(game)],
        state=state)`, about ten times faster: one call to `rng` draws all the uniforms at once.
        """
        cells0, cells1, player = state
        u = rng.random(9).tolist()
        i = 0
        while True:
            if _HAS_LINE[cells0]:
                return _X_WINS
            if _HAS_LINE[cells1]:
                return _O_WINS
            free = _FREE[cells0 | cells1]
            if not free:
                return _DRAW
            bit = _BIT[free[int(u[i] * len(free))]]
            i += 1
            if player == 0:
                cells0 |= bit
                player = 1
            else:
                cells1 |= bit
                player = 0

    # --- boards, parsing, network input --------------------------------------------------------
    def board(self, state: tuple[int, int, int]) -> np.ndarray:
        """A 3x3 int array: +1 for `X`, -1 for `O`, 0 for empty."""
        cells0, cells1, _ = state
        flat = [(cells0 >> i & 1) - (cells1 >> i & 1) for i in range(9)]
        return np.array(flat, dtype=int).reshape(3, 3)

    def state_from_string(self, text: str) -> tuple[int, int, int]:
        """Parse a board such as `"X.O / .X. / ..O"` (`X`, `O`, `.`; spaces, `/`, `|` ignored).

        The player to move follows from the counts (`X` moves first).
        """
        board = parse_board(text.replace("/", " ") if isinstance(text, str) else text, 3, 3)
        flat = board.ravel()
        cells0 = sum(_BIT[i] for i in range(9) if flat[i] == 1)
        cells1 = sum(_BIT[i] for i in range(9) if flat[i] == -1)
        if _HAS_LINE[cells0] and _HAS_LINE[cells1]:
            raise ValueError("text must not hold a line for both X and O")
        return (cells0, cells1, int((flat != 0).sum() % 2))

    def encode(self, state: tuple[int, int, int]) -> np.ndarray:
        """Network input from the view of the player to move: float32 array of shape (2, 3, 3).

        Plane 0 holds the stones of the player to move, plane 1 the opponent's, so one network
        serves both sides (the value it predicts is for the player to move).
        """
        cells0, cells1, player = state
        own, other = (cells0, cells1) if player == 0 else (cells1, cells0)
        planes = [[own >> i & 1 for i in range(9)], [other >> i & 1 for i in range(9)]]
        return np.array(planes, dtype=np.float32).reshape(2, 3, 3)

    # --- symmetries ----------------------------------------------------------------------------
    def transform_state(self, state: tuple[int, int, int], k: int) -> tuple[int, int, int]:
        """Apply symmetry `k` (0..7, 0 = identity) to the board; the player to move is unchanged.

        Symmetries commute with moves: `next_state(transform_state(s, k), transform_action(a, k))
        == transform_state(next_state(s, a), k)`, and solved values are invariant.
        """
        k = check_int("k", k, low=0, high=7)
        table = _SYM_MASK[k]
        return (table[state[0]], table[state[1]], state[2])

    def transform_action(self, action: int, k: int) -> int:
        """The cell that `action` moves to under symmetry `k`."""
        k = check_int("k", k, low=0, high=7)
        action = check_int("action", action, low=0, high=8)
        return SYMMETRIES[k][action]

    def transform_policy(self, pi, k: int) -> np.ndarray:
        """Move a length-9 vector of per-action values (a policy, visit counts) by symmetry `k`.

        `out[transform_action(a, k)] = pi[a]`: the augmentation of AlphaZero training targets.
        """
        k = check_int("k", k, low=0, high=7)
        pi = np.asarray(pi)
        if pi.shape != (9,):
            raise ValueError(
                f"pi must be a vector of length 9 (one entry per cell), got {pi.shape}"
            )
        out = np.empty_like(pi)
        out[list(SYMMETRIES[k])] = pi
        return out
