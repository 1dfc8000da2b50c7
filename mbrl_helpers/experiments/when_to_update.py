"""When to update the model (lecture 02): Dyna-Q whose counting model learns at once or in batches.

Dyna-Q (Sutton & Barto 8.2) on slippery FrozenLake, with the counting model `TabularModel` in
step (e). After each real step: (d) the Q-learning update, (e) the model learns the transition,
(f) `n_planning` sample updates from the model,

    S, A <- a previously observed state, an action tried in it;   R, S' <- Model(S, A)
    Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)].

With `model_every = k > 1` step (e) waits: the transitions are kept in a buffer and the model
learns them all every k real steps (as when a neural model is refitted in batches); planning
uses the model as it stands. `model_every = 1` is plain Dyna-Q with a counting model;
`n_planning = 0` is Q-learning. The measure is the real value v_pi(s0) of the greedy policy,
computed exactly from the true P (`planning.policy_evaluation`), at checkpoints.

`dyna_q_batched(env, P, ...)` runs once; `run(n_runs, seed)` runs every setting on the same
`n_runs` generators (`spawn_rngs(seed, n_runs)`: run i of every setting starts from the same
generator state, so the settings are compared run by run); `benchmarks/when_to_update.py`
stores 100 runs in `mbrl_helpers/data/when_to_update.json`, read back by `stored_results()`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import gymnasium as gym
import numpy as np

from mbrl_helpers.models import TabularModel
from mbrl_helpers.planning import policy_evaluation
from mbrl_helpers.randomness import draw_seed, spawn_rngs
from mbrl_helpers.tabular import epsilon_greedy, q_update
from mbrl_helpers.validation import (
    check_discount,
    check_int,
    check_probability,
    check_rng,
    check_step_size,
    check_tabular_env,
)

__all__ = ["WhenToUpdate", "dyna_q_batched", "run", "stored_results", "to_json"]

DATA_FILE = "data/when_to_update.json"


def dyna_q_batched(
    env: gym.Env,
    P,
    *,
    n_steps: int,
    model_every: int,
    n_planning: int,
    checkpoints: Sequence[int],
    rng: np.random.Generator,
    alpha: float = 0.1,
    gamma: float = 0.99,
    epsilon: float = 0.2,
) -> np.ndarray:
    """One run of Dyna-Q with a counting model that learns every `model_every` real steps.

    Returns v_pi(s0) of the greedy policy (ties to the first action) at each checkpoint, from
    the true `P` of `env` (`env.unwrapped.P`).
    """
    n_states, n_actions = check_tabular_env("env", env)
    n_steps = check_int("n_steps", n_steps, low=1)
    model_every = check_int("model_every", model_every, low=1)
    n_planning = check_int("n_planning", n_planning, low=0)
    checkpoints = [check_int("checkpoints", c, low=1, high=n_steps) for c in checkpoints]
    check_rng("rng", rng)
    alpha, gamma = check_step_size("alpha", alpha), check_discount("gamma", gamma)
    epsilon = check_probability("epsilon", epsilon)
    Q = [[0.0] * n_actions for _ in range(n_states)]
    model, pending, values = TabularModel(), [], []
    s, _ = env.reset(seed=draw_seed(rng=rng))
    for t in range(1, n_steps + 1):
        a = epsilon_greedy(Q[s], epsilon, rng=rng)  # (b)
        s_next, r, terminated, truncated, _ = env.step(a)  # (c)
        s_next, r = int(s_next), float(r)
        q_update(Q, s, a, r, s_next, terminated, alpha, gamma)  # (d) direct RL
        pending.append((s, a, r, s_next, terminated))
        if t % model_every == 0:  # (e) the model learns, now or in a batch
            for transition in pending:
                model.update(*transition)
            pending.clear()
        if n_planning and len(model):  # (f) planning with the model as it stands
            for ps, pa in model.random_pairs(n_planning, rng=rng):
                r_sim, s_sim, term_sim = model.sample(ps, pa, rng=rng)
                q_update(Q, ps, pa, r_sim, s_sim, term_sim, alpha, gamma)
        s = s_next
        if terminated or truncated:
            s, _ = env.reset()
        if t in checkpoints:
            pi = np.array(Q).argmax(axis=1)
            values.append(float(policy_evaluation(P, pi, gamma)[0]))
    return np.array(values)


@dataclass(frozen=True)
class WhenToUpdate:
    """v_pi(s0) of each setting: `values[name]` has shape (n_runs, len(checkpoints))."""

    checkpoints: tuple[int, ...]
    values: dict[str, np.ndarray]
    seed: int
    n_planning: int
    batch: int


def settings(batch: int, n_planning: int) -> dict[str, tuple[int, int]]:
    """name -> (model_every, n_planning) of the three agents compared."""
    return {
        "model updated every step": (1, n_planning),
        f"model updated every {batch} steps": (batch, n_planning),
        "no model (Q-learning)": (1, 0),
    }


def run(
    n_runs: int = 30,
    seed: int = 0,
    *,
    n_steps: int = 2_000,
    checkpoints: Sequence[int] = (250, 500, 1_000, 1_500, 2_000),
    n_planning: int = 5,
    batch: int = 500,
) -> WhenToUpdate:
    """Every setting of `settings(batch, n_planning)` for `n_runs` runs on slippery FrozenLake."""
    n_runs = check_int("n_runs", n_runs, low=1)
    env = gym.make("FrozenLake-v1")
    P = env.unwrapped.P
    values = {}
    for name, (every, planning_steps) in settings(batch, n_planning).items():
        values[name] = np.array(
            [
                dyna_q_batched(
                    env,
                    P,
                    n_steps=n_steps,
                    model_every=every,
                    n_planning=planning_steps,
                    checkpoints=checkpoints,
                    rng=rng,
                )
                for rng in spawn_rngs(seed, n_runs)
            ]
        )
    return WhenToUpdate(tuple(int(c) for c in checkpoints), values, seed, n_planning, batch)


def to_json(result: WhenToUpdate) -> str:
    """The result as the text of the stored file."""
    payload = {
        "seed": result.seed,
        "n_planning": result.n_planning,
        "batch": result.batch,
        "checkpoints": list(result.checkpoints),
        "values": {
            k: [[round(float(x), 10) for x in row] for row in v] for k, v in result.values.items()
        },
    }
    return json.dumps(payload, indent=1) + "\n"


def stored_results() -> WhenToUpdate:
    """The 100 runs stored by `benchmarks/when_to_update.py`."""
    text = resources.files("mbrl_helpers").joinpath(DATA_FILE).read_text()
    data = json.loads(text)
    return WhenToUpdate(
        tuple(data["checkpoints"]),
        {k: np.array(v) for k, v in data["values"].items()},
        data["seed"],
        data["n_planning"],
        data["batch"],
    )
