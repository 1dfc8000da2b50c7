"""Models of the environment: what an agent knows, or has learned, about how its world works.

- Table models (`table`): `DeterministicModel` (Dyna-Q's `Model(S, A) <- R, S'`, Sutton & Barto
  8.2), `TabularModel` (counts: the maximum-likelihood model of a stochastic world, 8.1),
  `self_loop_prior`, `total_variation`.
- The replay buffer (`replay`): `ReplayBuffer`, the real transitions themselves, replayed
  uniformly (a non-parametric model: experience replay, the model-free twin of Dyna).
- The true model (`true_model`): `TrueModel(P)`, a model that is a given table `P[s][a]`;
  `model_arrays`, `simulate_returns` for many trajectories at once and `expected_return` for
  their exact mean.
- Learned function approximators: `nets` (a numpy MLP with hand-written backprop, losses,
  optimisers, a training loop), `neural` (`ClassifierModel` of p(s'|s,a), `RegressionModel` of
  s' - s), `linear` (`LinearModel`, fitted by least squares).
- Ensembles (`ensemble`): `Ensemble` of learned one-step models (mean, disagreement, a random
  member per row) and `fit_ensemble`, a bootstrap ensemble of `RegressionModel`s: the measure of
  epistemic uncertainty that PETS- and MBPO-style methods plan and learn with.

Every table model answers `sample(s, a, rng) -> (r, s_next, terminated)` and
`distribution(s, a) -> [(prob, s_next, r, terminated), ...]`, the format of Gymnasium's
`env.unwrapped.P[s][a]`. Models know nothing of the agents that use them.
"""

from mbrl_helpers.models import nets, neural
from mbrl_helpers.models.ensemble import Ensemble, fit_ensemble
from mbrl_helpers.models.linear import LinearModel, fit_linear_model
from mbrl_helpers.models.replay import ReplayBuffer
from mbrl_helpers.models.table import (
    DeterministicModel,
    TabularModel,
    Transition,
    UnobservedPairError,
    self_loop_prior,
    total_variation,
)
from mbrl_helpers.models.true_model import (
    TrueModel,
    expected_return,
    model_arrays,
    simulate_returns,
)

__all__ = [
    "DeterministicModel",
    "Ensemble",
    "LinearModel",
    "ReplayBuffer",
    "TabularModel",
    "Transition",
    "TrueModel",
    "UnobservedPairError",
    "expected_return",
    "fit_ensemble",
    "fit_linear_model",
    "model_arrays",
    "nets",
    "neural",
    "self_loop_prior",
    "simulate_returns",
    "total_variation",
]
