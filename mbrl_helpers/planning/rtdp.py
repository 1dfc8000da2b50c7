"""Real-time dynamic programming (Sutton & Barto 8.7): expected updates along greedy trials.

- `plan_ahead`: sweeps of expected updates over every pair (or the pairs of given states);
- `rtdp_plan`: RTDP trials from the current state `s`, greedy through the model;
- `act_while_planning`: before every real step, `rtdp_plan` from the current state; it returns
  an `Episode`.

Models are in Gymnasium's `P[s][a]` format (see `mbrl_helpers.planning`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from mbrl_helpers import validation
from mbrl_helpers.planning.dp import check_Q, expected_update, sample_transition
from mbrl_helpers.randomness import argmax_random

# --------------------------------------------------------------------------------------------
# Planning while acting (section 8.7): trials of expected updates from the current state
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
    """Decision-time planning from the current state `s`: real-time DP trials (section 8.7).

    Repeat: from `s`, follow the greedy policy of Q through the model for at most `max_depth`
    steps, applying an `expected_update` to every pair on the way, until `n_updates` updates are
    spent. Only states reachable from `s` are ever touched. Returns the greedy action at `s`.
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
    """What `act_while_planning` returns: the real steps it took and the values it kept."""

    steps: int | None  # real steps to termination; None if max_steps ran out first
    Q: np.ndarray  # the action values after the episode (stored and reused, section 8.7)
    n_updates: int  # expected updates spent: steps * n_updates_per_step


def act_while_planning(
    P,
    start: int,
    gamma: float,
    n_updates_per_step: int,
    max_depth: int,
    *,
    rng: np.random.Generator,
    max_steps: int = 10_000,
) -> Episode:
    """Planning while acting: before every real step, `rtdp_plan` from the current state.

    Acts in the model `P` (here the true model stands in for the world) from `start` with Q = 0
    (optimistic when every reward is negative) until termination or `max_steps` real steps.
    """
    n_states = len(P)
    n_actions = len(P[0])
    Q = np.zeros((n_states, n_actions))
    s = start
    for step in range(1, max_steps + 1):
        a = rtdp_plan(Q, P, s, gamma, n_updates_per_step, max_depth, rng=rng)
        _, s, terminated = sample_transition(P, s, a, rng=rng)  # the real step
        if terminated:
            return Episode(step, Q, step * n_updates_per_step)
    return Episode(None, Q, max_steps * n_updates_per_step)
