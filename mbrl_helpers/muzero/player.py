"""Planning in the learned model: the network as `mcts.LearnedModel`, `MuZeroPlayer`, exact loss rates."""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers import mcts
from mbrl_helpers import validation as v_
from mbrl_helpers.alphazero import C_PUCT, puct
from mbrl_helpers.alphazero.rules import select_by_prior
from mbrl_helpers.games import check_game, solve
from mbrl_helpers.muzero._blas import single_threaded_blas
from mbrl_helpers.muzero.network import MuZeroNet
from mbrl_helpers.randomness import random_index


def encode(game, state) -> np.ndarray:
    """The observation o fed to the representation h: the game's `encode(state)`, flattened."""
    return np.asarray(game.encode(state), dtype=np.float32).ravel()


def is_two_player(game) -> bool:
    """True for a two-player game (the default), False for a task with `num_players = 1`."""
    return getattr(game, "num_players", 2) == 2


def task_discount(game) -> float:
    """gamma: the task's `discount` for a single agent, 1 for a two-player game."""
    return float(getattr(game, "discount", 1.0)) if not is_two_player(game) else 1.0


class NetworkModel:
    """The network as the `mcts.LearnedModel` a search plans in.

    `initial(states)`: h on the encoded true states (the roots: the only place where the game is
    seen), then f. `recurrent(latents, actions)`: g, then f. A batch of one row is computed as a
    batch of two (the row twice), because BLAS takes another code path for a single row whose
    last bits can differ: this way a position gets the same numbers whether it is searched
    alone or in lockstep with others.
    """

    def __init__(self, game, net: MuZeroNet):
        if not isinstance(net, MuZeroNet):
            raise TypeError(f"net must be a MuZeroNet, got {type(net).__name__}")
        if net.n_actions != game.num_actions:
            raise ValueError(
                f"net must have one policy output per action of the game ({game.num_actions}), "
                f"got {net.n_actions}"
            )
        self.game = game
        self.net = net
        self.num_actions = net.n_actions
        self.two_player = is_two_player(game)
        self.discount = task_discount(game)

    def initial(self, states):
        obs = np.stack([encode(self.game, s) for s in states])
        if len(obs) == 1:
            s, p, v = self.net.initial_inference(np.concatenate([obs, obs]))
            return s[:1], p[:1], v[:1]
        return self.net.initial_inference(obs)

    def recurrent(self, latents, actions):
        latents = np.asarray(latents)
        actions = np.asarray(actions)
        if len(latents) == 1:
            out = self.net.recurrent_inference(
                np.concatenate([latents, latents]), np.concatenate([actions, actions])
            )
            return tuple(x[:1] for x in out)
        return self.net.recurrent_inference(latents, actions)


def normalised_puct_scores(Q, N, P, c_puct: float, q_min: float, q_max: float) -> np.ndarray:
    """PUCT scores on min-max normalised Q, for every child a of a node s:

        Q_bar(s,a) + c_puct P(s,a) sqrt(N(s)) / (1 + N(s,a)),   N(s) = 1 + sum_b N(s,b)
        Q_bar(s,a) = (Q(s,a) - q_min) / (q_max - q_min)   for a visited child (N(s,a) > 0)
                   = 0                                     for an unvisited child

    `q_min` and `q_max` are the smallest and largest Q seen in the *whole tree*, not among
    these children; while q_max <= q_min (nothing to compare yet) Q is used as it is.
    """
    Q, N, P = (np.asarray(x, dtype=float) for x in (Q, N, P))
    if q_max > q_min:
        Q_bar = np.where(N > 0, (Q - q_min) / (q_max - q_min), 0.0)
    else:
        Q_bar = np.where(N > 0, Q, 0.0)
    return Q_bar + c_puct * P * np.sqrt(1.0 + N.sum()) / (1.0 + N)


def puct_normalised(node, c: float, *, rng: np.random.Generator):
    """PUCT on Q normalised by the tree's bounds: Q_bar + c P sqrt(N(s)) / (1 + N(s,a)), random ties.

    Q_bar = (Q - min) / (max - min) with the smallest and largest Q backed up anywhere in the tree
    (`node.bounds`, an `mcts.MinMaxStats`), so Q_bar lies in [0, 1] whatever the scale of the
    rewards; an unvisited child scores Q_bar = 0, the worst value seen (MuZero's pseudocode).
    The same scores as `normalised_puct_scores`, in a plain loop. For trees searched in a
    learned model (`mcts.LatentNode`).
    """
    bounds = node.bounds
    low, high = bounds.low, bounds.high
    if high <= low:  # nothing to compare yet: Q as it is
        low, high = 0.0, 1.0
    return select_by_prior(
        node.children, c * math.sqrt(node.N), 1.0, rng=rng, low=low, scale=1.0 / (high - low)
    )


def _position_key(state) -> int:
    # Python hashes ints and tuples of ints the same way in every run (no hash randomisation)
    return hash(state) & 0xFFFFFFFFFFFFFFFF


class MuZeroPlayer:
    """A player `state -> action` that plans in the learned model, or the prediction network alone.

    With `n_simulations > 0`: `mcts.search` inside the model (`NetworkModel`) with the PUCT rule,
    then the most visited move; the game is consulted only at the root, to mask the illegal
    moves. With `n_simulations = 0`: the prediction f(h(o)) alone, greedy on its policy over the
    legal moves (ties at random). No root noise, no temperature (those are for self-play).

    Each search draws its randomness from a generator seeded by `seed` and the position, so the
    move in a position does not depend on the games played before, nor on whether the position
    is searched alone (`__call__`) or with others (`choose_many`, used by `loss_rates`). The
    player keeps a copy of the network as it is when the player is made.
    """

    def __init__(
        self,
        game,
        net: MuZeroNet,
        n_simulations: int = 50,
        *,
        c_puct: float = C_PUCT,
        seed: int = 0,
        select=puct,
    ):
        self.game = check_game("game", game)
        self.net = net.copy() if isinstance(net, MuZeroNet) else net
        self.model = NetworkModel(game, self.net)
        self.n_simulations = v_.check_int("n_simulations", n_simulations, low=0)
        self.c_puct = v_.check_float("c_puct", c_puct, low=0.0)
        self.seed = v_.check_int("seed", seed, low=0)
        if not callable(select):
            raise TypeError(
                f"select must be a selection rule (node, c, *, rng) -> child, got {select!r}"
            )
        self.select = select
        self.last_result: mcts.SearchResult | None = None

    def _rng(self, state) -> np.random.Generator:
        return np.random.default_rng((self.seed, _position_key(state)))

    def __call__(self, state):
        return self.choose_many([state])[0]

    def search(self, states) -> list[mcts.SearchResult]:
        """The searches of `states` in the learned model (lockstep), one result per state."""
        with single_threaded_blas():
            return mcts.search_batch(
                self.game,
                states,
                self.model,
                n_simulations=self.n_simulations,
                rng=[self._rng(s) for s in states],
                select=self.select,
                c=self.c_puct,
            )

    def choose_many(self, states) -> list:
        """The moves in several positions at once (one network call per simulation for all)."""
        states = list(states)
        if self.n_simulations == 0:
            with single_threaded_blas():
                _, priors, _ = self.model.initial(states)
            moves = []
            for s, p in zip(states, priors, strict=True):
                legal = self.game.legal_actions(s)
                if not legal:
                    raise ValueError("state must not be terminal: there is no move to choose")
                scores = np.array([p[a] for a in legal])
                best = np.flatnonzero(scores == scores.max())
                moves.append(legal[int(best[random_index(len(best), rng=self._rng(s))])])
            return moves
        results = self.search(states)
        self.last_result = results[-1]
        return [r.best_action(rng=self._rng(s)) for r, s in zip(results, states, strict=True)]

    def __repr__(self) -> str:
        return (
            f"MuZeroPlayer({self.game!r}, net, n_simulations={self.n_simulations}, "
            f"c_puct={self.c_puct}, seed={self.seed})"
        )


def loss_rates(game, player, opponent: str = "perfect") -> tuple[float, float]:
    """Exact probability that `player` loses to the perfect (or a random) player, as X and as O.

    The same number as `alphazero.loss_rates` (every choice of the opponent followed and
    weighted), but the positions where `player` moves are visited level by level and decided
    together with `player.choose_many(states)`, so that one network call per simulation serves
    all the searches of a level. `player` must answer a position the same way whether asked
    alone or with others (`MuZeroPlayer` does).
    """
    check_game("game", game)
    if opponent not in ("perfect", "random"):
        raise ValueError(f'opponent must be "perfect" or "random", got {opponent!r}')
    if not callable(getattr(player, "choose_many", None)):
        raise TypeError("player must have choose_many(states) -> moves (e.g. a MuZeroPlayer)")
    perfect = opponent == "perfect"
    replies_memo: dict = {}

    def replies(s):  # the opponent's choices: the solver's optimal moves, or every legal move
        out = replies_memo.get(s)
        if out is None:
            out = replies_memo[s] = solve(game, s)[1] if perfect else game.legal_actions(s)
        return out

    rates = []
    for me in (0, 1):
        # Forward, level by level: the positions reachable against the opponent, my moves in them.
        move: dict = {}
        level = {game.initial_state()}
        while level:
            mine = [s for s in level if not game.is_terminal(s) and game.current_player(s) == me]
            mine.sort(key=_position_key)  # a fixed order for a reproducible batch
            for s, a in zip(mine, player.choose_many(mine) if mine else [], strict=True):
                move[s] = a
            nxt = set()
            for s in level:
                if game.is_terminal(s):
                    continue
                if game.current_player(s) == me:
                    nxt.add(game.next_state(s, move[s]))
                else:
                    nxt.update(game.next_state(s, a) for a in replies(s))
            level = nxt
        # Backward: the exact probability of a loss, memoised per position.
        loss: dict = {}

        def p_loss(s, me=me, loss=loss, move=move):
            out = loss.get(s)
            if out is None:
                if game.is_terminal(s):
                    out = 1.0 if game.returns(s)[me] < 0 else 0.0
                elif game.current_player(s) == me:
                    out = p_loss(game.next_state(s, move[s]))
                else:
                    options = replies(s)
                    out = sum(p_loss(game.next_state(s, a)) for a in options) / len(options)
                loss[s] = out
            return out

        rates.append(p_loss(game.initial_state()))
    return rates[0], rates[1]
