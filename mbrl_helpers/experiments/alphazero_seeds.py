"""AlphaZero on tic-tac-toe over many seeds, and the ablations of its self-play (lecture 06).

One training run (`alphazero.train`, about 5 s) is one seed: a single run cannot say whether a
number is typical. `run_seed` trains one seed of one variant and measures, exactly (over every
choice of the opponent, `alphazero.loss_rates`), what lecture 06 reports of its run:

- the history of `train` (losses, exact loss rates per iteration against the perfect and a
  random player);
- the final network alone, and with PUCT search at 10 and 50 simulations, against the perfect
  player and a random one; the same network searched with the notes' rule Q + P / (N + 1);
- whether the network's favourite move is optimal in the five positions lecture 06 shows.

The variants (`VARIANTS`) answer lecture 06's question "which rule would you use to generate
training targets?" by experiment: the lecture's loop, the notes' rule in self-play, no Dirichlet
noise at the root, no symmetries. Training is deterministic for a seed; the wall-clock seconds
in the results are not (they depend on the machine and its load).

The results are stored in `mbrl_helpers/data/alphazero_seeds.json` by

    .venv/bin/python benchmarks/bench_alphazero.py --store-seeds

and read back with `load()`.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from mbrl_helpers import alphazero, games, mcts
from mbrl_helpers.validation import check_int

VARIANTS: dict[str, dict] = {
    "lecture's loop": {},
    "notes' rule in self-play": {"rule": "notes", "c_puct": 1.0},
    "no Dirichlet noise": {"noise_fraction": 0.0},
    "no symmetries": {"symmetries": False},
}
"""Settings of `alphazero.train` per variant (the lecture's loop is the default TrainConfig)."""

POSITIONS = (
    "... / ... / ...",
    "... / .X. / ...",
    ".XO / ... / ..X",
    "XO. / .X. / ...",
    "X.. / .O. / ..X",
)
"""The five positions of lecture 06, section 6 (what the network learned)."""

DATA = "data/alphazero_seeds.json"
COMMAND = ".venv/bin/python benchmarks/bench_alphazero.py --store-seeds"


@dataclass(frozen=True)
class SeedRun:
    """One seed of one variant: its training history and the final network's exact strength.

    Loss rates are pairs (as X, as O): the exact probability of losing, over every choice of the
    opponent, for one draw of the player's own random tie-breaks.
    """

    variant: str
    seed: int
    history: alphazero.History
    raw_vs_perfect: tuple[float, float]
    raw_vs_random: tuple[float, float]
    puct10_vs_perfect: tuple[float, float]
    puct10_vs_random: tuple[float, float]
    puct50_vs_perfect: tuple[float, float]
    notes10_vs_perfect: tuple[float, float]
    notes50_vs_perfect: tuple[float, float]
    argmax_optimal: tuple[bool, ...]  # per position of POSITIONS
    mass_on_optimal: tuple[float, ...]  # pi_theta's probability on the solver's optimal moves

    def unbeaten_from(self) -> int | None:
        """The 1-based iteration from which neither player (raw, search) loses to the perfect
        player, to the end of training; None if it still loses at the end."""
        k = self.history.unbeaten_from()
        return None if k is None else k + 1

    def first_zero(self, rates: str) -> int | None:
        """The 1-based iteration from which `history.<rates>_first` and `_second` stay 0 to the
        end (e.g. `first_zero("search_loss")`), or None."""
        a = np.array(getattr(self.history, f"{rates}_first"))
        b = np.array(getattr(self.history, f"{rates}_second"))
        bad = np.flatnonzero((a != 0) | (b != 0))
        if bad.size and bad[-1] == a.size - 1:
            return None
        return 1 if bad.size == 0 else int(bad[-1]) + 2

    def cost_until_unbeaten(self, config: alphazero.TrainConfig) -> dict | None:
        """Self-play games, positions, simulations and training seconds spent until the
        iteration from which the players are unbeaten (None if never)."""
        k = self.history.unbeaten_from()
        if k is None:
            return None
        positions = self.history.positions[k]
        return {
            "iterations": k + 1,
            "games": (k + 1) * config.games_per_iteration,
            "positions": positions,
            "simulations": positions * config.self_play.n_simulations,
            "gradient_steps": (k + 1) * config.n_gradient_steps,
            "seconds": self.history.seconds[k],
        }


def _network_strength(game, net, seed: int) -> dict:
    evaluate = alphazero.network_evaluator(game, net)

    def player(n_simulations, rule="puct"):
        if n_simulations == 0:
            return alphazero.AlphaZeroPlayer(game, net, 0, seed=seed)
        if rule == "puct":
            return alphazero.AlphaZeroPlayer(game, net, n_simulations, seed=seed)
        return mcts.MCTSPlayer(
            game, n_simulations, 1.0, seed=seed, evaluate=evaluate, select=alphazero.puct_notes
        )

    out = {
        "raw_vs_perfect": alphazero.loss_rates(game, player(0)),
        "raw_vs_random": alphazero.loss_rates(game, player(0), opponent="random"),
        "puct10_vs_perfect": alphazero.loss_rates(game, player(10)),
        "puct10_vs_random": alphazero.loss_rates(game, player(10), opponent="random"),
        "puct50_vs_perfect": alphazero.loss_rates(game, player(50)),
        "notes10_vs_perfect": alphazero.loss_rates(game, player(10, "notes")),
        "notes50_vs_perfect": alphazero.loss_rates(game, player(50, "notes")),
    }
    argmax_optimal, mass = [], []
    for text in POSITIONS:
        s = game.state_from_string(text)
        legal = game.legal_actions(s)
        priors, _ = evaluate(s)
        v_star, optimal = games.solve(game, s)
        best = legal[int(np.argmax(priors))]
        argmax_optimal.append(best in optimal)
        mass.append(float(sum(p for a, p in zip(legal, priors, strict=True) if a in optimal)))
    out["argmax_optimal"] = tuple(argmax_optimal)
    out["mass_on_optimal"] = tuple(mass)
    return out


def run_seed(variant: str, seed: int) -> SeedRun:
    """Train `alphazero.train(TicTacToe(), seed, **VARIANTS[variant])` and measure the result."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {sorted(VARIANTS)}, got {variant!r}")
    seed = check_int("seed", seed, low=0)
    game = games.TicTacToe()
    net, history = alphazero.train(game, seed=seed, progress=False, **VARIANTS[variant])
    return SeedRun(variant, seed, history, **_network_strength(game, net, seed))


def config_of(variant: str) -> alphazero.TrainConfig:
    """The `TrainConfig` a variant trains with."""
    return alphazero.TrainConfig().replace(**VARIANTS[variant])


def run(seeds, variants=None, *, progress=None) -> list[SeedRun]:
    """`run_seed` for every variant (all of `VARIANTS` by default) and seed."""
    runs = []
    for variant in variants or list(VARIANTS):
        for seed in seeds:
            start = time.perf_counter()
            runs.append(run_seed(variant, seed))
            if progress is not None:
                progress(runs[-1], time.perf_counter() - start)
    return runs


# --- storing and loading ----------------------------------------------------------------------
def _to_json(run: SeedRun) -> dict:
    out = {f.name: getattr(run, f.name) for f in dataclasses.fields(run) if f.name != "history"}
    out["history"] = {
        f.name: [float(x) for x in getattr(run.history, f.name)]
        for f in dataclasses.fields(run.history)
    }
    return out


def _from_json(data: dict) -> SeedRun:
    data = dict(data)
    history = alphazero.History(**data.pop("history"))
    history.positions[:] = [int(x) for x in history.positions]
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k != "history"}
    return SeedRun(history=history, **fields)


def save(runs: list[SeedRun], path, *, note: str = "") -> None:
    """Write `runs` as JSON (with the command that regenerates them)."""
    payload = {"command": COMMAND, "note": note, "runs": [_to_json(r) for r in runs]}
    Path(path).write_text(json.dumps(payload, indent=1) + "\n")


def load(path=None) -> list[SeedRun]:
    """The stored runs (`DATA` in the package unless `path` is given)."""
    if path is None:
        text = resources.files("mbrl_helpers").joinpath(DATA).read_text()
    else:
        text = Path(path).read_text()
    return [_from_json(r) for r in json.loads(text)["runs"]]


@functools.cache
def _stored() -> tuple[SeedRun, ...]:
    return tuple(load())


def stored_train(game, seed: int = 0, config=None, *, progress: bool = True, **settings):
    """A stand-in for `alphazero.train` that looks up a stored run instead of training.

    Takes the arguments of `alphazero.train` and returns `(None, history)`: the history that
    `train(TicTacToe(), seed, **settings)` gives (training is deterministic for a seed), for the
    seeds and variants stored by `COMMAND`. No network is returned. Raises a ValueError for a
    seed or settings that were not stored.
    """
    if not isinstance(game, games.TicTacToe):
        raise ValueError(f"only tic-tac-toe runs are stored, got {game!r}")
    wanted = (config or alphazero.TrainConfig()).replace(**settings)
    for run in _stored():
        if run.seed == seed and config_of(run.variant) == wanted:
            return None, copy.deepcopy(run.history)  # a copy: the cache stays as stored
    stored = sorted({r.seed for r in _stored()})
    raise ValueError(
        f"no stored run for seed {seed} with these settings (stored: seeds {stored[0]} to "
        f"{stored[-1]} of the variants {sorted(VARIANTS)}); train with alphazero.train instead"
    )


def default_path() -> Path:
    """Where `save` writes the package's stored runs."""
    return Path(str(resources.files("mbrl_helpers").joinpath(DATA)))
