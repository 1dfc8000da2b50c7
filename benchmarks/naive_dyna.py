"""A naive pure-Python Dyna-Q, the baseline of `bench_dyna.py` (not used by the course).

Written in the style of the widely copied pure-Python reproduction of Sutton & Barto
Figure 8.2 (the `chapter08/maze.py` of ShangtongZhang/reinforcement-learning-an-introduction):
positions as lists, a numpy Q array indexed `Q[row, col, a]`, a dict-of-dicts model, and a
numpy call per choice (`choice`, `binomial`, `max`). Per step it does the same work as
`mbrl_helpers.dyna`; only the data layout differs. Seeded through a `np.random.Generator`.
"""

from __future__ import annotations

import copy

import numpy as np


class NaiveMaze:
    """The Dyna maze of Example 8.1 with list positions."""

    def __init__(self):
        self.height, self.width = 6, 9
        self.actions = [0, 1, 2, 3]  # up, down, left, right
        self.start = [2, 0]
        self.goals = [[0, 8]]
        self.obstacles = [[1, 2], [2, 2], [3, 2], [0, 7], [1, 7], [2, 7], [4, 5]]

    def step(self, state, action):
        x, y = state
        if action == 0:
            x = max(x - 1, 0)
        elif action == 1:
            x = min(x + 1, self.height - 1)
        elif action == 2:
            y = max(y - 1, 0)
        elif action == 3:
            y = min(y + 1, self.width - 1)
        if [x, y] in self.obstacles:
            x, y = state
        reward = 1.0 if [x, y] in self.goals else 0.0
        return [x, y], reward


class NaiveModel:
    """Model(S, A) <- R, S' in a dict of dicts; sampling lists the keys every time."""

    def __init__(self, rng):
        self.model = {}
        self.rng = rng

    def feed(self, state, action, next_state, reward):
        state, next_state = copy.deepcopy(state), copy.deepcopy(next_state)
        self.model.setdefault(tuple(state), {})[action] = [list(next_state), reward]

    def sample(self):
        state_index = self.rng.choice(range(len(self.model.keys())))
        state = list(self.model)[state_index]
        action_index = self.rng.choice(range(len(self.model[state].keys())))
        action = list(self.model[state])[action_index]
        next_state, reward = self.model[state][action]
        return list(state), action, copy.deepcopy(next_state), reward


def choose_action(state, Q, maze, epsilon, rng):
    if rng.binomial(1, epsilon) == 1:
        return rng.choice(maze.actions)
    values = Q[state[0], state[1], :]
    return rng.choice([a for a, v in enumerate(values) if v == np.max(values)])


def episode(Q, model, maze, n_planning, alpha, gamma, epsilon, rng):
    """One episode of Dyna-Q; returns its number of steps."""
    state = maze.start
    steps = 0
    while state not in maze.goals:
        steps += 1
        action = choose_action(state, Q, maze, epsilon, rng)
        next_state, reward = maze.step(state, action)
        Q[state[0], state[1], action] += alpha * (
            reward
            + gamma * np.max(Q[next_state[0], next_state[1], :])
            - Q[state[0], state[1], action]
        )
        model.feed(state, action, next_state, reward)
        for _ in range(n_planning):
            s, a, s_next, r = model.sample()
            Q[s[0], s[1], a] += alpha * (
                r + gamma * np.max(Q[s_next[0], s_next[1], :]) - Q[s[0], s[1], a]
            )
        state = next_state
    return steps


def naive_figure_8_2(n_runs=30, n_episodes=50, planning_steps=(0, 5, 50), seed=0):
    """Figure 8.2 the naive way: {n: mean steps per episode}, and the planning updates made."""
    maze = NaiveMaze()
    curves, n_updates = {}, 0
    for n in planning_steps:
        steps = np.zeros((n_runs, n_episodes))
        for run, ss in enumerate(np.random.SeedSequence(seed).spawn(n_runs)):
            rng = np.random.RandomState(np.random.MT19937(ss))  # the legacy API it used
            Q = np.zeros((maze.height, maze.width, len(maze.actions)))
            model = NaiveModel(rng)
            for ep in range(n_episodes):
                steps[run, ep] = episode(Q, model, maze, n, 0.1, 0.95, 0.1, rng)
            n_updates += n * int(steps[run].sum())
        curves[n] = steps.mean(axis=0)
    return curves, n_updates
