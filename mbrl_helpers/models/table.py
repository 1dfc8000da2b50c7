"""Table models learned from experience: `Model(S, A) -> R, S'` (Sutton & Barto 8.1, 8.2, 8.3).

Two models share one interface:

- `DeterministicModel` stores the last observed `(r, s_next, terminated)` of each `(s, a)`, as in
  the tabular Dyna-Q of Sutton & Barto 8.2 (step e: `Model(S, A) <- R, S'`).
- `TabularModel` counts transitions and estimates

      p_hat(s' | s, a) = N(s, a, s') / N(s, a),
      r_hat(s, a, s')  = (sum of the rewards observed on s, a -> s') / N(s, a, s'),

  the maximum-likelihood model of a stochastic world (Sutton & Barto 8.1 "distribution model").

Both answer `sample(s, a, rng) -> (r, s_next, terminated)` and
`distribution(s, a) -> [(prob, s_next, r, terminated), ...]`, the format of Gymnasium's
`env.unwrapped.P[s][a]`; `to_P(...)` exports the whole learned `P`. States and actions are any
hashable values (ints for FrozenLake); numpy integers are stored as Python ints.

A pair never observed raises `UnobservedPairError` (a model that silently guesses hides bugs),
unless the model was built with a `prior`: a function `prior(s, a)` returning a distribution in
the same format, e.g. `self_loop_prior()`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Hashable, Iterable

import numpy as np

from mbrl_helpers.randomness import sample_index
from mbrl_helpers.validation import check_distribution, check_float, check_int, check_rng

Transition = tuple[float, Hashable, float, bool]
"""One entry of a distribution: `(prob, s_next, r, terminated)`, as in Gymnasium's `P[s][a]`."""

Prior = Callable[[Hashable, Hashable], list[Transition]]


class UnobservedPairError(LookupError):
    """The model was asked about a state-action pair it has never observed."""


def self_loop_prior(reward: float = 0.0) -> Prior:
    """A prior for unobserved pairs: stay in `s` with reward `reward`, never terminate.

    With `reward = 0` an unknown pair is worth nothing (pessimistic); with `reward = r_max` it is
    worth `r_max / (1 - gamma)`, the optimism of R-max. Terminal states of an episodic task are
    never left, so they are never observed: this prior also makes them absorbing.
    """
    reward = check_float("reward", reward)

    def prior(s: Hashable, a: Hashable) -> list[Transition]:
        return [(1.0, s, reward, False)]

    return prior


def total_variation(p: Iterable[Transition], q: Iterable[Transition]) -> float:
    """Total variation distance `1/2 sum_{s'} |p(s') - q(s')|` between two `P[s][a]` lists.

    Entries with the same next state are merged first (FrozenLake's `P` repeats some); rewards
    and termination flags are ignored.
    """
    totals: dict[Hashable, float] = {}
    for name, sign, dist in (("p", 1.0, p), ("q", -1.0, q)):
        dist = list(dist)
        check_distribution(name + "'s probabilities", [t[0] for t in dist], atol=1e-6)
        for prob, s_next, _r, _terminated in dist:
            totals[s_next] = totals.get(s_next, 0.0) + sign * float(prob)
    return 0.5 * float(sum(abs(v) for v in totals.values()))


def _key(name: str, x) -> Hashable:
    """A state or action as a dictionary key: numpy integers become ints, arrays are refused."""
    if type(x) is int:  # the common case, first (update runs once per real or simulated step)
        return x
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, numbers.Integral):
        return int(x)
    try:
        hash(x)
    except TypeError:
        raise TypeError(
            f"{name} must be hashable (a table model needs discrete states and actions), "
            f"got {type(x).__name__}; for continuous states use mbrl_helpers.models.neural"
        ) from None
    return x


def _sorted(items: list) -> list:
    """Sort by next state when the states are comparable; otherwise keep insertion order."""
    try:
        return sorted(items, key=lambda t: (t[1], t[3]))
    except TypeError:
        return items


class _TableModel:
    """What the table models share: the observed pairs, the prior, sampling and `to_P`.

    `states` lists the previously observed states (first visit first) and `actions[s]` the
    actions previously taken in `s` (first try first): exactly what Dyna-Q's step (f) samples
    from (`random_pair`).
    """

    def __init__(self, prior: Prior | None = None) -> None:
        if prior is not None and not callable(prior):
            raise TypeError(
                f"prior must be None or a function prior(s, a) -> [(prob, s_next, r, terminated)], "
                f"got {type(prior).__name__}"
            )
        self.prior = prior
        self.states: list[Hashable] = []
        self.actions: dict[Hashable, list[Hashable]] = {}
        self._pairs: list[tuple[Hashable, Hashable]] = []

    # -- the observed pairs -------------------------------------------------------------------
    @property
    def observed_pairs(self) -> list[tuple[Hashable, Hashable]]:
        """Every `(s, a)` observed so far, in the order first seen (a copy)."""
        return list(self._pairs)

    def __contains__(self, pair) -> bool:
        s, a = pair
        tried = self.actions.get(_key("s", s))
        return tried is not None and _key("a", a) in tried

    def __len__(self) -> int:
        """The number of modelled (s, a) pairs."""
        return len(self._pairs)

    def random_pair(self, *, rng: np.random.Generator) -> tuple[Hashable, Hashable]:
        """Dyna-Q's step (f), first two lines: S <- a random previously observed state, then
        A <- a random action previously taken in S.

        Not uniform over the observed pairs: a state with few tried actions gives each of them
        a larger share. One uniform draw for each choice, `int(u * k)` among k options
        (`mbrl_helpers.randomness.random_index`).
        """
        return self.random_pairs(1, rng=rng)[0]

    def random_pairs(self, n: int, *, rng: np.random.Generator) -> list[tuple[Hashable, Hashable]]:
        """`n` draws of `random_pair`, from one block of 2n uniforms: the same pairs as n calls
        of `random_pair` on the same generator, without numpy's per-call cost."""
        check_rng("rng", rng)
        if not self.states:
            raise UnobservedPairError("the model is empty: call update(...) at least once")
        states, actions, pairs = self.states, self.actions, []
        for u_s, u_a in rng.random((n, 2)).tolist():
            s = states[int(u_s * len(states))]  # S <- random previously observed state
            tried = actions[s]
            pairs.append((s, tried[int(u_a * len(tried))]))  # A <- random action tried in S
        return pairs

    def _remember(self, s: Hashable, a: Hashable) -> bool:
        """Record `(s, a)` as observed; True if it is new."""
        tried = self.actions.get(s)
        if tried is None:
            self.states.append(s)
            tried = self.actions[s] = []
        if a in tried:
            return False
        tried.append(a)
        self._pairs.append((s, a))
        return True

    def _observed(self, s: Hashable, a: Hashable) -> bool:
        tried = self.actions.get(s)
        return tried is not None and a in tried

    def _missing(self, s: Hashable, a: Hashable) -> list[Transition]:
        if self.prior is not None:
            return [(float(p), s2, float(r), bool(t)) for p, s2, r, t in self.prior(s, a)]
        raise UnobservedPairError(
            f"(s={s!r}, a={a!r}) was never observed, so the model knows nothing about it; "
            f"test `(s, a) in model` first, or build the model with a prior "
            f"(e.g. prior=mbrl_helpers.models.self_loop_prior())"
        )

    # -- queries --------------------------------------------------------------------------------
    def distribution(self, s: Hashable, a: Hashable) -> list[Transition]:
        """`[(prob, s_next, r, terminated), ...]` for `(s, a)`, as in Gymnasium's `P[s][a]`."""
        s, a = _key("s", s), _key("a", a)
        if not self._observed(s, a):
            return self._missing(s, a)
        return self._observed_distribution(s, a)

    def sample(
        self, s: Hashable, a: Hashable, *, rng: np.random.Generator
    ) -> tuple[float, Hashable, bool]:
        """`R, S' <- Model(S, A)`: one simulated transition `(r, s_next, terminated)`."""
        check_rng("rng", rng)
        dist = self.distribution(s, a)
        if len(dist) == 1:
            _p, s_next, r, terminated = dist[0]
            return r, s_next, terminated
        _p, s_next, r, terminated = dist[sample_index([p for p, *_ in dist], rng=rng)]
        return r, s_next, terminated

    def to_P(
        self,
        states: Iterable[Hashable] | int | None = None,
        actions: Iterable[Hashable] | int | None = None,
    ) -> dict[Hashable, dict[Hashable, list[Transition]]]:
        """The learned model as a Gymnasium-style `P[s][a] = [(prob, s_next, r, terminated)]`.

        Without arguments: only the observed pairs (`P[s]` holds only the actions tried in `s`).
        With `states` and `actions` (iterables, or ints `n` meaning `range(n)`): every pair of
        the grid, the unobserved ones filled by the prior; without a prior they raise
        `UnobservedPairError`, naming how many pairs are missing.
        """
        if states is None and actions is None:
            P: dict[Hashable, dict[Hashable, list[Transition]]] = {}
            try:
                pairs = sorted(self._pairs)
            except TypeError:
                pairs = self._pairs
            for s, a in pairs:
                P.setdefault(s, {})[a] = self._observed_distribution(s, a)
            return P
        if states is None or actions is None:
            raise ValueError("to_P needs both states and actions, or neither")
        states = range(check_int("states", states, low=1)) if _is_int(states) else list(states)
        actions = range(check_int("actions", actions, low=1)) if _is_int(actions) else list(actions)
        grid = [(_key("s", s), _key("a", a)) for s in states for a in actions]
        missing = [pair for pair in grid if not self._observed(*pair)]
        if missing and self.prior is None:
            raise UnobservedPairError(
                f"{len(missing)} of the {len(grid)} pairs were never observed "
                f"(the first: s={missing[0][0]!r}, a={missing[0][1]!r}); build the model with a "
                f"prior (e.g. self_loop_prior()) to fill them, or call to_P() for observed pairs"
            )
        P = {}
        for s, a in grid:
            P.setdefault(s, {})[a] = self.distribution(s, a)
        return P

    def _observed_distribution(self, s: Hashable, a: Hashable) -> list[Transition]:
        raise NotImplementedError


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


class DeterministicModel(_TableModel):
    """The last observed outcome of each `(s, a)`: `Model(S, A) <- R, S'` (Sutton & Barto 8.2).

    Exact in a deterministic world; in a stochastic one it forgets every outcome but the last,
    so its "distribution" puts probability 1 on whatever happened most recently.
    `transitions[s][a] = (r, s_next, terminated)`.

    With `plus=True` (Dyna-Q+, Sutton & Barto 8.3 and its footnote) it needs `n_actions`: a
    newly seen state gets every action at once, modelled as "back to the same state, reward 0",
    and `last_tried[s][a]` records the time step `t` each pair was last tried for real.
    """

    def __init__(
        self, prior: Prior | None = None, *, n_actions: int | None = None, plus: bool = False
    ) -> None:
        super().__init__(prior)
        self.plus = bool(plus)
        if n_actions is not None:
            n_actions = check_int("n_actions", n_actions, low=1)
        elif self.plus:
            raise ValueError("plus=True (Dyna-Q+) needs n_actions: a new state gets every action")
        self.n_actions = n_actions
        self.transitions: dict[Hashable, dict[Hashable, tuple[float, Hashable, bool]]] = {}
        self.last_tried: dict[Hashable, list[int]] = {}

    def update(
        self,
        s: Hashable,
        a: Hashable,
        r: float,
        s_next: Hashable,
        terminated: bool = False,
        t: int = 0,
    ) -> None:
        """Model(S, A) <- R, S' (the latest observation wins: the world may change).

        `t` is the time step of this real transition (used by Dyna-Q+ only).
        """
        s, a, s_next = _key("s", s), _key("a", a), _key("s_next", s_next)
        if self.n_actions is not None and not (type(a) is int and 0 <= a < self.n_actions):
            a = check_int("a", a, low=0, high=self.n_actions - 1)
        outcomes = self.transitions.get(s)
        if outcomes is None:
            outcomes = self.transitions[s] = {}
            if self.plus:  # untried actions: assumed to lead back to s with reward 0
                for b in range(self.n_actions):
                    self._remember(s, b)
                    outcomes[b] = (0.0, s, False)
                self.last_tried[s] = [0] * self.n_actions
        if a not in outcomes:
            self._remember(s, a)
        outcomes[a] = (float(r), s_next, bool(terminated))
        if self.plus:
            self.last_tried[s][a] = t

    def _observed(self, s: Hashable, a: Hashable) -> bool:
        outcomes = self.transitions.get(s)
        return outcomes is not None and a in outcomes

    def _observed_distribution(self, s: Hashable, a: Hashable) -> list[Transition]:
        r, s_next, terminated = self.transitions[s][a]
        return [(1.0, s_next, r, terminated)]


class TabularModel(_TableModel):
    """A counting model of a stochastic MDP (Sutton & Barto 8.1, 8.3).

    update:        N(s, a, s', t) += 1,   R_sum(s, a, s', t) += r
    distribution:  p_hat = N(s, a, s', t) / N(s, a),   r_hat = R_sum(s, a, s', t) / N(s, a, s', t)

    where `t` is the termination flag, so a next state reached both with and without termination
    (a time-out is not a termination) is kept apart. The reward is averaged per outcome, not per
    pair: in FrozenLake the reward depends on `s'`, and an average over the whole pair would pay
    the goal's reward for falling into a hole.
    """

    def __init__(self, prior: Prior | None = None) -> None:
        super().__init__(prior)
        # (s, a) -> {(s_next, terminated): [count, reward_sum]}
        self._counts: dict[tuple[Hashable, Hashable], dict[tuple[Hashable, bool], list]] = {}
        self._n: dict[tuple[Hashable, Hashable], int] = {}

    def update(
        self, s: Hashable, a: Hashable, r: float, s_next: Hashable, terminated: bool = False
    ) -> None:
        """Count one real transition: N(s, a, s') += 1 and R_sum(s, a, s') += r."""
        s, a, s_next = _key("s", s), _key("a", a), _key("s_next", s_next)
        r = float(r)
        self._remember(s, a)
        outcomes = self._counts.setdefault((s, a), {})
        entry = outcomes.setdefault((s_next, bool(terminated)), [0, 0.0])
        entry[0] += 1
        entry[1] += r
        self._n[(s, a)] = self._n.get((s, a), 0) + 1

    def _observed(self, s: Hashable, a: Hashable) -> bool:
        return (s, a) in self._n

    def count(self, s: Hashable, a: Hashable, s_next: Hashable | None = None) -> int:
        """N(s, a), or N(s, a, s') when `s_next` is given (0 for anything unseen)."""
        pair = (_key("s", s), _key("a", a))
        if s_next is None:
            return self._n.get(pair, 0)
        s_next = _key("s_next", s_next)
        outcomes = self._counts.get(pair, {})
        return sum(c for (s2, _t), (c, _r) in outcomes.items() if s2 == s_next)

    def _observed_distribution(self, s: Hashable, a: Hashable) -> list[Transition]:
        n = self._n[(s, a)]
        dist = [
            (c / n, s_next, r_sum / c, terminated)
            for (s_next, terminated), (c, r_sum) in self._counts[(s, a)].items()
        ]
        return _sorted(dist)
