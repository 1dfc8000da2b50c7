"""Monte Carlo Tree Search: one search, four named steps, a pluggable leaf evaluator.

Sutton & Barto section 8.11 (and 8.10 for the rollouts it builds on). Each simulation runs the
four steps of the lecture notes from the root state s_0:

1. **Selection** (`select_path`): from the root, follow the tree policy until a leaf: a node not
   yet expanded, or a terminal state. The default tree policy is UCB1 (`ucb1`)::

       pi_tree(s) = argmax_a [ Q(s,a) + c sqrt( ln N(s) / N(s,a) ) ]

   with N(s) the visit count of the parent s; unvisited children (N(s,a) = 0) come first, ties
   are broken at random.
2. **Expansion** (`expand`): give the leaf one child per legal action, with its prior P(s,a).
3. **Simulation**: `evaluate(state) -> (priors, value)` scores the leaf. The default
   (`rollout_evaluator`) returns uniform priors and the outcome of one random playout; lecture 06
   passes a neural network instead, through the same argument.
4. **Backup** (`backup`): every node on the path gets N += 1 and W += the value, from the view of
   the player who chose the edge into it (so the sign flips between the two players).

In the code the leaf is evaluated (step 3) just before it is expanded (step 2): one call to the
evaluator gives both the priors of the new children and the value to back up. After the budget,
the move played is the root's most visited action (`SearchResult.best_action`): visit counts are
more robust than Q, which can be high on a rarely tried move.

## The contract (for lecture 06 and anyone plugging in)
- `search(game, state, evaluate=None, *, n_simulations, rng, select=ucb1, c=C_UCT,
  root_noise=None) -> SearchResult`; `game` follows `mbrl_helpers.games` (immutable states,
  `legal_actions`, `next_state`, `is_terminal`, `returns`, `current_player` in {0, 1}).
- **Evaluator** `evaluate(state) -> (priors, value)` on a non-terminal state: `priors` is a dict
  `{action: P}` over the legal actions, or a sequence aligned with `game.legal_actions(state)`;
  `value` in [-1, 1] from the view of the player to move at `state`. Terminal leaves never reach
  the evaluator: they are scored with `game.returns`.
- **Tree** (`Node`): each node holds the statistics of the edge (s, a) that leads to it: its
  prior `P`, visit count `N`, total value `W`, all from the view of `node.player`, the player who
  chose `a` (the player to move at the parent); `Q = W / N`, and **Q = 0 for an unvisited child**
  (N = 0). `node.children` is a list (empty until expanded), in the order of the legal actions.
  `node.N` counts the visits of the node itself: N(s) = 1 + sum_a N(s,a) (the first visit is the
  one that evaluated it).
- **Selection rule** `select(node, c, *, rng) -> child`: any function of that signature, e.g. PUCT
  `Q + c P sqrt(N(s)) / (1 + N(s,a))`; `rule_from_scores` turns an array score function
  `scores(Q, N, P, c) -> array` into such a rule, with random tie-breaks. `rng` is the search's
  `np.random.Generator`.
- **Root noise** `root_noise=(dirichlet_alpha, fraction)`: once the root is expanded, its priors
  become `(1 - fraction) P + fraction * Dir(alpha)` (AlphaZero's self-play exploration).
- **Result** (`SearchResult`): `actions` (the root's legal actions), `N`, `Q`, `P` (arrays
  aligned with `actions`), `value` (the root's value for the player to move), `root` (the tree,
  for pictures), `best_action(rng=rng)` and `policy(tau)` (visit distribution N^(1/tau)).
- `MCTSPlayer(game, n_simulations=1000, c_uct=C_UCT, seed=0)` is a player `state -> action`.
- **Subtree reuse** (AlphaGo Zero): `search(..., root=node)` continues from a node of an earlier
  tree, keeping its statistics; `subtree(game, root, action, state)` finds the node of the
  position after the move played and the reply; `MCTSPlayer(..., reuse_tree=True)` does both on
  every move (`count_reused=True`: the kept visits count toward `n_simulations`). Off by default.

## Speed
The tree stores each child's state lazily (computed on its first visit), the evaluator's priors
double as the list of legal actions, and the rollout uses the game's `random_playout` when it has
one. `benchmarks/bench_mcts.py` measures simulations per second against OpenSpiel's pure-Python
MCTSBot in the same process: 3.2-3.8 times as many on tic-tac-toe (1000 simulations from the empty
board, one rollout each; 68,000 simulations/s on an idle core of the 2-core course machine).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from math import log, sqrt

import numpy as np

from mbrl_helpers import validation as v_
from mbrl_helpers.games import check_game
from mbrl_helpers.randomness import argmax_random

C_UCT = 1.4
"""Default exploration constant c of UCB1: about sqrt(2), the classic constant for rewards in [0, 1].

Our outcomes lie in [-1, 1], twice as wide, for which the theory's constant is 2 sqrt(2); lecture
05 measures that 1.4 finds good moves more reliably on tic-tac-toe (OpenSpiel uses c = 2).
"""

State = Hashable
Evaluator = Callable[[State], tuple]
SelectRule = Callable[["Node", float, np.random.Generator], "Node"]


class Node:
    """A node of the search tree: a state, and the statistics of the edge (s, a) leading to it.

    `P` = prior of `action`, `N` = visit count N(s,a), `W` = total value, from the view of
    `player` (who chose `action`); `Q` = W / N, 0 while unvisited. `to_play` is the player to move
    at `state` (None when terminal). `state` is None until the node is first visited.
    """

    __slots__ = (
        "action",
        "player",
        "P",
        "N",
        "W",
        "state",
        "to_play",
        "terminal",
        "returns",
        "children",
    )

    def __init__(self, action, player: int, P: float = 1.0, state: State | None = None):
        self.action = action
        self.player = player
        self.P = P
        self.N = 0
        self.W = 0.0
        self.state = state
        self.to_play: int | None = None
        self.terminal = False
        self.returns: tuple | None = None
        self.children: list[Node] = []

    @property
    def Q(self) -> float:
        """Mean value W / N of the edge into this node; 0 for an unvisited node (N = 0)."""
        return self.W / self.N if self.N else 0.0

    def __repr__(self) -> str:
        return (
            f"Node(action={self.action!r}, player={self.player}, N={self.N}, "
            f"Q={self.Q:.3f}, P={self.P:.3f}, children={len(self.children)})"
        )


def set_state(game, node: Node, state: State) -> Node:
    """Attach `state` to `node`: whether it is terminal, its returns, or whose move it is."""
    node.state = state
    node.terminal = bool(game.is_terminal(state))
    if node.terminal:
        node.returns = tuple(game.returns(state))
    else:
        node.to_play = game.current_player(state)
    return node


def new_root(game, state: State) -> Node:
    """The root of a search from `state` (which must not be terminal)."""
    if game.is_terminal(state):
        raise ValueError("state must not be terminal: there is no move to search for")
    player = game.current_player(state)
    # The root has no incoming edge; its W is kept from the opponent's view like any child's.
    return set_state(game, Node(None, 1 - player), state)


def check_root(game, state: State, root: Node) -> Node:
    """`root` as the root of a search from `state`: a node of an earlier tree whose state it is.

    A kept subtree (see `subtree`) starts the next search with all its statistics: its own N
    and W (from the view of the player who chose the edge into it, like a fresh root's), its
    children and everything below them.
    """
    if not isinstance(root, Node):
        raise TypeError(f"root must be None or an mcts.Node of an earlier search, got {root!r}")
    if root.state is None:
        set_state(game, root, state)
    if root.state != state:
        raise ValueError("root must be a node of `state`: its state differs from the searched one")
    if root.terminal:
        raise ValueError("state must not be terminal: there is no move to search for")
    return root


def subtree(game, root: Node, action, state: State) -> Node | None:
    """The node of `state` one or two moves below `root`, through the root's `action`, or None.

    After a search from s_t the player plays `action`; the opponent replies, and the next search
    starts from s_{t+2}. This finds s_{t+2}'s node below the child of `action` (or the child
    itself when `state` is s_{t+1}), with the statistics the tree gathered there: AlphaGo Zero's
    subtree reuse (Silver et al. 2017, "the subtree below this child is retained along with all
    its statistics, while the remainder of the tree is discarded"). None when the tree never
    visited that node (the next search then starts from a fresh root).
    """
    child = next((ch for ch in root.children if ch.action == action), None)
    if child is None or child.N == 0:
        return None
    if child.state == state:
        return child
    for grandchild in child.children:
        if grandchild.N == 0:
            continue  # never visited: nothing to keep
        if grandchild.state == state:
            return grandchild
    return None


# --- 1. Selection ------------------------------------------------------------------------------
def ucb1_score(Q: float, N_parent: int, N_child: int, c: float) -> float:
    """UCB1: Q(s,a) + c sqrt(ln N(s) / N(s,a)); +inf for an unvisited child (N(s,a) = 0)."""
    if N_child == 0:
        return math.inf
    return Q + c * math.sqrt(math.log(N_parent) / N_child)


def ucb1(node: Node, c: float, *, rng: np.random.Generator) -> Node:
    """The UCB1 tree policy: argmax_a Q(s,a) + c sqrt(ln N(s) / N(s,a)), unvisited children first.

    N(s) is the parent's visit count. Ties (between unvisited children, or equal scores) are
    broken at random with `rng`.
    """
    # c sqrt(ln N(s) / N(s,a)) = c sqrt(ln N(s)) / sqrt(N(s,a)): one log per node, not per child.
    c_log_N = c * sqrt(log(node.N))
    best, best_score, ties = None, -math.inf, None
    for child in node.children:
        n = child.N
        score = math.inf if n == 0 else child.W / n + c_log_N / sqrt(n)
        if score > best_score:
            best, best_score, ties = child, score, None
        elif score == best_score:
            if ties is None:
                ties = [best]
            ties.append(child)
    if ties is None:
        return best
    return ties[int(rng.random() * len(ties))]


def rule_from_scores(scores: Callable) -> SelectRule:
    """A selection rule from `scores(Q, N, P, c) -> array` over the children (argmax, random ties).

    E.g. `rule_from_scores(mbrl_helpers.alphazero.rules.puct_scores)`. Arrays are aligned with
    `node.children`; Q is 0 for unvisited children.
    """

    def select(node: Node, c: float, *, rng: np.random.Generator) -> Node:
        children = node.children
        Q = np.array([ch.W / ch.N if ch.N else 0.0 for ch in children])
        N = np.array([ch.N for ch in children], dtype=float)
        P = np.array([ch.P for ch in children])
        s = np.asarray(scores(Q, N, P, c), dtype=float)
        return children[argmax_random(s.tolist(), rng=rng)]

    select.__name__ = f"rule_from_scores({getattr(scores, '__name__', 'scores')})"
    return select


def select_path(game, root: Node, select: SelectRule, c: float, *, rng: np.random.Generator):
    """Step 1, Selection: the nodes from the root down to a leaf (unexpanded or terminal)."""
    node = root
    path = [root]
    while node.children:
        child = select(node, c, rng=rng)
        if child.state is None:  # S' <- model(S, A), computed once, on the first visit
            set_state(game, child, game.next_state(node.state, child.action))
        path.append(child)
        node = child
    return path


# --- 2. Expansion ------------------------------------------------------------------------------
def expand(game, node: Node, priors) -> None:
    """Step 2, Expansion: one child per legal action a, with prior P(s,a) and N = W = 0.

    `priors` is a dict `{action: P}` or a sequence aligned with `game.legal_actions(node.state)`.
    """
    if isinstance(priors, dict):
        items = priors.items()
    else:
        legal = game.legal_actions(node.state)
        if len(priors) != len(legal):
            raise ValueError(
                f"priors must have one entry per legal action ({len(legal)}), got {len(priors)}"
            )
        items = zip(legal, priors, strict=True)
    player = node.to_play
    node.children = [Node(a, player, float(p)) for a, p in items]
    if not node.children:
        raise ValueError("priors must cover the legal actions of a non-terminal state, got none")


# --- 3. Simulation -----------------------------------------------------------------------------
def rollout_evaluator(game, *, rng: np.random.Generator) -> Evaluator:
    """The MCTS leaf evaluator: uniform priors, and the value of one uniformly random playout.

    value = G of the playout for the player to move at the leaf (+1 win, 0 draw, -1 loss).
    Uses `game.random_playout(state, rng)` when the game has it (a fast path returning the
    returns); otherwise plays `legal_actions`/`next_state` until `is_terminal`.
    """
    v_.check_rng("rng", rng)
    legal_actions = game.legal_actions
    current_player = game.current_player
    playout = getattr(game, "random_playout", None)
    if playout is None:
        py_rng = random.Random(int(rng.integers(2**63)))  # cheap draws, seeded from rng
        playout = _generic_playout(game, py_rng)

    def evaluate(state):
        legal = legal_actions(state)
        priors = dict.fromkeys(legal, 1.0 / len(legal))
        return priors, playout(state, rng=rng)[current_player(state)]

    return evaluate


def _generic_playout(game, py_rng: random.Random):
    next_state, legal_actions, is_terminal = game.next_state, game.legal_actions, game.is_terminal
    uniform = py_rng.random

    def playout(state, *, rng):
        while not is_terminal(state):
            legal = legal_actions(state)
            state = next_state(state, legal[int(uniform() * len(legal))])
        return game.returns(state)

    return playout


# --- 4. Backup ---------------------------------------------------------------------------------
def backup(path: Sequence[Node], value: float, to_play: int) -> None:
    """Step 4, Backup: N += 1 and W += value (from each edge's chooser's view) along the path.

    `value` is from the view of player `to_play`; a node whose edge was chosen by the other
    player gets -value (zero-sum), so the sign flips at every move of an alternating game.
    """
    for node in path:
        node.N += 1
        node.W += value if node.player == to_play else -value


def add_dirichlet_noise(node: Node, alpha: float, fraction: float, *, rng: np.random.Generator):
    """Mix the children's priors with Dirichlet noise: P <- (1 - fraction) P + fraction eta."""
    eta = rng.dirichlet(np.full(len(node.children), alpha))
    for child, e in zip(node.children, eta, strict=True):
        child.P = (1.0 - fraction) * child.P + fraction * float(e)


# --- The search --------------------------------------------------------------------------------
@dataclass
class SearchResult:
    """What a search found at the root: per-action N, Q and P (aligned with `actions`), the tree."""

    root: Node
    actions: list
    N: np.ndarray
    Q: np.ndarray
    P: np.ndarray
    n_simulations: int

    @property
    def value(self) -> float:
        """The root's mean backed-up value, from the view of the player to move at the root."""
        return -self.root.W / self.root.N

    def best_action(self, *, rng: np.random.Generator):
        """The most visited root action (not the highest Q), ties broken at random."""
        return best_action(self.root, rng=rng)

    def policy(self, tau: float = 1.0) -> np.ndarray:
        """Visit distribution pi(a) = N(a)^(1/tau) / sum_b N(b)^(1/tau); tau = 0: the argmax."""
        tau = v_.check_float("tau", tau, low=0.0)
        N = self.N.astype(float)
        if tau == 0.0:
            top = N == N.max()
            return top / top.sum()
        w = N ** (1.0 / tau)
        return w / w.sum()


def best_action(root: Node, *, rng: np.random.Generator):
    """The action of the root's most visited child, ties broken at random (the move to play)."""
    children = root.children
    return children[argmax_random([child.N for child in children], rng=rng)].action


def search(
    game,
    state: State,
    evaluate: Evaluator | None = None,
    *,
    n_simulations: int,
    rng: np.random.Generator,
    select: SelectRule = ucb1,
    c: float = C_UCT,
    root_noise: tuple[float, float] | None = None,
    root: Node | None = None,
) -> SearchResult:
    """Monte Carlo Tree Search from `state`: `n_simulations` runs of the four steps.

    `evaluate` defaults to `rollout_evaluator(game, rng)` (plain MCTS / UCT); `select` to UCB1
    with exploration constant `c`. See the module docstring for the contract. `root`: a node of
    `state` from an earlier search (`subtree`) to continue from, keeping its statistics; the
    `n_simulations` new simulations add to them (None: a fresh root, as in every plain search).
    """
    check_game("game", game)
    n_simulations = v_.check_int("n_simulations", n_simulations, low=1)
    v_.check_rng("rng", rng)
    c = v_.check_float("c", c, low=0.0)
    if not callable(select):
        raise TypeError(
            f"select must be a function select(node, c, *, rng) -> child, got {select!r}"
        )
    if evaluate is None:
        evaluate = rollout_evaluator(game, rng=rng)
    elif not callable(evaluate):
        raise TypeError(f"evaluate must be a function state -> (priors, value), got {evaluate!r}")
    if root_noise is not None:
        if not isinstance(root_noise, tuple | list) or len(root_noise) != 2:
            raise TypeError(f"root_noise must be None or (alpha, fraction), got {root_noise!r}")
        alpha = v_.check_float("root_noise alpha", root_noise[0], low=0.0, low_open=True)
        fraction = v_.check_probability("root_noise fraction", root_noise[1])
    root = new_root(game, state) if root is None else check_root(game, state, root)
    if root_noise is not None and root.children:  # a kept root, expanded by an earlier search
        add_dirichlet_noise(root, alpha, fraction, rng=rng)

    for _ in range(n_simulations):
        # 1. Selection: tree policy down to a leaf.
        path = select_path(game, root, select, c, rng=rng)
        leaf = path[-1]
        if leaf.terminal:
            # The game's own outcome, from the view of the player who made the last move.
            to_play = leaf.player
            value = leaf.returns[to_play]
        else:
            # 3. Simulation (the evaluator also gives the priors used by 2. Expansion).
            priors, value = evaluate(leaf.state)
            if not -1.0 <= value <= 1.0:
                raise ValueError(f"evaluate must return a value in [-1, 1], got {value!r}")
            # 2. Expansion.
            expand(game, leaf, priors)
            to_play = leaf.to_play
            if leaf is root and root_noise is not None:
                add_dirichlet_noise(root, alpha, fraction, rng=rng)
        # 4. Backup.
        backup(path, value, to_play)

    children = root.children
    return SearchResult(
        root=root,
        actions=[child.action for child in children],
        N=np.array([child.N for child in children], dtype=int),
        Q=np.array([child.Q for child in children], dtype=float),
        P=np.array([child.P for child in children], dtype=float),
        n_simulations=n_simulations,
    )


class MCTSPlayer:
    """A player `state -> action` that runs `search` on every move and plays the most visited action.

    `evaluate` defaults to random rollouts, `select` to UCB1 with `c_uct`. One generator, seeded
    by `seed`, drives the searches and the tie-breaks, so a game is reproducible.
    `last_result` holds the latest `SearchResult`.

    `reuse_tree=True` keeps statistics from move to move, as AlphaGo Zero did: the next search
    starts from the node of the new state below the move played and the opponent's reply
    (`subtree`), with everything the previous search learned there, and the rest of the tree is
    dropped. Each move still runs `n_simulations` new simulations; with `count_reused=True` the
    visits already in the kept node count toward the budget instead (the search tops the root
    up to `n_simulations` visits, at least one new simulation), so the player saves simulations.
    `simulations_run` counts the new simulations of all moves, `visits_reused` the visits the
    kept roots brought along (`last_reused`: those of the latest move). With `reuse_tree=False`
    (the default) every move builds a new tree, exactly as before.
    """

    def __init__(
        self,
        game,
        n_simulations: int = 1000,
        c_uct: float = C_UCT,
        seed: int = 0,
        *,
        evaluate: Evaluator | None = None,
        select: SelectRule = ucb1,
        reuse_tree: bool = False,
        count_reused: bool = False,
    ):
        self.game = check_game("game", game)
        self.n_simulations = v_.check_int("n_simulations", n_simulations, low=1)
        self.c_uct = v_.check_float("c_uct", c_uct, low=0.0)
        self.seed = v_.check_int("seed", seed, low=0)
        for name, flag in (("reuse_tree", reuse_tree), ("count_reused", count_reused)):
            if not isinstance(flag, bool):
                raise TypeError(f"{name} must be True or False, got {flag!r}")
        if count_reused and not reuse_tree:
            raise ValueError(
                "count_reused=True needs reuse_tree=True: no visits are kept without it"
            )
        self.reuse_tree = reuse_tree
        self.count_reused = count_reused
        self.rng = np.random.default_rng(self.seed)
        self.evaluate = evaluate if evaluate is not None else rollout_evaluator(game, rng=self.rng)
        self.select = select
        self.last_result: SearchResult | None = None
        self.last_reused = 0
        self.simulations_run = 0
        self.visits_reused = 0
        self._played = None  # the action of the latest move, for `subtree`

    def __call__(self, state: State):
        root = None
        if self.reuse_tree and self.last_result is not None:
            root = subtree(self.game, self.last_result.root, self._played, state)
        self.last_reused = root.N if root is not None else 0
        n_simulations = self.n_simulations
        if self.count_reused:
            n_simulations = max(1, n_simulations - self.last_reused)
        self.last_result = search(
            self.game,
            state,
            self.evaluate,
            n_simulations=n_simulations,
            rng=self.rng,
            select=self.select,
            c=self.c_uct,
            root=root,
        )
        self.simulations_run += n_simulations
        self.visits_reused += self.last_reused
        self._played = self.last_result.best_action(rng=self.rng)
        return self._played

    def __repr__(self) -> str:
        reuse = ", reuse_tree=True" if self.reuse_tree else ""
        reuse += ", count_reused=True" if self.count_reused else ""
        return (
            f"MCTSPlayer({self.game!r}, n_simulations={self.n_simulations}, "
            f"c_uct={self.c_uct}, seed={self.seed}{reuse})"
        )
