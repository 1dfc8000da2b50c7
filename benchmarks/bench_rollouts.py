"""Speed of the games and the rollout algorithm: rollouts per second, and the ratio against a
baseline run in the same process (a plain rollout loop over the game protocol, one rng call per
move), so the ratio holds on a loaded machine.

    .venv/bin/python benchmarks/bench_rollouts.py
"""

from __future__ import annotations

import time

import numpy as np

from mbrl_helpers import games, rollouts


def baseline_rollout(game, state, rng):
    """One random game through the protocol only: legal_actions / next_state / is_terminal."""
    player = game.current_player(state)
    while not game.is_terminal(state):
        legal = game.legal_actions(state)
        state = game.next_state(state, legal[int(rng.integers(len(legal)))])
    return game.returns(state)[player]


def rate(fn, n: int, repeats: int = 3) -> float:
    """Best of `repeats` runs of `fn()` doing `n` units of work: units per second."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    for game, n in ((games.TicTacToe(), 20_000), (games.ConnectFour(), 2_000)):
        s = game.initial_state()
        rng = np.random.default_rng(0)
        base = rate(
            lambda g=game, s=s, n=n, rng=rng: [baseline_rollout(g, s, rng) for _ in range(n)], n
        )
        fast = rate(lambda g=game, s=s, n=n, rng=rng: rollouts.rollout_values(g, s, n, rng=rng), n)
        print(
            f"{game.name:>13}: rollout_values {fast:>9,.0f} rollouts/s, protocol loop "
            f"{base:>9,.0f} rollouts/s, ratio {fast / base:.1f}x"
        )
    game = games.TicTacToe()
    player = rollouts.RolloutPlayer(game, n_rollouts=1000, seed=0)
    moves = rate(lambda: player(game.initial_state()), 1, repeats=5)
    print(
        f"  tic-tac-toe: one decision with N = 1000 rollouts from the empty board: "
        f"{1e3 / moves:.1f} ms"
    )


if __name__ == "__main__":
    main()
