"""Tests of mbrl_helpers.experiments.example_8_4's comparison over seeds: the runs it records, the
ratios it computes under several ways of counting, and the stored results the lecture loads."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mbrl_helpers import dyna
from mbrl_helpers.envs import DYNA_MAZE, GridWorld
from mbrl_helpers.experiments import example_8_4
from mbrl_helpers.planning import prioritized_sweeping


def test_one_run_records_every_criterion_as_separate_runs_would():
    env = GridWorld(DYNA_MAZE)
    run = example_8_4.run_until_optimal(
        dyna.DynaQAgent(env.n_states, 4, alpha=1.0, rng=np.random.default_rng(3)),
        env,
        env.start,
        slacks=(1.5, 1.0),
    )
    for slack in (1.5, 1.0):
        agent = dyna.DynaQAgent(env.n_states, 4, alpha=1.0, rng=np.random.default_rng(3))
        alone = example_8_4.updates_until_optimal(agent, env, env.start, slack=slack)
        assert run.updates_at(slack) == alone
    assert run.updates_at(1.5) <= run.updates_at(1.0)
    # Dyna-Q makes 6 updates per step; the first reward comes on the first episode's last step
    assert run.updates_before_first_reward == 6 * (run.first_episode_steps - 1)


def test_prioritized_sweeping_makes_no_update_before_the_first_reward():
    env = GridWorld(DYNA_MAZE)
    agent = prioritized_sweeping.PrioritizedSweeping(
        env.n_states, 4, alpha=1.0, rng=np.random.default_rng(0)
    )
    run = example_8_4.run_until_optimal(agent, env, env.start, slacks=(1.2,))
    assert run.updates_before_first_reward == 0 and run.first_episode_steps > 14
    assert run.updates_at(1.2) is not None


def _comparison(dq, ps, before=(0, 0, 0), slacks=(1.2,)):
    def runs(counts, befores):
        return tuple(
            example_8_4.Run(slacks, (n,), b, 10, 1) for n, b in zip(counts, befores, strict=True)
        )

    return example_8_4.Comparison(
        1, 47, 14, 1.0, 5, {"Dyna-Q": runs(dq, before), "prioritized sweeping": runs(ps, (0, 0, 0))}
    )


def test_ratios_under_each_way_of_counting():
    c = _comparison(dq=(600, 1200, 1800), ps=(10, 20, 30), before=(300, 600, 900))
    assert example_8_4.ratios(c).ratio == pytest.approx(60.0)
    assert example_8_4.ratios(c, after_first_reward=True).ratio == pytest.approx(30.0)
    assert example_8_4.ratios(c, dyna_q_updates_per_step=5).ratio == pytest.approx(50.0)
    r = example_8_4.ratios(c)
    assert r.low <= r.ratio <= r.high and r.never == {"Dyna-Q": 0, "prioritized sweeping": 0}
    again = example_8_4.ratios(c)
    assert (again.low, again.high) == (r.low, r.high)  # a seeded bootstrap


def test_runs_that_never_get_there_count_as_infinitely_many_updates():
    c = _comparison(dq=(600, 1200, 1800), ps=(10, None, None))
    r = example_8_4.ratios(c)
    assert math.isinf(r.prioritized_sweeping) and math.isnan(r.ratio)
    assert r.never == {"Dyna-Q": 0, "prioritized sweeping": 2}


def test_json_round_trip_and_the_stored_results():
    c = example_8_4.compare(1, 2, seed=0, slacks=(1.2,))
    settings, back = example_8_4.from_json(example_8_4.to_json([c], {"seed": 0}))
    assert back == [c] and settings == {"seed": 0}
    settings, stored = example_8_4.stored_results()
    assert {(s.alpha, s.factor) for s in stored} == {
        (a, f) for a in settings["alphas"] for f in settings["factors"]
    }
    kept = next(s for s in stored if (s.alpha, s.factor) == (1.0, 1))
    assert len(kept.runs["Dyna-Q"]) == settings["n_runs"]
    for name in example_8_4.AGENTS:  # the first runs of the stored comparison are reproduced
        for live, old in zip(c.runs[name], kept.runs[name][:2], strict=True):
            assert live.updates_at(1.2) == old.updates_at(1.2)
            assert live.updates_before_first_reward == old.updates_before_first_reward


def test_compare_and_run_until_optimal_validate_their_arguments():
    env = GridWorld(DYNA_MAZE)
    agent = dyna.DynaQAgent(env.n_states, 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="at least one criterion"):
        example_8_4.run_until_optimal(agent, env, env.start, slacks=())
    with pytest.raises(ValueError, match="factor must be >= 1"):
        example_8_4.compare(0, 2, seed=0)
    with pytest.raises(ValueError, match="n_runs must be >= 1"):
        example_8_4.compare(1, 0, seed=0)
