"""An exact solver: memoised negamax over every position reachable from a state.

    V(s) = G_p(s)                       if s is terminal (p = the player to move in s)
    V(s) = max_a  -V(next_state(s, a))  otherwise

Values are from the view of the player to move (+1 win, 0 draw, -1 loss), so the opponent's
value is the negation (zero-sum). Tic-tac-toe has 5,478 positions reachable from the empty
board; the first call visits them all (about 0.1 s), later calls are dictionary look-ups.
Exhaustive: practical for tic-tac-toe and Connect Four on tiny boards, not on 6x7.
Sutton & Barto section 1.5 (tic-tac-toe), and the minimax backups of section 8.11.
"""

from __future__ import annotations

import sys

import numpy as np

from mbrl_helpers.games._protocol import Game, Player, State, check_game
from mbrl_helpers.randomness import random_index

_TABLES: dict[Game, dict[State, int]] = {}


def _value(game: Game, state: State, table: dict[State, int]) -> int:
    value = table.get(state)
    if value is not None:
        return value
    if game.is_terminal(state):
        value = game.returns(state)[game.current_player(state)]
    else:
        value = max(
            -_value(game, game.next_state(state, a), table) for a in game.legal_actions(state)
        )
    table[state] = value
    return value


def solve(game: Game, state: State) -> tuple[int, list[int]]:
    """Return `(value, optimal_actions)` of `state` for the player to move.

    `value` is +1 (a forced win), 0 (a draw with best play on both sides) or -1 (a forced loss);
    `optimal_actions` lists, in increasing order, every action that keeps that value (empty for a
    terminal state).
    """
    check_game("game", game)
    table = _TABLES.setdefault(game, {})
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        value = _value(game, state, table)
        optimal = [
            a
            for a in game.legal_actions(state)
            if -_value(game, game.next_state(state, a), table) == value
        ]
    finally:
        sys.setrecursionlimit(limit)
    return value, optimal


def positions_solved(game: Game) -> int:
    """How many positions of `game` the solver has stored so far (5,478 for all of tic-tac-toe)."""
    return len(_TABLES.get(game, {}))


def perfect_player(game: Game, seed: int = 0) -> Player:
    """A player that plays an optimal action of `solve`, chosen uniformly at random (seeded)."""
    check_game("game", game)
    rng = np.random.default_rng(seed)

    def player(state: State) -> int:
        _, optimal = solve(game, state)
        if not optimal:
            raise ValueError("state must not be terminal: the game is over, there is no move")
        return optimal[random_index(len(optimal), rng=rng)]

    player.__name__ = "perfect"
    return player
