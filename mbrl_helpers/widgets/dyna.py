"""Watch Dyna-Q (or Dyna-Q+) fill in the value function and the policy of a maze.

`DynaExplorer(maze="Dyna maze", n_planning=5, kappa=0.0, n_steps=300, seed=0)` runs the agent
for `n_steps` real steps and draws max_a Q(s, a) and the greedy policy. `explorer.widget()`
adds sliders for n, kappa and the number of real steps, and a choice of maze; every change
re-runs the agent (the fast path: a few milliseconds) and redraws. Without a browser, set the
attributes and call `explorer.run()`, `explorer.draw()`, `explorer.summary()`.
"""

from __future__ import annotations

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np

from mbrl_helpers.dyna import DynaResult
from mbrl_helpers.dyna.fast import dyna_q_fast
from mbrl_helpers.envs import BlockingMaze, ChangingMaze, DynaMaze, GridWorld, ShortcutMaze
from mbrl_helpers.plotting.dyna import plot_maze
from mbrl_helpers.validation import check_float, check_int

__all__ = ["MAZES", "DynaExplorer"]

MAZES = {"Dyna maze": DynaMaze, "blocking maze": BlockingMaze, "shortcut maze": ShortcutMaze}


class DynaExplorer:
    """Dyna-Q(+) on a maze after `n_steps` real steps; `widget()` puts it under sliders."""

    def __init__(
        self,
        maze: str = "Dyna maze",
        n_planning: int = 5,
        kappa: float = 0.0,
        n_steps: int = 300,
        seed: int = 0,
        alpha: float = 0.1,
    ):
        if maze not in MAZES:
            raise ValueError(f"maze must be one of {list(MAZES)}, got {maze!r}")
        self.maze = maze
        self.n_planning = check_int("n_planning", n_planning, low=0)
        self.kappa = check_float("kappa", kappa, low=0.0)
        self.n_steps = check_int("n_steps", n_steps, low=1)
        self.seed = check_int("seed", seed, low=0)
        self.alpha = alpha
        self.result: DynaResult | None = None

    def run(self) -> DynaResult:
        """Run the agent from scratch with the current settings (same seed every time)."""
        self.result = dyna_q_fast(
            MAZES[self.maze](),
            self.n_planning,
            n_steps=self.n_steps,
            alpha=self.alpha,
            kappa=self.kappa,
            rng=np.random.default_rng(self.seed),
        )
        return self.result

    def world(self) -> GridWorld:
        """The maze as it is after `n_steps` steps (a changing maze may have changed)."""
        env = MAZES[self.maze]()
        if isinstance(env, ChangingMaze) and self.n_steps >= env.change_at:
            return GridWorld(env.grid_after)
        return env

    def summary(self) -> str:
        """The numbers the picture shows, in one line."""
        result = self.result or self.run()
        env = self.world()
        V = result.Q.max(axis=1)
        last = int(result.steps[-1]) if len(result.steps) else None
        return (
            f"{self.maze}, n = {self.n_planning}, kappa = {self.kappa:g}, after "
            f"{self.n_steps} real steps: {len(result.steps)} episodes finished (last one "
            f"{last} steps), {int(result.rewards.sum())} reward, max_a Q(S, a) at the start "
            f"{float(V[env.start]):.3g}, states with a greedy action "
            f"{int((np.ptp(result.Q, axis=1) > 0).sum())}"
        )

    def draw(self, ax: plt.Axes | None = None) -> plt.Axes:
        """max_a Q(s, a) as colours and the greedy action as arrows."""
        result = self.result or self.run()
        return plot_maze(self.world(), result.Q, ax=ax, title=f"n = {self.n_planning}", vmax=1.0)

    def widget(self) -> ipywidgets.VBox:
        """Sliders (n, kappa, real steps), a maze chooser, the picture and its numbers."""
        maze = ipywidgets.Dropdown(options=list(MAZES), value=self.maze, description="maze")
        n = ipywidgets.IntSlider(value=self.n_planning, min=0, max=100, description="n")
        kappa = ipywidgets.FloatSlider(
            value=self.kappa, min=0.0, max=0.01, step=0.0005, readout_format=".4f",
            description="kappa",
        )  # fmt: skip
        steps = ipywidgets.IntSlider(
            value=self.n_steps, min=10, max=6000, step=10, description="real steps"
        )
        text = ipywidgets.HTML()  # wraps long lines, unlike Label
        out = ipywidgets.Output()

        def update(_change=None):
            self.maze, self.n_planning = maze.value, n.value
            self.kappa, self.n_steps = kappa.value, steps.value
            self.run()
            text.value = self.summary()
            with out:
                out.clear_output(wait=True)
                fig, ax = plt.subplots(figsize=(6, 4))
                self.draw(ax)
                plt.show()

        for control in (maze, n, kappa, steps):
            control.observe(update, names="value")
        update()
        self.controls = {"maze": maze, "n": n, "kappa": kappa, "steps": steps}
        self.label = text
        return ipywidgets.VBox(
            [ipywidgets.HBox([maze, n]), ipywidgets.HBox([kappa, steps]), text, out]
        )
