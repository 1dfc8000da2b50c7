"""AlphaZero on tic-tac-toe: time to stable no-loss play against the perfect player, self-play speed, strength.

1. Trains `alphazero.train(TicTacToe(), seed)` with its default arguments for each seed and
   prints: the training time (self-play + gradient steps; the per-iteration evaluation is timed
   apart), self-play positions per second, the first iteration from which the exact loss
   rates against the perfect player stay 0 to the end (raw network and search, both sides),
   and the training time at that iteration.
2. Plays 100 games as X and 100 as O against the perfect player with the trained network:
   raw (no search), with 50 and with 25 PUCT simulations, and pure MCTS (random rollouts, UCB1)
   at 50 simulations for comparison.
3. Ratios measured in the same process, robust to load: the same self-play games with and without
   the per-position cache of network outputs, and simulations per second of the search with the
   network evaluator against random rollouts.

Usage::

    .venv/bin/python benchmarks/bench_alphazero.py [--seeds 0 1 2] [--games 200]

Lecture 06's claims over seeds, and the ablations of self-play (several minutes)::

    .venv/bin/python benchmarks/bench_alphazero.py --store-seeds [--seeds 0 1 ... 9]

trains every variant of `mbrl_helpers.experiments.alphazero_seeds.VARIANTS` (the lecture's loop,
the notes' rule in self-play, no Dirichlet noise, no symmetries) for each seed (default 0-9),
measures each final network exactly, and stores the results in
`mbrl_helpers/data/alphazero_seeds.json`, which lectures 06 and 08 load.

Connect Four (the stretch goal; several minutes)::

    .venv/bin/python benchmarks/bench_alphazero.py --connect-four --games 200

trains on the 6x7 board with `CONNECT_FOUR` below (about 9 minutes on a 2-core machine) and
plays AlphaZero at 50 simulations per move against pure MCTS (random rollouts, UCB1) at 500, ten
times as many, then the network alone and AlphaZero at 50 against MCTS at 50.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mbrl_helpers import alphazero, games, mcts
from mbrl_helpers.experiments import alphazero_seeds
from mbrl_helpers.games import TicTacToe


def train_report(game, seed: int):
    start = time.perf_counter()
    net, history = alphazero.train(game, seed=seed, progress=False)
    wall = time.perf_counter() - start
    train_s = history.seconds[-1]
    k = history.unbeaten_from()
    at = "never" if k is None else f"iteration {k + 1} of {history.n_iterations}"
    t_k = "-" if k is None else f"{history.seconds[k]:.1f} s"
    print(
        f"seed {seed}: training {train_s:.1f} s (wall {wall:.1f} s with evaluation), "
        f"{history.positions[-1] / train_s:.0f} self-play positions/s; stable no-loss play against the perfect player "
        f"from {at}, after {t_k} of training"
    )
    return net, history


def strength(game, net, n_games: int, seed: int) -> None:
    perfect = games.perfect_player(game, seed=seed + 100)
    players = {
        "network alone (0 simulations)": alphazero.AlphaZeroPlayer(game, net, 0, seed=seed),
        "network + PUCT, 25 simulations": alphazero.AlphaZeroPlayer(game, net, 25, seed=seed),
        "network + PUCT, 50 simulations": alphazero.AlphaZeroPlayer(game, net, 50, seed=seed),
        "pure MCTS (rollouts), 50 simulations": mcts.MCTSPlayer(game, 50, seed=seed),
    }
    print(f"against the perfect player, {n_games // 2} games as X and {n_games // 2} as O:")
    for name, player in players.items():
        start = time.perf_counter()
        result = games.match(game, player, perfect, n_games=n_games)
        print(f"  {name:38s} {result}  ({time.perf_counter() - start:.1f} s)")


def cache_ratio(game, net, n_games: int = 10) -> None:
    config = alphazero.SelfPlayConfig()

    def uncached(state):  # the network at every leaf, as without the cache
        return alphazero.network_evaluator(game, net)(state)

    times = {}
    for name, make in [("cached", lambda: alphazero.network_evaluator(game, net)),
                       ("uncached", lambda: uncached)]:  # fmt: skip
        rng = np.random.default_rng(0)
        evaluate = make()
        start = time.perf_counter()
        n = sum(
            len(alphazero.self_play_game(game, evaluate, rng=rng, config=config))
            for _ in range(n_games)
        )
        times[name] = (time.perf_counter() - start) / n
    print(
        f"self-play: {1 / times['cached']:.0f} positions/s with the cache, "
        f"{1 / times['uncached']:.0f} without: the cache is {times['uncached'] / times['cached']:.2f}x "
        f"faster ({n_games} games each, same process)"
    )


def evaluator_ratio(game, net, seconds: float = 1.0) -> None:
    state = game.initial_state()
    rates = {}
    for name in ("network", "rollouts"):
        rng = np.random.default_rng(0)
        if name == "network":
            evaluate, select, c = alphazero.network_evaluator(game, net), alphazero.puct, 1.5
        else:
            evaluate, select, c = mcts.rollout_evaluator(game, rng=rng), mcts.ucb1, mcts.C_UCT
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            mcts.search(game, state, evaluate, n_simulations=200, rng=rng, select=select, c=c)
            n += 200
        rates[name] = n / (time.perf_counter() - start)
    print(
        f"search from the empty board: {rates['network']:.0f} simulations/s with the network "
        f"evaluator (cached) + PUCT, {rates['rollouts']:.0f} with random rollouts + UCB1 "
        f"(ratio {rates['network'] / rates['rollouts']:.2f})"
    )


CONNECT_FOUR = dict(
    n_iterations=100,
    games_per_iteration=40,
    n_simulations=100,
    hidden=128,
    random_moves=0,
    temperature_moves=8,
    window=8,
    n_gradient_steps=300,
    lr=2e-3,
)


def connect_four(n_games: int, seed: int) -> None:
    game = games.ConnectFour(6, 7)
    print(f"Connect Four 6x7: train(game, seed={seed}, **{CONNECT_FOUR})")
    net, history = alphazero.train(game, seed=seed, progress=True, **CONNECT_FOUR)
    print(
        f"training {history.seconds[-1]:.0f} s, {history.positions[-1]} self-play positions, "
        f"{net.n_params} weights"
    )
    for name, player, opponent in [
        ("AlphaZero, 50 simulations vs MCTS, 500",
         alphazero.AlphaZeroPlayer(game, net, 50, seed=seed), mcts.MCTSPlayer(game, 500, seed=seed + 1)),
        ("network alone vs MCTS, 50",
         alphazero.AlphaZeroPlayer(game, net, 0, seed=seed), mcts.MCTSPlayer(game, 50, seed=seed + 1)),
        ("AlphaZero, 50 simulations vs MCTS, 50",
         alphazero.AlphaZeroPlayer(game, net, 50, seed=seed), mcts.MCTSPlayer(game, 50, seed=seed + 1)),
    ]:  # fmt: skip
        start = time.perf_counter()
        result = games.match(game, player, opponent, n_games=n_games)
        print(f"  {name:40s} {result}  ({time.perf_counter() - start:.0f} s)")


def store_seeds(seeds: list[int]) -> None:
    def report(run, seconds):
        print(
            f"{run.variant:26s} seed {run.seed}: unbeaten from iteration {run.unbeaten_from()}, "
            f"raw vs random as O {run.raw_vs_random[1]:.4f}, PUCT 10 vs random as O "
            f"{run.puct10_vs_random[1]:.4f} ({seconds:.1f} s)",
            flush=True,
        )

    start = time.perf_counter()
    runs = alphazero_seeds.run(seeds, progress=report)
    path = alphazero_seeds.default_path()
    alphazero_seeds.save(
        runs,
        path,
        note=f"seeds {seeds[0]}-{seeds[-1]}; wall-clock seconds measured on a shared 2-core machine "
        "under load (upper bounds)",
    )
    print(f"stored {len(runs)} runs in {path} ({time.perf_counter() - start:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--games", type=int, default=200, help="games per strength match")
    parser.add_argument("--connect-four", action="store_true", help="the Connect Four run only")
    parser.add_argument(
        "--store-seeds",
        action="store_true",
        help="train every variant on every seed (default 0-9) and store the table lectures 06 "
        "and 08 load",
    )
    args = parser.parse_args()
    if args.store_seeds:
        seeds = args.seeds if args.seeds != [0] else list(range(10))
        store_seeds(seeds)
        return
    if args.connect_four:
        connect_four(args.games, args.seeds[0])
        return
    game = TicTacToe()
    nets = [train_report(game, seed) for seed in args.seeds]
    net = nets[0][0]
    strength(game, net, args.games, args.seeds[0])
    cache_ratio(game, net)
    evaluator_ratio(game, net)


if __name__ == "__main__":
    main()
