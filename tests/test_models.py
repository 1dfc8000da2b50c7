"""Table models: counting, Gymnasium-style distributions, priors, convergence to the true P."""

import gymnasium as gym
import numpy as np
import pytest

from mbrl_helpers import models


def frozen_lake_P():
    env = gym.make("FrozenLake-v1", is_slippery=True)
    return env.unwrapped.P


def sample_from(dist, rng):
    probs = np.array([p for p, *_ in dist])
    i = rng.choice(len(dist), p=probs / probs.sum())
    _p, s_next, r, terminated = dist[i]
    return r, s_next, terminated


def test_tabular_counts_and_normalises_per_pair():
    m = models.TabularModel()
    for s_next in (1, 1, 2):
        m.update(0, 0, 0.0, s_next, False)
    m.update(0, 1, 0.0, 5, False)  # another action of the same state must not dilute (0, 0)
    dist = m.distribution(0, 0)
    assert [(s2, p) for p, s2, _r, _t in dist] == [
        (1, pytest.approx(2 / 3)),
        (2, pytest.approx(1 / 3)),
    ]
    assert m.distribution(0, 1) == [(1.0, 5, 0.0, False)]
    assert m.count(0, 0) == 3 and m.count(0, 0, 1) == 2 and m.count(0, 0, 7) == 0
    assert m.count(9, 9) == 0


def test_tabular_averages_reward_per_outcome_not_per_pair():
    m = models.TabularModel()
    m.update(14, 2, 1.0, 15, True)
    m.update(14, 2, 1.0, 15, True)
    m.update(14, 2, 0.0, 10, False)
    m.update(14, 2, 0.5, 10, False)
    rewards = {s2: r for _p, s2, r, _t in m.distribution(14, 2)}
    assert rewards == {15: 1.0, 10: 0.25}


def test_tabular_keeps_terminated_and_not_terminated_apart():
    m = models.TabularModel()
    m.update(3, 0, 0.0, 4, True)
    m.update(3, 0, 0.0, 4, False)
    dist = m.distribution(3, 0)
    assert sorted((t, p) for p, _s2, _r, t in dist) == [(False, 0.5), (True, 0.5)]
    assert m.count(3, 0, 4) == 2


def test_deterministic_model_keeps_the_last_outcome():
    m = models.DeterministicModel()
    m.update(0, 1, 0.0, 4, False)
    m.update(0, 1, 1.0, 7, True)
    assert m.distribution(0, 1) == [(1.0, 7, 1.0, True)]
    assert m.sample(0, 1, rng=np.random.default_rng(0)) == (1.0, 7, True)


@pytest.mark.parametrize("cls", [models.TabularModel, models.DeterministicModel])
def test_unobserved_pair_raises_unless_a_prior_is_given(cls):
    m = cls()
    m.update(0, 0, 0.0, 1)
    with pytest.raises(models.UnobservedPairError, match=r"s=2, a=3.*never observed"):
        m.distribution(2, 3)
    with pytest.raises(models.UnobservedPairError):
        m.sample(2, 3, rng=np.random.default_rng(0))
    assert (0, 0) in m and (2, 3) not in m
    m = cls(prior=models.self_loop_prior(reward=1.0))
    assert m.distribution(2, 3) == [(1.0, 2, 1.0, False)]
    assert (2, 3) not in m  # the prior answers but is not an observation


def test_observed_pairs_in_first_seen_order_and_numpy_ints_become_ints():
    m = models.TabularModel()
    for s, a in [(np.int64(3), np.int64(1)), (0, 2), (3, 1)]:
        m.update(s, a, 0.0, np.int64(4))
    assert m.observed_pairs == [(3, 1), (0, 2)]
    assert all(type(x) is int for pair in m.observed_pairs for x in pair)
    assert type(m.distribution(3, 1)[0][1]) is int
    assert len(m) == 2


def test_sample_frequencies_match_the_distribution():
    m = models.TabularModel()
    for s_next in [1] * 6 + [2] * 3 + [3]:
        m.update(0, 0, float(s_next), s_next)
    rng = np.random.default_rng(0)
    draws = [m.sample(0, 0, rng=rng) for _ in range(20_000)]
    freq = {k: sum(d[1] == k for d in draws) / len(draws) for k in (1, 2, 3)}
    assert freq == pytest.approx({1: 0.6, 2: 0.3, 3: 0.1}, abs=0.015)
    assert all(r == float(s_next) for r, s_next, _t in draws)


def test_sample_is_reproducible_with_the_same_seed():
    m = models.TabularModel()
    for s_next in range(5):
        m.update(0, 0, 0.0, s_next)
    a = [m.sample(0, 0, rng=np.random.default_rng(7)) for _ in range(3)]
    b = [m.sample(0, 0, rng=np.random.default_rng(7)) for _ in range(3)]
    assert a == b


def test_random_pair_draws_every_observed_pair():
    m = models.DeterministicModel()
    for s in range(4):
        m.update(s, s % 2, 0.0, s + 1)
    rng = np.random.default_rng(0)
    seen = {m.random_pair(rng=rng) for _ in range(200)}
    assert seen == {(0, 0), (1, 1), (2, 0), (3, 1)}
    with pytest.raises(models.UnobservedPairError, match="empty"):
        models.TabularModel().random_pair(rng=rng)


def test_tabular_model_converges_to_frozen_lake_true_P():
    P = frozen_lake_P()
    rng = np.random.default_rng(0)
    m = models.TabularModel()
    pairs = [(s, a) for s in P for a in P[s]]
    for n in (20, 2000):
        for s, a in pairs:
            for _ in range(n - m.count(s, a)):
                r, s_next, terminated = sample_from(P[s][a], rng)
                m.update(s, a, r, s_next, terminated)
        tv = max(models.total_variation(m.distribution(s, a), P[s][a]) for s, a in pairs)
        if n == 20:
            tv_small = tv
    assert tv < 0.05 < tv_small
    # rewards and termination flags of the learned outcomes are the true ones
    true = {(s, a, s2): (r, t) for s, a in pairs for _p, s2, r, t in P[s][a]}
    for s, a in pairs:
        for _p, s2, r, t in m.distribution(s, a):
            assert true[(s, a, s2)] == (r, t)


def test_to_P_exports_observed_pairs_and_fills_the_grid_with_the_prior():
    m = models.TabularModel()
    m.update(1, 0, 0.0, 2)
    m.update(0, 1, 1.0, 1, True)
    assert m.to_P() == {0: {1: [(1.0, 1, 1.0, True)]}, 1: {0: [(1.0, 2, 0.0, False)]}}
    with pytest.raises(models.UnobservedPairError, match="2 of the 4 pairs"):
        m.to_P(2, 2)
    m.prior = models.self_loop_prior()
    P = m.to_P(2, 2)
    assert P[0][0] == [(1.0, 0, 0.0, False)] and P[0][1] == [(1.0, 1, 1.0, True)]
    assert sorted(P) == [0, 1] and all(sorted(P[s]) == [0, 1] for s in P)
    assert m.to_P(["x"], [0]) == {"x": {0: [(1.0, "x", 0.0, False)]}}


def test_total_variation_merges_repeated_next_states():
    p = [(0.5, 0, 0, False), (0.5, 0, 0, False)]
    assert models.total_variation(p, [(1.0, 0, 0, False)]) == 0.0
    assert models.total_variation(p, [(1.0, 1, 0, False)]) == 1.0
    assert models.total_variation([(0.6, 0, 0, False), (0.4, 1, 0, False)], p) == pytest.approx(0.4)


def test_bad_input_names_the_argument():
    m = models.TabularModel()
    with pytest.raises(TypeError, match="s must be hashable"):
        m.update(np.zeros(2), 0, 0.0, 1)
    with pytest.raises(TypeError, match="s_next must be hashable"):
        m.update(0, 0, 0.0, [1])
    m.update(0, 0, 0.0, 1)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        m.sample(0, 0, rng=42)
    with pytest.raises(TypeError, match="prior must be None or a function"):
        models.TabularModel(prior=0.5)
    with pytest.raises(ValueError, match="both states and actions"):
        m.to_P(states=3)
    with pytest.raises(ValueError, match="states must be >= 1"):
        m.to_P(0, 2)
    with pytest.raises(ValueError, match="p's probabilities must sum to 1"):
        models.total_variation([(2.0, 0, 0.0, False)], [(1.0, 0, 0.0, False)])
    with pytest.raises(ValueError, match="q's probabilities must hold non-negative"):
        models.total_variation([(1.0, 0, 0.0, False)], [(-0.5, 0, 0.0, False), (1.5, 1, 0, False)])
    with pytest.raises(TypeError, match="reward must be a number"):
        models.self_loop_prior("x")


# -- the replay buffer: the real transitions themselves -----------------------------------------


def test_replay_buffer_keeps_every_transition_with_its_duplicates():
    buffer = models.ReplayBuffer()
    for s_next in (1, 1, 2):
        buffer.add(0, 0, 0.0, s_next, False)
    buffer.add(np.int64(3), 1, 1, 4, np.bool_(True))
    assert len(buffer) == 4 and buffer.n_added == 4
    assert buffer.transitions[:3] == [(0, 0, 0.0, 1, False)] * 2 + [(0, 0, 0.0, 2, False)]
    assert buffer.transitions[3] == (3, 1, 1.0, 4, True)
    assert buffer.pair_counts() == {(0, 0): 3, (3, 1): 1}
    assert "4 transitions, capacity unlimited" in repr(buffer)


def test_replay_buffer_with_a_capacity_forgets_the_oldest_first():
    buffer = models.ReplayBuffer(capacity=3)
    for t in range(5):
        buffer.add(t, 0, 0.0, t + 1, False)
    assert len(buffer) == 3 and buffer.n_added == 5
    assert sorted(s for s, *_ in buffer.transitions) == [2, 3, 4]  # 0 and 1 went first
    buffer.add(5, 0, 0.0, 6, False)
    assert sorted(s for s, *_ in buffer.transitions) == [3, 4, 5]


def test_replay_samples_each_stored_transition_equally_often_so_pairs_as_often_as_they_happened():
    buffer = models.ReplayBuffer()
    for _ in range(3):
        buffer.add(0, 0, 0.0, 1, False)  # (0, 0) happened three times
    buffer.add(1, 0, 0.0, 2, False)  # (1, 0) once
    drawn = buffer.random_transitions(8000, rng=np.random.default_rng(0))
    share = np.mean([s == 0 for s, *_ in drawn])
    assert 0.73 < share < 0.77  # 3/4, where a model's "state, then action" would give 1/2
    # one uniform per draw, the int(u * len)-th entry
    u = np.random.default_rng(1).random(5)
    expected = [buffer.transitions[int(x * 4)] for x in u]
    assert buffer.random_transitions(5, rng=np.random.default_rng(1)) == expected


def test_replay_buffer_names_its_bad_arguments():
    with pytest.raises(ValueError, match="capacity must be >= 1"):
        models.ReplayBuffer(capacity=0)
    with pytest.raises(TypeError, match="capacity must be an integer"):
        models.ReplayBuffer(capacity=2.5)
    buffer = models.ReplayBuffer()
    assert buffer.random_transitions(0, rng=np.random.default_rng(0)) == []
    with pytest.raises(ValueError, match="the buffer is empty"):
        buffer.random_transitions(1, rng=np.random.default_rng(0))
    buffer.add(0, 0, 0.0, 1, False)
    with pytest.raises(ValueError, match="n must be >= 0"):
        buffer.random_transitions(-1, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        buffer.random_transitions(1, rng=0)
