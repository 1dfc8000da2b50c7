"""Ensembles of learned models: the mean, the disagreement, a random member, bootstrap fitting."""

import numpy as np
import pytest

from mbrl_helpers import models
from mbrl_helpers.models import neural as nm
from mbrl_helpers.randomness import random_indices


class Shift:
    """A made-up one-step model: s' = s + c * a (any shape of batch)."""

    def __init__(self, c):
        self.c = np.asarray(c, dtype=float)

    def predict(self, s, a):
        s = np.asarray(s, dtype=float)
        a = np.asarray(a, dtype=float)
        return s + self.c * (a[..., None] if a.ndim else a)


def three():
    return models.Ensemble([Shift([0.0, 1.0]), Shift([0.0, 2.0]), Shift([0.0, 3.0])])


def test_an_ensemble_is_a_sequence_of_its_members():
    ens = three()
    assert len(ens) == 3 and ens[1] is ens.members[1]
    assert [m.c[1] for m in ens] == [1.0, 2.0, 3.0]
    assert list(ens[:2]) == list(ens.members[:2])
    assert "3 members" in repr(ens)

    def plan_with_models(models_, s, a):  # a planner written for "a sequence of models"
        return [m.predict(s, a) for m in models_]

    assert len(plan_with_models(ens, np.zeros(2), 1.0)) == 3


def test_predictions_mean_and_disagreement_for_a_batch_and_for_one_state():
    ens = three()
    s, a = np.zeros((4, 2)), np.array([0.0, 1.0, 2.0, 1.0])
    preds = ens.predictions(s, a)
    assert preds.shape == (3, 4, 2)
    np.testing.assert_allclose(ens.predict(s, a), preds.mean(axis=0))
    # members differ only in the second variable, by a * std(1, 2, 3) = a * sqrt(2/3)
    u = ens.disagreement(s, a)
    np.testing.assert_allclose(u, a * np.sqrt(2 / 3) / 2)  # mean over the 2 variables
    assert ens.predictions(np.zeros(2), 1.0).shape == (3, 2)
    assert isinstance(ens.disagreement(np.zeros(2), 1.0), float)
    assert ens.disagreement(np.zeros(2), 0.0) == 0.0


def test_disagreement_is_measured_in_units_of_scale():
    members = three().members
    plain = models.Ensemble(members).disagreement(np.zeros(2), 1.0)
    scaled = models.Ensemble(members, scale=[1.0, 4.0]).disagreement(np.zeros(2), 1.0)
    assert scaled == pytest.approx(plain / 4.0)
    with pytest.raises(ValueError, match="scale has 3 entries"):
        models.Ensemble(members, scale=[1.0, 1.0, 1.0]).disagreement(np.zeros(2), 1.0)


def test_identical_members_never_disagree():
    ens = models.Ensemble([Shift([1.0, 1.0])] * 4)
    assert np.all(ens.disagreement(np.ones((5, 2)), np.ones(5)) == 0.0)
    assert models.Ensemble([Shift([1.0, 1.0])]).disagreement(np.zeros(2), 3.0) == 0.0


def test_sample_next_state_draws_one_member_per_row_uniformly_and_reproducibly():
    ens = three()
    n = 6_000
    s, a = np.zeros((n, 2)), np.ones(n)
    draws = ens.sample_next_state(s, a, rng=np.random.default_rng(0))
    assert draws.shape == (n, 2)
    member = draws[:, 1].round().astype(int) - 1  # member k predicts second variable k + 1
    assert set(member) == {0, 1, 2}
    freq = np.bincount(member) / n
    np.testing.assert_allclose(freq, 1 / 3, atol=0.03)
    again = ens.sample_next_state(s, a, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(draws, again)
    one = ens.sample_next_state(np.zeros(2), 1.0, rng=np.random.default_rng(1))
    assert one.shape == (2,) and one[1] in (1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        ens.sample_next_state(s, a, rng=0)


def linear_data(n, rng):
    # s' = A s + B a for a 2-D state and a scalar action, states near the origin
    A = np.array([[1.0, 0.1], [0.0, 0.95]])
    B = np.array([0.0, 0.1])
    s = rng.normal(scale=0.5, size=(n, 2))
    a = rng.uniform(-1.0, 1.0, size=n)
    return s, a, s @ A.T + np.outer(a, B)


def test_fit_ensemble_learns_the_data_and_disagrees_away_from_it():
    s, a, s_next = linear_data(400, np.random.default_rng(0))
    ens = models.fit_ensemble(
        s, a, s_next, n_members=4, rng=np.random.default_rng(1), n_gradient_steps=400
    )
    assert len(ens) == 4 and all(isinstance(m, nm.RegressionModel) for m in ens)
    np.testing.assert_allclose(ens.scale, (s_next - s).std(axis=0))
    s_test, a_test, next_test = linear_data(200, np.random.default_rng(2))
    near_error = np.abs(ens.predict(s_test, a_test) - next_test).mean()
    assert near_error < 0.05 * np.abs(next_test - s_test).mean() + 0.01
    far = s_test * 8.0  # far outside the data
    assert ens.disagreement(far, a_test).mean() > 5 * ens.disagreement(s_test, a_test).mean()


def test_fit_ensemble_is_reproducible_and_members_differ():
    s, a, s_next = linear_data(100, np.random.default_rng(0))

    def fit(seed, **kwargs):
        return models.fit_ensemble(
            s,
            a,
            s_next,
            n_members=3,
            rng=np.random.default_rng(seed),
            n_gradient_steps=50,
            **kwargs,
        )

    probe = np.array([[2.0, -2.0]]), np.array([0.5])
    np.testing.assert_array_equal(fit(7).predictions(*probe), fit(7).predictions(*probe))
    assert not np.allclose(fit(7).predictions(*probe), fit(8).predictions(*probe))
    preds = fit(7).predictions(*probe)
    assert not np.allclose(preds[0], preds[1])  # each member its own weights and resample
    no_bootstrap = fit(7, bootstrap=False).predictions(*probe)
    assert not np.allclose(no_bootstrap[0], no_bootstrap[1])  # still their own weights


def test_fit_ensemble_draws_resample_weights_and_minibatches_in_that_order():
    # the documented order, so that a loop written by hand gives the same members
    s, a, s_next = linear_data(80, np.random.default_rng(0))
    U = a[:, None]
    ens = models.fit_ensemble(
        s,
        U,
        s_next,
        n_members=2,
        rng=np.random.default_rng(3),
        activation="relu",
        hidden=(8,),
        n_gradient_steps=20,
    )
    rng = np.random.default_rng(3)
    for member in ens:
        rows = random_indices(len(s), len(s), rng=rng)
        by_hand = nm.RegressionModel(2, 1, rng=rng, hidden=(8,), activation="relu")
        by_hand.fit(s[rows], U[rows], s_next[rows], rng=rng, n_gradient_steps=20, progress=False)
        np.testing.assert_array_equal(member.predict(s, U), by_hand.predict(s, U))


def test_fit_ensemble_takes_actions_as_a_vector_or_a_column():
    s, a, s_next = linear_data(60, np.random.default_rng(0))
    for actions in (a, a[:, None]):
        ens = models.fit_ensemble(
            s, actions, s_next, n_members=2, rng=np.random.default_rng(0), n_gradient_steps=5
        )
        assert ens.predict(s, actions).shape == (60, 2)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: models.Ensemble([]), ValueError, "at least one model"),
        (lambda: models.Ensemble(5), TypeError, "members must be a sequence of models"),
        (lambda: models.Ensemble([object()]), TypeError, r"members\[0\] must have a predict"),
        (lambda: models.Ensemble([Shift(1.0)], scale=[0.0, 1.0]), ValueError, "scale must be"),
        (lambda: models.Ensemble([Shift(1.0)], scale=[[1.0]]), ValueError, "scale must be"),
        (
            lambda: models.fit_ensemble(
                np.zeros((5, 2)),
                np.zeros(5),
                np.zeros((5, 2)),
                n_members=0,
                rng=np.random.default_rng(0),
            ),
            ValueError,
            "n_members must be >= 1",
        ),
        (
            lambda: models.fit_ensemble(
                np.zeros((5, 2)), np.zeros(5), np.zeros((5, 2)), n_members=2, rng=3
            ),
            TypeError,
            "rng must be a numpy.random.Generator",
        ),
        (
            lambda: models.fit_ensemble(
                np.zeros(5), np.zeros(5), np.zeros(5), n_members=2, rng=np.random.default_rng(0)
            ),
            ValueError,
            r"s must have shape \(N, obs_dim\)",
        ),
        (
            lambda: models.fit_ensemble(
                np.zeros((5, 2)),
                np.zeros(4),
                np.zeros((5, 2)),
                n_members=2,
                rng=np.random.default_rng(0),
            ),
            ValueError,
            "a must hold one action per state",
        ),
        (
            lambda: models.fit_ensemble(
                np.zeros((5, 2)),
                np.zeros(5),
                np.zeros((5, 3)),
                n_members=2,
                rng=np.random.default_rng(0),
            ),
            ValueError,
            "s_next must have the shape of s",
        ),
    ],
)
def test_bad_input_names_the_argument(make, error, match):
    with pytest.raises(error, match=match):
        make()
