"""MuZero: the search of `mbrl_helpers.mcts`, run inside a model the agent learned.

AlphaZero (lecture 06) searches with the rules of the game. MuZero (Schrittwieser et al., 2020)
learns a model and searches in it: one network, three functions,

- representation s^0 = h(o): the real observation to a latent state;
- dynamics (r^{k+1}, s^{k+1}) = g(s^k, a^{k+1}): a move's reward and the next latent state;
- prediction (p^k, v^k) = f(s^k): priors and value, as AlphaZero's network;

trained only to predict what planning needs (rewards, values, policies) along K-step unrolls of
real games: it never has to reconstruct the next board. The game is consulted at the root of each
search (its legal moves mask the priors), never below it.

- `network`: `MuZeroNet`, with hand-written backprop through the unroll;
- `targets`: whole games (`Trajectory`), value targets and unroll targets (absorbing past the end);
- `selfplay`: self-play with the latent search, all games in lockstep;
- `training`: `train(game, seed=0) -> (net, history)`, `MuZeroConfig`;
- `player`: `MuZeroPlayer(game, net, n_simulations=50, seed=0)`, `loss_rates`;
- `tasks`: `MazeTask`, a single-agent maze with rewards and a discount;
- `analysis`: `model_accuracy` (the model's k-step predictions against the exact solver),
  `audit_tree` (where a search's visits went, checked with the rules), `blunders`.

Sutton & Barto sections 8.11 and 16.6; lecture 07.
"""

from mbrl_helpers.muzero.analysis import (
    ModelAccuracy,
    TreeAudit,
    audit_tree,
    blunders,
    model_accuracy,
)
from mbrl_helpers.muzero.network import (
    GRADIENT_SCALE,
    LossParts,
    MuZeroNet,
    UnrollBatch,
    unroll_loss,
    unroll_loss_gradients,
)
from mbrl_helpers.muzero.player import (
    MuZeroPlayer,
    NetworkModel,
    encode,
    loss_rates,
    normalised_puct_scores,
    puct_normalised,
)
from mbrl_helpers.muzero.selfplay import SELECTION_RULES, SelfPlayConfig, move_reward, self_play
from mbrl_helpers.muzero.targets import (
    Trajectory,
    UnrollTargets,
    record_game,
    stored_unrolls,
    unroll_targets,
    value_targets,
)
from mbrl_helpers.muzero.tasks import SMALL_MAZE, MazeTask
from mbrl_helpers.muzero.training import History, MuZeroConfig, train

__all__ = [
    "GRADIENT_SCALE",
    "SELECTION_RULES",
    "SMALL_MAZE",
    "History",
    "LossParts",
    "ModelAccuracy",
    "TreeAudit",
    "MazeTask",
    "MuZeroConfig",
    "MuZeroNet",
    "MuZeroPlayer",
    "NetworkModel",
    "SelfPlayConfig",
    "Trajectory",
    "UnrollBatch",
    "UnrollTargets",
    "audit_tree",
    "blunders",
    "encode",
    "loss_rates",
    "model_accuracy",
    "move_reward",
    "normalised_puct_scores",
    "puct_normalised",
    "record_game",
    "self_play",
    "stored_unrolls",
    "train",
    "unroll_loss",
    "unroll_loss_gradients",
    "unroll_targets",
    "value_targets",
]
