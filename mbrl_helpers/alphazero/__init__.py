"""AlphaZero for small board games: a policy-value network guiding the MCTS of `mbrl_helpers.mcts`.

AlphaGo (Silver et al., 2016) guided MCTS with priors from a policy network trained on human
games (the self-play policy only generated the value network's data) and a value network mixed
with rollouts. AlphaGo Zero and AlphaZero (Silver et al., 2017, 2018) keep one network
f_theta(s) = (pi_theta(.|s), V_theta(s)), no rollouts and no human data:

- search: `mbrl_helpers.mcts.search` with the network as leaf evaluator and a PUCT rule
  (`rules`): Q(s,a) + c_puct P(s,a) sqrt(N(s)) / (1 + N(s,a)), or the notes' Q + P / (N + 1)
  (the AlphaGo paper's main-text bonus u(s,a) proportional to P(s,a) / (1 + N(s,a)));
- self-play (`selfplay`): the search plays itself; each position s_t yields (s_t, pi_t, z_t),
  the visit distribution and the outcome for the player to move, times the board symmetries
  (AlphaGo Zero's augmentation; AlphaZero dropped it: `TrainConfig(symmetries=False)`);
- learning (`network`, `training`): minimise (z - v)^2 - pi^T log p + c ||theta||^2, one network
  updated continually (AlphaZero's way; AlphaGo Zero gated each new network by a match).

Entry points: `train(game, seed=0, config=TrainConfig())` -> (net, history), every setting
documented in `TrainConfig`; `AlphaZeroPlayer(game, net, n_simulations=50, seed=0)` plays like
the other players (`n_simulations=0`: the raw network).
Sutton & Barto section 16.6 (AlphaGo, AlphaGo Zero), 8.11 (MCTS).
"""

from mbrl_helpers.alphazero.network import (
    LossParts,
    PolicyValueNet,
    alphazero_loss,
    masked_softmax,
)
from mbrl_helpers.alphazero.player import AlphaZeroPlayer, loss_rates
from mbrl_helpers.alphazero.rules import (
    C_PUCT,
    puct,
    puct_notes,
    puct_score,
    puct_scores,
    puct_scores_notes,
    sample_move,
)
from mbrl_helpers.alphazero.selfplay import (
    RULES,
    SelfPlayConfig,
    augment,
    encode,
    legal_mask,
    network_evaluator,
    self_play_game,
    training_targets,
)
from mbrl_helpers.alphazero.training import History, TrainConfig, train, train_step

__all__ = [
    "C_PUCT",
    "AlphaZeroPlayer",
    "History",
    "LossParts",
    "PolicyValueNet",
    "SelfPlayConfig",
    "TrainConfig",
    "alphazero_loss",
    "RULES",
    "augment",
    "encode",
    "legal_mask",
    "loss_rates",
    "masked_softmax",
    "network_evaluator",
    "puct",
    "puct_notes",
    "puct_score",
    "puct_scores",
    "puct_scores_notes",
    "sample_move",
    "self_play_game",
    "train",
    "train_step",
    "training_targets",
]
