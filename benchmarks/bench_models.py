"""Benchmark: the learned models of lecture 02, against simple baselines run in this process.

    .venv/bin/python benchmarks/bench_models.py [--repeats 3]

1. `models.TabularModel` (dicts of counts) against the obvious array version (`N[s, a, s']`,
   sampling with `rng.choice(n_states, p=N[s, a] / N[s, a].sum())`): updates and samples per
   second on slippery FrozenLake transitions, as Dyna-style planning uses them.
2. `nets.train` of the CartPole regression network (5 -> 64 -> 64 -> 4, batch 64, Adam): gradient
   steps per second, against the forward passes alone (the floor for any training step).

Each figure is the best of `--repeats`, interleaved, so load from other processes hurts both
sides alike. Not a test: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

from mbrl_helpers import models
from mbrl_helpers.models import nets
from mbrl_helpers.models import neural as nm


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    lake = gym.make("FrozenLake-v1")
    data = nm.collect_transitions(lake, 20_000, rng=np.random.default_rng(0))
    rows = list(
        zip(
            data["s"].tolist(),
            data["a"].tolist(),
            data["r"].tolist(),
            data["s_next"].tolist(),
            data["terminated"].tolist(),
            strict=True,
        )
    )
    n_states, n_actions = 16, 4

    def table_updates():
        model = models.TabularModel()
        for s, a, r, s_next, t in rows:
            model.update(s, a, r, s_next, t)
        return model

    def array_updates():
        N = np.zeros((n_states, n_actions, n_states))
        R_sum = np.zeros_like(N)
        for s, a, r, s_next, _t in rows:
            N[s, a, s_next] += 1
            R_sum[s, a, s_next] += r
        return N

    model, N = table_updates(), array_updates()
    pairs = [model.random_pair(rng=np.random.default_rng(i)) for i in range(len(rows))]

    def table_samples():
        rng = np.random.default_rng(1)
        for s, a in pairs:
            model.sample(s, a, rng=rng)

    def array_samples():
        rng = np.random.default_rng(1)
        for s, a in pairs:
            rng.choice(n_states, p=N[s, a] / N[s, a].sum())

    print(f"TabularModel on {len(rows):,} FrozenLake transitions (best of {args.repeats}):")
    for what, ours, baseline in [
        ("updates", table_updates, array_updates),
        ("samples", table_samples, array_samples),
    ]:
        t_ours, t_base = 0.0, 0.0
        t_ours = best_of(args.repeats, ours)
        t_base = best_of(args.repeats, baseline)
        print(
            f"  {what}: TabularModel {len(rows) / t_ours:>10,.0f}/s, arrays "
            f"{len(rows) / t_base:>10,.0f}/s, ratio {t_base / t_ours:.2f}x"
        )

    cart = gym.make("CartPole-v1")
    cp = nm.collect_transitions(cart, 3_000, rng=np.random.default_rng(0))
    x = np.hstack([cp["s"], cp["a"][:, None]])
    y = cp["s_next"] - cp["s"]
    n_steps = 500

    def training():
        net = nets.MLP([5, 64, 64, 4], rng=np.random.default_rng(0))
        nets.train(
            net, nets.mse, x, y, rng=np.random.default_rng(1), n_steps=n_steps, progress=False
        )

    net = nets.MLP([5, 64, 64, 4], rng=np.random.default_rng(0))
    batches = [x[np.random.default_rng(i).integers(len(x), size=64)] for i in range(n_steps)]

    def forward_only():
        for xb in batches:
            net.forward(xb)

    t_train = best_of(args.repeats, training)
    t_fwd = best_of(args.repeats, forward_only)
    print(f"CartPole regression network 5-64-64-4, batch 64 (best of {args.repeats}):")
    print(
        f"  training {n_steps / t_train:,.0f} steps/s ({1e3 * t_train / n_steps:.3f} ms/step); "
        f"forward alone {n_steps / t_fwd:,.0f}/s; a training step costs "
        f"{t_train / t_fwd:.1f} forward passes"
    )


if __name__ == "__main__":
    main()
