"""The checks of lecture 01 pass the reference and fail the typical mistakes, each with its hint."""

import math
import random
import time

import numpy as np
import pytest
from stray_random import stray_rng

from mbrl_helpers.course import checks
from mbrl_helpers.course.checks.lecture01 import (
    reference_dyna_q_plus_step,
    reference_dyna_q_step,
    reference_model_update,
    reference_q_update,
)


def assert_fails(exercise_id, wrong, hint):
    result = checks.evaluate(exercise_id, wrong)
    assert result.status == checks.FAILED, result.line
    assert "the check could not use" not in result.message, result.line
    assert hint in (result.hint or "") + result.message, result.line


# -- 1.1: the direct update -----------------------------------------------------------------


def bootstraps_from_terminal(Q, s, a, r, s_next, terminated, alpha, gamma):
    Q[s, a] += alpha * (r + gamma * Q[s_next].max() - Q[s, a])


def uses_taken_action(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r if terminated else r + gamma * Q[s_next, a]
    Q[s, a] += alpha * (target - Q[s, a])


def uses_mean(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r if terminated else r + gamma * Q[s_next].mean()
    Q[s, a] += alpha * (target - Q[s, a])


def forgets_alpha(Q, s, a, r, s_next, terminated, alpha, gamma):
    Q[s, a] = r if terminated else r + gamma * Q[s_next].max()


def forgets_gamma(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r if terminated else r + Q[s_next].max()
    Q[s, a] += alpha * (target - Q[s, a])


def wrong_sign(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r if terminated else r + gamma * Q[s_next].max()
    Q[s, a] += alpha * (Q[s, a] - target)


def returns_a_copy(Q, s, a, r, s_next, terminated, alpha, gamma):
    Q = Q.copy()
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    return Q


def updates_whole_row(Q, s, a, r, s_next, terminated, alpha, gamma):
    target = r if terminated else r + gamma * Q[s_next].max()
    Q[s] += alpha * (target - Q[s])


def writes_nan_elsewhere(Q, s, a, r, s_next, terminated, alpha, gamma):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    Q[0, 0] = -np.inf  # a log(0), in an entry the check does not otherwise read


def test_1_1_passes_the_reference():
    assert checks.evaluate("1.1", reference_q_update).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (bootstraps_from_terminal, "a terminal S' has no future"),
        (uses_taken_action, "max_a Q(S', a), the best action in S', not the action just taken"),
        (uses_mean, "not their mean"),
        (forgets_alpha, "a step alpha towards the target"),
        (forgets_gamma, "discount the value of S' by gamma"),
        (wrong_sign, "target - Q(S, A)"),
        (returns_a_copy, "change it in place, not a copy"),
        (updates_whole_row, "only Q[1, 1] should change"),
        (lambda Q, s, a, r, s_next, terminated, alpha, gamma: None, "update Q in place"),
        (writes_nan_elsewhere, "Q holds infinite values"),
    ],
)
def test_1_1_fails_typical_mistakes(wrong, hint):
    assert_fails("1.1", wrong, hint)


def test_1_1_not_implemented():
    def todo(Q, s, a, r, s_next, terminated, alpha, gamma):
        raise NotImplementedError("Exercise 1.1")

    assert checks.evaluate("1.1", todo).status == checks.NOT_IMPLEMENTED


# -- 1.2: the model update ------------------------------------------------------------------


def keyed_by_pair(model, s, a, r, s_next, terminated):
    model[(s, a)] = (r, s_next, terminated)


def swapped(model, s, a, r, s_next, terminated):
    model.setdefault(s, {})[a] = (s_next, r, terminated)


def one_action_per_state(model, s, a, r, s_next, terminated):
    model[s] = {a: (r, s_next, terminated)}


def keeps_first_observation(model, s, a, r, s_next, terminated):
    model.setdefault(s, {}).setdefault(a, (r, s_next, terminated))


def returns_new_model(model, s, a, r, s_next, terminated):
    new = dict(model)
    new[s] = {a: (r, s_next, terminated)}
    return new


def test_1_2_passes_the_reference():
    assert checks.evaluate("1.2", reference_model_update).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (keyed_by_pair, "model[s][a], not model[(s, a)]"),
        (swapped, "keep the order (r, s_next, terminated)"),
        (one_action_per_state, "each state keeps every action taken in it"),
        (keeps_first_observation, "overwrite the entry"),
        (returns_new_model, "store the outcome in the dict you were given"),
    ],
)
def test_1_2_fails_typical_mistakes(wrong, hint):
    assert_fails("1.2", wrong, hint)


# -- 1.3: one step of Dyna-Q ---------------------------------------------------------------


def plans_from_unobserved_actions(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    for _ in range(n):
        s_p = list(model)[rng.integers(len(model))]
        a_p = int(rng.integers(Q.shape[1]))  # any action, tried or not
        r_p, s2, term = model[s_p][a_p]
        reference_q_update(Q, s_p, a_p, r_p, s2, term, alpha, gamma)


def plans_from_unobserved_pairs_quietly(
    Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng
):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    for _ in range(n):
        s_p = int(rng.integers(Q.shape[0]))
        a_p = int(rng.integers(Q.shape[1]))
        r_p, s2, term = model.get(s_p, {}).get(a_p, (0.0, s_p, False))
        reference_q_update(Q, s_p, a_p, r_p + 0.1, s2, term, alpha, gamma)


def plans_with_the_real_transition(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    for _ in range(n):
        s_p = list(model)[rng.integers(len(model))]
        a_p = list(model[s_p])[rng.integers(len(model[s_p]))]
        reference_q_update(Q, s_p, a_p, r, s_next, terminated, alpha, gamma)


def replays_only_the_last_pair(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    for _ in range(n):
        reference_q_update(Q, s, a, *model[s][a], alpha, gamma)


def plans_before_learning_the_model(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    if model:
        reference_dyna_q_step(Q, {}, s, a, r, s_next, terminated, 0, alpha, gamma, rng)
        Q[s, a] = Q[s, a]
    reference_model_update(model, s, a, r, s_next, terminated)


def plans_from_the_empty_model(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    states = list(model)
    for _ in range(n):
        s_p = states[rng.integers(len(states))]  # rng.integers(0) raises on an empty model
        a_p = list(model[s_p])[rng.integers(len(model[s_p]))]
        reference_q_update(Q, s_p, a_p, *model[s_p][a_p], alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)


def plans_without_terminal_flag(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    for _ in range(n):
        s_p = list(model)[rng.integers(len(model))]
        a_p = list(model[s_p])[rng.integers(len(model[s_p]))]
        r_p, s2, _ = model[s_p][a_p]
        reference_q_update(Q, s_p, a_p, r_p, s2, False, alpha, gamma)


def one_planning_step_too_few(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_dyna_q_step(Q, model, s, a, r, s_next, terminated, max(n - 1, 0), alpha, gamma, rng)


def forgets_direct_update(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_model_update(model, s, a, r, s_next, terminated)
    reference_dyna_q_step(Q, model, s, a, r, s_next, terminated, 0, 0.0 + 1e-12, gamma, rng)
    Q[s, a] = 0.0
    for _ in range(n):
        s_p = list(model)[rng.integers(len(model))]
        a_p = list(model[s_p])[rng.integers(len(model[s_p]))]
        reference_q_update(Q, s_p, a_p, *model[s_p][a_p], alpha, gamma)


def forgets_model_update(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    if model:
        reference_dyna_q_step(Q, dict(model), s, a, r, s_next, terminated, n, alpha, gamma, rng)


def uses_global_random(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_dyna_q_step(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, stray_rng())


def plans_uniformly_over_pairs(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    pairs = [(sp, ap) for sp in model for ap in model[sp]]  # every observed pair alike
    for _ in range(n):
        sp, ap = pairs[rng.integers(len(pairs))]
        reference_q_update(Q, sp, ap, *model[sp][ap], alpha, gamma)


def plans_from_the_latest_state_twice_as_often(
    Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng
):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    states = list(model) + [s]  # the current state counted twice
    for _ in range(n):
        sp = states[rng.integers(len(states))]
        ap = list(model[sp])[rng.integers(len(model[sp]))]
        reference_q_update(Q, sp, ap, *model[sp][ap], alpha, gamma)


def own_seeded_generator(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    mine = np.random.default_rng(2024)
    reference_dyna_q_step(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, mine)


def reseeds_from_the_clock(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    mine = np.random.default_rng(time.perf_counter_ns())  # seeded, but never the same seed
    reference_dyna_q_step(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, mine)


def forgets_planned_pairs(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    for _ in range(n):
        s_p = list(model)[rng.integers(len(model))]
        a_p = list(model[s_p])[rng.integers(len(model[s_p]))]
        r_p, s2, term = model[s_p][a_p]
        reference_q_update(Q, s_p, a_p, r_p, s2, term, alpha, gamma)
        if len(model[s_p]) > 1:
            del model[s_p][a_p]  # "planned it already": the model shrinks


def python_random_choice(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    for _ in range(n):
        sp = random.choice(list(model))
        ap = random.choice(list(model[sp]))
        reference_q_update(Q, sp, ap, *model[sp][ap], alpha, gamma)


def nan_in_an_unvisited_row(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_dyna_q_step(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng)
    Q[8] = np.nan


def ignores_n_planning(Q, model, s, a, r, s_next, terminated, n, alpha, gamma, rng):
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
    reference_model_update(model, s, a, r, s_next, terminated)
    while True:  # "until Q stops changing", which it never does exactly
        before = Q.copy()
        reference_dyna_q_step(Q, model, s, a, r, s_next, terminated, 1, alpha, gamma, rng)
        if np.array_equal(before, Q) and False:
            break


def test_1_3_passes_the_reference():
    assert checks.evaluate("1.3", reference_dyna_q_step).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (plans_from_unobserved_actions, "a pair the model has never observed"),
        (plans_from_unobserved_pairs_quietly, "pairs never observed"),
        (plans_with_the_real_transition, "not with the real transition"),
        (replays_only_the_last_pair, "was never updated"),
        (plans_before_learning_the_model, "update the model before planning"),
        (plans_from_the_empty_model, "update the model (step e) before planning"),
        (plans_without_terminal_flag, "pass the model's terminated flag"),
        (one_planning_step_too_few, "(2 planning updates)"),
        (forgets_direct_update, "step (d)"),
        (forgets_model_update, "step (e)"),
        (uses_global_random, "not from its rng argument"),
        (plans_uniformly_over_pairs, "you drew (S, A) uniformly among all observed pairs"),
        (plans_from_the_latest_state_twice_as_often, "the box gives 50% and 12.5% each"),
        (own_seeded_generator, "different seeds gave the same Q"),
        (reseeds_from_the_clock, "the same seed gave different Q"),
        (forgets_planned_pairs, "planning should leave the model as it was"),
        (python_random_choice, "drew a random number from random.choice"),
        (nan_in_an_unvisited_row, "Q holds NaN values"),
    ],
)
def test_1_3_fails_typical_mistakes(wrong, hint):
    assert_fails("1.3", wrong, hint)


def test_1_3_the_distribution_hint_says_what_the_box_draws():
    result = checks.evaluate("1.3", plans_uniformly_over_pairs)
    assert "(5, 0) got 2" in result.message and "the box gives 50% and 12.5% each" in result.message
    assert "first, uniformly among the previously observed states" in result.hint


@pytest.mark.parametrize("exercise_id", ["1.1", "1.2", "1.3", "1.4"])
def test_an_endless_loop_does_not_hang(exercise_id):
    def endless(*args):
        while True:
            pass

    result = checks.evaluate(exercise_id, endless, time_limit=1.0)
    assert result.status == checks.FAILED and "did not finish within 1 s" in result.message


def test_1_3_a_planning_loop_that_ignores_n_planning_does_not_hang():
    result = checks.evaluate("1.3", ignores_n_planning, time_limit=1.0)
    assert "did not finish within 1 s" in result.message


# -- 1.4: Dyna-Q+ ---------------------------------------------------------------------------


def make_plus(
    bonus=None, bonus_on_real=False, record_after=False, store_bonus=False, ignore_terminal=False
):
    """Planted Dyna-Q+ variants: `bonus(kappa, t, t_last)` replaces kappa sqrt(t - t_last)."""
    bonus = bonus or (lambda kappa, t, t_last: kappa * math.sqrt(t - t_last))

    def step(Q, model, last_tried, t, s, a, r, s_next, terminated, n, alpha, gamma, kappa, rng):
        r_real = r + bonus(kappa, t, last_tried[s, a]) if bonus_on_real else r
        reference_q_update(Q, s, a, r_real, s_next, terminated, alpha, gamma)
        reference_model_update(model, s, a, r, s_next, terminated)
        if not record_after:
            last_tried[s, a] = t
        for _ in range(n):
            s_p = list(model)[rng.integers(len(model))]
            a_p = list(model[s_p])[rng.integers(len(model[s_p]))]
            r_p, s2, term = model[s_p][a_p]
            r_p = r_p + bonus(kappa, t, last_tried[s_p, a_p])
            if store_bonus:
                model[s_p][a_p] = (r_p, s2, term)
            term = False if ignore_terminal else term
            reference_q_update(Q, s_p, a_p, r_p, s2, term, alpha, gamma)
        if record_after:
            last_tried[s, a] = t

    return step


def plus_from_pairs(
    rng_of=None, uniform_pairs=False, python_random=False, nan=False, stamps_planning=False
):
    """Planted Dyna-Q+ variants on how step (f) draws its pairs."""

    def step(Q, model, last_tried, t, s, a, r, s_next, terminated, n, alpha, gamma, kappa, rng):
        rng = rng_of() if rng_of else rng
        reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)
        reference_model_update(model, s, a, r, s_next, terminated)
        last_tried[s, a] = t
        pairs = [(sp, ap) for sp in model for ap in model[sp]]
        for _ in range(n):
            if uniform_pairs:
                sp, ap = pairs[rng.integers(len(pairs))]
            elif python_random:
                sp = random.choice(list(model))
                ap = random.choice(list(model[sp]))
            else:
                sp = list(model)[rng.integers(len(model))]
                ap = list(model[sp])[rng.integers(len(model[sp]))]
            r_p, s2, term = model[sp][ap]
            r_p += kappa * math.sqrt(t - last_tried[sp, ap])
            reference_q_update(Q, sp, ap, r_p, s2, term, alpha, gamma)
            if stamps_planning:
                last_tried[sp, ap] = t  # planning is not trying
        if nan:
            Q[7, 3] = np.inf - np.inf

    return step


def test_1_4_passes_the_reference():
    assert checks.evaluate("1.4", reference_dyna_q_plus_step).passed
    assert checks.evaluate("1.4", make_plus()).passed  # the planting harness itself is right
    assert checks.evaluate("1.4", plus_from_pairs()).passed  # and this one too


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (make_plus(bonus_on_real=True), "the bonus is for planning only"),
        (make_plus(lambda k, t, tl: k * (t - tl)), "not kappa * tau"),
        (make_plus(lambda k, t, tl: k * math.sqrt(t)), "t - last_tried[S, A], not t"),
        (make_plus(lambda k, t, tl: math.sqrt(k * (t - tl))), "kappa outside the root"),
        (make_plus(lambda k, t, tl: 0.0), "add the bonus kappa * sqrt(tau)"),
        (make_plus(record_after=True), "set last_tried before planning"),
        (make_plus(store_bonus=True), "not to the model's stored reward"),
        (make_plus(ignore_terminal=True), "pass the model's terminated flag"),
        (reference_dyna_q_step, "14 were given"),
        (plus_from_pairs(uniform_pairs=True), "you drew (S, A) uniformly among all observed pairs"),
        (plus_from_pairs(rng_of=lambda: np.random.default_rng(1)), "different seeds gave the same"),
        (plus_from_pairs(rng_of=stray_rng), "not from its rng argument"),
        (plus_from_pairs(python_random=True), "drew a random number from random.choice"),
        (plus_from_pairs(nan=True), "Q holds NaN values"),
        (plus_from_pairs(stamps_planning=True), "planning does not count as trying"),
    ],
)
def test_1_4_fails_typical_mistakes(wrong, hint):
    assert_fails("1.4", wrong, hint)
