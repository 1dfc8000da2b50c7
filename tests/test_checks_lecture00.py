"""The checks of lecture 00 pass the reference and fail the typical mistakes."""

import random

import numpy as np
import pytest
from stray_random import stray_rng

from mbrl_helpers.course import checks
from mbrl_helpers.course.checks.lecture00 import reference_expected_return

# -- 0.1: the expected return, exactly, by pushing the state distribution forward -------------


def expected_return(model, policy, start_state, gamma, max_steps, *, step=1.0, late=False,
                    keep_ended=False, overwrite=False, weighted=True, steps_offset=0):  # fmt: skip
    """A student's solution, with switches for the typical mistakes."""
    running, G = {start_state: 1.0}, 0.0
    for t in range(max_steps + steps_offset):
        discount = step if step != 1.0 else gamma ** (t + 1 if late else t)
        after = {}
        for s, p_s in running.items():
            for prob, s_next, r, terminated in model.distribution(s, int(policy[s])):
                weight = prob if weighted else 1.0
                G += discount * p_s * weight * r
                if terminated and not keep_ended:
                    continue
                if overwrite:
                    after[s_next] = p_s * weight
                else:
                    after[s_next] = after.get(s_next, 0.0) + p_s * weight
        running = after
    return G


def solution(model, policy, start_state, gamma, max_steps):
    return expected_return(model, policy, start_state, gamma, max_steps)


def no_discount(model, policy, start_state, gamma, max_steps):
    running, G = {start_state: 1.0}, 0.0
    for _ in range(max_steps):
        after = {}
        for s, p_s in running.items():
            for prob, s_next, r, terminated in model.distribution(s, int(policy[s])):
                G += p_s * prob * r
                if not terminated:
                    after[s_next] = after.get(s_next, 0.0) + p_s * prob
        running = after
    return G


def wrong_action(model, policy, start_state, gamma, max_steps):
    return expected_return(model, 1 - np.asarray(policy), start_state, gamma, max_steps)


def state_distribution(model, policy, start_state, gamma, max_steps):
    return {start_state: 1.0}


def scribbles_on_the_policy(model, policy, start_state, gamma, max_steps):
    G = expected_return(model, policy, start_state, gamma, max_steps)
    policy[:] = -1  # used as scratch space afterwards
    return G


def caches_in_the_model(model, policy, start_state, gamma, max_steps):
    G = expected_return(model, policy, start_state, gamma, max_steps)
    model.P[start_state][0] = [(1.0, start_state, G, True)]  # "remember" the answer
    return G


def nan_for_unseen(model, policy, start_state, gamma, max_steps):
    return expected_return(model, policy, start_state, gamma, max_steps) + float("nan")


def samples_instead(model, policy, start_state, gamma, max_steps):
    rng = np.random.default_rng(0)
    total = 0.0
    for _ in range(20_000):
        s, discount = start_state, 1.0
        for _ in range(max_steps):
            r, s, terminated = model.sample(s, int(policy[s]), rng=rng)
            total += discount * r
            discount *= gamma
            if terminated:
                break
    return total / 20_000


def samples_unseeded(model, policy, start_state, gamma, max_steps):
    r, _, _ = model.sample(start_state, int(policy[start_state]), rng=np.random.default_rng())
    return r


def endless(model, policy, start_state, gamma, max_steps):
    running = {start_state: 1.0}
    while running:  # forgets that terminated probability leaves: runs forever
        running = {s: p for s, p in running.items()}


def test_0_1_passes_the_reference_and_a_students_solution():
    assert checks.evaluate("0.1", reference_expected_return).passed
    assert checks.evaluate("0.1", solution).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (no_discount, "multiplied by gamma^t"),
        (lambda *args: expected_return(*args, late=True), "the first reward is not discounted"),
        (lambda *args: expected_return(*args, keep_ended=True), "the episode is over"),
        (lambda *args: expected_return(*args, overwrite=True), "do not overwrite it"),
        (lambda *args: expected_return(*args, weighted=False), "weight each outcome"),
        (lambda *args: expected_return(*args, steps_offset=-1), "not max_steps - 1"),
        (lambda *args: expected_return(*args, steps_offset=1), "not max_steps + 1"),
        (wrong_action, "take a = policy[s]"),
        (state_distribution, "expected one number"),
        (scribbles_on_the_policy, "changed its input policy"),
        (caches_in_the_model, "changed its input model"),
        (nan_for_unseen, "holds NaN"),
        (samples_instead, "close, but not exact"),
        (samples_unseeded, "not from its rng argument"),
    ],
)
def test_0_1_fails_typical_mistakes(wrong, words):
    result = checks.evaluate("0.1", wrong)
    assert result.status == checks.FAILED, result.line
    assert words in result.message + (result.hint or ""), result.line


def test_0_1_names_both_mistakes_when_they_give_the_same_number():
    # gamma = 1 hides "forgot the discount" and "discounted one step late"; the first case of
    # the check has gamma = 0.9, so here both are planted at once on a case where they agree
    from mbrl_helpers.course.checks.lecture00 import _matching_mistakes

    hint = _matching_mistakes(9.0, 1.0, 4)
    assert hint.startswith("either:") and "gamma^t" in hint and "not discounted" in hint


def test_0_1_an_endless_loop_does_not_hang():
    result = checks.evaluate("0.1", endless, time_limit=1.0)
    assert result.status == checks.FAILED and "did not finish within 1 s" in result.message


# -- 0.2: many simulated trajectories -------------------------------------------------------------


def reference(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    returns = []
    for _ in range(n_episodes):
        s, G, discount = start_state, 0.0, 1.0
        for _ in range(max_steps):
            r, s, terminated = model.sample(s, int(policy[s]), rng=rng)
            G += discount * r
            discount *= gamma
            if terminated:
                break
        returns.append(G)
    return np.array(returns)


def no_discount(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    return reference(model, policy, start_state, n_episodes, 1.0, max_steps, rng)


def ignores_termination_02(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    returns = []
    for _ in range(n_episodes):
        s, G, discount = start_state, 0.0, 1.0
        for _ in range(max_steps):
            r, s, _ = model.sample(s, int(policy[s]), rng=rng)
            G += discount * r
            discount *= gamma
        returns.append(G)
    return returns


def never_restarts(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    returns, s = [], start_state
    for _ in range(n_episodes):
        G, discount = 0.0, 1.0
        for _ in range(max_steps):
            r, s_next, terminated = model.sample(s, int(policy[s]), rng=rng)
            G += discount * r
            discount *= gamma
            if terminated:
                break
            s = s_next
        returns.append(G)
    return returns


def one_step_too_many(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    return reference(model, policy, start_state, n_episodes, gamma, max_steps + 1, rng)


def global_random(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    return reference(model, policy, start_state, n_episodes, gamma, max_steps, stray_rng())


def one_return(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    return reference(model, policy, start_state, n_episodes, gamma, max_steps, rng).mean()


def ignores_policy(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    return reference(model, np.zeros_like(policy), start_state, n_episodes, gamma, max_steps, rng)


def fixed_first_action(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    constant = np.full_like(policy, policy[start_state])
    return reference(model, constant, start_state, n_episodes, gamma, max_steps, rng)


def previous_state_action(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    returns = []
    for _ in range(n_episodes):
        s, G, discount, a = start_state, 0.0, 1.0, int(policy[start_state])
        for _ in range(max_steps):
            r, s_next, terminated = model.sample(s, a, rng=rng)
            a = int(policy[s])  # the action of the state just left
            G += discount * r
            discount *= gamma
            if terminated:
                break
            s = s_next
        returns.append(G)
    return returns


def own_generator(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    mine = np.random.default_rng(12345)
    return reference(model, policy, start_state, n_episodes, gamma, max_steps, mine)


def one_step_short(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    return reference(model, policy, start_state, n_episodes, gamma, max_steps - 1, rng)


def stops_before_the_last_reward(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    returns = []
    for _ in range(n_episodes):
        s, G, discount = start_state, 0.0, 1.0
        for _ in range(max_steps):
            r, s, terminated = model.sample(s, int(policy[s]), rng=rng)
            if terminated:
                break
            G += discount * r
            discount *= gamma
        returns.append(G)
    return returns


def test_0_2_passes_the_reference():
    assert checks.evaluate("0.2", reference).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (no_discount, "not discounted"),
        (ignores_termination_02, "after termination"),
        (never_restarts, "every return must be"),
        (one_step_too_many, "every return must be"),
        (global_random, "not from its rng argument"),
        (one_return, "one per trajectory"),
        (ignores_policy, "other than the policy's"),
        (fixed_first_action, "other than the policy's"),
        (previous_state_action, "other than the policy's"),
        (own_generator, "different seeds gave the same returns"),
        (one_step_short, "every return must be"),
        (stops_before_the_last_reward, "every return must be"),
    ],
)
def test_0_2_fails_typical_mistakes(wrong, words):
    result = checks.evaluate("0.2", wrong)
    assert result.status == checks.FAILED
    assert words in result.message


def draws_outcomes_uniformly(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    returns = []
    for _ in range(n_episodes):
        s, G, discount = start_state, 0.0, 1.0
        for _ in range(max_steps):
            outcomes = model.distribution(s, int(policy[s]))
            _, s, r, terminated = outcomes[rng.integers(len(outcomes))]  # ignores prob
            G += discount * r
            discount *= gamma
            if terminated:
                break
        returns.append(G)
    return returns


def python_random(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    random.random()
    return reference(model, policy, start_state, n_episodes, gamma, max_steps, rng)


def changes_the_policy(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    policy[:] = policy[start_state]
    return reference(model, policy, start_state, n_episodes, gamma, max_steps, rng)


def edits_the_model(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    model.P[3][0] = [(1.0, 3, 0.0, True)]  # "the trap is not my problem"
    return reference(model, policy, start_state, n_episodes, gamma, max_steps, rng)


def nan_returns(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    G = reference(model, policy, start_state, n_episodes, gamma, max_steps, rng)
    G[-1] = np.inf
    return G


def endless_episode(model, policy, start_state, n_episodes, gamma, max_steps, rng):
    returns = []
    for _ in range(n_episodes):
        s, G = start_state, 0.0
        while True:  # ignores max_steps: state 2 loops forever
            r, s, terminated = model.sample(s, int(policy[s]), rng=rng)
            G += r
            if terminated:
                break
        returns.append(G)
    return returns


@pytest.mark.parametrize(
    "wrong, words",
    [
        (draws_outcomes_uniformly, "probabilities are 0.7 and 0.3"),
        (python_random, "drew a random number from random.random"),
        (changes_the_policy, "changed its input policy"),
        (nan_returns, "holds infinite values"),
        (edits_the_model, "changed its input model"),
    ],
)
def test_0_2_fails_further_mistakes(wrong, words):
    result = checks.evaluate("0.2", wrong)
    assert result.status == checks.FAILED, result.line
    assert words in result.message + (result.hint or ""), result.line


def test_0_2_an_endless_loop_does_not_hang():
    result = checks.evaluate("0.2", endless_episode, time_limit=1.0)
    assert result.status == checks.FAILED and "did not finish within 1 s" in result.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (one_step_short, "not max_steps - 1"),
        (stops_before_the_last_reward, "reward of the terminating step"),
    ],
)
def test_0_2_hints_name_the_mistake(wrong, hint):
    assert hint in checks.evaluate("0.2", wrong).hint
