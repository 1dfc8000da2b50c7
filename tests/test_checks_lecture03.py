"""The checks of lecture 03 pass the reference and fail the typical mistakes, each with its hint."""

import numpy as np
import pytest

from mbrl_helpers.course import checks
from mbrl_helpers.course.checks.lecture03 import (
    reference_expected_update,
    reference_push_predecessors,
    reference_q_planning_step,
    reference_value_iteration_sweep,
)


def assert_fails(exercise_id, wrong, hint):
    result = checks.evaluate(exercise_id, wrong)
    assert result.status == checks.FAILED, result.line
    assert "the check could not use" not in result.message, result.line
    assert hint in (result.hint or "") + result.message, result.line


@pytest.mark.parametrize(
    ("exercise_id", "reference"),
    [
        ("3.1", reference_expected_update),
        ("3.2", reference_q_planning_step),
        ("3.3", reference_value_iteration_sweep),
        ("3.4", reference_push_predecessors),
    ],
)
def test_reference_passes_and_stub_is_not_implemented(exercise_id, reference):
    assert checks.evaluate(exercise_id, reference).status == checks.PASSED

    def stub(*args, **kwargs):
        raise NotImplementedError

    assert checks.evaluate(exercise_id, stub).status == checks.NOT_IMPLEMENTED


def test_lecture_03_registers_four_exercises():
    assert checks.registered(3) == ["3.1", "3.2", "3.3", "3.4"]


# -- 3.1: the expected update -------------------------------------------------------------------


def _expected(Q, P, s, a, gamma, *, terminal=True, weights="p", over="max", discount=True):
    transitions = P[s][a]
    total = 0.0
    for prob, s_next, r, terminated in transitions:
        w = {"p": prob, "uniform": 1 / len(transitions), "one": 1.0}[weights]
        future = getattr(Q[s_next], over)() if over != "taken" else Q[s_next, a]
        g = gamma if discount else 1.0
        total += w * (r if (terminated and terminal) else r + g * future)
    return total


def eu_bootstraps_terminal(Q, P, s, a, gamma):
    Q[s, a] = _expected(Q, P, s, a, gamma, terminal=False)


def eu_unweighted(Q, P, s, a, gamma):
    Q[s, a] = _expected(Q, P, s, a, gamma, weights="uniform")


def eu_summed(Q, P, s, a, gamma):
    Q[s, a] = _expected(Q, P, s, a, gamma, weights="one")


def eu_mean(Q, P, s, a, gamma):
    Q[s, a] = _expected(Q, P, s, a, gamma, over="mean")


def eu_taken(Q, P, s, a, gamma):
    Q[s, a] = _expected(Q, P, s, a, gamma, over="taken")


def eu_no_gamma(Q, P, s, a, gamma):
    Q[s, a] = _expected(Q, P, s, a, gamma, discount=False)


def eu_returns_value(Q, P, s, a, gamma):
    return _expected(Q, P, s, a, gamma)


def eu_alpha_step(Q, P, s, a, gamma):
    Q[s, a] += 0.5 * (_expected(Q, P, s, a, gamma) - Q[s, a])


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (eu_bootstraps_terminal, "a terminating transition has no future"),
        (eu_unweighted, "weight each outcome by its probability"),
        (eu_summed, "weight each outcome by its probability"),
        (eu_mean, "not their mean"),
        (eu_taken, "the best action in s'"),
        (eu_no_gamma, "discount the value of s' by gamma"),
        (eu_returns_value, "update Q in place"),
        (eu_alpha_step, "expected"),
    ],
)
def test_expected_update_check_catches(wrong, hint):
    assert_fails("3.1", wrong, hint)


# -- 3.2: a sample update from the model --------------------------------------------------------


def _draw(P, s, a, rng, uniform=False):
    transitions = P[s][a]
    probs = None if uniform else [p for p, *_ in transitions]
    return transitions[rng.choice(len(transitions), p=probs)]


def sp_bootstraps_terminal(Q, P, s, a, alpha, gamma, rng):
    _, s_next, r, _ = _draw(P, s, a, rng)
    Q[s, a] += alpha * (r + gamma * Q[s_next].max() - Q[s, a])


def sp_uniform(Q, P, s, a, alpha, gamma, rng):
    _, s_next, r, terminated = _draw(P, s, a, rng, uniform=True)
    target = r if terminated else r + gamma * Q[s_next].max()
    Q[s, a] += alpha * (target - Q[s, a])


def sp_expected(Q, P, s, a, alpha, gamma, rng):
    target = sum(p * (r if t else r + gamma * Q[s2].max()) for p, s2, r, t in P[s][a])
    Q[s, a] += alpha * (target - Q[s, a])


def sp_no_alpha(Q, P, s, a, alpha, gamma, rng):
    _, s_next, r, terminated = _draw(P, s, a, rng)
    Q[s, a] = r if terminated else r + gamma * Q[s_next].max()


def sp_global_random(Q, P, s, a, alpha, gamma, rng):
    transitions = P[s][a]
    k = np.random.choice(len(transitions), p=[p for p, *_ in transitions])  # noqa: NPY002
    _, s_next, r, terminated = transitions[k]
    target = r if terminated else r + gamma * Q[s_next].max()
    Q[s, a] += alpha * (target - Q[s, a])


def sp_fixed_seed(Q, P, s, a, alpha, gamma, rng):
    reference_q_planning_step(Q, P, s, a, alpha, gamma, np.random.default_rng(0))


def sp_most_likely(Q, P, s, a, alpha, gamma, rng):
    _, s_next, r, terminated = max(P[s][a], key=lambda t: t[0])
    target = r if terminated else r + gamma * Q[s_next].max()
    Q[s, a] += alpha * (target - Q[s, a])


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (sp_bootstraps_terminal, "a terminating transition has no future"),
        (sp_uniform, "you chose among the outcomes uniformly"),
        (sp_expected, "that is the expected update"),
        (sp_no_alpha, "only a step alpha"),
        (sp_global_random, "not from its rng argument"),
        (sp_fixed_seed, "with the rng you were given"),
        (sp_most_likely, "sample the outcome with its probability"),
    ],
)
def test_q_planning_step_check_catches(wrong, hint):
    assert_fails("3.2", wrong, hint)


# -- 3.3: a sweep of value iteration ------------------------------------------------------------


def _backup(V, P, s, gamma, terminal=True):
    return max(
        sum(p * (r if (t and terminal) else r + gamma * V[s2]) for p, s2, r, t in P[s][a])
        for a in range(len(P[s]))
    )


def vi_synchronous(V, P, gamma):
    old = V.copy()
    new = np.array([_backup(old, P, s, gamma) for s in range(len(V))])
    delta = float(np.abs(new - old).max())
    V[:] = new
    return delta


def vi_bootstraps_terminal(V, P, gamma):
    delta = 0.0
    for s in range(len(V)):
        v = V[s]
        V[s] = _backup(V, P, s, gamma, terminal=False)
        delta = max(delta, abs(v - V[s]))
    return delta


def vi_signed_delta(V, P, gamma):
    delta = 0.0
    for s in range(len(V)):
        v = V[s]
        V[s] = _backup(V, P, s, gamma)
        delta = max(delta, V[s] - v)
    return delta


def vi_other_signed_delta(V, P, gamma):
    delta = 0.0
    for s in range(len(V)):
        v = V[s]
        V[s] = _backup(V, P, s, gamma)
        delta = max(delta, v - V[s])
    return delta


def vi_no_return(V, P, gamma):
    reference_value_iteration_sweep(V, P, gamma)


def vi_copy(V, P, gamma):
    V = V.copy()
    return reference_value_iteration_sweep(V, P, gamma)


def vi_unweighted(V, P, gamma):
    delta = 0.0
    for s in range(len(V)):
        v = V[s]
        V[s] = max(
            np.mean([r if t else r + gamma * V[s2] for _, s2, r, t in P[s][a]])
            for a in range(len(P[s]))
        )
        delta = max(delta, abs(v - V[s]))
    return delta


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (vi_synchronous, "you used the old V for every state"),
        (vi_bootstraps_terminal, "a terminating transition has no future"),
        (vi_signed_delta, "take the absolute value of each change"),
        (vi_other_signed_delta, "take the absolute value of each change"),
        (vi_no_return, "return Delta"),
        (vi_copy, "update V in place"),
        (vi_unweighted, "weight each outcome by its probability"),
    ],
)
def test_value_iteration_sweep_check_catches(wrong, hint):
    assert_fails("3.3", wrong, hint)


# -- 3.4: queue the predecessors ----------------------------------------------------------------


def _push(
    Q,
    queue,
    predecessors,
    model,
    s,
    gamma,
    theta,
    *,
    absolute=True,
    threshold=True,
    terminal=True,
    bootstrap_from="s",
    pairs=None,
):
    for s_bar, a_bar in pairs if pairs is not None else predecessors.get(s, ()):
        r_bar, _, terminated = model.transitions[s_bar][a_bar]
        v = Q[s].max() if bootstrap_from == "s" else Q[s_bar].max()
        target = r_bar if (terminated and terminal) else r_bar + gamma * v
        priority = target - Q[s_bar, a_bar]
        if absolute:
            priority = abs(priority)
        if priority > theta or not threshold:
            queue.push((s_bar, a_bar), priority)


def ps_no_abs(Q, queue, predecessors, model, s, gamma, theta):
    _push(Q, queue, predecessors, model, s, gamma, theta, absolute=False)


def ps_no_abs_no_threshold(Q, queue, predecessors, model, s, gamma, theta):
    _push(Q, queue, predecessors, model, s, gamma, theta, absolute=False, threshold=False)


def ps_no_threshold(Q, queue, predecessors, model, s, gamma, theta):
    _push(Q, queue, predecessors, model, s, gamma, theta, threshold=False)


def ps_bootstraps_terminal(Q, queue, predecessors, model, s, gamma, theta):
    _push(Q, queue, predecessors, model, s, gamma, theta, terminal=False)


def ps_max_of_predecessor(Q, queue, predecessors, model, s, gamma, theta):
    _push(Q, queue, predecessors, model, s, gamma, theta, bootstrap_from="s_bar")


def ps_every_modelled_pair(Q, queue, predecessors, model, s, gamma, theta):
    _push(Q, queue, predecessors, model, s, gamma, theta, pairs=model.observed_pairs)


def ps_new_queue(Q, queue, predecessors, model, s, gamma, theta):
    while queue:
        queue.pop()
    reference_push_predecessors(Q, queue, predecessors, model, s, gamma, theta)


def ps_updates_Q(Q, queue, predecessors, model, s, gamma, theta):
    reference_push_predecessors(Q, queue, predecessors, model, s, gamma, theta)
    for s_bar, a_bar in predecessors[s]:
        Q[s_bar, a_bar] = 0.0


def ps_pushes_s(Q, queue, predecessors, model, s, gamma, theta):
    reference_push_predecessors(Q, queue, predecessors, model, s, gamma, theta)
    queue.push((s, 0), 1.0)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (ps_no_abs, "the priority is the absolute value"),
        (ps_no_abs_no_threshold, "the priority is the absolute value"),
        (ps_no_threshold, "exceeds theta"),
        (ps_bootstraps_terminal, "its target is just R_bar"),
        (ps_max_of_predecessor, "not of S_bar"),
        (ps_every_modelled_pair, "loop over predecessors[s] only"),
        (ps_new_queue, "keep what is already queued"),
        (ps_updates_Q, "Q changed"),
        (ps_pushes_s, "not S itself"),
    ],
)
def test_push_predecessors_check_catches(wrong, hint):
    assert_fails("3.4", wrong, hint)
