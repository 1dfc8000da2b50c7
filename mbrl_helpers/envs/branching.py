"""The random branching tasks of Sutton & Barto's Figure 8.8 (section 8.6, trajectory sampling).

`random_branching_task(n_states, b, rng=...)` draws a task; `BranchingTask.to_P()` gives its true
model in Gymnasium's `P[s][a]` format.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation

__all__ = ["BranchingTask", "random_branching_task"]


@dataclass(frozen=True)
class BranchingTask:
    """A random episodic task of Figure 8.8: 2 actions per state, each leading to one of `b`
    next states (equally likely) with probability 1 - p_terminate, or to termination.

    `next_state[s][a]` lists the b next states, `reward[s][a]` their rewards (N(0, 1)) and
    `reward_terminal[s][a]` the reward when the episode ends; the start state is 0, gamma = 1.
    """

    next_state: list
    reward: list
    reward_terminal: list
    p_terminate: float

    def to_P(self) -> dict:
        """The task in `P[s][a]` format (termination as a transition back to s, terminated)."""
        P = {}
        for s, (nexts, rewards, r_ends) in enumerate(
            zip(self.next_state, self.reward, self.reward_terminal, strict=True)
        ):
            P[s] = {}
            for a in range(2):
                b = len(nexts[a])
                P[s][a] = [
                    ((1 - self.p_terminate) / b, s2, r, False)
                    for s2, r in zip(nexts[a], rewards[a], strict=True)
                ] + [(self.p_terminate, s, r_ends[a], True)]
        return P


def random_branching_task(
    n_states: int, b: int, *, rng: np.random.Generator, p_terminate: float = 0.1
) -> BranchingTask:
    """A random task of Figure 8.8 with `n_states` states and branching factor `b`."""
    n_states = validation.check_int("n_states", n_states, low=1)
    b = validation.check_int("b", b, low=1)
    p_terminate = validation.check_float("p_terminate", p_terminate, low=0.0, low_open=True)
    validation.check_rng("rng", rng)
    nexts = rng.integers(n_states, size=(n_states, 2, b)).tolist()
    rewards = rng.standard_normal((n_states, 2, b)).tolist()
    r_ends = rng.standard_normal((n_states, 2)).tolist()
    return BranchingTask(nexts, rewards, r_ends, p_terminate)
