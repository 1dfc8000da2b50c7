"""Dyna: tabular Q-learning, Dyna-Q and Dyna-Q+ (Sutton & Barto 6.5, 8.2, 8.3).

- `agent` (re-exported here): the readable version, the Dyna-Q box step by step: `dyna_q`,
  `q_learning`, `dyna_q_plus`, `DynaResult`, `planning` (step f), `DynaQAgent`; steps (b)
  and (d), `epsilon_greedy` and `q_update`, are shared with the other tabular algorithms
  (`mbrl_helpers.tabular`). The model of step (e) is `mbrl_helpers.models.DeterministicModel`.
- `fast`: `dyna_q_fast`, the same algorithm on the course's mazes in one flat loop, with the same
  numbers on the same `rng` (it imports the readable module, never the reverse).

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
from mbrl_helpers.dyna.fast import dyna_q_fast
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
    "q_update",
]
