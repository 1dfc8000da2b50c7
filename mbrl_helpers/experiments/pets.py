"""PETS-style planning on the point mass (lecture 03): CEM through an ensemble, re-planned.

PETS (Chua et al., 2018, "Deep reinforcement learning in a handful of trials using probabilistic
dynamics models") plans with the cross-entropy method through an ensemble of learned models
(trajectory sampling: every candidate followed through the members), executes the first action
and plans again (model-predictive control). Here, small: the real system is the point mass with a
saturating motor (`mbrl_helpers.envs.PointMass(u_max=1)`), the data are transitions from gentle
pushes, the ensemble is `mbrl_helpers.models.fit_ensemble`'s (`RegressionModel`s fitted to
bootstrap resamples of the same data, lecture 02), and every planner runs the same MPC loop
(`mbrl_helpers.planning.shooting.model_predictive_control`) for one 30-step episode:

- "true model": planning through the real dynamics (the best a planner of this budget can do);
- "linear model": a least-squares `LinearModel` of the same data;
- "one network": each member alone;
- "ensemble (mean)": the mean return over the members;
- "ensemble (TS-inf)": PETS' trajectory sampling, each of 10 particles following one member
  drawn at random.

`run(seed)` gives one seed's `PETSRun`; `benchmarks/seeds_pets.py` stores 20 of them in
`mbrl_helpers/data/pets_seeds.json`, read back by `stored_results()`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from importlib import resources

import numpy as np

from mbrl_helpers import validation
from mbrl_helpers.envs import PointMass, random_transitions
from mbrl_helpers.models import fit_ensemble, fit_linear_model
from mbrl_helpers.planning import shooting
from mbrl_helpers.planning.gradient import ReachReward

__all__ = ["PLANNERS", "PETSConfig", "PETSRun", "run", "stored_results"]

PLANNERS = (
    "true model",
    "linear model",
    "one network",
    "ensemble (mean)",
    "ensemble (TS-inf)",
)


@dataclass(frozen=True)
class PETSConfig:
    """The settings of the experiment (every default in one place)."""

    n_transitions: int = 200  # random transitions the models are fitted to
    state_scale: float = 1.0  # their states ~ N(0, state_scale^2)
    action_scale: float = 0.5  # their actions ~ U[-action_scale, action_scale]: gentle pushes
    n_members: int = 5
    hidden: tuple[int, ...] = (32, 32)
    activation: str = "relu"  # ReLU networks extrapolate linearly, as the linear model does
    n_gradient_steps: int = 300
    n_steps: int = 30  # the real episode: reach x = 1 from rest in 30 steps of 0.1
    x_target: float = 1.0
    action_cost: float = 0.001
    plan_horizon: int = 10  # MPC's planning horizon
    n_candidates: int = 40  # CEM: candidates per iteration
    n_elites: int = 4
    n_iterations: int = 3
    bound: float = 3.0  # actions the planner may choose: far outside the data's |a| <= 0.5
    n_particles: int = 10  # for TS-inf

    def reward(self) -> ReachReward:
        return ReachReward(self.x_target, self.action_cost)

    def cem(self) -> dict:
        return {
            "n_candidates": self.n_candidates,
            "n_elites": self.n_elites,
            "n_iterations": self.n_iterations,
            "bound": self.bound,
        }


@dataclass(frozen=True)
class PETSRun:
    """One seed: the real return of each planner's MPC episode, and what its first plan promised."""

    seed: int
    real_return: dict[str, float | list[float]]  # "one network": one entry per member
    promised: dict[str, float | list[float]] = field(default_factory=dict)


def run(seed: int, config: PETSConfig | None = None, *, planners: Sequence[str] = PLANNERS):
    """One seed of the experiment (see the module docstring): a `PETSRun`."""
    config = config or PETSConfig()
    seed = validation.check_int("seed", seed, low=0)
    unknown = set(planners) - set(PLANNERS)
    if unknown:
        raise ValueError(f"planners must be among {PLANNERS}, got {sorted(unknown)}")
    data_rng, model_rng, plan_seq = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)
    )
    world = PointMass(u_max=1.0)
    S, U, S_next = random_transitions(
        world,
        config.n_transitions,
        rng=data_rng,
        state_scale=config.state_scale,
        action_scale=config.action_scale,
    )
    ensemble = fit_ensemble(
        S,
        U,
        S_next,
        n_members=config.n_members,
        rng=model_rng,
        hidden=config.hidden,
        activation=config.activation,
        n_gradient_steps=config.n_gradient_steps,
    )
    models = {
        "true model": [world],
        "linear model": [fit_linear_model(S, U, S_next)],
        "one network": list(ensemble.members),  # each alone
        "ensemble (mean)": [ensemble],  # the planners follow its members
        "ensemble (TS-inf)": [ensemble],
    }
    plan_seed = int(plan_seq.integers(2**31))
    real, promised = {}, {}
    for name in planners:
        results = []
        for model in models[name]:
            episode = shooting.model_predictive_control(
                world,
                model,
                config.reward(),
                np.zeros(2),
                n_steps=config.n_steps,
                horizon=config.plan_horizon,
                rng=np.random.default_rng(plan_seed),  # every planner draws the same noise
                propagation="tsinf" if name == "ensemble (TS-inf)" else "mean",
                n_particles=config.n_particles,
                **config.cem(),
            )
            results.append((episode.real_return, float(episode.predicted[0])))
        if name == "one network":
            real[name] = [r for r, _ in results]
            promised[name] = [p for _, p in results]
        else:
            real[name], promised[name] = results[0]
    return PETSRun(seed, real, promised)


def to_json(runs: Sequence[PETSRun], config: PETSConfig) -> str:
    """The runs as JSON (what `benchmarks/seeds_pets.py` stores)."""
    return (
        json.dumps({"config": asdict(config), "runs": [asdict(r) for r in runs]}, indent=1) + "\n"
    )


def from_json(text: str) -> tuple[PETSConfig, list[PETSRun]]:
    """`(config, runs)` read back from `to_json`'s text."""
    data = json.loads(text)
    names = {f.name for f in fields(PETSConfig)}
    config = PETSConfig(
        **{k: tuple(v) if k == "hidden" else v for k, v in data["config"].items() if k in names}
    )
    return config, [PETSRun(r["seed"], r["real_return"], r["promised"]) for r in data["runs"]]


def stored_results() -> tuple[PETSConfig, list[PETSRun]]:
    """The runs stored by `benchmarks/seeds_pets.py`: `(config, runs)`."""
    path = resources.files("mbrl_helpers").joinpath("data/pets_seeds.json")
    return from_json(path.read_text())
