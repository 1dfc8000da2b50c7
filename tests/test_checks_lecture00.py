"""The checks of lecture 00 pass the reference and fail the typical mistakes."""

import numpy as np
import pytest
from stray_random import stray_rng

from mbrl_helpers.course import checks
from mbrl_helpers.course.checks.lecture00 import reference_expected_target

# -- 0.1: the expected one-step target ----------------------------------------------------------


def ignores_termination(dist, V, gamma):
    return sum(p * (r + gamma * V[s]) for p, s, r, _ in dist)


def averages_outcomes(dist, V, gamma):
    return float(np.mean([r + (0 if d else gamma * V[s]) for _, s, r, d in dist]))


def forgets_gamma(dist, V, gamma):
    return sum(p * (r + (0 if d else V[s])) for p, s, r, d in dist)


def forgets_reward(dist, V, gamma):
    return sum(p * (0 if d else gamma * V[s]) for p, s, r, d in dist)


def test_0_1_passes_the_reference():
    assert checks.evaluate("0.1", reference_expected_target).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (ignores_termination, "terminating transition has no future"),
        (averages_outcomes, "weight each outcome by its probability"),
        (forgets_gamma, "discount the next state's value by gamma"),
        (forgets_reward, "add the reward r"),
        (lambda dist, V, gamma: "0.5", None),
        (lambda dist, V, gamma: None, None),
    ],
)
def test_0_1_fails_typical_mistakes(wrong, hint):
    result = checks.evaluate("0.1", wrong)
    assert result.status == checks.FAILED
    if hint:
        assert hint in result.hint


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


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (one_step_short, "not max_steps - 1"),
        (stops_before_the_last_reward, "reward of the terminating step"),
    ],
)
def test_0_2_hints_name_the_mistake(wrong, hint):
    assert hint in checks.evaluate("0.2", wrong).hint
