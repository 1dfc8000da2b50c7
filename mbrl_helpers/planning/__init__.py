"""Planning with a model (Sutton & Barto chapter 8, and 4.4 for value iteration).

- `dp` (re-exported here): expected and sample updates (8.5), value iteration (4.4), policy
  evaluation, on a model in Gymnasium's `P[s][a]` format: `planning.value_iteration(P, gamma)`.
- `prioritized_sweeping` (8.4): `PrioritizedSweeping`, its queue and `push_predecessors`.
- `trajectory_sampling` (8.6, Figure 8.8): where to spend expected updates.
- `rtdp` (8.7): real-time dynamic programming, expected updates along the agent's trajectories,
  values stored and reused (and, for contrast, the same trials with the values discarded after
  every move: decision-time planning, 8.8).
- `gradient`: gradient-based planning of an action sequence through a differentiable model.
- `shooting`: derivative-free planning of action sequences: random shooting, the cross-entropy
  method, PETS-style trajectory sampling through an ensemble, model-predictive control.

The experiments of the book's figures are in `mbrl_helpers.experiments`.
"""

from mbrl_helpers.planning import (
    gradient,
    prioritized_sweeping,
    rtdp,
    shooting,
    trajectory_sampling,
)
from mbrl_helpers.planning.dp import (
    ExpectedVsSample,
    TabularMDP,
    ValueIteration,
    check_Q,
    expected_update,
    expected_vs_sample_errors,
    policy_evaluation,
    sample_transition,
    sample_update,
    tabulate,
    value_iteration,
    value_iteration_sweep,
)

__all__ = [
    "ExpectedVsSample",
    "TabularMDP",
    "ValueIteration",
    "check_Q",
    "expected_update",
    "expected_vs_sample_errors",
    "gradient",
    "policy_evaluation",
    "prioritized_sweeping",
    "rtdp",
    "sample_transition",
    "sample_update",
    "shooting",
    "tabulate",
    "trajectory_sampling",
    "value_iteration",
    "value_iteration_sweep",
]
