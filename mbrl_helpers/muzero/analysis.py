"""What the learned model knows: its predictions along real games, k steps ahead, against the solver.

`model_accuracy` starts from every position of `n_games` games (played by uniformly random
players, or by perfect players choosing at random among the optimal moves), unrolls the model
along the moves that were really played, and scores the prediction of step k against the truth
for the position k moves later, as long as that position is still in the game (t + k < T):

- reward r^k: right if it is on the right side of 1/2 (1 exactly when move k won the game);
- value v^k: right if within 1/2 of the solver's value of that position for the player to move
  (+1, 0 or -1);
- policy p^k: right if its favourite legal move (legal in the real position) is optimal for the
  solver.

Past the end of the game (t + k >= T; random moves after the last one) it scores the absorbing
state: value within 1/2 of 0, and reward right (1 on the winning move, then 0).

Training unrolled K steps; the lecture asks how far beyond K the predictions stay right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation as v_
from mbrl_helpers.games import check_game, solve
from mbrl_helpers.muzero._blas import single_threaded_blas
from mbrl_helpers.muzero.network import MuZeroNet
from mbrl_helpers.muzero.player import encode
from mbrl_helpers.muzero.selfplay import move_reward
from mbrl_helpers.randomness import random_index


@dataclass
class ModelAccuracy:
    """Fractions of right predictions per unroll step k = 0..max_steps (NaN where none apply)."""

    steps: np.ndarray  # k
    reward: np.ndarray  # r^k right, move k still in the game (k >= 1)
    value: np.ndarray  # v^k right, position t + k still in the game
    policy: np.ndarray  # favourite legal move of p^k optimal, position t + k in the game
    value_past_end: np.ndarray  # v^k within 1/2 of 0, t + k at or past the end
    reward_past_end: np.ndarray  # r^k right (< 1/2) for moves after the end
    in_game: np.ndarray  # number of unrolls still in the game at step k
    past_end: np.ndarray  # number of unrolls at or past the end at step k


def _play(game, perfect: bool, *, rng):
    path, moves = [game.initial_state()], []
    while not game.is_terminal(path[-1]):
        options = solve(game, path[-1])[1] if perfect else game.legal_actions(path[-1])
        moves.append(options[random_index(len(options), rng=rng)])
        path.append(game.next_state(path[-1], moves[-1]))
    return path, moves


def model_accuracy(
    game,
    net: MuZeroNet,
    *,
    max_steps: int = 9,
    n_games: int = 300,
    players: str = "random",
    seed: int = 0,
) -> ModelAccuracy:
    """Score the model's k-step predictions along `n_games` games (see the module docstring).

    `players` is "random" (uniformly random moves: positions off the well-played path, too) or
    "perfect" (the solver's moves, chosen at random among the optimal ones).
    """
    check_game("game", game)
    if not isinstance(net, MuZeroNet):
        raise TypeError(f"net must be a MuZeroNet, got {type(net).__name__}")
    if players not in ("random", "perfect"):
        raise ValueError(f'players must be "random" or "perfect", got {players!r}')
    max_steps = v_.check_int("max_steps", max_steps, low=0)
    n_games = v_.check_int("n_games", n_games, low=1)
    rng = np.random.default_rng(v_.check_int("seed", seed, low=0))
    A = game.num_actions
    starts, actions, rewards, states = [], [], [], []
    for _ in range(n_games):
        path, moves = _play(game, players == "perfect", rng=rng)
        gains = [move_reward(game, path[i], moves[i], path[i + 1]) for i in range(len(moves))]
        T = len(moves)
        for t in range(T):
            future = range(t + 1, t + max_steps + 1)
            starts.append(path[t])
            # past the end: random moves in the absorbing state, which earn nothing
            actions.append([moves[i - 1] if i <= T else random_index(A, rng=rng) for i in future])
            rewards.append([gains[i - 1] if i <= T else 0.0 for i in future])
            states.append([path[i] if i < T else None for i in range(t, t + max_steps + 1)])
    obs = np.stack([encode(game, s) for s in starts])
    with single_threaded_blas():
        out = net.unroll(obs, np.array(actions, dtype=int).reshape(len(starts), max_steps))
    n_steps = max_steps + 1
    acc = {k: np.full(n_steps, np.nan) for k in ("r", "v", "p", "v_end", "r_end")}
    counts = np.zeros((2, n_steps), dtype=int)
    for k in range(n_steps):
        live = np.array([s[k] is not None for s in states])
        counts[:, k] = live.sum(), (~live).sum()
        v_pred = out["value"][:, k]
        if live.any():
            true_v = np.array([solve(game, s[k])[0] for s in states if s[k] is not None])
            acc["v"][k] = np.mean(np.abs(v_pred[live] - true_v) < 0.5)
            right = []
            for i in np.flatnonzero(live):
                s = states[i][k]
                legal = list(game.legal_actions(s))
                best = legal[int(np.argmax(out["policy"][i, k, legal]))]
                right.append(best in solve(game, s)[1])
            acc["p"][k] = np.mean(right)
        if (~live).any():
            acc["v_end"][k] = np.mean(np.abs(v_pred[~live]) < 0.5)
        if k >= 1:
            # move k is in the game when position t + k - 1 was (it may be the winning move)
            moved = np.array([s[k - 1] is not None for s in states])
            true_r = np.array([r[k - 1] for r in rewards])
            right_r = (out["reward"][:, k - 1] > 0.5) == (true_r > 0.5)
            if moved.any():
                acc["r"][k] = np.mean(right_r[moved])
            if (~moved).any():
                acc["r_end"][k] = np.mean(right_r[~moved])
    return ModelAccuracy(
        steps=np.arange(n_steps),
        reward=acc["r"],
        value=acc["v"],
        policy=acc["p"],
        value_past_end=acc["v_end"],
        reward_past_end=acc["r_end"],
        in_game=counts[0],
        past_end=counts[1],
    )


@dataclass
class TreeAudit:
    """Where the visits of a search in the learned model went, checked afterwards with the rules.

    Each node below the root is classified by replaying its path in the real game: `legal` (a
    real position, the game still on), `illegal` (the path contains a move the rules forbid,
    e.g. onto an occupied cell), `after_end` (the path goes on after the game ended). For each
    class: the visits, and the mean reward and value the model predicted at those nodes (value
    for the player to move there).
    """

    visits: dict[str, int]
    mean_reward: dict[str, float]
    mean_value: dict[str, float]


def audit_tree(game, state, result) -> TreeAudit:
    """Classify the nodes of `result.root` (a search from `state` in a learned model)."""
    check_game("game", game)
    kinds = ("legal", "illegal", "after_end")
    visits = dict.fromkeys(kinds, 0)
    rewards: dict[str, list] = {k: [] for k in kinds}
    values: dict[str, list] = {k: [] for k in kinds}

    def walk(node, real, kind):
        for child in node.children:
            if child.N == 0:
                continue
            if kind != "legal":
                child_kind, child_real = kind, None
            elif game.is_terminal(real):
                child_kind, child_real = "after_end", None
            elif child.action not in game.legal_actions(real):
                child_kind, child_real = "illegal", None
            else:
                child_kind, child_real = "legal", game.next_state(real, child.action)
            visits[child_kind] += child.N
            rewards[child_kind].append(child.reward)
            values[child_kind].append(child.value)
            walk(child, child_real, child_kind)

    walk(result.root, state, "legal")
    return TreeAudit(
        visits=visits,
        mean_reward={k: float(np.mean(v)) if v else float("nan") for k, v in rewards.items()},
        mean_value={k: float(np.mean(v)) if v else float("nan") for k, v in values.items()},
    )


def blunders(game, player, me: int) -> list[tuple]:
    """The positions, reachable against the perfect player, where `player` (as player `me`)
    throws away the game-theoretic value: `(state, move, optimal_moves)`, in a fixed order."""
    check_game("game", game)
    me = v_.check_int("me", me, low=0, high=1)
    found, seen = [], set()
    frontier = [game.initial_state()]
    while frontier:
        nxt = []
        for s in frontier:
            if s in seen or game.is_terminal(s):
                continue
            seen.add(s)
            value, optimal = solve(game, s)
            if game.current_player(s) == me:
                a = player(s)
                if a not in optimal:
                    found.append((s, a, optimal))
                nxt.append(game.next_state(s, a))
            else:
                nxt.extend(game.next_state(s, a) for a in optimal)
        frontier = sorted(set(nxt), key=hash)
    return found
