"""MCTS on tic-tac-toe: speed against OpenSpiel, strength over seeds, subtree reuse.

Speed (the default): simulations per second from the empty board, 1000 simulations per search,
one random rollout each, UCB1. When `open_spiel` is importable (`pip install open_spiel`, the
project's `openspiel` extra), its pure-Python `MCTSBot` (random-rollout evaluator, one rollout,
`solve=False`) runs the same searches in the same process, interleaved with ours in rounds, so
that the ratio holds up on a loaded machine. Usage::

    .venv/bin/python benchmarks/bench_mcts.py [--seconds 2] [--rounds 3]
    .venv/bin/python benchmarks/bench_mcts.py --strength 1000 --no-speed
    .venv/bin/python benchmarks/bench_mcts.py --table --reuse --seeds 10 --games 40 --no-speed

`--strength G` plays G games as O, the second player, against the exact solver's perfect
player, 1000 simulations per move, for each MCTS at c = 1.4 and at c = 2.0 (the same c for
both implementations): ours, ours with OpenSpiel's rule for terminal children (their exact
outcome, no exploration bonus: OpenSpiel's `SearchNode.uct_value`), and OpenSpiel's bot when
it is installed. `--table` plays the strength table of lecture 05 (each budget against the
random player, the rollout player and the perfect player, over seeds), `--reuse` the subtree
reuse experiment (a fresh tree, a kept subtree plus n new simulations, a kept subtree topped
up to n visits). Each writes its rows to `mbrl_helpers/data/mcts_*.json` (package data, which lecture 05 reads);
all games are seeded, so the same command writes the same file.

Stored output of `--rounds 5` (2-core course machine under heavy load, load average about 10:
the speeds vary with the machine and its load, the ratio much less; the first edition's run on
a quiet machine gave 73,604 and 20,223 simulations/s, ratio 3.64)::

    tic-tac-toe, empty board, 1000 simulations per search, 1 rollout each, UCB1 with c = 2.0
    mbrl_helpers.mcts               19,733 simulations/s (median of 5)
    OpenSpiel MCTSBot (Python)       6,747 simulations/s (median of 5)
    ratio ours / OpenSpiel: 3.19 (per round: 3.68, 2.86, 2.12, 3.19, 4.14)

Stored output of `--strength 1000 --no-speed` (with open_spiel 2.0.2 installed; the losses do
not depend on the machine)::

    mbrl_helpers.mcts            c = 1.4  as O vs the perfect player, 1000 simulations: 28/1000 losses (2.8%, 95% interval 1.9-4.0%)
    ours, OpenSpiel's terminals  c = 1.4  as O vs the perfect player, 1000 simulations: 34/1000 losses (3.4%, 95% interval 2.4-4.7%)
    OpenSpiel MCTSBot (Python)   c = 1.4  as O vs the perfect player, 1000 simulations: 43/1000 losses (4.3%, 95% interval 3.2-5.7%)
    mbrl_helpers.mcts            c = 2.0  as O vs the perfect player, 1000 simulations: 36/1000 losses (3.6%, 95% interval 2.6-4.9%)
    ours, OpenSpiel's terminals  c = 2.0  as O vs the perfect player, 1000 simulations: 49/1000 losses (4.9%, 95% interval 3.7-6.4%)
    OpenSpiel MCTSBot (Python)   c = 2.0  as O vs the perfect player, 1000 simulations: 63/1000 losses (6.3%, 95% interval 5.0-8.0%)

At the same c, OpenSpiel's bot lost more often than ours (two-proportion z-test: p = 0.07 at
c = 1.4, p = 0.005 at c = 2.0); with OpenSpiel's terminal rule our search moves towards it
(p = 0.30 and 0.17 against OpenSpiel). The first edition compared 7/200 (ours, c = 1.4) with
13/200 (OpenSpiel, c = 2.0): 95% intervals 1.7-7.0% and 3.8-10.8%, different c, no conclusion.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from mbrl_helpers import games, mcts, rollouts
from mbrl_helpers.games import TicTacToe

RESULTS = Path(__file__).resolve().parent.parent / "mbrl_helpers" / "data"  # package data

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


def openspiel_player(n_simulations: int, seed: int, uct_c: float = UCT_C):
    """OpenSpiel's Python MCTSBot as a player of our TicTacToe (cells are numbered alike)."""
    import pyspiel
    from open_spiel.python.algorithms import mcts as os_mcts

    os_game = pyspiel.load_game("tic_tac_toe")
    bot = os_mcts.MCTSBot(
        os_game,
        uct_c=uct_c,
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


def ucb1_exact_terminals(node, c: float, *, rng):
    """UCB1, except that a terminal child scores its exact outcome for the player who chose it,
    without the exploration bonus: the rule of OpenSpiel's `SearchNode.uct_value`."""
    log_n = math.log(node.N)
    scores = []
    for child in node.children:
        if child.terminal:
            scores.append(child.returns[child.player])
        elif child.N == 0:
            scores.append(math.inf)
        else:
            scores.append(child.W / child.N + c * math.sqrt(log_n / child.N))
    best = max(scores)
    ties = [child for child, score in zip(node.children, scores, strict=True) if score == best]
    return ties[int(rng.random() * len(ties))]


def strength(n_games: int, c_values=(1.4, 2.0)) -> dict:
    """Losses as O against the perfect player, 1000 simulations per move, each MCTS at each c.

    Game i: the perfect player (seed 1000 + i) as X, the MCTS (seed i) as O. With the same c the
    two implementations run the same algorithm (UCB1, one random rollout per simulation, the
    most visited move), so their loss rates should agree up to the noise of n_games games.
    """
    game = TicTacToe()
    contenders = {
        "mbrl_helpers.mcts": lambda i, c: mcts.MCTSPlayer(game, 1000, c_uct=c, seed=i),
        "ours, OpenSpiel's terminals": lambda i, c: mcts.MCTSPlayer(
            game, 1000, c_uct=c, seed=i, select=ucb1_exact_terminals
        ),
    }
    try:
        import pyspiel  # noqa: F401

        contenders["OpenSpiel MCTSBot (Python)"] = lambda i, c: openspiel_player(1000, i, c)
    except ImportError:
        print("open_spiel is not installed: only our MCTS plays (pip install open_spiel)")
    rows = []
    for c in c_values:
        for name, make in contenders.items():
            losses = sum(
                games.play(game, [games.perfect_player(game, seed=1000 + i), make(i, c)])[1] < 0
                for i in range(n_games)
            )
            low, high = games.wilson_interval(losses, n_games)
            rows.append({"mcts": name, "c": c, "games": n_games, "losses": losses})
            print(
                f"{name:28s} c = {c:3.1f}  as O vs the perfect player, 1000 simulations: "
                f"{losses}/{n_games} losses ({100 * losses / n_games:.1f}%, 95% interval "
                f"{100 * low:.1f}-{100 * high:.1f}%)",
                flush=True,
            )
    return {"experiment": "openspiel", "rows": rows}


# --- Strength against the number of simulations, over seeds (lecture 05, section 5) ------------
TABLE_BUDGETS = (10, 50, 200, 1000)
TABLE_OPPONENTS = ("random", "rollouts (N=100)", "perfect")


def opponent(name: str, game, seed: int):
    """The opponents of the strength table, each seeded."""
    if name == "random":
        return games.random_player(game, seed=seed)
    if name == "rollouts (N=100)":
        return rollouts.RolloutPlayer(game, n_rollouts=100, seed=seed)
    if name == "perfect":
        return games.perfect_player(game, seed=seed)
    raise ValueError(f"unknown opponent {name!r}")


def _record(record) -> list[int]:
    return [record.wins, record.draws, record.losses]


def strength_table(n_seeds: int, games_per_seed: int) -> dict:
    """MCTS (UCB1, c = 1.4) at each budget against each opponent: `games_per_seed` games (half as
    X, half as O) for each of `n_seeds` seeds; seed s: MCTS seed s, opponent seed 100 + s."""
    game = TicTacToe()
    rows = []
    for n_sims in TABLE_BUDGETS:
        for name in TABLE_OPPONENTS:
            for s in range(n_seeds):
                result = games.match(
                    game,
                    mcts.MCTSPlayer(game, n_simulations=n_sims, seed=s),
                    opponent(name, game, 100 + s),
                    n_games=games_per_seed,
                )
                rows.append(
                    {
                        "simulations": n_sims,
                        "opponent": name,
                        "seed": s,
                        "as_x": _record(result.as_first),
                        "as_o": _record(result.as_second),
                    }
                )
            print(f"  table: {n_sims} simulations vs {name} done", flush=True)
    return {
        "experiment": "strength",
        "seeds": n_seeds,
        "games_per_seed": games_per_seed,
        "c": mcts.C_UCT,
        "rows": rows,
    }


# --- Subtree reuse at the same budget (lecture 05, section "Keeping the tree") -----------------
REUSE_BUDGETS = (50, 200, 1000)
REUSE_VARIANTS = {
    "fresh tree": {},
    "reuse": {"reuse_tree": True},
    "reuse, counted": {"reuse_tree": True, "count_reused": True},
}


class _Counting:
    """A player that counts its moves (the searches of an MCTSPlayer)."""

    def __init__(self, player):
        self.player, self.moves = player, 0

    def __call__(self, state):
        self.moves += 1
        return self.player(state)


def reuse_experiment(n_seeds: int, games_per_seed: int) -> dict:
    """Each variant of MCTSPlayer at each budget, against the perfect and the random player.

    "fresh tree": a new tree every move (the default); "reuse": the subtree of the move played
    and the reply is kept and `n_simulations` new simulations are added; "reuse, counted": the
    kept visits count toward the budget (the root is topped up to `n_simulations` visits).
    Seed s: MCTS seed s, opponent seed 100 + s, for every variant (common random numbers).
    """
    game = TicTacToe()
    rows = []
    for n_sims in REUSE_BUDGETS:
        for variant, kwargs in REUSE_VARIANTS.items():
            for name in ("perfect", "random"):
                for s in range(n_seeds):
                    player = mcts.MCTSPlayer(game, n_simulations=n_sims, seed=s, **kwargs)
                    counting = _Counting(player)
                    result = games.match(
                        game, counting, opponent(name, game, 100 + s), n_games=games_per_seed
                    )
                    rows.append(
                        {
                            "simulations": n_sims,
                            "variant": variant,
                            "opponent": name,
                            "seed": s,
                            "as_x": _record(result.as_first),
                            "as_o": _record(result.as_second),
                            "moves": counting.moves,
                            "simulations_run": player.simulations_run,
                            "visits_reused": player.visits_reused,
                        }
                    )
            print(f"  reuse: {n_sims} simulations, {variant} done", flush=True)
    return {
        "experiment": "reuse",
        "seeds": n_seeds,
        "games_per_seed": games_per_seed,
        "c": mcts.C_UCT,
        "rows": rows,
    }


def save(result: dict, name: str, command: str) -> Path:
    """Write `result` to mbrl_helpers/data/<name>.json (package data: the lectures read it)."""
    path = RESULTS / f"{name}.json"
    path.parent.mkdir(exist_ok=True)
    header = {"command": command, **{k: v for k, v in result.items() if k != "rows"}}
    rows = ",\n".join("  " + json.dumps(row) for row in result["rows"])
    path.write_text(json.dumps(header, indent=1)[:-2] + ',\n "rows": [\n' + rows + "\n ]\n}\n")
    print(f"wrote {path.relative_to(RESULTS.parent.parent)}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--strength", type=int, default=0, help="games against perfect play")
    parser.add_argument("--table", action="store_true", help="strength table over seeds")
    parser.add_argument("--reuse", action="store_true", help="subtree reuse at the same budget")
    parser.add_argument("--seeds", type=int, default=10, help="seeds for --table and --reuse")
    parser.add_argument("--games", type=int, default=40, help="games per seed (half as X)")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    args = parser.parse_args()
    command = "python benchmarks/bench_mcts.py " + " ".join(sys.argv[1:])
    if args.table:
        save(strength_table(args.seeds, args.games), "mcts_strength", command)
    if args.reuse:
        save(reuse_experiment(args.seeds, args.games), "mcts_reuse", command)
    if args.no_speed:
        if args.strength:
            save(strength(args.strength), "mcts_openspiel", command)
        return

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
        save(strength(args.strength), "mcts_openspiel", command)


if __name__ == "__main__":
    main()
