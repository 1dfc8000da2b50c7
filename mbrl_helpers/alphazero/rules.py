"""The selection rules AlphaZero puts into MCTS, and the temperature on visit counts.

Both rules score every child a of a node s and the search follows the argmax:

- the lecture notes' simplified rule      Q(s,a) + pi_theta(a|s) / (N(s,a) + 1)
- AlphaZero's published rule (PUCT)       Q(s,a) + c_puct P(s,a) sqrt(N(s)) / (1 + N(s,a))

where P(s,a) = pi_theta(a|s) is the network's prior, N(s) = 1 + sum_b N(s,b) the visits of s
(see `puct_scores`) and Q(s,a) = W(s,a) / N(s,a) (0 for an unvisited child).

Where they differ. The published bonus grows with sqrt(N(s)): however many simulations, an edge
that is not visited gains priority, so visits keep spreading, roughly in proportion to P where
the Qs are close. The notes' bonus only shrinks (it is at most P <= 1 and Q spans [-1, 1]), so
once the Qs separate the search turns greedy on Q and extra simulations deepen a single line.
And c_puct weighs prior against value, a knob the notes' rule fixes at 1. Both are PUCT-like
(Rosin's "predictor + UCB"): unlike UCB1 no child has to be tried once before the others, so a
good prior lets the search skip bad moves entirely.

`puct_scores` and `puct_scores_notes` compute the scores on arrays (the formulas, for reading
and for `mcts.rule_from_scores`); `puct` and `puct_notes` are the same rules written as fast
`mcts` selection rules `select(node, c, rng) -> child`, which the search calls at every step.
"""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers import validation as v_
from mbrl_helpers.randomness import sample_index

C_PUCT = 1.5
"""Default c_puct of the published rule (AlphaZero's pseudocode grows it slowly from 1.25)."""


def puct_score(Q: float, P: float, N_parent: int, N_child: int, c_puct: float = C_PUCT) -> float:
    """One child's score: Q(s,a) + c_puct P(s,a) sqrt(N(s)) / (1 + N(s,a)).

    `N_parent` = N(s), the visits of the parent (see `puct_scores`), `N_child` = N(s,a). An
    unvisited child (N(s,a) = 0) gets a finite bonus proportional to its prior, not infinity as
    in UCB1: the prior decides which unvisited move is tried first, and bad ones may never be.
    """
    Q = v_.check_float("Q", Q, low=-1.0, high=1.0)
    P = v_.check_float("P", P, low=0.0, high=1.0)
    N_parent = v_.check_int("N_parent", N_parent, low=0)
    N_child = v_.check_int("N_child", N_child, low=0)
    c_puct = v_.check_float("c_puct", c_puct, low=0.0)
    return Q + c_puct * P * math.sqrt(N_parent) / (1 + N_child)


def puct_scores(Q, N, P, c_puct: float = C_PUCT) -> np.ndarray:
    """AlphaZero's score Q(s,a) + c_puct P(s,a) sqrt(N(s)) / (1 + N(s,a)) for every child a.

    N(s) counts the visits of s itself, 1 + sum_b N(s,b): the visit that expanded s plus one per
    simulation through it (AlphaZero's pseudocode and `mcts.Node.N`; the paper writes
    sum_b N(s,b), one less). The extra 1 lets the prior decide the first choice at a fresh node,
    where every N(s,a) = 0 and a bonus of sqrt(0) would leave all scores equal.
    """
    Q, N, P = _arrays(Q, N, P)
    c_puct = v_.check_float("c_puct", c_puct, low=0.0)
    return Q + c_puct * P * math.sqrt(1.0 + N.sum()) / (1.0 + N)


def puct_scores_notes(Q, N, P, c: float = 1.0) -> np.ndarray:
    """The notes' simplified score Q(s,a) + c pi_theta(a|s) / (N(s,a) + 1); the notes take c = 1."""
    Q, N, P = _arrays(Q, N, P)
    c = v_.check_float("c", c, low=0.0)
    return Q + c * P / (N + 1.0)


def _arrays(Q, N, P):
    Q, N, P = (np.asarray(a, dtype=float) for a in (Q, N, P))
    if not (Q.shape == N.shape == P.shape) or Q.ndim != 1 or Q.size == 0:
        raise ValueError(
            f"Q, N and P must be non-empty 1-D arrays of one length, got shapes {Q.shape}, "
            f"{N.shape}, {P.shape}"
        )
    if np.any(N < 0) or not np.all(N == np.round(N)):
        raise ValueError(f"N must hold visit counts (integers >= 0), got {N.tolist()}")
    if np.any(P < 0) or np.any(P > 1):
        raise ValueError(f"P must hold prior probabilities in [0, 1], got {P.tolist()}")
    return Q, N, P


def puct(node, c: float, *, rng: np.random.Generator):
    """`mcts` selection rule: argmax_a Q + c P sqrt(N(s)) / (1 + N(s,a)), ties at random.

    Same scores as `puct_scores` (with `c` as c_puct), in a plain loop: the search calls it at
    every step of every simulation, where building numpy arrays for nine children costs more
    than the arithmetic. N(s) = `node.N` = 1 + sum_b N(s,b).
    """
    bonus = c * math.sqrt(node.N)
    return select_by_prior(node.children, bonus, 1.0, rng=rng)


def puct_notes(node, c: float, *, rng: np.random.Generator):
    """`mcts` selection rule for the notes' score Q + c P / (N(s,a) + 1) (c = 1 in the notes)."""
    return select_by_prior(node.children, c, 1.0, rng=rng)


def select_by_prior(
    children, bonus: float, one: float, *, rng, low: float = 0.0, scale: float = 1.0
):
    """argmax over the children of Q + bonus P / (one + N), ties at random; Q is 0 for an
    unvisited child, and (W / N - low) * scale otherwise (the identity by default; MuZero's
    min-max normalisation with low = the tree's smallest Q, scale = 1 / its range)."""
    best, best_score, ties = None, -math.inf, None
    for child in children:
        n = child.N
        score = ((child.W / n - low) * scale if n else 0.0) + bonus * child.P / (one + n)
        if score > best_score:
            best, best_score, ties = child, score, None
        elif score == best_score:
            if ties is None:
                ties = [best]
            ties.append(child)
    if ties is None:
        return best
    return ties[int(rng.random() * len(ties))]


def sample_move(result, tau: float, *, rng: np.random.Generator):
    """The move to play after a search: drawn from pi(a) = N(a)^(1/tau) / sum_b N(b)^(1/tau).

    tau = 1 plays in proportion to the visits (exploration in the opening of self-play); tau = 0
    plays the most visited move, ties broken at random.
    """
    tau = v_.check_float("tau", tau, low=0.0)
    v_.check_rng("rng", rng)
    if tau == 0.0:
        return result.best_action(rng=rng)
    return result.actions[sample_index(result.policy(tau), rng=rng)]
