"""Checks for lecture 00, "Why model-based RL"."""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers.course.checks import (
    CheckFailure,
    exercise,
    require_finite,
    require_unchanged,
    snapshot,
)
from mbrl_helpers.models.true_model import TrueModel


def reference_expected_return(model, policy, start_state, gamma, max_steps):
    """E[sum_{t < T} gamma^t R_{t+1}], T = min(termination, max_steps), computed exactly by
    pushing the distribution of the running episode's state through `model.distribution`."""
    return _propagate(model, policy, start_state, gamma, max_steps)


def _propagate(model, policy, start_state, gamma, max_steps, mistake=None):
    """The reference, or one of the typical mistakes (for the hints): `mistake` in _MISTAKES."""
    running = {start_state: 1.0}  # P(S_t = s and the episode still runs)
    total = 0.0
    steps = {"one_step_short": max_steps - 1, "one_step_too_many": max_steps + 1}
    for t in range(steps.get(mistake, max_steps)):
        discount = {"no_discount": 1.0, "discount_late": gamma ** (t + 1)}.get(mistake, gamma**t)
        after: dict = {}
        for s, p_s in running.items():
            for prob, s_next, r, terminated in model.distribution(s, int(policy[s])):
                weight = 1.0 if mistake == "unweighted" else prob
                total += discount * p_s * weight * r
                if terminated and mistake != "ignores_termination":
                    continue
                if mistake == "overwrites":
                    after[s_next] = p_s * weight
                else:
                    after[s_next] = after.get(s_next, 0.0) + p_s * weight
        running = after
    return total


_MISTAKES = {
    "ignores_termination": "after a terminated outcome the episode is over: its probability "
    "must not move on, nor earn any more reward",
    "overwrites": "add up the probability of every way into the same next state "
    "(after[s_next] += ...), do not overwrite it: two outcomes (or two states) can lead to it",
    "no_discount": "discount: the reward of step t (counting from t = 0) is multiplied by gamma^t",
    "discount_late": "the first reward is not discounted: R_1 counts gamma^0 = 1, R_{t+1} "
    "counts gamma^t",
    "one_step_short": "an episode runs for max_steps steps, not max_steps - 1",
    "one_step_too_many": "an episode runs for at most max_steps steps, not max_steps + 1",
    "unweighted": "weight each outcome by its probability prob (and the probability of being in s)",
}

# The models of 0.1, followed with policy[s] = 0 everywhere. Action 1 of every state leads to
# the trap 5 (reward 100 per step), and the terminal outcome of state 3 leads to 4, which pays
# 1000 per step after the episode is over: neither may ever count. From 0 the episode reaches
# 3 through 1 (probability 1/2) or through 2 (twice 1/4, the same next state written twice, as
# FrozenLake's P does); from 3 it ends with probability 1/2 per step, with reward 10.
_TRAP = [(1.0, 5, 100.0, False)]
_PROPAGATION_P = {
    0: {0: [(0.5, 1, 0.0, False), (0.25, 2, 0.0, False), (0.25, 2, 0.0, False)], 1: _TRAP},
    1: {0: [(1.0, 3, 1.0, False)], 1: _TRAP},
    2: {0: [(1.0, 3, 2.0, False)], 1: _TRAP},
    3: {0: [(0.5, 4, 10.0, True), (0.5, 3, 0.0, False)], 1: _TRAP},
    4: {0: [(1.0, 4, 1000.0, False)], 1: [(1.0, 4, 1000.0, False)]},
    5: {0: _TRAP, 1: _TRAP},
}
_PROPAGATION_POLICY = np.zeros(6, dtype=int)


@exercise("0.1", "the expected return of a policy, exactly, from a distribution model")
def check_expected_return(student):
    cases = [(0.9, 6), (1.0, 4), (0.5, 2), (0.9, 1)]
    for gamma, max_steps in cases:
        policy, model = _PROPAGATION_POLICY.copy(), TrueModel(snapshot(_PROPAGATION_P))
        got = student(model, policy, 0, gamma, max_steps)
        require_unchanged("policy", _PROPAGATION_POLICY, policy)
        require_unchanged("model", _PROPAGATION_P, model.P, "read the model, never write it")
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise CheckFailure(
                f"expected one number (the expected return), got {type(got).__name__}",
                "sum the rewards weighted by their probability and discount; return a float",
            ) from None
        require_finite("the expected return", got)
        want = reference_expected_return(
            TrueModel(_PROPAGATION_P), _PROPAGATION_POLICY, 0, gamma, max_steps
        )
        if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            continue
        where = f"with gamma = {gamma} and max_steps = {max_steps}"
        hint = _matching_mistakes(got, gamma, max_steps)
        if hint is None and got > want + 50:  # rewards that must never count: 100 or 1000
            hint = (
                "in every state s take a = policy[s] (another action leads to a trap paying "
                "100 per step), and let no probability move on after a terminated outcome"
            )
        if hint is None and abs(got - want) < 0.05 * abs(want):
            hint = (
                "close, but not exact: use model.distribution(s, a), every outcome with its "
                "probability, rather than samples"
            )
        raise CheckFailure(
            f"{where} the expected return is {want:.4f}, got {got:.4f}",
            hint
            or "keep P(S_t = s, episode running) for every s; each step, add gamma^t * P * prob "
            "* r for every outcome, and move P * prob to s_next unless it terminated",
        )


def _matching_mistakes(got, gamma, max_steps):
    """The hint naming every typical mistake that gives the student's number (all of them when
    several give the same number), or None."""
    names = [
        name
        for name in _MISTAKES
        if math.isclose(
            got,
            _propagate(TrueModel(_PROPAGATION_P), _PROPAGATION_POLICY, 0, gamma, max_steps, name),
            rel_tol=1e-9,
            abs_tol=1e-12,
        )
    ]
    if not names:
        return None
    return ("either: " if len(names) > 1 else "") + "; or: ".join(_MISTAKES[n] for n in names)


# A tiny model for 0.2, followed with the policy pi = (1, 0, 1, 0, 0):
# from state 0, action 1 goes to state 1 (r = 1) with probability 0.7 or to state 2 (r = 0);
# state 1, action 0 terminates in state 4 with r = 2; state 2, action 1 loops with r = 1 (only
# max_steps stops it). Every other action leads to the trap state 3 (r = 100 per step), and the
# terminal state 4 pays 10,000 per step: neither must ever show up in a return.
_TRAP, _AFTER_END = 100.0, 10_000.0
_P_VIA_1 = 0.7  # not 1/2: drawing the outcomes uniformly must show
_MODEL_P = {
    0: {
        0: [(1.0, 3, _TRAP, False)],
        1: [(_P_VIA_1, 1, 1.0, False), (1 - _P_VIA_1, 2, 0.0, False)],
    },
    1: {0: [(1.0, 4, 2.0, True)], 1: [(1.0, 3, _TRAP, False)]},
    2: {0: [(1.0, 3, _TRAP, False)], 1: [(1.0, 2, 1.0, False)]},
    3: {0: [(1.0, 3, _TRAP, False)], 1: [(1.0, 3, _TRAP, False)]},
    4: {0: [(1.0, 4, _AFTER_END, False)], 1: [(1.0, 4, _AFTER_END, False)]},
}
_POLICY = np.array([1, 0, 1, 0, 0])


def _exact_returns(gamma, max_steps):
    """The two possible returns (via state 1, via state 2) and the mean."""
    via_1 = 1.0 + gamma * 2.0 if max_steps >= 2 else 1.0
    via_2 = sum(gamma**t for t in range(1, max_steps))
    return via_1, via_2, _P_VIA_1 * via_1 + (1 - _P_VIA_1) * via_2


def _returns(student, seed, gamma, max_steps, n):
    policy, model = _POLICY.copy(), TrueModel(snapshot(_MODEL_P))
    G = student(model, policy, 0, n, gamma, max_steps, rng=np.random.default_rng(seed))
    require_unchanged("policy", _POLICY, policy)
    require_unchanged("model", _MODEL_P, model.P, "read the model, never write it")
    try:
        G = np.asarray(G, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailure(
            f"expected an array of {n} returns, got {type(G).__name__}",
            "collect one float per simulated episode and return them as an array",
        ) from None
    require_finite("the returns", G)
    return G


@exercise("0.2", "many simulated trajectories from a model")
def check_simulate_returns(student):
    gamma, max_steps, n = 0.9, 6, 2000
    G = _returns(student, 1, gamma, max_steps, n)
    if G.shape != (n,):
        raise CheckFailure(
            f"expected an array of {n} returns (one per trajectory), got shape {G.shape}",
            "append one return per simulated episode and return them all",
        )
    via_1, via_2, mean = _exact_returns(gamma, max_steps)
    if np.any(G >= 0.5 * _AFTER_END * gamma**max_steps):
        raise CheckFailure(
            "a return includes rewards from after termination",
            "stop the episode as soon as the model says terminated",
        )
    if np.any(G >= _TRAP * gamma**max_steps):
        raise CheckFailure(
            "a trajectory took an action other than the policy's",
            "in every state s of the trajectory, take a = policy[s] for that s",
        )
    values = set(np.round(G, 6).tolist())
    if values <= {3.0, float(max_steps - 1)}:
        raise CheckFailure("the returns are not discounted", "G = sum_t gamma^t R_{t+1}")
    unexpected = values - {round(via_1, 6), round(via_2, 6)}
    if unexpected:
        wrong = sorted(unexpected)[0]
        if np.isclose(wrong, sum(gamma**t for t in range(1, max_steps - 1))):
            hint = "an episode runs for max_steps steps, not max_steps - 1"
        elif np.isclose(wrong, sum(gamma**t for t in range(1, max_steps + 1))) or wrong > via_2:
            hint = "an episode runs for at most max_steps steps (count the first step too)"
        elif np.isclose(wrong, 1.0):
            hint = "add the reward of the terminating step before you stop"
        else:
            hint = "each episode starts again from start_state with G = 0 and discount 1"
        raise CheckFailure(
            f"with gamma = {gamma} and max_steps = {max_steps} every return must be "
            f"{via_1:.4f} or {via_2:.4f}, but one was {wrong:.4f}",
            hint,
        )
    share = float(np.mean(np.isclose(G, via_1)))
    if not abs(share - _P_VIA_1) < 0.05:  # about 5 standard errors with n = 2000
        hint = "draw each transition with model.sample(s, a, rng=rng), using the rng you are given"
        if abs(share - 0.5) < 0.05:
            hint = (
                "the two outcomes came up equally often, but their probabilities are 0.7 and "
                "0.3: draw each outcome with its probability (model.sample does)"
            )
        raise CheckFailure(
            f"from state 0 the outcome of probability {_P_VIA_1} should happen in about "
            f"{_P_VIA_1:.0%} of the episodes, got {share:.0%}",
            hint,
        )
    if not np.array_equal(_returns(student, 1, gamma, max_steps, n), G):
        raise CheckFailure(
            "two calls with the same seed gave different returns",
            "use only the rng argument for randomness (no np.random.* functions)",
        )
    if np.array_equal(_returns(student, 2, gamma, max_steps, n), G):
        raise CheckFailure(
            "two calls with different seeds gave the same returns",
            "draw from the rng argument you are given, not from a generator of your own",
        )
    if abs(G.mean() - mean) > 0.1:
        raise CheckFailure(f"the mean return should be about {mean:.3f}, got {G.mean():.3f}")
