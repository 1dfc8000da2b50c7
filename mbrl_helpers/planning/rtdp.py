"""Real-time dynamic programming (Sutton & Barto 8.7): value iteration along the agent's way.

RTDP applies value iteration's expected update

    Q(s, a) <- sum_{s', r} p(s', r | s, a) [r + gamma max_a' Q(s', a')]

to the pairs met on trajectories, real or simulated, that follow the greedy policy of the current
values (an on-policy trajectory-sampling version of value iteration), instead of sweeping every
pair. Its values are **stored**: what planning learns about a state stays there for the next step
and the next episode. That makes RTDP background planning whose order of updates is set by where
the agent goes; it is *not* decision-time planning in the sense of section 8.8, whose values are
specific to the current state and discarded once the action is chosen (rollouts, MCTS: lectures
04-06). `rtdp_episode(..., keep_values=False)` runs that contrast: the same trials, the values
thrown away after every move.

With optimistic initial values (Q = 0 when every reward is negative), a goal reachable from
everywhere and zero-valued goals, RTDP converges to values that are optimal on the states
relevant from the start states, possibly without ever updating the others (section 8.7).

- `rtdp_plan(Q, P, s, ...)`: trials of expected updates from the current state `s`, greedy
  through the model, on the stored values Q (in place); returns the greedy action at `s`.
- `rtdp_episode(P, start, ...)`: one real episode, `rtdp_plan` before every real step; pass
  the returned `Episode.Q` to the next episode to keep learning.
- `plan_ahead(Q, P, ...)`: the alternative, sweeps of expected updates over every pair (or the
  pairs of given states), in place (asynchronous value iteration, sections 4.5 and 8.5).

Models are in Gymnasium's `P[s][a]` format (see `mbrl_helpers.planning`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation
from mbrl_helpers.planning.dp import check_Q, expected_update, sample_transition
from mbrl_helpers.randomness import argmax_random, sample_index

# --------------------------------------------------------------------------------------------
# RTDP (section 8.7): trials of expected updates from the current state, values stored
# --------------------------------------------------------------------------------------------


def rtdp_plan(
    Q: np.ndarray,
    P,
    s: int,
    gamma: float,
    n_updates: int,
    max_depth: int,
    *,
    rng: np.random.Generator,
) -> int:
    """RTDP trials from the current state `s` on the stored values Q (section 8.7), in place.

    Repeat: from `s`, follow the greedy policy of Q through the model for at most `max_depth`
    steps, applying an `expected_update` to every pair on the way, until `n_updates` updates are
    spent. Only states reachable from `s` are ever touched, and the updated values stay in Q for
    later steps and episodes. Returns the greedy action at `s`.
    """
    n_updates = validation.check_int("n_updates", n_updates, low=1)
    max_depth = validation.check_int("max_depth", max_depth, low=1)
    validation.check_rng("rng", rng)
    spent = 0
    while spent < n_updates:
        state = s
        for _ in range(max_depth):
            a = argmax_random(Q[state], rng=rng)
            expected_update(Q, P, state, a, gamma)
            spent += 1
            _, s_next, terminated = sample_transition(P, state, a, rng=rng)
            if terminated or spent >= n_updates:
                break
            state = s_next
    return argmax_random(Q[s], rng=rng)


def plan_ahead(
    Q: np.ndarray, P, gamma: float, n_updates: int, states: Iterable[int] | None = None
) -> None:
    """Planning ahead of acting: `n_updates` expected updates in sweeps over every (s, a), in
    state order, in place (asynchronous value iteration on Q, sections 4.5 and 8.5).

    `states` (default: every state) restricts the sweeps to those states, for instance the cells
    of a maze that are not walls: updates of states that can never be reached are wasted.
    """
    n_updates = validation.check_int("n_updates", n_updates, low=0)
    n_states, n_actions = check_Q(Q).shape
    if states is None:
        states = range(n_states)
    else:
        states = [validation.check_int("states", s, low=0, high=n_states - 1) for s in states]
        if not states:
            raise ValueError("states: expected at least one state to sweep, got none")
    pairs = itertools.cycle(itertools.product(states, range(n_actions)))
    for s, a in itertools.islice(pairs, n_updates):
        expected_update(Q, P, s, a, gamma)


@dataclass(frozen=True)
class Episode:
    """What `rtdp_episode` returns: the real steps it took and the values it kept."""

    steps: int | None  # real steps to termination; None if max_steps ran out first
    Q: np.ndarray  # the stored values after the episode (the initial ones if not kept)
    n_updates: int  # expected updates spent: steps * n_updates_per_step


def rtdp_episode(
    P,
    start: int,
    gamma: float,
    n_updates_per_step: int,
    max_depth: int,
    *,
    rng: np.random.Generator,
    Q: np.ndarray | None = None,
    keep_values: bool = True,
    max_steps: int = 10_000,
) -> Episode:
    """One real episode of RTDP from `start`: before every real step, `rtdp_plan` from the
    current state, then the greedy action, taken in `P` (the true model stands in for the world).

    `Q` (copied; default zeros, optimistic when every reward is negative) holds the values the
    episode starts from; with `keep_values` they are updated and kept from step to step and
    returned, to start the next episode from (section 8.7). With `keep_values=False` every step
    plans from a fresh copy of the initial values and throws its values away after choosing the
    action: decision-time planning (section 8.8) with the same trials.

    The same numbers as calling `rtdp_plan` and `sample_transition` in a loop (the tests check
    it), with Q kept as lists inside the episode: on a maze, numpy's per-call overhead would cost
    more than the arithmetic.
    """
    n_states, n_actions = len(P), len(P[0])
    n_updates = validation.check_int("n_updates_per_step", n_updates_per_step, low=1)
    max_depth = validation.check_int("max_depth", max_depth, low=1)
    max_steps = validation.check_int("max_steps", max_steps, low=1)
    gamma = validation.check_discount("gamma", gamma)
    start = validation.check_int("start", start, low=0, high=n_states - 1)
    validation.check_rng("rng", rng)
    Q0 = np.zeros((n_states, n_actions)) if Q is None else check_Q(Q)
    if Q0.shape != (n_states, n_actions):
        raise ValueError(f"Q must have shape ({n_states}, {n_actions}), got {Q0.shape}")
    initial = Q0.tolist()
    values = [row[:] for row in initial]

    def sample(state, a):  # R, S' <- Model(S, A): sample_transition's draw
        transitions = P[state][a]
        k = sample_index([t[0] for t in transitions], rng=rng) if len(transitions) > 1 else 0
        _, s_next, _, terminated = transitions[k]
        return s_next, terminated

    s, steps = start, None
    for t in range(1, max_steps + 1):
        if not keep_values:
            values = [row[:] for row in initial]
        spent = 0  # rtdp_plan, inlined
        while spent < n_updates:
            state = s
            for _ in range(max_depth):
                a = argmax_random(values[state], rng=rng)
                value = 0.0  # the expected update
                for prob, s_next, r, terminated in P[state][a]:
                    value += prob * (r if terminated else r + gamma * max(values[s_next]))
                values[state][a] = value
                spent += 1
                s_next, terminated = sample(state, a)
                if terminated or spent >= n_updates:
                    break
                state = s_next
        a = argmax_random(values[s], rng=rng)
        s, terminated = sample(s, a)  # the real step
        if terminated:
            steps = t
            break
    kept = np.array(values if keep_values else initial, dtype=float)
    return Episode(steps, kept, (max_steps if steps is None else steps) * n_updates)
