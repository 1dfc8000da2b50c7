"""Dyna: tabular Q-learning, Dyna-Q and Dyna-Q+ (Sutton & Barto 6.5, 8.2, 8.3).

- `agent` (re-exported here): the readable version, the Dyna-Q box step by step: `dyna_q`,
  `q_learning`, `dyna_q_plus`, `DynaResult`, `planning` (step f), `DynaQAgent`; steps (b)
  and (d), `epsilon_greedy` and `q_update`, are shared with the other tabular algorithms
  (`mbrl_helpers.tabular`). The model of step (e) is `mbrl_helpers.models.DeterministicModel`.
- `replay`: `q_learning_replay`, Q-learning with experience replay at the same number of
  updates per real step (steps e and f replaced by "store the transition" and "replay n stored
  transitions"), and its step `replay_updates`: the model-free twin of Dyna-Q.
- `fast`: `dyna_q_fast` and `q_learning_replay_fast`, the same algorithms on the course's mazes
  in one flat loop, with the same numbers on the same `rng` (it imports the readable modules,
  never the reverse).

The book's figures (8.2 to 8.5) are drawn from these in `mbrl_helpers.experiments.figures`.
"""

from mbrl_helpers.dyna.agent import (
    DynaQAgent,
    DynaResult,
    dyna_q,
    dyna_q_plus,
    planning,
    q_learning,
)
from mbrl_helpers.dyna.fast import dyna_q_fast, q_learning_replay_fast
from mbrl_helpers.dyna.replay import q_learning_replay, replay_updates
from mbrl_helpers.tabular import epsilon_greedy, q_update  # steps (b) and (d) of the box

__all__ = [
    "DynaQAgent",
    "DynaResult",
    "dyna_q",
    "dyna_q_fast",
    "dyna_q_plus",
    "epsilon_greedy",
    "planning",
    "q_learning",
    "q_learning_replay",
    "q_learning_replay_fast",
    "q_update",
    "replay_updates",
]
