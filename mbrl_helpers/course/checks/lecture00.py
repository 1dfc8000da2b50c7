"""Checks for lecture 00, "Why model-based RL"."""

from __future__ import annotations

import numpy as np

from mbrl_helpers.course.checks import CheckFailure, exercise
from mbrl_helpers.models.true_model import TrueModel


def reference_expected_target(distribution, V, gamma):
    """sum_{s', r} p(s', r | s, a) [r + gamma V(s')], with V(s') = 0 after termination."""
    return sum(
        p * (r + (0.0 if done else gamma * V[s_next])) for p, s_next, r, done in distribution
    )


@exercise("0.1", "a one-step lookahead with the full distribution")
def check_expected_target(student):
    V = np.array([0.0, 2.0, 4.0, 10.0])  # state 3 is terminal, with a (wrong) non-zero value
    cases = [
        ("one certain transition", [(1.0, 1, 0.5, False)], 0.9),
        (
            "three outcomes",
            [(0.5, 1, 0.0, False), (0.25, 2, 1.0, False), (0.25, 0, -1.0, False)],
            0.9,
        ),
        ("a terminating outcome", [(0.8, 2, 0.0, False), (0.2, 3, 1.0, True)], 0.5),
    ]
    for name, dist, gamma in cases:
        expected = reference_expected_target(dist, V, gamma)
        got = student(dist, V.copy(), gamma)
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise CheckFailure(f"expected a number, got {type(got).__name__} {got!r}") from None
        if np.isclose(got, expected):
            continue
        hint = None
        if name == "a terminating outcome" and np.isclose(
            got, sum(p * (r + gamma * V[s]) for p, s, r, _ in dist)
        ):
            hint = "a terminating transition has no future: use V(s') = 0 when terminated is True"
        elif np.isclose(got, np.mean([r + (0 if d else gamma * V[s]) for _, s, r, d in dist])):
            hint = "weight each outcome by its probability p instead of averaging the outcomes"
        elif np.isclose(got, sum(p * (r + (0 if d else V[s])) for p, s, r, d in dist)):
            hint = "discount the next state's value by gamma"
        elif np.isclose(got, sum(p * (0 if d else gamma * V[s]) for p, s, r, d in dist)):
            hint = "add the reward r of each outcome"
        raise CheckFailure(
            f"for {name} {dist} with V = {V.tolist()} and gamma = {gamma}: "
            f"expected {expected:.4f}, got {got:.4f}",
            hint or "the target is sum over outcomes of p * (r + gamma * V[s'])",
        )


# A tiny model for 0.2, followed with the policy pi = (1, 0, 1, 0, 0):
# from state 0, action 1 goes to state 1 (r = 1) or state 2 (r = 0) with probability 1/2 each;
# state 1, action 0 terminates in state 4 with r = 2; state 2, action 1 loops with r = 1 (only
# max_steps stops it). Every other action leads to the trap state 3 (r = 100 per step), and the
# terminal state 4 pays 10,000 per step: neither must ever show up in a return.
_TRAP, _AFTER_END = 100.0, 10_000.0
_MODEL = TrueModel(
    {
        0: {0: [(1.0, 3, _TRAP, False)], 1: [(0.5, 1, 1.0, False), (0.5, 2, 0.0, False)]},
        1: {0: [(1.0, 4, 2.0, True)], 1: [(1.0, 3, _TRAP, False)]},
        2: {0: [(1.0, 3, _TRAP, False)], 1: [(1.0, 2, 1.0, False)]},
        3: {0: [(1.0, 3, _TRAP, False)], 1: [(1.0, 3, _TRAP, False)]},
        4: {0: [(1.0, 4, _AFTER_END, False)], 1: [(1.0, 4, _AFTER_END, False)]},
    }
)
_POLICY = np.array([1, 0, 1, 0, 0])


def _exact_returns(gamma, max_steps):
    """The two possible returns (via state 1, via state 2) and the mean."""
    via_1 = 1.0 + gamma * 2.0 if max_steps >= 2 else 1.0
    via_2 = sum(gamma**t for t in range(1, max_steps))
    return via_1, via_2, 0.5 * (via_1 + via_2)


def _returns(student, seed, gamma, max_steps, n):
    G = student(_MODEL, _POLICY.copy(), 0, n, gamma, max_steps, rng=np.random.default_rng(seed))
    return np.asarray(G, dtype=float)


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
    if not 0.45 < share < 0.55:
        raise CheckFailure(
            f"the first outcome should happen in about half of the episodes, got {share:.0%}",
            "draw each transition with model.sample(s, a, rng), using the rng you are given",
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
