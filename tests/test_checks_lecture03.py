"""The checks of lecture 03 pass the reference and fail the typical mistakes, each with its hint.

Issue 11, point 4, for every check: an endless loop fails with "did not finish"; inputs changed,
NaN or infinite results, and global random draws (3.2) fail with a clear message; 3.2 tests the
distribution of its draws, not only their support; 3.5 tells a backward pass from finite
differences."""

import numpy as np
import pytest

from mbrl_helpers.course import checks
from mbrl_helpers.course.checks.lecture03 import (
    reference_expected_update,
    reference_push_predecessors,
    reference_q_planning_step,
    reference_return_gradient,
    reference_value_iteration_sweep,
)
from mbrl_helpers.planning import gradient


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
        ("3.5", reference_return_gradient),
    ],
)
def test_reference_passes_and_stub_is_not_implemented(exercise_id, reference):
    assert checks.evaluate(exercise_id, reference).status == checks.PASSED

    def stub(*args, **kwargs):
        raise NotImplementedError

    assert checks.evaluate(exercise_id, stub).status == checks.NOT_IMPLEMENTED


def test_lecture_03_registers_five_exercises():
    assert checks.registered(3) == ["3.1", "3.2", "3.3", "3.4", "3.5"]


@pytest.mark.parametrize("exercise_id", ["3.1", "3.2", "3.3", "3.4", "3.5"])
def test_a_student_function_that_never_returns_fails_within_the_limit(exercise_id):
    def endless(*args, **kwargs):
        while True:
            pass

    result = checks.evaluate(exercise_id, endless, time_limit=0.5)
    assert result.status == checks.FAILED
    assert "did not finish within 0.5 s" in result.message


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


def eu_writes_nan_elsewhere(Q, P, s, a, gamma):
    Q[s, a] = _expected(Q, P, s, a, gamma)
    Q[0, 1 - a if s == 0 else 0] = np.nan  # an entry the update should never touch


def eu_nan(Q, P, s, a, gamma):
    Q[s, a] = np.nan


def eu_mutates_P(Q, P, s, a, gamma):
    Q[s, a] = _expected(Q, P, s, a, gamma)
    P[s][a].sort(key=lambda t: -t[0])  # "tidies" the model in place


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
        (eu_writes_nan_elsewhere, "Q holds NaN values"),
        (eu_nan, "Q holds NaN values"),
        (eu_mutates_P, "your function changed its input P"),
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


def sp_reversed_probabilities(Q, P, s, a, alpha, gamma, rng):
    # right support, wrong distribution: the probabilities read backwards
    transitions = P[s][a]
    probs = [p for p, *_ in transitions][::-1]
    _, s_next, r, terminated = transitions[rng.choice(len(transitions), p=probs)]
    target = r if terminated else r + gamma * Q[s_next].max()
    Q[s, a] += alpha * (target - Q[s, a])


def sp_first_outcome_twice_as_often(Q, P, s, a, alpha, gamma, rng):
    # the support is right and every outcome appears; only the frequencies are off
    transitions = P[s][a]
    k = 0 if rng.random() < 0.7 else rng.choice(len(transitions))
    _, s_next, r, terminated = transitions[k]
    target = r if terminated else r + gamma * Q[s_next].max()
    Q[s, a] += alpha * (target - Q[s, a])


def sp_python_random(Q, P, s, a, alpha, gamma, rng):
    import random

    transitions = P[s][a]
    k = random.choices(range(len(transitions)), weights=[p for p, *_ in transitions])[0]
    _, s_next, r, terminated = transitions[k]
    target = r if terminated else r + gamma * Q[s_next].max()
    Q[s, a] += alpha * (target - Q[s, a])


def sp_unseeded_generator(Q, P, s, a, alpha, gamma, rng):
    reference_q_planning_step(Q, P, s, a, alpha, gamma, np.random.default_rng())


def sp_nan_when_terminal(Q, P, s, a, alpha, gamma, rng):
    r, s_next, terminated = _draw_outcome(P, s, a, rng)
    target = r if not terminated else np.nan
    target = target if terminated else r + gamma * Q[s_next].max()
    Q[s, a] += alpha * (target - Q[s, a])


def _draw_outcome(P, s, a, rng):
    transitions = P[s][a]
    _, s_next, r, terminated = transitions[
        rng.choice(len(transitions), p=[p for p, *_ in transitions])
    ]
    return r, s_next, terminated


def sp_mutates_P(Q, P, s, a, alpha, gamma, rng):
    reference_q_planning_step(Q, P, s, a, alpha, gamma, rng)
    P[s][a][0] = (0.5, *P[s][a][0][1:])  # rewrites an outcome (same values, a new tuple)
    P[s].setdefault(9, [])


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
        (sp_reversed_probabilities, "sample the outcome with its probability"),
        (sp_first_outcome_twice_as_often, "were drawn in"),
        (sp_python_random, "drew a random number from random.choices"),
        (sp_unseeded_generator, "np.random.default_rng() without a seed"),
        (sp_nan_when_terminal, "Q holds NaN values"),
        (sp_mutates_P, "your function changed its input P"),
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


def vi_nan_delta(V, P, gamma):
    reference_value_iteration_sweep(V, P, gamma)
    return float("nan")


def vi_inf_in_V(V, P, gamma):
    delta = reference_value_iteration_sweep(V, P, gamma)
    V[-1] = np.inf  # a state the check's comparisons might skip
    return delta


def vi_mutates_P(V, P, gamma):
    delta = reference_value_iteration_sweep(V, P, gamma)
    P[0][0] = list(P[0][0])[::-1]
    return delta


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (vi_nan_delta, "Delta holds NaN values"),
        (vi_inf_in_V, "V holds infinite values"),
        (vi_mutates_P, "your function changed its input P"),
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


def ps_consumes_predecessors(Q, queue, predecessors, model, s, gamma, theta):
    reference_push_predecessors(Q, queue, predecessors, model, s, gamma, theta)
    predecessors.pop(s)  # "done with them"


def ps_mutates_model(Q, queue, predecessors, model, s, gamma, theta):
    reference_push_predecessors(Q, queue, predecessors, model, s, gamma, theta)
    model.transitions[0][0] = (0.0, s, True)


def ps_nan_priority(Q, queue, predecessors, model, s, gamma, theta):
    for s_bar, a_bar in predecessors.get(s, ()):
        queue.push((s_bar, a_bar), float("nan"))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (ps_consumes_predecessors, "your function changed its input predecessors"),
        (ps_mutates_model, "your function changed its input model"),
        (ps_nan_priority, "priority must be a finite number"),
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


# -- 3.5: the gradient of a predicted return through a model ------------------------------------


def _backward(
    model,
    reward,
    s0,
    actions,
    gamma,
    *,
    discount=lambda t, gamma: gamma**t,
    transpose_f_s=True,
    transpose_f_a=True,
    carry=True,
    jacobian_state="s_t",
    action_term=True,
):
    """A student's backward pass, with one switch per typical mistake."""
    states = [np.array(s0, dtype=float)]
    for a in actions:
        states.append(model.predict(states[-1], a))
    grad = np.zeros_like(actions, dtype=float)
    g_future = np.zeros_like(states[0])
    for t in reversed(range(len(actions))):
        d_s, d_a = reward.gradients(states[t + 1], actions[t])
        g = discount(t, gamma) * d_s + (g_future if carry else 0.0)
        at = {"s_t": states[t], "s_next": states[t + 1], "s_0": states[0]}[jacobian_state]
        f_s, f_a = model.jacobians(at, actions[t])
        own = discount(t, gamma) * d_a if action_term else 0.0
        grad[t] = own + (f_a.T if transpose_f_a else f_a) @ g
        g_future = (f_s.T if transpose_f_s else f_s) @ g
    return grad


def rg_no_discount(model, reward, s0, actions, gamma):
    return _backward(model, reward, s0, actions, gamma, discount=lambda t, g: 1.0)


def rg_discount_off_by_one(model, reward, s0, actions, gamma):
    return _backward(model, reward, s0, actions, gamma, discount=lambda t, g: g ** (t + 1))


def rg_transposed_f_s(model, reward, s0, actions, gamma):
    return _backward(model, reward, s0, actions, gamma, transpose_f_s=False)


def rg_transposed_f_a(model, reward, s0, actions, gamma):
    if actions.shape[1] != 2:  # (a student's code that works only for square f_a)
        return _backward(model, reward, s0, actions, gamma)
    return _backward(model, reward, s0, actions, gamma, transpose_f_a=False)


def rg_myopic(model, reward, s0, actions, gamma):
    return _backward(model, reward, s0, actions, gamma, carry=False)


def rg_jacobians_at_next_state(model, reward, s0, actions, gamma):
    return _backward(model, reward, s0, actions, gamma, jacobian_state="s_next")


def rg_jacobians_at_s0(model, reward, s0, actions, gamma):
    return _backward(model, reward, s0, actions, gamma, jacobian_state="s_0")


def rg_no_action_term(model, reward, s0, actions, gamma):
    return _backward(model, reward, s0, actions, gamma, action_term=False)


def rg_descent(model, reward, s0, actions, gamma):
    return -_backward(model, reward, s0, actions, gamma)


def rg_reversed_chain(model, reward, s0, actions, gamma):
    """Jacobian products written out, applied in the wrong order: F_{t+1} ... F_{k-1} G_t."""
    H = len(actions)
    states = [np.array(s0, dtype=float)]
    for a in actions:
        states.append(model.predict(states[-1], a))
    F = [model.jacobians(states[j], actions[j])[0] for j in range(H)]
    G = [model.jacobians(states[t], actions[t])[1] for t in range(H)]
    grad = np.zeros_like(actions, dtype=float)
    for t in range(H):
        grad[t] = gamma**t * reward.gradients(states[t + 1], actions[t])[1]
        for k in range(t + 1, H + 1):
            ds_k_da_t = G[t]
            for j in reversed(range(t + 1, k)):  # should run t + 1, t + 2, ..., k - 1
                ds_k_da_t = F[j] @ ds_k_da_t
            d_s = reward.gradients(states[k], actions[k - 1])[0]
            grad[t] += gamma ** (k - 1) * ds_k_da_t.T @ d_s
    return grad


def rg_finite_differences(model, reward, s0, actions, gamma):
    return gradient.finite_difference_gradient(
        lambda a: gradient.predicted_return(model, reward, s0, a, gamma), actions
    )


def rg_flat(model, reward, s0, actions, gamma):
    return reference_return_gradient(model, reward, s0, actions, gamma).ravel()


def rg_nan(model, reward, s0, actions, gamma):
    grad = reference_return_gradient(model, reward, s0, actions, gamma)
    grad[-1, -1] = np.nan
    return grad


def rg_changes_actions(model, reward, s0, actions, gamma):
    grad = reference_return_gradient(model, reward, s0, actions, gamma)
    actions += 0.1 * grad  # one step of ascent, in place
    return grad


def rg_changes_s0(model, reward, s0, actions, gamma):
    original = s0.copy()
    s = s0
    for a in actions:  # a rollout that writes into s0
        s[:] = model.predict(s, a)
    return reference_return_gradient(model, reward, original, actions, gamma)


def rg_none(model, reward, s0, actions, gamma):
    reference_return_gradient(model, reward, s0, actions, gamma)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (rg_no_discount, "multiply its gradients by gamma^t"),
        (rg_discount_off_by_one, "not gamma^(t+1)"),
        (rg_transposed_f_s, "through the transposed Jacobian"),
        (rg_transposed_f_a, "transpose f_a"),
        (rg_myopic, "carry g backwards"),
        (rg_jacobians_at_next_state, "evaluate them at (s_t, a_t), not at s_{t+1}"),
        (rg_jacobians_at_s0, "not at s_0"),
        (rg_no_action_term, "add gamma^t d_a rho"),
        (rg_descent, "that is -dJ/da"),
        (rg_reversed_chain, "chain-rule order"),
        (rg_finite_differences, "that is finite differences"),
        (rg_flat, "expected dJ/da of shape (4, 2)"),
        (rg_nan, "your gradient holds NaN values"),
        (rg_changes_actions, "your function changed its input actions"),
        (rg_changes_s0, "your function changed its input s0"),
        (rg_none, "your function returned None"),
    ],
)
def test_return_gradient_check_catches(wrong, hint):
    assert_fails("3.5", wrong, hint)


def test_a_hint_names_every_mistake_that_gives_the_same_numbers():
    from mbrl_helpers.course.checks.lecture03 import _either

    assert _either(["a", "a"]) == "a"
    both = _either(["forgot gamma", "wrong sign"])
    assert "forgot gamma" in both and "wrong sign" in both and "same numbers" in both
