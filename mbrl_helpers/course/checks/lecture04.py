"""Checks for lecture 04, "Rollouts": one rollout, the estimate of Q(s, a), the greedy action, the
rollout algorithm.

Besides the values, every check enforces the course's rules for exercises: randomness only from
the `rng` argument (the same seed gives the same answer; global draws are refused by the
framework), inputs left unchanged, no NaN or infinite numbers where a number is expected, and a
hint that names the mistake made.
"""

from __future__ import annotations

import numpy as np

from mbrl_helpers import games, rollouts
from mbrl_helpers.course.checks import (
    CheckFailure,
    exercise,
    py,
    require_finite,
    require_unchanged,
    snapshot,
)

_TTT = games.TicTacToe()


def reference_rollout(game, state, rng):
    """One random rollout from `state`: `(first_action, v)`, v for the player to move in `state`."""
    return rollouts.rollout(game, state, rng=rng)


def reference_estimate_q(actions, first_actions, outcomes):
    """Q(s, a) = mean of the outcomes of the rollouts that start with a (nan if none did)."""
    return rollouts.q_from_rollouts(actions, first_actions, outcomes)[0]


def reference_greedy_action(actions, Q, rng):
    """argmax_a Q(s, a), skipping nan, ties broken at random."""
    return rollouts.greedy_action(actions, Q, rng=rng)


def reference_rollout_policy(game, state, n_rollouts, rng):
    """The rollout algorithm: n_rollouts rollouts, Q from them, the greedy action."""
    pairs = [rollouts.rollout(game, state, rng=rng) for _ in range(n_rollouts)]
    first_actions = np.array([a for a, _ in pairs])
    outcomes = np.array([v for _, v in pairs], dtype=float)
    actions = game.legal_actions(state)
    return rollouts.greedy_action(
        actions, reference_estimate_q(actions, first_actions, outcomes), rng=rng
    )


def _pair(result, state_text):
    try:
        first_action, v = result
        first_action, v = int(first_action), float(v)
    except (TypeError, ValueError):
        raise CheckFailure(
            f"from {state_text!r} expected a pair (first_action, v), got {py(result)!r}",
            "return first_action, v",
        ) from None
    require_finite(f"v from {state_text!r}", v)
    return first_action, v


@exercise("4.1", "one rollout with the random base policy")
def check_rollout(student):
    # X to move, one free cell (8), which completes X's diagonal 0-4-8.
    text = "XOX OXX OO."
    first_action, v = _pair(
        student(_TTT, _TTT.state_from_string(text), rng=np.random.default_rng(0)), text
    )
    if first_action != 8:
        raise CheckFailure(
            f"from {text!r} the only legal action is 8, but your first_action is {first_action}",
            "return the action chosen in `state` itself, the first move of the rollout",
        )
    if v != 1:
        raise CheckFailure(
            f"from {text!r} X plays 8 and wins, so v should be +1 for X (to move), got {v:+g}",
            "v is the outcome for the player to move in `state`, read before the rollout and "
            "not in the final state: game.returns(final_state)[game.current_player(state)]",
        )

    # O to move, cells 5 and 8 free: O at 8 wins (6-7-8); O at 5 lets X win at 8 (0-4-8).
    text = "XOX XX. OO."
    state = _TTT.state_from_string(text)
    rng = np.random.default_rng(1)
    pairs = {_pair(student(_TTT, state, rng=rng), text) for _ in range(60)}
    if pairs - {(8, 1.0), (5, -1.0)}:
        if pairs <= {(8, -1.0), (5, 1.0)}:
            hint = (
                "v is from X's view (player 0); it must be from the view of the player to move "
                "in `state` (here O): read game.current_player(state) before the rollout"
            )
        elif pairs <= {(8, -1.0), (5, -1.0)}:
            hint = (
                "you read the player to move in the final state (the loser, once the game is "
                "won): read game.current_player(state) at the start, before the rollout"
            )
        elif pairs <= {(8, 1.0), (8, -1.0), (5, 1.0), (5, -1.0)}:
            hint = (
                "here the first move decides the outcome: return the action chosen in `state` "
                "itself, the first move of the rollout"
            )
        else:
            hint = "play from `state` to the end and score the final state with game.returns"
        raise CheckFailure(
            f"from {text!r} (O to move) expected (8, +1) when O starts with 8 and (5, -1) when "
            f"O starts with 5, got {sorted(pairs)}",
            hint,
        )
    if len(pairs) < 2:
        raise CheckFailure(
            f"from {text!r} 60 rollouts all started with {pairs.pop()[0]}: the first action "
            "must be random too",
            "choose every action, the first included, uniformly at random with rng",
        )

    # Statistics from the empty board and from a position with O to move.
    for text, n in ((". . . / . . . / . . .", 1500), ("X.. ... ...", 1500)):
        state = _TTT.state_from_string(text)
        actions = _TTT.legal_actions(state)
        rng = np.random.default_rng(2)
        results = [_pair(student(_TTT, state, rng=rng), text) for _ in range(n)]
        rng = np.random.default_rng(2)  # the same seed again: the same 20 first rollouts
        again = [_pair(student(_TTT, state, rng=rng), text) for _ in range(20)]
        if again != results[:20]:
            raise CheckFailure(
                "two calls with the same seed gave different rollouts",
                "use only the rng argument for randomness (no np.random.* or random.*)",
            )
        firsts = np.array([a for a, _ in results])
        if set(firsts.tolist()) - set(actions):
            raise CheckFailure(
                f"from {text!r} a first action was not legal: {set(firsts) - set(actions)}"
            )
        counts = np.array([np.sum(firsts == a) for a in actions])
        expected = n / len(actions)
        if np.any(np.abs(counts - expected) > 5 * np.sqrt(expected)):
            raise CheckFailure(
                f"from {text!r} the first actions {list(actions)} came up {counts.tolist()} "
                f"times in {n} rollouts; a uniform choice gives about {expected:.0f} each",
                "pick actions uniformly: legal[rng.integers(len(legal))]",
            )
        v = np.array([x for _, x in results])
        exact = float(np.mean(rollouts.random_play_values(_TTT, state)))
        se = float(v.std(ddof=1) / np.sqrt(n))
        if abs(v.mean() - exact) > 5 * se:
            raise CheckFailure(
                f"from {text!r} random rollouts should average v = {exact:+.3f} for the player "
                f"to move, yours average {v.mean():+.3f} (+- {se:.3f})",
                "every move of the rollout, for both players, is uniformly random among the legal "
                "actions, and the game is played to its end",
            )


def _as_q(result, n_actions, case):
    try:
        Q = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailure(f"for {case} expected an array of numbers, got {result!r}") from None
    if Q.shape != (n_actions,):
        raise CheckFailure(
            f"for {case} expected an array of {n_actions} values (one per entry of actions), "
            f"got shape {Q.shape}",
            "Q[j] is the estimate of actions[j]: index by position in actions, not by action",
        )
    return Q


@exercise("4.2", "the rollout estimate of Q(s, a)")
def check_estimate_q(student):
    rng = np.random.default_rng(0)
    small = ((2, 5, 7), np.array([5, 2, 5, 5, 2, 5]), np.array([1.0, -1.0, 0.0, 1.0, 1.0, -1.0]))
    first = rng.choice([0, 1, 3, 4, 8], size=40, p=[0.1, 0.4, 0.3, 0.2, 0.0])
    outcomes = rng.choice([-1.0, 0.0, 1.0], size=40)
    large = ((0, 1, 3, 4, 8), first, outcomes)
    for actions, first_actions, v in (small, large):
        case = f"actions {list(actions)}, first_actions {first_actions.tolist()}, outcomes {v.tolist()}"
        expected = reference_estimate_q(actions, first_actions, v)
        given = (actions, first_actions.copy(), v.copy())
        before = snapshot(given)
        Q = _as_q(student(*given), len(actions), case)
        for name, b, a in zip(("actions", "first_actions", "outcomes"), before, given, strict=True):
            require_unchanged(name, b, a)
        if np.isinf(Q).any():
            raise CheckFailure(
                f"for {case} your Q holds infinite values ({py(np.round(Q, 3))})",
                "Q(s, a) is a mean of outcomes in [-1, 1]; an action no rollout started with "
                "gets np.nan, not an infinite value",
            )
        if np.allclose(Q, expected, equal_nan=True) and np.array_equal(
            np.isnan(Q), np.isnan(expected)
        ):
            continue
        counts = np.array([np.sum(first_actions == a) for a in actions])
        sums = np.array([v[first_actions == a].sum() for a in actions])
        seen = counts > 0
        if np.allclose(Q, v.mean()):
            hint = "average only the outcomes of the rollouts that start with a, not all of them"
        elif np.allclose(Q[seen], sums[seen] / len(v)):
            hint = "divide by the number of rollouts that start with a, not by the total N"
        elif np.allclose(Q[seen], sums[seen]):
            hint = "Q(s, a) is a mean: divide the sum of outcomes by the number of rollouts"
        elif np.allclose(Q[seen], expected[seen]) and not np.all(np.isnan(Q[~seen])):
            hint = "an action that no rollout started with has no estimate: set its Q to np.nan"
        else:
            hint = "Q[j] = mean of outcomes[i] over the i with first_actions[i] == actions[j]"
        raise CheckFailure(
            f"for {case} expected Q = {np.round(expected, 3).tolist()}, "
            f"got {np.round(Q, 3).tolist()}",
            hint,
        )


@exercise("4.3", "act greedily on Q, ties at random")
def check_greedy_action(student):
    def pick(actions, Q, rng):
        given = np.array(Q, dtype=float)
        a = student(actions, given, rng=rng)
        require_unchanged(
            "Q",
            np.array(Q, dtype=float),
            given,
            hint="skip nan entries without writing into Q (np.nanmax, or a mask ~np.isnan(Q))",
        )
        try:
            return int(a)
        except (TypeError, ValueError):
            raise CheckFailure(f"expected an action (an int), got {a!r}") from None

    rng = np.random.default_rng(0)
    a = pick((1, 4, 6), [0.1, 0.7, -0.3], rng)
    if a != 4:
        hint = {
            1: "return the action actions[j], not its position j",
            6: "take the largest Q (the player to move wants the best outcome), not the smallest",
        }.get(a, "return the action with the largest Q")
        raise CheckFailure(
            f"with actions (1, 4, 6) and Q = [0.1, 0.7, -0.3] expected 4, got {a}", hint
        )
    a = pick((0, 3, 8), [np.nan, 0.2, -0.1], rng)
    if a != 3:
        raise CheckFailure(
            f"with actions (0, 3, 8) and Q = [nan, 0.2, -0.1] expected 3, got {a}",
            "np.argmax treats nan as the largest value; skip actions without an estimate "
            "(np.nanmax, or a mask with ~np.isnan(Q))",
        )
    actions, Q = (2, 5, 7, 8), [0.5, 0.2, 0.5, 0.5]
    picks = [pick(actions, Q, rng) for _ in range(300)]
    counts = {b: picks.count(b) for b in actions}
    if counts[5] or set(picks) - set(actions):
        raise CheckFailure(
            f"with actions {actions} and Q = {Q}, you picked {counts}",
            "only the actions with the largest Q may be picked",
        )
    if min(counts[2], counts[7], counts[8]) < 50:
        raise CheckFailure(
            f"with actions {actions} and Q = {Q} (a three-way tie), 300 calls picked {counts}",
            "ties are broken toward the first action: choose at random among all the maximisers "
            "with rng (e.g. rng.choice(np.flatnonzero(Q == Q.max())))",
        )
    first = [pick(actions, Q, np.random.default_rng(7)) for _ in range(30)]
    if len(set(first)) > 1:
        raise CheckFailure(
            "two calls with the same seed broke a tie differently",
            "use only the rng argument for randomness",
        )


class _CountingGame:
    """A tic-tac-toe that counts the moves played from one state (the rollouts' first moves)."""

    def __init__(self, root):
        self._root = root
        self.root_moves = 0
        self.name, self.num_actions = _TTT.name, _TTT.num_actions

    def __getattr__(self, name):
        return getattr(_TTT, name)

    def next_state(self, state, action):
        if state == self._root:
            self.root_moves += 1
        return _TTT.next_state(state, action)


@exercise("4.4", "the rollout algorithm: simulate, estimate, act")
def check_rollout_policy(student):
    for text, best, why in (("XX. OO. ...", 2, "win at once"), ("XX. .O. ...", 2, "block")):
        for seed in range(3):
            state = _TTT.state_from_string(text)
            game = _CountingGame(state)
            n = 1000
            a = student(game, state, n, rng=np.random.default_rng(seed))
            if game.root_moves < n:
                raise CheckFailure(
                    f"from {text!r} with n_rollouts = {n}, only {game.root_moves} rollouts started",
                    "run n_rollouts rollouts, each with rollout(game, state, rng)",
                )
            if a != best:
                raise CheckFailure(
                    f"from {text!r} with {n} rollouts the rollout policy should {why} "
                    f"(action {best}), got {a!r}",
                    "estimate Q with estimate_q from the rollouts' first actions and outcomes, then "
                    "act with greedy_action(actions, Q, rng)",
                )
    # A close call, few rollouts: the answer depends on the draws, so it must depend on rng only.
    state = _TTT.initial_state()
    first = [student(_TTT, state, 3, rng=np.random.default_rng(seed)) for seed in range(10)]
    again = [student(_TTT, state, 3, rng=np.random.default_rng(seed)) for seed in range(10)]
    if first != again:
        raise CheckFailure(
            f"from the empty board with 3 rollouts, seeds 0-9 gave {py(first)} and then "
            f"{py(again)}: two calls with the same seed gave different moves",
            "pass the rng argument on to rollout and greedy_action; use no other generator",
        )
