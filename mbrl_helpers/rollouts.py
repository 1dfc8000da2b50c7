"""The rollout algorithm: plan while acting by simulating games from the current state.

From the current state s_t, play N games ("rollouts") tau_1, ..., tau_N to the end with a base
policy b (uniformly random by default), observe their outcomes v_i in {-1, 0, +1} from the view of
the player to move in s_t, and estimate each action's value by the mean outcome of the rollouts
that start with that action:

    Q(s_t, a) = sum_{i: tau_i starts with a} v_i  /  #{i: tau_i starts with a}

then act greedily, A_t = argmax_a Q(s_t, a) (ties broken at random). Q(s_t, a) estimates q_b(s_t, a),
the value of a followed by b; acting greedily on it is one step of policy improvement over b, so
the rollout policy is at least as good as b (up to the noise of the estimates).
Sutton & Barto section 8.10 (Rollout Algorithms), and the notes' section "Rollout algorithm".

Algorithms here draw nothing; `mbrl_helpers.plotting.rollouts` draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mbrl_helpers.games import Game, Player, State, check_game
from mbrl_helpers.randomness import random_index, random_indices
from mbrl_helpers.validation import check_int, check_rng


def _check_live(game: Game, state: State) -> tuple[int, ...]:
    actions = game.legal_actions(state)
    if not actions:
        raise ValueError("state must not be terminal: there is no action to evaluate")
    return actions


def _check_base_policy(base_policy) -> None:
    if base_policy is not None and not callable(base_policy):
        raise TypeError(
            "base_policy must be None (uniformly random) or a player callable state -> action, "
            f"got {type(base_policy).__name__}"
        )


def rollout(
    game: Game, state: State, *, rng: np.random.Generator, base_policy: Player | None = None
) -> tuple[int, int]:
    """Play one game from `state` with the base policy b; return `(first_action, v)`.

    `v` is the outcome from the view of the player to move in `state` (+1 win, 0 draw, -1 loss).
    With `base_policy=None` every move, the first included, is uniformly random (drawn from `rng`);
    otherwise `base_policy(state) -> action` plays both sides (its randomness is its own).
    """
    check_game("game", game)
    check_rng("rng", rng)
    _check_base_policy(base_policy)
    actions = _check_live(game, state)
    player = game.current_player(state)
    if base_policy is None:
        first_action = actions[random_index(len(actions), rng=rng)]
    else:
        first_action = base_policy(state)
    returns = _play_out(
        game, game.next_state(state, first_action), rng=rng, base_policy=base_policy
    )
    return first_action, returns[player]


def _play_out(game: Game, s: State, *, rng: np.random.Generator, base_policy: Player | None):
    """Play on from `s` with b (uniformly random when None) to the end; return the returns."""
    while not game.is_terminal(s):
        if base_policy is None:
            legal = game.legal_actions(s)
            s = game.next_state(s, legal[random_index(len(legal), rng=rng)])
        else:
            s = game.next_state(s, base_policy(s))
    return game.returns(s)


def q_from_rollouts(
    actions: Sequence[int], first_actions: Sequence[int], outcomes: Sequence[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per action of `actions`: `(Q, N, standard_error)` from rollouts `(first_actions, outcomes)`.

    Q[j] = mean of the outcomes of the rollouts whose first action is `actions[j]` (nan if none);
    N[j] = how many there were; standard_error[j] = sample standard deviation / sqrt(N[j])
    (nan when N[j] < 2).
    """
    actions = list(actions)
    first_actions = np.asarray(first_actions)
    outcomes = np.asarray(outcomes, dtype=float)
    if first_actions.shape != outcomes.shape or first_actions.ndim != 1:
        raise ValueError(
            "first_actions and outcomes must be 1-D and of equal length, got shapes "
            f"{first_actions.shape} and {outcomes.shape}"
        )
    unknown = set(first_actions.tolist()) - set(actions)
    if unknown:
        raise ValueError(
            f"first_actions holds {sorted(unknown)}, which are not in actions {actions}"
        )
    Q = np.full(len(actions), np.nan)
    N = np.zeros(len(actions), dtype=int)
    standard_error = np.full(len(actions), np.nan)
    for j, a in enumerate(actions):
        v = outcomes[first_actions == a]  # the rollouts tau_i that start with a
        N[j] = v.size
        if v.size:
            Q[j] = v.mean()
        if v.size >= 2:
            standard_error[j] = v.std(ddof=1) / np.sqrt(v.size)
    return Q, N, standard_error


def greedy_action(actions: Sequence[int], Q: np.ndarray, *, rng: np.random.Generator) -> int:
    """argmax_a Q(s, a) over the actions with an estimate (not nan), ties broken at random."""
    check_rng("rng", rng)
    Q = np.asarray(Q, dtype=float)
    if Q.shape != (len(actions),):
        raise ValueError(f"Q must have one entry per action ({len(actions)}), got shape {Q.shape}")
    if np.all(np.isnan(Q)):
        raise ValueError("Q must hold at least one estimate (it is all nan)")
    best = np.flatnonzero(Q == np.nanmax(Q))
    return actions[int(best[random_index(len(best), rng=rng)])]


@dataclass(frozen=True)
class RolloutEstimate:
    """Rollout estimates at one state: per legal action, Q, the rollout count N and the SE."""

    actions: tuple[int, ...]
    Q: np.ndarray
    N: np.ndarray
    standard_error: np.ndarray

    def table(self) -> str:
        """One line per action: `a`, `N(s, a)`, `Q(s, a) +- SE`."""
        lines = ["action     N   Q(s,a) +- SE"]
        for a, n, q, se in zip(self.actions, self.N, self.Q, self.standard_error, strict=True):
            lines.append(f"{a:>6} {int(n):>5}   {float(q):+.3f} +- {float(se):.3f}")
        return "\n".join(lines)


def rollout_values(
    game: Game,
    state: State,
    n_rollouts: int,
    *,
    rng: np.random.Generator,
    base_policy: Player | None = None,
    even: bool = False,
) -> RolloutEstimate:
    """Run `n_rollouts` rollouts from `state` and estimate Q(s, a) for every legal action.

    As in the notes, each rollout's first action comes from the base policy b (uniformly random
    by default). With `even=True`, first actions cycle through the legal actions instead (the
    variant of Sutton & Barto 8.10: the same number of rollouts for every action, then b), which
    also works when b is deterministic. With a random b, games that define `random_playout` are
    simulated on that fast path (same distribution).
    """
    check_game("game", game)
    n_rollouts = check_int("n_rollouts", n_rollouts, low=1)
    check_rng("rng", rng)
    _check_base_policy(base_policy)
    actions = _check_live(game, state)
    player = game.current_player(state)
    if even:
        first = [actions[i % len(actions)] for i in range(n_rollouts)]
    elif base_policy is None:
        first = [actions[j] for j in random_indices(len(actions), n_rollouts, rng=rng).tolist()]
    else:
        first = [base_policy(state) for _ in range(n_rollouts)]
    children = {a: game.next_state(state, a) for a in set(first)}  # raises on an illegal a
    fast = base_policy is None and hasattr(game, "random_playout")
    outcomes = []
    for a in first:
        if fast:
            returns = game.random_playout(children[a], rng=rng)
        else:
            returns = _play_out(game, children[a], rng=rng, base_policy=base_policy)
        outcomes.append(returns[player])
    Q, N, standard_error = q_from_rollouts(actions, first, outcomes)
    return RolloutEstimate(tuple(actions), Q, N, standard_error)


class RolloutPlayer:
    """The rollout policy: at every move, `n_rollouts` rollouts with b, then the greedy action.

    A player callable (`player(state) -> action`). It keeps nothing between moves (no memory:
    every move starts its estimates from scratch); `last_estimate` shows the latest estimates.
    """

    def __init__(
        self,
        game: Game,
        n_rollouts: int = 100,
        base_policy: Player | None = None,
        seed: int = 0,
        *,
        even: bool = False,
    ):
        self.game = check_game("game", game)
        self.n_rollouts = check_int("n_rollouts", n_rollouts, low=1)
        _check_base_policy(base_policy)
        self.base_policy = base_policy
        self.even = bool(even)
        self.rng = np.random.default_rng(check_int("seed", seed, low=0))
        self.last_estimate: RolloutEstimate | None = None
        self.__name__ = f"rollouts(N={self.n_rollouts})"

    def __repr__(self) -> str:
        return f"RolloutPlayer({self.game!r}, n_rollouts={self.n_rollouts})"

    def __call__(self, state: State) -> int:
        estimate = rollout_values(
            self.game,
            state,
            self.n_rollouts,
            rng=self.rng,
            base_policy=self.base_policy,
            even=self.even,
        )
        self.last_estimate = estimate
        return greedy_action(estimate.actions, estimate.Q, rng=self.rng)


_RANDOM_VALUES: dict[Game, dict[State, float]] = {}


def _random_value(game: Game, state: State, table: dict[State, float]) -> float:
    value = table.get(state)
    if value is None:
        if game.is_terminal(state):
            value = float(game.returns(state)[game.current_player(state)])
        else:
            actions = game.legal_actions(state)
            value = -sum(_random_value(game, game.next_state(state, a), table) for a in actions)
            value /= len(actions)
        table[state] = value
    return value


def random_play_values(game: Game, state: State) -> np.ndarray:
    """The exact q_b(s, a) of the uniformly random base policy b, per legal action of `state`.

    q_b(s, a) = -v_b(s') with s' = next_state(s, a), and v_b(s) = mean_a q_b(s, a) (or the
    outcome for the player to move when s is terminal): what the rollout estimates converge to.
    Exhaustive and memoised: meant for tic-tac-toe.
    """
    check_game("game", game)
    actions = _check_live(game, state)
    table = _RANDOM_VALUES.setdefault(game, {})
    return np.array([-_random_value(game, game.next_state(state, a), table) for a in actions])
