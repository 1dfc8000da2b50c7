"""The checks of lecture 02 pass the reference and fail each typical mistake with its own hint.

Besides the typical mistakes of each exercise, the rules every check keeps (issue 11, point 4):
a function that never returns fails within the time limit; inputs that must not change are
compared; NaN anywhere in a result fails; global random draws are refused; the hint names the
mistake made, both mistakes when two give the same numbers; no numpy reprs in any message.
"""

import random

import numpy as np
import pytest

from mbrl_helpers import models
from mbrl_helpers.course import checks
from mbrl_helpers.course.checks import lecture02
from mbrl_helpers.models import nets
from mbrl_helpers.models.neural import open_loop_rollout


def result_of(exercise_id, fn):
    return checks.evaluate(exercise_id, fn)


def assert_fails_with(exercise_id, fn, hint):
    result = result_of(exercise_id, fn)
    assert result.status == checks.FAILED, result.line
    assert hint in (result.message + " " + (result.hint or "")), result.line
    assert "np.float64(" not in result.line and "np.int64(" not in result.line, result.line


# -- 2.1: the counting update -------------------------------------------------------------------


def update(N, R_sum, s, a, r, s_next):
    N[s, a, s_next] += 1
    R_sum[s, a, s_next] += r


def update_overwrites_count(N, R_sum, s, a, r, s_next):
    N[s, a, s_next] = 1
    R_sum[s, a, s_next] += r


def update_resets_row(N, R_sum, s, a, r, s_next):  # the deterministic model's habit
    N[s, a] = 0
    N[s, a, s_next] = 1
    R_sum[s, a] = 0
    R_sum[s, a, s_next] = r


def update_adds_two(N, R_sum, s, a, r, s_next):
    N[s, a, s_next] += 2
    R_sum[s, a, s_next] += r


def update_whole_row(N, R_sum, s, a, r, s_next):
    N[s, a] += 1
    R_sum[s, a, s_next] += r


def update_last_reward(N, R_sum, s, a, r, s_next):
    N[s, a, s_next] += 1
    R_sum[s, a, s_next] = r


def update_running_mean(N, R_sum, s, a, r, s_next):
    N[s, a, s_next] += 1
    R_sum[s, a, s_next] += (r - R_sum[s, a, s_next]) / N[s, a, s_next]


def update_reward_row(N, R_sum, s, a, r, s_next):
    N[s, a, s_next] += 1
    R_sum[s, a] += r


def update_new_arrays(N, R_sum, s, a, r, s_next):
    N = N.copy()
    N[s, a, s_next] += 1
    return N, R_sum


def update_stores_means(N, R_sum, s, a, r, s_next):  # divides in the update: 0 / 0 elsewhere
    N[s, a, s_next] += 1
    R_sum[s, a, s_next] += r
    with np.errstate(invalid="ignore"):
        R_sum[s, a] = R_sum[s, a] / N[s, a] * N[s, a]


def test_2_1_passes_the_reference():
    assert result_of("2.1", update).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (update_overwrites_count, "count, do not overwrite with 1"),
        (update_resets_row, "it does not reset N[s, a] to the last one"),
        (update_whole_row, "not the whole row"),
        (update_adds_two, "add exactly 1 per transition"),
        (update_last_reward, "do not keep only the last one"),
        (update_running_mean, "store the sum of the rewards"),
        (update_reward_row, "not to a whole row"),
        (update_new_arrays, "in place"),
        (update_stores_means, "do not divide in the update"),
        (update_stores_means, "R_sum[0, 0, 0] is nan"),
    ],
)
def test_2_1_fails_typical_mistakes(wrong, hint):
    assert_fails_with("2.1", wrong, hint)


def test_2_1_not_implemented():
    def todo(N, R_sum, s, a, r, s_next):
        raise NotImplementedError("Exercise 2.1")

    assert result_of("2.1", todo).status == checks.NOT_IMPLEMENTED


# -- 2.2: the distribution ---------------------------------------------------------------------


def distribution(N, R_sum, terminal, s, a):
    n_sa = N[s, a].sum()
    if n_sa == 0:
        raise ValueError(f"(s={s}, a={a}) was never observed")
    return [
        (N[s, a, s2] / n_sa, s2, R_sum[s, a, s2] / N[s, a, s2], bool(terminal[s2]))
        for s2 in np.flatnonzero(N[s, a])
    ]


def dist_with(prob=None, reward=None, term=None, unobserved="raise"):
    def student(N, R_sum, terminal, s, a):
        n_sa = N[s, a].sum()
        if n_sa == 0:
            if unobserved == "raise":
                raise ValueError("never observed")
            return unobserved
        out = []
        for s2 in np.flatnonzero(N[s, a]):
            p = prob(N, s, a, s2) if prob else N[s, a, s2] / n_sa
            r = reward(N, R_sum, s, a, s2) if reward else R_sum[s, a, s2] / N[s, a, s2]
            t = term(terminal, s, s2) if term else terminal[s2]
            out.append((p, s2, r, t))
        return out

    return student


def test_2_2_passes_the_reference_and_variants():
    assert result_of("2.2", distribution).passed

    # zero-probability entries (with a finite reward) are tolerated, order does not matter
    def every_state(N, R_sum, terminal, s, a):
        n_sa = N[s, a].sum()
        if n_sa == 0:
            raise KeyError((s, a))
        r_hat = np.divide(R_sum[s, a], N[s, a], out=np.zeros(len(N)), where=N[s, a] > 0)
        return [(N[s, a, k] / n_sa, k, r_hat[k], terminal[k]) for k in reversed(range(len(N)))]

    assert result_of("2.2", every_state).passed


def test_2_2_rejects_nan_even_in_entries_of_probability_zero():
    def every_state_nan(N, R_sum, terminal, s, a):  # 0 / 0 rewards for outcomes never seen
        n_sa = N[s, a].sum()
        if n_sa == 0:
            raise KeyError((s, a))
        with np.errstate(invalid="ignore"):
            r_hat = R_sum[s, a] / N[s, a]
        return [(N[s, a, k] / n_sa, k, r_hat[k], terminal[k]) for k in range(len(N))]

    assert_fails_with("2.2", every_state_nan, "nan comes from 0 / 0")
    assert_fails_with("2.2", every_state_nan, "reward nan")


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (dist_with(prob=lambda N, s, a, s2: N[s, a, s2] / N.sum()), "normalise per (s, a)"),
        (dist_with(prob=lambda N, s, a, s2: N[s, a, s2] / N[s].sum()), "normalise per (s, a)"),
        (
            dist_with(reward=lambda N, R, s, a, s2: R[s, a].sum() / N[s, a].sum()),
            "average the rewards per outcome",
        ),
        (
            dist_with(reward=lambda N, R, s, a, s2: R[s, a, s2] / N[s, a].sum()),
            "not N(s, a)",
        ),
        (dist_with(reward=lambda N, R, s, a, s2: R[s, a, s2]), "R_sum holds sums"),
        (dist_with(term=lambda terminal, s, s2: terminal[s]), "not terminal[s]"),
        (dist_with(unobserved=[]), "raise a ValueError for a pair never observed"),
        (dist_with(unobserved=[(1.0, 3, 0.0, False)]), "raise a ValueError"),
        (lambda N, R_sum, terminal, s, a: N[s, a] / N[s, a].sum(), "like Gymnasium's P[s][a]"),
    ],
)
def test_2_2_fails_typical_mistakes(wrong, hint):
    assert_fails_with("2.2", wrong, hint)


def test_2_2_rejects_changing_the_counts():
    def divides_in_place(N, R_sum, terminal, s, a):
        out = distribution(N, R_sum, terminal, s, a)
        N[s, a] /= N[s, a].sum()
        return out

    assert_fails_with("2.2", divides_in_place, "only read the counts")

    def marks_terminal(N, R_sum, terminal, s, a):
        terminal[s] = True  # "remember" the pair's state: changes the caller's array
        return distribution(N, R_sum, terminal, s, a)

    assert_fails_with("2.2", marks_terminal, "changed its input terminal")


# -- 2.3: the cross-entropy gradient --------------------------------------------------------------


def ce(logits, targets):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    n = len(logits)
    grad = np.exp(logp)
    grad[np.arange(n), targets] -= 1
    return -logp[np.arange(n), targets].mean(), grad / n


def ce_naive(logits, targets):  # no max subtraction: overflows at large logits
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    n = len(logits)
    onehot = np.eye(logits.shape[1])[targets]
    return -np.log(p[np.arange(n), targets]).mean(), (p - onehot) / n


def ce_variant(kind):
    def student(logits, targets):
        loss, grad = nets.softmax_cross_entropy(logits, targets)
        n = len(logits)
        onehot = np.eye(logits.shape[1])[targets]
        if kind == "sign":
            return loss, -grad
        if kind == "no 1/N":
            return loss, grad * n
        if kind == "logits":
            return loss, (logits - onehot) / n
        if kind == "logits, no 1/N":
            return loss, logits - onehot
        if kind == "columns":
            z = logits - logits.max()
            return loss, (np.exp(z) / np.exp(z).sum(axis=0) - onehot) / n
        if kind == "no onehot":
            return loss, nets.softmax(logits) / n
        if kind == "sum loss":
            return loss * n, grad
        if kind == "in place":
            logits -= logits.max(axis=1, keepdims=True)
            return loss, grad
        if kind == "grad only":
            return grad
        if kind == "targets in place":
            out = nets.softmax_cross_entropy(logits, targets)
            targets[:] = 0
            return out
        raise AssertionError(kind)

    return student


def test_2_3_passes_the_reference():
    assert result_of("2.3", ce).passed
    assert result_of("2.3", nets.softmax_cross_entropy).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (ce_variant("sign"), "the sign is flipped"),
        (ce_variant("no 1/N"), "divide the gradient by N"),
        (ce_variant("logits"), "not the raw logits"),
        (ce_variant("logits, no 1/N"), "two mistakes"),
        (ce_variant("columns"), "normalises each row"),
        (ce_variant("no onehot"), "subtract 1 at the target class"),
        (ce_variant("sum loss"), "the mean over the batch, not the sum"),
        (ce_variant("in place"), "not with -="),
        (ce_variant("grad only"), "return loss, dlogits"),
        (ce_variant("targets in place"), "changed its input targets"),
        (ce_naive, "subtract each row's max logit"),
    ],
)
def test_2_3_fails_typical_mistakes(wrong, hint):
    assert_fails_with("2.3", wrong, hint)


# -- 2.4: the open-loop rollout ---------------------------------------------------------------------


def rollout(predict, states, actions):
    s_hat = [np.array(states[0], dtype=float)]
    for a in actions:
        s_hat.append(predict(s_hat[-1], a))
    return np.array(s_hat)


def rollout_true_states(predict, states, actions):  # teacher forcing: one-step predictions
    return np.array([states[0]] + [predict(s, a) for s, a in zip(states, actions, strict=False)])


def rollout_no_start(predict, states, actions):
    return rollout(predict, states, actions)[1:]


def rollout_shifted(predict, states, actions):
    s_hat = [states[0]]
    for a in actions[1:]:
        s_hat.append(predict(s_hat[-1], a))
    s_hat.append(predict(s_hat[-1], actions[-1]))
    return np.array(s_hat)


def rollout_returns_truth(predict, states, actions):
    return states.copy()


def rollout_in_place(predict, states, actions):
    for t, a in enumerate(actions):
        states[t + 1] = predict(states[t], a)
    return states


def rollout_twice(predict, states, actions):
    rollout(predict, states, actions)
    return rollout(predict, states, actions)


def rollout_forgets_last(predict, states, actions):  # np.full(nan) and one row never set
    s_hat = np.full((len(actions) + 1, len(states[0])), np.nan)
    s_hat[0] = states[0]
    for t in range(len(actions) - 1):
        s_hat[t + 1] = predict(s_hat[t], actions[t])
    return s_hat


def test_2_4_passes_the_reference():
    assert result_of("2.4", rollout).passed
    assert result_of("2.4", lambda p, s, a: open_loop_rollout(p, s[0], a)).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (rollout_true_states, "you fed the model the true state"),
        (rollout_no_start, "include the start"),
        (rollout_shifted, "no shift"),
        (rollout_returns_truth, "you returned the true states"),
        (rollout_in_place, "build a new array"),
        (rollout_twice, "call predict once per step"),
        (rollout_forgets_last, "is not a number"),
        (rollout_forgets_last, "fill every row"),
    ],
)
def test_2_4_fails_typical_mistakes(wrong, hint):
    assert_fails_with("2.4", wrong, hint)


def test_lecture_02_registers_five_exercises():
    assert checks.registered(2) == ["2.1", "2.2", "2.3", "2.4", "2.5"]


# -- 2.5: the pessimistic score of plans under an ensemble -------------------------------------------


def pessimistic(members, s0, plans, upright):
    scores = []
    for member in members:
        s = np.repeat(np.asarray(s0, dtype=float)[None], len(plans), axis=0)
        up = np.ones(len(plans), dtype=bool)
        for t in range(plans.shape[1]):
            s = member.predict(s, plans[:, t].astype(float))
            up &= upright(s)
        scores.append(np.where(up, s[:, 0], -1.0))
    return np.min(scores, axis=0)


def pessimistic_one_plan_at_a_time(members, s0, plans, upright):  # slower, also right
    out = []
    for plan in plans:
        worst = np.inf
        for member in members:
            s, up = np.array(s0, dtype=float), True
            for a in plan:
                s = member.predict(s, a)
                up = up and bool(upright(s))
            worst = min(worst, s[0] if up else -1.0)
        out.append(worst)
    return out


def scores_with(combine=np.min, every_step=True, fallen=-1.0, feed_back=True, which=None):
    """A planted student: `combine` over the members' scores, or one member (`which`)."""

    def student(members, s0, plans, upright):
        per_member = []
        for member in members:
            s = start = np.repeat(np.asarray(s0, dtype=float)[None], len(plans), axis=0)
            up = np.ones(len(plans), dtype=bool)
            for t in range(plans.shape[1]):
                s = member.predict(s if feed_back else start, plans[:, t])
                if every_step:
                    up &= upright(s)
            if not every_step:
                up = upright(s)
            per_member.append(np.where(up, s[:, 0], fallen))
        if which is not None:
            return per_member[which]
        return combine(per_member, axis=0)

    return student


def mixed_members(members, s0, plans, upright):  # member t % K at step t
    s = np.repeat(np.asarray(s0, dtype=float)[None], len(plans), axis=0)
    up = np.ones(len(plans), dtype=bool)
    for t in range(plans.shape[1]):
        s = members[t % len(members)].predict(s, plans[:, t])
        up &= upright(s)
    return np.where(up, s[:, 0], -1.0)


def last_member_only(members, s0, plans, upright):  # the loop overwrites its result
    for member in members:
        score = pessimistic([member], s0, plans, upright)
    return score


def best_plan_index(members, s0, plans, upright):
    return int(np.argmax(pessimistic(members, s0, plans, upright)))


def min_over_plans(members, s0, plans, upright):
    return np.array([pessimistic([m], s0, plans, upright).min() for m in members])


def every_members_scores(members, s0, plans, upright):
    return np.array([pessimistic([m], s0, plans, upright) for m in members])


def nan_for_fallen(members, s0, plans, upright):
    scores = pessimistic(members, s0, plans, upright)
    return np.where(scores == -1.0, np.nan, scores)


def moves_s0(members, s0, plans, upright):
    out = pessimistic(members, s0, plans, upright)
    s0 += 1.0
    return out


def sorts_plans(members, s0, plans, upright):
    out = pessimistic(members, s0, plans, upright)
    plans.sort(axis=1)
    return out


def shuffles_members(members, s0, plans, upright):  # global random state: refused
    order = np.random.permutation(len(members))  # noqa: NPY002 - the planted mistake
    return pessimistic([members[i] for i in order], s0, plans, upright)


def samples_members(members, s0, plans, upright):
    random.shuffle(list(members))
    return pessimistic(members, s0, plans, upright)


def test_2_5_passes_the_reference_and_variants():
    assert result_of("2.5", pessimistic).passed
    assert result_of("2.5", pessimistic_one_plan_at_a_time).passed
    assert result_of("2.5", lambda m, s0, p, up: lecture02.pessimistic_scores(m, s0, p, up)).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (scores_with(np.mean), "you took the mean over the members"),
        (scores_with(every_step=False), "you checked upright only at the last step"),
        (scores_with(fallen=0.0), "scores -1, not 0"),
        (scores_with(feed_back=False), "you predicted every step from s0"),
        (mixed_members, "do not switch members between steps"),
        (last_member_only, "you kept only the last member's scores"),
        (best_plan_index, "not the best plan"),
        (min_over_plans, "you took the minimum over the plans"),
        (every_members_scores, "return their minimum over the members"),
        (nan_for_fallen, "every score must be a number"),
        (moves_s0, "changed its input s0"),
        (sorts_plans, "changed its input plans"),
        (shuffles_members, "drew a random number from np.random.permutation"),
        (samples_members, "drew a random number from random.shuffle"),
    ],
)
def test_2_5_fails_typical_mistakes(wrong, hint):
    assert_fails_with("2.5", wrong, hint)


def test_2_5_names_both_mistakes_that_give_the_same_numbers():
    # in the check's ensemble the first member is also the most optimistic one everywhere, so
    # "only the first member" and "the best member" give the same scores: the hint names both
    for wrong in (scores_with(which=0), scores_with(np.max)):
        result = result_of("2.5", wrong)
        assert result.status == checks.FAILED
        assert "you used only the first member" in result.hint, result.line
        assert "you took the best member" in result.hint, result.line


def test_2_5_accepts_an_ensemble_of_the_package():
    # the lecture passes a models.Ensemble: a sequence of members with predict(s, a)
    toy = lecture02._CASES[0][0]
    ensemble = models.Ensemble(toy)
    s0, plans = np.array([0.1, 0.0]), lecture02._PLANS
    np.testing.assert_allclose(
        pessimistic(ensemble, s0, plans, lecture02._toy_upright),
        lecture02.pessimistic_scores(toy, s0, plans),
    )


# -- every check of the lecture stops a student function that never returns --------------------------


@pytest.mark.parametrize("exercise_id", ["2.1", "2.2", "2.3", "2.4", "2.5"])
def test_a_function_that_never_returns_fails_within_the_time_limit(exercise_id):
    checks.registered(2)
    assert checks._REGISTRY[exercise_id].time_limit == lecture02.TIME_LIMIT

    def endless(*args, **kwargs):
        while True:
            pass

    result = checks.evaluate(exercise_id, endless, time_limit=0.5)
    assert result.status == checks.FAILED and "did not finish within 0.5 s" in result.message
