"""The budget table of the game methods (lecture 08): what rollouts, MCTS and AlphaZero spend
before they stop losing to the perfect player at tic-tac-toe.

All three plan with the given rules of the game, so none of them needs a single real game: their
whole cost is computation, spent while acting (simulations per move) or ahead of acting
(AlphaZero's self-play training). For each decision-time method and budget per move we measure,
for several seeds, the exact probability of losing to the perfect player as X and as O
(`alphazero.loss_rates`: over every choice of the perfect player, for one draw of the method's
own randomness) and the CPU time per move (CPU time of one process, which other programs
sharing the machine do not inflate as they do wall-clock time):

- `rollouts`: the rollout algorithm (Sutton & Barto 8.10) with a uniformly random base policy,
  the same number of rollouts for every legal action (`RolloutPlayer(even=True)`);
- `mcts`: UCT with random rollouts (`mcts.MCTSPlayer`, c = 1.4), lecture 05;
- `alphazero`: the network trained by `alphazero.train` (seed 0), alone and with PUCT search.

and, for AlphaZero, the cost of training until it is unbeaten (`training_cost`): self-play games,
simulations, gradient steps and CPU seconds. The results are stored in `mbrl_helpers/data/game_budget.json` by

    .venv/bin/python benchmarks/bench_game_budget.py --store

and read back with `load()`. CPU seconds still depend on the machine.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from mbrl_helpers import alphazero, games, mcts, rollouts
from mbrl_helpers.validation import check_int

GRID = (10, 30, 100, 300, 1000, 3000)
"""Budgets per move (rollouts or simulations) tried for the decision-time methods."""

DATA = "data/game_budget.json"
COMMAND = ".venv/bin/python benchmarks/bench_game_budget.py --store"


@dataclass(frozen=True)
class Strength:
    """One player (a method at a budget per move, one seed) against the perfect player."""

    method: str  # "rollouts", "mcts", "alphazero"
    budget: int  # rollouts or simulations per move (0: the network alone)
    seed: int
    loss_first: float  # exact P(loss) as X
    loss_second: float  # exact P(loss) as O
    moves: int  # distinct positions the player was asked about
    seconds: float  # CPU time of this process spent choosing those moves

    @property
    def unbeaten(self) -> bool:
        return self.loss_first == 0.0 and self.loss_second == 0.0

    @property
    def seconds_per_move(self) -> float:
        return self.seconds / self.moves


def make_player(game, method: str, budget: int, seed: int, net=None):
    """The player of `method` at `budget` rollouts or simulations per move."""
    if method == "rollouts":
        return rollouts.RolloutPlayer(game, budget, seed=seed, even=True)
    if method == "mcts":
        return mcts.MCTSPlayer(game, budget, seed=seed)
    if method == "alphazero":
        if net is None:
            raise ValueError("method 'alphazero' needs the trained net")
        return alphazero.AlphaZeroPlayer(game, net, budget, seed=seed)
    raise ValueError(f"method must be 'rollouts', 'mcts' or 'alphazero', got {method!r}")


def strength(game, method: str, budget: int, seed: int, net=None) -> Strength:
    """Exact loss rates against the perfect player, and the CPU time per move."""
    budget = check_int("budget", budget, low=0)
    player = make_player(game, method, budget, check_int("seed", seed, low=0), net)
    moves, seconds = 0, 0.0

    def counted(state):
        nonlocal moves, seconds
        start = time.process_time()
        action = player(state)
        seconds += time.process_time() - start
        moves += 1
        return action

    first, second = alphazero.loss_rates(game, counted)
    return Strength(method, budget, seed, first, second, moves, seconds)


@dataclass(frozen=True)
class Training:
    """What `alphazero.train(TicTacToe(), seed)` spent until it was unbeaten for good."""

    seed: int
    unbeaten_from: int | None  # 1-based iteration, None if still losing at the end
    games: int | None  # self-play games until then
    simulations: int | None  # search simulations in those games
    gradient_steps: int | None
    cpu_seconds: float | None  # CPU time of self-play and learning until then


def training_cost(seed: int) -> tuple[Training, alphazero.PolicyValueNet]:
    """Train the lecture's AlphaZero on tic-tac-toe and measure its cost until unbeaten."""
    config = alphazero.TrainConfig()
    net, history = alphazero.train(games.TicTacToe(), seed=seed, progress=False)
    k = history.unbeaten_from()
    if k is None:
        return Training(seed, None, None, None, None, None), net
    return Training(
        seed,
        k + 1,
        (k + 1) * config.games_per_iteration,
        history.positions[k] * config.self_play.n_simulations,
        (k + 1) * config.n_gradient_steps,
        history.cpu_seconds[k],
    ), net


def sweep(seeds, grid=GRID, *, progress=None) -> tuple[list[Strength], list[Training]]:
    """`strength` of rollouts and MCTS at every budget of `grid` and of AlphaZero (seed-0 network,
    alone and at 10 and 50 simulations), for every seed, and AlphaZero's `training_cost` for
    every seed. Stops raising a method's budget once every seed is unbeaten."""
    game = games.TicTacToe()
    results = []
    for method in ("rollouts", "mcts"):
        for budget in grid:
            row = [strength(game, method, budget, seed) for seed in seeds]
            results += row
            if progress is not None:
                progress(row)
            if all(r.unbeaten for r in row):
                break
    trainings, nets = zip(*(training_cost(seed) for seed in seeds), strict=True)
    net = nets[0]
    for budget in (0, 10, 50):
        row = [strength(game, "alphazero", budget, seed, net) for seed in seeds]
        results += row
        if progress is not None:
            progress(row)
    return results, list(trainings)


def threshold(results: list[Strength], method: str) -> int | None:
    """The smallest budget at which every seed of `method` is unbeaten, or None."""
    budgets = sorted({r.budget for r in results if r.method == method})
    for budget in budgets:
        row = [r for r in results if r.method == method and r.budget == budget]
        if all(r.unbeaten for r in row):
            return budget
    return None


def save(results: list[Strength], trainings: list[Training], path, *, note: str = "") -> None:
    """Write `results` and `trainings` as JSON (with the command that regenerates them)."""
    payload = {
        "command": COMMAND,
        "note": note,
        "results": [dataclasses.asdict(r) for r in results],
        "trainings": [dataclasses.asdict(t) for t in trainings],
    }
    Path(path).write_text(json.dumps(payload, indent=1) + "\n")


def load(path=None) -> tuple[list[Strength], list[Training]]:
    """The stored `(results, trainings)` (`DATA` in the package unless `path` is given)."""
    if path is None:
        text = resources.files("mbrl_helpers").joinpath(DATA).read_text()
    else:
        text = Path(path).read_text()
    data = json.loads(text)
    return [Strength(**r) for r in data["results"]], [Training(**t) for t in data["trainings"]]


def default_path() -> Path:
    """Where `save` writes the package's stored results."""
    return Path(str(resources.files("mbrl_helpers").joinpath(DATA)))
