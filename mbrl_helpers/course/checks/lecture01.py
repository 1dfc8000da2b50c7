"""Checks for lecture 01, "The Dyna cycle" (Sutton & Barto 8.2 and 8.3).

The exercises build tabular Dyna-Q from the box of section 8.2, with `Q` a numpy array
`(n_states, n_actions)` and the model a dict of dicts `model[s][a] = (r, s_next, terminated)`,
the layout of `mbrl_helpers.models.DeterministicModel.transitions` (its keys are the previously
observed states, and for each the actions previously taken):

- 1.1 `q_update(Q, s, a, r, s_next, terminated, alpha, gamma)`: step (d), in place;
- 1.2 `model_update(model, s, a, r, s_next, terminated)`: step (e), in place;
- 1.3 `dyna_q_step(Q, model, s, a, r, s_next, terminated, n_planning, alpha, gamma, rng)`:
  steps (d), (e) and (f) for one real transition;
- 1.4 `dyna_q_plus_step(Q, model, last_tried, t, s, a, r, s_next, terminated, n_planning,
  alpha, gamma, kappa, rng)`: the same with the Dyna-Q+ bonus `kappa sqrt(tau)` in planning.

The layout is kept on purpose: its keys are exactly what step (f) draws from, in the order the
box draws them (a key of `model`, then a key of `model[S]`), so the right distribution is the
natural code; a flat `model[(s, a)]` would make the wrong one (uniform over observed pairs) the
natural code. The checks of 1.3 and 1.4 test that distribution on a model where the two differ
(one state with one tried action, one with four: 1/2 against 1/5 for the lone pair), besides
the updates, the seeds (same seed same Q, another seed another Q), finite values and the time
limit.

The `reference_*` functions are the solutions the checks compare against.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from mbrl_helpers.course.checks import CheckFailure, UsedGlobalRandom, exercise, require_finite
from mbrl_helpers.tabular import q_update as reference_q_update

__all__ = [
    "reference_dyna_q_plus_step",
    "reference_dyna_q_step",
    "reference_model_update",
    "reference_q_update",
]


def reference_model_update(model, s, a, r, s_next, terminated):
    """Step (e): Model(S, A) <- R, S' in `model[s][a]`, the layout of
    `mbrl_helpers.models.DeterministicModel.transitions`."""
    model.setdefault(s, {})[a] = (r, s_next, terminated)


def reference_dyna_q_plus_step(
    Q, model, last_tried, t, s, a, r, s_next, terminated, n_planning, alpha, gamma, kappa, rng
):
    """Dyna-Q+: plan with R + kappa sqrt(tau), tau = t - last_tried[S, A]; real rewards as is.

    With `last_tried=None` (and kappa = 0) it is one step of plain Dyna-Q.
    """
    reference_q_update(Q, s, a, r, s_next, terminated, alpha, gamma)  # (d)
    reference_model_update(model, s, a, r, s_next, terminated)  # (e)
    if last_tried is not None:
        last_tried[s, a] = t
    states = list(model)
    for _ in range(n_planning):  # (f)
        s_p = states[rng.integers(len(states))]  # random previously observed state
        actions = list(model[s_p])
        a_p = actions[rng.integers(len(actions))]  # random action previously taken in it
        r_p, s_next_p, terminated_p = model[s_p][a_p]
        if last_tried is not None:
            r_p += kappa * math.sqrt(t - last_tried[s_p, a_p])
        reference_q_update(Q, s_p, a_p, r_p, s_next_p, terminated_p, alpha, gamma)


def reference_dyna_q_step(Q, model, s, a, r, s_next, terminated, n_planning, alpha, gamma, rng):
    """Steps (d), (e), (f) of the Dyna-Q box for one real transition."""
    reference_dyna_q_plus_step(
        Q, model, None, 0, s, a, r, s_next, terminated, n_planning, alpha, gamma, 0.0, rng
    )


# -- 1.1 ---------------------------------------------------------------------------------


def _q_table() -> np.ndarray:
    return np.array(
        [
            [0.0, 0.0, 0.0, 0.0],
            [0.1, 0.5, 0.2, 0.0],
            [0.3, 0.9, 0.4, 0.6],  # max 0.9 at action 1
            [2.0, 1.0, 3.0, 1.5],  # a terminal state with (wrong) non-zero values
        ]
    )


@exercise("1.1", "the direct Q-learning update, step (d)")
def check_q_update(student):
    cases = [
        # name, (s, a, r, s_next, terminated, alpha, gamma)
        ("a non-terminal transition", (1, 1, 0.0, 2, False, 0.5, 0.9)),
        ("a rewarded transition", (1, 3, 1.0, 2, False, 0.1, 0.95)),
        ("a transition into a terminal state", (2, 0, 1.0, 3, True, 0.5, 0.9)),
    ]
    for name, (s, a, r, s_next, terminated, alpha, gamma) in cases:
        Q = _q_table()
        before = Q.copy()
        returned = student(Q, s, a, r, s_next, terminated, alpha, gamma)
        require_finite("Q", Q)
        expected = before.copy()
        reference_q_update(expected, s, a, r, s_next, terminated, alpha, gamma)
        args = f"Q[{s}, {a}] after (S={s}, A={a}, R={r}, S'={s_next}, terminated={terminated})"
        if np.array_equal(Q, before):
            hint = "update Q in place: Q[s, a] += alpha * (...)"
            if isinstance(returned, np.ndarray) and np.allclose(returned, expected):
                hint = "the check looks at the Q you were given: change it in place, not a copy"
            raise CheckFailure(f"Q did not change for {name}", hint)
        changed = [tuple(int(i) for i in ix) for ix in np.argwhere(Q != before)]
        if changed != [(s, a)]:
            raise CheckFailure(
                f"for {name} only Q[{s}, {a}] should change, but {changed} changed",
                "the update touches the one entry Q[s, a] of the pair just experienced",
            )
        got, want = float(Q[s, a]), float(expected[s, a])
        if math.isclose(got, want, abs_tol=1e-9):
            continue
        q, q_next = before[s, a], before[s_next]
        wrong = {
            "bootstrap": q + alpha * (r + gamma * q_next.max() - q),
            "taken": q + alpha * (r + gamma * q_next[a] - q),
            "mean": q + alpha * (r + gamma * q_next.mean() - q),
            "no_alpha": r + (0.0 if terminated else gamma * q_next.max()),
            "no_gamma": q + alpha * (r + (0.0 if terminated else q_next.max()) - q),
            "sign": q + alpha * (q - r - (0.0 if terminated else gamma * q_next.max())),
        }
        hints = {
            "bootstrap": "a terminal S' has no future: when terminated, the target is just R",
            "taken": "the target uses max_a Q(S', a), the best action in S', not the action "
            "just taken",
            "mean": "Q-learning bootstraps from the max over actions in S', not their mean",
            "no_alpha": "move Q(S, A) only a step alpha towards the target",
            "no_gamma": "discount the value of S' by gamma",
            "sign": "the error is target - Q(S, A): move towards the target",
        }
        for key, value in wrong.items():
            if math.isclose(got, value, abs_tol=1e-9):
                raise CheckFailure(f"{args}: expected {want:.4f}, got {got:.4f}", hints[key])
        raise CheckFailure(
            f"{args}: expected {want:.4f}, got {got:.4f}",
            "Q(S,A) <- Q(S,A) + alpha [R + gamma max_a Q(S',a) - Q(S,A)]",
        )


# -- 1.2 ---------------------------------------------------------------------------------


@exercise("1.2", "the model update, step (e)")
def check_model_update(student):
    model = {}
    student(model, 3, 1, 0.0, 4, False)
    if model == {}:
        raise CheckFailure(
            "the model is still empty after one update",
            "store the outcome in the dict you were given: model[s][a] = (r, s_next, terminated)",
        )
    if model != {3: {1: (0.0, 4, False)}}:
        hint = "model[s][a] = (r, s_next, terminated): a dict of dicts, keyed by S then A"
        if model.get(3) == {1: (4, 0.0, False)}:
            hint = "keep the order (r, s_next, terminated)"
        elif (3, 1) in model:
            hint = "key the model by S, then by A: model[s][a], not model[(s, a)]"
        raise CheckFailure(
            f"after one update (S=3, A=1, R=0.0, S'=4) expected {{3: {{1: (0.0, 4, False)}}}}, "
            f"got {model!r}",
            hint,
        )
    student(model, 3, 2, 0.0, 3, False)
    student(model, 4, 0, 1.0, 5, True)
    expected = {3: {1: (0.0, 4, False), 2: (0.0, 3, False)}, 4: {0: (1.0, 5, True)}}
    if model != expected:
        hint = "each state keeps every action taken in it: add model[s][a], keep the others"
        raise CheckFailure(f"after three updates expected {expected!r}, got {model!r}", hint)
    student(model, 3, 1, 0.0, 9, False)  # the world changed: (3, 1) now leads to 9
    if model[3][1] != (0.0, 9, False):
        raise CheckFailure(
            f"when (S=3, A=1) is tried again and now leads to 9, expected model[3][1] = "
            f"(0.0, 9, False), got {model[3][1]!r}",
            "overwrite the entry: the model remembers the latest outcome (the world may change)",
        )
    if list(model) != [3, 4] or list(model[3]) != [1, 2]:
        raise CheckFailure(
            f"expected the states [3, 4] and the actions [1, 2] of state 3, got "
            f"{list(model)} and {list(model[3])}",
            "update the entries in place rather than rebuilding the dicts",
        )


# -- 1.3 ---------------------------------------------------------------------------------

# A model whose planning targets are known exactly: every next state is terminal, so with
# alpha = 1 each planning update sets Q[s, a] to the model's reward.
_MODEL = {
    0: {0: (0.5, 9, True), 2: (0.25, 9, True)},
    1: {3: (0.75, 9, True)},
}
_REAL = (2, 1, 1.0, 9, True)  # the real transition of the step: (s, a, r, s_next, terminated)


def _fresh_Q() -> np.ndarray:
    """Q for the planning cases: zeros, but the terminal state 9 holds (wrong) values of 2, so
    that bootstrapping from it shows."""
    Q = np.zeros((10, 4))
    Q[9] = 2.0
    return Q


def _never_observed(Q, model_before, s, a):
    """Raise a CheckFailure if Q changed at a pair that was never observed."""
    observed = {(sp, ap) for sp in model_before for ap in model_before[sp]} | {(s, a)}
    changed = np.argwhere(Q != _fresh_Q())
    never = [(int(i), int(j)) for i, j in changed if (int(i), int(j)) not in observed]
    if never:
        raise CheckFailure(
            f"planning updated Q at {never}, pairs never observed",
            "S is a random previously observed state (a key of model), and A a random action "
            "previously taken in S (a key of model[S])",
        )


def _planning_diagnosis(Q, model_before, s, a, r):
    """Raise a CheckFailure naming what went wrong with planning, if anything."""
    _never_observed(Q, model_before, s, a)
    for sp in model_before:
        for ap, (rp, _, _) in model_before[sp].items():
            got = float(Q[sp, ap])
            if math.isclose(got, rp):
                continue
            if math.isclose(got, r):
                raise CheckFailure(
                    f"Q[{sp}, {ap}] = {got:.3f}: the real reward R = {r}, but the model says "
                    f"({sp}, {ap}) -> R = {rp}",
                    "in planning, update with the model's outcome R, S' <- Model(S, A), not "
                    "with the real transition of this step",
                )
            if math.isclose(got, rp + 0.9 * 2.0):
                raise CheckFailure(
                    f"Q[{sp}, {ap}] = {got:.3f}, expected {rp}: the model says ({sp}, {ap}) "
                    f"-> R = {rp} and a terminal S' = 9, yet the update bootstrapped from Q[9]",
                    "in planning too, pass the model's terminated flag: a terminal S' has no "
                    "future",
                )
            if got == 0.0:
                raise CheckFailure(
                    f"after 200 planning steps Q[{sp}, {ap}] was never updated",
                    "each planning step samples a random observed pair: S among all keys "
                    "of model, then A among model[S]",
                )
            raise CheckFailure(
                f"Q[{sp}, {ap}] = {got:.3f}, expected {rp} (alpha = 1, and the model says "
                f"({sp}, {ap}) -> R = {rp}, terminal)",
                "each planning step is the Q-learning update on (S, A, R, S') from the model",
            )


def _call(student, *args):
    """Call the student's step (Q is its first argument, and must stay finite); a KeyError from
    the model gets its own explanation."""
    try:
        student(*args)
    except Exception as raised:  # the framework wraps the student's errors; look inside
        error = getattr(raised, "error", raised)
        if isinstance(error, KeyError):
            raise CheckFailure(
                f"your function raised KeyError: {error}: it looked up a pair the model "
                "has never observed",
                "S is a random previously observed state (a key of model), and A a random "
                "action previously taken in S (a key of model[S])",
            ) from None
        raise
    require_finite("Q", args[0])


# -- the distribution of step (f) ----------------------------------------------------------

# "A random previously observed state, then a random action previously taken in it" is not
# uniform over the observed pairs. In this model state 5 has one tried action and state 6 has
# four: the box gives (5, 0) half of the planning updates and each pair of state 6 an eighth,
# where a draw uniform over the five pairs would give each a fifth. Every outcome is terminal
# with R = 1, so with alpha = 0.01 a pair updated k times holds Q = 1 - 0.99^k: Q counts.
_SKEWED = {5: {0: (1.0, 9, True)}, 6: {a: (1.0, 9, True) for a in range(4)}}
_N_COUNTED, _ALPHA_COUNTING = 2000, 0.01


def _check_planning_distribution(call):
    """Fail unless step (f) draws S uniformly among the observed states, then A uniformly among
    the actions tried in S (`call` runs the student's step; the real transition is (5, 0), so
    the model does not change)."""
    Q, model = np.zeros((10, 4)), copy.deepcopy(_SKEWED)
    call(Q, model, 5, 0, 1.0, 9, True, _N_COUNTED, _ALPHA_COUNTING, 0.9, np.random.default_rng(11),
         kappa=0.0)  # fmt: skip
    counts = {}
    for s, actions in _SKEWED.items():
        for a in actions:
            left = 1.0 - float(Q[s, a])
            counts[(s, a)] = round(math.log(left) / math.log(1 - _ALPHA_COUNTING)) if left else 0
    counts[(5, 0)] -= 1  # the direct update of the real transition (5, 0)
    total = sum(counts.values())
    if total != _N_COUNTED:
        return  # the number of updates is checked elsewhere, with a clearer message
    share = {pair: k / total for pair, k in counts.items()}
    others = [share[(6, a)] for a in range(4)]
    # about 5 standard errors of a share over 2000 draws
    if abs(share[(5, 0)] - 0.5) < 0.06 and all(abs(x - 0.125) < 0.04 for x in others):
        return
    got = (
        f"over {_N_COUNTED} planning updates with model = {{5: one tried action, 6: four tried "
        f"actions}}, (5, 0) got {share[(5, 0)]:.0%} of the updates and the pairs of state 6 "
        f"got {', '.join(f'{x:.0%}' for x in others)}; the box gives 50% and 12.5% each"
    )
    if abs(share[(5, 0)] - 0.2) < 0.06 and all(abs(x - 0.2) < 0.04 for x in others):
        raise CheckFailure(
            got,
            "you drew (S, A) uniformly among all observed pairs, which gives each of the five "
            "pairs a fifth; the box draws S first, uniformly among the previously observed "
            "states (the keys of model), then A uniformly among the actions previously taken "
            "in S (the keys of model[S]), so the lone action of state 5 gets half",
        )
    raise CheckFailure(
        got,
        "S <- a uniformly random key of model, then A <- a uniformly random key of model[S], "
        "each drawn with the rng you are given",
    )


def _check_step_basics(call, name):
    """The shared part of the checks of 1.3 and 1.4: (d), (e) and the planning loop."""
    # no planning: exactly the direct update and the model update
    Q, model = np.zeros((10, 4)), {}
    Q[4] = [0.0, 0.8, 0.2, 0.0]
    call(Q, model, 3, 2, 0.5, 4, False, 0, 0.5, 0.9, np.random.default_rng(0), kappa=0.01)
    expected = 0.5 * (0.5 + 0.9 * 0.8)
    if not math.isclose(float(Q[3, 2]), expected):
        raise CheckFailure(
            f"with n_planning = 0, Q[3, 2] should be the direct update {expected:.4f}, "
            f"got {float(Q[3, 2]):.4f}",
            "step (d): q_update(Q, s, a, r, s_next, terminated, alpha, gamma) on the real "
            "transition" + (", with the real R (the bonus is for planning only)" if name else ""),
        )
    if model != {3: {2: (0.5, 4, False)}}:
        raise CheckFailure(
            f"with n_planning = 0, the model should hold the real transition "
            f"{{3: {{2: (0.5, 4, False)}}}}, got {model!r}",
            "step (e): model_update(model, s, a, r, s_next, terminated)",
        )
    # one modelled pair: the number of planning updates is visible in Q
    Q, model = np.zeros((10, 4)), {}
    try:
        call(Q, model, 0, 0, 1.0, 9, True, 3, 0.5, 0.9, np.random.default_rng(0), kappa=0.0)
    except CheckFailure:
        raise
    except Exception as raised:  # typically sampling from a still empty model
        error = getattr(raised, "error", raised)
        if isinstance(error, UsedGlobalRandom):
            raise  # the framework names the call
        raise CheckFailure(
            f"starting from an empty model, with n_planning = 3, your function raised "
            f"{type(error).__name__}: {error}",
            "update the model (step e) before planning (step f): then there is always at "
            "least the real transition to sample",
        ) from None
    never = [(int(i), int(j)) for i, j in np.argwhere(Q != 0.0) if (int(i), int(j)) != (0, 0)]
    if never:
        raise CheckFailure(
            f"with only (0, 0) observed, planning updated Q at {never}, pairs never observed",
            "S is a random previously observed state (a key of model), and A a random action "
            "previously taken in S (a key of model[S])",
        )
    got = float(Q[0, 0])
    n_done = {round(1 - 0.5**k, 6): k - 1 for k in range(0, 10)}.get(round(got, 6))
    if n_done != 3:
        raise CheckFailure(
            f"with one observed pair, alpha = 0.5, R = 1 terminal and n_planning = 3: "
            f"expected Q[0, 0] = {1 - 0.5**4:.4f} (1 direct + 3 planning updates), got "
            f"{got:.4f}" + (f" ({n_done} planning updates)" if n_done is not None else ""),
            "update the model before planning, then plan exactly n_planning times",
        )


@exercise("1.3", "one step of Dyna-Q: direct RL, model learning, planning")
def check_dyna_q_step(student):
    def call(Q, model, s, a, r, s_next, terminated, n_planning, alpha, gamma, rng, kappa):
        _call(student, Q, model, s, a, r, s_next, terminated, n_planning, alpha, gamma, rng)

    _check_step_basics(call, "")
    Q, model = _fresh_Q(), copy.deepcopy(_MODEL)
    s, a, r, s_next, terminated = _REAL
    _call(student, Q, model, s, a, r, s_next, terminated, 200, 1.0, 0.9, np.random.default_rng(1))
    _planning_diagnosis(Q, _MODEL, s, a, r)
    if model != {**_MODEL, s: {a: (r, s_next, terminated)}}:
        raise CheckFailure(
            f"planning should leave the model as it was, got {model!r}",
            "planning reads the model; only step (e) writes it",
        )
    _check_planning_distribution(call)

    def seeded(seed):
        Q, model = np.zeros((10, 4)), copy.deepcopy(_MODEL)
        model[1][3] = (0.75, 0, False)  # not terminal: the order of updates matters
        call(Q, model, s, a, r, s_next, terminated, 40, 0.5, 0.9, np.random.default_rng(seed),
             kappa=0.0)  # fmt: skip
        return Q

    _check_seeds(seeded)


def _check_seeds(seeded):
    """The same seed gives the same Q, and another seed another Q: all randomness is the rng's."""
    first = seeded(7)
    if not np.array_equal(first, seeded(7)):
        raise CheckFailure(
            "two calls with the same seed gave different Q",
            "draw every random choice from the rng argument, never from np.random or random",
        )
    if np.array_equal(first, seeded(8)):
        raise CheckFailure(
            "two calls with different seeds gave the same Q",
            "draw from the rng argument you are given, not from a generator of your own",
        )


# -- 1.4 ---------------------------------------------------------------------------------


@exercise("1.4", "Dyna-Q+: the exploration bonus kappa sqrt(tau) in planning")
def check_dyna_q_plus_step(student):
    def call(Q, model, s, a, r, s_next, terminated, n_planning, alpha, gamma, rng, kappa):
        last_tried = np.zeros((10, 4), dtype=int)
        _call(
            student, Q, model, last_tried, 50, s, a, r, s_next, terminated, n_planning, alpha,
            gamma, kappa, rng,
        )  # fmt: skip

    _check_step_basics(call, "plus")
    kappa, t = 0.01, 100
    last_tried = np.zeros((10, 4), dtype=int)
    last_tried[0, 0], last_tried[0, 2], last_tried[1, 3] = 19, 64, 99
    last_tried[_REAL[0], _REAL[1]] = 84  # the real pair was tried before, at t = 84
    before = last_tried.copy()
    Q, model = _fresh_Q(), copy.deepcopy(_MODEL)
    s, a, r, s_next, terminated = _REAL
    _call(
        student, Q, model, last_tried, t, s, a, r, s_next, terminated, 200, 1.0, 0.9, kappa,
        np.random.default_rng(1),
    )  # fmt: skip
    if last_tried[s, a] != t:
        raise CheckFailure(
            f"after trying (S={s}, A={a}) at time t = {t}, expected last_tried[{s}, {a}] = {t}, "
            f"got {int(last_tried[s, a])}",
            "record the time of the real step: last_tried[s, a] = t (before planning)",
        )
    others = before != last_tried
    others[s, a] = False
    if others.any():
        raise CheckFailure(
            "last_tried changed for pairs that were not tried for real",
            "only the real step updates last_tried; planning does not count as trying",
        )
    if model != {**_MODEL, s: {a: (r, s_next, terminated)}}:
        raise CheckFailure(
            f"planning should leave the model as it was, got {model!r}",
            "add the bonus to the reward you plan with, not to the model's stored reward",
        )
    for sp in _MODEL:
        for ap, (rp, _, _) in _MODEL[sp].items():
            tau = t - before[sp, ap]
            want = rp + kappa * math.sqrt(tau)
            got = float(Q[sp, ap])
            if math.isclose(got, want):
                continue
            wrong = [
                (rp + kappa * tau, "the bonus is kappa * sqrt(tau), not kappa * tau"),
                (
                    rp + kappa * math.sqrt(t),
                    "tau is the time since (S, A) was last tried: t - last_tried[S, A], not t",
                ),
                (
                    rp + math.sqrt(kappa * tau),
                    "the bonus is kappa * sqrt(tau): kappa outside the root",
                ),
                (rp, "add the bonus kappa * sqrt(tau) to the model's reward in planning"),
                (
                    want + 0.9 * 2.0,
                    "the model says S' is terminal: in planning too, the target is R + bonus "
                    "alone (pass the model's terminated flag)",
                ),
            ]
            hints = [hint for value, hint in wrong if math.isclose(got, value)]
            if hints:  # every mistake that gives this number, when several do
                raise CheckFailure(
                    f"Q[{sp}, {ap}] = {got:.4f}, expected R + kappa sqrt(tau) = {rp} + "
                    f"{kappa} * sqrt({tau}) = {want:.4f}",
                    "; or ".join(hints),
                )
            _never_observed(Q, _MODEL, s, a)
            raise CheckFailure(
                f"Q[{sp}, {ap}] = {got:.4f}, expected R + kappa sqrt(tau) = {want:.4f}",
                "plan with R + kappa * sqrt(t - last_tried[S, A]), R from the model",
            )
    if not math.isclose(float(Q[s, a]), r):
        raise CheckFailure(
            f"Q[{s}, {a}] = {float(Q[s, a]):.4f}, but (S={s}, A={a}) was tried just now "
            f"(tau = 0): expected its reward {r}",
            "tau = t - last_tried[S, A] counts from the latest real try; set last_tried "
            "before planning",
        )
    _check_planning_distribution(call)  # kappa = 0 there: the counts are those of Dyna-Q

    def seeded(seed):
        Q, model = np.zeros((10, 4)), copy.deepcopy(_MODEL)
        model[1][3] = (0.75, 0, False)  # not terminal: the order of updates matters
        call(Q, model, s, a, r, s_next, terminated, 40, 0.5, 0.9, np.random.default_rng(seed),
             kappa=0.01)  # fmt: skip
        return Q

    _check_seeds(seeded)
