"""Speed of MCTS: simulations per second from the empty tic-tac-toe board.

Each search runs 1000 simulations, one random rollout each, with UCB1 (the issue's benchmark).
When `open_spiel` is importable, its pure-Python `MCTSBot` (random-rollout evaluator, one
rollout, `solve=False`) runs the same searches in the same process, interleaved with ours in
rounds, so that the ratio holds up on a loaded machine. Usage::

    .venv/bin/python benchmarks/bench_mcts.py [--seconds 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from mbrl_helpers import mcts
from mbrl_helpers.games import TicTacToe

N_SIMULATIONS = 1000


def rate(run_search, seconds: float) -> float:
    """Simulations per second of `run_search()` (one search of N_SIMULATIONS) over ~`seconds`."""
    run_search()  # warm-up
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        run_search()
        n += N_SIMULATIONS
    return n / (time.perf_counter() - start)


def ours():
    game = TicTacToe()
    state = game.initial_state()
    rng = np.random.default_rng(0)
    evaluate = mcts.rollout_evaluator(game, rng)
    return lambda: mcts.search(
        game, state, evaluate, n_simulations=N_SIMULATIONS, rng=rng, c=mcts.C_UCT
    )


def openspiel():
    """OpenSpiel's Python MCTSBot on tic-tac-toe, or None when open_spiel is not installed."""
    try:
        import pyspiel
        from open_spiel.python.algorithms import mcts as os_mcts
    except ImportError:
        return None
    game = pyspiel.load_game("tic_tac_toe")
    evaluator = os_mcts.RandomRolloutEvaluator(n_rollouts=1, random_state=np.random.RandomState(0))
    bot = os_mcts.MCTSBot(
        game,
        uct_c=2.0,
        max_simulations=N_SIMULATIONS,
        evaluator=evaluator,
        solve=False,
        random_state=np.random.RandomState(0),
    )
    state = game.new_initial_state()
    return lambda: bot.mcts_search(state)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args()

    contenders = {"mbrl_helpers.mcts": ours()}
    baseline = openspiel()
    if baseline is None:
        print("open_spiel is not installed: no baseline (pip install open_spiel to compare)")
    else:
        contenders["OpenSpiel MCTSBot (Python)"] = baseline
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.rounds):
        for name, run_search in contenders.items():
            rates[name].append(rate(run_search, args.seconds))
    print(f"tic-tac-toe, empty board, {N_SIMULATIONS} simulations per search, 1 rollout each")
    for name, values in rates.items():
        print(
            f"{name:28s} {statistics.median(values):9,.0f} simulations/s (median of {args.rounds})"
        )
    if baseline is not None:
        ratios = [a / b for a, b in zip(*rates.values(), strict=True)]
        print(
            f"ratio ours / OpenSpiel: {statistics.median(ratios):.2f} "
            f"(per round: {', '.join(f'{r:.2f}' for r in ratios)})"
        )


if __name__ == "__main__":
    main()
