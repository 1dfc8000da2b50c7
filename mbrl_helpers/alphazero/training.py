"""`train`: AlphaZero's loop of self-play and gradient steps, with a history of its progress.

    repeat n_iterations times:
        with theta fixed, play games_per_iteration self-play games (MCTS + network evaluator)
        add their examples (s, pi, z), times the board's symmetries, to a replay window
        take n_gradient_steps Adam steps (`train_step`) on minibatches of the loss
            (z - v)^2 - pi^T log p + c ||theta||^2
        measure: the losses, and how often each player loses to the perfect player (and the
        network alone to a random one)

Planning ahead of acting: the search's improved decisions are amortised into the network, which
then guides the next round of search (Silver et al., 2017; Sutton & Barto section 16.6).

Which AlphaZero this is. The loop mixes the two papers: like AlphaGo Zero (2017) it stores every
example under the board's symmetries (`symmetries=True`; AlphaZero, 2018, dropped augmentation)
and keeps c_puct constant; like AlphaZero it updates one network continually, with no
evaluation match gating a new network (AlphaGo Zero kept the best network so far and replaced it
only when a new one won 55% of a 400-game match), and its targets z include draws (0).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from mbrl_helpers import validation as v_
from mbrl_helpers.alphazero.network import LossParts, PolicyValueNet
from mbrl_helpers.alphazero.player import AlphaZeroPlayer, loss_rates
from mbrl_helpers.alphazero.rules import C_PUCT
from mbrl_helpers.alphazero.selfplay import (
    SelfPlayConfig,
    augment,
    encode,
    legal_mask,
    network_evaluator,
    self_play_game,
)
from mbrl_helpers.games import TicTacToe, check_game
from mbrl_helpers.models.nets import Adam
from mbrl_helpers.randomness import draw_seed, random_indices, spawn_rngs


@dataclass
class History:
    """Per-iteration records of `train` (lists, one entry per iteration)."""

    value_loss: list[float] = field(default_factory=list)  # mean (z - v)^2, last minibatches
    policy_loss: list[float] = field(default_factory=list)  # mean -pi^T log p
    positions: list[int] = field(default_factory=list)  # self-play positions so far (no symmetries)
    seconds: list[float] = field(default_factory=list)  # wall-clock so far, without evaluation
    # CPU time of this process so far, without evaluation (unlike wall-clock time, it does not
    # grow when other programs share the machine)
    cpu_seconds: list[float] = field(default_factory=list)
    # exact probability of losing to the perfect player, as first / second player (NaN if no solver)
    raw_loss_first: list[float] = field(default_factory=list)
    raw_loss_second: list[float] = field(default_factory=list)
    search_loss_first: list[float] = field(default_factory=list)
    search_loss_second: list[float] = field(default_factory=list)
    # exact probability that the network alone loses to a uniformly random player
    raw_loss_random_first: list[float] = field(default_factory=list)
    raw_loss_random_second: list[float] = field(default_factory=list)

    @property
    def n_iterations(self) -> int:
        return len(self.value_loss)

    def unbeaten(self) -> np.ndarray:
        """Per iteration: did both players (raw and search) never lose to the perfect player?

        (A random player can still beat the raw network in positions that perfect play never
        reaches: see `raw_loss_random_first` and `raw_loss_random_second`.)
        """
        rates = np.array(
            [self.raw_loss_first, self.raw_loss_second, self.search_loss_first,
             self.search_loss_second]
        )  # fmt: skip
        return np.all(rates == 0.0, axis=0)

    def record_strength(self, raw, raw_random, searched) -> None:
        """Append one evaluation: `(first, second)` loss rates of the raw network against the
        perfect player and against a random one, and of the search against the perfect player."""
        self.raw_loss_first.append(raw[0])
        self.raw_loss_second.append(raw[1])
        self.raw_loss_random_first.append(raw_random[0])
        self.raw_loss_random_second.append(raw_random[1])
        self.search_loss_first.append(searched[0])
        self.search_loss_second.append(searched[1])

    def unbeaten_from(self) -> int | None:
        """The first iteration (0-based) from which `unbeaten()` holds to the end, or None."""
        unbeaten = self.unbeaten()
        if unbeaten.size == 0 or not unbeaten[-1]:
            return None
        bad = np.flatnonzero(~unbeaten)
        return 0 if bad.size == 0 else int(bad[-1] + 1)


def _default_game_is_solvable(game) -> bool:
    return isinstance(game, TicTacToe)


class ConfigWithSelfPlay:
    """`replace` for a frozen training config with a nested `self_play` config (AlphaZero's
    `TrainConfig`, MuZero's `MuZeroConfig`): settings of either may be given by name."""

    def replace(self, **settings):
        """A copy with some settings changed; self-play's may be given by name too
        (`config.replace(n_simulations=25, lr=1e-2)`)."""
        own = {f.name for f in dataclasses.fields(self)}
        play = {f.name for f in dataclasses.fields(self.self_play)}
        unknown = sorted(set(settings) - own - play)
        if unknown:
            raise TypeError(
                f"unknown setting(s) {', '.join(unknown)}; {type(self).__name__} has "
                f"{', '.join(sorted(own))} and {type(self.self_play).__name__} has "
                f"{', '.join(sorted(play))}"
            )
        self_play = dataclasses.replace(
            settings.pop("self_play", self.self_play),
            **{k: settings.pop(k) for k in list(settings) if k in play},
        )
        return dataclasses.replace(self, self_play=self_play, **settings)


@dataclass(frozen=True)
class TrainConfig(ConfigWithSelfPlay):
    """Every setting of `train`, each default in one place (tuned for tic-tac-toe: unbeaten by
    the perfect player after about 5 s on a 2-core laptop, `benchmarks/bench_alphazero.py`)."""

    n_iterations: int = 25  # rounds of (self-play, then learning, then evaluation)
    games_per_iteration: int = 30  # self-play games per round, with the network fixed
    self_play: SelfPlayConfig = field(default_factory=SelfPlayConfig)  # how self-play searches
    hidden: int = 48  # units per hidden layer of the policy-value network
    lr: float = 3e-3  # Adam's step size
    c_l2: float = 1e-4  # weight decay c in (z - v)^2 - pi^T log p + c ||theta||^2
    batch_size: int = 128  # examples per gradient step, drawn with replacement
    n_gradient_steps: int = 100  # Adam steps per round
    window: int = 4  # rounds of examples kept for learning (a replay of recent self-play)
    symmetries: bool = True  # store every example under the board's symmetries (AlphaGo Zero's)
    eval_simulations: int = 50  # simulations of the searching player in the evaluation (0: none)
    eval_c_puct: float = C_PUCT  # c_puct of the searching player in the evaluation
    evaluate_strength: bool | None = None  # exact loss rates per round (default: tic-tac-toe)

    def __post_init__(self):
        v_.check_int("n_iterations", self.n_iterations, low=1)
        v_.check_int("games_per_iteration", self.games_per_iteration, low=1)
        if not isinstance(self.self_play, SelfPlayConfig):
            raise TypeError(
                f"self_play must be an alphazero.SelfPlayConfig, got {type(self.self_play).__name__}"
            )
        v_.check_int("hidden", self.hidden, low=1)
        v_.check_float("lr", self.lr, low=0.0, low_open=True)
        v_.check_float("c_l2", self.c_l2, low=0.0)
        v_.check_int("batch_size", self.batch_size, low=1)
        v_.check_int("n_gradient_steps", self.n_gradient_steps, low=0)
        v_.check_int("window", self.window, low=1)
        if not isinstance(self.symmetries, bool):
            raise TypeError(f"symmetries must be True or False, got {self.symmetries!r}")
        v_.check_int("eval_simulations", self.eval_simulations, low=0)
        v_.check_float("eval_c_puct", self.eval_c_puct, low=0.0)
        if self.evaluate_strength not in (None, True, False):
            raise TypeError(
                f"evaluate_strength must be None, True or False, got {self.evaluate_strength!r}"
            )


def train_step(
    net: PolicyValueNet,
    opt: Adam,
    X: np.ndarray,
    legal: np.ndarray,
    pi: np.ndarray,
    z: np.ndarray,
    *,
    rng: np.random.Generator,
    batch_size: int,
    c: float,
) -> LossParts:
    """One gradient step of AlphaZero's learning; returns the loss on its minibatch.

    Draws `batch_size` examples uniformly, with replacement, from the replay (rows of the
    encoded positions `X`, their legal-move masks `legal`, search policies `pi` and outcomes
    `z`), computes l = (z - v)^2 - pi^T log p + c ||theta||^2 and its gradient by backprop
    (`net.loss_and_grads`, illegal moves masked), and takes one step of the optimiser `opt`
    (which updates `net.params` in place).
    """
    idx = random_indices(len(X), batch_size, rng=rng)
    parts, grads = net.loss_and_grads(X[idx], legal[idx], pi[idx], z[idx], c)
    opt.step(grads)
    return parts


def train(
    game,
    seed: int = 0,
    config: TrainConfig | None = None,
    *,
    progress: bool = True,
    play: Callable = self_play_game,
    learn: Callable = train_step,
    **settings,
) -> tuple[PolicyValueNet, History]:
    """Train a policy-value network for `game` from scratch by self-play; return it and its history.

    Settings come from `config` (default `TrainConfig()`), with any of them overridden by name:
    `train(game, seed=0, n_iterations=10, n_simulations=25)`.

    - self-play: `games_per_iteration` games per iteration, searched as `config.self_play` says
      (PUCT simulations, root noise, temperature; the first `random_moves` moves of each game are
      uniformly random, so every opening is met: the perfect player opens anywhere);
    - learning: `n_gradient_steps` Adam steps (`lr`) per iteration on minibatches of
      `batch_size` from the examples of the last `window` iterations; network with `hidden` units
      per layer, weight decay `c_l2`;
    - evaluation (`evaluate_strength`, by default for tic-tac-toe): after every iteration, the exact
      probability of losing to the perfect player, for the raw network and for the search with
      `eval_simulations` simulations, and to a uniformly random player, for the raw network,
      each as first and as second player (`loss_rates`).

    `progress` shows a tqdm bar. `play(game, evaluate, *, rng, config)` plays one self-play game
    and `learn(net, opt, X, legal, pi, z, *, rng, batch_size, c)` takes one gradient step: the
    package's `self_play_game` and `train_step` by default (lecture 06's exercises plug in
    their own).
    """
    check_game("game", game)
    if not callable(getattr(game, "encode", None)):
        raise TypeError(
            f"game must have encode(state) -> network input (e.g. TicTacToe()), "
            f"{type(game).__name__} has none"
        )
    seed = v_.check_int("seed", seed, low=0)
    for name, fn in (("play", play), ("learn", learn)):
        if not callable(fn):
            raise TypeError(f"{name} must be a function, got {type(fn).__name__}")
    if config is None:
        config = TrainConfig()
    elif not isinstance(config, TrainConfig):
        raise TypeError(f"config must be an alphazero.TrainConfig, got {type(config).__name__}")
    config = config.replace(**settings)
    evaluate_strength = config.evaluate_strength
    if evaluate_strength is None:
        evaluate_strength = _default_game_is_solvable(game)
    n_gradient_steps, batch_size = config.n_gradient_steps, config.batch_size

    rng_play, rng_learn, rng_eval = spawn_rngs(seed, 3)
    n_inputs = encode(game, game.initial_state()).size
    net = PolicyValueNet(n_inputs, game.num_actions, config.hidden, seed=seed)
    opt = Adam(net.params, lr=config.lr)
    buffer: list[tuple[np.ndarray, ...]] = []
    history = History()
    positions, seconds, cpu_seconds = 0, 0.0, 0.0

    cache: dict = {}  # network outputs per position, valid until the next gradient step
    bar = tqdm(range(config.n_iterations), desc="AlphaZero", disable=not progress)
    for _ in bar:
        t0, c0 = time.perf_counter(), time.process_time()
        # Self-play with theta fixed: one cache of network outputs for the whole iteration.
        evaluator = network_evaluator(game, net, cache)
        examples = []
        for _ in range(config.games_per_iteration):
            examples += play(game, evaluator, rng=rng_play, config=config.self_play)
        positions += len(examples)
        if config.symmetries:
            examples = augment(game, examples)
        buffer.append(
            (
                np.array([encode(game, s) for s, _, _ in examples]),
                np.array([legal_mask(game, s) for s, _, _ in examples]),
                np.array([pi for _, pi, _ in examples]),
                np.array([z for _, _, z in examples]),
            )
        )
        del buffer[: -config.window]
        X, legal, pi, z = (np.concatenate(parts) for parts in zip(*buffer, strict=True))

        # Learning: minibatch Adam steps on the AlphaZero loss.
        value_loss, policy_loss = [], []
        for _ in range(n_gradient_steps):
            parts = learn(
                net, opt, X, legal, pi, z, rng=rng_learn, batch_size=batch_size, c=config.c_l2
            )
            value_loss.append(parts.value)
            policy_loss.append(parts.policy)
        if n_gradient_steps:
            cache = {}
        seconds += time.perf_counter() - t0
        cpu_seconds += time.process_time() - c0
        last = max(1, n_gradient_steps // 5)  # report the mean of the last fifth of the steps
        learned = n_gradient_steps > 0
        history.value_loss.append(float(np.mean(value_loss[-last:])) if learned else np.nan)
        history.policy_loss.append(float(np.mean(policy_loss[-last:])) if learned else np.nan)
        history.positions.append(positions)
        history.seconds.append(seconds)
        history.cpu_seconds.append(cpu_seconds)

        # Evaluation against the perfect player (not counted in `seconds`).
        if evaluate_strength:
            eval_seed = draw_seed(rng=rng_eval)
            # the evaluation fills the cache that the next iteration's self-play starts from
            raw_player = AlphaZeroPlayer(game, net, 0, seed=eval_seed, cache=cache)
            raw = loss_rates(game, raw_player)
            raw_random = loss_rates(game, raw_player, opponent="random")
            searched = (
                loss_rates(
                    game,
                    AlphaZeroPlayer(
                        game,
                        net,
                        config.eval_simulations,
                        c_puct=config.eval_c_puct,
                        seed=eval_seed,
                        cache=cache,
                    ),
                )
                if config.eval_simulations
                else (np.nan, np.nan)
            )
        else:
            raw = searched = raw_random = (np.nan, np.nan)
        history.record_strength(raw, raw_random, searched)
        bar.set_postfix(v=f"{history.value_loss[-1]:.3f}", p=f"{history.policy_loss[-1]:.3f}")
    return net, history
