"""Dyna: tabular Q-learning, Dyna-Q and Dyna-Q+ (Sutton & Barto 6.5, 8.2, 8.3).

- `agent` (re-exported here): the readable version, the Dyna-Q box step by step: `dyna_q`,
  `q_learning`, `dyna_q_plus`, `DynaResult`, `planning` (step f), `DynaQAgent`.
- `fast`: `dyna_q_fast`, the same algorithm on the course's mazes in one flat loop, with the same
  numbers on the same `rng` (it imports the readable module, never the reverse).

The book's figures (8.2 to 8.5) are drawn from these in `mbrl_helpers.experiments.figures`.
"""

from mbrl_helpers.dyna.agent import (
    DynaQAgent,
    DynaResult,
    TableModel,
    dyna_q,
    dyna_q_plus,
    epsilon_greedy,
    greedy_policy,
    planning,
    q_learning,
    q_update,
)
from mbrl_helpers.dyna.fast import dyna_q_fast

__all__ = [
    "DynaQAgent",
    "DynaResult",
    "TableModel",
    "dyna_q",
    "dyna_q_fast",
    "dyna_q_plus",
    "epsilon_greedy",
    "greedy_policy",
    "planning",
    "q_learning",
    "q_update",
]
