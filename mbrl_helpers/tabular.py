"""Tabular action values: the pieces every tabular algorithm of the course shares.

- `q_update(Q, s, a, r, s_next, terminated, alpha, gamma)`: the one-step Q-learning update
  (Sutton & Barto 6.5), in place, as Dyna-Q's step (d) and (f), prioritized sweeping and sample
  planning all use it. A terminal S' has no future: the target is just R.
- `epsilon_greedy(q_s, epsilon, rng=...)`: step (b) of Dyna-Q, ties broken at random.
- `greedy_policy(Q)`: the greedy action of every state.

`Q` is an array `Q[s, a]` or a list of lists `Q[s][a]` (the fast loops of `dyna` keep lists:
on a 6x9 maze a numpy call costs more than the arithmetic it does).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mbrl_helpers.randomness import argmax_random
from mbrl_helpers.validation import check_discount, check_int, check_probability, check_step_size

__all__ = ["epsilon_greedy", "greedy_policy", "q_target", "q_update"]


def q_target(Q, r: float, s_next: int, terminated: bool, gamma: float) -> float:
    """The Q-learning target R + gamma max_a Q(S', a), or just R when S' is terminal."""
    return r if terminated else r + gamma * max(Q[s_next])


def q_update(
    Q,
    s: int,
    a: int,
    r: float,
    s_next: int,
    terminated: bool,
    alpha: float,
    gamma: float,
    *,
    check: bool = True,
) -> None:
    """Q(S, A) <- Q(S, A) + alpha [R + gamma max_a Q(S', a) - Q(S, A)], in place (6.5).

    A terminal S' has no future: the target is just R. Arguments are checked cheaply first, as
    this runs once per real or simulated step; a loop that has checked alpha and gamma once and
    takes s, a, s_next from a model passes `check=False`.
    """
    if check:
        _check_update(Q, s, a, s_next, alpha, gamma)
    Q[s][a] += alpha * (q_target(Q, r, s_next, terminated, gamma) - Q[s][a])


def epsilon_greedy(q_s: Sequence[float], epsilon: float, *, rng: np.random.Generator) -> int:
    """With probability epsilon a random action, else a greedy one, ties broken at random.

    Dyna-Q's step (b), A <- epsilon-greedy(S, Q). A fixed tie-break (always the first argmax)
    makes a zero-initialised agent keep choosing the same action wherever nothing is learned;
    random ties make its first episode a random walk.
    """
    if not (type(epsilon) is float and 0.0 <= epsilon <= 1.0):  # a cheap test first
        check_probability("epsilon", epsilon)  # raises, naming the argument, if it is wrong
    if rng.random() < epsilon:
        return int(rng.random() * len(q_s))
    return argmax_random(q_s, rng=rng)


def greedy_policy(
    Q, *, rng: np.random.Generator | None = None, undecided: int | None = None
) -> np.ndarray:
    """pi(s) = argmax_a Q(s, a) for every state.

    Ties go to the first action, or are broken at random with `rng`. With `undecided` (e.g.
    -1), a state whose actions are all tied (nothing learned there yet) gets that value instead.
    """
    Q = np.asarray(Q, dtype=float)
    if Q.ndim != 2:
        raise ValueError(f"Q must be a 2-D array (n_states, n_actions), got shape {Q.shape}")
    if rng is None:
        pi = Q.argmax(axis=1)
    else:
        pi = np.array([argmax_random(row.tolist(), rng=rng) for row in Q], dtype=int)
    if undecided is not None:
        pi[(Q == Q.max(axis=1, keepdims=True)).all(axis=1)] = check_int("undecided", undecided)
    return pi


def _check_update(Q, s, a, s_next, alpha, gamma) -> None:
    """q_update's arguments, or an error that names the bad one (a cheap test first)."""
    try:
        n_states, n_actions = len(Q), len(Q[0])
    except (TypeError, IndexError):
        raise TypeError(f"Q must be a non-empty table Q[s][a], got {Q!r:.60}") from None
    if (
        type(s) is int and type(a) is int and type(s_next) is int  # not bool, not 1.5
        and type(alpha) is float and type(gamma) is float
        and 0.0 < alpha <= 1.0 and 0.0 <= gamma <= 1.0
        and 0 <= s < n_states and 0 <= a < n_actions and 0 <= s_next < n_states
    ):  # fmt: skip
        return
    check_step_size("alpha", alpha)
    check_discount("gamma", gamma)
    for name, value, n in (("s", s, n_states), ("a", a, n_actions), ("s_next", s_next, n_states)):
        check_int(name, value, low=0, high=n - 1)
