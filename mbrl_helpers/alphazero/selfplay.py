"""Self-play: the search plays against itself; every position becomes a training example.

For each position s_t of a finished game the example is (s_t, pi_t, z_t):

    pi_t(a) = N(s_t, a) / sum_b N(s_t, b)       the search's visit distribution (policy teacher)
    z_t     = G_{p_t}                            the final outcome from the view of the player
                                                 p_t to move at s_t (value teacher)

so z flips sign between consecutive positions of an alternating game. Each example is then
multiplied by the board's symmetries (8 for tic-tac-toe): a rotated position has the rotated
policy and the same value.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np

from mbrl_helpers import mcts
from mbrl_helpers import validation as v_
from mbrl_helpers.alphazero.network import PolicyValueNet
from mbrl_helpers.alphazero.rules import C_PUCT, puct, puct_notes, sample_move
from mbrl_helpers.randomness import random_index


def legal_mask(game, state) -> np.ndarray:
    """A boolean vector over all `game.num_actions` moves, True on the legal ones."""
    mask = np.zeros(game.num_actions, dtype=bool)
    mask[list(game.legal_actions(state))] = True
    return mask


def encode(game, state) -> np.ndarray:
    """The network input: the game's `encode(state)` planes, flattened to a float vector."""
    return np.asarray(game.encode(state), dtype=float).ravel()


def network_evaluator(
    game, net: PolicyValueNet, cache: dict | None = None
) -> Callable[[Hashable], tuple[list[float], float]]:
    """`mcts` leaf evaluator `evaluate(state) -> (priors, value)` backed by the network.

    priors = pi_theta(.|s) on the legal actions (aligned with `game.legal_actions(state)`),
    value = V_theta(s) from the view of the player to move. Outputs are cached per state in
    `cache` (a new dict by default), valid as long as the weights do not change: a self-play
    iteration meets the same positions again and again, so most evaluations become look-ups.
    """
    if not isinstance(net, PolicyValueNet):
        raise TypeError(f"net must be a PolicyValueNet, got {type(net).__name__}")
    cache = {} if cache is None else cache
    legal_actions = game.legal_actions
    predict = net.predict_legal

    def evaluate(state):
        out = cache.get(state)
        if out is None:
            out = cache[state] = predict(encode(game, state), list(legal_actions(state)))
        return out

    evaluate.cache = cache
    return evaluate


def training_targets(game, states, visit_counts, final_returns) -> list[tuple]:
    """The examples (s_t, pi_t, z_t) of one finished game, as in the module docstring.

    `visit_counts[t]` holds N(s_t, a) for every one of `game.num_actions` moves (0 for the moves
    not searched or illegal); `final_returns` is `game.returns` of the final state.
    """
    if len(states) != len(visit_counts):
        raise ValueError(
            f"states and visit_counts must have one entry per position, got {len(states)} "
            f"and {len(visit_counts)}"
        )
    if len(final_returns) != 2:
        raise ValueError(f"final_returns must be a pair (G_0, G_1), got {final_returns!r}")
    examples = []
    for s, N in zip(states, visit_counts, strict=True):
        N = np.asarray(N, dtype=float)
        if N.shape != (game.num_actions,) or N.sum() <= 0:
            raise ValueError(
                f"visit_counts must be vectors of {game.num_actions} counts with a positive "
                f"sum, got {N}"
            )
        z = float(final_returns[game.current_player(s)])  # the outcome for the player to move
        examples.append((s, N / N.sum(), z))
    return examples


def augment(game, examples) -> list[tuple]:
    """Every example under every board symmetry (s, pi, z) -> (g s, g pi, z), identity first."""
    k_max = getattr(game, "num_symmetries", 1)
    if k_max == 1:
        return list(examples)
    return [
        (game.transform_state(s, k), game.transform_policy(pi, k), z)
        for s, pi, z in examples
        for k in range(k_max)
    ]


RULES = {"puct": puct, "notes": puct_notes}
"""Selection rules self-play can use, by name: AlphaZero's PUCT, and the lecture notes' rule."""


@dataclass(frozen=True)
class SelfPlayConfig:
    """How self-play searches and picks moves (defaults tuned for tic-tac-toe)."""

    n_simulations: int = 60  # PUCT simulations per move
    c_puct: float = C_PUCT  # exploration constant of the PUCT rule
    dirichlet_alpha: float = 1.0  # root noise Dir(alpha): about 10 / typical number of legal moves
    noise_fraction: float = 0.25  # root priors <- (1 - fraction) P + fraction * noise
    temperature_moves: int = 4  # tau = 1 for this many moves of each game, then tau = 0
    random_moves: int = 1  # the first random_moves moves of a game are uniform (all openings)
    rule: str = "puct"  # selection in the tree: "puct" (AlphaZero's) or "notes" (Q + c P / (N + 1))

    def __post_init__(self):
        v_.check_int("n_simulations", self.n_simulations, low=1)
        v_.check_float("c_puct", self.c_puct, low=0.0)
        v_.check_float("dirichlet_alpha", self.dirichlet_alpha, low=0.0, low_open=True)
        v_.check_probability("noise_fraction", self.noise_fraction)
        v_.check_int("temperature_moves", self.temperature_moves, low=0)
        v_.check_int("random_moves", self.random_moves, low=0)
        if self.rule not in self.rules():
            raise ValueError(f"rule must be one of {sorted(self.rules())}, got {self.rule!r}")

    @staticmethod
    def rules() -> dict:
        """The selection rules `rule` may name (a subclass may offer more)."""
        return RULES

    @property
    def select(self):
        """The `mcts` selection rule named by `rule`."""
        return self.rules()[self.rule]


def self_play_game(game, evaluate, *, rng: np.random.Generator, config: SelfPlayConfig):
    """Play one game of the search against itself; return its examples (before augmentation).

    At every move: a search from the current state (`config.n_simulations` simulations of
    `config.rule` with `config.c_puct`) with Dirichlet noise at the root only, N(s, .) stored,
    then the move: uniformly random for the first `config.random_moves` moves (diverse
    openings), then drawn from the visits at temperature tau = 1 up to move
    `config.temperature_moves`, then the most visited (tau -> 0).
    """
    v_.check_rng("rng", rng)
    state = game.initial_state()
    states, counts = [], []
    while not game.is_terminal(state):
        result = mcts.search(
            game,
            state,
            evaluate,
            n_simulations=config.n_simulations,
            rng=rng,
            select=config.select,
            c=config.c_puct,
            root_noise=(config.dirichlet_alpha, config.noise_fraction),
        )
        N = np.zeros(game.num_actions)
        N[result.actions] = result.N
        states.append(state)
        counts.append(N)
        if len(states) <= config.random_moves:
            legal = game.legal_actions(state)
            action = legal[random_index(len(legal), rng=rng)]
        else:
            tau = 1.0 if len(states) <= config.temperature_moves else 0.0
            action = sample_move(result, tau, rng=rng)
        state = game.next_state(state, action)
    return training_targets(game, states, counts, game.returns(state))
