"""Speed of MCTS: simulations per second from the empty tic-tac-toe board.

Each search runs 1000 simulations, one random rollout each, with UCB1 (the issue's benchmark).
When `open_spiel` is importable, its pure-Python `MCTSBot` (random-rollout evaluator, one
rollout, `solve=False`) runs the same searches in the same process, interleaved with ours in
rounds, so that the ratio holds up on a loaded machine. Usage::

    .venv/bin/python benchmarks/bench_mcts.py [--seconds 2] [--rounds 3] [--strength 200]

`--strength G` also plays G games of each MCTS (1000 simulations per move) as O, the second
player, against the exact solver's perfect player, and prints the losses of each (ours with
the course's default c = 1.4, OpenSpiel's with its usual uct_c = 2.0).

Stored output of `benchmarks/bench_mcts.py --strength 200` (2-core course machine, quiet; the
speeds vary with the machine and its load, the ratio much less, the losses not at all)::

    tic-tac-toe, empty board, 1000 simulations per search, 1 rollout each, UCB1 with c = 2.0
    mbrl_helpers.mcts               73,604 simulations/s (median of 3)
    OpenSpiel MCTSBot (Python)      20,223 simulations/s (median of 3)
    ratio ours / OpenSpiel: 3.64 (per round: 3.78, 3.44, 3.64)
    mbrl_helpers.mcts            as O vs the perfect player, 1000 simulations: 7/200 losses (3.5%)
    OpenSpiel MCTSBot (Python)   as O vs the perfect player, 1000 simulations: 13/200 losses (6.5%)
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from mbrl_helpers import games, mcts
from mbrl_helpers.games import TicTacToe

N_SIMULATIONS = 1000
UCT_C = 2.0  # OpenSpiel's usual uct_c; both searches use it, so their trees have the same shape


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
    evaluate = mcts.rollout_evaluator(game, rng=rng)
    return lambda: mcts.search(game, state, evaluate, n_simulations=N_SIMULATIONS, rng=rng, c=UCT_C)


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
        uct_c=UCT_C,
        max_simulations=N_SIMULATIONS,
        evaluator=evaluator,
        solve=False,
        random_state=np.random.RandomState(0),
    )
    state = game.new_initial_state()
    return lambda: bot.mcts_search(state)


def openspiel_player(n_simulations: int, seed: int):
    """OpenSpiel's Python MCTSBot as a player of our TicTacToe (cells are numbered alike)."""
    import pyspiel
    from open_spiel.python.algorithms import mcts as os_mcts

    os_game = pyspiel.load_game("tic_tac_toe")
    bot = os_mcts.MCTSBot(
        os_game,
        uct_c=2.0,
        max_simulations=n_simulations,
        evaluator=os_mcts.RandomRolloutEvaluator(1, np.random.RandomState(seed)),
        solve=False,
        random_state=np.random.RandomState(seed),
    )
    ttt = TicTacToe()

    def player(state) -> int:
        os_state = os_game.new_initial_state()
        board = ttt.board(state).ravel()
        xs, os_ = [i for i in range(9) if board[i] == 1], [i for i in range(9) if board[i] == -1]
        for k in range(len(xs) + len(os_)):  # replay X, O, X, ... (the order does not matter)
            os_state.apply_action(xs[k // 2] if k % 2 == 0 else os_[k // 2])
        return int(bot.step(os_state))

    return player


def strength(n_games: int) -> None:
    """Losses as O against the perfect player, 1000 simulations per move."""
    game = TicTacToe()
    contenders = {"mbrl_helpers.mcts": lambda i: mcts.MCTSPlayer(game, 1000, seed=i)}
    try:
        import pyspiel  # noqa: F401

        contenders["OpenSpiel MCTSBot (Python)"] = lambda i: openspiel_player(1000, seed=i)
    except ImportError:
        pass
    for name, make in contenders.items():
        losses = sum(
            games.play(game, [games.perfect_player(game, seed=1000 + i), make(i)])[1] < 0
            for i in range(n_games)
        )
        print(
            f"{name:28s} as O vs the perfect player, 1000 simulations: {losses}/{n_games} "
            f"losses ({100 * losses / n_games:.1f}%)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--strength", type=int, default=0, help="games against perfect play")
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
    print(
        f"tic-tac-toe, empty board, {N_SIMULATIONS} simulations per search, 1 rollout each, "
        f"UCB1 with c = {UCT_C}"
    )
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
    if args.strength:
        strength(args.strength)


if __name__ == "__main__":
    main()
