"""Step through Monte Carlo Tree Search one phase at a time: selection, expansion, simulation, backup.

`MCTSStepper` runs the same four functions as `mbrl_helpers.mcts.search` (`select_path`,
`expand`, a random playout, `backup`), but stops after each phase and says what happened, so the
tree can be drawn in between. `stepper.widget()` wraps it in ipywidgets buttons:

    stepper = MCTSStepper(game, state, seed=0)
    stepper.widget()          # in a notebook: buttons "next phase", "next simulation", "+10"

Without a browser, call `stepper.step()` (returns the description of the phase it ran),
`stepper.draw()` (the tree) and, after the simulation phase, `stepper.draw_playout()`.
"""

from __future__ import annotations

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np

from mbrl_helpers import mcts
from mbrl_helpers import validation as v_
from mbrl_helpers.plotting.mcts import draw_playout, draw_tree

PHASES = ("selection", "expansion", "simulation", "backup")


class MCTSStepper:
    """MCTS from `state`, one phase per `step()`; the tree is in `self.root`.

    After a phase, `path` holds the selected nodes, `leaf` the node reached, `playout` the actions
    of the random rollout and `value` its outcome for `to_play` (the player to move at the leaf).
    """

    def __init__(self, game, state, *, seed: int = 0, c: float = mcts.C_UCT):
        self.game = game
        self.state = state
        self.seed = v_.check_int("seed", seed, low=0)
        self.c = v_.check_float("c", c, low=0.0)
        self.reset()

    def reset(self) -> None:
        """Start again from an empty tree (same seed, so the same simulations)."""
        self.rng = np.random.default_rng(self.seed)
        self.root = mcts.new_root(self.game, self.state)
        self.simulations = 0  # completed simulations
        self.phase: str | None = None  # the phase last run
        self.path: list[mcts.Node] = []
        self.leaf: mcts.Node | None = None
        self.playout: list = []
        self.value: float | None = None
        self.to_play: int | None = None
        self.description = "No simulation yet: press 'next phase'."

    @property
    def next_phase(self) -> str:
        """The phase that `step()` will run."""
        if self.phase is None or self.phase == "backup":
            return "selection"
        return PHASES[PHASES.index(self.phase) + 1]

    def step(self) -> str:
        """Run the next phase and return a one-line description of it."""
        phase = self.next_phase
        getattr(self, f"_{phase}")()
        self.phase = phase
        if phase == "backup":
            self.simulations += 1
        return self.description

    def run(self, n_simulations: int) -> str:
        """Finish the current simulation, then run `n_simulations` more whole ones."""
        n_simulations = v_.check_int("n_simulations", n_simulations, low=0)
        while self.phase not in (None, "backup"):
            self.step()
        for _ in range(n_simulations):
            for _ in PHASES:
                self.step()
        return self.description

    # --- the four phases --------------------------------------------------------------------
    def _selection(self) -> None:
        self.path = mcts.select_path(self.game, self.root, mcts.ucb1, self.c, rng=self.rng)
        self.leaf = self.path[-1]
        self.playout, self.value, self.to_play = [], None, None
        moves = ", ".join(f"a={n.action}" for n in self.path[1:]) or "none (the root)"
        kind = "a terminal state" if self.leaf.terminal else "an unexpanded node"
        self.description = (
            f"Simulation {self.simulations + 1}, 1. Selection: UCB1 (c = {self.c:g}) followed "
            f"{moves} to {kind} at depth {len(self.path) - 1}."
        )

    def _expansion(self) -> None:
        leaf = self.leaf
        if leaf.terminal:
            self.description = "2. Expansion: the leaf is terminal, there is nothing to expand."
            return
        legal = self.game.legal_actions(leaf.state)
        mcts.expand(self.game, leaf, dict.fromkeys(legal, 1.0 / len(legal)))
        self.description = (
            f"2. Expansion: the leaf gets {len(legal)} children "
            f"(a = {', '.join(map(str, legal))}), each with N = 0."
        )

    def _simulation(self) -> None:
        leaf, game = self.leaf, self.game
        if leaf.terminal:
            self.to_play = leaf.player
            self.value = float(leaf.returns[leaf.player])
            self.description = (
                f"3. Simulation: no rollout needed; the game is over, value {self.value:+.0f} "
                f"for player {leaf.player} (who moved last)."
            )
            return
        state, self.playout = leaf.state, []
        while not game.is_terminal(state):
            legal = game.legal_actions(state)
            action = legal[int(self.rng.random() * len(legal))]
            self.playout.append(action)
            state = game.next_state(state, action)
        self.to_play = leaf.to_play
        self.value = float(game.returns(state)[leaf.to_play])
        outcome = {1.0: "a win", 0.0: "a draw", -1.0: "a loss"}[self.value]
        self.description = (
            f"3. Simulation: random playout {', '.join(map(str, self.playout))}: {outcome} "
            f"for player {leaf.to_play}, to move at the leaf (value {self.value:+.0f})."
        )

    def _backup(self) -> None:
        mcts.backup(self.path, self.value, self.to_play)
        self.description = (
            f"4. Backup: N += 1 on the {len(self.path)} nodes of the path; W += {self.value:+.0f} "
            f"for player {self.to_play}'s edges, {0.0 - self.value:+.0f} for the opponent's."
        )

    # --- pictures and controls --------------------------------------------------------------
    def draw(self, ax: plt.Axes | None = None, **kwargs) -> plt.Axes:
        """The tree, with the current path in red and the current leaf in orange."""
        kwargs.setdefault("max_depth", 3)
        title = f"after {self.simulations} simulations; last phase: {self.phase or '-'}"
        return draw_tree(
            self.root, self.game, ax=ax, path=self.path, leaf=self.leaf, title=title, **kwargs
        )

    def draw_playout(self, ax: plt.Axes | None = None) -> plt.Axes:
        """The random playout of the simulation phase, from the leaf (orange) to the end."""
        if self.leaf is None or self.value is None:
            raise ValueError("no simulation phase has run yet: call step() until 'simulation'")
        return draw_playout(
            self.game,
            self.leaf.state,
            self.playout,
            ax=ax,
            value=self.value,
            player=self.to_play,
        )

    def widget(self, **draw_kwargs) -> ipywidgets.VBox:
        """Buttons 'next phase', 'next simulation', '+10 simulations', 'reset' above the tree."""
        out = ipywidgets.Output()
        text = ipywidgets.HTML()
        buttons = {
            "next phase": lambda: self.step(),
            "next simulation": lambda: (
                self.run(1) if self.phase in (None, "backup") else self.run(0)
            ),
            "+10 simulations": lambda: self.run(10),
            "reset": self.reset,
        }

        def redraw() -> None:
            text.value = f"<b>{self.description}</b>"
            with out:
                out.clear_output(wait=True)
                if self.phase == "simulation":  # the tree, and the playout beside it
                    fig, (ax, ax_playout) = plt.subplots(
                        1, 2, figsize=(11, 5.5), gridspec_kw={"width_ratios": [4, 1]}
                    )
                    self.draw_playout(ax=ax_playout)
                else:
                    fig, ax = plt.subplots(figsize=(9, 5.5))
                self.draw(ax=ax, **draw_kwargs)
                plt.show()
                plt.close(fig)

        row = []
        for name, action in buttons.items():
            button = ipywidgets.Button(description=name)

            def on_click(_, action=action):
                action()
                redraw()

            button.on_click(on_click)
            row.append(button)
        box = ipywidgets.VBox([ipywidgets.HBox(row), text, out])
        box.buttons = dict(zip(buttons, row, strict=True))
        redraw()
        return box
