"""Players and games between them: `random_player`, `play`, `match`.

A player is any callable `player(state) -> action`; a stochastic player owns its own seeded
generator, so a game between given players is reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mbrl_helpers.games._protocol import Game, Player, State, check_game
from mbrl_helpers.randomness import random_index
from mbrl_helpers.validation import check_int


def random_player(game: Game, seed: int = 0) -> Player:
    """A player that picks a legal action uniformly at random (seeded)."""
    check_game("game", game)
    rng = np.random.default_rng(seed)

    def player(state: State) -> int:
        legal = game.legal_actions(state)
        if not legal:
            raise ValueError("state must not be terminal: the game is over, there is no move")
        return legal[random_index(len(legal), rng=rng)]

    player.__name__ = "random"
    return player


def _check_players(players) -> tuple[Player, Player]:
    if not isinstance(players, Sequence) or len(players) != 2:
        raise TypeError("players must be a pair (player 0, player 1) of callables state -> action")
    for i, p in enumerate(players):
        if not callable(p):
            raise TypeError(
                f"players[{i}] must be callable state -> action, got {type(p).__name__}"
            )
    return players[0], players[1]


def play(game: Game, players: Sequence[Player], *, state: State | None = None) -> tuple[int, int]:
    """Play one game, `players[0]` as `X` (player 0); return its returns `(G_0, G_1)`.

    Starts from `state` (the initial state by default). Randomness lives in the players, each of
    which owns a seeded generator, so the same players give the same game.
    """
    check_game("game", game)
    _check_players(players)
    if state is None:
        state = game.initial_state()
    while not game.is_terminal(state):
        action = players[game.current_player(state)](state)
        state = game.next_state(state, action)  # an illegal action raises, naming it
    return game.returns(state)


@dataclass(frozen=True)
class Record:
    """Wins, draws and losses of one player."""

    wins: int = 0
    draws: int = 0
    losses: int = 0

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses

    def __str__(self) -> str:
        return f"{self.wins} W / {self.draws} D / {self.losses} L"


@dataclass(frozen=True)
class MatchResult:
    """The results of `match`, from the view of the first player passed (`player_a`)."""

    as_first: Record
    as_second: Record

    @property
    def total(self) -> Record:
        a, b = self.as_first, self.as_second
        return Record(a.wins + b.wins, a.draws + b.draws, a.losses + b.losses)

    def __str__(self) -> str:
        return f"as X: {self.as_first}; as O: {self.as_second}; total: {self.total}"


def match(game: Game, player_a: Player, player_b: Player, n_games: int = 100) -> MatchResult:
    """Play `n_games` games, `player_a` moving first in the even-numbered ones (0, 2, ...).

    Returns wins, draws and losses of `player_a`, separately for each side it played.
    """
    check_game("game", game)
    _check_players((player_a, player_b))
    n_games = check_int("n_games", n_games, low=1)
    counts = [[0, 0, 0], [0, 0, 0]]  # [side][win, draw, loss]
    for i in range(n_games):
        side = i % 2  # the seat of player_a: 0 = X, 1 = O
        players = (player_a, player_b) if side == 0 else (player_b, player_a)
        g = play(game, players)[side]
        counts[side][0 if g > 0 else 1 if g == 0 else 2] += 1
    return MatchResult(Record(*counts[0]), Record(*counts[1]))
