"""Learned models: the classifier p(s'|s,a), the CartPole regression model, rollouts, Jacobians."""

import gymnasium as gym
import numpy as np
import pytest

from mbrl_helpers.models import nets
from mbrl_helpers.models import neural as nm

# A small stochastic MDP: T[s, a, s']
T = np.array(
    [
        [[0.8, 0.2, 0.0], [0.0, 0.5, 0.5]],
        [[0.1, 0.0, 0.9], [1.0, 0.0, 0.0]],
        [[0.0, 0.0, 1.0], [0.3, 0.3, 0.4]],
    ]
)


def sample_table(n, rng):
    s = rng.integers(0, 3, size=n)
    a = rng.integers(0, 2, size=n)
    u = rng.random(n)[:, None]
    s_next = (u > np.cumsum(T[s, a], axis=1)).sum(axis=1)
    return s, a, s_next


def test_classifier_learns_a_stochastic_table():
    rng = np.random.default_rng(0)
    s, a, s_next = sample_table(1200, rng)
    model = nm.ClassifierModel(3, 2, rng=np.random.default_rng(1), hidden=(16,))
    hist = model.fit(
        s, a, s_next, rng=rng, n_gradient_steps=600, batch_size=1200, lr=5e-3, progress=False
    )
    p = model.predict_proba(np.repeat(np.arange(3), 2), np.tile(np.arange(2), 3)).reshape(3, 2, 3)
    counts = np.zeros((3, 2, 3))
    np.add.at(counts, (s, a, s_next), 1)
    mle = counts / counts.sum(axis=-1, keepdims=True)  # what the counting table model learns
    assert 0.5 * np.abs(p - mle).sum(axis=-1).max() < 0.04
    assert 0.5 * np.abs(p - T).sum(axis=-1).max() < 0.1
    assert np.mean(hist.train[-50:]) < np.mean(hist.train[:10])
    assert model.predict_proba(0, 0).shape == (3,)
    draws = [model.sample_next_state(0, 0, rng=rng) for _ in range(500)]
    assert set(draws) <= {0, 1, 2} and 0.7 < draws.count(0) / 500 < 0.9


def test_classifier_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    model = nm.ClassifierModel(4, 2, rng=rng, hidden=(5,))
    s, a, s_next = rng.integers(0, 4, 7), rng.integers(0, 2, 7), rng.integers(0, 4, 7)
    x = model.features(s, a)
    out, cache = model.net.forward_cache(x)
    grads, _ = model.net.backward(cache, nets.softmax_cross_entropy(out, s_next)[1])

    def f():
        return nets.softmax_cross_entropy(model.net.forward(x), s_next)[0]

    for p, g in zip(model.net.params, grads, strict=True):
        np.testing.assert_allclose(g, nets.numerical_gradient(f, p), atol=1e-7)


def linear_data(n, rng):
    A = np.array([[1.0, 0.1], [-0.2, 0.9]])
    B = np.array([[0.0], [0.5]])
    s = rng.normal(size=(n, 2))
    a = rng.uniform(-1, 1, size=(n, 1))
    return s, a, s @ A.T + a @ B.T, A, B


def test_regression_model_vjp_and_jacobian_match_finite_differences():
    rng = np.random.default_rng(3)
    s, a, s_next, _A, _B = linear_data(200, rng)
    model = nm.RegressionModel(2, 1, rng=np.random.default_rng(4), hidden=(8,))
    model.fit(
        s, a, s_next, rng=rng, n_gradient_steps=50, progress=False
    )  # non-trivial standardisation
    s0, a0 = np.array([0.3, -0.7]), np.array([0.2])
    J_s, J_a = model.jacobian(s0, a0)
    for i in range(2):
        num_s = nets.numerical_gradient(lambda i=i: model.predict(s0, a0)[i], s0)
        num_a = nets.numerical_gradient(lambda i=i: model.predict(s0, a0)[i], a0)
        np.testing.assert_allclose(J_s[i], num_s, atol=1e-6)
        np.testing.assert_allclose(J_a[i], num_a, atol=1e-6)
    # a batch vjp is a row of J for each sample
    g = rng.normal(size=(3, 2))
    S, Acts = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
    ds, da = model.vjp(S, Acts, g)
    for k in range(3):
        Js, Ja = model.jacobian(S[k], Acts[k])
        np.testing.assert_allclose(ds[k], g[k] @ Js, atol=1e-10)
        np.testing.assert_allclose(da[k], g[k] @ Ja, atol=1e-10)


def test_regression_model_recovers_a_linear_system():
    rng = np.random.default_rng(5)
    s, a, s_next, A, B = linear_data(2000, rng)
    model = nm.RegressionModel(2, 1, rng=np.random.default_rng(6), hidden=(32,))
    model.fit(s, a, s_next, rng=rng, n_gradient_steps=1500, lr=3e-3, progress=False)
    J_s, J_a = model.jacobian(np.zeros(2), np.zeros(1))
    np.testing.assert_allclose(J_s, A, atol=0.05)
    np.testing.assert_allclose(J_a, B, atol=0.05)


def test_cartpole_one_step_error_is_small_and_grows_with_the_horizon():
    env = gym.make("CartPole-v1")
    train = nm.collect_transitions(env, 3000, rng=np.random.default_rng(0))
    test = nm.collect_transitions(env, 1000, rng=np.random.default_rng(1))
    model = nm.RegressionModel(4, 1, rng=np.random.default_rng(2))
    hist = model.fit(
        train["s"],
        train["a"],
        train["s_next"],
        rng=np.random.default_rng(3),
        n_gradient_steps=1500,
        validation=(test["s"], test["a"], test["s_next"]),
        progress=False,
    )
    assert hist.val[-1] < 0.01 * hist.val[0]
    one_step = np.abs(model.predict(test["s"], test["a"]) - test["s_next"]).mean(axis=0)
    copy = np.abs(test["s"] - test["s_next"]).mean(axis=0)  # "nothing changes" baseline
    assert np.all(one_step < 0.05 * copy)
    errors = {h: [] for h in (1, 5, 10)}
    for e in np.unique(test["episode"]):
        idx = np.flatnonzero(test["episode"] == e)
        if not (test["terminated"][idx[-1]] or test["truncated"][idx[-1]]):
            continue  # the step budget cut this (last) episode short
        s_hat = nm.open_loop_rollout(model.predict, test["s"][idx[0]], test["a"][idx])
        for h in errors:
            if h <= len(idx):
                errors[h].append(np.abs(s_hat[h] - test["s_next"][idx[h - 1]]).mean())
    mean = [np.mean(errors[h]) for h in (1, 5, 10)]
    assert mean[0] < mean[1] < mean[2] and mean[2] > 3 * mean[0]


def test_open_loop_rollout_feeds_its_own_predictions():
    seen = []

    def predict(s, a):
        seen.append(np.array(s))
        return s + a

    s_hat = nm.open_loop_rollout(predict, np.array([0.0, 1.0]), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(s_hat, [[0, 1], [1, 2], [3, 4], [6, 7]])
    np.testing.assert_allclose(seen, s_hat[:-1])


def test_collect_transitions_is_reproducible_and_consistent():
    env = gym.make("CartPole-v1")
    d1 = nm.collect_transitions(env, 300, rng=np.random.default_rng(9))
    d2 = nm.collect_transitions(env, 300, rng=np.random.default_rng(9))
    assert all(np.array_equal(d1[k], d2[k]) for k in d1)
    assert d1["s"].shape == (300, 4) and d1["a"].shape == (300,)
    # within an episode, s_next of a step is s of the next one
    same = d1["episode"][1:] == d1["episode"][:-1]
    np.testing.assert_array_equal(d1["s_next"][:-1][same], d1["s"][1:][same])
    assert d1["terminated"].sum() == d1["episode"].max()  # random play ends by failing
    assert not d1["truncated"].any()  # ... long before the 500-step time limit
    ended = d1["terminated"] | d1["truncated"]
    # every episode but the last ends with its last step, and no step before that ends it
    last = np.r_[d1["episode"][1:] != d1["episode"][:-1], True]
    np.testing.assert_array_equal(ended[:-1], last[:-1])


def test_one_hot_and_bad_input():
    np.testing.assert_array_equal(nm.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"i must hold integers in \[0, 2\]"):
        nm.one_hot(3, 3)
    rng = np.random.default_rng(0)
    model = nm.RegressionModel(4, 1, rng=rng)
    with pytest.raises(ValueError, match=r"s must have shape \(N, 4\)"):
        model.predict(np.zeros(3), 0.0)
    with pytest.raises(ValueError, match=r"a must have shape \(2, 1\)"):
        model.predict(np.zeros((2, 4)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="g must have the shape"):
        model.vjp(np.zeros(4), 0.0, np.zeros(3))
    with pytest.raises(ValueError, match="s and a must be equal-length"):
        nm.ClassifierModel(3, 2, rng=rng).features([0, 1], [0])
    with pytest.raises(TypeError, match="rng must be"):
        nm.collect_transitions(gym.make("CartPole-v1"), 5, rng=0)
    with pytest.raises(
        ValueError, match=r"s_next must hold one next state per state, shape \(5, 4\)"
    ):
        model.fit(np.zeros((5, 4)), np.zeros(5), np.zeros((5, 3)), rng=rng, progress=False)
    with pytest.raises(ValueError, match=r"got shape \(4, 5\)"):  # transposed: not reshaped
        model.fit(np.zeros((5, 4)), np.zeros(5), np.zeros((4, 5)), rng=rng, progress=False)
    with pytest.raises(ValueError, match="validation's s_next must hold one next state"):
        model.fit(
            np.zeros((5, 4)),
            np.zeros(5),
            np.zeros((5, 4)),
            rng=rng,
            n_gradient_steps=1,
            validation=(np.zeros((2, 4)), np.zeros(2), np.zeros(3)),
            progress=False,
        )
