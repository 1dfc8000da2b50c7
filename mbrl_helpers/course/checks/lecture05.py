"""Checks of lecture 05 (Monte Carlo Tree Search): UCB1, selection, expansion, backup, the move
to play, and the simulation loop.

Each check runs the student's function on small hand-built trees (`mbrl_helpers.mcts.Node`), or
on seeded searches, and compares with the reference in `mbrl_helpers.mcts`; the typical mistakes
get their own message: ln of the child's count instead of the parent's, dividing by zero for an
unvisited child, never exploring, ties always broken toward the first child, randomness not
taken from `rng`, children for illegal moves, a sign convention that holds for one parity of the
path or one kind of leaf only, choosing the final move by Q instead of the visit count, and in
the loop: a terminal leaf evaluated or expanded, a simulation not backed up, the wrong player's
sign, the evaluator's priors ignored.
"""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers import mcts
from mbrl_helpers.course.checks import (
    CheckFailure,
    exercise,
    py,
    require_finite,
    require_unchanged,
)
from mbrl_helpers.games import TicTacToe
from mbrl_helpers.mcts import Node

N_TIE_SEEDS = 40  # repetitions to see that ties are broken at random


def _node(N_parent: int, stats, player: int = 0) -> Node:
    """A parent (player `player` to move, N = N_parent) with children i of (N, W) = stats[i]."""
    parent = Node(None, 1 - player)
    parent.to_play = player
    parent.N = N_parent
    for i, (n, w) in enumerate(stats):
        child = Node(i, player, 1.0 / len(stats))
        child.N, child.W = n, float(w)
        parent.children.append(child)
    return parent


def _raised(error: Exception) -> Exception:
    """The student's own exception (the framework wraps it)."""
    return getattr(error, "error", error)


def _stats(node: Node) -> tuple:
    """The statistics of a tree, for `require_unchanged`: (action, player, P, N, W, children)."""
    return (
        node.action,
        node.player,
        node.P,
        node.N,
        node.W,
        tuple(_stats(child) for child in node.children),
    )


def _uniform_among(run, tied, name: str, what: str) -> None:
    """`run(seed)` over 300 seeds must pick each of `tied` about equally often (within 5 sd)."""
    n = 300
    picks = [run(seed) for seed in range(1000, 1000 + n)]
    counts = {a: picks.count(a) for a in tied}
    expected = n / len(tied)
    sd = math.sqrt(n * (1 / len(tied)) * (1 - 1 / len(tied)))
    if any(abs(k - expected) > 5 * sd for k in counts.values()):
        raise CheckFailure(
            f"{what}: over {n} seeds {name} picked {py(counts)}; a uniform choice among the "
            f"{len(tied)} tied gives about {expected:.0f} each",
            hint="choose uniformly among all the tied ones (rng.integers(len(ties)) or "
            "rng.choice), not with a preference for some of them",
        )


def _same_seed_same_answer(run, name: str) -> None:
    """`run(seed)` twice for each of a few seeds: the answers must agree (randomness from rng)."""
    first = [run(seed) for seed in range(8)]
    again = [run(seed) for seed in range(8)]
    if first != again:
        raise CheckFailure(
            f"two calls of {name} with the same seed gave different answers ({py(first)} and "
            f"then {py(again)} for seeds 0-7)",
            hint="take every random number from the rng argument (rng.integers, rng.choice): "
            "a generator of your own (random.Random(), np.random.default_rng() inside the "
            "function) makes the search irreproducible",
        )


@exercise("5.1", "the UCB1 score")
def check_ucb1_score(student):
    try:
        unvisited = student(0.0, 10, 0, 1.4)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the typical mistake is an exception
        inner = _raised(error)
        raise CheckFailure(
            f"for an unvisited child (N(s,a) = 0) your function raised {type(inner).__name__}: "
            f"{inner}",
            hint="an unvisited child must be tried first: return math.inf when N_child == 0",
        ) from None
    if unvisited != math.inf:
        raise CheckFailure(
            f"for an unvisited child (N(s,a) = 0) expected inf, got {py(unvisited)!r}",
            hint="N(s,a) = 0 makes the bonus infinite: return math.inf so it is tried first",
        )
    cases = [(0.2, 50, 5, 1.4), (-0.5, 120, 30, 2.0), (0.9, 7, 1, 0.5), (0.0, 1000, 400, 1.0)]
    for Q, N_parent, N_child, c in cases:
        expected = mcts.ucb1_score(Q, N_parent, N_child, c)
        got = student(Q, N_parent, N_child, c)
        if not isinstance(got, int | float | np.floating) or not math.isfinite(got):
            raise CheckFailure(
                f"ucb1_score({Q}, {N_parent}, {N_child}, {c}) should be the finite number "
                f"{expected:.4f}, got {py(got)!r}"
            )
        if math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
            continue
        args = f"ucb1_score(Q={Q}, N_parent={N_parent}, N_child={N_child}, c={c})"
        if math.isclose(got, Q + c * math.sqrt(math.log(N_child) / N_child), abs_tol=1e-9):
            raise CheckFailure(
                f"{args}: expected {expected:.4f}, got {got:.4f}, which is ln of the child's count",
                hint="the logarithm takes N(s), the visits of the parent: ln N(s) / N(s,a)",
            )
        if math.isclose(got, Q, abs_tol=1e-12):
            raise CheckFailure(
                f"{args}: expected {expected:.4f}, got Q = {got:.4f}: no exploration bonus",
                hint="add c sqrt(ln N(s) / N(s,a)); without it the search never explores",
            )
        raise CheckFailure(
            f"{args}: expected {expected:.4f}, got {got:.4f}",
            hint="UCB1 = Q(s,a) + c * sqrt(ln N(s) / N(s,a)) (math.log is the natural log)",
        )


@exercise("5.2", "UCB1 selection")
def check_select_child(student):
    def run(node, c, seed):
        before = _stats(node)
        child = student(node, c, rng=np.random.default_rng(seed))
        require_unchanged(
            "node",
            before,
            _stats(node),
            hint="selection only reads N, W and P; the backup is the step that changes them",
        )
        if not isinstance(child, Node) or all(child is not ch for ch in node.children):
            raise CheckFailure(
                f"select_child must return one of node.children (a Node), got {py(child)!r}",
                hint="return the child itself, e.g. node.children[i], not its action or index",
            )
        return child.action

    # Unvisited children come first, and the choice among them is random.
    node = unvisited = _node(10, [(5, 2.5), (0, 0), (4, 4.0), (0, 0), (0, 0)])
    chosen = [run(node, 1.4, seed) for seed in range(N_TIE_SEEDS)]
    if any(a not in (1, 3, 4) for a in chosen):
        raise CheckFailure(
            f"with unvisited children 1, 3 and 4 you chose a visited child ({sorted(py(set(chosen)))})",
            hint="an unvisited child has an infinite UCB1 score: try every child once first",
        )
    if len(set(chosen)) < 3:
        raise CheckFailure(
            f"among the unvisited children 1, 3, 4 you always chose {sorted(py(set(chosen)))} "
            f"over {N_TIE_SEEDS} seeds",
            hint="break ties at random with rng (e.g. rng.choice over the tied children), not "
            "toward the first one",
        )
    # Exploration: child 1 has the lowest Q but a single visit. Greedy on Q picks child 0,
    # ln of the child's count (ln 1 = 0: no bonus for child 1) picks child 2.
    node = _node(100, [(80, 40.0), (1, 0.0), (19, 8.55)])
    expected = mcts.ucb1(node, 1.0, rng=np.random.default_rng(0)).action
    got = run(node, 1.0, 0)
    if got != expected:
        hints = {
            0: "that is the child with the highest Q: add the bonus c sqrt(ln N(s) / N(s,a))",
            2: "that is what ln of the child's count gives: the log takes N(s), the parent's "
            "visits (node.N)",
        }
        raise CheckFailure(
            f"children (N, Q) = (80, 0.50), (1, 0.00), (19, 0.45) under a parent with N = 100, "
            f"c = 1: expected child {expected}, got {py(got)}",
            hint=hints.get(got, "score each child with ucb1_score(child.Q, node.N, child.N, c)"),
        )
    if run(node, 0.0, 0) != 0:
        raise CheckFailure(
            "with c = 0 UCB1 is greedy on Q: expected child 0 (Q = 0.5), got another one",
            hint="multiply the bonus by c",
        )
    # Equal scores: ties broken at random.
    node = _node(9, [(4, 2.0), (1, -1.0), (4, 2.0)])
    chosen = [run(node, 1.0, seed) for seed in range(N_TIE_SEEDS)]
    if set(chosen) != {0, 2}:
        raise CheckFailure(
            f"children 0 and 2 have the same score and child 1 a lower one; over {N_TIE_SEEDS} "
            f"seeds you chose {sorted(py(set(chosen)))}",
            hint="break ties at random among all the children with the best score",
        )
    _uniform_among(
        lambda seed: run(unvisited, 1.4, seed), (1, 3, 4), "select_child", "unvisited children"
    )
    _same_seed_same_answer(lambda seed: run(node, 1.0, seed), "select_child")


@exercise("5.3", "expansion")
def check_expand(student):
    game = TicTacToe()
    state = game.state_from_string("XO. / .X. / ..O")  # X to move; cells 0, 1, 4, 8 taken
    legal = list(game.legal_actions(state))
    priors = np.array([0.3, 0.2, 0.1, 0.05, 0.1, 0.05, 0.05, 0.05, 0.1])  # illegal ones too
    node = mcts.set_state(game, Node(4, 1), state)
    node.N, node.W = 1, 0.25
    given = priors.copy()
    result = student(game, node, given)
    require_unchanged(
        "priors",
        priors,
        given,
        hint="renormalise into the children's P (e.g. P = priors[a] / total), not in place",
    )
    if result is not None and result is not node.children:
        raise CheckFailure(
            "expand should add the children to node.children and return nothing",
            hint="node.children = [...] (or append to it)",
        )
    actions = [ch.action for ch in node.children if isinstance(ch, Node)]
    if len(actions) != len(node.children):
        raise CheckFailure("node.children must hold Node objects: mcts.Node(action, player, P)")
    if sorted(actions) != legal:
        illegal = sorted(set(actions) - set(legal))
        raise CheckFailure(
            f"expected children for the legal actions {py(legal)}, got {sorted(py(actions))}"
            + (f" (cells {py(illegal)} are taken)" if illegal else ""),
            hint="one child per a in game.legal_actions(node.state)",
        )
    legal_mass = priors[legal].sum()
    for child in node.children:
        want = priors[child.action] / legal_mass
        if not math.isclose(child.P, want, rel_tol=1e-6):
            hint = (
                "the priors must sum to one over the legal actions: divide by their sum"
                if math.isclose(child.P, priors[child.action], rel_tol=1e-6)
                else "P(s,a) comes from priors[a]"
            )
            raise CheckFailure(
                f"child a={child.action}: expected P = {want:.4f}, got {py(child.P)!r}", hint=hint
            )
        if child.player != node.to_play:
            raise CheckFailure(
                f"child a={child.action}: expected player = {node.to_play} (who chooses a, the "
                f"player to move at the parent), got {py(child.player)!r}",
                hint="Node(action, node.to_play, P): W of the edge is kept from the chooser's view",
            )
        if child.N != 0 or child.W != 0.0:
            raise CheckFailure(
                f"child a={child.action}: a new child has N = 0 and W = 0, got "
                f"N = {py(child.N)}, W = {py(child.W)}"
            )
    if (node.N, node.W) != (1, 0.25):
        raise CheckFailure(
            f"expansion must not change the node's own statistics: N, W went from (1, 0.25) to "
            f"({py(node.N)}, {py(node.W)})",
            hint="the backup updates N and W, not the expansion",
        )


# Paths of the backup check: (players who chose each edge, root first; to_play; value; the leaf).
# Both parities of the path length, leaves where the evaluator scored the player to move, and
# terminal leaves reached by X and by O (there `to_play` is the player who made the last move).
_BACKUP_CASES = (
    ((1, 0, 1, 0), 1, 1.0, "a leaf with O to move (scored by the evaluator)"),
    ((1, 0, 1), 0, 0.5, "a leaf with X to move (scored by the evaluator)"),
    ((1, 0, 1, 0), 0, 1.0, "a terminal leaf won by X's last move"),
    ((0, 1, 0), 0, 1.0, "a terminal leaf won by X's last move"),
    ((0, 1, 0, 1), 1, 1.0, "a terminal leaf won by O's last move"),
    ((1, 0, 1), 1, 1.0, "a terminal leaf won by O's last move"),
    ((1,), 0, -0.5, "the root itself, X to move (the first simulation)"),
)


def _signs(players, to_play, convention: str) -> list[int]:
    """The sign each node's W gets under one backup convention (the right one or a mistake)."""
    n = len(players)
    if convention == "correct":
        return [1 if p == to_play else -1 for p in players]
    if convention == "no flip":
        return [1] * n
    if convention == "flipped":
        return [-1 if p == to_play else 1 for p in players]
    if convention == "alternating, the leaf gets -value":
        return [-((-1) ** (n - 1 - i)) for i in range(n)]
    if convention == "alternating, the leaf gets +value":
        return [(-1) ** (n - 1 - i) for i in range(n)]
    if convention == "alternating from the root, the root gets -value":
        return [-((-1) ** i) for i in range(n)]
    if convention == "alternating from the root, the root gets +value":
        return [(-1) ** i for i in range(n)]
    if convention == "value read as X's":
        return [1 if p == 0 else -1 for p in players]
    raise ValueError(convention)


_SIGN_HINTS = {
    "no flip": "the same sign for every node: W of an edge is kept from the view of the player "
    "who chose it (node.player), so the opponent's edges get -value",
    "flipped": "+value and -value are swapped: add value when node.player == to_play (that "
    "player gains it), subtract it otherwise",
    "alternating, the leaf gets -value": "you alternate the sign level by level from the leaf, "
    "giving the leaf's edge -value: right at a leaf where to_play is to move (scored by the "
    "evaluator), wrong at a terminal leaf, where to_play made the last move (leaf.player): "
    "compare node.player with to_play instead of counting levels",
    "alternating, the leaf gets +value": "you alternate the sign level by level from the leaf, "
    "giving the leaf's edge +value: right at a terminal leaf (to_play made the last move), wrong "
    "at a leaf the evaluator scored, where to_play is to move and the leaf's edge is the "
    "opponent's: compare node.player with to_play instead of counting levels",
    "alternating from the root, the root gets -value": "you alternate the sign by depth from "
    "the root: that agrees with node.player for one parity of the path length only: compare "
    "node.player with to_play",
    "alternating from the root, the root gets +value": "you alternate the sign by depth from "
    "the root: that agrees with node.player for one parity of the path length only: compare "
    "node.player with to_play",
    "value read as X's": "value is from the view of to_play, not of X (player 0): add it to "
    "the nodes with node.player == to_play, subtract it from the others",
}


@exercise("5.4", "the backup")
def check_backup(student):
    student_signs = []  # per case: the sign the student's W changes show, or None
    failure = None
    for k, (players, to_play, value, leaf) in enumerate(_BACKUP_CASES):
        path = [Node(7 + i if i else None, p) for i, p in enumerate(players)]
        start = [(3 + k + i, 0.25 * i - 0.5) for i in range(len(path))]
        for node, (n, w) in zip(path, start, strict=True):
            node.N, node.W = n, w
        before = [(node.action, node.player) for node in path]
        student(path, value, to_play)
        if [(node.action, node.player) for node in path] != before:
            raise CheckFailure(
                "your backup changed node.action or node.player; it must change only N and W",
                hint="N += 1 and W += +value or -value, nothing else",
            )
        require_finite("W along the path", [node.W for node in path])
        case = (
            f"path of {len(path)} node{'s' * (len(path) > 1)} with edge players "
            f"{list(players)}, value {value:+g} for player {to_play} ({leaf})"
        )
        n_got = [py(node.N) for node in path]
        n_want = [n + 1 for n, _ in start]
        if n_got != n_want:
            hint = "every node on the path, the root and the leaf included, gets N += 1"
            if n_got == [n for n, _ in start]:
                hint = "the backup counts the visit: N += 1 on every node of the path"
            raise CheckFailure(f"{case}: expected N = {n_want}, got {n_got}", hint=hint)
        delta = [node.W - w for node, (_, w) in zip(path, start, strict=True)]
        want = [sign * value for sign in _signs(players, to_play, "correct")]
        if np.allclose(delta, want):
            student_signs.append(tuple(_signs(players, to_play, "correct")))
            continue
        if all(math.isclose(abs(d), abs(value)) for d in delta):
            student_signs.append(tuple(int(round(d / value)) for d in delta))
        else:
            student_signs.append(None)
        if failure is None:
            expected_w = [round(w + d, 3) for (_, w), d in zip(start, want, strict=True)]
            got_w = [round(py(node.W), 3) for node in path]
            failure = (case, expected_w, got_w, student_signs[-1] is None)
    if failure is None:
        return
    case, expected_w, got_w, not_a_sign = failure
    if not_a_sign:
        raise CheckFailure(
            f"{case}: expected W = {expected_w}, got {got_w}",
            hint="W += value or W -= value, once per node: accumulate, do not overwrite or scale",
        )
    matching = [
        name
        for name in _SIGN_HINTS
        if all(
            got is not None and got == tuple(_signs(players, to_play, name))
            for got, (players, to_play, _, _) in zip(student_signs, _BACKUP_CASES, strict=True)
        )
    ]
    raise CheckFailure(
        f"sign error: {case}: expected W = {expected_w}, got {got_w}",
        hint=" OR ".join(_SIGN_HINTS[name] for name in matching)
        or "node.W is from the view of node.player (who chose the edge): add the value when "
        "node.player == to_play, subtract it otherwise (zero-sum)",
    )


@exercise("5.5", "the move to play")
def check_best_action(student):
    def run(root, seed):
        before = _stats(root)
        a = student(root, rng=np.random.default_rng(seed))
        require_unchanged(
            "root", before, _stats(root), hint="choosing the move only reads the visit counts"
        )
        if isinstance(a, Node):
            raise CheckFailure(
                "best_action must return an action (child.action), got a Node",
                hint="return the chosen child's .action",
            )
        return a

    root = _node(21, [(2, 2.0), (12, 3.0), (6, 3.0)])
    got = run(root, 0)
    if got != 1:
        by_q = max(root.children, key=lambda ch: ch.Q).action
        raise CheckFailure(
            f"children (N, Q) = (2, 1.00), (12, 0.25), (6, 0.50): expected action 1 (most "
            f"visited), got {py(got)!r}" + (", the highest Q" if got == by_q else ""),
            hint="play the most visited action: Q of a rarely tried move is noisy (here Q = 1 "
            "after 2 visits)",
        )
    root = _node(25, [(3, 0.0), (8, 1.0), (5, 2.0), (8, 4.0)])
    chosen = [run(root, seed) for seed in range(N_TIE_SEEDS)]
    if set(chosen) != {1, 3}:
        raise CheckFailure(
            f"actions 1 and 3 share the most visits (8); over {N_TIE_SEEDS} seeds you chose "
            f"{sorted(py(set(chosen)))}",
            hint="break ties at random with rng, not toward the first (or the highest-Q) action",
        )
    _uniform_among(
        lambda seed: run(root, seed), (1, 3), "best_action", "actions 1 and 3 (8 visits)"
    )
    _same_seed_same_answer(lambda seed: run(root, seed), "best_action")


# --- 5.6: the simulation loop ---------------------------------------------------------------
def reference_simulate(
    game, root, evaluate, n_simulations, *, rng, c=mcts.C_UCT, backup=mcts.backup
):
    """The loop of `mcts.search`: select, then score a terminal leaf by the game or evaluate and
    expand a new one, then back up along the whole path."""
    for _ in range(n_simulations):
        path = mcts.select_path(game, root, mcts.ucb1, c, rng=rng)
        leaf = path[-1]
        if leaf.terminal:
            to_play = leaf.player
            value = leaf.returns[to_play]
        else:
            priors, value = evaluate(leaf.state)
            mcts.expand(game, leaf, priors)
            to_play = leaf.to_play
        backup(path, value, to_play)


class _Recorder:
    """The evaluator and the backup handed to the student: they check each call as it comes, so
    the first wrong step is the one named (before a wrong tree can break anything later)."""

    def __init__(self, game, evaluate, root, case: str):
        self.game, self._evaluate, self.root, self.case = game, evaluate, root, case
        self.last = None  # (state, value) of the latest evaluation, until the next backup
        self.calls = 0
        self.terminal_calls = 0
        self.previous = None  # the latest backup: (ids of the path's nodes, value, to_play)

    def _render(self, state) -> str:
        return self.game.render(state).replace("\n", " / ")

    def evaluate(self, state):
        if self.game.is_terminal(state):
            raise CheckFailure(
                f"{self.case}: your loop passed a finished game to the evaluator "
                f"({self._render(state)})",
                hint="score a terminal leaf (leaf.terminal) with the game's own outcome, "
                "leaf.returns[leaf.player] for the player who made the last move: an evaluator "
                "(a network) only guesses, and a terminal leaf has no children to expand",
            )
        priors, value = self._evaluate(state)
        self.last = (state, value)
        return priors, value

    def backup(self, path, value, to_play):
        evaluated, self.last = self.last, None
        path = list(path)
        this = ([id(node) for node in path], value, to_play)
        again, self.previous = this == self.previous, this
        if again and evaluated is None and path and not path[-1].terminal:
            raise CheckFailure(
                f"{self.case}: your loop backed up the same path twice in a row, with no "
                "selection in between",
                hint="call backup once at the end of each simulation",
            )
        if not path or path[0] is not self.root:
            if path and path[0].action is None:
                raise CheckFailure(
                    f"{self.case}: your loop searched from a root of its own, not from the "
                    "root it was given",
                    hint="grow the tree below the `root` argument: every selection starts there",
                )
            raise CheckFailure(
                f"{self.case}: a backup of {len(path)} nodes did not start at the root",
                hint="back up along the whole path, from the root (path[0]) to the leaf: "
                "the root counts the visit too",
            )
        leaf = path[-1]
        depth = len(path) - 1
        if leaf.terminal:
            self.terminal_calls += 1
            mover = leaf.player
            outcome = leaf.returns[mover]
            if (to_play, value) != (mover, outcome):
                if to_play == 1 - mover and value == outcome:
                    hint = "the outcome leaf.returns[leaf.player] belongs to leaf.player, who "
                    hint += "made the last move: back it up with to_play = leaf.player"
                elif to_play == mover and value == leaf.returns[0] != outcome:
                    hint = "you took X's outcome (returns[0]) at a leaf O's move ended: use "
                    hint += "leaf.returns[to_play] with to_play = leaf.player"
                elif to_play == mover and value == -outcome:
                    hint = "the sign of the outcome is flipped: leaf.returns[leaf.player] is "
                    hint += "already from the view of to_play = leaf.player"
                else:
                    hint = "at a terminal leaf, value = leaf.returns[leaf.player] and "
                    hint += "to_play = leaf.player (the player who made the last move)"
                raise CheckFailure(
                    f"{self.case}: at a terminal leaf at depth {depth}, reached by "
                    f"{'XO'[mover]}'s move ({self._render(leaf.state)}), you backed up value "
                    f"{py(value):+g} for player {py(to_play)}; expected {outcome:+g} for player "
                    f"{mover}",
                    hint=hint,
                )
        else:
            v = evaluated[1] if evaluated is not None and evaluated[0] == leaf.state else None
            # (-v for the other player is the same backup, written the other way round)
            if v is None or (to_play, value) not in ((leaf.to_play, v), (leaf.player, -v)):
                if v is None:
                    hint = "evaluate the leaf (evaluate(leaf.state)) and back up the value it "
                    hint += "returned"
                elif to_play == leaf.player and value == v:
                    hint = "the evaluator's value is for the player to move at the leaf: back "
                    hint += "it up with to_play = leaf.to_play, not leaf.player"
                elif to_play == leaf.to_play and value == -v:
                    hint = "the evaluator's value is already from the view of leaf.to_play: do "
                    hint += "not negate it (the backup flips the sign for the opponent's edges)"
                else:
                    hint = "back up the evaluator's value with to_play = leaf.to_play"
                said = "nothing" if v is None else f"{v:+g} for player {leaf.to_play}"
                raise CheckFailure(
                    f"{self.case}: at a leaf at depth {depth} with {'XO'[leaf.to_play]} to move, "
                    f"you backed up value {py(value):+g} for player {py(to_play)}; the evaluator "
                    f"said {said}",
                    hint=hint,
                )
        self.calls += 1
        mcts.backup(path, value, to_play)


def _net_evaluator(game):
    """A deterministic stand-in for a network: uneven priors, a value that depends on the state."""

    def evaluate(state):
        legal = game.legal_actions(state)
        weights = np.array([1.0 + a for a in legal])
        board = game.board(state).ravel()
        value = 0.1 * float(board @ np.arange(1, 10)) / 9.0
        value = value if game.current_player(state) == 0 else -value
        return dict(zip(legal, (weights / weights.sum()).tolist(), strict=True)), value

    return evaluate


# (position, n_simulations, c, seed, evaluator) of the loop check: X to move and O to move, both
# near the end of the game, so that the simulations meet terminal leaves reached by either player
# at odd and even depths; then a network-like evaluator with uneven priors and c = 0.5.
_LOOP_CASES = (
    ("X.O / .X. / ..O", 300, mcts.C_UCT, 0, "rollouts"),
    ("XOX / .X. / O..", 200, mcts.C_UCT, 1, "rollouts"),
    ("XOX / .O. / ...", 300, mcts.C_UCT, 2, "rollouts"),
    ("X.O / .X. / ..O", 120, 0.5, 3, "network"),
)


def _tree_difference(expected: Node, got: Node, path=()) -> str | None:
    """The first node (depth first) whose N, W or P differ, as a sentence; None when equal."""
    if (expected.N, round(expected.W, 9)) != (got.N, round(got.W, 9)):
        where = "the root" if not path else "the node after " + ", ".join(f"a={a}" for a in path)
        return (
            f"at {where}: expected N = {expected.N}, W = {expected.W:+g}, got N = {py(got.N)}, "
            f"W = {py(got.W):+g}"
        )
    if len(expected.children) != len(got.children):
        where = "the root" if not path else "the node after " + ", ".join(f"a={a}" for a in path)
        return (
            f"{where} has {len(got.children)} children, expected {len(expected.children)} "
            "(one per legal action, once it is expanded)"
        )
    for e, g in zip(expected.children, got.children, strict=True):
        if e.action != g.action or not math.isclose(e.P, g.P, abs_tol=1e-9):
            return (
                f"child a={e.action} after {list(path) or 'the root'}: expected P = {e.P:.3f}, "
                f"got a={py(g.action)} with P = {py(g.P):.3f}"
            )
        found = _tree_difference(e, g, (*path, e.action))
        if found:
            return found
    return None


def _all_w(node: Node) -> list[float]:
    return [node.W] + [w for child in node.children for w in _all_w(child)]


def _root_visits(root: Node) -> str:
    return ", ".join(f"{ch.action}: {ch.N}" for ch in root.children) or "no children"


@exercise("5.6", "the simulation loop")
def check_simulate(student):
    game = TicTacToe()
    for text, n_simulations, c, seed, kind in _LOOP_CASES:
        state = game.state_from_string(text)
        to_move = "XO"[game.current_player(state)]
        case = f"{n_simulations} simulations from {text!r} ({to_move} to move, c = {c:g}"
        case += ", a network-like evaluator)" if kind == "network" else ", random rollouts)"

        def evaluator(rng, kind=kind):
            if kind == "rollouts":
                return mcts.rollout_evaluator(game, rng=rng)
            return _net_evaluator(game)

        expected = mcts.new_root(game, state)
        rng = np.random.default_rng(seed)
        reference_simulate(game, expected, evaluator(rng), n_simulations, rng=rng, c=c)

        root = mcts.new_root(game, state)
        rng = np.random.default_rng(seed)
        recorder = _Recorder(game, evaluator(rng), root, case)
        try:
            student(
                game, root, recorder.evaluate, n_simulations, rng=rng, c=c, backup=recorder.backup
            )
        except Exception as error:
            inner = _raised(error)
            message = str(inner)
            if "priors must cover the legal actions" in message:
                raise CheckFailure(
                    f"{case}: your loop raised {type(inner).__name__}: {message}",
                    hint="a terminal leaf (leaf.terminal) has no moves: do not evaluate or "
                    "expand it; its value is the game's outcome leaf.returns[leaf.player], for "
                    "the player who made the last move",
                ) from None
            if isinstance(inner, TypeError) and "NoneType" in message:
                raise CheckFailure(
                    f"{case}: your loop raised TypeError: {message}",
                    hint="at a terminal leaf nobody is to move (leaf.to_play is None): take "
                    "the outcome from the view of leaf.player, who made the last move",
                ) from None
            raise
        require_finite("the W of the tree's nodes", _all_w(root))
        if recorder.calls == 0:
            raise CheckFailure(
                f"{case}: your loop never called the backup function passed as `backup`",
                hint="end every simulation with backup(path, value, to_play), using the "
                "`backup` argument (it is mcts.backup unless someone passes another)",
            )
        if recorder.calls != n_simulations:
            more = recorder.calls > n_simulations
            raise CheckFailure(
                f"{case}: your loop backed up {recorder.calls} times, expected "
                f"{n_simulations} (one backup per simulation)",
                hint="call backup once at the end of each simulation"
                if more
                else "every simulation ends with a backup, also one that reached a terminal "
                "leaf: otherwise its visit is never counted and the search keeps returning there",
            )
        difference = _tree_difference(expected, root)
        if difference is None:
            continue
        hint = "per simulation: path = mcts.select_path(game, root, mcts.ucb1, c, rng=rng) with "
        hint += "the rng you were given; a terminal leaf is scored by leaf.returns; a new one is "
        hint += "evaluated, then expanded with the evaluator's priors; then the backup"
        if "expected P =" in difference:
            hint = "expand the leaf with the priors the evaluator returned (evaluate first, then "
            hint += "mcts.expand(game, leaf, priors)), not with priors of your own"
        elif c != mcts.C_UCT:
            probe = mcts.new_root(game, state)
            rng = np.random.default_rng(seed)
            reference_simulate(game, probe, evaluator(rng), n_simulations, rng=rng)
            if _tree_difference(probe, root) is None:
                hint = f"select with the c you were given (here c = {c:g}), not mcts.C_UCT"
        raise CheckFailure(
            f"{case}: your tree differs from mcts.search's with the same seed, {difference} "
            f"(root visits: expected {_root_visits(expected)}; got {_root_visits(root)})",
            hint=hint,
        )
    _same_seed_same_answer(
        lambda seed: _root_visits(_student_tree(student, game, seed)), "your loop"
    )


def _student_tree(student, game, seed):
    root = mcts.new_root(game, game.state_from_string("X.O / .X. / ..O"))
    rng = np.random.default_rng(seed)
    student(game, root, mcts.rollout_evaluator(game, rng=rng), 40, rng=rng, c=mcts.C_UCT)
    return root
