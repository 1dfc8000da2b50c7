"""The checks of lecture 04 pass the reference and fail the typical mistakes, with a specific hint."""

import random
import time

import numpy as np
import pytest
from stray_random import stray_rng

from mbrl_helpers.course import checks
from mbrl_helpers.course.checks import lecture04 as ref

# -- 4.1: one rollout ---------------------------------------------------------------------------


def _play_out(game, state, rng, choose):
    first = None
    while not game.is_terminal(state):
        a = choose(game.legal_actions(state), rng)
        first = a if first is None else first
        state = game.next_state(state, a)
    return first, state


def uniform(legal, rng):
    return legal[int(rng.integers(len(legal)))]


def view_of_x(game, state, rng):
    first, final = _play_out(game, state, rng, uniform)
    return first, game.returns(final)[0]


def view_of_final_player(game, state, rng):
    first, final = _play_out(game, state, rng, uniform)
    return first, game.returns(final)[game.current_player(final)]


def negated(game, state, rng):
    first, final = _play_out(game, state, rng, uniform)
    return first, -game.returns(final)[game.current_player(state)]


def first_action_always_first(game, state, rng):
    legal = game.legal_actions(state)
    s = game.next_state(state, legal[0])
    _, final = _play_out(game, s, rng, uniform)
    return legal[0], game.returns(final)[game.current_player(state)]


def returns_last_action(game, state, rng):
    player, last = game.current_player(state), None
    while not game.is_terminal(state):
        last = uniform(game.legal_actions(state), rng)
        state = game.next_state(state, last)
    return last, game.returns(state)[player]


def first_cell_continuation(game, state, rng):
    legal = game.legal_actions(state)
    a = uniform(legal, rng)
    _, final = _play_out(game, game.next_state(state, a), rng, lambda legal, rng: legal[0])
    return a, game.returns(final)[game.current_player(state)]


def global_randomness(game, state, rng):
    own = stray_rng()
    first, final = _play_out(game, state, own, uniform)
    return first, game.returns(final)[game.current_player(state)]


def private_generator(game, state, rng):
    first, final = _play_out(game, state, random.Random(), lambda legal, r: r.choice(legal))
    return first, game.returns(final)[game.current_player(state)]


def nan_outcome(game, state, rng):
    first, v = ref.reference_rollout(game, state, rng)
    return first, float("nan") if v == 0 else v


def biased_first_action(game, state, rng):
    legal = game.legal_actions(state)
    a = legal[min(int(rng.integers(len(legal) + 2)), len(legal) - 1)]  # the last one too often
    _, final = _play_out(game, game.next_state(state, a), rng, uniform)
    return a, game.returns(final)[game.current_player(state)]


def test_4_1_passes_the_reference():
    assert checks.evaluate("4.1", ref.reference_rollout).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (view_of_x, "from X's view"),
        (view_of_final_player, "not in the final state"),
        (negated, "outcome for the player to move"),
        (first_action_always_first, "first action must be random"),
        (returns_last_action, "the first move of the rollout"),
        (first_cell_continuation, "uniformly random among the legal actions"),
        (global_randomness, "not from its rng argument"),
        (private_generator, "same seed gave different rollouts"),
        (nan_outcome, "holds NaN values"),
        (biased_first_action, "pick actions uniformly"),
        (lambda game, state, rng: 8, "return first_action, v"),
    ],
)
def test_4_1_fails_typical_mistakes(wrong, hint):
    result = checks.evaluate("4.1", wrong)
    assert result.status == checks.FAILED
    assert hint in (result.message + " " + (result.hint or ""))


def test_4_1_says_not_implemented():
    def todo(game, state, rng):
        raise NotImplementedError("Exercise 4.1")

    assert checks.evaluate("4.1", todo).status == checks.NOT_IMPLEMENTED


# -- 4.2: the estimate of Q(s, a) ----------------------------------------------------------------


def mean_of_all(actions, first_actions, outcomes):
    return np.full(len(actions), outcomes.mean())


def divides_by_n(actions, first_actions, outcomes):
    Q = np.array([outcomes[first_actions == a].sum() for a in actions]) / len(outcomes)
    Q[[not np.any(first_actions == a) for a in actions]] = np.nan
    return Q


def sums(actions, first_actions, outcomes):
    Q = np.array([outcomes[first_actions == a].sum() for a in actions])
    return np.where([np.any(first_actions == a) for a in actions], Q, np.nan)


def zero_when_unseen(actions, first_actions, outcomes):
    return np.array(
        [
            outcomes[first_actions == a].mean() if np.any(first_actions == a) else 0.0
            for a in actions
        ]
    )


def indexed_by_action(actions, first_actions, outcomes):
    Q = np.full(9, np.nan)
    for a in actions:
        if np.any(first_actions == a):
            Q[a] = outcomes[first_actions == a].mean()
    return Q


def sorts_its_input(actions, first_actions, outcomes):
    order = np.argsort(first_actions, kind="stable")
    first_actions[:] = first_actions[order]  # in place: the caller's arrays change
    outcomes[:] = outcomes[order]
    return ref.reference_estimate_q(actions, first_actions, outcomes)


def inf_when_unseen(actions, first_actions, outcomes):
    Q = ref.reference_estimate_q(actions, first_actions, outcomes)
    return np.where(np.isnan(Q), -np.inf, Q)


def test_4_2_passes_the_reference():
    assert checks.evaluate("4.2", ref.reference_estimate_q).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (mean_of_all, "not all of them"),
        (divides_by_n, "not by the total N"),
        (sums, "Q(s, a) is a mean"),
        (zero_when_unseen, "set its Q to np.nan"),
        (indexed_by_action, "index by position in actions"),
        (sorts_its_input, "changed its input first_actions"),
        (inf_when_unseen, "holds infinite values"),
        (lambda actions, first_actions, outcomes: "Q", "expected an array of numbers"),
    ],
)
def test_4_2_fails_typical_mistakes(wrong, hint):
    result = checks.evaluate("4.2", wrong)
    assert result.status == checks.FAILED
    assert hint in (result.message + " " + (result.hint or ""))


# -- 4.3: the greedy action ----------------------------------------------------------------------


def first_tie(actions, Q, rng):
    return actions[int(np.nanargmax(Q))]


def plain_argmax(actions, Q, rng):
    best = np.flatnonzero(Q == Q.max())
    return actions[int(rng.choice(best))] if best.size else actions[int(np.argmax(Q))]


def returns_index(actions, Q, rng):
    return int(rng.choice(np.flatnonzero(Q == np.nanmax(Q))))


def argmin(actions, Q, rng):
    return actions[int(rng.choice(np.flatnonzero(Q == np.nanmin(Q))))]


def unseeded_ties(actions, Q, rng):
    return actions[int(stray_rng().choice(np.flatnonzero(Q == np.nanmax(Q))))]


def picks_any_near_max(actions, Q, rng):
    return actions[int(rng.choice(np.flatnonzero(Q >= np.nanmax(Q) - 0.3)))]


def nan_to_minus_inf_in_place(actions, Q, rng):
    Q[np.isnan(Q)] = -np.inf  # the caller's Q changes
    return actions[int(rng.choice(np.flatnonzero(Q == Q.max())))]


def private_generator_ties(actions, Q, rng):
    best = np.flatnonzero(Q == np.nanmax(Q)).tolist()
    return actions[random.Random().choice(best)]


def test_4_3_passes_the_reference():
    assert checks.evaluate("4.3", ref.reference_greedy_action).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (first_tie, "ties are broken toward the first action"),
        (plain_argmax, "np.argmax treats nan as the largest"),
        (returns_index, "not its position j"),
        (argmin, "not the smallest"),
        (unseeded_ties, "not from its rng argument"),
        (nan_to_minus_inf_in_place, "changed its input Q"),
        (private_generator_ties, "same seed broke a tie differently"),
        (picks_any_near_max, "only the actions with the largest Q"),
        (lambda actions, Q, rng: None, "expected an action"),
    ],
)
def test_4_3_fails_typical_mistakes(wrong, hint):
    result = checks.evaluate("4.3", wrong)
    assert result.status == checks.FAILED
    assert hint in (result.message + " " + (result.hint or ""))


# -- 4.4: the rollout algorithm ------------------------------------------------------------------


def one_rollout(game, state, n_rollouts, rng):
    return ref.reference_rollout_policy(game, state, 1, rng)


def random_move(game, state, n_rollouts, rng):
    for _ in range(n_rollouts):
        ref.reference_rollout(game, state, rng)
    legal = game.legal_actions(state)
    return legal[int(rng.integers(len(legal)))]


def worst_action(game, state, n_rollouts, rng):
    pairs = [ref.reference_rollout(game, state, rng) for _ in range(n_rollouts)]
    actions = game.legal_actions(state)
    Q = ref.reference_estimate_q(
        actions, np.array([a for a, _ in pairs]), np.array([v for _, v in pairs], dtype=float)
    )
    return actions[int(np.nanargmin(Q))]


def private_generator_policy(game, state, n_rollouts, rng):
    return ref.reference_rollout_policy(
        game, state, n_rollouts, np.random.default_rng(random.Random().getrandbits(32))
    )


def global_random_policy(game, state, n_rollouts, rng):
    seed = np.random.randint(2**31)  # noqa: NPY002 - the planted mistake
    return ref.reference_rollout_policy(game, state, n_rollouts, np.random.default_rng(seed))


def test_4_4_passes_the_reference():
    assert checks.evaluate("4.4", ref.reference_rollout_policy).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (one_rollout, "run n_rollouts rollouts"),
        (random_move, "act with greedy_action"),
        (worst_action, "act with greedy_action"),
        (private_generator_policy, "two calls with the same seed gave different moves"),
        (global_random_policy, "not from its rng argument"),
    ],
)
def test_4_4_fails_typical_mistakes(wrong, hint):
    result = checks.evaluate("4.4", wrong)
    assert result.status == checks.FAILED
    assert hint in (result.message + " " + (result.hint or ""))


# -- every check of the lecture stops a student function that never returns ------------------


@pytest.mark.parametrize("exercise_id", ["4.1", "4.2", "4.3", "4.4"])
def test_a_function_that_never_returns_fails_within_the_time_limit(exercise_id):
    checks.registered(4)

    def endless(*args, **kwargs):
        while True:
            pass

    start = time.perf_counter()
    result = checks.evaluate(exercise_id, endless, time_limit=0.5)
    assert time.perf_counter() - start < 3.0
    assert result.status == checks.FAILED and "did not finish within 0.5 s" in result.message
