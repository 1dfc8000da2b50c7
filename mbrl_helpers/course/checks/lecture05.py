"""Checks of lecture 05 (Monte Carlo Tree Search): UCB1, selection, expansion, backup, final move.

Each check runs the student's function on small hand-built trees (`mbrl_helpers.mcts.Node`) and
compares with the reference in `mbrl_helpers.mcts`; the typical mistakes get their own message:
ln of the child's count instead of the parent's, dividing by zero for an unvisited child, never
exploring, ties always broken toward the first child, children for illegal moves, a sign error
in the backup, choosing the final move by Q instead of the visit count.
"""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers import mcts
from mbrl_helpers.course.checks import CheckFailure, exercise
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


def _py(x):
    """`x` with numpy scalars (also inside lists, tuples and sets) as Python numbers, for messages.

    numpy 2 writes `np.float64(0.1)` for repr(np.float64(0.1)); students should read `0.1`.
    """
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, list | tuple | set):
        return type(x)(_py(item) for item in x)
    return x


def _raised(error: Exception) -> Exception:
    """The student's own exception (the framework wraps it)."""
    return getattr(error, "error", error)


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
            f"for an unvisited child (N(s,a) = 0) expected inf, got {_py(unvisited)!r}",
            hint="N(s,a) = 0 makes the bonus infinite: return math.inf so it is tried first",
        )
    cases = [(0.2, 50, 5, 1.4), (-0.5, 120, 30, 2.0), (0.9, 7, 1, 0.5), (0.0, 1000, 400, 1.0)]
    for Q, N_parent, N_child, c in cases:
        expected = mcts.ucb1_score(Q, N_parent, N_child, c)
        got = student(Q, N_parent, N_child, c)
        if not isinstance(got, int | float | np.floating) or not math.isfinite(got):
            raise CheckFailure(
                f"ucb1_score({Q}, {N_parent}, {N_child}, {c}) should be the finite number "
                f"{expected:.4f}, got {_py(got)!r}"
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
        child = student(node, c, rng=np.random.default_rng(seed))
        if not isinstance(child, Node) or all(child is not ch for ch in node.children):
            raise CheckFailure(
                f"select_child must return one of node.children (a Node), got {_py(child)!r}",
                hint="return the child itself, e.g. node.children[i], not its action or index",
            )
        return child.action

    # Unvisited children come first, and the choice among them is random.
    node = _node(10, [(5, 2.5), (0, 0), (4, 4.0), (0, 0), (0, 0)])
    chosen = [run(node, 1.4, seed) for seed in range(N_TIE_SEEDS)]
    if any(a not in (1, 3, 4) for a in chosen):
        raise CheckFailure(
            f"with unvisited children 1, 3 and 4 you chose a visited child ({sorted(_py(set(chosen)))})",
            hint="an unvisited child has an infinite UCB1 score: try every child once first",
        )
    if len(set(chosen)) < 3:
        raise CheckFailure(
            f"among the unvisited children 1, 3, 4 you always chose {sorted(_py(set(chosen)))} "
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
            f"c = 1: expected child {expected}, got {_py(got)}",
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
            f"seeds you chose {sorted(_py(set(chosen)))}",
            hint="break ties at random among all the children with the best score",
        )


@exercise("5.3", "expansion")
def check_expand(student):
    game = TicTacToe()
    state = game.state_from_string("XO. / .X. / ..O")  # X to move; cells 0, 1, 4, 8 taken
    legal = list(game.legal_actions(state))
    priors = np.array([0.3, 0.2, 0.1, 0.05, 0.1, 0.05, 0.05, 0.05, 0.1])  # illegal ones too
    node = mcts.set_state(game, Node(4, 1), state)
    node.N, node.W = 1, 0.25
    result = student(game, node, priors.copy())
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
            f"expected children for the legal actions {_py(legal)}, got {sorted(_py(actions))}"
            + (f" (cells {_py(illegal)} are taken)" if illegal else ""),
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
                f"child a={child.action}: expected P = {want:.4f}, got {_py(child.P)!r}", hint=hint
            )
        if child.player != node.to_play:
            raise CheckFailure(
                f"child a={child.action}: expected player = {node.to_play} (who chooses a, the "
                f"player to move at the parent), got {_py(child.player)!r}",
                hint="Node(action, node.to_play, P): W of the edge is kept from the chooser's view",
            )
        if child.N != 0 or child.W != 0.0:
            raise CheckFailure(
                f"child a={child.action}: a new child has N = 0 and W = 0, got "
                f"N = {_py(child.N)}, W = {_py(child.W)}"
            )
    if (node.N, node.W) != (1, 0.25):
        raise CheckFailure(
            f"expansion must not change the node's own statistics: N, W went from (1, 0.25) to "
            f"({_py(node.N)}, {_py(node.W)})",
            hint="the backup updates N and W, not the expansion",
        )


@exercise("5.4", "the backup")
def check_backup(student):
    # root (player 1 moved into it: X = 0 to move) -> a (X chose it) -> b (O) -> c (X)
    path = [Node(None, 1), Node(4, 0), Node(0, 1), Node(8, 0)]
    start = [(5, -1.0), (3, 2.0), (2, -1.0), (1, 0.0)]
    for node, (n, w) in zip(path, start, strict=True):
        node.N, node.W = n, w
    path[-1].to_play = 1
    student(path, 1.0, 1)  # the leaf c is won for O, the player to move there
    expected = [(6, 0.0), (4, 1.0), (3, 0.0), (2, -1.0)]
    got = [(node.N, node.W) for node in path]
    if got == expected:
        student(path[:2], -0.5, 1)  # O to move at a, valued at -0.5 for O
        expected2 = [(7, -0.5), (5, 1.5)]
        got2 = [(node.N, node.W) for node in path[:2]]
        if got2 != expected2:
            raise CheckFailure(
                f"second backup (value -0.5 for player 1, path root -> a): expected (N, W) = "
                f"{expected2}, got {_py(got2)}",
                hint="W += value for the nodes whose player is to_play, W -= value for the others",
            )
        return
    n_got = [n for n, _ in got]
    if n_got != [n for n, _ in expected]:
        raise CheckFailure(
            f"visit counts along the path: expected N = {[n for n, _ in expected]}, got {_py(n_got)}",
            hint="every node on the path, the root and the leaf included, gets N += 1",
        )
    w_got = [w for _, w in got]
    no_flip = [w + 1.0 for _, w in start]
    flipped = [
        w + (1.0 if node.player != 1 else -1.0) for node, (_, w) in zip(path, start, strict=True)
    ]
    if w_got in (no_flip, flipped):
        raise CheckFailure(
            f"sign error: path with edge players {[n.player for n in path]}, value +1 for player "
            f"1: expected W = {[w for _, w in expected]}, got {_py(w_got)}",
            hint="node.W is from the view of node.player (who chose the edge): add the value when "
            "node.player == to_play, subtract it otherwise (zero-sum)",
        )
    raise CheckFailure(
        f"expected (N, W) along the path = {expected}, got {_py(got)}",
        hint="N += 1 and W += +value or -value: accumulate, do not overwrite",
    )


@exercise("5.5", "the move to play")
def check_best_action(student):
    def run(root, seed):
        a = student(root, rng=np.random.default_rng(seed))
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
            f"visited), got {_py(got)!r}" + (", the highest Q" if got == by_q else ""),
            hint="play the most visited action: Q of a rarely tried move is noisy (here Q = 1 "
            "after 2 visits)",
        )
    root = _node(25, [(3, 0.0), (8, 1.0), (5, 2.0), (8, 4.0)])
    chosen = [run(root, seed) for seed in range(N_TIE_SEEDS)]
    if set(chosen) != {1, 3}:
        raise CheckFailure(
            f"actions 1 and 3 share the most visits (8); over {N_TIE_SEEDS} seeds you chose "
            f"{sorted(_py(set(chosen)))}",
            hint="break ties at random with rng, not toward the first (or the highest-Q) action",
        )
