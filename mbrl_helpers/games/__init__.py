"""Two-player, zero-sum, perfect-information games: tic-tac-toe, Connect Four, an exact solver.

The protocol (`Game`): `initial_state()`, `current_player(state)`, `legal_actions(state)`,
`next_state(state, action)`, `is_terminal(state)`, `returns(state)`, `render(state)`, with
immutable, hashable states. Players are callables `player(state) -> action`.

    >>> from mbrl_helpers import games
    >>> game = games.TicTacToe()
    >>> s = game.state_from_string("XX. / OO. / ...")
    >>> games.solve(game, s)
    (1, [2])
    >>> games.play(game, [games.perfect_player(game, 0), games.random_player(game, 1)])
    (1, -1)

Extras of both games: `random_playout(state, rng)` (a fast uniform random game to the end,
returning the returns), `encode(state)` (float32 planes from the view of the player to move),
`board(state)`, `state_from_string(text)`, and symmetries (`num_symmetries`,
`transform_state(state, k)`, `transform_action(action, k)`, `transform_policy(pi, k)`: the 8
symmetries of the square for tic-tac-toe, the mirror for Connect Four). Games know nothing of
agents or search.
"""

from mbrl_helpers.games._protocol import Game, Player, State, check_game
from mbrl_helpers.games.connect_four import ConnectFour
from mbrl_helpers.games.play import (
    MatchResult,
    Record,
    match,
    play,
    random_player,
    wilson_interval,
)
from mbrl_helpers.games.solver import perfect_player, positions_solved, solve
from mbrl_helpers.games.tictactoe import LINES, SYMMETRIES, TicTacToe

__all__ = [
    "LINES",
    "SYMMETRIES",
    "ConnectFour",
    "Game",
    "MatchResult",
    "Player",
    "Record",
    "State",
    "TicTacToe",
    "check_game",
    "match",
    "perfect_player",
    "play",
    "positions_solved",
    "random_player",
    "solve",
    "wilson_interval",
]
