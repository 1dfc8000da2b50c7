"""A Gymnasium environment that steps through a model instead of the world (lecture 00).

`SimulatedEnv(model, n_states, n_actions, start_state)`: its steps are drawn from any model with
`sample(s, a, rng) -> (r, s_next, terminated)` (a `mbrl_helpers.models.TrueModel`, or a learned
`mbrl_helpers.models.TabularModel`). Agents written for the real environment train in it
unchanged; mistakes made there cost nothing. Sutton & Barto 8.1: "models can be used to mimic or
simulate experience".
"""

from __future__ import annotations

import gymnasium

from mbrl_helpers.validation import check_action, check_int

__all__ = ["SimulatedEnv"]


class SimulatedEnv(gymnasium.Env):
    """A Gymnasium environment that steps through a model instead of the world.

    `n_model_steps` counts every simulated step since construction: experience that cost no
    real interaction. Episodes start in `start_state` and are truncated after
    `max_episode_steps` steps (if given).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        model,
        n_states: int,
        n_actions: int,
        start_state: int,
        max_episode_steps: int | None = None,
    ) -> None:
        if not callable(getattr(model, "sample", None)):
            raise TypeError("model must have a sample(s, a, rng) -> (r, s_next, terminated) method")
        self.model = model
        n_states = check_int("n_states", n_states, low=1)
        self.observation_space = gymnasium.spaces.Discrete(n_states)
        self.action_space = gymnasium.spaces.Discrete(check_int("n_actions", n_actions, low=1))
        self.start_state = check_int("start_state", start_state, low=0, high=n_states - 1)
        if max_episode_steps is not None:
            max_episode_steps = check_int("max_episode_steps", max_episode_steps, low=1)
        self.max_episode_steps = max_episode_steps
        self.n_model_steps = 0
        self._s, self._t = self.start_state, 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self._s, self._t = self.start_state, 0
        return self._s, {}

    def step(self, action):
        a = check_action("action", action, int(self.action_space.n))
        r, s_next, terminated = self.model.sample(self._s, a, rng=self.np_random)
        self._s, self._t = int(s_next), self._t + 1
        self.n_model_steps += 1
        truncated = self.max_episode_steps is not None and self._t >= self.max_episode_steps
        return self._s, float(r), bool(terminated), bool(truncated), {}
