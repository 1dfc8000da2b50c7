"""A slider for lecture 08: how much random exploration does planning on a learned model need?"""

from __future__ import annotations

import gymnasium
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from mbrl_helpers import planning
from mbrl_helpers.experiments import budget, example_8_4
from mbrl_helpers.plotting.dyna import plot_maze


def exploration_report(env: gymnasium.Env, n_steps: int, seed: int) -> tuple[str, np.ndarray]:
    """Explore `n_steps` random real steps, plan with value iteration on the learned model, and
    describe the result: `(text, Q)`."""
    maze = env.unwrapped
    s, _ = env.reset(seed=seed)
    model, _ = budget.explore(env, s, n_steps, rng=np.random.default_rng(seed))
    plan = planning.value_iteration(
        model.to_P(maze.n_states, maze.n_actions), 0.95, theta=1e-6, in_place=True
    )
    Q, updates = plan.Q, plan.n_updates
    shortest = example_8_4.shortest_path_length(maze.P, maze.start)
    length = example_8_4.greedy_path_length(maze.P, Q, maze.start, 4 * shortest)
    path = f"{length} steps" if length is not None else "does not reach the goal"
    text = (
        f"{n_steps} random real steps: the model knows {len(model.observed_pairs)} of "
        f"{maze.n_states * maze.n_actions} (s, a) pairs; value iteration used {updates} updates; "
        f"greedy path from S: {path} (shortest: {shortest})"
    )
    return text, Q


def exploration_slider(seed: int = 0, max_steps: int = 1500) -> widgets.VBox:
    """A slider for the number of random real steps, with the plan drawn on the maze."""
    env = gymnasium.make("mbrl_helpers/DynaMaze-v0")
    slider = widgets.IntSlider(
        value=100, min=0, max=max_steps, step=50, description="real steps", continuous_update=False
    )
    report = widgets.HTML()
    out = widgets.Output()

    def show(change=None):
        text, Q = exploration_report(env, slider.value, seed)
        report.value = f"<code>{text}</code>"
        out.clear_output(wait=True)
        with out:
            fig, ax = plt.subplots(figsize=(5, 3.4))
            plot_maze(env, Q, ax=ax, title=f"plan after {slider.value} random steps")
            plt.show()

    slider.observe(show, names="value")
    show()
    box = widgets.VBox([slider, report, out])
    box.slider, box.report, box.output = slider, report, out
    return box
