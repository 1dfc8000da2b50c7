"""Tests of mbrl_helpers.experiments.pets: one seed of the experiment, and the stored results the
lecture loads."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mbrl_helpers.experiments import pets

TINY = pets.PETSConfig(
    n_transitions=40, n_members=2, hidden=(8,), n_gradient_steps=20, n_steps=4, plan_horizon=3,
    n_candidates=8, n_elites=2, n_iterations=1, n_particles=3,
)  # fmt: skip


def test_one_seed_is_reproducible_and_runs_every_planner():
    run = pets.run(3, TINY)
    assert set(run.real_return) == set(pets.PLANNERS)
    assert len(run.real_return["one network"]) == TINY.n_members
    assert run == pets.run(3, TINY)
    assert run != pets.run(4, TINY)
    only = pets.run(3, TINY, planners=("true model",))
    assert only.real_return == {"true model": run.real_return["true model"]}
    with pytest.raises(ValueError, match="planners must be among"):
        pets.run(3, TINY, planners=("oracle",))


def test_json_round_trip_and_the_stored_results():
    run = pets.run(1, TINY)
    config, runs = pets.from_json(pets.to_json([run], TINY))
    assert config == TINY and runs == [run]
    config, stored = pets.stored_results()
    assert config == pets.PETSConfig() and [r.seed for r in stored] == list(range(len(stored)))
    assert len(stored) >= 20
    # on average over the seeds, no learned model beats planning through the true dynamics
    means = {k: np.mean([np.mean(r.real_return[k]) for r in stored]) for k in pets.PLANNERS}
    assert max(means, key=means.get) == "true model"


def test_the_stored_seed_0_is_what_the_code_computes():
    config, stored = pets.stored_results()
    live = pets.run(0, config, planners=("true model", "ensemble (mean)"))
    for name in live.real_return:
        assert live.real_return[name] == stored[0].real_return[name]


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TINY.n_members = 3  # type: ignore[misc]
