"""Concept diagrams drawn with matplotlib: the taxonomy of RL methods, the planning-acting-learning
cycle (after the unnumbered diagram at the start of Sutton & Barto section 8.2; the book's
Figure 8.1 is the general Dyna architecture) and the map of the field (lecture 08)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Ellipse, FancyBboxPatch

BLUE, ORANGE, GREEN, GREY = "#dbe9f6", "#fde3c8", "#dff0d8", "#eeeeee"


def box(ax, x, y, text, *, width=0.26, height=0.11, color=GREY, fontsize=10, weight="normal"):
    """A rounded box centred at (x, y) in axes coordinates."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.01,rounding_size=0.02",
            facecolor=color,
            edgecolor="black",
            linewidth=1.0,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, weight=weight, wrap=True)


def arrow(ax, start, end, label="", *, rad=0.0, color="black", label_offset=(0.0, 0.0)):
    """An arrow from `start` to `end` (axes coordinates), optionally curved and labelled."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": color,
            "lw": 1.5,
            "connectionstyle": f"arc3,rad={rad}",
            "shrinkA": 4,
            "shrinkB": 4,
        },
    )
    if label:
        mx = (start[0] + end[0]) / 2 + label_offset[0]
        my = (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=9, style="italic", color=color)


def _canvas(figsize):
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    return fig, ax


def draw_taxonomy(figsize=(10, 4.2)):
    """Reinforcement learning split into model-free (value- and policy-based) and model-based."""
    fig, ax = _canvas(figsize)
    box(ax, 0.5, 0.9, "Reinforcement learning", width=0.3, weight="bold")
    box(ax, 0.25, 0.62, "Model-free\nlearn from experience directly", width=0.34, color=BLUE)
    box(ax, 0.75, 0.62, "Model-based\nlearn a model, then plan with it", width=0.36, color=ORANGE)
    box(
        ax,
        0.12,
        0.3,
        "Value-based\nlearn $V(s)$ or $Q(s,a)$,\nact greedily",
        width=0.22,
        height=0.17,
        color=BLUE,
    )
    box(
        ax,
        0.38,
        0.3,
        "Policy-based\nlearn $\\pi(a|s)$\ndirectly",
        width=0.22,
        height=0.17,
        color=BLUE,
    )
    box(
        ax,
        0.66,
        0.3,
        "Model learning\n$\\hat p(s'|s,a)$, $\\hat r(s,a)$",
        width=0.22,
        height=0.17,
        color=ORANGE,
    )
    box(
        ax,
        0.9,
        0.3,
        "Planning\nvalues / policy\nfrom the model",
        width=0.18,
        height=0.17,
        color=ORANGE,
    )
    for start, end in [((0.5, 0.84), (0.25, 0.68)), ((0.5, 0.84), (0.75, 0.68))]:
        arrow(ax, start, end)
    for x in (0.12, 0.38):
        arrow(ax, (0.25, 0.56), (x, 0.39))
    arrow(ax, (0.75, 0.56), (0.66, 0.39))
    arrow(ax, (0.77, 0.3), (0.81, 0.3))
    ax.text(
        0.5,
        0.07,
        "Examples: Q-learning, SARSA (value-based) · REINFORCE, actor-critic (policy-based) · Dyna-Q, MCTS, AlphaZero (model-based)",
        ha="center",
        fontsize=9,
        color="dimgray",
    )
    ax.set_title("Two ways to learn to act", fontsize=12)
    return fig


def draw_planning_cycle(figsize=(7, 5)):
    """The planning-acting-learning cycle: experience feeds direct RL and model learning (the
    unnumbered diagram at the start of Sutton & Barto section 8.2)."""
    fig, ax = _canvas(figsize)
    value, experience, model = (0.5, 0.85), (0.5, 0.15), (0.86, 0.5)
    box(ax, *value, "value / policy\n$Q(s,a)$, $\\pi$", width=0.3, height=0.14, color=GREEN)
    box(ax, *experience, "experience\n$(S, A, R, S')$", width=0.3, height=0.14, color=BLUE)
    box(ax, *model, "model\n$\\hat p(s', r | s, a)$", width=0.26, height=0.14, color=ORANGE)
    arrow(ax, (0.36, 0.82), (0.36, 0.18), "acting", rad=0.45, label_offset=(-0.17, 0.0))
    arrow(ax, (0.5, 0.22), (0.5, 0.78), "direct RL", label_offset=(-0.07, 0.0))
    arrow(ax, (0.64, 0.17), (0.86, 0.43), "model learning", rad=0.25, label_offset=(0.09, -0.07))
    arrow(ax, (0.86, 0.57), (0.64, 0.84), "planning", rad=0.25, label_offset=(0.09, 0.07))
    ax.set_title("Planning, acting and learning (after Sutton & Barto, section 8.2)", fontsize=11)
    return fig


AHEAD, WHILE, BOTH, NONE = "tab:blue", "tab:red", "purple", "black"


def draw_map_of_the_field(figsize=(10, 8.4)):
    """What each method learns (value function, policy, model: three circles) and when it plans
    (colour: ahead of acting, while acting, both, not at all), after the lecture notes' picture
    of AlphaGo at the intersection of the three. A name's region is what the method learns or is
    given; "(given)" marks a model the method is handed (the rules of a game, a simulator)."""
    from matplotlib.lines import Line2D

    fig, ax = _canvas(figsize)
    r = 0.6
    circles = [
        ((0.35, 0.62), "value function\n(critic)", BLUE, (0.12, 0.9)),
        ((0.65, 0.62), "policy\n(actor)", GREEN, (0.88, 0.9)),
        ((0.5, 0.36), "transition model,\ngiven or learned", ORANGE, (0.5, 0.02)),
    ]
    for centre, label, color, text_at in circles:
        ax.add_patch(Ellipse(centre, r, r, facecolor=color, alpha=0.55, edgecolor="black"))
        ax.text(*text_at, label, ha="center", va="center", fontsize=10, weight="bold")
    notes = [
        ((0.16, 0.68), "Q-learning", NONE),
        ((0.84, 0.68), "REINFORCE", NONE),
        ((0.5, 0.82), "actor-critic", NONE),
        ((0.295, 0.535), "Dyna-Q,\nvalue iteration,\nprioritized\nsweeping", AHEAD),
        ((0.345, 0.415), "MCTS (given):\nQ in a tree,\nrebuilt\nevery move", WHILE),
        ((0.73, 0.46), "PILCO", AHEAD),
        ((0.5, 0.62), "AlphaGo,\nAlphaZero (given)", BOTH),
        ((0.5, 0.55), "MuZero", BOTH),
        ((0.5, 0.5), "MBPO, Dreamer", AHEAD),
        ((0.5, 0.19), "rollouts (given), PETS,\ngradient-based planning\nof actions", WHILE),
    ]
    for at, text, color in notes:
        ax.text(*at, text, ha="center", va="center", fontsize=8, color=color, weight="bold")
    ax.text(0.5, 0.985, "model-free: the upper circles outside the model; model-based: inside "
            "the model's circle", ha="center", fontsize=10, style="italic")  # fmt: skip
    handles = [
        Line2D([], [], color=c, marker="s", ls="", label=label)
        for c, label in [
            (AHEAD, "plans ahead of acting"),
            (WHILE, "plans while acting"),
            (BOTH, "plans ahead of and while acting"),
            (NONE, "does not plan"),
        ]
    ]
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.02, -0.01), fontsize=8)
    ax.text(0.0, 0.01, "(given): the model is handed to the method\n(the rules of a game); "
            "all others learn theirs", fontsize=8, color="dimgray", va="bottom")  # fmt: skip
    ax.set_title("The map of the field", fontsize=12)
    return fig
