"""Checks for lecture 03, "Planning methods" (Sutton & Barto 4.4, 8.1, 8.4, 8.5).

Models are in Gymnasium's format `P[s][a] = [(prob, s_next, r, terminated), ...]`; `Q` is a
numpy array `(n_states, n_actions)` and `V` one of shape `(n_states,)`.

- 3.1 `expected_update(Q, P, s, a, gamma)`: the expected update of Q[s, a], in place;
- 3.2 `q_planning_step(Q, P, s, a, alpha, gamma, rng)`: a sample update on a transition drawn
  from the distribution model (random-sample one-step tabular Q-planning, section 8.1);
- 3.3 `value_iteration_sweep(V, P, gamma) -> delta`: one in-place sweep of value iteration;
- 3.4 `push_predecessors(Q, queue, predecessors, model, s, gamma, theta)` (`model` a
  `models.DeterministicModel`: `model.transitions[s][a] = (r, s_next, terminated)`): the inner
  loop of prioritized sweeping that queues the predecessors of s (section 8.4);
- 3.5 `return_gradient(model, reward, s0, actions, gamma) -> dJ/da`: the gradient of a predicted
  return with respect to an action sequence, by one backward pass through the model's Jacobians
  (gradient-based planning), compared with finite differences.

Every check also refuses NaN or infinite results and changed inputs; the framework adds the time
limit and refuses global random draws. Where two typical mistakes give the same numbers, the hint
names both. The `reference_*` functions are the solutions the checks compare against.
"""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers.course.checks import (
    CheckFailure,
    exercise,
    py,
    require_finite,
    require_unchanged,
    snapshot,
)
from mbrl_helpers.models import DeterministicModel
from mbrl_helpers.planning import expected_update as reference_expected_update
from mbrl_helpers.planning import gradient, sample_transition, sample_update
from mbrl_helpers.planning import value_iteration_sweep as reference_value_iteration_sweep
from mbrl_helpers.planning.prioritized_sweeping import PriorityQueue
from mbrl_helpers.planning.prioritized_sweeping import (
    push_predecessors as reference_push_predecessors,
)

__all__ = [
    "reference_expected_update",
    "reference_push_predecessors",
    "reference_q_planning_step",
    "reference_return_gradient",
    "reference_value_iteration_sweep",
]

reference_return_gradient = gradient.return_gradient


def reference_q_planning_step(Q, P, s, a, alpha, gamma, rng):
    """R, S' <- a sample of Model(S, A); Q(S, A) += alpha [R + gamma max Q(S', .) - Q(S, A)]."""
    r, s_next, terminated = sample_transition(P, s, a, rng=rng)
    sample_update(Q, s, a, r, s_next, terminated, alpha, gamma)


# A small stochastic model: from (0, 0) three outcomes, one of them terminating into state 3,
# whose (meaningless) Q values are non-zero so that bootstrapping from it shows.
_P = {
    0: {
        0: [(0.5, 1, 1.0, False), (0.3, 2, 0.0, False), (0.2, 3, 2.0, True)],
        1: [(1.0, 0, 0.0, False)],
    },
    1: {0: [(1.0, 2, 0.0, False)], 1: [(0.6, 0, 0.5, False), (0.4, 3, 1.0, True)]},
    2: {0: [(1.0, 3, 3.0, True)], 1: [(0.25, 1, 0.0, False), (0.75, 2, -1.0, False)]},
    3: {0: [(1.0, 3, 0.0, True)], 1: [(1.0, 3, 0.0, True)]},
}


def _q_table() -> np.ndarray:
    return np.array([[0.2, -0.1], [0.4, 1.5], [2.0, 0.7], [5.0, 4.0]])


def _changed_only(Q, before, s, a, name):
    require_finite("Q", Q)
    changed = [tuple(int(i) for i in ix) for ix in np.argwhere(Q != before)]
    if not changed:
        raise CheckFailure(
            f"Q did not change for {name}",
            "update Q in place (Q[s, a] = ...); the check looks at the array you were given",
        )
    if changed != [(s, a)]:
        raise CheckFailure(
            f"for {name} only Q[{s}, {a}] should change, but {changed} changed",
            "an update touches the one entry Q[s, a]",
        )


def _either(hints: list[str]) -> str:
    """One hint, or all of them when several mistakes give the same numbers."""
    unique = list(dict.fromkeys(hints))
    if len(unique) == 1:
        return unique[0]
    return "these mistakes give the same numbers here; " + "; or ".join(unique)


# -- 3.1 ---------------------------------------------------------------------------------------


def _weighted(transitions, weights, value) -> float:
    return sum(w * value(s2, r, t) for w, (_, s2, r, t) in zip(weights, transitions, strict=True))


def _wrong_expected_updates(Q, transitions, a, gamma) -> dict[str, float]:
    """What the typical mistakes make of the expected update, from the table Q before it."""
    probs = [p for p, *_ in transitions]
    uniform = [1 / len(transitions)] * len(transitions)
    ones = [1.0] * len(transitions)

    def right(s2, r, t):
        return r if t else r + gamma * Q[s2].max()

    return {
        "bootstrap": _weighted(transitions, probs, lambda s2, r, t: r + gamma * Q[s2].max()),
        "uniform": _weighted(transitions, uniform, right),
        "taken": _weighted(transitions, probs, lambda s2, r, t: r if t else r + gamma * Q[s2, a]),
        "mean": _weighted(
            transitions, probs, lambda s2, r, t: r if t else r + gamma * Q[s2].mean()
        ),
        "no_gamma": _weighted(transitions, probs, lambda s2, r, t: r if t else r + Q[s2].max()),
        "sum": _weighted(transitions, ones, right),
    }


@exercise("3.1", "the expected update of Q(s, a)")
def check_expected_update(student):
    gamma = 0.9
    for s, a in [(0, 0), (1, 1), (2, 1), (2, 0)]:
        Q = _q_table()
        before, P_before = Q.copy(), snapshot(_P)
        student(Q, _P, s, a, gamma)
        require_unchanged("P", P_before, _P, "read the model P; never write into it")
        name = f"(s={s}, a={a})"
        _changed_only(Q, before, s, a, name)
        expected = before.copy()
        reference_expected_update(expected, _P, s, a, gamma)
        got, want = float(Q[s, a]), float(expected[s, a])
        if math.isclose(got, want, abs_tol=1e-9):
            continue
        wrong = _wrong_expected_updates(before, _P[s][a], a, gamma)
        hints = {
            "bootstrap": "a terminating transition has no future: its term is just r, "
            "never r + gamma max Q(s', .)",
            "uniform": "weight each outcome by its probability p(s', r | s, a), the first entry "
            "of each tuple",
            "taken": "bootstrap from max_a' Q(s', a'), the best action in s'",
            "mean": "bootstrap from the max over actions in s', not their mean",
            "no_gamma": "discount the value of s' by gamma",
            "sum": "weight each outcome by its probability p(s', r | s, a)",
        }
        matched = [hints[k] for k, v in wrong.items() if math.isclose(got, v, abs_tol=1e-9)]
        if matched:
            raise CheckFailure(f"Q[{s}, {a}]: expected {want:.4f}, got {got:.4f}", _either(matched))
        raise CheckFailure(
            f"Q[{s}, {a}]: expected {want:.4f}, got {got:.4f}",
            "Q(s, a) <- sum over (p, s', r, terminated) of p [r + gamma max_a' Q(s', a')], "
            "without the max term when terminated",
        )


# -- 3.2 ---------------------------------------------------------------------------------------

# (0, 0) has three outcomes with distinct probabilities and targets (gamma = 0.9):
#   p = 0.5: S' = 1, R = 0    -> target 0.9 * max Q[1] = 1.8
#   p = 0.3: S' = 2, R = 0.5  -> target 0.5 + 0.9 * max Q[2] = 1.4
#   p = 0.2: terminates in 3, R = 1 -> target 1.0 (bootstrapping from Q[3] would give 3.7)
_P_SAMPLE = {
    0: {
        0: [(0.5, 1, 0.0, False), (0.3, 2, 0.5, False), (0.2, 3, 1.0, True)],
        1: [(1.0, 0, 0.0, False)],
    },
    1: {0: [(1.0, 1, 0.0, False)], 1: [(1.0, 1, 0.0, False)]},
    2: {0: [(1.0, 2, 0.0, False)], 1: [(1.0, 2, 0.0, False)]},
    3: {0: [(1.0, 3, 0.0, True)], 1: [(1.0, 3, 0.0, True)]},
}
_PROBS = (0.5, 0.3, 0.2)
_TARGETS = (1.8, 1.4, 1.0)
_Q0 = 0.2  # Q[0, 0] before each update
_N_SAMPLES = 3000  # for the distribution: each frequency within 0.04 (over 4 standard errors)


def _sample_q_table() -> np.ndarray:
    return np.array([[_Q0, 0.0], [0.5, 2.0], [1.0, -1.0], [3.0, 0.0]])


def _sample_results(student, alpha, seed, n):
    rng = np.random.default_rng(seed)
    P_before = snapshot(_P_SAMPLE)
    results = []
    for _ in range(n):
        Q = _sample_q_table()
        before = Q.copy()
        student(Q, _P_SAMPLE, 0, 0, alpha, 0.9, rng=rng)
        if not results:
            _changed_only(Q, before, 0, 0, "(s=0, a=0)")
        else:
            require_finite("Q", Q)
        results.append(float(Q[0, 0]))
    require_unchanged("P", P_before, _P_SAMPLE, "read the model P; never write into it")
    return np.array(results)


def _wrong_sample_value(bad: float, alpha: float) -> str:
    expected_value = sum(p * t for p, t in zip(_PROBS, _TARGETS, strict=True))
    hints = []
    if math.isclose(bad, _Q0 + alpha * (1.0 + 0.9 * 3.0 - _Q0)):
        hints.append("a terminating transition has no future: the target is just R")
    if math.isclose(bad, _Q0 + alpha * (expected_value - _Q0)):
        hints.append(
            "that is the expected update: draw ONE outcome (with its probability) and update "
            "towards its target alone"
        )
    if alpha != 1.0 and any(math.isclose(bad, t) for t in _TARGETS):
        hints.append("move Q(S, A) only a step alpha towards the target")
    if not hints:
        hints.append("Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)]")
    return _either(hints)


@exercise("3.2", "a sample update on a transition drawn from the model")
def check_q_planning_step(student):
    for alpha, n in ((1.0, _N_SAMPLES), (0.5, 300)):
        got = _sample_results(student, alpha, seed=3, n=n)
        values = [_Q0 + alpha * (t - _Q0) for t in _TARGETS]
        which = np.full(len(got), -1)
        for k, value in enumerate(values):
            which[np.isclose(got, value)] = k
        if (which < 0).any():
            bad = float(got[which < 0][0])
            raise CheckFailure(
                f"with alpha = {alpha}, Q[0, 0] became {bad:.4f}, which is no sample update's "
                f"result (expected one of {', '.join(f'{v:.2f}' for v in values)})",
                _wrong_sample_value(bad, alpha),
            )
        if alpha != 1.0:
            continue
        # the distribution, not only the support: each outcome with its probability
        frequency = np.bincount(which, minlength=3) / len(which)
        if np.abs(frequency - np.array(_PROBS)).max() > 0.04:
            shown = ", ".join(f"{f:.0%}" for f in frequency)
            hint = "sample the outcome with its probability p (e.g. rng.choice(n, p=probs))"
            if np.abs(frequency - 1 / 3).max() <= 0.04:
                hint = "you chose among the outcomes uniformly: " + hint
            elif frequency.max() == 1.0:
                hint = (
                    "every update drew the same outcome: sample the outcome with its "
                    "probability, with the rng you were given (a new generator in each call "
                    "repeats the same number)"
                )
            raise CheckFailure(
                f"the three outcomes of P[0][0], with probabilities 50%, 30%, 20%, were drawn in "
                f"{shown} of {len(which)} updates",
                hint,
            )
    again = _sample_results(student, 1.0, seed=3, n=300)
    if not np.array_equal(again, _sample_results(student, 1.0, seed=3, n=300)):
        raise CheckFailure(
            "two runs with the same seeded rng gave different samples",
            "draw every random number from the rng you were given, never from np.random",
        )
    if np.array_equal(again, _sample_results(student, 1.0, seed=4, n=300)):
        raise CheckFailure(
            "two runs with differently seeded rngs gave the same samples",
            "draw the outcome with the rng you were given",
        )


# -- 3.3 ---------------------------------------------------------------------------------------

# A chain listed backwards: state 0 terminates with reward 1, state k moves to k - 1. Sweeping
# 0, 1, 2, 3 in place, each state already sees its successor's new value.
_CHAIN = {
    s: {0: [(1.0, s - 1, 0.0, False)] if s else [(1.0, 0, 1.0, True)], 1: [(1.0, s, 0.0, False)]}
    for s in range(4)
}


def _sweep(student, V, P, gamma, name):
    before, P_before = V.copy(), snapshot(P)
    delta = student(V, P, gamma)
    require_unchanged("P", P_before, P, "read the model P; never write into it")
    require_finite("V", V)
    if delta is not None and not isinstance(delta, np.ndarray | list | tuple):
        require_finite("Delta", delta)
    expected_V = before.copy()
    expected_delta = reference_value_iteration_sweep(expected_V, P, gamma)
    if np.array_equal(V, before) and not np.array_equal(expected_V, before):
        raise CheckFailure(
            f"V did not change in {name}",
            "update V in place (V[s] = ...); the check looks at the array you were given",
        )
    return before, delta, expected_V, expected_delta


def _check_delta(delta, expected_delta, name):
    if delta is None:
        raise CheckFailure("your sweep returned None", "return Delta = max over s of |v - V(s)|")
    if not math.isclose(float(delta), expected_delta, abs_tol=1e-9):
        hint = "Delta = max over states of |old V(s) - new V(s)|"
        if float(delta) <= 0.0:
            hint = "take the absolute value of each change: values can go down as well as up"
        raise CheckFailure(
            f"after {name}, expected Delta = {expected_delta:.4f}, got {float(delta):.4f}", hint
        )


@exercise("3.3", "one in-place sweep of value iteration")
def check_value_iteration_sweep(student):
    gamma = 0.9
    # (1) in place: later states see the new values of earlier ones
    V = np.zeros(4)
    before, delta, expected_V, expected_delta = _sweep(
        student, V, _CHAIN, gamma, "a sweep of the chain"
    )
    if not np.allclose(V, expected_V):
        hint = "V(s) <- max_a sum p [r + gamma V(s')] for each state in turn"
        synchronous = np.array([1.0, 0.0, 0.0, 0.0])
        if np.allclose(V, synchronous):
            hint = (
                "you used the old V for every state (a copy made before the sweep); the sweep "
                "is in place: write V[s] at once, so later states use the new values"
            )
        raise CheckFailure(
            f"after one sweep of a 4-state chain from V = 0: expected V = "
            f"{np.round(expected_V, 4).tolist()}, got {np.round(V, 4).tolist()}",
            hint,
        )
    _check_delta(delta, expected_delta, "a sweep in which V rises from 0")
    # (2) terminal transitions: never bootstrap from the state they land in
    V = np.array([0.0, 0.0, 0.0, 10.0])
    P = {
        0: {0: [(0.5, 3, 1.0, True), (0.5, 1, 0.0, False)], 1: [(1.0, 0, 0.0, False)]},
        1: {0: [(1.0, 3, 2.0, True)], 1: [(1.0, 0, 0.0, False)]},
        2: {0: [(1.0, 2, 0.0, False)], 1: [(1.0, 1, -1.0, False)]},
        3: {0: [(1.0, 3, 0.0, True)], 1: [(1.0, 3, 0.0, True)]},
    }
    before, delta, expected_V, expected_delta = _sweep(
        student, V, P, gamma, "a sweep with terminal transitions"
    )
    if not np.allclose(V, expected_V):
        hint = "V(s) <- max_a sum_{s', r} p(s', r | s, a) [r + gamma V(s')]"
        if V[1] > expected_V[1] + 1.0:
            hint = (
                "a terminating transition has no future: its term is just r, even if V of the "
                "state it lands in is not zero"
            )
        raise CheckFailure(
            f"expected V = {np.round(expected_V, 4).tolist()}, got {np.round(V, 4).tolist()}",
            hint,
        )
    # (3) Delta: the largest absolute change, returned
    V = np.full(4, 5.0)  # the values fall: every change is negative
    _, delta, expected_V, expected_delta = _sweep(student, V, _CHAIN, gamma, "a sweep from V = 5")
    _check_delta(delta, expected_delta, "a sweep in which V falls from 5")
    # (4) stochastic outcomes weighted by their probabilities (FrozenLake-like)
    V = np.linspace(-1.0, 1.0, 4)
    _, delta, expected_V, expected_delta = _sweep(student, V, _P, gamma, "a stochastic sweep")
    if not np.allclose(V, expected_V):
        raise CheckFailure(
            f"on a stochastic model expected V = {np.round(expected_V, 4).tolist()}, "
            f"got {np.round(V, 4).tolist()}",
            "weight each outcome by its probability p(s', r | s, a) and take the max over actions",
        )


# -- 3.4 ---------------------------------------------------------------------------------------

_GAMMA, _THETA = 0.5, 1e-4


def _ps_case():
    Q = np.zeros((6, 2))
    Q[3] = [2.0, 1.0]  # the state just updated: max_a Q(3, a) = 2
    Q[0, 0] = 5.0  # overestimated: |0 + 0.5 * 2 - 5| = 4
    Q[1, 1] = 1.0 - 1e-6  # almost right: |1 - (1 - 1e-6)| = 1e-6 <= theta, not queued
    Q[4] = [0.25, 9.0]  # (4, 0) underestimated: |0.5 + 1 - 0.25| = 1.25
    model = DeterministicModel(n_actions=2)
    model.update(0, 0, 0.0, 3, False)
    model.update(1, 1, 0.0, 3, False)
    model.update(2, 0, 0.3, 3, True)  # terminates on arrival in 3: priority |0.3 - 0| = 0.3
    model.update(4, 0, 0.5, 3, False)
    model.update(4, 1, 0.0, 5, False)  # leads elsewhere
    predecessors = {3: {(0, 0): None, (1, 1): None, (2, 0): None, (4, 0): None}, 5: {(4, 1): None}}
    queue = PriorityQueue()
    queue.push((5, 0), 0.7)  # already queued: must stay
    return Q, queue, predecessors, model


@exercise("3.4", "prioritized sweeping: queue the predecessors of s")
def check_push_predecessors(student):
    Q, queue, predecessors, model = _ps_case()
    Q_before = Q.copy()
    predecessors_before, model_before = snapshot(predecessors), snapshot(model.transitions)
    student(Q, queue, predecessors, model, 3, _GAMMA, _THETA)
    require_unchanged(
        "predecessors", predecessors_before, predecessors, "only read predecessors[s]"
    )
    require_unchanged("model", model_before, model.transitions, "only read the model's predictions")
    Q_ref, expected_queue, predecessors_ref, model_ref = _ps_case()
    reference_push_predecessors(
        Q_ref, expected_queue, predecessors_ref, model_ref, 3, _GAMMA, _THETA
    )
    got, want = queue.items(), expected_queue.items()
    if not np.array_equal(Q, Q_before):
        raise CheckFailure(
            "Q changed: this step only computes priorities and queues pairs",
            "the update of Q(S, A) happens before; here only queue.push(...)",
        )

    def show(items):
        return "{" + ", ".join(f"{k}: {v:.4g}" for k, v in sorted(items.items())) + "}"

    if got == want or (set(got) == set(want) and all(math.isclose(got[k], want[k]) for k in want)):
        return
    message = f"expected the queue {show(want)}, got {show(got)}"
    if (5, 0) not in got:
        hint = "keep what is already queued: only push, never empty or rebuild the queue"
    elif any(p < 0 for p in got.values()) or ((0, 0) not in got):
        hint = (
            "the priority is the absolute value |R_bar + gamma max_a Q(S, a) - Q(S_bar, A_bar)|: "
            "an overestimated value needs an update as much as an underestimated one"
        )
    elif (4, 0) in got and math.isclose(got[(4, 0)], abs(0.5 + _GAMMA * 9.0 - 0.25)):
        hint = "bootstrap from max_a Q(S, a) of the state S that was just updated, not of S_bar"
    elif (1, 1) in got:
        hint = "only queue a pair whose priority exceeds theta (P > theta)"
    elif (2, 0) in got and math.isclose(got[(2, 0)], abs(0.3 + _GAMMA * 2.0)):
        hint = "a predecessor whose transition terminates has no future: its target is just R_bar"
    elif (4, 1) in got:
        hint = "loop over predecessors[s] only: the pairs predicted to lead to S"
    elif (3, 0) in got or (3, 1) in got:
        hint = "queue the predecessors S_bar, A_bar of S, not S itself"
    else:
        hint = "P <- |R_bar + gamma max_a Q(S, a) - Q(S_bar, A_bar)|; if P > theta, push it"
    raise CheckFailure(message, hint)


# -- 3.5 ---------------------------------------------------------------------------------------


class _BentModel:
    """A small nonlinear model whose Jacobians change with the state and are not symmetric:

    s' = A s + 0.3 sin(s) + B tanh(a),   f_s = A + 0.3 diag(cos s),   f_a = B diag(1 - tanh(a)^2).

    It counts its calls, so the check can tell one backward pass from finite differences.
    """

    def __init__(self, action_dim: int):
        self.A = np.array([[0.9, 0.4], [-0.3, 0.8]])
        self.B = np.array([[0.5, -0.2], [0.1, 0.7]])[:, :action_dim]
        self.n_predict = 0

    def predict(self, s, a):
        self.n_predict += 1
        s, a = np.asarray(s, dtype=float), np.asarray(a, dtype=float)
        return self.A @ s + 0.3 * np.sin(s) + self.B @ np.tanh(a)

    def jacobians(self, s, a):
        s, a = np.asarray(s, dtype=float), np.asarray(a, dtype=float)
        return self.A + 0.3 * np.diag(np.cos(s)), self.B * (1.0 - np.tanh(a) ** 2)


class _Reward:
    """rho(s', a) = -|s' - target|^2 - c |a|^2, with gradients in every state dimension."""

    def __init__(self):
        self.target = np.array([1.0, -0.5])
        self.c = 0.1

    def __call__(self, s_next, a):
        a = np.asarray(a, dtype=float)
        return float(-np.sum((np.asarray(s_next) - self.target) ** 2) - self.c * a @ a)

    def gradients(self, s_next, a):
        return -2.0 * (np.asarray(s_next) - self.target), -2.0 * self.c * np.asarray(a, float)


def _gradient_variants(model, reward, s0, actions, gamma) -> dict[str, np.ndarray]:
    """What the typical mistakes compute instead of dJ/da, written as sums of Jacobian products:

    dJ/da_t = gamma^t d_a(t) + sum_{k=t+1}^{H} gamma^(k-1) (F_{k-1} ... F_{t+1} G_t)^T d_s(k),

    with F_j = f_s(s_j, a_j), G_t = f_a(s_t, a_t), d_s(k) = grad_s rho(s_k, a_{k-1}) and
    d_a(t) = grad_a rho(s_{t+1}, a_t)."""
    H = len(actions)
    states = [np.asarray(s0, dtype=float)]
    for a in actions:
        states.append(model.A @ states[-1] + 0.3 * np.sin(states[-1]) + model.B @ np.tanh(a))
    d_s = [None] + [reward.gradients(states[k], actions[k - 1])[0] for k in range(1, H + 1)]
    d_a = [reward.gradients(states[t + 1], actions[t])[1] for t in range(H)]

    def gradient_of(*, disc=lambda k: gamma**k, F_at=None, horizon=None, reverse=False,
                    transpose_F=False, transpose_G=False, action_term=True):  # fmt: skip
        at = F_at or (lambda j: states[j])
        F = [model.jacobians(at(j), actions[j])[0] for j in range(H)]
        G = [model.jacobians(at(t), actions[t])[1] for t in range(H)]
        grad = np.zeros_like(actions)
        for t in range(H):
            total = disc(t) * d_a[t] if action_term else np.zeros(actions.shape[1])
            last = H if horizon is None else min(H, t + horizon)
            for k in range(t + 1, last + 1):
                chain = [F[j] for j in range(t + 1, k)]  # F_{t+1} .. F_{k-1}
                product = G[t].T if transpose_G else G[t]
                for Fj in chain[::-1] if reverse else chain:  # F_{k-1} ... F_{t+1} G_t
                    product = (Fj.T if transpose_F else Fj) @ product
                total = total + disc(k - 1) * product.T @ d_s[k]
            grad[t] = total
        return grad

    variants = {
        "no_discount": gradient_of(disc=lambda k: 1.0),
        "discount_t_plus_1": gradient_of(disc=lambda k: gamma ** (k + 1)),
        "transposed_f_s": gradient_of(transpose_F=True),
        "myopic": gradient_of(horizon=1),
        "late_jacobian": gradient_of(F_at=lambda j: states[min(j + 1, H)]),
        "reversed_order": gradient_of(reverse=True),
        "no_action_term": gradient_of(action_term=False),
        "jacobians_at_s0": gradient_of(F_at=lambda j: states[0]),
    }
    if actions.shape[1] == model.A.shape[0]:  # a square f_a: transposing it gives other numbers
        variants["transposed_f_a"] = gradient_of(transpose_G=True)
    variants["sign"] = -gradient_of()
    return variants


_GRADIENT_HINTS = {
    "no_discount": "the reward rho(s_{t+1}, a_t) counts gamma^t times in J: multiply its "
    "gradients by gamma^t",
    "discount_t_plus_1": "t counts from 0: the first reward, rho(s_1, a_0), is not discounted "
    "(gamma^0 = 1), so the reward of step t gets gamma^t, not gamma^(t+1)",
    "transposed_f_s": "a gradient flows backwards through the transposed Jacobian: "
    "dJ/ds_t = f_s^T dJ/ds_{t+1}, not f_s dJ/ds_{t+1}",
    "transposed_f_a": "dJ/da_t = gamma^t d_a rho + f_a^T g_{t+1}: transpose f_a",
    "myopic": "a_t moves s_{t+1} and through it every later state: carry g backwards "
    "(g_{t+1} = gamma^t d_s rho(s_{t+1}, a_t) + f_s(s_{t+1}, a_{t+1})^T g_{t+2})",
    "late_jacobian": "the Jacobians that carry a gradient from s_{t+1} back to s_t and a_t are "
    "those of the step s_t -> s_{t+1}: evaluate them at (s_t, a_t), not at s_{t+1}",
    "reversed_order": "chain-rule order: s_k depends on a_t through F_{k-1} ... F_{t+1} G_t (the "
    "latest step's Jacobian leftmost); going backwards, multiply by f_s^T one step at a time, "
    "from the last step down to step t + 1",
    "no_action_term": "a_t also changes its own reward directly: add gamma^t d_a rho(s_{t+1}, a_t)",
    "jacobians_at_s0": "evaluate the Jacobians at the states of the rollout, f(s_t, a_t), not "
    "at s_0",
    "sign": "that is -dJ/da: return the gradient of the return itself (ascent), not of its "
    "negative",
}


@exercise("3.5", "the gradient of a predicted return through a model")
def check_return_gradient(student):
    reward = _Reward()
    rng = np.random.default_rng(5)
    for action_dim, gamma in ((2, 0.9), (1, 0.8)):
        model = _BentModel(action_dim)
        H = 4
        s0 = np.array([0.3, -0.2])
        actions = rng.uniform(-1.0, 1.0, size=(H, action_dim))
        before = (s0.copy(), actions.copy())
        got = student(model, reward, s0, actions, gamma)
        calls = model.n_predict  # the student's calls only (finite differences come later)
        require_unchanged("s0", before[0], s0, "do not change s0; start the rollout from a copy")
        require_unchanged("actions", before[1], actions, "do not change the actions you are given")
        if got is None:
            raise CheckFailure(
                "your function returned None", "return dJ/da, an array shaped like actions"
            )
        got = require_finite("your gradient", got)
        if got.shape != actions.shape:
            raise CheckFailure(
                f"with {H} steps and {action_dim}-dimensional actions expected dJ/da of shape "
                f"{actions.shape} (one row per action), got shape {py(got.shape)}",
                "return an array shaped like actions: row t is dJ/da_t",
            )
        # the reference, itself checked against central finite differences of J
        want = reference_return_gradient(model, reward, s0, actions, gamma)
        numeric = gradient.finite_difference_gradient(
            lambda a, m=model, g=gamma, s=s0: gradient.predicted_return(m, reward, s, a, g),
            actions,
        )
        assert np.allclose(want, numeric, atol=1e-6), (
            "the reference disagrees with finite differences"
        )
        name = f"{action_dim}-dimensional actions, gamma = {gamma}"
        if not np.allclose(got, want, atol=1e-6):
            worst = np.unravel_index(np.abs(got - want).argmax(), want.shape)
            t = int(worst[0])
            message = (
                f"with {name}: dJ/da_{t} should be {np.round(want[t], 4).tolist()} (the "
                f"finite differences agree), got {np.round(got[t], 4).tolist()}"
            )
            variants = _gradient_variants(model, reward, s0, actions, gamma)
            matched = [_GRADIENT_HINTS[k] for k, v in variants.items() if np.allclose(got, v)]
            hint = (
                _either(matched)
                if matched
                else (
                    "derive dJ/da_t by the chain rule, backwards from the last step: g_{t+1} = "
                    "gamma^t d_s rho(s_{t+1}, a_t) + f_s(s_{t+1}, a_{t+1})^T g_{t+2}, "
                    "dJ/da_t = gamma^t d_a rho(s_{t+1}, a_t) + f_a(s_t, a_t)^T g_{t+1}"
                )
            )
            raise CheckFailure(message, hint)
        if calls > 3 * H:
            raise CheckFailure(
                f"with {name}, your gradient is right but called model.predict {calls} times for "
                f"a horizon of {H}: that is finite differences (2 x {H} x {action_dim} rollouts)",
                "compute it the way backpropagation does: one rollout forwards, then one pass "
                "backwards through the Jacobians (H calls of predict and of jacobians)",
            )
