"""`train`: MuZero's loop of self-play in the learned model and gradient steps on the unroll.

    repeat n_iterations times:
        with theta fixed, play games_per_iteration games, every move searched in the model
        store the whole games in a replay of the last `window` iterations
        take train_steps Adam steps on minibatches of K-step unrolls from stored positions:
            sum_k  l^r + l^v + l^p  (+ consistency)  + c ||theta||^2
        measure: the losses, and (tic-tac-toe) the exact loss rates against the perfect player

(Schrittwieser et al., 2020.) Compared with AlphaZero (lecture 06) the search never sees the
rules below the root, the network also learns the model g, and the targets are aligned along
an unroll of K steps instead of one position.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from mbrl_helpers import validation as v_
from mbrl_helpers.alphazero import History as AlphaZeroHistory
from mbrl_helpers.alphazero.training import ConfigWithSelfPlay
from mbrl_helpers.games import TicTacToe, check_game
from mbrl_helpers.models.nets import Adam
from mbrl_helpers.muzero._blas import single_threaded_blas
from mbrl_helpers.muzero.network import MuZeroNet, UnrollBatch
from mbrl_helpers.muzero.player import MuZeroPlayer, encode, is_two_player, loss_rates
from mbrl_helpers.muzero.selfplay import SelfPlayConfig, self_play
from mbrl_helpers.muzero.targets import RANDOM_ACTION, stored_unrolls, value_targets
from mbrl_helpers.randomness import random_index, random_indices, spawn_rngs


@dataclass(frozen=True)
class MuZeroConfig(ConfigWithSelfPlay):
    """Every setting of `train`, each default in one place (tuned for tic-tac-toe on the 2-core
    course machine: `benchmarks/bench_muzero.py`; `MuZeroConfig.maze()` for the Dyna maze)."""

    n_iterations: int = 80  # at most this many rounds of self-play, learning, evaluation...
    stop_when_unbeaten: int = (
        3  # ...stop once unbeaten in this many evaluations in a row (0: never)
    )
    games_per_iteration: int = 30  # self-play games per round, searched in lockstep
    self_play: SelfPlayConfig = field(default_factory=SelfPlayConfig)  # how self-play searches
    unroll_steps: int = 5  # K: steps the model is unrolled in training
    td_steps: int = 10  # n of the n-step value targets of a single agent (two players: outcome)
    latent: int = 64  # size d of a latent state
    hidden: int = 64  # units of h's and f's hidden layers
    dynamics_hidden: int = 128  # units of g's hidden layer
    lr: float = 0.01  # Adam's step size at the first step...
    lr_final: float = 0.001  # ...decayed exponentially to this...
    lr_decay_steps: int = 4000  # ...over this many Adam steps, then kept
    c_l2: float = 1e-4  # weight decay c ||theta||^2
    consistency_weight: float = 5.0  # w_c of EfficientZero's consistency term (0: MuZero's loss)
    batch_size: int = 128  # unrolls per gradient step, drawn with replacement
    n_gradient_steps: int = 50  # Adam steps per round
    window: int = 20  # rounds of games kept for learning (a replay of whole games)
    symmetries: bool = True  # one random board symmetry per unroll (if the game has them)
    eval_simulations: int = 50  # simulations of the searching player in the evaluation (0: none)
    evaluate_strength: bool | None = None  # exact loss rates per round (default: tic-tac-toe)

    def __post_init__(self):
        for name in (
            "n_iterations",
            "games_per_iteration",
            "td_steps",
            "latent",
            "hidden",
            "dynamics_hidden",
            "batch_size",
            "window",
            "lr_decay_steps",
        ):
            v_.check_int(name, getattr(self, name), low=1)
        for name in ("stop_when_unbeaten", "unroll_steps", "n_gradient_steps", "eval_simulations"):
            v_.check_int(name, getattr(self, name), low=0)
        if not isinstance(self.self_play, SelfPlayConfig):
            raise TypeError(
                f"self_play must be a muzero.SelfPlayConfig, got {type(self.self_play).__name__}"
            )
        for name in ("lr", "lr_final"):
            v_.check_float(name, getattr(self, name), low=0.0, low_open=True)
        for name in ("c_l2", "consistency_weight"):
            v_.check_float(name, getattr(self, name), low=0.0)
        if not isinstance(self.symmetries, bool):
            raise TypeError(f"symmetries must be True or False, got {self.symmetries!r}")
        if self.evaluate_strength not in (None, True, False):
            raise TypeError(
                f"evaluate_strength must be None, True or False, got {self.evaluate_strength!r}"
            )

    @classmethod
    def maze(cls, **settings) -> MuZeroConfig:
        """Settings for a maze (`MazeTask`, tuned on `SMALL_MAZE`): 30 iterations of 32 episodes
        from random cells, cut off after 20 moves, moves always drawn from the visit counts, Q
        min-max normalised (`normalised`), a smaller network trained harder (120 steps of 64
        unrolls per iteration). For the 6x9 `DYNA_MAZE`: `n_iterations=40, max_moves=30`."""
        return cls().replace(
            **{
                "n_iterations": 30,
                "lr_decay_steps": 30 * 120,
                "stop_when_unbeaten": 0,
                "games_per_iteration": 32,
                "n_simulations": 16,
                "dirichlet_alpha": 0.5,
                "temperature_moves": 30,
                "random_moves": 0,
                "max_moves": 20,
                "rule": "normalised",
                "td_steps": 10,
                "latent": 32,
                "hidden": 64,
                "dynamics_hidden": 64,
                "batch_size": 64,
                "n_gradient_steps": 120,
                "window": 10,
                "eval_simulations": 0,
                **settings,
            }
        )


@dataclass
class History(AlphaZeroHistory):
    """Per-iteration records of `train`: AlphaZero's (losses, positions, seconds, exact loss
    rates against the perfect and a random player), plus MuZero's other loss terms.

    `value_loss` and `policy_loss` are summed over the K + 1 steps of the unroll, like
    `reward_loss` (over K steps) and `consistency_loss`; `eval_seconds` is the time spent
    measuring (not in `seconds`); `episode_length` the mean length of the iteration's games.
    """

    reward_loss: list[float] = field(default_factory=list)
    consistency_loss: list[float] = field(default_factory=list)
    episode_length: list[float] = field(default_factory=list)
    eval_seconds: list[float] = field(default_factory=list)


class Replay:
    """The stored unrolls of the last `window` iterations, sampled as minibatches."""

    def __init__(self, window: int):
        self.window = window
        self.parts: list[dict[str, np.ndarray]] = []
        self.data: dict[str, np.ndarray] = {}

    def add(self, rows: list[dict[str, np.ndarray]]) -> None:
        self.parts.append({k: np.concatenate([r[k] for r in rows]) for k in rows[0]})
        del self.parts[: -self.window]
        self.data = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}

    def __len__(self) -> int:
        return len(self.data["actions"]) if self.data else 0


def symmetry_tables(game) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Index tables to apply the board symmetries to encoded observations, actions and policies.

    For games whose encoding is planes over the cells, in the order of the actions (tic-tac-toe):
    `obs_index[k]` rearranges an observation, `action_map[k, a]` moves an action,
    `policy_index[k]` rearranges a policy. None when the game has no symmetries.
    """
    n_sym = getattr(game, "num_symmetries", 1)
    if n_sym == 1:
        return None
    A = game.num_actions
    n_in = encode(game, game.initial_state()).size
    if n_in % A:
        raise ValueError(
            f"symmetries need an encoding made of planes over the {A} cells; this game's has "
            f"{n_in} numbers: set symmetries=False"
        )
    action_map = np.array([[game.transform_action(a, k) for a in range(A)] for k in range(n_sym)])
    policy_index = np.argsort(action_map, axis=1)  # new[j] = old[inverse[j]]
    planes = n_in // A
    obs_index = np.array(
        [np.concatenate([p * A + policy_index[k] for p in range(planes)]) for k in range(n_sym)]
    )
    # Check on a few positions that the tables agree with the game's own transform.
    rng = np.random.default_rng(0)
    for _ in range(3):
        s = game.initial_state()
        for _ in range(3):
            if game.is_terminal(s):
                break
            legal = game.legal_actions(s)
            s = game.next_state(s, legal[random_index(len(legal), rng=rng)])
        for k in range(n_sym):
            if not np.array_equal(
                encode(game, game.transform_state(s, k)), encode(game, s)[obs_index[k]]
            ):
                raise ValueError(
                    "symmetries need an encoding made of planes over the cells in the order of "
                    "the actions; this game's is not: set symmetries=False"
                )
    return obs_index, action_map, policy_index


def sample_batch(
    replay: Replay, batch_size: int, n_actions: int, tables, *, rng: np.random.Generator
) -> UnrollBatch:
    """A minibatch of stored unrolls: random actions past the end, one random symmetry each."""
    d = replay.data
    idx = random_indices(len(replay), batch_size, rng=rng)
    obs, actions, policy = d["obs"][idx], d["actions"][idx], d["policy"][idx]
    past_end = actions == RANDOM_ACTION
    if tables is not None:
        obs_index, action_map, policy_index = tables
        k = random_indices(len(action_map), batch_size, rng=rng)
        obs = np.take_along_axis(obs, obs_index[k][:, None, :], axis=2)
        actions = np.take_along_axis(action_map[k], np.where(past_end, 0, actions), axis=1)
        policy = np.take_along_axis(policy, policy_index[k][:, None, :], axis=2)
    random_actions = random_indices(n_actions, actions.size, rng=rng).reshape(actions.shape)
    actions = np.where(past_end, random_actions, actions)
    return UnrollBatch(
        obs=obs,
        actions=actions,
        value=d["value"][idx],
        reward=d["reward"][idx],
        policy=policy,
        policy_mask=d["policy_mask"][idx],
        consistency_mask=d["consistency_mask"][idx],
        value_mask=d["value_mask"][idx],
    )


def train(
    game,
    seed: int = 0,
    config: MuZeroConfig | None = None,
    *,
    progress: bool = True,
    callback: Callable[[int, MuZeroNet, History], None] | None = None,
    **settings,
) -> tuple[MuZeroNet, History]:
    """Train MuZero's network for `game` from scratch by self-play in its own model.

    Settings come from `config` (default `MuZeroConfig()`, tuned for tic-tac-toe), with any of
    them overridden by name: `train(game, seed=0, n_iterations=10, n_simulations=16)`. For a
    single-agent task (`num_players = 1`, e.g. `MazeTask`) the value targets are n-step
    discounted returns (`td_steps`, the task's `discount`); for a two-player game, the final
    outcome. After each iteration, for tic-tac-toe (`evaluate_strength`): the exact loss rates
    against the perfect player of the prediction network alone and of the search with
    `eval_simulations`, and of the network alone against a random player; training stops early
    once both have been unbeaten in `stop_when_unbeaten` evaluations in a row. `progress` shows a
    tqdm bar; `callback(iteration, net, history)`, if given, is called after each iteration
    (1-based), e.g. to keep a copy of an early network (`net.copy()`). Returns the network and
    its `History`.
    """
    check_game("game", game)
    if not callable(getattr(game, "encode", None)):
        raise TypeError(
            f"game must have encode(state) -> observation (e.g. TicTacToe()), "
            f"{type(game).__name__} has none"
        )
    seed = v_.check_int("seed", seed, low=0)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function (iteration, net, history), got {callback!r}")
    if config is None:
        config = MuZeroConfig()
    elif not isinstance(config, MuZeroConfig):
        raise TypeError(f"config must be a MuZeroConfig, got {type(config).__name__}")
    config = config.replace(**settings)
    two_player = is_two_player(game)
    if not two_player and not callable(getattr(game, "reward", None)):
        raise TypeError("a single-agent task must have reward(state, action, next_state)")
    evaluate_strength = config.evaluate_strength
    if evaluate_strength is None:
        evaluate_strength = isinstance(game, TicTacToe)
    discount = float(getattr(game, "discount", 1.0)) if not two_player else 1.0
    tables = symmetry_tables(game) if config.symmetries else None

    rng_play, rng_learn = spawn_rngs(seed, 2)
    n_inputs = encode(game, game.initial_state()).size
    net = MuZeroNet(
        n_inputs,
        game.num_actions,
        config.latent,
        config.hidden,
        config.dynamics_hidden,
        seed=seed,
    )
    opt = Adam(net.params, lr=config.lr)
    decay = (config.lr_final / config.lr) ** (1.0 / max(1, config.lr_decay_steps - 1))
    replay = Replay(config.window)
    history = History()
    K = config.unroll_steps
    positions, seconds, step = 0, 0.0, 0

    bar = tqdm(range(config.n_iterations), desc="MuZero", disable=not progress)
    with single_threaded_blas():
        for _ in bar:
            t0 = time.perf_counter()
            # Self-play with theta fixed, every move searched in the learned model.
            games = self_play(game, net, config.games_per_iteration, config.self_play, rng=rng_play)
            rows = []
            for traj in games:
                z = value_targets(
                    traj.rewards,
                    traj.root_values,
                    discount=discount,
                    n_steps=None if two_player else config.td_steps,
                    two_player=two_player,
                    terminated=traj.terminated,
                    final_value=traj.final_value,
                )
                rows.append(stored_unrolls(traj, K, z))
            replay.add(rows)
            positions += sum(traj.T for traj in games)

            # Learning: Adam steps on the unrolled loss.
            parts = []
            for _ in range(config.n_gradient_steps):
                batch = sample_batch(
                    replay, config.batch_size, game.num_actions, tables, rng=rng_learn
                )
                loss, grads = net.loss_and_grads(batch, config.c_l2, config.consistency_weight)
                opt.lr = config.lr * decay ** min(step, config.lr_decay_steps - 1)
                opt.step(grads)
                step += 1
                parts.append(loss)
            seconds += time.perf_counter() - t0
            last = parts[-max(1, len(parts) // 5) :]  # the mean of the last fifth of the steps

            def mean(name, last=last):
                return float(np.mean([getattr(p, name) for p in last])) if last else np.nan

            history.value_loss.append(mean("value"))
            history.policy_loss.append(mean("policy"))
            history.reward_loss.append(mean("reward"))
            history.consistency_loss.append(mean("consistency"))
            history.positions.append(positions)
            history.seconds.append(seconds)
            history.episode_length.append(float(np.mean([traj.T for traj in games])))

            # Evaluation (not counted in `seconds`).
            t1 = time.perf_counter()
            if evaluate_strength:
                # the players' default seed: the last record is what MuZeroPlayer(game, net) does
                eval_seed = 0
                raw_player = MuZeroPlayer(game, net, 0, seed=eval_seed)
                raw = loss_rates(game, raw_player)
                raw_random = loss_rates(game, raw_player, opponent="random")
                searched = (
                    loss_rates(
                        game,
                        MuZeroPlayer(
                            game,
                            net,
                            config.eval_simulations,
                            c_puct=config.self_play.c_puct,
                            seed=eval_seed,
                            select=config.self_play.select,
                        ),
                    )
                    if config.eval_simulations
                    else (np.nan, np.nan)
                )
            else:
                raw = searched = raw_random = (np.nan, np.nan)
            history.record_strength(raw, raw_random, searched)
            history.eval_seconds.append(time.perf_counter() - t1)
            bar.set_postfix(
                v=f"{history.value_loss[-1]:.2f}",
                r=f"{history.reward_loss[-1]:.2f}",
                lose=f"{searched[0]:.2f}/{searched[1]:.2f}",
            )
            if callback is not None:
                callback(history.n_iterations, net, history)
            n_stop = config.stop_when_unbeaten
            if evaluate_strength and n_stop and history.unbeaten()[-n_stop:].sum() == n_stop:
                break
    return net, history
