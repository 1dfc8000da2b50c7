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

## Searching inside a learned model (lecture 07, MuZero)
`search(game, state, model=model, ...)` (one tree) and `search_batch(game, states, model, ...)`
(several trees in lockstep, one model call per simulation for all of them) run the same four
steps inside a model the agent learned, an object with (`LearnedModel`)::

    initial(states)            -> latents, priors, values        s^0 = h(o), (p, v) = f(s^0)
    recurrent(latents, actions) -> rewards, latents, priors, values   (r, s') = g(s, a), f(s')
    num_actions, discount (gamma), two_player (bool)

The true game is touched only at the root: `is_terminal`, `current_player` and `legal_actions`
of the root state, whose legal moves mask the root's priors (renormalised). Below the root there
are no rules: every node gets a child for each of the `num_actions` actions, no move is illegal,
no state is terminal, and a child's latent state and reward come from `recurrent` on its first
visit (which is its evaluation: one call gives the edge's reward, the next latent state, its
priors and value). Nodes (`LatentNode`) also hold the predicted `reward` of their edge, and the
backup (`backup_latent`) includes rewards and the discount:

    G <- v(leaf);  for each edge (s, a) -> s' from the leaf up:
        G <- r(s, a) + gamma G        (single agent: one player, the same view all along)
        G <- r(s, a) - gamma G        (two players: G was the opponent's value at s')
        N(s, a) += 1;  W(s, a) += G   (so Q(s, a) = W / N = r - V(s') in a two-player game)

with rewards for the player who made the move (in a board game: 1 on the winning move). The
tree keeps the smallest and largest Q it has backed up (`MinMaxStats`, shared by the nodes as
`node.bounds`) so that a selection rule can use Q normalised to [0, 1], as MuZero does for
rewards outside [-1, 1] (`rule_from_scores(..., normalise=True)`, `muzero.puct_normalised`).

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
from typing import Protocol, runtime_checkable

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


def rule_from_scores(scores: Callable, normalise: bool = False) -> SelectRule:
    """A selection rule from `scores(Q, N, P, c) -> array` over the children (argmax, random ties).

    E.g. `rule_from_scores(mbrl_helpers.alphazero.rules.puct_scores)`. Arrays are aligned with
    `node.children`; Q is 0 for unvisited children. With `normalise=True` (trees searched in a
    learned model, whose nodes share `bounds`), the Q of visited children is first mapped to
    [0, 1] by the smallest and largest Q in the tree (`MinMaxStats.normalise`).
    """

    def select(node: Node, c: float, *, rng: np.random.Generator) -> Node:
        children = node.children
        if normalise:
            norm = node.bounds.normalise
            Q = np.array([norm(ch.W / ch.N) if ch.N else 0.0 for ch in children])
        else:
            Q = np.array([ch.W / ch.N if ch.N else 0.0 for ch in children])
        N = np.array([ch.N for ch in children], dtype=float)
        P = np.array([ch.P for ch in children])
        s = np.asarray(scores(Q, N, P, c), dtype=float)
        return children[argmax_random(s.tolist(), rng=rng)]

    name = getattr(scores, "__name__", "scores")
    select.__name__ = f"rule_from_scores({name}{', normalise=True' if normalise else ''})"
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
    model: LearnedModel | None = None,
) -> SearchResult:
    """Monte Carlo Tree Search from `state`: `n_simulations` runs of the four steps.

    `evaluate` defaults to `rollout_evaluator(game, rng)` (plain MCTS / UCT); `select` to UCB1
    with exploration constant `c`. See the module docstring for the contract. `root`: a node of
    `state` from an earlier search (`subtree`) to continue from, keeping its statistics; the
    `n_simulations` new simulations add to them (None: a fresh root, as in every plain search).
    With a learned `model` (MuZero), the search runs inside the model below the root
    (`search_batch` with one state, always from a fresh root); `evaluate` must then be None: the
    model is the evaluator.
    """
    if model is not None:
        if evaluate is not None:
            raise TypeError("evaluate must be None when a model is given: the model evaluates")
        if root is not None:
            raise TypeError(
                "root must be None when a model is given: reuse is for searches with rules"
            )
        return search_batch(
            game,
            [state],
            model,
            n_simulations=n_simulations,
            rng=rng,
            select=select,
            c=c,
            root_noise=root_noise,
        )[0]
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


# --- Trees inside a learned model (MuZero) -----------------------------------------------------
class MinMaxStats:
    """The smallest and largest Q(s,a) backed up in one search tree, to normalise Q into [0, 1].

        Q_bar = (Q - min) / (max - min)     once max > min (before that, Q itself)

    MuZero's answer to rewards of any scale: PUCT adds Q to a prior bonus of order c_puct, so Q
    must live on a scale of about 1 whatever the task's rewards are (Schrittwieser et al., 2020).
    """

    __slots__ = ("low", "high")

    def __init__(self):
        self.low = math.inf
        self.high = -math.inf

    def update(self, q: float) -> None:
        """Widen the bounds to include `q`."""
        if q < self.low:
            self.low = q
        if q > self.high:
            self.high = q

    def normalise(self, q: float) -> float:
        """(q - min) / (max - min), or q unchanged while max <= min (nothing to compare yet)."""
        if self.high > self.low:
            return (q - self.low) / (self.high - self.low)
        return q

    def __repr__(self) -> str:
        return f"MinMaxStats(low={self.low}, high={self.high})"


class LatentNode(Node):
    """A node of a tree searched inside a learned model: a latent state, no rules.

    Besides `Node`'s statistics: `reward`, the reward r(s, a) the model predicted for the edge
    into this node (for the player who chose it), `value`, the value v(s) it predicted for the
    node (for the player to move there; NaN until evaluated), and `bounds`, the `MinMaxStats` of
    the tree (shared by all its nodes). `state` holds the latent vector once the node has been evaluated;
    `terminal` stays False: the model never says a game is over.
    """

    __slots__ = ("reward", "value", "bounds")

    def __init__(self, action, player: int, P: float = 1.0, bounds: MinMaxStats | None = None):
        # Node.__init__ written out: a search creates one node per action at every expansion
        self.action = action
        self.player = player
        self.P = P
        self.N = 0
        self.W = 0.0
        self.state = None
        self.to_play = None
        self.terminal = False
        self.returns = None
        self.children = []
        self.reward = 0.0
        self.value = math.nan
        self.bounds = bounds


@runtime_checkable
class LearnedModel(Protocol):
    """What a search needs from a model it learned (MuZero's h, g and f, batched).

    - `initial(states) -> (latents, priors, values)`: s^0 = h(o) for a list of true states (the
      roots: the only place where the game is seen), and f(s^0): `latents` shape (B, d),
      `priors` (B, num_actions) over all actions, `values` (B,) for the player to move;
    - `recurrent(latents, actions) -> (rewards, latents, priors, values)`: (r, s') = g(s, a) and
      f(s') for a batch of latent states (B, d) and actions (B,); `rewards` (B,) for the player
      who made the move;
    - `num_actions`; `discount` gamma; `two_player`: True when the player to move alternates
      (values and rewards then flip sign between levels).
    """

    num_actions: int
    discount: float
    two_player: bool

    def initial(self, states: Sequence[State]) -> tuple: ...

    def recurrent(self, latents: np.ndarray, actions: np.ndarray) -> tuple: ...


def new_latent_root(game, state: State) -> LatentNode:
    """The root of a search in a learned model: the true `state`, checked with the game's rules."""
    if game.is_terminal(state):
        raise ValueError("state must not be terminal: there is no move to search for")
    player = game.current_player(state)
    root = LatentNode(None, 1 - player, bounds=MinMaxStats())
    root.to_play = player
    return root


def expand_root(game, root: LatentNode, state: State, priors, noise=None, *, rng=None) -> None:
    """Expansion at the root: one child per *legal* action (the game's rules), priors renormalised.

    `priors` holds the model's P(s^0, a) over all actions; illegal moves are dropped and the
    legal ones rescaled to sum to 1 (uniform if the model gives them no mass at all).
    """
    legal = game.legal_actions(state)
    p = [float(priors[a]) for a in legal]
    total = sum(p)
    p = [x / total for x in p] if total > 0 else [1.0 / len(legal)] * len(legal)
    player, bounds = root.to_play, root.bounds
    root.children = [LatentNode(a, player, x, bounds) for a, x in zip(legal, p, strict=True)]
    if noise is not None:
        add_dirichlet_noise(root, noise[0], noise[1], rng=rng)


def expand_latent(node: LatentNode, priors: Sequence[float]) -> None:
    """Expansion below the root: one child per action of the model, no legality."""
    player, bounds = node.to_play, node.bounds
    node.children = [LatentNode(a, player, p, bounds) for a, p in enumerate(priors)]


def select_latent_path(root: LatentNode, select: SelectRule, c: float, *, rng):
    """Selection in a learned model: follow `select` down to a child not evaluated yet."""
    node = root
    path = [root]
    while node.children:
        node = select(node, c, rng=rng)
        path.append(node)
    return path


def backup_latent(path: Sequence[LatentNode], value: float, discount: float, sign: float) -> None:
    """Backup with rewards: G <- r + sign * gamma * G from the leaf up; N += 1, W += G per edge.

    `value` is v(leaf) for the player to move at the leaf; `sign` is -1 in a two-player game
    (the value of the child is the opponent's) and +1 for a single agent. The root (no edge)
    gets the value -G, from the view of its `player` (the opponent's view, as in `backup`). Each
    edge's new Q = W / N widens the tree's bounds.
    """
    G = value
    root = path[0]
    bounds = root.bounds
    low, high = bounds.low, bounds.high
    factor = sign * discount
    for i in range(len(path) - 1, 0, -1):
        node = path[i]
        G = node.reward + factor * G
        node.N += 1
        node.W += G
        q = node.W / node.N
        if q < low:  # bounds.update(q), written out: this loop runs at every simulation
            low = q
        if q > high:
            high = q
    bounds.low, bounds.high = low, high
    root.N += 1
    root.W -= G


def _check_model(model) -> LearnedModel:
    if not isinstance(model, LearnedModel):
        raise TypeError(
            "model must be a learned model with initial(states), recurrent(latents, actions), "
            f"num_actions, discount and two_player (e.g. muzero.NetworkModel), got "
            f"{type(model).__name__}"
        )
    return model


def search_batch(
    game,
    states: Sequence[State],
    model: LearnedModel,
    *,
    n_simulations: int,
    rng: np.random.Generator | Sequence[np.random.Generator],
    select: SelectRule = ucb1,
    c: float = C_UCT,
    root_noise: tuple[float, float] | None = None,
) -> list[SearchResult]:
    """Searches from several `states` inside a learned `model`, in lockstep; one result per state.

    Each tree runs the four steps of `search`, but below the root with the model instead of the
    game (see "Searching inside a learned model" in the module docstring). Simulation 1 of every
    tree evaluates its root with `model.initial` (one call for all the roots); each later
    simulation selects a path in every tree, then one `model.recurrent` call evaluates all the
    new leaves at once: the network's cost is shared by the trees. `rng` is one generator for
    all the trees or one per tree (then each tree's draws are its own, whatever the others do).
    """
    check_game("game", game)
    _check_model(model)
    states = list(states)
    if not states:
        raise ValueError("states must hold at least one state to search from, got none")
    n_simulations = v_.check_int("n_simulations", n_simulations, low=1)
    if isinstance(rng, np.random.Generator):
        rngs = [rng] * len(states)
    else:
        rngs = list(rng)
        if len(rngs) != len(states):
            raise ValueError(
                f"rng must be one generator or one per state ({len(states)}), got {len(rngs)}"
            )
        for i, r in enumerate(rngs):
            v_.check_rng(f"rng[{i}]", r)
    c = v_.check_float("c", c, low=0.0)
    if not callable(select):
        raise TypeError(
            f"select must be a function select(node, c, *, rng) -> child, got {select!r}"
        )
    noise = None
    if root_noise is not None:
        if not isinstance(root_noise, tuple | list) or len(root_noise) != 2:
            raise TypeError(f"root_noise must be None or (alpha, fraction), got {root_noise!r}")
        noise = (
            v_.check_float("root_noise alpha", root_noise[0], low=0.0, low_open=True),
            v_.check_probability("root_noise fraction", root_noise[1]),
        )
    discount = v_.check_discount("model.discount", model.discount)
    sign = -1.0 if model.two_player else 1.0
    n_actions = model.num_actions

    # Simulation 1: the roots, the only nodes where the game is consulted.
    roots = [new_latent_root(game, s) for s in states]
    latents, priors, values = model.initial(states)
    priors, values = _model_output(priors, values, len(states), n_actions)
    for i, root in enumerate(roots):
        root.state = latents[i]
        root.value = values[i]
        expand_root(game, root, states[i], priors[i], noise, rng=rngs[i])
        backup_latent([root], values[i], discount, sign)

    # Simulations 2..n: select in every tree, evaluate all the leaves with one model call.
    for _ in range(n_simulations - 1):
        paths = [
            select_latent_path(root, select, c, rng=r) for root, r in zip(roots, rngs, strict=True)
        ]
        parents = np.stack([path[-2].state for path in paths])
        actions = np.array([path[-1].action for path in paths])
        rewards, latents, priors, values = model.recurrent(parents, actions)
        priors, values = _model_output(priors, values, len(states), n_actions)
        rewards = np.asarray(rewards, dtype=float).tolist()
        for i, path in enumerate(paths):
            leaf = path[-1]
            # r, s' <- g(s, a): the model's prediction, not the game's
            leaf.state = latents[i]
            leaf.reward = rewards[i]
            leaf.value = values[i]
            leaf.to_play = 1 - leaf.player if sign < 0 else leaf.player
            expand_latent(leaf, priors[i])
            backup_latent(path, values[i], discount, sign)

    return [_result(root, n_simulations) for root in roots]


def _model_output(priors, values, batch: int, n_actions: int) -> tuple[list, list]:
    priors = np.asarray(priors, dtype=float)
    values = np.asarray(values, dtype=float)
    if priors.shape != (batch, n_actions) or values.shape != (batch,):
        raise ValueError(
            f"the model must return priors of shape {(batch, n_actions)} and values of shape "
            f"{(batch,)}, got {priors.shape} and {values.shape}"
        )
    return priors.tolist(), values.tolist()


def _result(root: Node, n_simulations: int) -> SearchResult:
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
