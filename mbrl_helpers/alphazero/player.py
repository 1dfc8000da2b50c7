"""Playing with a trained network: `AlphaZeroPlayer`, and an exact test against perfect play."""

from __future__ import annotations

import numpy as np

from mbrl_helpers import mcts
from mbrl_helpers import validation as v_
from mbrl_helpers.alphazero.network import PolicyValueNet
from mbrl_helpers.alphazero.rules import C_PUCT, puct
from mbrl_helpers.alphazero.selfplay import network_evaluator
from mbrl_helpers.games import solve
from mbrl_helpers.randomness import argmax_random


class AlphaZeroPlayer:
    """A player `state -> action`: MCTS guided by the network, or the raw network alone.

    With `n_simulations > 0`: `mcts.search` with the network as leaf evaluator (priors
    pi_theta, value V_theta, no rollouts) and the PUCT rule, then the most visited move; no root
    noise and no temperature (those are for self-play). With `n_simulations = 0`: the network
    alone, greedy on its policy, argmax_a pi_theta(a|s) (ties at random), no search at all.

    The player keeps a copy of the network as it is when the player is made (later training
    does not change it), and caches the network's outputs per position in `cache` (a new dict by
    default; players of the same weights may share one).
    """

    def __init__(
        self,
        game,
        net: PolicyValueNet,
        n_simulations: int = 50,
        *,
        c_puct: float = C_PUCT,
        seed: int = 0,
        cache: dict | None = None,
    ):
        if not isinstance(net, PolicyValueNet):
            raise TypeError(f"net must be a PolicyValueNet, got {type(net).__name__}")
        if net.n_actions != game.num_actions:
            raise ValueError(
                f"net must have one policy output per action of the game ({game.num_actions}), "
                f"got {net.n_actions}"
            )
        self.game = game
        self.net = net.copy()
        self.n_simulations = v_.check_int("n_simulations", n_simulations, low=0)
        self.c_puct = v_.check_float("c_puct", c_puct, low=0.0)
        self.seed = v_.check_int("seed", seed, low=0)
        self.rng = np.random.default_rng(self.seed)
        self.evaluate = network_evaluator(game, self.net, cache)
        self.last_result: mcts.SearchResult | None = None

    def __call__(self, state):
        if self.n_simulations == 0:
            priors, _ = self.evaluate(state)
            best = argmax_random(list(priors), rng=self.rng)
            return self.game.legal_actions(state)[best]
        self.last_result = mcts.search(
            self.game,
            state,
            self.evaluate,
            n_simulations=self.n_simulations,
            rng=self.rng,
            select=puct,
            c=self.c_puct,
        )
        return self.last_result.best_action(rng=self.rng)

    def __repr__(self) -> str:
        return (
            f"AlphaZeroPlayer({self.game!r}, net, n_simulations={self.n_simulations}, "
            f"c_puct={self.c_puct}, seed={self.seed})"
        )


def loss_rates(game, player, opponent: str = "perfect") -> tuple[float, float]:
    """Exact probability that `player` loses to a fixed opponent, playing first and second.

    `opponent` is "perfect" (`games.perfect_player`: uniformly among the optimal moves of the
    exact solver) or "random" (uniformly among the legal moves). Instead of sampling games we
    follow every choice of the opponent and weight it, so the figure has no sampling noise. `player` is asked once per position (its answer is memoised),
    so a stochastic player is judged on one draw of its choices. Needs a game the solver can
    handle (tic-tac-toe).
    """
    if opponent not in ("perfect", "random"):
        raise ValueError(f'opponent must be "perfect" or "random", got {opponent!r}')
    perfect = opponent == "perfect"
    memo: dict = {}

    def move(s):
        a = memo.get(s)
        if a is None:
            a = memo[s] = player(s)
        return a

    rates = []
    for me in (0, 1):
        loss: dict = {}

        def p_loss(s, me=me, loss=loss):
            out = loss.get(s)
            if out is None:
                if game.is_terminal(s):
                    out = 1.0 if game.returns(s)[me] < 0 else 0.0
                elif game.current_player(s) == me:
                    out = p_loss(game.next_state(s, move(s)))
                else:
                    replies = solve(game, s)[1] if perfect else game.legal_actions(s)
                    out = sum(p_loss(game.next_state(s, a)) for a in replies) / len(replies)
                loss[s] = out
            return out

        rates.append(p_loss(game.initial_state()))
    return rates[0], rates[1]
