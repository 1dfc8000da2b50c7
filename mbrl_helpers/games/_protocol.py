"""The game protocol shared by tic-tac-toe, Connect Four, the solver, rollouts, MCTS and AlphaZero."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

State = Hashable
"""A game state: immutable and hashable (our games use a tuple `(cells0, cells1, player)`)."""

Player = Callable[[State], int]
"""A player maps a (non-terminal) state to one of its legal actions."""


@runtime_checkable
class Game(Protocol):
    """A two-player, zero-sum, perfect-information game with immutable states.

    Players are numbered 0 (moves first, drawn `X`) and 1 (`O`). Actions are ints in
    `range(num_actions)`. Everything a search needs:

    - `initial_state()`; `current_player(state)` (0 or 1);
    - `legal_actions(state)`: a tuple of ints, empty when the state is terminal;
    - `next_state(state, action)`: a new state (states are never modified); an illegal action
      raises `ValueError` naming it and listing the legal ones;
    - `is_terminal(state)`; `returns(state)`: a pair `(G_0, G_1)` in {+1, 0, -1} for a terminal
      state, with `G_0 = -G_1` (zero-sum);
    - `render(state)`: a readable text board.

    Optional extras that our games provide: `random_playout(state, rng)` (a fast uniform random
    game to the end), `encode(state)` (network input), `state_from_string(text)`, and board
    symmetries (`num_symmetries`, `transform_state`, `transform_action`, `transform_policy`).
    """

    name: str
    num_actions: int

    def initial_state(self) -> State: ...

    def current_player(self, state: State) -> int: ...

    def legal_actions(self, state: State) -> tuple[int, ...]: ...

    def next_state(self, state: State, action: int) -> State: ...

    def is_terminal(self, state: State) -> bool: ...

    def returns(self, state: State) -> tuple[int, int]: ...

    def render(self, state: State) -> str: ...


def illegal_action(game: Game, state: State, action) -> ValueError:
    """The error every game raises for an illegal action (names it, lists the legal ones)."""
    legal = game.legal_actions(state)
    if not legal:
        return ValueError(f"action {action!r} is illegal: the game is over in this state")
    return ValueError(f"action {action!r} is illegal here; legal actions are {list(legal)}")


_GAME_METHODS = (
    "initial_state",
    "current_player",
    "legal_actions",
    "next_state",
    "is_terminal",
    "returns",
)  # render is for display: algorithms do not need it


def check_game(name: str, game) -> Game:
    """Raise a TypeError unless `game` follows the `Game` protocol; it names what is missing."""
    missing = [m for m in _GAME_METHODS if not callable(getattr(game, m, None))]
    if missing:
        raise TypeError(
            f"{name} must be a game following the game protocol (e.g. "
            f"mbrl_helpers.games.TicTacToe()); {type(game).__name__} lacks {', '.join(missing)}"
        )
    return game


def board_to_string(board: np.ndarray, footer: Sequence[str] = ()) -> str:
    """Text rows for a board of +1 (player 0, `X`), -1 (player 1, `O`) and 0 (empty, `.`)."""
    symbol = {1: "X", -1: "O", 0: "."}
    lines = [" ".join(symbol[int(v)] for v in row) for row in board]
    return "\n".join([*lines, *footer])


def parse_board(text: str, rows: int, cols: int) -> np.ndarray:
    """Read `X`, `O` and `.` (or `-`, `_`) cells, row by row, ignoring spaces, `|` and newlines."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string of X, O and . cells, got {type(text).__name__}")
    value = {"X": 1, "x": 1, "O": -1, "o": -1, ".": 0, "-": 0, "_": 0}
    cells = []
    for ch in text:
        if ch in value:
            cells.append(value[ch])
        elif not (ch.isspace() or ch == "|"):
            raise ValueError(f"text may only hold X, O and . cells, got {ch!r}")
    if len(cells) != rows * cols:
        raise ValueError(f"text must hold {rows * cols} cells ({rows}x{cols}), got {len(cells)}")
    board = np.array(cells, dtype=int).reshape(rows, cols)
    n_x, n_o = int((board == 1).sum()), int((board == -1).sum())
    if n_x not in (n_o, n_o + 1):
        raise ValueError(
            f"text must hold as many X as O, or one more (X moves first); got {n_x} X, {n_o} O"
        )
    return board
