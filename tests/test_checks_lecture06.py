"""The checks of lecture 06 pass the reference solutions and catch the typical mistakes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from stray_random import stray_rng

from mbrl_helpers.course import checks


# --- reference solutions (as in solutions/06_alphazero.ipynb) ------------------------------
def puct_score(Q, P, N_parent, N_child, c_puct):
    return Q + c_puct * P * math.sqrt(N_parent) / (1 + N_child)


def masked_policy(logits, legal):
    logits = np.where(legal, logits, -np.inf)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def training_targets(game, states, visit_counts, final_returns):
    examples = []
    for s, N in zip(states, visit_counts, strict=True):
        pi = N / N.sum()
        z = final_returns[game.current_player(s)]
        examples.append((s, pi, z))
    return examples


def alphazero_loss(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    value = np.mean((z - v) ** 2)
    policy = np.mean(-(pi * log_p).sum(axis=1))
    return value + policy + c * sum(np.sum(w**2) for w in theta)


def puct_select(Q, N, P, c_puct, rng):
    scores = Q + c_puct * P * np.sqrt(1 + N.sum()) / (1 + N)
    return int(rng.choice(np.flatnonzero(scores == scores.max())))


REFERENCE = {
    "6.1": puct_score,
    "6.2": masked_policy,
    "6.3": training_targets,
    "6.4": alphazero_loss,
    "6.6": puct_select,
}


@pytest.mark.parametrize("exercise_id", sorted(REFERENCE))
def test_reference_passes(exercise_id):
    result = checks.evaluate(exercise_id, REFERENCE[exercise_id])
    assert result.passed, result.line


@pytest.mark.parametrize("exercise_id", sorted(REFERENCE))
def test_not_implemented_is_reported(exercise_id):
    def todo(*args, **kwargs):
        raise NotImplementedError(f"Exercise {exercise_id}")

    assert checks.evaluate(exercise_id, todo).status == checks.NOT_IMPLEMENTED


# --- planted mistakes: (exercise, wrong function, words the feedback must contain) ----------
def puct_no_prior(Q, P, N_parent, N_child, c_puct):
    return Q + c_puct * math.sqrt(N_parent) / (1 + N_child)


def puct_infinite_unvisited(Q, P, N_parent, N_child, c_puct):
    if N_child == 0:  # the UCB1 habit: the prior of unvisited children is ignored
        return math.inf
    return puct_score(Q, P, N_parent, N_child, c_puct)


def puct_child_count(Q, P, N_parent, N_child, c_puct):
    return Q + c_puct * P * math.sqrt(N_child) / (1 + N_child)


def puct_no_plus_one(Q, P, N_parent, N_child, c_puct):
    return Q + c_puct * P * math.sqrt(N_parent) / N_child


def puct_ucb1_log(Q, P, N_parent, N_child, c_puct):
    return Q + c_puct * P * math.sqrt(math.log(N_parent) / max(N_child, 1))


def policy_unmasked(logits, legal):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def policy_masked_not_renormalised(logits, legal):
    return policy_unmasked(logits, legal) * legal


def policy_zero_logits(logits, legal):
    return policy_unmasked(np.where(legal, logits, 0.0), legal)


def policy_overflows(logits, legal):
    with np.errstate(all="ignore"):
        e = np.exp(logits) * legal
        return e / e.sum(axis=-1, keepdims=True)


def targets_raw_counts(game, states, visit_counts, final_returns):
    return [
        (s, N, final_returns[game.current_player(s)])
        for s, N in zip(states, visit_counts, strict=True)
    ]


def targets_no_sign_flip(game, states, visit_counts, final_returns):
    return [(s, N / N.sum(), final_returns[0]) for s, N in zip(states, visit_counts, strict=True)]


def targets_previous_player(game, states, visit_counts, final_returns):
    return [
        (s, N / N.sum(), final_returns[1 - game.current_player(s)])
        for s, N in zip(states, visit_counts, strict=True)
    ]


def loss_nan(p, v, pi, z, theta, c):
    with np.errstate(all="ignore"):
        policy = np.mean(-(pi * np.log(p)).sum(axis=1))
    return np.mean((z - v) ** 2) + policy + c * sum(np.sum(w**2) for w in theta)


def loss_sign(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    return (
        np.mean((z - v) ** 2)
        + np.mean((pi * log_p).sum(axis=1))
        + c * sum(np.sum(w**2) for w in theta)
    )


def loss_no_l2(p, v, pi, z, theta, c):
    return alphazero_loss(p, v, pi, z, theta, 0.0)


def loss_summed(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    return np.sum((z - v) ** 2) - np.sum(pi * log_p) + c * sum(np.sum(w**2) for w in theta)


def loss_abs_value(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    return (
        np.mean(np.abs(z - v))
        + np.mean(-(pi * log_p).sum(axis=1))
        + c * sum(np.sum(w**2) for w in theta)
    )


def loss_norm_not_squared(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    return (
        np.mean((z - v) ** 2)
        + np.mean(-(pi * log_p).sum(axis=1))
        + c * math.sqrt(sum(np.sum(w**2) for w in theta))
    )


def select_sum_without_one(Q, N, P, c, rng):
    scores = Q + c * P * np.sqrt(N.sum()) / (1 + N)
    return int(rng.choice(np.flatnonzero(scores == scores.max())))


def select_first_argmax(Q, N, P, c, rng):
    return int(np.argmax(Q + c * P * np.sqrt(1 + N.sum()) / (1 + N)))


def select_greedy_q(Q, N, P, c, rng):
    return int(rng.choice(np.flatnonzero(Q == Q.max())))


def select_argmin(Q, N, P, c, rng):
    scores = Q + c * P * np.sqrt(1 + N.sum()) / (1 + N)
    return int(rng.choice(np.flatnonzero(scores == scores.min())))


def select_child_count(Q, N, P, c, rng):
    scores = Q + c * P * np.sqrt(N) / (1 + N)
    return int(rng.choice(np.flatnonzero(scores == scores.max())))


def select_returns_the_score(Q, N, P, c, rng):
    return float((Q + c * P * np.sqrt(1 + N.sum()) / (1 + N)).max())


def select_stray_ties(Q, N, P, c, rng):
    scores = Q + c * P * np.sqrt(1 + N.sum()) / (1 + N)
    return int(stray_rng().choice(np.flatnonzero(scores == scores.max())))


MISTAKES = [
    ("6.1", puct_no_prior, "prior P is missing"),
    ("6.1", puct_infinite_unvisited, "ignores the prior of unvisited"),
    ("6.1", puct_child_count, "child's count under the square root"),
    ("6.1", puct_no_plus_one, "ZeroDivisionError"),
    ("6.1", puct_ucb1_log, "UCB1's bonus"),
    ("6.2", policy_unmasked, "not masked"),
    ("6.2", policy_zero_logits, "not masked"),
    ("6.2", policy_masked_not_renormalised, "renormalise"),
    ("6.2", policy_overflows, "overflows"),
    ("6.3", targets_raw_counts, "raw visit counts"),
    ("6.3", targets_no_sign_flip, "sign is wrong"),
    ("6.3", targets_previous_player, "sign is wrong"),
    ("6.4", loss_nan, "0 * -inf = nan"),
    ("6.4", loss_sign, "-pi^T log p"),
    ("6.4", loss_no_l2, "weight decay"),
    ("6.4", loss_summed, "do not sum"),
    ("6.4", loss_abs_value, "squared: (z - v)^2"),
    ("6.4", loss_norm_not_squared, "without a square root"),
    ("6.6", select_sum_without_one, "the bonus vanishes, all scores tie"),
    ("6.6", select_first_argmax, "uniformly at random among all the maximisers"),
    ("6.6", select_greedy_q, "best Q alone is greedy"),
    ("6.6", select_argmin, "not the smallest"),
    ("6.6", select_child_count, "not the child's"),
    ("6.6", select_returns_the_score, "return the position of the chosen child"),
    ("6.6", select_stray_ties, "not from its rng argument"),
]


@pytest.mark.parametrize(
    ("exercise_id", "wrong", "words"), MISTAKES, ids=[m[1].__name__ for m in MISTAKES]
)
def test_planted_mistake_fails_with_a_specific_message(exercise_id, wrong, words):
    result = checks.evaluate(exercise_id, wrong)
    assert result.status == checks.FAILED
    assert words in result.line, result.line


def test_wrong_shapes_and_types_fail_without_a_crash():
    bad = {
        "6.1": lambda Q, P, Np, Nc, c: "high",
        "6.2": lambda logits, legal: logits[0],
        "6.3": lambda game, states, counts, returns: 3,
        "6.4": lambda p, v, pi, z, theta, c: [1.0, 2.0],
        "6.6": lambda Q, N, P, c, rng: "child 1",
    }
    for exercise_id, fn in bad.items():
        result = checks.evaluate(exercise_id, fn)
        assert result.status == checks.FAILED
        assert "the check could not use" not in result.line, result.line
