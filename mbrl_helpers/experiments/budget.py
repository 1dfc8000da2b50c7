"""One task, four ways to solve it, one budget table (lecture 08, "the big picture").

On the Dyna maze (Sutton & Barto Example 8.1) we count what each method spends before it behaves
near-optimally (a greedy path of at most `shortest + tolerance` steps from the start):

- `learn_until_near_optimal(agent, ...)`: model-free Q-learning (`n_planning=0`) and Dyna-Q,
  as `dyna.DynaQAgent`, learning from real episodes; checked after every episode.
- `value_iteration_on_learned_model(...)`: explore at random, learn a table model, plan with
  value iteration (ahead of acting); checked every `chunk` real steps.
- `rtdp_while_acting(...)`: plan while acting, with real-time dynamic programming trials from
  the current state (`rtdp.rtdp_plan`, section 8.7), on a learned or a given model. RTDP keeps
  its values from step to step; it is not decision-time planning in the sense of section 8.8,
  which throws them away after each move (lecture 03 compares the two).

Compute is counted in value updates (one Q-learning update, or one expected update of one
(s, a) pair); sweeps of value iteration count every pair they touch.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium
import numpy as np

from mbrl_helpers import dyna, models, planning
from mbrl_helpers.experiments import example_8_4
from mbrl_helpers.planning import rtdp
from mbrl_helpers.randomness import random_index, spawn_rngs
from mbrl_helpers.validation import check_int, check_rng


@dataclass(frozen=True)
class Cost:
    """What a method spent: real environment steps and value updates (computation)."""

    real_steps: int
    updates: int
    path_length: int | None  # greedy path from the start after learning (None: goal not reached)


def _maze(env: gymnasium.Env):
    maze = env.unwrapped
    return maze.P, maze.start, maze.observation_space.n, maze.action_space.n


def learn_until_near_optimal(
    env: gymnasium.Env, n_planning: int, *, seed: int, tolerance: int = 2, max_steps: int = 200_000
) -> Cost:
    """Run Dyna-Q with `n_planning` planning steps (0: Q-learning) episode by episode until its
    greedy path from the start takes at most `shortest + tolerance` steps."""
    P, start, n_states, n_actions = _maze(env)
    n_planning = check_int("n_planning", n_planning, low=0)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    agent = dyna.DynaQAgent(n_states, n_actions, n_planning=n_planning, rng=rng)
    shortest = example_8_4.shortest_path_length(P, start)
    longest = shortest + check_int("tolerance", tolerance, low=0)
    env.reset(seed=seed)
    example_8_4.updates_until_optimal(
        agent, env, start, slack=longest / shortest, max_updates=max_steps * (1 + n_planning)
    )
    length = example_8_4.greedy_path_length(P, np.array(agent.Q), start, longest)
    return Cost(agent.n_updates // (1 + n_planning), agent.n_updates, length)


def explore(env: gymnasium.Env, s: int, n_steps: int, *, rng: np.random.Generator, model=None):
    """From state `s`, take `n_steps` uniformly random real steps, recording them in a table
    model (unseen pairs: stay put with reward 0). Returns `(model, state reached)`."""
    check_rng("rng", rng)
    model = model if model is not None else models.TabularModel(prior=models.self_loop_prior())
    n_actions = env.action_space.n
    for _ in range(check_int("n_steps", n_steps, low=0)):
        a = random_index(n_actions, rng=rng)
        s_next, r, terminated, truncated, _ = env.step(a)
        model.update(s, a, r, s_next, terminated)
        s = s_next
        if terminated or truncated:
            s, _ = env.reset()
    return model, s


def value_iteration_on_learned_model(
    env: gymnasium.Env,
    *,
    seed: int,
    chunk: int = 100,
    gamma: float = 0.95,
    tolerance: int = 2,
    max_steps: int = 20_000,
) -> tuple[Cost, models.TabularModel]:
    """Explore at random in chunks of `chunk` real steps; after each chunk, plan with value
    iteration on the learned model (unseen pairs: stay put, reward 0) until the greedy path is
    near-optimal. Every planning run counts. Returns the cost and the learned model."""
    P, start, n_states, n_actions = _maze(env)
    target = example_8_4.shortest_path_length(P, start) + check_int("tolerance", tolerance, low=0)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    s, _ = env.reset(seed=seed)
    model, steps, updates = None, 0, 0
    while steps < max_steps:
        model, s = explore(env, s, chunk, rng=rng, model=model)
        steps += chunk
        plan = planning.value_iteration(
            model.to_P(n_states, n_actions), gamma, theta=1e-6, in_place=True
        )
        Q, updates = plan.Q, updates + plan.n_updates
        length = example_8_4.greedy_path_length(P, Q, start, target)
        if length is not None:
            return Cost(steps, updates, length), model
    return Cost(steps, updates, None), model


def rtdp_while_acting(
    env: gymnasium.Env,
    P_plan,
    *,
    seed: int,
    n_updates: int = 300,
    max_depth: int = 60,
    gamma: float = 0.95,
    max_steps: int = 200,
) -> Cost:
    """One real episode from the start, planning at every step from the current state with
    `n_updates` RTDP updates on the model `P_plan` (Q starts optimistic at 1, the largest
    possible return, so unexplored paths look promising until planning proves otherwise); Q is
    kept from one real step to the next, as RTDP does (Sutton & Barto 8.7)."""
    _P, _start, n_states, n_actions = _maze(env)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    Q = np.ones((n_states, n_actions))
    s, _ = env.reset(seed=seed)
    for step in range(1, check_int("max_steps", max_steps, low=1) + 1):
        a = rtdp.rtdp_plan(Q, P_plan, s, gamma, n_updates, max_depth, rng=rng)
        s, _r, terminated, truncated, _ = env.step(a)
        if terminated or truncated:
            return Cost(step, step * n_updates, step)
    return Cost(max_steps, max_steps * n_updates, None)


@dataclass(frozen=True)
class Row:
    method: str
    model: str
    planning: str
    real_steps: float
    updates: float
    path_length: float  # mean over the runs that reached the goal
    failures: int  # runs that never reached the goal within their budget


def _row(method: str, model: str, when: str, costs: list[Cost]) -> Row:
    lengths = [c.path_length for c in costs if c.path_length is not None]
    return Row(
        method,
        model,
        when,
        float(np.mean([c.real_steps for c in costs])),
        float(np.mean([c.updates for c in costs])),
        float(np.mean(lengths)) if lengths else float("nan"),
        len(costs) - len(lengths),
    )


RTDP_UPDATES = 1000  # per real step: enough for near-optimal paths on the Dyna maze (~15 steps)


def budget_table(n_runs: int = 5, seed: int = 0) -> list[Row]:
    """The comparison of lecture 08: the mean cost of each method over `n_runs` seeds."""
    check_int("n_runs", n_runs, low=1)
    seeds = [int(r.integers(2**31)) for r in spawn_rngs(seed, n_runs)]
    env = gymnasium.make("mbrl_helpers/DynaMaze-v0")
    q_learning = [learn_until_near_optimal(env, 0, seed=k) for k in seeds]
    dyna_q = [learn_until_near_optimal(env, 50, seed=k) for k in seeds]
    planned, acted = [], []
    for k in seeds:
        cost, model = value_iteration_on_learned_model(env, seed=k)
        planned.append(cost)
        # RTDP while acting on the very same learned model (the same real data)
        P_learned = model.to_P(env.observation_space.n, env.action_space.n)
        episode = rtdp_while_acting(env, P_learned, seed=k, n_updates=RTDP_UPDATES)
        acted.append(
            Cost(cost.real_steps + episode.real_steps, episode.updates, episode.path_length)
        )
    given = [rtdp_while_acting(env, env.unwrapped.P, seed=k, n_updates=RTDP_UPDATES) for k in seeds]
    return [
        _row("Q-learning", "none", "none", q_learning),
        _row("Dyna-Q, n=50", "learned table", "ahead (in the background)", dyna_q),
        _row("value iteration", "learned table", "ahead (after exploring)", planned),
        _row("RTDP from the current state", "same learned table", "while acting", acted),
        _row("RTDP from the current state", "given (true P)", "while acting", given),
    ]
