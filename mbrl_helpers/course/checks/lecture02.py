"""Checks for lecture 02, "Model learning".

2.1 the counting model's update, 2.2 its distribution in Gymnasium's `P[s][a]` format, 2.3 the
cross-entropy gradient of a classifier's output layer, 2.4 an open-loop multi-step rollout.
The references are `mbrl_helpers.models.TabularModel`, `mbrl_helpers.models.nets.softmax_cross_entropy`
and `mbrl_helpers.models.neural.open_loop_rollout`.
"""

from __future__ import annotations

import numpy as np

from mbrl_helpers.course.checks import CheckFailure, exercise
from mbrl_helpers.models import TabularModel
from mbrl_helpers.models.nets import softmax, softmax_cross_entropy
from mbrl_helpers.models.neural import open_loop_rollout

N_STATES, N_ACTIONS = 5, 2
# (s, a, r, s_next): (0, 1) goes to 2 twice (rewards 0.5 and 1.0) and to 3 once (reward 0);
# (0, 0) is another action of the same state; (2, 0) lands in the terminal state 4 with r = 1.
TRANSITIONS = [
    (0, 1, 0.5, 2),
    (0, 1, 0.0, 3),
    (0, 0, 0.0, 1),
    (0, 1, 1.0, 2),
    (2, 0, 1.0, 4),
    (2, 0, 0.0, 2),
    (2, 0, 1.0, 4),
]
TERMINAL = np.array([False, False, False, False, True])


def reference_model() -> TabularModel:
    """The package's counting model, fed `TRANSITIONS`."""
    model = TabularModel()
    for s, a, r, s_next in TRANSITIONS:
        model.update(s, a, r, s_next, bool(TERMINAL[s_next]))
    return model


def reference_arrays() -> tuple[np.ndarray, np.ndarray]:
    """N[s, a, s'] and R_sum[s, a, s'] after `TRANSITIONS`, read off the reference model."""
    model = reference_model()
    N = np.zeros((N_STATES, N_ACTIONS, N_STATES))
    R_sum = np.zeros_like(N)
    for s, a in model.observed_pairs:
        for p, s_next, r, _t in model.distribution(s, a):
            n = p * model.count(s, a)
            N[s, a, s_next] = round(n)
            R_sum[s, a, s_next] = r * round(n)
    return N, R_sum


def _fmt(x) -> str:
    return np.array2string(np.asarray(x), precision=3, suppress_small=True)


@exercise("2.1", "the counting model's update")
def check_update(student):
    N, R_sum = np.zeros((N_STATES, N_ACTIONS, N_STATES)), np.zeros((N_STATES, N_ACTIONS, N_STATES))
    returned = None
    for s, a, r, s_next in TRANSITIONS:
        returned = student(N, R_sum, s, a, r, s_next)
    N_ref, R_ref = reference_arrays()
    if not N.any() and not R_sum.any():
        hint = "change N and R_sum in place (N[s, a, s_next] += 1), do not build new arrays"
        if returned is None:
            hint = "add 1 to N[s, a, s_next] and r to R_sum[s, a, s_next]"
        raise CheckFailure("after 7 transitions N and R_sum are still all zero", hint)
    if not np.array_equal(N, N_ref):
        s, a, s_next = np.argwhere(N != N_ref)[0]
        got, want = N[s, a, s_next], N_ref[s, a, s_next]
        seen = N_ref.sum(axis=2) > 0
        if np.array_equal(N > 0, N_ref > 0):
            hint = "N[s, a, s_next] += 1: count, do not overwrite with 1"
        elif np.all(N.sum(axis=2)[seen] == 1):
            hint = (
                "keep every outcome: a stochastic model counts all the s_next seen after (s, a), "
                "it does not reset N[s, a] to the last one (that is the deterministic model)"
            )
        elif N.sum() > N_ref.sum():
            hint = "increment the one entry N[s, a, s_next], not the whole row N[s, a] or N[s]"
        else:
            hint = "N[s, a, s_next] counts the transitions s, a -> s_next"
        raise CheckFailure(
            f"after the transitions {TRANSITIONS} (s, a, r, s_next), expected "
            f"N[{s}, {a}, {s_next}] = {want:g}, got {got:g}",
            hint,
        )
    if not np.allclose(R_sum, R_ref):
        s, a, s_next = np.argwhere(~np.isclose(R_sum, R_ref))[0]
        got, want = R_sum[s, a, s_next], R_ref[s, a, s_next]
        if np.isclose(R_sum[0, 1, 2], 1.0) and np.isclose(R_ref[0, 1, 2], 1.5):
            hint = "R_sum[s, a, s_next] += r: add each reward, do not keep only the last one"
        elif np.isclose(R_sum[0, 1, 2], 0.75):
            hint = "store the sum of the rewards; the average is computed later, in 2.2"
        elif R_sum.sum() > R_ref.sum() + 1e-9:
            hint = "add r to the one entry R_sum[s, a, s_next], not to a whole row"
        else:
            hint = "R_sum[s, a, s_next] is the sum of the rewards of the transitions s, a -> s_next"
        raise CheckFailure(
            f"after the transitions {TRANSITIONS} (s, a, r, s_next), expected "
            f"R_sum[{s}, {a}, {s_next}] = {want:g}, got {got:g}",
            hint,
        )


def _normalise_output(out, what: str) -> list[tuple[float, int, float, bool]]:
    try:
        rows = [(float(p), int(s2), float(r), bool(t)) for p, s2, r, t in out]
    except (TypeError, ValueError):
        raise CheckFailure(
            f"{what}: expected a list of (prob, s_next, r, terminated) tuples, got {out!r}",
            "return [(prob, s_next, r_hat, terminated), ...] like Gymnasium's P[s][a]",
        ) from None
    return sorted((row for row in rows if row[0] > 0), key=lambda row: row[1])


@exercise("2.2", "the counting model's distribution p_hat(s' | s, a) and r_hat(s, a, s')")
def check_distribution(student):
    N_ref, R_ref = reference_arrays()
    model = reference_model()
    for s, a in [(0, 1), (2, 0), (0, 0)]:
        N, R_sum = N_ref.copy(), R_ref.copy()
        with np.errstate(invalid="ignore", divide="ignore"):
            out = student(N, R_sum, TERMINAL.copy(), s, a)
        out = _normalise_output(out, f"for (s={s}, a={a})")
        if not (np.array_equal(N, N_ref) and np.array_equal(R_sum, R_ref)):
            raise CheckFailure(
                "your function changed N or R_sum",
                "only read the counts here: copy before dividing",
            )
        want = [(p, s2, r, t) for p, s2, r, t in model.distribution(s, a)]
        where = f"for (s={s}, a={a}) with N[{s}, {a}] = {_fmt(N_ref[s, a])}"
        probs = {s2: p for p, s2, _r, _t in out}
        want_probs = {s2: p for p, s2, _r, _t in want}
        if set(probs) != set(want_probs) or not np.allclose(
            [probs[k] for k in want_probs], list(want_probs.values())
        ):
            total = sum(probs.values())
            if not np.isclose(total, 1.0):
                hint = (
                    "normalise per (s, a): p_hat(s'|s, a) = N[s, a, s'] / N[s, a].sum(), "
                    "not by the counts of the whole table or of the state"
                )
            else:
                hint = "p_hat(s'|s, a) = N[s, a, s'] / sum over s' of N[s, a, s']"
            raise CheckFailure(
                f"{where}: expected probabilities {_round(want_probs)}, got {_round(probs)} "
                f"(they sum to {total:.3f})",
                hint,
            )
        rewards = {s2: r for _p, s2, r, _t in out}
        want_r = {s2: r for _p, s2, r, _t in want}
        if not np.allclose([rewards[k] for k in want_r], list(want_r.values())):
            pair_mean = R_ref[s, a].sum() / N_ref[s, a].sum()
            if np.allclose([rewards[k] for k in want_r], pair_mean):
                hint = (
                    "average the rewards per outcome: r_hat(s, a, s') = R_sum[s, a, s'] / "
                    "N[s, a, s'], not over all transitions of (s, a)"
                )
            elif np.allclose(
                [rewards[k] for k in want_r], [R_ref[s, a, k] / N_ref[s, a].sum() for k in want_r]
            ):
                hint = "divide R_sum[s, a, s'] by N[s, a, s'] (the visits of this outcome), not N(s, a)"
            elif np.allclose([rewards[k] for k in want_r], [R_ref[s, a, k] for k in want_r]):
                hint = "R_sum holds sums: divide by N[s, a, s'] to get the mean reward"
            else:
                hint = "r_hat(s, a, s') = R_sum[s, a, s'] / N[s, a, s']"
            raise CheckFailure(
                f"{where} and R_sum[{s}, {a}] = {_fmt(R_ref[s, a])}: expected rewards "
                f"{_round(want_r)}, got {_round(rewards)}",
                hint,
            )
        flags = {s2: t for _p, s2, _r, t in out}
        want_t = {s2: t for _p, s2, _r, t in want}
        if flags != want_t:
            raise CheckFailure(
                f"{where}: expected terminated flags {want_t}, got {flags}",
                "terminated is terminal[s_next] (the state you land in), not terminal[s]",
            )
    N, R_sum = N_ref.copy(), R_ref.copy()
    try:
        with np.errstate(invalid="ignore", divide="ignore"):
            out = student(N, R_sum, TERMINAL.copy(), 3, 0)
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001 - any clear error is right for a pair never observed
        return
    raise CheckFailure(
        f"(s=3, a=0) was never observed (N[3, 0] is all zero), yet your function returned {out!r}",
        "raise a ValueError for a pair never observed: a silent guess hides missing data",
    )


def _round(d: dict) -> dict:
    return {int(k): round(float(v), 3) for k, v in sorted(d.items())}


@exercise("2.3", "the cross-entropy gradient of the classifier's output layer")
def check_cross_entropy(student):
    rng = np.random.default_rng(2)
    logits = rng.normal(0.0, 2.0, size=(4, 3))
    targets = np.array([0, 2, 1, 2])
    for name, z in [("random logits", logits), ("large logits (1000 + random)", logits + 1000.0)]:
        given = z.copy()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = student(given, targets.copy())
        try:
            loss, grad = out
            loss, grad = float(loss), np.asarray(grad, dtype=float)
        except (TypeError, ValueError):
            raise CheckFailure(
                f"expected a pair (loss, dlogits), got {out!r}", "return loss, dlogits"
            ) from None
        want_loss, want_grad = softmax_cross_entropy(z, targets)
        if not np.array_equal(given, z):
            raise CheckFailure(
                "your function changed the logits array in place",
                "compute z = logits - logits.max(...) as a new array, not with -=",
            )
        if not np.isfinite(loss) or not np.all(np.isfinite(grad)):
            raise CheckFailure(
                f"for {name}: got loss {loss} and a gradient with nan or inf",
                "exp(1000) overflows: subtract each row's max logit before exponentiating "
                "(softmax does not change)",
            )
        if grad.shape != z.shape:
            raise CheckFailure(
                f"dlogits must have the logits' shape {z.shape}, got {grad.shape}",
                "one gradient entry per logit",
            )
        if not np.allclose(grad, want_grad):
            onehot = np.eye(3)[targets]
            p = softmax(z)
            n = len(z)
            if np.allclose(grad, -want_grad):
                hint = "the sign is flipped: dL/dz = softmax(z) - onehot(y) (for gradient descent)"
            elif np.allclose(grad, n * want_grad):
                hint = "L is the mean over the batch: divide the gradient by N"
            elif np.allclose(grad, (z - onehot) / n) or np.allclose(grad, z - onehot):
                hint = "use the probabilities softmax(z), not the raw logits z"
            elif np.allclose(grad, (np.exp(z) / np.exp(z).sum(axis=0) - onehot) / n):
                hint = "the softmax normalises each row (axis=1, over classes), not each column"
            elif np.allclose(grad, p / n):
                hint = "subtract 1 at the target class: dL/dz = (softmax(z) - onehot(y)) / N"
            else:
                hint = "dL/dz_i = (softmax(z_i) - onehot(y_i)) / N"
            i = int(np.argmax(~np.all(np.isclose(grad, want_grad), axis=1)))
            raise CheckFailure(
                f"for {name}, batch of N = {n}: row {i} has logits {_fmt(z[i])} and target "
                f"{int(targets[i])}; expected dlogits[{i}] = {_fmt(want_grad[i])}, "
                f"got {_fmt(grad[i])}",
                hint,
            )
        if not np.isclose(loss, want_loss):
            if np.isclose(loss, len(z) * want_loss):
                hint = "the loss is the mean over the batch, not the sum"
            elif np.isclose(loss, -want_loss):
                hint = "the loss is minus the log-probability of the targets"
            else:
                hint = "L = -(1/N) sum_i log softmax(z_i)[y_i]"
            raise CheckFailure(f"for {name}: expected loss {want_loss:.4f}, got {loss:.4f}", hint)


def _toy_predict(s, a):
    """A made-up, slightly wrong model of `_toy_true`: nonlinear, so errors compound."""
    s = np.asarray(s, dtype=float)
    return np.array([s[0] + 0.1 * s[1], 0.95 * s[1] + 0.1 * np.sin(s[0]) + 0.2 * (a - 0.5)])


def _toy_true(s, a):
    return np.array([s[0] + 0.1 * s[1], s[1] + 0.1 * np.sin(s[0]) + 0.25 * (a - 0.5)])


def _toy_trajectory():
    actions = np.array([1, 1, 0, 1, 0, 0, 1, 1])
    states = [np.array([0.2, -0.1])]
    for a in actions:
        states.append(_toy_true(states[-1], a))
    return np.stack(states), actions


@exercise("2.4", "an open-loop multi-step rollout of a learned model")
def check_rollout(student):
    states, actions = _toy_trajectory()
    given_s, given_a = states.copy(), actions.copy()
    calls = []

    def predict(s, a):
        calls.append(1)
        return _toy_predict(s, a)

    out = student(predict, given_s, given_a)
    if not (np.array_equal(given_s, states) and np.array_equal(given_a, actions)):
        raise CheckFailure(
            "your function changed the states or actions it was given",
            "build a new array of predictions (s_hat = [states[0].copy()], then append)",
        )
    try:
        s_hat = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailure(f"expected an array of predicted states, got {out!r}") from None
    T = len(actions)
    want = open_loop_rollout(_toy_predict, states[0], actions)
    if s_hat.shape != want.shape:
        hint = "return T + 1 states: s_hat[0] = states[0], then one prediction per action"
        if s_hat.shape == (T, 2):
            hint = "include the start: s_hat[0] = states[0], so the result has T + 1 rows"
        raise CheckFailure(
            f"expected shape {want.shape} (T = {T} actions), got {s_hat.shape}", hint
        )
    if np.allclose(s_hat, want):
        if len(calls) != T:
            raise CheckFailure(
                f"the model was called {len(calls)} times for {T} actions",
                "call predict once per step: s_hat[t + 1] = predict(s_hat[t], actions[t])",
            )
        return
    one_step = np.vstack(
        [states[:1], [_toy_predict(s, a) for s, a in zip(states[:-1], actions, strict=True)]]
    )
    shifted = open_loop_rollout(_toy_predict, states[0], actions[1:])  # a_{t+1} instead of a_t
    t = int(np.argmax(~np.all(np.isclose(s_hat, want), axis=1)))
    if np.allclose(s_hat, one_step):
        hint = (
            "you fed the model the true state states[t]: that is a one-step prediction. An "
            "open-loop rollout feeds the model its own prediction, s_hat[t + 1] = "
            "predict(s_hat[t], actions[t]), so its errors compound"
        )
    elif np.allclose(s_hat, states):
        hint = "you returned the true states: predict them with the model"
    elif np.allclose(s_hat[:T], shifted):
        hint = "use actions[t] to go from s_hat[t] to s_hat[t + 1] (no shift)"
    elif not np.allclose(s_hat[0], states[0]):
        hint = "the rollout starts from the true state: s_hat[0] = states[0]"
    else:
        hint = "s_hat[t + 1] = predict(s_hat[t], actions[t])"
    raise CheckFailure(
        f"at step t = {t}: expected s_hat[{t}] = {_fmt(want[t])}, got {_fmt(s_hat[t])}", hint
    )
