"""Self-play with the latent search: many games at once, one network call per simulation for all.

Every move of every game is chosen by a search *inside the learned model* (`mcts.search_batch`
with `NetworkModel`): the game's rules are used to play the chosen move for real and to mask
the illegal moves at the root, never inside the tree. The games advance in lockstep: at each
move, the searches of all unfinished games run together, so the network evaluates a batch of
leaves (one per game) instead of one leaf at a time, which is what makes numpy fast enough.

Moves: uniformly random for the first `random_moves` moves of a game (so every opening is met),
then drawn from the visit counts at temperature 1 up to move `temperature_moves`, then the most
visited move; Dirichlet noise at every root. A single-agent task may start each episode in a
random cell (`exploring_starts`, Sutton & Barto section 5.3) and is cut off after `max_moves`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mbrl_helpers import alphazero, mcts
from mbrl_helpers import validation as v_
from mbrl_helpers.alphazero import sample_move
from mbrl_helpers.muzero.network import MuZeroNet
from mbrl_helpers.muzero.player import (
    NetworkModel,
    encode,
    is_two_player,
    puct_normalised,
)
from mbrl_helpers.muzero.targets import Trajectory
from mbrl_helpers.randomness import random_index

SELECTION_RULES = {
    **alphazero.RULES,  # "puct" (AlphaZero's, on raw Q) and "notes" (the lecture notes' rule)
    "normalised": puct_normalised,  # PUCT on min-max normalised Q, unvisited children 0 (MuZero)
}
"""The selection rules self-play can use, by name: AlphaZero's, and MuZero's normalised PUCT."""


@dataclass(frozen=True)
class SelfPlayConfig(alphazero.SelfPlayConfig):
    """How self-play searches and chooses moves: AlphaZero's settings (`alphazero.SelfPlayConfig`:
    `c_puct`, `dirichlet_alpha`, `noise_fraction`, `temperature_moves`, `random_moves`, `rule`),
    searched in the learned model with fewer simulations, one more rule (`"normalised"`), and a
    single agent's episodes."""

    n_simulations: int = 25  # simulations per move, in the learned model
    max_moves: int = 100  # a single-agent episode is cut off after this many moves
    exploring_starts: bool = True  # a single-agent episode starts in a random cell

    def __post_init__(self):
        super().__post_init__()  # AlphaZero's checks, with MuZero's rules (`rules`)
        v_.check_int("max_moves", self.max_moves, low=1)
        if not isinstance(self.exploring_starts, bool):
            raise TypeError(
                f"exploring_starts must be True or False, got {self.exploring_starts!r}"
            )

    @staticmethod
    def rules() -> dict:
        """AlphaZero's rules and MuZero's normalised PUCT."""
        return SELECTION_RULES


def move_reward(game, state, action, next_state) -> float:
    """u: the reward of a move for the player who made it.

    A task with rewards says it (`game.reward`); in a two-player game it is 1 for the move that
    wins (the game ends and its mover has a positive return), 0 for every other move.
    """
    reward = getattr(game, "reward", None)
    if reward is not None:
        return float(reward(state, action, next_state))
    if game.is_terminal(next_state) and game.returns(next_state)[game.current_player(state)] > 0:
        return 1.0
    return 0.0


def self_play(
    game, net: MuZeroNet, n_games: int, config: SelfPlayConfig, *, rng: np.random.Generator
) -> list[Trajectory]:
    """Play `n_games` games (episodes) of the latent search against itself, in lockstep."""
    n_games = v_.check_int("n_games", n_games, low=1)
    v_.check_rng("rng", rng)
    model = NetworkModel(game, net)
    A = game.num_actions
    single = not is_two_player(game)
    states = [
        game.random_state(rng=rng) if single and config.exploring_starts else game.initial_state()
        for _ in range(n_games)
    ]
    logs = [{"obs": [], "actions": [], "rewards": [], "policies": [], "values": []} for _ in states]
    noise = (config.dirichlet_alpha, config.noise_fraction)
    active = [i for i in range(n_games) if not game.is_terminal(states[i])]
    while active:
        results = mcts.search_batch(
            game,
            [states[i] for i in active],
            model,
            n_simulations=config.n_simulations,
            rng=rng,
            select=config.select,
            c=config.c_puct,
            root_noise=noise,
        )
        for i, result in zip(active, results, strict=True):
            s, log = states[i], logs[i]
            t = len(log["actions"])
            pi = np.zeros(A)
            pi[result.actions] = result.N / result.N.sum()
            if t < config.random_moves:
                legal = game.legal_actions(s)
                a = legal[random_index(len(legal), rng=rng)]
            else:
                a = sample_move(result, 1.0 if t < config.temperature_moves else 0.0, rng=rng)
            s_next = game.next_state(s, a)  # the real move, with the real rules
            log["obs"].append(encode(game, s))
            log["actions"].append(a)
            log["rewards"].append(move_reward(game, s, a, s_next))
            log["policies"].append(pi)
            log["values"].append(result.value)
            states[i] = s_next
        active = [
            i
            for i in active
            if not game.is_terminal(states[i]) and len(logs[i]["actions"]) < config.max_moves
        ]
    # Episodes cut off by the step limit bootstrap from the network's value of their last state.
    cut = [i for i in range(n_games) if not game.is_terminal(states[i])]
    final_values = dict.fromkeys(range(n_games), 0.0)
    if cut:
        _, _, v = model.initial([states[i] for i in cut])
        final_values.update(zip(cut, np.asarray(v, dtype=float).tolist(), strict=True))
    trajectories = []
    for i, log in enumerate(logs):
        if not log["actions"]:
            continue
        trajectories.append(
            Trajectory(
                observations=np.stack([*log["obs"], encode(game, states[i])]),
                actions=np.array(log["actions"], dtype=int),
                rewards=np.array(log["rewards"], dtype=float),
                policies=np.array(log["policies"]),
                root_values=np.array(log["values"], dtype=float),
                terminated=bool(game.is_terminal(states[i])),
                final_value=final_values[i],
            )
        )
    return trajectories
