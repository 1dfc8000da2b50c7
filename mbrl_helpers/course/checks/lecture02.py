"""Checks for lecture 02, "Model learning".

2.1 the counting model's update, 2.2 its distribution in Gymnasium's `P[s][a]` format, 2.3 the
cross-entropy gradient of a classifier's output layer, 2.4 an open-loop multi-step rollout, 2.5
the pessimistic score of plans under an ensemble (a remedy for model exploitation).
The references are `mbrl_helpers.models.TabularModel`, `mbrl_helpers.models.nets.softmax_cross_entropy`,
`mbrl_helpers.models.neural.open_loop_rollout` and `pessimistic_scores` below.

Every check: a time limit (`TIME_LIMIT` seconds); inputs the student must not change are compared
before and after the call; NaN or infinite entries anywhere in a result fail; no exercise of this
lecture takes an `rng`, and the framework refuses global random draws inside the student's code.
"""

from __future__ import annotations

import numpy as np

from mbrl_helpers.course import checks
from mbrl_helpers.course.checks import CheckFailure, exercise
from mbrl_helpers.models import TabularModel
from mbrl_helpers.models.nets import softmax, softmax_cross_entropy
from mbrl_helpers.models.neural import open_loop_rollout

TIME_LIMIT = 5.0  # seconds: each of these checks needs a few milliseconds

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


@exercise("2.1", "the counting model's update", time_limit=TIME_LIMIT)
def check_update(student):
    N, R_sum = np.zeros((N_STATES, N_ACTIONS, N_STATES)), np.zeros((N_STATES, N_ACTIONS, N_STATES))
    returned = None
    for s, a, r, s_next in TRANSITIONS:
        returned = student(N, R_sum, s, a, r, s_next)
    N_ref, R_ref = reference_arrays()
    for name, array in (("N", N), ("R_sum", R_sum)):
        if not np.all(np.isfinite(array)):
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise CheckFailure(
                f"after the transitions {TRANSITIONS} (s, a, r, s_next), {name}{list(where)} is "
                f"{float(array[where])}",
                "N and R_sum hold counts and sums only: do not divide in the update (0 / 0 gives nan "
                "for the outcomes not seen yet); the averages are computed later, in 2.2",
            )
    if not N.any() and not R_sum.any():
        hint = "change N and R_sum in place (N[s, a, s_next] += 1), do not build new arrays"
        if returned is None:
            hint = "add 1 to N[s, a, s_next] and r to R_sum[s, a, s_next]"
        raise CheckFailure("after 7 transitions N and R_sum are still all zero", hint)
    if not np.array_equal(N, N_ref):
        s, a, s_next = np.argwhere(N != N_ref)[0]
        got, want = N[s, a, s_next], N_ref[s, a, s_next]
        seen = N_ref.sum(axis=2) > 0
        if np.array_equal(N > 0, N_ref > 0) and np.all(N[N > 0] == 1):
            hint = "N[s, a, s_next] += 1: count, do not overwrite with 1"
        elif np.array_equal(N > 0, N_ref > 0):
            hint = "add exactly 1 per transition: N[s, a, s_next] += 1"
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
            f"{what}: expected a list of (prob, s_next, r, terminated) tuples, got "
            f"{checks.py(out)!r}",
            "return [(prob, s_next, r_hat, terminated), ...] like Gymnasium's P[s][a]",
        ) from None
    for p, s2, r, _t in rows:  # every row counts, even one with probability 0
        if not (np.isfinite(p) and np.isfinite(r)):
            raise CheckFailure(
                f"{what}: the entry for s_next = {s2} has probability {p} and reward {r}",
                "nan comes from 0 / 0: list only the s_next seen after (s, a) "
                "(np.flatnonzero(N[s, a])), so that N[s, a, s_next] > 0 in every division",
            )
    return sorted((row for row in rows if row[0] > 0), key=lambda row: row[1])


@exercise(
    "2.2",
    "the counting model's distribution p_hat(s' | s, a) and r_hat(s, a, s')",
    time_limit=TIME_LIMIT,
)
def check_distribution(student):
    N_ref, R_ref = reference_arrays()
    model = reference_model()
    for s, a in [(0, 1), (2, 0), (0, 0)]:
        N, R_sum, terminal = N_ref.copy(), R_ref.copy(), TERMINAL.copy()
        with np.errstate(invalid="ignore", divide="ignore"):
            out = student(N, R_sum, terminal, s, a)
        for name, before, after in (("N", N_ref, N), ("R_sum", R_ref, R_sum)):
            checks.require_unchanged(
                name, before, after, hint="only read the counts here: copy before dividing"
            )
        checks.require_unchanged("terminal", TERMINAL, terminal)
        out = _normalise_output(out, f"for (s={s}, a={a})")
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


@exercise(
    "2.3", "the cross-entropy gradient of the classifier's output layer", time_limit=TIME_LIMIT
)
def check_cross_entropy(student):
    rng = np.random.default_rng(2)
    logits = rng.normal(0.0, 2.0, size=(4, 3))
    targets = np.array([0, 2, 1, 2])
    for name, z in [("random logits", logits), ("large logits (1000 + random)", logits + 1000.0)]:
        given, given_targets = z.copy(), targets.copy()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = student(given, given_targets)
        checks.require_unchanged("targets", targets, given_targets)
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
            elif np.allclose(grad, (z - onehot) / n):
                hint = "use the probabilities softmax(z), not the raw logits z"
            elif np.allclose(grad, z - onehot):
                hint = (
                    "two mistakes: use the probabilities softmax(z), not the raw logits z, and "
                    "divide by N (L is the mean over the batch)"
                )
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


@exercise("2.4", "an open-loop multi-step rollout of a learned model", time_limit=TIME_LIMIT)
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
    if s_hat.shape == want.shape and not np.all(np.isfinite(s_hat)):
        t = int(np.argwhere(~np.isfinite(s_hat))[0][0])
        raise CheckFailure(
            f"s_hat[{t}] = {_fmt(s_hat[t])} is not a number",
            "fill every row: s_hat[0] = states[0], then s_hat[t + 1] = predict(s_hat[t], "
            "actions[t]) for t = 0, ..., T - 1 (an array made with np.full(..., nan) or "
            "np.empty keeps whatever row you never set)",
        )
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


# -- 2.5: the pessimistic score of plans under an ensemble -------------------------------------------


class _ToyMember:
    """A made-up model of a cart with a pole, state (x, theta): pushing right (a = 1) moves the cart
    by `vx` and tilts the pole by `tilt`, pushing left (a = 0) tilts it back; `drift` is added to
    theta every step. Members differ in how much a push tilts the pole."""

    def __init__(self, vx: float, tilt: float, drift: float = 0.0) -> None:
        self.vx, self.tilt, self.drift = vx, tilt, drift

    def predict(self, s, a):
        s, a = np.asarray(s, dtype=float), np.asarray(a, dtype=float)
        x, theta = s[..., 0], s[..., 1]
        return np.stack(
            [x + self.vx * a, theta + self.tilt * (2.0 * a - 1.0) + self.drift], axis=-1
        )

    def __repr__(self) -> str:
        return f"member(vx={self.vx}, tilt={self.tilt}, drift={self.drift})"


def _toy_upright(s):
    """The pole is up while |theta| <= 1."""
    return np.abs(np.asarray(s)[..., 1]) <= 1.0


def _member_scores(member, s0, plans, *, every_step=True, fallen=-1.0, feed_back=True):
    """One member's score of every plan: final x if upright at every step (or, when
    `every_step` is False, only at the end), else `fallen`; `feed_back=False` predicts each step
    from s0 (a one-step prediction, not a rollout)."""
    s = np.repeat(np.asarray(s0, dtype=float)[None], len(plans), axis=0)
    start = s.copy()
    up = np.ones(len(plans), dtype=bool)
    for t in range(plans.shape[1]):
        s = member.predict(s if feed_back else start, plans[:, t].astype(float))
        if every_step:
            up &= _toy_upright(s)
    if not every_step:
        up = _toy_upright(s)
    return np.where(up, s[:, 0], fallen)


def pessimistic_scores(members, s0, plans, upright=_toy_upright) -> np.ndarray:
    """The reference of exercise 2.5: for each plan, the smallest score over the members, a
    member's score being the final x of its own rollout of the plan from s0, or -1 if the pole
    leaves `upright` at any step of that rollout."""
    scores = []
    for member in members:
        s = np.repeat(np.asarray(s0, dtype=float)[None], len(plans), axis=0)
        up = np.ones(len(plans), dtype=bool)
        for t in range(plans.shape[1]):
            s = member.predict(s, plans[:, t].astype(float))
            up &= upright(s)
        scores.append(np.where(up, s[:, 0], -1.0))
    return np.min(scores, axis=0)


def _mixed_members(members, s0, plans):
    """Member t mod K at step t: one rollout that switches models between steps."""
    s = np.repeat(np.asarray(s0, dtype=float)[None], len(plans), axis=0)
    up = np.ones(len(plans), dtype=bool)
    for t in range(plans.shape[1]):
        s = members[t % len(members)].predict(s, plans[:, t].astype(float))
        up &= _toy_upright(s)
    return np.where(up, s[:, 0], -1.0)


_PLANS = np.array(
    [
        [1, 1, 1, 1, 1],  # all right: only the optimistic member keeps the pole up
        [1, 0, 1, 0, 1],  # balanced: safe in every member
        [1, 1, 1, 1, 0],  # tips over at step 4 in one member, upright again at step 5
        [0, 0, 0, 0, 0],  # all left
        [1, 1, 0, 1, 1],
        [1, 1, 1, 0, 0],
    ]
)
_CASES = [  # (members, s0): K = 3 members (not 6, the number of plans), then one member
    ([_ToyMember(0.3, 0.1), _ToyMember(0.2, 0.3), _ToyMember(0.25, 0.2, 0.05)], [0.1, 0.0]),
    ((_ToyMember(0.15, 0.25, -0.05),), [-0.2, 0.3]),
]


def _diagnose(members, s0, plans, got) -> str:
    """The hint for a wrong answer: every typical mistake that gives exactly these numbers."""
    per_member = np.array([_member_scores(m, s0, plans) for m in members])
    mistakes = [
        (per_member[0], "you used only the first member: take every member's scores"),
        (per_member[-1], "you kept only the last member's scores (overwritten in the loop?)"),
        (
            per_member.mean(axis=0),
            "you took the mean over the members: the score is the worst member's, the minimum",
        ),
        (
            per_member.max(axis=0),
            "you took the best member (the maximum over members): that trusts the most "
            "optimistic model, exactly what a planner exploits; take the minimum",
        ),
        (
            np.min([_member_scores(m, s0, plans, every_step=False) for m in members], axis=0),
            "you checked upright only at the last step: a plan whose pole leaves upright at any "
            "step of the rollout has fallen (score -1), even if the model later brings it back",
        ),
        (
            np.min([_member_scores(m, s0, plans, fallen=0.0) for m in members], axis=0),
            "a plan whose pole falls scores -1, not 0",
        ),
        (
            np.min([_member_scores(m, s0, plans, feed_back=False) for m in members], axis=0),
            "you predicted every step from s0: feed each prediction back in, "
            "s = member.predict(s, plans[:, t]), so the member rolls the whole plan",
        ),
        (
            _mixed_members(members, s0, plans),
            "each member rolls the whole plan on its own: do not switch members between steps",
        ),
    ]
    found = [hint for values, hint in mistakes if np.allclose(got, values)]
    if found:
        return "; or ".join(found) if len(found) > 1 else found[0]
    return (
        "for each member: roll the plans from s0 (s = member.predict(s, plans[:, t])), a plan "
        "scores the final x if upright(s) held at every step and -1 otherwise; then the minimum "
        "over the members"
    )


@exercise("2.5", "the pessimistic score of plans under an ensemble", time_limit=TIME_LIMIT)
def check_pessimistic_scores(student):
    for members, s0 in _CASES:
        s0 = np.array(s0, dtype=float)
        given_s0, given_plans = s0.copy(), _PLANS.copy()
        given_members = type(members)(members)
        out = student(given_members, given_s0, given_plans, _toy_upright)
        checks.require_unchanged("s0", s0, given_s0)
        checks.require_unchanged("plans", _PLANS, given_plans)
        if np.ndim(out) == 0:
            raise CheckFailure(
                f"expected one score per plan ({len(_PLANS)} plans), got the single value "
                f"{checks.py(out)!r}",
                "return the array of scores (the planner takes its argmax), not the best plan "
                "or its score",
            )
        try:
            got = np.asarray(out, dtype=float)
        except (TypeError, ValueError):
            raise CheckFailure(
                f"expected an array of {len(_PLANS)} numbers, got {type(out).__name__}",
                "return one score per plan, e.g. np.min(scores, axis=0)",
            ) from None
        if not np.all(np.isfinite(got)):
            k = int(np.argwhere(~np.isfinite(got))[0][0]) if got.ndim else 0
            raise CheckFailure(
                f"score {k} is {got.ravel()[k]}: every score must be a number",
                "a plan whose pole falls scores -1 (nan would make the planner's argmax "
                "meaningless)",
            )
        if got.shape != (len(_PLANS),):
            hint = "one score per plan: an array of shape (n_plans,)"
            if got.shape == (len(members),):
                hint = "you took the minimum over the plans: take it over the members (axis 0)"
            elif got.shape == (len(members), len(_PLANS)):
                hint = "these are every member's scores: return their minimum over the members"
            raise CheckFailure(
                f"expected {len(_PLANS)} scores (one per plan), got shape {got.shape}", hint
            )
        want = pessimistic_scores(members, s0, _PLANS)
        if not np.allclose(got, want):
            k = int(np.argmax(~np.isclose(got, want)))
            raise CheckFailure(
                f"with {len(members)} member(s) {list(members)} and s0 = {s0.tolist()}: for plan "
                f"{_PLANS[k].tolist()} expected {want[k]:.3f}, got {got[k]:.3f} "
                f"(all scores: expected {np.round(want, 3).tolist()}, got "
                f"{np.round(got, 3).tolist()})",
                _diagnose(members, s0, _PLANS, got),
            )
