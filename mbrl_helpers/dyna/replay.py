"""Q-learning with experience replay, the model-free twin of Dyna-Q (readable version).

- `q_learning_replay(env, n_replay=0, *, n_episodes=None, n_steps=None, alpha=0.1, gamma=0.95,
  epsilon=0.1, capacity=None, rng, max_episode_steps=None) -> DynaResult`: the Dyna-Q box with
  steps (e) and (f) replaced; everything else is the loop of `mbrl_helpers.dyna.dyna_q` (one
  loop serves both: `agent._act_and_learn`), so that the two agents make the same number of
  updates per real step and, on the same `rng`, the same random choices until their Q tables
  differ.
- `replay_updates(Q, buffer, n_replay, alpha, gamma, *, rng)`: the replay step (f').

The box (Lin 1992, "Self-improving reactive agents based on reinforcement learning, planning
and teaching"; the experience replay of DQN, without its target network):

    (a) S <- current (nonterminal) state
    (b) A <- epsilon-greedy(S, Q)
    (c) take action A; observe reward R and state S'
    (d) Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)]
    (e') add (S, A, R, S') to the buffer (the oldest goes when it is full)
    (f') repeat n times:
            (S, A, R, S') <- a random transition of the buffer
            Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)]

Where Dyna-Q's step (f) draws a previously observed *state*, then an *action* tried in it, and
asks the model what follows, (f') draws a *transition*: each pair as often as it happened, each
outcome as often as it happened (a stale one too, after the world changed), and never a pair
that was not tried. Sutton & Barto 8.2 (Dyna-Q), 8.3 (a changed world); van Hasselt, Hessel and
Aslanides, "When to use parametric models in reinforcement learning?" (NeurIPS 2019) for replay
as a non-parametric model.

Randomness: the same three streams as `dyna_q` (`_streams`: the environment's seed, acting,
replaying); each replay draws one uniform `u` and takes the `int(u * len(buffer))`-th stored
transition. `mbrl_helpers.dyna.fast.q_learning_replay_fast` computes the same numbers faster.
"""

from __future__ import annotations

import gymnasium
import numpy as np

from mbrl_helpers.dyna.agent import DynaResult, _act_and_learn, _streams
from mbrl_helpers.models.replay import ReplayBuffer
from mbrl_helpers.tabular import q_update
from mbrl_helpers.validation import (
    check_budget,
    check_discount,
    check_int,
    check_probability,
    check_step_size,
    check_tabular_env,
)

__all__ = ["q_learning_replay", "replay_updates"]


def replay_updates(
    Q, buffer: ReplayBuffer, n_replay: int, alpha: float, gamma: float, *, rng: np.random.Generator
) -> None:
    """Step (f'): n times, replay a stored real transition through the Q-learning update.

    (S, A, R, S') <- a random transition of the buffer (uniform over what is stored, so each pair
    as often as it happened); Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)].
    """
    for s, a, r, s_next, terminated in buffer.random_transitions(n_replay, rng=rng):
        q_update(Q, s, a, r, s_next, terminated, alpha, gamma)


def q_learning_replay(
    env: gymnasium.Env,
    n_replay: int = 0,
    *,
    n_episodes: int | None = None,
    n_steps: int | None = None,
    alpha: float = 0.1,
    gamma: float = 0.95,
    epsilon: float = 0.1,
    capacity: int | None = None,
    rng: np.random.Generator,
    max_episode_steps: int | None = None,
) -> DynaResult:
    """Tabular Q-learning with experience replay: `n_replay` replayed updates per real step.

    Runs until `n_episodes` episodes have finished or `n_steps` real steps were taken (whichever
    comes first; give at least one). Each real step: (b) epsilon-greedy action, (c) take it,
    (d) Q-learning update, (e') store the transition, (f') `n_replay` updates on transitions
    drawn uniformly from the buffer (`capacity=None`: every transition is kept). With
    `n_replay = n_planning` it makes exactly as many updates as `dyna_q`. The result's `model`
    is the buffer; `n_updates` counts the replayed updates.
    """
    n_states, n_actions = check_tabular_env("env", env)
    n_replay = check_int("n_replay", n_replay, low=0)
    n_episodes, n_steps, max_episode_steps = check_budget(n_episodes, n_steps, max_episode_steps)
    alpha, gamma = check_step_size("alpha", alpha), check_discount("gamma", gamma)
    epsilon = check_probability("epsilon", epsilon)
    env_seed, act_rng, replay_rng = _streams(rng=rng)

    # Initialize Q(s, a) and an empty buffer
    Q = [[0.0] * n_actions for _ in range(n_states)]
    buffer = ReplayBuffer(capacity)

    def store_and_replay(s, a, r, s_next, terminated, t):
        buffer.add(s, a, r, s_next, terminated)  # (e') store (S, A, R, S')
        replay_updates(Q, buffer, n_replay, alpha, gamma, rng=replay_rng)  # (f') n of them

    return _act_and_learn(
        env,
        Q,
        store_and_replay,
        memory=buffer,
        n_per_step=n_replay,
        n_episodes=n_episodes,
        n_steps=n_steps,
        max_episode_steps=max_episode_steps,
        alpha=alpha,
        gamma=gamma,
        epsilon=epsilon,
        env_seed=env_seed,
        act_rng=act_rng,
    )
