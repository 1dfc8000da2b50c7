"""Pictures of a Monte Carlo search tree: boards in the nodes, N(s,a) and Q(s,a) on the edges.

`draw_tree` lays the visited part of the tree out top-down (the root on top, one row per ply)
and can highlight one path (the selection of the current simulation) and one node (the leaf just
expanded). `draw_playout` shows the random rollout of the simulation step, from the leaf to the
end of the game. `plot_root_visits` shows where the root's visits went. All draw with matplotlib
and return the axes; they import the search, the search never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np

from mbrl_helpers import validation as v_
from mbrl_helpers.mcts import Node, SearchResult

PATH_COLOR = "tab:red"
LEAF_COLOR = "tab:orange"
NODE_COLOR = "0.96"


def tree_layout(
    root: Node,
    *,
    max_depth: int = 2,
    max_children: int | None = None,
    min_visits: int = 1,
    path: Sequence[Node] = (),
    leaf: Node | None = None,
) -> tuple[dict[int, tuple[float, float]], list[tuple[Node, Node]]]:
    """Positions `{id(node): (x, y)}` and the edges (parent, child) of the part of the tree drawn.

    A child is drawn when it has at least `min_visits` visits, down to `max_depth` plies, keeping
    the `max_children` most visited children of each node; the nodes of `path` and the children
    of `leaf` are always drawn (the current selection and what the expansion just added). Leaves sit one unit apart; a parent is centred over its
    children; y = -depth.
    """
    max_depth = v_.check_int("max_depth", max_depth, low=0)
    min_visits = v_.check_int("min_visits", min_visits, low=0)
    if max_children is not None:
        max_children = v_.check_int("max_children", max_children, low=1)
    on_path = {id(n) for n in path}
    pos: dict[int, tuple[float, float]] = {}
    edges: list[tuple[Node, Node]] = []
    next_x = [0.0]

    def shown(node: Node) -> list[Node]:
        if node is leaf:
            return list(node.children)
        kids = [ch for ch in node.children if ch.N >= max(min_visits, 1)]
        if max_children is not None:
            kids = sorted(kids, key=lambda ch: -ch.N)[:max_children]
        kids += [ch for ch in node.children if id(ch) in on_path and ch not in kids]
        return sorted(kids, key=node.children.index)

    def place(node: Node, depth: int) -> float:
        kids = shown(node) if depth < max_depth else []
        if not kids:
            x = next_x[0]
            next_x[0] += 1.0
        else:
            xs = [place(ch, depth + 1) for ch in kids]
            edges.extend((node, ch) for ch in kids)
            x = (xs[0] + xs[-1]) / 2
        pos[id(node)] = (x, -float(depth))
        return x

    place(root, 0)
    return pos, edges


def draw_tree(
    tree: Node | SearchResult,
    game=None,
    *,
    ax: plt.Axes | None = None,
    max_depth: int = 2,
    max_children: int | None = None,
    min_visits: int = 1,
    path: Sequence[Node] = (),
    leaf: Node | None = None,
    label: Callable | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Draw the search tree: each node a board (`game.render`), each edge `a`, `N` and `Q`.

    Q(s,a) on an edge is from the view of the player who chose `a`. `path` (a list of nodes from
    the root) is drawn in red, `leaf` filled in orange. `label(node) -> str` overrides the text in
    the nodes (default: the rendered board, or `N` when no game is given). The children of `leaf`
    are drawn even when unvisited (dashed edges): they are what the expansion just added.
    """
    root = tree.root if isinstance(tree, SearchResult) else tree
    if not isinstance(root, Node):
        raise TypeError(f"tree must be a Node or a SearchResult, got {type(tree).__name__}")
    if label is None:
        label = (lambda n: game.render(n.state)) if game is not None else (lambda n: f"N={n.N}")
    pos, edges = tree_layout(
        root,
        max_depth=max_depth,
        max_children=max_children,
        min_visits=min_visits,
        path=path,
        leaf=leaf,
    )
    parent_of = {id(child): parent for parent, child in edges}

    def text(node: Node) -> str:
        if node.state is None:  # not visited yet: show the board it leads to, for the picture
            state = game.next_state(parent_of[id(node)].state, node.action) if game else None
            return label(_Shown(node, state))
        return label(node)

    on_path = {id(n) for n in path}
    n_cols = max(x for x, _ in pos.values()) + 1
    depth = -min(y for _, y in pos.values())
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 1.25 * n_cols), 1.0 + 1.7 * depth))
    for parent, child in edges:
        (x0, y0), (x1, y1) = pos[id(parent)], pos[id(child)]
        hot = id(parent) in on_path and id(child) in on_path
        ax.plot(
            [x0, x1],
            [y0 - 0.22, y1 + 0.22],
            color=PATH_COLOR if hot else "0.55",
            lw=2.5 if hot else 1.0,
            ls="--" if child.N == 0 else "-",
            zorder=1,
        )
        # The label sits nearer the child than the parent, where siblings are spread apart.
        ax.text(
            x0 + 0.62 * (x1 - x0),
            y0 + 0.62 * (y1 - y0),
            f"a={child.action}\nN={child.N}\nQ={child.Q:+.2f}",
            ha="center",
            va="center",
            fontsize=7,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    for node in _nodes(root, pos):
        x, y = pos[id(node)]
        face = LEAF_COLOR if node is leaf else NODE_COLOR
        edge = PATH_COLOR if id(node) in on_path else "0.4"
        ax.text(
            x,
            y,
            text(node),
            ha="center",
            va="center",
            family="monospace",
            fontsize=7,
            zorder=4,
            bbox={
                "boxstyle": "round,pad=0.3",
                "fc": face,
                "ec": edge,
                "lw": 2.0 if id(node) in on_path else 0.8,
            },
        )
    ax.set_xlim(-0.6, n_cols - 0.4)
    ax.set_ylim(-depth - 0.45, 0.45)
    ax.axis("off")
    ax.set_title(title if title is not None else f"search tree: N(root) = {root.N}", fontsize=10)
    return ax


def draw_playout(
    game,
    state,
    actions: Sequence,
    *,
    ax: plt.Axes | None = None,
    value: float | None = None,
    player: int | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Draw a rollout top-down: the leaf's board (orange), then the board after each move.

    Dotted arrows carry the actions of the playout (outside the tree: nothing of it is stored).
    `value`, the outcome for `player` (the player to move at the leaf), is written under the last
    board.
    """
    boards = [state]
    for action in actions:
        boards.append(game.next_state(boards[-1], action))
    if ax is None:
        _, ax = plt.subplots(figsize=(2.2, 1.0 + 1.2 * len(boards)))
    for i, board in enumerate(boards):
        if i:
            ax.annotate(
                "",
                xy=(0, -i + 0.3),
                xytext=(0, -i + 0.7),
                arrowprops={"arrowstyle": "->", "ls": ":", "color": "0.4"},
                zorder=1,
            )
            ax.text(0.12, -i + 0.5, f"a={actions[i - 1]}", va="center", fontsize=7)
        ax.text(
            0,
            -i,
            game.render(board),
            ha="center",
            va="center",
            family="monospace",
            fontsize=7,
            zorder=4,
            bbox={
                "boxstyle": "round,pad=0.3",
                "fc": LEAF_COLOR if i == 0 else NODE_COLOR,
                "ec": "0.4",
                "ls": "-" if i == 0 else ":",
            },
        )
    if value is not None:
        who = "" if player is None else f" for player {player}"
        ax.text(0, -len(boards) + 0.55, f"value {value:+.0f}{who}", ha="center", fontsize=8)
    ax.set_xlim(-0.6, 0.6)
    ax.set_ylim(-len(boards) + 0.35, 0.45)
    ax.axis("off")
    ax.set_title(title if title is not None else "random playout from the leaf", fontsize=10)
    return ax


class _Shown:
    """A stand-in for an unvisited node, carrying the state it would have (for labels only)."""

    def __init__(self, node: Node, state):
        self.node, self.state, self.N, self.action = node, state, node.N, node.action


def _nodes(root: Node, pos: dict) -> list[Node]:
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        if id(node) in pos:
            out.append(node)
            stack.extend(node.children)
    return out


def plot_root_visits(result: SearchResult, ax: plt.Axes | None = None, title: str | None = None):
    """Bars of the root's visit counts N(s_0, a), with Q(s_0, a) written above each bar."""
    if not isinstance(result, SearchResult):
        raise TypeError(f"result must be a SearchResult, got {type(result).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 2.8))
    x = np.arange(len(result.actions))
    best = result.N == result.N.max()
    ax.bar(x, result.N, color=np.where(best, "tab:green", "tab:blue"))
    for xi, n, q in zip(x, result.N, result.Q, strict=True):
        ax.text(xi, n, f"{q:+.2f}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, [str(a) for a in result.actions])
    ax.set_xlabel("action a (Q(s,a) above the bar)")
    ax.set_ylabel("visits N(s,a)")
    ax.set_title(title or f"root after {result.n_simulations} simulations", fontsize=10)
    ax.set_ylim(0, 1.15 * max(1, int(result.N.max())))
    return ax
