"""Players and games between them: `random_player`, `play`, `match`, and `wilson_interval`.

A player is any callable `player(state) -> action`; a stochastic player owns its own seeded
generator, so a game between given players is reproducible. `wilson_interval` gives the
uncertainty of a rate measured over a number of games (losses in 200 games, ...).
"""

from __future__ import annotations

import math
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


def wilson_interval(k: int, n: int, *, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a rate k / n (95% for z = 1.96): `(low, high)`.

    For k successes (losses, wins, searches that found a move) in n independent trials::

        (p + z^2 / 2n -+ z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n),   p = k / n

    Unlike p -+ z sqrt(p (1 - p) / n) it stays inside [0, 1] and is not empty at k = 0 or k = n
    (0 losses in 200 games: 0 to 1.9%). Wilson (1927); Brown, Cai and DasGupta (2001).
    """
    n = check_int("n", n, low=1)
    k = check_int("k", k, low=0, high=n)
    if not (isinstance(z, int | float) and z > 0):
        raise ValueError(f"z must be a positive number, got {z!r}")
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    low = 0.0 if k == 0 else (centre - half) / denominator
    high = 1.0 if k == n else (centre + half) / denominator
    return low, high
