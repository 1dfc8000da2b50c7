"""Planning helpers (lecture 03): speed of the pieces, each against a baseline in the same process.

1. `planning.value_iteration` (synchronous sweeps, vectorised with numpy) against repeating the
   readable in-place Python sweep `planning.value_iteration_sweep` to the same theta, on
   FrozenLake 8x8 and on the Dyna maze at 3 times its resolution.
2. `prioritized_sweeping.PriorityQueue` (a heap with lazy deletion) against a naive queue (a dict scanned for
   its maximum at every pop), on the push/pop pattern of prioritized sweeping.
3. Prioritized sweeping and Dyna-Q (Example 8.4, factor 3): updates until optimal and the wall
   time per update.
4. The hand-derived gradient of the predicted return (one backward pass) against central finite
   differences (2H rollouts), horizon 30.

Times are the best of `--repeat` runs (the machine may be loaded: read the ratios).

Usage::

    .venv/bin/python benchmarks/bench_planning.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

from mbrl_helpers import dyna, envs, planning
from mbrl_helpers.envs import DYNA_MAZE, GridWorld
from mbrl_helpers.experiments import example_8_4
from mbrl_helpers.planning import gradient, prioritized_sweeping


def best_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def in_place_value_iteration(P, gamma, theta):
    V = np.zeros(len(P))
    while planning.value_iteration_sweep(V, P, gamma) >= theta:
        pass
    return V


def bench_value_iteration(repeat: int) -> None:
    print("1. value iteration, gamma 0.95, theta 1e-8")
    models = {
        "FrozenLake 8x8": gym.make("FrozenLake-v1", map_name="8x8").unwrapped.P,
        "Dyna maze x3 (486 states)": GridWorld(envs.enlarge_maze(DYNA_MAZE, 3)).P,
    }
    for name, P in models.items():
        V_fast = planning.value_iteration(P, 0.95, theta=1e-8).V
        V_loop = in_place_value_iteration(P, 0.95, 1e-8)
        fast = best_time(lambda P=P: planning.value_iteration(P, 0.95, theta=1e-8), repeat)
        loop = best_time(lambda P=P: in_place_value_iteration(P, 0.95, 1e-8), repeat)
        print(
            f"   {name:26s} vectorised {fast * 1e3:8.1f} ms   in-place Python sweeps "
            f"{loop * 1e3:8.1f} ms   ratio {loop / fast:5.1f}x   "
            f"(|V gap| {np.abs(V_fast - V_loop).max():.1e})"
        )


class NaiveQueue:
    """The baseline: a dict of priorities, scanned for the maximum at every pop."""

    def __init__(self):
        self.priority = {}

    def push(self, pair, p):
        if p > self.priority.get(pair, -np.inf):
            self.priority[pair] = p

    def pop(self):
        pair = max(self.priority, key=self.priority.get)
        return pair, self.priority.pop(pair)

    def __len__(self):
        return len(self.priority)


def queue_workload(queue, pushes, n_pops):
    for k, (pair, p) in enumerate(pushes):
        queue.push(pair, p)
        if k % 4 == 3 and len(queue):  # ~4 predecessors pushed per update popped
            queue.pop()
    for _ in range(min(n_pops, len(queue))):
        queue.pop()


def bench_queue(repeat: int) -> None:
    print("2. priority queue, 40,000 pushes of 2,000 distinct pairs with a pop every 4 pushes")
    rng = np.random.default_rng(0)
    pairs = [
        (int(s), int(a))
        for s, a in zip(rng.integers(500, size=40_000), rng.integers(4, size=40_000), strict=True)
    ]
    pushes = list(zip(pairs, rng.random(40_000).tolist(), strict=True))
    heap = best_time(
        lambda: queue_workload(prioritized_sweeping.PriorityQueue(), pushes, 10**9), repeat
    )
    naive = best_time(lambda: queue_workload(NaiveQueue(), pushes, 10**9), repeat)
    print(
        f"   heap {heap * 1e3:7.1f} ms   naive dict scan {naive * 1e3:7.1f} ms   "
        f"ratio {naive / heap:5.1f}x"
    )


def bench_example_8_4() -> None:
    print("3. Example 8.4 on the Dyna maze x3, alpha 1, slack 1.2, 3 seeded runs")
    maze = GridWorld(envs.enlarge_maze(DYNA_MAZE, 3))
    for name, make in (
        ("Dyna-Q", dyna.DynaQAgent),
        ("prioritized sweeping", prioritized_sweeping.PrioritizedSweeping),
    ):
        updates, seconds = [], 0.0
        for seq in np.random.SeedSequence(0).spawn(3):
            agent = make(maze.n_states, 4, alpha=1.0, rng=np.random.default_rng(seq))
            start = time.perf_counter()
            updates.append(example_8_4.updates_until_optimal(agent, maze, maze.start, slack=1.2))
            seconds += time.perf_counter() - start
        print(
            f"   {name:21s} updates until optimal {updates}   {seconds:.2f} s in all, "
            f"{seconds / sum(updates) * 1e6:.1f} us per update (acting included)"
        )


def bench_gradient(repeat: int) -> None:
    print("4. gradient of the predicted return, point mass, horizon 30")
    model, reward = envs.PointMass(u_max=1.0), gradient.ReachReward()
    s0, actions = np.zeros(2), np.random.default_rng(0).uniform(-1, 1, size=(30, 1))
    analytic = best_time(lambda: gradient.return_gradient(model, reward, s0, actions), repeat)
    numeric = best_time(
        lambda: gradient.finite_difference_gradient(
            lambda a: gradient.predicted_return(model, reward, s0, a), actions
        ),
        repeat,
    )
    print(
        f"   backward pass {analytic * 1e3:6.2f} ms   finite differences {numeric * 1e3:7.2f} ms   "
        f"ratio {numeric / analytic:5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bench_value_iteration(args.repeat)
    bench_queue(args.repeat)
    bench_example_8_4()
    bench_gradient(args.repeat)


if __name__ == "__main__":
    main()
