"""The checks of lecture 02 pass the reference and fail each typical mistake with its own hint."""

import numpy as np
import pytest

from mbrl_helpers.course import checks
from mbrl_helpers.models import nets
from mbrl_helpers.models.neural import open_loop_rollout


def result_of(exercise_id, fn):
    return checks.evaluate(exercise_id, fn)


def assert_fails_with(exercise_id, fn, hint):
    result = result_of(exercise_id, fn)
    assert result.status == checks.FAILED, result.line
    assert hint in (result.hint or ""), result.line


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


def test_2_1_passes_the_reference():
    assert result_of("2.1", update).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (update_overwrites_count, "count, do not overwrite with 1"),
        (update_resets_row, "it does not reset N[s, a] to the last one"),
        (update_whole_row, "not the whole row"),
        (update_last_reward, "do not keep only the last one"),
        (update_running_mean, "store the sum of the rewards"),
        (update_reward_row, "not to a whole row"),
        (update_new_arrays, "in place"),
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

    # zero-probability entries (with their 0/0 rewards) are tolerated, order does not matter
    def every_state(N, R_sum, terminal, s, a):
        n_sa = N[s, a].sum()
        if n_sa == 0:
            raise KeyError((s, a))
        with np.errstate(invalid="ignore"):
            r_hat = R_sum[s, a] / N[s, a]
        return [(N[s, a, k] / n_sa, k, r_hat[k], terminal[k]) for k in reversed(range(len(N)))]

    assert result_of("2.2", every_state).passed


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
        (ce_variant("columns"), "normalises each row"),
        (ce_variant("no onehot"), "subtract 1 at the target class"),
        (ce_variant("sum loss"), "the mean over the batch, not the sum"),
        (ce_variant("in place"), "not with -="),
        (ce_variant("grad only"), "return loss, dlogits"),
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
    ],
)
def test_2_4_fails_typical_mistakes(wrong, hint):
    assert_fails_with("2.4", wrong, hint)


def test_lecture_02_registers_four_exercises():
    assert checks.registered(2) == ["2.1", "2.2", "2.3", "2.4"]
