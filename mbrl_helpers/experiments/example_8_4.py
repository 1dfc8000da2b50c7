"""Example 8.4 of Sutton & Barto: updates until the greedy policy is optimal, on mazes of growing size.

Prioritized sweeping (`mbrl_helpers.planning.prioritized_sweeping.PrioritizedSweeping`) against
Dyna-Q one step at a time (`mbrl_helpers.dyna.DynaQAgent`) on the Dyna maze enlarged by
`mbrl_helpers.envs.enlarge_maze` (Peng and Williams, 1993):

- `updates_until_optimal(agent, env, start)`: run an agent until its greedy path is optimal;
- `run_until_optimal(agent, env, start, slacks=...)`: the same run, recording when the greedy
  path first came within each slack of the shortest, and the updates made before the first
  reward (a `Run`);
- `compare(factor, n_runs, seed=...)`: Dyna-Q and prioritized sweeping, `n_runs` seeded runs each
  on the maze enlarged `factor` times (a `Comparison`); `ratios(...)` turns comparisons into the
  ratios of median updates, under several ways of counting, with bootstrap intervals;
- `stored_results()`: the comparisons of `benchmarks/seeds_example_8_4.py` (20 runs per maze,
  too slow for a notebook), read from `mbrl_helpers/data/example_8_4_seeds.json`;
- `greedy_path_length`, `shortest_path_length` (from `mbrl_helpers.envs`): the two paths
  compared.

Models are in Gymnasium's `P[s][a]` format (see `mbrl_helpers.planning`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources

import numpy as np

from mbrl_helpers import dyna, validation
from mbrl_helpers.envs import DYNA_MAZE, GridWorld, enlarge_maze, shortest_path_length
from mbrl_helpers.planning.prioritized_sweeping import PrioritizedSweeping

__all__ = [
    "AGENTS",
    "Comparison",
    "Ratio",
    "Run",
    "compare",
    "greedy_path_length",
    "ratios",
    "run_until_optimal",
    "shortest_path_length",
    "stored_results",
    "updates_until_optimal",
]


def greedy_path_length(P, Q: np.ndarray, start: int, max_steps: int) -> int | None:
    """Steps the greedy policy (first-action ties) of Q takes from `start` to termination in a
    deterministic model, or None if it has not terminated within `max_steps`."""
    s = start
    for step in range(1, max_steps + 1):
        _, s, _, terminated = P[s][int(np.argmax(Q[s]))][0]
        if terminated:
            return step
    return None


@dataclass(frozen=True)
class Run:
    """One agent's run in Example 8.4."""

    slacks: tuple[float, ...]  # the criteria: greedy path at most slack x the shortest
    updates: tuple[int | None, ...]  # updates when each criterion was first met (None: never)
    updates_before_first_reward: int  # updates made before the first nonzero reward arrived
    first_episode_steps: int  # real steps of the first episode (a random walk for both agents)
    episodes: int  # episodes run

    def updates_at(self, slack: float) -> int | None:
        """Updates until the greedy path was first within `slack` x the shortest (None: never)."""
        return self.updates[self.slacks.index(slack)]


def run_until_optimal(
    agent,
    env,
    start: int,
    *,
    slacks: Sequence[float] = (1.0,),
    max_updates: int = 1_000_000,
    max_episodes: int = 10_000,
    max_episode_steps: int = 100_000,
) -> Run:
    """Run `agent` in the deterministic `env` until its greedy policy is optimal (Example 8.4),
    for each criterion in `slacks` at once.

    `agent` has `act(s) -> a`, `learn(s, a, r, s_next, terminated)`, a table `Q` and a counter
    `n_updates`. After each episode the greedy path from `start` (first-action ties) is compared
    with the shortest path in the env's true model `env.unwrapped.P`: the criterion `slack` is met
    when it is at most `slack` times as long. The run stops when every criterion has been met, or
    `max_updates` updates or `max_episodes` episodes ran out first.
    """
    slacks = tuple(validation.check_float("slack", s, low=1.0) for s in slacks)
    if not slacks:
        raise ValueError("slacks: expected at least one criterion, got none")
    max_updates = validation.check_int("max_updates", max_updates, low=1)
    max_episodes = validation.check_int("max_episodes", max_episodes, low=1)
    max_episode_steps = validation.check_int("max_episode_steps", max_episode_steps, low=1)
    P = env.unwrapped.P
    shortest = shortest_path_length(P, start)
    longest = [int(math.floor(s * shortest + 1e-9)) for s in slacks]
    met: list[int | None] = [None] * len(slacks)
    before_reward, first_steps, episodes = None, None, 0
    while episodes < max_episodes and agent.n_updates < max_updates:
        s, _ = env.reset()
        steps = 0
        for _ in range(max_episode_steps):
            a = agent.act(s)
            s_next, r, terminated, truncated, _ = env.step(a)
            if before_reward is None and r != 0:
                before_reward = int(agent.n_updates)
            agent.learn(s, a, r, s_next, terminated)
            s, steps = s_next, steps + 1
            if terminated or truncated:
                break
        episodes += 1
        first_steps = steps if first_steps is None else first_steps
        length = greedy_path_length(P, agent.Q, start, max(longest))
        for i, limit in enumerate(longest):
            if met[i] is None and length is not None and length <= limit:
                met[i] = int(agent.n_updates)
        if all(m is not None for m in met):
            break
    return Run(
        slacks,
        tuple(met),
        int(agent.n_updates) if before_reward is None else before_reward,
        int(first_steps or 0),
        episodes,
    )


def updates_until_optimal(
    agent,
    env,
    start: int,
    *,
    slack: float = 1.0,
    max_updates: int = 1_000_000,
    max_episodes: int = 10_000,
    max_episode_steps: int = 100_000,
) -> int | None:
    """Run `agent` in the deterministic `env` until its greedy policy is optimal (Example 8.4).

    `agent` has `act(s) -> a`, `learn(s, a, r, s_next, terminated)`, a table `Q` and a counter
    `n_updates`. After each episode the greedy path from `start` is compared with the shortest
    path in the env's true model `env.unwrapped.P`: it counts as optimal when it is at most
    `slack` times as long. Returns the number of updates by then, or None if `max_updates`
    updates or `max_episodes` episodes ran out first.
    """
    return run_until_optimal(
        agent,
        env,
        start,
        slacks=(slack,),
        max_updates=max_updates,
        max_episodes=max_episodes,
        max_episode_steps=max_episode_steps,
    ).updates[0]


AGENTS = ("Dyna-Q", "prioritized sweeping")


@dataclass(frozen=True)
class Comparison:
    """Runs of both agents on one maze (Example 8.4): `runs[agent][i]` is run i."""

    factor: int  # the Dyna maze enlarged factor x factor
    cells: int  # free cells
    shortest: int  # shortest path from S to G
    alpha: float
    n_planning: int
    runs: dict[str, tuple[Run, ...]]


def compare(
    factor: int,
    n_runs: int,
    *,
    seed: int,
    alpha: float = 1.0,
    n_planning: int = 5,
    slacks: Sequence[float] = (1.2, 1.0),
    max_updates: int = 1_000_000,
    max_episodes: int = 10_000,
) -> Comparison:
    """Dyna-Q (`dyna.DynaQAgent`) and prioritized sweeping (`PrioritizedSweeping`), epsilon = 0.1,
    gamma = 0.95, theta = 1e-4, `n_runs` runs each on the Dyna maze enlarged `factor` times.

    Run i of both agents uses the i-th child of `np.random.SeedSequence(seed + factor)`, split in
    two (one generator per agent): the first runs of a longer comparison are those of a shorter
    one. Dyna-Q counts its direct update too (n_planning + 1 updates per real step).
    """
    factor = validation.check_int("factor", factor, low=1)
    n_runs = validation.check_int("n_runs", n_runs, low=1)
    seed = validation.check_int("seed", seed, low=0)
    maze = GridWorld(enlarge_maze(DYNA_MAZE, factor))
    runs: dict[str, list[Run]] = {name: [] for name in AGENTS}
    for child in np.random.SeedSequence(seed + factor).spawn(n_runs):
        rng_dq, rng_ps = (np.random.default_rng(s) for s in child.spawn(2))
        agents = {
            "Dyna-Q": dyna.DynaQAgent(
                maze.n_states, 4, alpha=alpha, n_planning=n_planning, rng=rng_dq
            ),
            "prioritized sweeping": PrioritizedSweeping(
                maze.n_states, 4, alpha=alpha, n_planning=n_planning, rng=rng_ps
            ),
        }
        for name, agent in agents.items():
            runs[name].append(
                run_until_optimal(
                    agent,
                    maze,
                    maze.start,
                    slacks=slacks,
                    max_updates=max_updates,
                    max_episodes=max_episodes,
                )
            )
    return Comparison(
        factor,
        maze.n_states - len(maze.walls),
        shortest_path_length(maze.P, maze.start),
        float(alpha),
        n_planning,
        {name: tuple(r) for name, r in runs.items()},
    )


@dataclass(frozen=True)
class Ratio:
    """Median updates of each agent, and their ratio with a bootstrap interval."""

    dyna_q: float  # median updates of Dyna-Q (inf if more than half never got there)
    prioritized_sweeping: float
    ratio: float  # dyna_q / prioritized_sweeping
    low: float  # 5th and 95th percentiles of the ratio of medians over bootstrap resamples
    high: float  # (over the resamples in which both medians are finite)
    never: dict[str, int]  # runs of each agent that never met the criterion


def _counts(runs, slack, after_first_reward, dyna_q_per_step):
    counts = []
    for run in runs:
        n = run.updates_at(slack)
        if n is None:
            counts.append(np.inf)
            continue
        if after_first_reward:
            n -= run.updates_before_first_reward
        counts.append(n * dyna_q_per_step)
    return np.array(counts, dtype=float)


def ratios(
    comparison: Comparison,
    *,
    slack: float = 1.2,
    after_first_reward: bool = False,
    dyna_q_updates_per_step: int | None = None,
    n_bootstrap: int = 2000,
    seed: int = 0,
) -> Ratio:
    """The ratio of median updates (Dyna-Q / prioritized sweeping) under one way of counting.

    `after_first_reward`: count only the updates made after the first reward arrived (before it,
    Dyna-Q's updates change nothing and prioritized sweeping makes none). `dyna_q_updates_per_step`:
    count Dyna-Q's updates as if it made that many per real step (the book's "at most n = 5").
    The interval resamples the runs of both agents with replacement (`n_bootstrap` times, from
    `np.random.default_rng(seed)`).
    """
    per_step = comparison.n_planning + 1
    scale = 1.0 if dyna_q_updates_per_step is None else dyna_q_updates_per_step / per_step
    dq = _counts(comparison.runs["Dyna-Q"], slack, after_first_reward, scale)
    ps = _counts(comparison.runs["prioritized sweeping"], slack, after_first_reward, 1.0)
    rng = np.random.default_rng(seed)
    i = (rng.random((n_bootstrap, len(dq))) * len(dq)).astype(np.intp)
    j = (rng.random((n_bootstrap, len(ps))) * len(ps)).astype(np.intp)
    med_dq, med_ps = np.median(dq[i], axis=1), np.median(ps[j], axis=1)
    finite = np.isfinite(med_dq) & np.isfinite(med_ps)  # resamples where both medians exist
    boot = med_dq[finite] / med_ps[finite]
    low, high = np.percentile(boot, [5, 95]) if len(boot) else (np.nan, np.nan)
    m_dq, m_ps = float(np.median(dq)), float(np.median(ps))
    return Ratio(
        m_dq,
        m_ps,
        m_dq / m_ps if np.isfinite(m_dq) and np.isfinite(m_ps) else float("nan"),
        float(low),
        float(high),
        {"Dyna-Q": int(np.isinf(dq).sum()), "prioritized sweeping": int(np.isinf(ps).sum())},
    )


_STORED = "data/example_8_4_seeds.json"


def to_json(comparisons: Sequence[Comparison], settings: Mapping) -> str:
    """The comparisons as JSON (what `benchmarks/seeds_example_8_4.py` stores)."""
    rows = []
    for c in comparisons:
        row = asdict(c)
        row["runs"] = {name: [asdict(r) for r in runs] for name, runs in c.runs.items()}
        rows.append(row)
    return json.dumps({"settings": dict(settings), "comparisons": rows}, indent=1) + "\n"


def from_json(text: str) -> tuple[dict, list[Comparison]]:
    """`(settings, comparisons)` read back from `to_json`'s text."""
    data = json.loads(text)
    comparisons = []
    for row in data["comparisons"]:
        runs = {
            name: tuple(
                Run(
                    tuple(r["slacks"]),
                    tuple(r["updates"]),
                    r["updates_before_first_reward"],
                    r["first_episode_steps"],
                    r["episodes"],
                )
                for r in runs
            )
            for name, runs in row["runs"].items()
        }
        comparisons.append(
            Comparison(
                row["factor"], row["cells"], row["shortest"], row["alpha"], row["n_planning"], runs
            )
        )
    return data["settings"], comparisons


def stored_results() -> tuple[dict, list[Comparison]]:
    """The comparisons stored by `benchmarks/seeds_example_8_4.py`: `(settings, comparisons)`."""
    return from_json(resources.files("mbrl_helpers").joinpath(_STORED).read_text())
