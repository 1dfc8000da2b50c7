"""Checks of lecture 06 (AlphaGo and AlphaZero).

6.1 PUCT selection at a node, 6.2 the policy head with illegal moves masked, 6.3 training targets
from a finished game, 6.4 the AlphaZero loss, 6.6 a self-play game, 6.7 one training step, 6.8
the ablation of self-play (6.5 is a written answer).

Each check runs the student's function on seeded cases and compares with the reference in
`mbrl_helpers.alphazero`. Where a wrong answer fits one of the typical mistakes, the hint names
it; where several typical mistakes fit every answer seen, the hint names all of them. Two-player
targets are tested on games won by X, won by O and drawn, starting with X or with O to move (so
both parities of the game's length, and a convention that only works when X moves first,
fail). Moves drawn at random are tested for their distribution; inputs must come back unchanged;
NaN or infinite entries in a result fail.
"""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers import alphazero, mcts
from mbrl_helpers.course.checks import (
    CheckFailure,
    exercise,
    py,
    require_finite,
    require_unchanged,
    snapshot,
)
from mbrl_helpers.games import TicTacToe
from mbrl_helpers.models.nets import Adam


def _number(name: str, got) -> float:
    if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
        if isinstance(got, np.ndarray) and got.size == 1:
            return float(got.item())
        raise CheckFailure(
            f"{name} should return a number, got {type(got).__name__}",
            hint="return one float",
        )
    return float(got)


def _names(alternatives: list[tuple[str, str]]) -> str:
    """One hint from the typical mistakes that fit every answer seen (all of them, if several)."""
    hints = [hint for _, hint in alternatives]
    if len(hints) == 1:
        return hints[0]
    return "two or more mistakes give these answers: " + "; or ".join(hints)


# --- 6.1 PUCT selection at a node ------------------------------------------------------------
def reference_puct_select(Q, N, P, c_puct, *, rng) -> int:
    """The index of the child with the largest PUCT score, N(s) = 1 + sum N; ties at random."""
    scores = alphazero.puct_scores(Q, N, P, c_puct)
    best = np.flatnonzero(scores == scores.max())
    return int(best[int(rng.random() * len(best))])


def _selection_alternatives(Q, N, P, c):
    """(name, scores, hint) of the reference and of each typical mistake; NaN counts as -inf."""
    n_s = 1.0 + N.sum()
    ref = Q + c * P * np.sqrt(n_s) / (1 + N)
    with np.errstate(all="ignore"):
        cases = [
            ("right", ref, ""),
            ("argmin", -ref, "select the largest score (argmax), not the smallest"),
            (
                "no prior",
                Q + c * np.sqrt(n_s) / (1 + N),
                "the prior P(s,a) is missing: the bonus is c_puct * P(s,a) * sqrt(N(s)) / "
                "(1 + N(s,a)), so the network's prior scales the exploration of each move",
            ),
            (
                "unvisited first",
                np.where(N == 0, np.inf, ref),
                "unvisited children do not come first (that is UCB1's habit): PUCT gives them "
                "the finite bonus c_puct P sqrt(N(s)) / (1 + 0), so the prior decides which move "
                "is tried first, and a bad one may never be",
            ),
            (
                "N denominator",
                Q + c * P * np.sqrt(n_s) / N,
                "the denominator is 1 + N(s,a), not N(s,a) (an unvisited child would divide by 0)",
            ),
            (
                "UCB1",
                Q + c * P * np.sqrt(np.log(n_s) / N),
                "that is UCB1's bonus times P; PUCT has no logarithm: "
                "c_puct P sqrt(N(s)) / (1 + N(s,a))",
            ),
            (
                "child count",
                Q + c * P * np.sqrt(N) / (1 + N),
                "sqrt(N(s)) takes the parent's visits, 1 + sum_b N(s,b), not the child's",
            ),
            (
                "sum without one",
                Q + c * P * np.sqrt(N.sum()) / (1 + N),
                "N(s) = 1 + sum_b N(s,b) (the node's own first visit, `mcts.Node.N`): with "
                "sum_b N(s,b) alone the bonus vanishes at a fresh node, all scores tie and the "
                "prior is ignored",
            ),
            ("greedy", Q, "the child with the best Q alone is greedy: add the prior's bonus"),
        ]
    return [(name, np.where(np.isnan(sc), -np.inf, sc), hint) for name, sc, hint in cases]


def _maximisers(scores: np.ndarray) -> set[int]:
    top = scores.max()
    if np.isinf(top):
        return set(np.flatnonzero(scores == top).tolist())
    return set(np.flatnonzero(np.isclose(scores, top, rtol=1e-12, atol=1e-12)).tolist())


def _index(got, n: int, where: str) -> int:
    if isinstance(got, bool) or not isinstance(got, int | np.integer):
        raise CheckFailure(
            f"{where}: puct_select should return the index of a child (an int), got "
            f"{type(got).__name__} {py(got)!r:.60}",
            hint="return the position of the chosen child in Q, N and P, not its score",
        )
    if not 0 <= got < n:
        raise CheckFailure(f"{where}: index {got} is not one of the {n} children")
    return int(got)


def _call_select(student, Q, N, P, c, rng) -> int:
    Q, N, P = (np.asarray(x, dtype=float) for x in (Q, N, P))
    where = f"Q = {Q.tolist()}, N = {N.astype(int).tolist()}, P = {P.tolist()}, c_puct = {c}"
    before = snapshot((Q, N, P))
    got = student(Q, N, P, c, rng=rng)
    for name, old, new in zip("QNP", before, (Q, N, P), strict=True):
        require_unchanged(name, old, new)
    return _index(got, len(Q), where)


@exercise("6.1", "PUCT selection at a node")
def check_puct_select(student):
    observations = []  # (Q, N, P, c, the student's choice)
    rng = np.random.default_rng(6)
    for case in range(60):  # seeded random nodes, half with an unvisited child; no ties
        n = int(rng.integers(2, 8))
        Q = np.round(rng.uniform(-1, 1, n), 2)
        N = rng.integers(1, 12, n).astype(float)
        if case % 2:
            N[int(rng.integers(n))] = 0.0
        Q[N == 0] = 0.0
        P = np.round(rng.dirichlet(np.ones(n)), 3)
        c = float(rng.choice([0.5, 1.5, 3.0]))
        scores = alphazero.puct_scores(Q, N, P, c)
        if np.sum(np.isclose(scores, scores.max())) > 1:
            continue  # ties are tested below: any uniform draw is right there
        got = _call_select(student, Q, N, P, c, np.random.default_rng(case))
        observations.append((Q, N, P, c, got))
    fresh = (np.zeros(3), np.zeros(3), np.array([0.1, 0.6, 0.3]))  # a node just expanded
    fresh_rng = np.random.default_rng(0)
    for _ in range(60):
        observations.append((*fresh, 1.5, _call_select(student, *fresh, 1.5, fresh_rng)))

    wrong = [o for o in observations if o[4] not in _maximisers(alphazero.puct_scores(*o[:4]))]
    if wrong:
        # the typical mistakes whose choices agree with every choice the student made
        fits = None
        for Q, N, P, c, got in observations:
            here = {
                name
                for name, sc, _ in _selection_alternatives(Q, N, P, c)
                if name != "right" and got in _maximisers(sc)
            }
            fits = here if fits is None else fits & here
        hints = [(n, h) for n, _, h in _selection_alternatives(*fresh, 1.5) if n in fits]
        Q, N, P, c, got = wrong[0]
        scores = alphazero.puct_scores(Q, N, P, c)
        expected = int(np.argmax(scores))
        picks = [o[4] for o in observations if o[0] is fresh[0]]
        if Q is fresh[0]:
            where = (
                f"at a fresh node (Q = 0, N = 0, P = {P.tolist()}), 60 calls picked "
                f"{ {i: picks.count(i) for i in sorted(set(picks))} }, expected child 1 every time"
            )
        else:
            where = (
                f"Q = {Q.tolist()}, N = {N.astype(int).tolist()}, P = {P.tolist()}, c_puct = {c}: "
                f"expected child {expected} (score {scores[expected]:.4f}), got child {got} "
                f"(score {scores[got]:.4f})"
            )
        raise CheckFailure(
            where,
            hint=_names(hints)
            if hints
            else "score every child with Q + c_puct P sqrt(N(s)) / (1 + N(s,a)), "
            "N(s) = 1 + sum_b N(s,b), and return the index of the largest",
        )
    # Ties: broken uniformly at random with rng, only among the best.
    tied = ([0.5, 0.2, 0.5, 0.5], [2, 2, 2, 2], [0.25, 0.25, 0.25, 0.25])
    tie_rng = np.random.default_rng(1)
    picks = [_call_select(student, *tied, 1.0, tie_rng) for _ in range(300)]
    counts = {i: picks.count(i) for i in sorted(set(picks))}
    if counts.get(1) or min(counts.get(i, 0) for i in (0, 2, 3)) < 60:
        raise CheckFailure(
            f"children 0, 2 and 3 tie for the best score (Q = {tied[0]}, equal N and P); "
            f"300 calls picked {counts}",
            hint="pick uniformly at random among all the maximisers, with rng "
            "(e.g. rng.choice(np.flatnonzero(scores == scores.max())))",
        )
    again = [_call_select(student, *tied, 1.0, np.random.default_rng(7)) for _ in range(20)]
    if len(set(again)) > 1:
        raise CheckFailure(
            "two calls with the same seed broke a tie differently",
            "use only the rng argument for randomness",
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
    before = snapshot((logits, legal))
    got = student(logits, legal)
    require_unchanged("logits", before[0], logits, hint="build a new array with np.where(legal, "
                      "logits, -np.inf) instead of writing -inf into logits")  # fmt: skip
    require_unchanged("legal", before[1], legal)
    got = np.asarray(got, dtype=float)
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
            "logits, -np.inf)) before the softmax; a logit of 0 still gets probability",
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
    with np.errstate(all="ignore"):
        got = np.asarray(student(big.copy(), mask.copy()), dtype=float)
    expected = alphazero.masked_softmax(big, mask)
    if got.shape != expected.shape or not np.allclose(got, expected, atol=1e-9):
        raise CheckFailure(
            f"logits [1000, 999, -5, 0] (move 2 illegal): expected "
            f"{np.round(expected[0], 4).tolist()}, got {np.round(got, 4).tolist()}",
            hint="exp(1000) overflows: subtract the largest logit of each row first (softmax "
            "does not change when the same number is subtracted from all logits)",
        )


# --- outcomes from the view of the player to move (6.3 and 6.6) ------------------------------
class AfterCentre(TicTacToe):
    """Tic-tac-toe from the position after X's first move in the centre: O moves first here,
    so a convention that assumes X moves at even move numbers gets the signs wrong."""

    def initial_state(self):
        return self.next_state(super().initial_state(), 4)

    def __repr__(self) -> str:
        return "TicTacToe() from X's centre opening"


_Z_MISTAKES = [  # (name, z_t from (game, t, s_t, returns), hint)
    (
        "previous player",
        lambda game, t, s, G: G[1 - game.current_player(s)],
        "z is seen from the player who moved into s_t; it must be the outcome for the player "
        "to move at s_t: returns[game.current_player(s_t)]",
    ),
    (
        "always X",
        lambda game, t, s, G: G[0],
        "z is X's outcome at every position; it must be the outcome for the player to move at "
        "s_t, so its sign alternates: returns[game.current_player(s_t)]",
    ),
    (
        "always O",
        lambda game, t, s, G: G[1],
        "z is O's outcome at every position; it must be the outcome for the player to move at "
        "s_t: returns[game.current_player(s_t)]",
    ),
    (
        "move parity",
        lambda game, t, s, G: G[t % 2],
        "z is indexed by the move number (returns[t % 2]), which assumes X moves first; in "
        "this record O moves first: use the player to move, returns[game.current_player(s_t)]",
    ),
]


def _check_outcomes(records, got_z) -> None:
    """`records`: (name, game, states, returns); `got_z[i][t]`: the student's z of record i."""
    first = None
    for (name, game, states, G), zs in zip(records, got_z, strict=True):
        for t, (s, z) in enumerate(zip(states, zs, strict=True)):
            if z != G[game.current_player(s)] and first is None:
                first = (name, game, t, s, G, z)
    if first is None:
        return
    fits = []
    for mistake, rule, hint in _Z_MISTAKES:
        if all(
            z == rule(game, t, s, G)
            for (_, game, states, G), zs in zip(records, got_z, strict=True)
            for t, (s, z) in enumerate(zip(states, zs, strict=True))
        ):
            fits.append((mistake, hint))
    name, game, t, s, G, z = first
    player = "XO"[game.current_player(s)]
    raise CheckFailure(
        f"{name} (returns {py(tuple(G))}), position {t} ({player} to move): expected z = "
        f"{G[game.current_player(s)]:+.0f}, got {z:+.0f}",
        hint=_names(fits)
        if fits
        else "z is the final outcome from the view of the player to move at s_t, "
        "returns[game.current_player(s_t)]",
    )


# --- 6.3 training targets -------------------------------------------------------------------
def _game_record(moves: list[int], seed: int, game=None):
    """A finished tic-tac-toe game, and made-up visit counts (over all 9 moves) per position."""
    game = game or TicTacToe()
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


TARGET_RECORDS = {
    "a game X wins in 5 moves": ([0, 3, 1, 4, 2], 1, None),  # the top row
    "a game O wins in 6 moves": ([0, 4, 1, 2, 8, 6], 2, None),  # the diagonal 2-4-6
    "a draw": ([4, 0, 8, 2, 1, 7, 6, 3, 5], 3, None),
    "a game from X's centre opening, O to move first, that X wins": ([0, 2, 1, 6], 4, "centre"),
    "a game from X's centre opening, O to move first, that O wins": ([0, 8, 1, 7, 2], 5, "centre"),
}
"""The game records of check 6.3: (moves, seed of the made-up visit counts, start)."""


def target_records():
    """The records of check 6.3 as (name, game, states, visit_counts, returns)."""
    out = []
    for name, (moves, seed, start) in TARGET_RECORDS.items():
        game = AfterCentre() if start == "centre" else TicTacToe()
        out.append((name, *_game_record(moves, seed, game)))
    return out


@exercise("6.3", "training targets from a finished self-play game")
def check_training_targets(student):
    records, got_z = [], []
    for name, game, states, counts, returns in target_records():
        expected = alphazero.training_targets(game, states, counts, returns)
        counts_arg, states_arg = [N.copy() for N in counts], list(states)
        before = snapshot(counts_arg)
        got = student(game, states_arg, counts_arg, returns)
        require_unchanged(
            "visit_counts",
            before,
            counts_arg,
            hint="N /= N.sum() divides the stored counts in place: compute pi = N / N.sum() "
            "as a new array",
        )
        try:
            got = list(got)
            if len(got) != len(expected) or any(len(example) != 3 for example in got):
                raise ValueError
        except (TypeError, ValueError):
            raise CheckFailure(
                f"for {name} ({len(states)} positions) expected {len(expected)} examples "
                f"(state, pi, z), got {type(got).__name__} {py(got)!r:.120}",
                hint="return one tuple (state, pi, z) per position, in the order of the game",
            ) from None
        zs = []
        for t, ((s, pi, z), (s_ref, pi_ref, _)) in enumerate(zip(got, expected, strict=True)):
            if s != s_ref:
                raise CheckFailure(
                    f"{name}, example {t}: expected the state of move {t}, got another one",
                    hint="keep the states in the order of the game",
                )
            pi = require_finite(f"pi of position {t} ({name})", pi)
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
            zs.append(float(require_finite(f"z of position {t} ({name})", _number("z", z))))
        records.append((name, game, states, returns))
        got_z.append(zs)
    _check_outcomes(records, got_z)


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
        before = snapshot((p, v, pi, z, theta))
        with np.errstate(all="ignore"):
            got = student(p, v, pi, z, theta, c)
        for name, old, new in zip(("p", "v", "pi", "z", "theta"), before, (p, v, pi, z, theta),
                                  strict=True):  # fmt: skip
            require_unchanged(name, old, new, hint="compute on new arrays (np.where(pi > 0, p, "
                              "1.0) builds one) instead of writing into the inputs")  # fmt: skip
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
        known = [
            (ref.value - ref.policy + ref.l2, "the cross-entropy is -pi^T log p (log p < 0, so "
             "the term is positive)"),
            (ref.value + ref.policy, "the weight decay c ||theta||^2 is missing"),
            (B * (ref.value + ref.policy) + ref.l2, "average the first two terms over the "
             "batch (np.mean), do not sum them"),
            (value_abs + ref.policy + ref.l2, "the value term is squared: (z - v)^2"),
            (ref.value + ref.policy + c * math.sqrt(ref.l2 / c), "||theta||^2 is the squared "
             "norm: the sum of squares, without a square root"),
        ]  # fmt: skip
        fits = [(str(i), hint) for i, (wrong, hint) in enumerate(known)
                if math.isclose(got, wrong, rel_tol=1e-7, abs_tol=1e-9)]  # fmt: skip
        if fits:
            raise CheckFailure(where, hint=_names(fits))
        raise CheckFailure(
            f"{where} (value term {ref.value:.4f}, policy term {ref.policy:.4f}, weight decay "
            f"{ref.l2:.4f})",
            hint="l = mean over the batch of (z - v)^2 - sum_a pi_a log p_a, plus c times the "
            "sum of squares of all weights",
        )


# --- 6.6 a self-play game -------------------------------------------------------------------
SELF_PLAY_CONFIG = alphazero.SelfPlayConfig(
    n_simulations=16,
    c_puct=1.5,
    dirichlet_alpha=0.5,
    noise_fraction=0.25,
    temperature_moves=4,
    random_moves=1,
)
"""The settings check 6.6 plays with (few simulations: the games are many, and quick)."""

_CELL_WEIGHTS = np.array([3.0, 1.0, 3.0, 1.0, 8.0, 1.0, 3.0, 1.0, 3.0])


def skewed_evaluator(game):
    """A fixed leaf evaluator for check 6.6: priors favour the centre, then corners; value 0.

    With it the visit counts are spread but clearly uneven, so a move drawn in proportion to
    them, a uniform move and the most visited move can be told apart.
    """

    def evaluate(state):
        legal = game.legal_actions(state)
        w = _CELL_WEIGHTS[list(legal)]
        return (w / w.sum()).tolist(), 0.0

    return evaluate


class _SearchRecorder:
    """`mcts.search` that records each call; it also catches noise mixed into every node."""

    def __init__(self, evaluate):
        self.evaluate = evaluate
        self.calls = []

    def __call__(self, game, state, evaluate=None, *, n_simulations, rng, select=mcts.ucb1,
                 c=mcts.C_UCT, root_noise=None):  # fmt: skip
        if evaluate is not None and evaluate is not self.evaluate:
            probe = game.next_state(game.initial_state(), 0)  # not a root of this game
            theirs, ours = evaluate(probe), self.evaluate(probe)
            if not np.allclose(np.asarray(theirs[0], dtype=float), ours[0]):
                raise CheckFailure(
                    "the evaluator you pass to the search changes the network's priors at every "
                    "node it expands (noise at every node)",
                    hint="AlphaZero mixes Dirichlet noise into the priors of the root only: pass "
                    "the evaluator as it is, with root_noise=(config.dirichlet_alpha, "
                    "config.noise_fraction)",
                )
        result = mcts.search(game, state, evaluate, n_simulations=n_simulations, rng=rng,
                             select=select, c=c, root_noise=root_noise)  # fmt: skip
        self.calls.append(
            {"state": state, "n_simulations": n_simulations, "select": select, "c": c,
             "root_noise": root_noise, "result": result}
        )  # fmt: skip
        return result


def _final_returns(game, last):
    """The returns of a game whose last searched position is `last` (one more move ends it):
    a full board's last move is forced; otherwise the game can only end by the mover's win."""
    legal = game.legal_actions(last)
    ends = [a for a in legal if game.is_terminal(game.next_state(last, a))]
    if not ends:
        return None
    if len(legal) == 1:
        return tuple(game.returns(game.next_state(last, legal[0])))
    return (1, -1) if game.current_player(last) == 0 else (-1, 1)


def _play(student, game, seed: int):
    """One game of the student's self-play with the recording search: (examples, calls)."""
    evaluate = skewed_evaluator(game)
    search = _SearchRecorder(evaluate)
    got = student(game, evaluate, rng=np.random.default_rng(seed), config=SELF_PLAY_CONFIG,
                  search=search)  # fmt: skip
    if not search.calls:
        raise CheckFailure(
            "your function never called the search it was given",
            hint="at every move run result = search(game, state, evaluate, n_simulations=..., "
            "rng=rng, select=config.select, c=config.c_puct, root_noise=...) with the search "
            "argument (it is mcts.search)",
        )
    try:
        got = list(got)
        if any(len(example) != 3 for example in got):
            raise ValueError
    except (TypeError, ValueError):
        raise CheckFailure(
            f"self_play_game should return a list of (state, pi, z) tuples, got "
            f"{type(got).__name__} {py(got)!r:.120}",
            hint="one tuple (s_t, pi_t, z_t) per position searched, in the order of the game",
        ) from None
    return got, search.calls


def _moves_of(game, states):
    moves = []
    for t in range(len(states) - 1):
        found = [a for a in game.legal_actions(states[t])
                 if game.next_state(states[t], a) == states[t + 1]]  # fmt: skip
        if not found:
            raise CheckFailure(
                f"the positions searched at moves {t} and {t + 1} are not one move apart",
                hint="after each search play one move: state = game.next_state(state, action)",
            )
        moves.append(found[0])
    return moves


def _check_search_calls(calls, config) -> None:
    for t, call in enumerate(calls):
        if call["n_simulations"] != config.n_simulations:
            raise CheckFailure(
                f"move {t}: the search ran {call['n_simulations']} simulations, the config says "
                f"{config.n_simulations}",
                hint="n_simulations=config.n_simulations",
            )
        if call["select"] is not config.select or call["c"] != config.c_puct:
            name = getattr(call["select"], "__name__", repr(call["select"]))
            raise CheckFailure(
                f"move {t}: the search selected with {name} and c = {call['c']}; the config says "
                f"the PUCT rule with c_puct = {config.c_puct}",
                hint="select=config.select (alphazero.puct for AlphaZero), c=config.c_puct",
            )
        noise = call["root_noise"]
        if noise is None:
            raise CheckFailure(
                f"move {t}: the search ran without Dirichlet noise at the root",
                hint="root_noise=(config.dirichlet_alpha, config.noise_fraction): self-play "
                "needs it so that moves the network dislikes are tried",
            )
        if tuple(noise) != (config.dirichlet_alpha, config.noise_fraction):
            raise CheckFailure(
                f"move {t}: root_noise = {py(tuple(noise))}, expected "
                f"({config.dirichlet_alpha}, {config.noise_fraction})",
                hint="root_noise=(config.dirichlet_alpha, config.noise_fraction), in that order",
            )


def _check_policy_targets(examples, calls, n_actions: int) -> None:
    for t, ((s, pi, _), call) in enumerate(zip(examples, calls, strict=True)):
        if s != call["state"]:
            raise CheckFailure(
                f"example {t} holds another state than the one searched at move {t}",
                hint="store (s_t, pi_t) for the position you searched, in the order of the game",
            )
        result = call["result"]
        expected = np.zeros(n_actions)
        expected[result.actions] = result.N / result.N.sum()
        pi = require_finite(f"pi of position {t}", pi)
        if pi.shape != expected.shape:
            raise CheckFailure(
                f"position {t}: pi should be a vector over all {n_actions} moves, got shape "
                f"{pi.shape}",
                hint="pi = np.zeros(game.num_actions); pi[result.actions] = N / N.sum()",
            )
        if np.allclose(pi, expected):
            continue
        counts = np.zeros(n_actions)
        counts[result.actions] = result.N
        priors = np.zeros(n_actions)
        priors[result.actions] = result.P
        where = (
            f"position {t}: the search's visits N = {counts.astype(int).tolist()}, expected "
            f"pi = {np.round(expected, 3).tolist()}, got {np.round(pi, 3).tolist()}"
        )
        if np.allclose(pi, counts):
            hint = "pi is not normalised: divide the visit counts by their sum"
        elif np.allclose(pi, priors):
            hint = "pi is the root's prior (with noise), not the search's visit distribution"
        elif np.allclose(np.sort(pi), np.sort(expected)):
            hint = (
                "the visit shares are at the wrong moves: result.N[i] belongs to the move "
                "result.actions[i], so pi[result.actions] = result.N / result.N.sum()"
            )
        else:
            hint = "pi_t(a) = N(s_t, a) / sum_b N(s_t, b), 0 for the moves not searched"
        raise CheckFailure(where, hint=hint)


def _log_likelihoods(samples):
    """Sum of log P(move) under 'uniform over legal' and under 'in proportion to N'."""
    uniform = sum(-math.log(len(legal)) for legal, _, _ in samples)
    visits = 0.0
    for _legal, N, a in samples:
        share = N.get(a, 0) / sum(N.values())
        visits += math.log(share) if share > 0 else -math.inf
    return uniform, visits


def _check_moves(games_played, config) -> None:
    """Distribution tests of the moves: uniform first moves, tau = 1, then the most visited."""
    random_phase, tau_phase, greedy_phase = [], [], []
    for game, calls, moves in games_played:
        for t, a in enumerate(moves):
            result = calls[t]["result"]
            N = dict(zip(result.actions, result.N.tolist(), strict=True))
            sample = (game.legal_actions(calls[t]["state"]), N, a)
            if t < config.random_moves:
                random_phase.append((t, sample))
            elif t < config.temperature_moves:
                tau_phase.append((t, sample))
            else:
                greedy_phase.append((t, sample))
    # after the first temperature_moves moves: the most visited move
    for t, (_, N, a) in greedy_phase:
        if N.get(a, 0) != max(N.values()):
            off_by_one = t == config.temperature_moves and all(
                N.get(b, 0) == max(N.values()) for u, (_, N, b) in greedy_phase if u > t
            )
            raise CheckFailure(
                f"move {t} (after the first temperature_moves = {config.temperature_moves}): "
                f"played {a} with N = {N.get(a, 0)} visits, while the most visited had "
                f"{max(N.values())}",
                hint="tau = 1 for one move too many: moves t = 0 .. temperature_moves - 1 are "
                "drawn, from t = temperature_moves on play the most visited"
                if off_by_one
                else "after the first temperature_moves moves, play the most visited move "
                "(tau -> 0: alphazero.sample_move(result, 0.0, rng=rng)), not a draw",
            )
    # the first random_moves moves: uniform over the legal moves
    samples = [s for _, s in random_phase]
    if samples:
        uniform, visits = _log_likelihoods(samples)
        if all(N.get(a, 0) == max(N.values()) for _, N, a in samples):
            raise CheckFailure(
                f"the first random_moves = {config.random_moves} move(s) of all "
                f"{len(samples)} games were the search's most visited move",
                hint="the first config.random_moves moves are uniformly random over the legal "
                "moves (legal[randomness.random_index(len(legal), rng=rng)]), so that every "
                "opening is met",
            )
        if visits > uniform:
            raise CheckFailure(
                f"the first random_moves = {config.random_moves} move(s) follow the search's "
                "visits rather than a uniform draw over the legal moves",
                hint="draw the first config.random_moves moves uniformly over the legal moves, "
                "not from the visit counts",
            )
        cells = {}
        for _, _, a in samples:
            cells[a] = cells.get(a, 0) + 1
        if max(cells.values()) > 0.5 * len(samples):
            raise CheckFailure(
                f"the first moves of {len(samples)} games went {dict(sorted(cells.items()))}: "
                "not uniform over the legal moves",
                hint="draw uniformly over the legal moves with rng, e.g. "
                "legal[randomness.random_index(len(legal), rng=rng)]",
            )
    # moves random_moves .. temperature_moves - 1: drawn in proportion to N (tau = 1)
    samples = [s for _, s in tau_phase]
    if samples:
        p_all_top = math.prod(
            sum(n for b, n in N.items() if n == max(N.values())) / sum(N.values())
            for _, N, _ in samples
        )
        if all(N.get(a, 0) == max(N.values()) for _, N, a in samples) and p_all_top < 1e-6:
            raise CheckFailure(
                f"moves {config.random_moves} to {config.temperature_moves - 1} of all games "
                f"were the most visited move ({len(samples)} moves; drawn with tau = 1 that has "
                f"probability {p_all_top:.1e})",
                hint="tau = 1 for the first config.temperature_moves moves: draw a in proportion "
                "to N(s,a) (alphazero.sample_move(result, 1.0, rng=rng)), the most visited only "
                "after them",
            )
        # the move right after the random ones: from the visits, not uniform (an off-by-one)
        t = config.random_moves
        at_t = [s for u, s in tau_phase if u == t]
        uniform, visits = _log_likelihoods(at_t)
        if at_t and uniform > visits:
            raise CheckFailure(
                f"move {t} of the games looks uniformly random rather than drawn from the visits",
                hint="only the first config.random_moves moves are uniform; from move "
                "config.random_moves on draw in proportion to N(s,a) (tau = 1)",
            )
        unvisited = [(t, a) for t, (_, N, a) in tau_phase if N.get(a, 0) == 0]
        if unvisited:
            t, a = unvisited[0]
            raise CheckFailure(
                f"move {t} played {a}, a move the search never visited",
                hint="with tau = 1 draw a with probability N(s,a) / sum_b N(s,b) "
                "(alphazero.sample_move(result, 1.0, rng=rng)): an unvisited move has "
                "probability 0",
            )


def _student_games(student, seeds, starts):
    """Games of the student's self-play: (game, calls, moves, examples, returns) each."""
    played = []
    for game in starts:
        for seed in seeds:
            examples, calls = _play(student, game, seed)
            states = [c["state"] for c in calls]
            if len(examples) != len(calls):
                raise CheckFailure(
                    f"a game of {len(calls)} searched positions gave {len(examples)} examples",
                    hint="one example (s_t, pi_t, z_t) per position searched: not the final "
                    "(terminal) position, and none missing",
                )
            if states[0] != game.initial_state():
                raise CheckFailure(
                    "the first search was not from game.initial_state()",
                    hint="start every game at state = game.initial_state()",
                )
            moves = _moves_of(game, states)
            returns = _final_returns(game, states[-1])
            if returns is None:
                raise CheckFailure(
                    f"your game stopped after {len(states)} positions, before the end",
                    hint="play until game.is_terminal(state)",
                )
            played.append((game, calls, moves, examples, returns))
    return played


@exercise("6.6", "a self-play game", time_limit=30.0)
def check_self_play_game(student):
    played = _student_games(student, range(40), (TicTacToe(), AfterCentre()))
    for _, calls, _, _, _ in played:
        _check_search_calls(calls, SELF_PLAY_CONFIG)
    for game, calls, _, examples, _ in played:
        _check_policy_targets(examples, calls, game.num_actions)
    records, got_z = [], []
    for i, (game, calls, _, examples, returns) in enumerate(played):
        outcome = {(1, -1): "X wins", (-1, 1): "O wins", (0, 0): "a draw"}[returns]
        start = "from X's centre opening, " if isinstance(game, AfterCentre) else ""
        name = f"game {i} ({start}{outcome})"
        zs = [float(require_finite(f"z of position {t}", _number("z", z)))
              for t, (_, _, z) in enumerate(examples)]  # fmt: skip
        records.append((name, game, [c["state"] for c in calls], returns))
        got_z.append(zs)
    _check_outcomes(records, got_z)
    _check_moves([(g, calls, moves) for g, calls, moves, _, _ in played], SELF_PLAY_CONFIG)
    # same seed, same games
    for seed in range(123, 129):
        first, _ = _play(student, TicTacToe(), seed)
        second, _ = _play(student, TicTacToe(), seed)
        same = len(first) == len(second) and all(
            a[0] == b[0] and np.allclose(a[1], b[1]) and a[2] == b[2]
            for a, b in zip(first, second, strict=False)
        )
        if not same:
            raise CheckFailure(
                f"two games with the same seed ({seed}) differ",
                hint="take every random number (the first moves, the temperature draws) from rng",
            )


# --- 6.7 one training step ------------------------------------------------------------------
class _RecordingNet(alphazero.PolicyValueNet):
    """A policy-value network that checks and records the minibatches its loss is asked for."""

    def __init__(self, data, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data = data
        self.batches: list[np.ndarray] = []
        self.c_seen: list[float] = []
        self.grads_returned: list[dict] = []

    def loss_and_grads(self, x, legal, pi, z, c=1e-4):
        X, legal_all, pi_all, z_all = self.data
        x = np.asarray(x, dtype=float)
        if x.ndim != 2 or x.shape[1] != X.shape[1]:
            raise CheckFailure(
                f"loss_and_grads got x of shape {np.shape(x)}; expected a minibatch of rows of X",
                hint="pass X[idx], legal[idx], pi[idx], z[idx] for one array of indices idx",
            )
        idx = []
        for row in x:
            hits = np.flatnonzero(np.all(X == row, axis=1))
            if hits.size == 0:
                raise CheckFailure(
                    "the minibatch holds a row that is not in X",
                    hint="draw rows of the replay: X[idx] for indices idx",
                )
            idx.append(int(hits[0]))
        idx = np.array(idx)
        legal = np.asarray(legal, dtype=bool)
        if legal.shape != (len(idx), legal_all.shape[1]):
            raise CheckFailure(
                f"legal has shape {legal.shape}, expected {(len(idx), legal_all.shape[1])}",
                hint="pass legal[idx], the rows of the legal-move masks of the minibatch",
            )
        if not np.array_equal(legal, legal_all[idx]):
            hint = "X, legal, pi and z must be indexed by the same idx"
            if legal.all():
                hint = (
                    "the training step ignores legality: pass legal[idx], the masks of legal "
                    "moves, so that the policy is a softmax over the legal moves only"
                )
            raise CheckFailure("the legal-move masks do not belong to the positions", hint=hint)
        if not np.allclose(np.asarray(pi, dtype=float), pi_all[idx]) or not np.allclose(
            np.asarray(z, dtype=float), z_all[idx]
        ):
            hint = "X, legal, pi and z must be indexed by the same idx (draw idx once)"
            if np.allclose(np.asarray(z, dtype=float), -z_all[idx]):
                hint = "z is negated: the targets are the stored outcomes z[idx], unchanged"
            raise CheckFailure("the targets pi and z do not belong to the positions", hint=hint)
        self.batches.append(idx)
        self.c_seen.append(float(c))
        parts, grads = super().loss_and_grads(x, legal, pi, z, c)
        self.grads_returned.append(grads)
        return parts, grads


class _RecordingAdam(Adam):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps: list[dict] = []

    def step(self, grads):
        self.steps.append(grads)
        super().step(grads)


def _replay(seed: int = 0, n: int = 40):
    """A small replay of made-up examples: distinct positions, legal masks, targets."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(n, 18)).astype(float) + rng.random((n, 18)) * 1e-3
    legal = rng.random((n, 9)) < 0.6
    legal[np.arange(n), rng.integers(0, 9, n)] = True
    pi = rng.random((n, 9)) * legal
    pi /= pi.sum(axis=1, keepdims=True)
    z = rng.choice([-1.0, 0.0, 1.0], size=n)
    return X, legal, pi, z


def _fresh(data, seed: int = 3):
    net = _RecordingNet(data, 18, 9, hidden=8, seed=seed)
    return net, _RecordingAdam(net.params, lr=1e-2)


def _step(student, net, opt, data, rng, batch_size, c):
    X, legal, pi, z = data
    before = snapshot(data)
    got = student(net, opt, X, legal, pi, z, rng=rng, batch_size=batch_size, c=c)
    for name, old, new in zip(("X", "legal", "pi", "z"), before, data, strict=True):
        require_unchanged(name, old, new, hint="draw indices and index the arrays (X[idx]); do "
                          "not shuffle or change the replay in place")  # fmt: skip
    return got


@exercise("6.7", "one training step", time_limit=20.0)
def check_train_step(student):
    data = _replay()
    net, opt = _fresh(data)
    start = {k: w.copy() for k, w in net.params.items()}
    got = _step(student, net, opt, data, np.random.default_rng(0), 8, 1e-3)
    if not net.batches:
        raise CheckFailure(
            "your step never computed the loss and its gradient",
            hint="parts, grads = net.loss_and_grads(X[idx], legal[idx], pi[idx], z[idx], c)",
        )
    if len(net.batches) > 1:
        raise CheckFailure(
            f"one call computed the gradient {len(net.batches)} times",
            hint="one training step: one minibatch, one gradient, one optimiser step",
        )
    if len(net.batches[0]) != 8:
        raise CheckFailure(
            f"the minibatch has {len(net.batches[0])} examples, expected batch_size = 8",
            hint="draw batch_size indices: idx = randomness.random_indices(len(X), batch_size, "
            "rng=rng) (or rng.integers(len(X), size=batch_size))",
        )
    if net.c_seen[0] != 1e-3:
        raise CheckFailure(
            f"the loss got c = {net.c_seen[0]}, expected the weight decay c = 0.001",
            hint="pass c to net.loss_and_grads",
        )
    if not opt.steps:
        moved = any(not np.array_equal(start[k], w) for k, w in net.params.items())
        raise CheckFailure(
            "the optimiser took no step" + (" (yet the weights changed)" if moved else ""),
            hint="opt.step(grads) with the gradients from net.loss_and_grads (Adam updates "
            "net.params in place)",
        )
    if len(opt.steps) > 1:
        raise CheckFailure(
            f"one call took {len(opt.steps)} optimiser steps", hint="one step: opt.step(grads)"
        )
    step, grads = opt.steps[0], net.grads_returned[0]
    if not all(np.allclose(step[k], grads[k]) for k in grads):
        hint = "pass the gradients from net.loss_and_grads to opt.step unchanged"
        if all(np.allclose(step[k], -grads[k]) for k in grads):
            hint = "opt.step(grads) already descends: negating the gradient climbs the loss"
        raise CheckFailure("the optimiser stepped with other gradients than the loss's", hint)
    for name, w in net.params.items():
        require_finite(f"the weights {name} after your step", w)
    for field in ("value", "policy"):
        if not hasattr(got, field):
            raise CheckFailure(
                f"your step returned {type(got).__name__}, expected the loss parts",
                hint="return the parts from net.loss_and_grads (train records parts.value and "
                "parts.policy)",
            )
        require_finite(f"the returned loss's {field}", getattr(got, field))
    # the minibatches: drawn uniformly from the whole replay, with rng
    rng = np.random.default_rng(1)
    for _ in range(150):
        _step(student, net, opt, data, rng, 8, 1e-3)
    counts = np.bincount(np.concatenate(net.batches), minlength=len(data[0]))
    if counts.min() < 10 or counts.max() > 75:
        never = np.flatnonzero(counts == 0)
        raise CheckFailure(
            f"over 151 steps of 8 examples, the {len(counts)} examples of the replay were drawn "
            f"between {counts.min()} and {counts.max()} times (about 30 each expected)"
            + (f"; {len(never)} never" if never.size else ""),
            hint="draw each minibatch uniformly at random from the whole replay, a new one every "
            "step (randomness.random_indices(len(X), batch_size, rng=rng))",
        )
    runs = []
    for _ in range(2):
        net, opt = _fresh(data)
        _step(student, net, opt, data, np.random.default_rng(5), 8, 1e-3)
        runs.append(net.batches[0])
    if not np.array_equal(runs[0], runs[1]):
        raise CheckFailure(
            "two steps with the same seed drew different minibatches",
            hint="draw the minibatch with the rng argument",
        )


# --- 6.8 the ablation -----------------------------------------------------------------------
ABLATION_BUDGET = {"n_iterations": 6, "games_per_iteration": 8}
"""The budget check 6.8 passes to the student's ablation (its stand-in train ignores it)."""

ABLATION_VARIANTS = {"lecture": {}, "no noise": {"noise_fraction": 0.0}}

# Six made-up learning curves (6 iterations; 1 = a loss to the perfect player that iteration),
# each with the answer and the mistake it tells apart.
_CURVES = {  # raw as X, raw as O, search as X, search as O
    "settles at 3": ([1, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0] * 6, [1, 0, 0, 0, 0, 0]),
    "flickers": ([0] * 6, [1, 0, 1, 0, 0, 0], [0] * 6, [0] * 6),
    "unbeaten throughout": ([0] * 6, [0] * 6, [0] * 6, [0] * 6),
    "still losing": ([0] * 6, [1, 1, 0, 0, 0, 1], [0] * 6, [0] * 6),
    "search loses late": ([0] * 6, [1, 0, 0, 0, 0, 0], [0] * 6, [1, 0, 0, 0, 1, 0]),
    "loses as X late": ([1, 0, 0, 1, 0, 0], [0] * 6, [0] * 6, [0] * 6),
}
_ANSWERS = {
    "settles at 3": 3,
    "flickers": 4,
    "unbeaten throughout": 1,
    "still losing": None,
    "search loses late": 6,
    "loses as X late": 5,
}
_CURVE_OF = {  # (variant, seed) -> curve
    ("lecture", 0): "settles at 3",
    ("lecture", 1): "flickers",
    ("lecture", 2): "unbeaten throughout",
    ("no noise", 0): "still losing",
    ("no noise", 1): "search loses late",
    ("no noise", 2): "loses as X late",
}


class _StandInTrain:
    """`alphazero.train`'s stand-in for check 6.8: records its calls, returns made-up histories."""

    def __init__(self):
        self.calls = []

    def __call__(self, game, seed=0, config=None, *, progress=True, **settings):
        self.calls.append((seed, dict(settings)))
        variant = "no noise" if settings.get("noise_fraction") == 0.0 else "lecture"
        curve = _CURVES[_CURVE_OF.get((variant, seed), "still losing")]
        history = alphazero.History()
        n = len(curve[0])
        history.value_loss[:] = history.policy_loss[:] = [0.5] * n
        history.positions[:] = list(range(10, 10 * n + 1, 10))
        history.seconds[:] = [0.1 * (i + 1) for i in range(n)]
        history.raw_loss_first[:] = [0.25 * x for x in curve[0]]
        history.raw_loss_second[:] = [0.25 * x for x in curve[1]]
        history.search_loss_first[:] = [0.25 * x for x in curve[2]]
        history.search_loss_second[:] = [0.25 * x for x in curve[3]]
        history.raw_loss_random_first[:] = [0.0] * n
        history.raw_loss_random_second[:] = [0.0] * n
        return None, history


_WRONG_SUMMARIES = [  # (name, iteration from a curve, hint)
    (
        "0-based",
        lambda c: None if _ANSWERS[c] is None else _ANSWERS[c] - 1,
        "history.unbeaten_from() counts from 0; the table counts iterations from 1: add 1 "
        "(and keep None)",
    ),
    (
        "first zero",
        lambda c: _first_zero(c),
        "the first iteration without a loss is not enough: the players must stay unbeaten to "
        "the end (a network can lose again after a good iteration)",
    ),
    (
        "raw only",
        lambda c: _from(c, (0, 1)),
        "both players count: the network alone and the network with search (search_loss_first "
        "and search_loss_second too)",
    ),
    (
        "O only",
        lambda c: _from(c, (1, 3)),
        "both sides count: as X (..._first) and as O (..._second)",
    ),
    (
        "zero for never",
        lambda c: 0 if _ANSWERS[c] is None else _ANSWERS[c],
        "a run still losing at the end has no such iteration: give None, not 0",
    ),
]


def _first_zero(curve: str) -> int | None:
    rates = np.array(_CURVES[curve])
    good = np.flatnonzero(~rates.any(axis=0))
    return None if good.size == 0 else int(good[0]) + 1


def _from(curve: str, rows) -> int | None:
    rates = np.array([_CURVES[curve][r] for r in rows])
    bad = np.flatnonzero(rates.any(axis=0))
    if bad.size and bad[-1] == rates.shape[1] - 1:
        return None
    return 1 if bad.size == 0 else int(bad[-1]) + 2


@exercise("6.8", "the ablation of self-play", time_limit=60.0)
def check_ablation(student):
    train = _StandInTrain()
    variants = {name: dict(s) for name, s in ABLATION_VARIANTS.items()}
    seeds = [0, 1, 2]
    before = snapshot((variants, seeds))
    got = student(variants, seeds, train=train, **ABLATION_BUDGET)
    require_unchanged("variants", before[0], variants, hint="build a new dict of settings for "
                      "each call ({**budget, **settings}) instead of updating the variant's")  # fmt: skip
    require_unchanged("seeds", before[1], seeds)
    if not train.calls:
        raise CheckFailure(
            "your function never called the train it was given",
            hint="for each variant and seed: _, history = train(game, seed=seed, "
            "progress=False, **budget, **settings)",
        )
    n_runs = len(ABLATION_VARIANTS) * len(seeds)
    if len(train.calls) != n_runs:
        raise CheckFailure(
            f"train was called {len(train.calls)} times for {len(ABLATION_VARIANTS)} variants and "
            f"{len(seeds)} seeds",
            hint="one training run per variant and seed",
        )
    seeds_used = sorted(seed for seed, _ in train.calls)
    if seeds_used != sorted(seeds * len(ABLATION_VARIANTS)):
        raise CheckFailure(
            f"train was called with seeds {seeds_used}; expected each of {seeds} once per variant",
            hint="pass each seed: train(game, seed=seed, ...); runs with one seed only tell "
            "nothing about the spread",
        )
    for _, settings in train.calls:
        missing_budget = {k: v for k, v in ABLATION_BUDGET.items() if settings.get(k) != v}
        if missing_budget:
            raise CheckFailure(
                f"a run was trained without the budget {py(missing_budget)}",
                hint="pass the budget settings to every run: train(game, seed=seed, **budget, "
                "**settings)",
            )
    noise_runs = sum(settings.get("noise_fraction") == 0.0 for _, settings in train.calls)
    if noise_runs != len(seeds):
        raise CheckFailure(
            f"{noise_runs} of the runs had noise_fraction = 0; the variant 'no noise' has "
            f"{len(seeds)} seeds",
            hint="pass each variant's settings to train: train(game, seed=seed, **budget, "
            "**settings)",
        )
    if not isinstance(got, dict) or set(got) != set(ABLATION_VARIANTS):
        raise CheckFailure(
            f"expected a dict with one entry per variant ({sorted(ABLATION_VARIANTS)}), got "
            f"{type(got).__name__} {py(got)!r:.100}",
            hint="return {name: [iteration for each seed] for each variant}",
        )
    mistakes = {name: True for name, _, _ in _WRONG_SUMMARIES}
    wrong = []
    for variant in ABLATION_VARIANTS:
        values = list(got[variant])
        if len(values) != len(seeds):
            raise CheckFailure(
                f"variant {variant!r}: expected {len(seeds)} values (one per seed), got "
                f"{len(values)}"
            )
        for seed, value in zip(seeds, values, strict=True):
            curve = _CURVE_OF[variant, seed]
            if value is not None:
                value = _number("an iteration", value)
                value = int(value) if value == int(value) else value
            for name, rule, _ in _WRONG_SUMMARIES:
                mistakes[name] &= value == rule(curve)
            if value != _ANSWERS[curve]:
                wrong.append((variant, seed, curve, value))
    if wrong:
        variant, seed, curve, value = wrong[0]
        rows = ", ".join(
            f"{label} {py(r)}"
            for label, r in zip(("raw X", "raw O", "search X", "search O"), _CURVES[curve],
                                strict=True)
        )  # fmt: skip
        fits = [(n, h) for n, _, h in _WRONG_SUMMARIES if mistakes[n]]
        raise CheckFailure(
            f"variant {variant!r}, seed {seed}: a history whose losses per iteration are "
            f"{rows} is unbeaten from iteration {_ANSWERS[curve]}, you gave {value}",
            hint=_names(fits)
            if fits
            else "the 1-based iteration from which all four loss rates stay 0 to the end "
            "(history.unbeaten_from() + 1), None if they do not",
        )
