"""Checks of lecture 06 (AlphaGo and AlphaZero): PUCT, the masked policy, targets, the loss, selection.

Each check runs the student's function on small seeded cases and compares with the reference in
`mbrl_helpers.alphazero`; the typical mistakes get their own message: the prior ignored (or an
infinite bonus for unvisited children, as in UCB1), the child's count under the square root,
illegal moves not masked, no renormalisation, overflow, raw visit counts instead of a
distribution, the outcome's sign not flipped for the player to move, 0 log 0 = nan, a sum over
the batch instead of a mean, the weight decay forgotten.
"""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers import alphazero
from mbrl_helpers.course.checks import CheckFailure, exercise
from mbrl_helpers.games import TicTacToe


def _raised(error: Exception) -> Exception:
    """The student's own exception (the framework wraps it)."""
    return getattr(error, "error", error)


def _number(name: str, got) -> float:
    if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
        if isinstance(got, np.ndarray) and got.size == 1:
            return float(got)
        raise CheckFailure(f"{name} should return a number, got {got!r}")
    return float(got)


# --- 6.1 PUCT ------------------------------------------------------------------------------
@exercise("6.1", "the PUCT score")
def check_puct_score(student):
    args = "puct_score(Q={}, P={}, N_parent={}, N_child={}, c_puct={})"
    try:
        got = student(0.0, 0.6, 1, 0, 1.5)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - dividing by N(s,a) = 0 is the typical mistake
        inner = _raised(error)
        raise CheckFailure(
            f"for an unvisited child (N_child = 0) your function raised "
            f"{type(inner).__name__}: {inner}",
            hint="the denominator is 1 + N(s,a), which is never 0",
        ) from None
    got = _number("puct_score", got)
    expected = alphazero.puct_score(0.0, 0.6, 1, 0, 1.5)
    if math.isinf(got):
        raise CheckFailure(
            f"{args.format(0.0, 0.6, 1, 0, 1.5)}: expected {expected:.4f}, got {got}: an "
            "infinite score ignores the prior of unvisited children",
            hint="unlike UCB1, PUCT gives an unvisited child the finite bonus "
            "c_puct P sqrt(N(s)) / (1 + 0): the prior decides which move is tried first",
        )
    cases = [  # visited children first: their mistakes are easier to tell apart
        (0.25, 0.3, 41, 8, 1.5),
        (-0.6, 0.05, 101, 2, 2.0),
        (0.5, 0.5, 10, 9, 1.0),
        (0.0, 0.6, 1, 0, 1.5),
        (0.0, 0.1, 1, 0, 1.5),
        (0.1, 0.2, 26, 0, 0.5),
    ]
    for Q, P, N_parent, N_child, c in cases:
        expected = alphazero.puct_score(Q, P, N_parent, N_child, c)
        got = _number("puct_score", student(Q, P, N_parent, N_child, c))
        if math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
            continue
        where = args.format(Q, P, N_parent, N_child, c)
        bonus_free = Q + c * math.sqrt(N_parent) / (1 + N_child)
        if math.isclose(got, bonus_free, abs_tol=1e-9):
            raise CheckFailure(
                f"{where}: expected {expected:.4f}, got {got:.4f}: the prior P is missing",
                hint="the bonus is c_puct * P(s,a) * sqrt(N(s)) / (1 + N(s,a)): the network's "
                "prior scales the exploration of each move",
            )
        if N_child > 0 and math.isclose(
            got, Q + c * P * math.sqrt(N_child) / (1 + N_child), abs_tol=1e-9
        ):
            raise CheckFailure(
                f"{where}: expected {expected:.4f}, got {got:.4f}, which takes the child's "
                "count under the square root",
                hint="sqrt(N(s)) takes N_parent, the visits of the parent",
            )
        if N_child > 0 and math.isclose(
            got, Q + c * P * math.sqrt(N_parent) / N_child, abs_tol=1e-9
        ):
            raise CheckFailure(
                f"{where}: expected {expected:.4f}, got {got:.4f}: the denominator is "
                "N(s,a), not 1 + N(s,a)",
                hint="divide by 1 + N(s,a)",
            )
        if N_child > 0 and math.isclose(
            got, Q + c * P * math.sqrt(math.log(N_parent) / N_child), abs_tol=1e-9
        ):
            raise CheckFailure(
                f"{where}: expected {expected:.4f}, got {got:.4f}, which is UCB1's bonus times P",
                hint="PUCT has no logarithm: c_puct P sqrt(N(s)) / (1 + N(s,a))",
            )
        raise CheckFailure(
            f"{where}: expected {expected:.4f}, got {got:.4f}",
            hint="Q(s,a) + c_puct * P(s,a) * sqrt(N(s)) / (1 + N(s,a))",
        )


# --- 6.2 the masked policy head -------------------------------------------------------------
@exercise("6.2", "the policy head with illegal moves masked")
def check_masked_policy(student):
    rng = np.random.default_rng(6)
    logits = rng.normal(0.0, 1.5, size=(4, 9))
    legal = rng.random((4, 9)) < 0.55
    legal[:, 4] = True  # at least one legal move per row
    legal[0] = True  # an empty board
    logits[2, ~legal[2]] = 3.0  # illegal moves the network likes best
    expected = alphazero.masked_softmax(logits, legal)
    got = np.asarray(student(logits.copy(), legal.copy()), dtype=float)
    if got.shape != expected.shape:
        raise CheckFailure(
            f"masked_policy(logits, legal) with logits of shape {logits.shape} should return "
            f"an array of the same shape, got {got.shape}",
            hint="one probability per move, row by row (axis=-1)",
        )
    if not np.all(np.isfinite(got)):
        raise CheckFailure(
            f"your policy holds nan or inf: {np.round(got, 3).tolist()}",
            hint="give illegal moves probability 0 (logit -inf, or zero after exp) and "
            "subtract the row's largest legal logit before exp",
        )
    illegal_mass = got[~legal]
    if np.any(np.abs(illegal_mass) > 1e-12):
        raise CheckFailure(
            f"illegal moves get probability up to {illegal_mass.max():.3f}; they must get "
            "exactly 0",
            hint="illegal moves are not masked: set their logits to -inf (np.where(legal, "
            "logits, -np.inf)) before the softmax",
        )
    sums = got.sum(axis=-1)
    if not np.allclose(sums, 1.0):
        raise CheckFailure(
            f"each row must sum to 1 over the legal moves, got sums {np.round(sums, 3).tolist()}",
            hint="masking after the softmax removes mass: renormalise over the legal moves "
            "(or mask the logits before the softmax)",
        )
    if not np.allclose(got, expected, atol=1e-9):
        raise CheckFailure(
            f"row 1: expected {np.round(expected[1], 3).tolist()}, got "
            f"{np.round(got[1], 3).tolist()}",
            hint="pi(a|s) = exp(l_a) / sum over legal b of exp(l_b)",
        )
    big = np.array([[1000.0, 999.0, -5.0, 0.0]])
    mask = np.array([[True, True, False, True]])
    got = np.asarray(student(big.copy(), mask.copy()), dtype=float)
    expected = alphazero.masked_softmax(big, mask)
    if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-9):
        raise CheckFailure(
            f"logits [1000, 999, -5, 0] (move 2 illegal): expected "
            f"{np.round(expected[0], 4).tolist()}, got {np.round(got, 4).tolist()}",
            hint="exp(1000) overflows: subtract the largest logit of each row first (softmax "
            "does not change when the same number is subtracted from all logits)",
        )


# --- 6.3 training targets -------------------------------------------------------------------
def _game_record(moves: list[int], seed: int):
    """A finished tic-tac-toe game, and made-up visit counts (over all 9 moves) per position."""
    game = TicTacToe()
    rng = np.random.default_rng(seed)
    state = game.initial_state()
    states, counts = [], []
    for a in moves:
        N = np.zeros(9)
        legal = list(game.legal_actions(state))
        N[legal] = rng.integers(0, 6, size=len(legal))
        N[a] += 20  # the move played was the most visited
        states.append(state)
        counts.append(N)
        state = game.next_state(state, a)
    assert game.is_terminal(state)
    return game, states, counts, game.returns(state)


@exercise("6.3", "training targets from a finished self-play game")
def check_training_targets(student):
    records = {
        "X wins": _game_record([0, 3, 1, 4, 2], seed=1),  # X takes the top row
        "O wins": _game_record([0, 4, 1, 2, 8, 6], seed=2),  # O takes the diagonal 2-4-6
        "a draw": _game_record([4, 0, 8, 2, 1, 7, 6, 3, 5], seed=3),
    }
    for name, (game, states, counts, returns) in records.items():
        expected = alphazero.training_targets(game, states, counts, returns)
        got = student(game, list(states), [N.copy() for N in counts], returns)
        try:
            got = list(got)
            if len(got) != len(expected) or any(len(example) != 3 for example in got):
                raise ValueError
        except (TypeError, ValueError):
            raise CheckFailure(
                f"for a game of {len(states)} positions ({name}) expected {len(expected)} "
                f"examples (state, pi, z), got {got!r:.200}",
                hint="return one tuple (state, pi, z) per position, in the order of the game",
            ) from None
        for t, ((s, pi, z), (s_ref, pi_ref, z_ref)) in enumerate(zip(got, expected, strict=True)):
            if s != s_ref:
                raise CheckFailure(
                    f"{name}, example {t}: expected the state of move {t}, got another one",
                    hint="keep the states in the order of the game",
                )
            pi = np.asarray(pi, dtype=float)
            if pi.shape != pi_ref.shape:
                raise CheckFailure(
                    f"{name}, position {t}: pi should be a vector of {pi_ref.size} "
                    f"probabilities, got shape {pi.shape}"
                )
            if not np.allclose(pi, pi_ref):
                hint = "pi(a|s) = N(s,a) / sum_b N(s,b), a distribution over the moves"
                if np.allclose(pi, counts[t]):
                    hint = "raw visit counts are not a distribution: divide by their sum"
                raise CheckFailure(
                    f"{name}, position {t}: N = {counts[t].astype(int).tolist()}, expected "
                    f"pi = {np.round(pi_ref, 3).tolist()}, got {np.round(pi, 3).tolist()}",
                    hint=hint,
                )
            z = _number("the z of an example", z)
            if z != z_ref:
                player = "XO"[game.current_player(s)]
                hint = "z is the final outcome from the view of the player to move at s_t"
                if z == -z_ref:
                    hint = (
                        "the sign is wrong for this position: the outcome must be seen from "
                        f"the player to move there ({player}), returns[current_player(s_t)]"
                    )
                raise CheckFailure(
                    f"{name} (returns {tuple(returns)}), position {t} ({player} to move): "
                    f"expected z = {z_ref:+.0f}, got {z:+.0f}",
                    hint=hint,
                )


# --- 6.4 the loss ---------------------------------------------------------------------------
def _loss_case(seed: int, batch: int = 5):
    rng = np.random.default_rng(seed)
    legal = rng.random((batch, 9)) < 0.6
    legal[:, 0] = True
    p = alphazero.masked_softmax(rng.normal(size=(batch, 9)), legal)
    pi = rng.random((batch, 9)) * legal
    pi[0, legal[0]] = 0.0
    pi[0, 0] = 1.0  # a one-hot target: its other legal moves have pi = 0
    pi /= pi.sum(axis=1, keepdims=True)
    v = np.tanh(rng.normal(size=batch))
    z = rng.choice([-1.0, 0.0, 1.0], size=batch)
    theta = [rng.normal(size=(6, 4)), rng.normal(size=4), rng.normal(size=(4, 9))]
    return p, v, pi, z, theta


@exercise("6.4", "the AlphaZero loss")
def check_loss(student):
    for seed, c in ((0, 1e-2), (1, 0.1)):
        p, v, pi, z, theta = _loss_case(seed)
        ref = alphazero.alphazero_loss(p, v, pi, z, theta, c)
        with np.errstate(all="ignore"):
            got = student(p.copy(), v.copy(), pi.copy(), z.copy(), [w.copy() for w in theta], c)
        got = _number("alphazero_loss", got)
        if math.isclose(got, ref.total, rel_tol=1e-7, abs_tol=1e-9):
            continue
        B = len(z)
        value_abs = float(np.mean(np.abs(z - v)))
        where = f"a batch of {B} positions, c = {c}: expected l = {ref.total:.4f}, got {got:.4f}"
        if math.isnan(got) or math.isinf(got):
            raise CheckFailure(
                f"a batch of {B} positions, c = {c}: your loss is {got}",
                hint="illegal moves have p = 0, and pi * log(p) = 0 * -inf = nan there: take the "
                "log only where pi > 0 (e.g. np.log(np.where(pi > 0, p, 1)))",
            )
        known = {
            ref.value - ref.policy + ref.l2: "the cross-entropy is -pi^T log p (log p < 0, so "
            "the term is positive)",
            ref.value + ref.policy: "the weight decay c ||theta||^2 is missing",
            B * (ref.value + ref.policy) + ref.l2: "average the first two terms over the "
            "batch (np.mean), do not sum them",
            value_abs + ref.policy + ref.l2: "the value term is squared: (z - v)^2",
            ref.value + ref.policy + ref.l2 / c * c**2: "the weight decay is c ||theta||^2, "
            "with ||theta||^2 the sum of squares of every weight",
            ref.value + ref.policy + c * math.sqrt(ref.l2 / c): "||theta||^2 is the squared "
            "norm: the sum of squares, without a square root",
        }
        for wrong, hint in known.items():
            if math.isclose(got, wrong, rel_tol=1e-7, abs_tol=1e-9):
                raise CheckFailure(where, hint=hint)
        raise CheckFailure(
            f"{where} (value term {ref.value:.4f}, policy term {ref.policy:.4f}, weight decay "
            f"{ref.l2:.4f})",
            hint="l = mean over the batch of (z - v)^2 - sum_a pi_a log p_a, plus c times the "
            "sum of squares of all weights",
        )


# --- 6.6 PUCT selection at a node -----------------------------------------------------------
def reference_puct_select(Q, N, P, c_puct, rng) -> int:
    """The index of the child with the largest PUCT score, N(s) = 1 + sum N; ties at random."""
    scores = alphazero.puct_scores(Q, N, P, c_puct)
    best = np.flatnonzero(scores == scores.max())
    return int(best[int(rng.random() * len(best))])


def _index(got, n: int, where: str) -> int:
    if isinstance(got, bool) or not isinstance(got, int | np.integer):
        raise CheckFailure(
            f"{where}: puct_select should return the index of a child (an int), got {got!r}",
            hint="return the position of the chosen child in Q, N and P, not its score",
        )
    if not 0 <= got < n:
        raise CheckFailure(f"{where}: index {got} is not one of the {n} children")
    return int(got)


def _picks(student, Q, N, P, c, n_calls: int, seed: int) -> dict[int, int]:
    Q, N, P = (np.asarray(x, dtype=float) for x in (Q, N, P))
    where = f"Q = {Q.tolist()}, N = {N.astype(int).tolist()}, P = {P.tolist()}, c_puct = {c}"
    rng = np.random.default_rng(seed)
    counts: dict[int, int] = {}
    for _ in range(n_calls):
        i = _index(student(Q.copy(), N.copy(), P.copy(), c, rng=rng), len(Q), where)
        counts[i] = counts.get(i, 0) + 1
    return counts


@exercise("6.6", "PUCT selection at a node")
def check_puct_select(student):
    # Visited children: the same choice as the reference, on seeded random nodes.
    rng = np.random.default_rng(6)
    for case in range(40):
        n = int(rng.integers(2, 8))
        Q = np.round(rng.uniform(-1, 1, n), 2)
        N = rng.integers(0, 12, n).astype(float)
        Q[N == 0] = 0.0
        P = np.round(rng.dirichlet(np.ones(n)), 3)
        c = float(rng.choice([0.5, 1.5, 3.0]))
        scores = alphazero.puct_scores(Q, N, P, c)
        if np.sum(np.isclose(scores, scores.max())) > 1:
            continue  # ties are tested below: any uniform draw is right there
        expected = int(np.argmax(scores))
        got = _index(
            student(Q.copy(), N.copy(), P.copy(), c, rng=np.random.default_rng(case)),
            n,
            f"Q = {Q.tolist()}, N = {N.astype(int).tolist()}, P = {P.tolist()}, c_puct = {c}",
        )
        if got == expected:
            continue
        where = (
            f"Q = {Q.tolist()}, N = {N.astype(int).tolist()}, P = {P.tolist()}, c_puct = {c}: "
            f"expected child {expected} (score {scores[expected]:.4f}), got child {got} "
            f"(score {scores[got]:.4f})"
        )
        alternatives = [  # (scores of a typical mistake, hint), most specific first
            (-scores, "select the largest score (argmax), not the smallest"),
            (
                Q + c * P * np.sqrt(N) / (1 + N),
                "sqrt(N(s)) takes the parent's visits, 1 + sum_b N(s,b), not the child's",
            ),
            (
                Q + c * P * np.sqrt(N.sum()) / (1 + N),
                "N(s) = 1 + sum_b N(s,b), the node's own visit included (`mcts.Node.N`)",
            ),
            (Q, "the child with the best Q alone is greedy: add the prior's bonus"),
        ]
        for wrong, hint in alternatives:
            if np.isclose(wrong[got], wrong.max()) and not np.isclose(wrong[expected], wrong.max()):
                raise CheckFailure(where, hint=hint)
        raise CheckFailure(
            where,
            hint="score every child with Q + c_puct P sqrt(N(s)) / (1 + N(s,a)), N(s) = 1 + sum N",
        )
    # A fresh node: every N(s,a) = 0, so only N(s) = 1 + 0 keeps the prior's bonus alive.
    fresh = ([0.0, 0.0, 0.0], [0, 0, 0], [0.1, 0.6, 0.3])
    counts = _picks(student, *fresh, 1.5, 60, 0)
    if counts != {1: 60}:
        hint = "the child with the largest prior wins at a fresh node"
        if len(counts) > 1:
            hint = (
                "N(s) = 1 + sum_b N(s,b) (the node's own first visit, `mcts.Node.N`): with "
                "sum_b N(s,b) = 0 the bonus vanishes, all scores tie and the prior is ignored"
            )
        raise CheckFailure(
            f"at a fresh node (Q = 0, N = 0, P = {fresh[2]}) 60 calls picked {counts}, "
            "expected child 1 every time",
            hint,
        )
    # Ties: broken uniformly at random with rng, only among the best.
    tied = ([0.5, 0.2, 0.5, 0.5], [2, 2, 2, 2], [0.25, 0.25, 0.25, 0.25])
    counts = _picks(student, *tied, 1.0, 300, 1)
    if counts.get(1) or min(counts.get(i, 0) for i in (0, 2, 3)) < 50:
        raise CheckFailure(
            f"children 0, 2 and 3 tie for the best score (Q = {tied[0]}, equal N and P); "
            f"300 calls picked {counts}",
            hint="pick uniformly at random among all the maximisers, with rng "
            "(e.g. rng.choice(np.flatnonzero(scores == scores.max())))",
        )
    picks = [_picks(student, *tied, 1.0, 1, 7) for _ in range(20)]
    if any(p != picks[0] for p in picks):
        raise CheckFailure(
            "two calls with the same seed broke a tie differently",
            "use only the rng argument for randomness",
        )
