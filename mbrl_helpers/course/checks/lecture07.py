"""Checks of lecture 07 (MuZero): unroll targets, normalised PUCT, the unrolled loss and its gradient.

Each check runs the student's function on small seeded cases and compares with the reference in
`mbrl_helpers.muzero`; the typical mistakes get their own message: targets off by one step, no
absorbing state past the end of the game (index errors, the last outcome repeated, policy
targets where no search was run), the outcome seen from the wrong player, past-the-end actions
that are not random or not drawn with `rng`; Q normalised with the siblings' bounds instead of the
tree's, unvisited children normalised, a division by zero before two values were seen; the
unrolled loss averaged over the steps or summed over the batch, the reward term as a squared
error or as log(sigmoid) that overflows; the gradient of the policy term where there is no
target, a missing factor 2 or 1/B.
"""

from __future__ import annotations

import math

import numpy as np

from mbrl_helpers import muzero
from mbrl_helpers.course.checks import (
    CheckFailure,
    exercise,
    py,
    require_finite,
    require_unchanged,
    snapshot,
)
from mbrl_helpers.games import TicTacToe

TIME_LIMIT = 5.0
"""Seconds (wall clock) a check may take: the reference solutions pass all four in well under
0.1 s of CPU, so even a heavily loaded machine leaves a wide margin."""


def _raised(error: Exception) -> Exception:
    """The student's own exception (the framework wraps it)."""
    return getattr(error, "error", error)


def _fmt(x) -> str:
    """A readable list of rounded numbers (plain Python floats: no numpy reprs)."""
    return str(py(np.round(np.asarray(x, dtype=float), 3)))


def _array(name: str, got, shape: tuple, where: str) -> np.ndarray:
    try:
        a = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailure(
            f"{where}: {name} should be an array of numbers of shape {shape}, got {got!r:.120}"
        ) from None
    if a.shape != shape:
        raise CheckFailure(f"{where}: {name} should have shape {shape}, got {a.shape}")
    return require_finite(f"{where}: {name}", a)


def _unchanged(inputs: dict, copies: dict) -> None:
    for name, before in copies.items():
        require_unchanged(name, before, inputs[name])


# --- 7.1 unroll targets ----------------------------------------------------------------------
def _game(moves, seed):
    """A finished tic-tac-toe game: actions, rewards (1 on the winning move), search policies."""
    game = TicTacToe()
    rng = np.random.default_rng(seed)
    state = game.initial_state()
    rewards, policies = [], []
    for a in moves:
        pi = np.zeros(9)
        legal = list(game.legal_actions(state))
        pi[legal] = rng.integers(1, 5, size=len(legal))
        pi[a] += 10
        policies.append(pi / pi.sum())
        nxt = game.next_state(state, a)
        rewards.append(muzero.move_reward(game, state, a, nxt))
        state = nxt
    assert game.is_terminal(state)
    return np.array(moves), np.array(rewards), np.array(policies)


GAMES = {
    "X wins on move 5": [0, 3, 1, 4, 2],
    "O wins on move 6": [0, 4, 1, 2, 8, 6],
    "a draw": [4, 0, 8, 2, 1, 7, 6, 3, 5],
}


def reference_unroll_targets(actions, rewards, policies, t, K, rng) -> muzero.UnrollTargets:
    """The reference: `muzero.unroll_targets` on the game's trajectory and outcome targets."""
    trajectory = muzero.Trajectory(
        observations=np.zeros((len(actions) + 1, 1)),
        actions=np.asarray(actions),
        rewards=np.asarray(rewards, dtype=float),
        policies=np.asarray(policies, dtype=float),
        root_values=np.zeros(len(actions)),
    )
    z = muzero.value_targets(trajectory.rewards, trajectory.root_values)
    return muzero.unroll_targets(trajectory, t, K, z, rng=rng)


def _fields(got, where: str, K: int, A: int) -> dict[str, np.ndarray]:
    names = ("actions", "value", "reward", "policy", "policy_mask")
    if not all(hasattr(got, n) for n in names):
        raise CheckFailure(
            f"{where}: expected a muzero.UnrollTargets(actions, value, reward, policy, "
            f"policy_mask), got {type(got).__name__}",
            hint="return muzero.UnrollTargets(actions=..., value=..., reward=..., policy=..., "
            "policy_mask=...)",
        )
    shapes = {"actions": (K,), "value": (K + 1,), "reward": (K,), "policy": (K + 1, A)}
    shapes["policy_mask"] = (K + 1,)
    return {n: _array(n, getattr(got, n), shapes[n], where) for n in names}


def _outcome_values(rewards, view) -> np.ndarray:
    """z_0..z_T for a view: 'mover' (the reference), 'X' (always player 0), 'sum' (no flips)."""
    T = len(rewards)
    z = np.zeros(T + 1)
    for i in range(T):
        signs = [(-1.0) ** j for j in range(T - i)]
        if view == "mover":
            z[i] = sum(s * rewards[i + j] for j, s in enumerate(signs))
        elif view == "sum":
            z[i] = sum(rewards[i:])
        else:  # X's view: the mover's outcome times +1 at X's positions, -1 at O's
            z[i] = sum(s * rewards[i + j] for j, s in enumerate(signs)) * (1 if i % 2 == 0 else -1)
    return z


def _call_unroll(student, actions, rewards, policies, t, K, rng, where):
    inputs = {"actions": actions, "rewards": rewards, "policies": policies}
    copies = {k: snapshot(v) for k, v in inputs.items()}
    try:
        got = student(actions, rewards, policies, t, K, rng=rng)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - running past the end is the typical mistake
        inner = _raised(error)
        if isinstance(inner, IndexError) and t + K > len(actions):
            raise CheckFailure(
                f"{where}: your function raised IndexError: {inner}",
                hint="the unroll reaches the end of the game: the final position T has no "
                "policy (it was not searched) and value 0, and past it (t + k > T) the arrays "
                "have no entries at all: there the game stays in an absorbing state (value 0, "
                "reward 0, no policy, a random action)",
            ) from None
        raise
    _unchanged(inputs, copies)
    return got


@exercise("7.1", "the targets of a K-step unroll", time_limit=TIME_LIMIT)
def check_unroll_targets(student):
    cases = [  # (game, t, K): inside the game first, then across and past its end
        ("X wins on move 5", 0, 3),
        ("a draw", 2, 4),
        ("O wins on move 6", 1, 4),
        ("X wins on move 5", 2, 5),
        ("O wins on move 6", 4, 5),
        ("a draw", 6, 5),
        ("X wins on move 5", 4, 3),
    ]
    for name, t, K in cases:
        actions, rewards, policies = _game(GAMES[name], seed=t + K)
        T, A = len(actions), policies.shape[1]
        where = f"{name} (T = {T}), t = {t}, K = {K}"
        ref = reference_unroll_targets(actions, rewards, policies, t, K, np.random.default_rng(0))
        got = _fields(
            _call_unroll(
                student, actions, rewards, policies, t, K, np.random.default_rng(0), where
            ),
            where,
            K,
            A,
        )
        ks = np.arange(K + 1)
        real = t + ks[1:] <= T  # steps k >= 1 whose move a_{t+k} was really played
        # actions a_{t+1}..a_{t+K}
        if not np.array_equal(got["actions"][real], ref.actions[real]):
            hint = "step k unrolls the move a_{t+k}, which is actions[t + k - 1]"
            shifted = [actions[t + k] if t + k < T else -1 for k in range(1, K + 1)]
            if np.array_equal(got["actions"][real], np.array(shifted)[real]):
                hint = "off by one: " + hint + " (actions[t + k] is the move after it)"
            raise CheckFailure(
                f"{where}: expected actions {ref.actions[real].tolist()} for the moves played, "
                f"got {got['actions'][real].astype(int).tolist()}",
                hint=hint,
            )
        past = got["actions"][~real]
        if past.size and (np.any(past != np.round(past)) or past.min() < 0 or past.max() >= A):
            raise CheckFailure(
                f"{where}: the actions past the end must be moves 0..{A - 1}, got {past.tolist()}",
                hint="past the end draw each action uniformly with rng.integers(A)",
            )
        # rewards u_{t+1}..u_{t+K}
        if not np.allclose(got["reward"], ref.reward):
            hint = "the reward of step k is u_{t+k}, earned by the move a_{t+k}: rewards[t + k - 1]"
            shifted = np.array([rewards[t + k] if t + k < T else 0.0 for k in range(1, K + 1)])
            if np.allclose(got["reward"], shifted):
                hint = "off by one: " + hint
            elif np.any(got["reward"][~real] != 0):
                hint = "past the end of the game no move earns anything: reward 0"
            raise CheckFailure(
                f"{where}: expected reward targets {_fmt(ref.reward)}, got {_fmt(got['reward'])}",
                hint=hint,
            )
        # policies pi_{t}..pi_{t+K} and the mask
        if not np.allclose(got["policy_mask"], ref.policy_mask):
            hint = "the mask is 1 where position t + k was searched (t + k < T), 0 from the end on"
            if np.all(got["policy_mask"] == 1):
                hint = "no search ran at or after the end of the game: " + hint
            raise CheckFailure(
                f"{where}: expected policy_mask {_fmt(ref.policy_mask)}, got "
                f"{_fmt(got['policy_mask'])}",
                hint=hint,
            )
        if not np.allclose(got["policy"], ref.policy):
            k = int(np.flatnonzero(~np.all(np.isclose(got["policy"], ref.policy), axis=1))[0])
            hint = "the policy of step k is pi_{t+k}, the search's visits at position t + k"
            if t + k >= T:
                hint = "there is no policy target at or past the end of the game: zeros there"
            elif t + k + 1 < T and np.allclose(got["policy"][k], policies[t + k + 1]):
                hint = "off by one: " + hint
            raise CheckFailure(
                f"{where}: step k = {k}: expected policy {_fmt(ref.policy[k])}, got "
                f"{_fmt(got['policy'][k])}",
                hint=hint,
            )
        # values z_t..z_{t+K}
        if not np.allclose(got["value"], ref.value):
            z_pad = {
                view: np.append(_outcome_values(rewards, view), np.zeros(K + 1))
                for view in ("mover", "X", "sum")
            }
            idx = t + ks
            end = idx >= T
            hint = (
                "z_{t+k} is the outcome for the player to move at position t + k: "
                "+u_{t+k+1} - u_{t+k+2} + ... (0 from the end of the game on)"
            )
            if np.allclose(got["value"][~end], z_pad["X"][idx][~end]) or np.allclose(
                got["value"][~end], z_pad["sum"][idx][~end]
            ):
                hint = (
                    "the sign is wrong for the player to move: the outcome must be seen from "
                    "the player to move at position t + k, so it flips at every move"
                )
            elif np.allclose(got["value"][~end], np.append(z_pad["mover"], 0)[idx + 1][~end]):
                hint = "off by one: the value of step k is z_{t+k}, for position t + k"
            elif np.allclose(got["value"][~end], ref.value[~end]):
                last = z_pad["mover"][T - 1]
                hint = (
                    "at the final position T and past it (t + k >= T) there is nothing left "
                    "to win or lose: the value target is 0"
                )
                if np.allclose(got["value"][end], last) or np.allclose(got["value"][end], -last):
                    hint += " (you repeat the last outcome)"
            raise CheckFailure(
                f"{where}: expected value targets {_fmt(ref.value)}, got {_fmt(got['value'])}",
                hint=hint,
            )
    # Randomness past the end: from rng, and really random.
    actions, rewards, policies = _game(GAMES["X wins on move 5"], seed=9)
    draws = []
    for seed in range(12):
        out = student(actions, rewards, policies, 3, 6, rng=np.random.default_rng(seed))
        draws.append(tuple(np.asarray(out.actions, dtype=int)[2:].tolist()))  # past the end
    if len(set(draws)) < 4:
        raise CheckFailure(
            f"X wins on move 5, t = 3, K = 6: with 12 different generators the actions past "
            f"the end were only {sorted(set(draws))}",
            hint="past the end of the game any action leads to the same absorbing state: draw "
            "each one uniformly at random with rng.integers(A)",
        )
    again = [
        tuple(
            np.asarray(
                student(actions, rewards, policies, 3, 6, rng=np.random.default_rng(5)).actions,
                dtype=int,
            ).tolist()
        )
        for _ in range(6)
    ]
    if len(set(again)) > 1:
        raise CheckFailure(
            "two calls with generators of the same seed drew different actions past the end",
            hint="use only the rng argument for randomness",
        )


# --- 7.2 normalised PUCT scores --------------------------------------------------------------
def _node(rng, n=6, spread=20.0):
    N = rng.integers(0, 6, n).astype(float)
    N[int(rng.integers(n))] = 0.0  # at least one unvisited child
    N[int(rng.integers(n))] = max(N.max(), 1.0)  # and at least one visited one
    Q = np.round(rng.uniform(-spread, spread, n), 2) * (N > 0)
    P = np.round(rng.dirichlet(np.ones(n)), 3)
    return Q, N, P


@exercise("7.2", "PUCT on min-max normalised Q", time_limit=TIME_LIMIT)
def check_normalised_scores(student):
    rng = np.random.default_rng(7)
    cases = []
    for _ in range(6):
        Q, N, P = _node(rng)
        visited = Q[N > 0]
        # the tree has seen wider values than these children
        q_min = float(np.round(visited.min() - rng.uniform(1, 10), 2))
        q_max = float(np.round(visited.max() + rng.uniform(1, 10), 2))
        cases.append((Q, N, P, float(rng.choice([0.5, 1.25, 3.0])), q_min, q_max))
    Q, N, P = _node(rng)
    cases.append((Q, N, P, 1.25, 2.5, 2.5))  # one value seen so far: q_max = q_min
    cases.append((Q * 0, N * 0, P, 1.25, math.inf, -math.inf))  # a fresh tree: nothing seen
    for Q, N, P, c, q_min, q_max in cases:
        where = (
            f"Q = {Q.tolist()}, N = {N.astype(int).tolist()}, P = {P.tolist()}, c_puct = {c}, "
            f"q_min = {q_min}, q_max = {q_max}"
        )
        inputs = {"Q": Q, "N": N, "P": P}
        copies = {k: snapshot(v) for k, v in inputs.items()}
        with np.errstate(all="ignore"):
            got = student(Q, N, P, c, q_min, q_max)
        _unchanged(inputs, copies)
        try:
            got_a = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            got_a = None
        if got_a is None or got_a.shape != Q.shape:
            raise CheckFailure(
                f"{where}: expected one score per child (shape {Q.shape}), got {got!r:.120}",
                hint="return the array of scores, not the index of the best child",
            )
        if not np.all(np.isfinite(got_a)):
            raise CheckFailure(
                f"{where}: your scores hold nan or inf: {_fmt(got_a)}",
                hint="while q_max <= q_min (one value seen, or none yet) there is nothing to "
                "normalise by: use Q as it is (MuZero's MinMaxStats.normalize)",
            )
        ref = muzero.normalised_puct_scores(Q, N, P, c, q_min, q_max)
        if np.allclose(got_a, ref, atol=1e-9):
            continue
        bonus = c * P * np.sqrt(1 + N.sum()) / (1 + N)
        visited = N > 0
        span = q_max - q_min if q_max > q_min else None
        wrong = {}
        if span:
            wrong["unvisited"] = (
                (Q - q_min) / span + bonus,
                "an unvisited child has no Q yet: its Q_bar is 0 (only visited children are "
                "normalised)",
            )
            lo, hi = Q[visited].min(), Q[visited].max()
            if hi > lo:
                wrong["siblings"] = (
                    np.where(visited, (Q - lo) / (hi - lo), 0.0) + bonus,
                    "q_min and q_max are the bounds of the whole tree (passed in), not of this "
                    "node's children",
                )
            wrong["flipped"] = (
                np.where(visited, (q_max - Q) / span, 0.0) + bonus,
                "Q_bar = (Q - q_min) / (q_max - q_min): the best Q maps to 1, the worst to 0",
            )
            wrong["score"] = (
                np.where(visited, (Q + bonus - q_min) / span, bonus / span),
                "normalise Q only, then add the prior's bonus",
            )
        wrong["raw"] = (
            np.where(visited, Q, 0.0) + bonus,
            "Q is not normalised: Q_bar = (Q - q_min) / (q_max - q_min) for visited children",
        )
        norm_q = np.where(visited, (Q - q_min) / span, 0.0) if span else np.where(visited, Q, 0.0)
        wrong["N(s)"] = (
            norm_q + c * P * np.sqrt(N.sum()) / (1 + N),
            "N(s) = 1 + sum_b N(s,b), the node's own visit included (as in lecture 06)",
        )
        hint = "Q_bar + c_puct P sqrt(1 + sum N) / (1 + N), Q_bar as in the exercise's text"
        for scores, text in wrong.values():
            if np.allclose(got_a, scores, atol=1e-9):
                hint = text
                break
        raise CheckFailure(f"{where}: expected {_fmt(ref)}, got {_fmt(got_a)}", hint=hint)


# --- 7.3 the unrolled loss, 7.4 its gradient --------------------------------------------------
def _loss_case(seed: int, B: int = 4, K: int = 3, A: int = 5, large: bool = False):
    rng = np.random.default_rng(seed)
    T = rng.integers(1, K + 2, size=B)  # positions t + k < T have a policy target
    mask = (np.arange(K + 1)[None, :] < T[:, None]).astype(float)
    pi = rng.dirichlet(np.ones(A), (B, K + 1)) * mask[:, :, None]
    value = np.tanh(rng.normal(size=(B, K + 1)))
    z = rng.choice([-1.0, 0.0, 1.0], (B, K + 1)) * mask
    u = (rng.random((B, K)) < 0.3).astype(float)
    reward_logit = rng.normal(0, 2, size=(B, K))
    logits = rng.normal(0, 1.5, size=(B, K + 1, A))
    if large:  # a confident network: large logits must not overflow
        reward_logit[0, 0], u[0, 0] = 800.0, 1.0
        reward_logit[1, 0], u[1, 0] = -800.0, 0.0
        logits[0, 0, 0] = 1000.0
    return {
        "value": value,
        "reward_logit": reward_logit,
        "policy_logits": logits,
        "z": z,
        "u": u,
        "pi": pi,
        "policy_mask": mask,
    }


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


def _log_softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def _number(name: str, got) -> float:
    if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
        if isinstance(got, np.ndarray) and got.size == 1:
            return float(got)
        raise CheckFailure(f"{name} should return a number, got {got!r:.120}")
    return float(got)


@exercise("7.3", "the unrolled loss", time_limit=TIME_LIMIT)
def check_unrolled_loss(student):
    for seed, large in ((0, False), (1, False), (2, True)):
        case = _loss_case(seed, large=large)
        copies = {k: snapshot(v) for k, v in case.items()}
        with np.errstate(all="ignore"):
            got = _number("unrolled_loss", student(**case))
        _unchanged(case, copies)
        case = copies
        ref = muzero.unroll_loss(**case)
        B, K = case["u"].shape
        where = f"a batch of {B} unrolls of K = {K} steps: expected l = {ref:.4f}, got {got:.4f}"
        if (math.isnan(got) or math.isinf(got)) and large:
            raise CheckFailure(
                f"a batch of {B} unrolls with a confident network (a reward logit of 800, a "
                f"policy logit of 1000): your loss is {got}",
                hint="sigmoid(800) rounds to 1 and log(1 - 1) = -inf: write the cross-entropy "
                "with the logit, -(u log r + (1 - u) log(1 - r)) = log(1 + e^x) - u x = "
                "np.logaddexp(0, x) - u x; and subtract the largest logit before a softmax",
            )
        if math.isnan(got) or math.isinf(got):
            raise CheckFailure(
                f"a batch of {B} unrolls of K = {K} steps (moderate logits): your loss is {got}",
                hint="a term is nan or inf: take logs of positive numbers only (log softmax of "
                "the logits for the policy, np.logaddexp(0, x) - u x for the reward)",
            )
        if math.isclose(got, ref, rel_tol=1e-7, abs_tol=1e-9):
            continue
        v, z, m, pi = case["value"], case["z"], case["policy_mask"], case["pi"]
        rho, u = case["reward_logit"], case["u"]
        value_sum = np.sum((z - v) ** 2)
        policy_sum = -np.sum(m[:, :, None] * pi * _log_softmax(case["policy_logits"]))
        reward_sum = np.sum(np.logaddexp(0.0, rho) - u * rho)
        r = _sigmoid(rho)
        known = {
            (value_sum + policy_sum + reward_sum): "average over the batch (divide by B), "
            "do not sum",
            (value_sum + policy_sum + reward_sum) / (B * (K + 1)): "sum the terms over the "
            "steps k of the unroll (each step weighted 1) and average over the batch only",
            (value_sum / (K + 1) + policy_sum / (K + 1) + reward_sum / K) / B: "sum the terms "
            "over the steps k of the unroll (each step weighted 1), do not average them",
            (value_sum + policy_sum) / B: "the reward term is missing: -(u log r + (1 - u) "
            "log(1 - r)) for k = 1..K",
            (value_sum + policy_sum + np.sum((u - r) ** 2)) / B: "the reward term is a "
            "cross-entropy of r = sigmoid(logit), not a squared error",
            (value_sum + policy_sum - reward_sum) / B: "the cross-entropy is -(u log r + "
            "(1 - u) log(1 - r)), a positive number",
            (value_sum - policy_sum + reward_sum) / B: "the policy term is -pi^T log p, a "
            "positive number",
            (np.sum(np.abs(z - v)) + policy_sum + reward_sum) / B: "the value term is "
            "squared: (z - v)^2",
        }
        for wrong, hint in known.items():
            if math.isclose(got, float(wrong), rel_tol=1e-7, abs_tol=1e-9):
                raise CheckFailure(where, hint=hint)
        raise CheckFailure(
            f"{where} (value {value_sum / B:.4f}, policy {policy_sum / B:.4f}, reward "
            f"{reward_sum / B:.4f})",
            hint="l = (1/B) sum over the batch of sum over k of the three terms",
        )


@exercise("7.4", "the gradient of the unrolled loss", time_limit=TIME_LIMIT)
def check_unrolled_loss_gradient(student):
    names = ("value", "reward_logit", "policy_logits")
    for seed in (3, 4, 5):
        case = _loss_case(seed)
        copies = {k: snapshot(v) for k, v in case.items()}
        with np.errstate(all="ignore"):
            got = student(**case)
        _unchanged(case, copies)
        case = copies
        B, K = case["u"].shape
        where = f"a batch of {B} unrolls of K = {K} steps"
        if not isinstance(got, tuple | list) or len(got) != 3:
            raise CheckFailure(
                f"{where}: expected a tuple (d_value, d_reward_logit, d_policy_logits), got "
                f"{type(got).__name__}",
                hint="return the three gradients, each shaped like its prediction",
            )
        refs = muzero.unroll_loss_gradients(**case)
        for name, g, ref in zip(names, got, refs, strict=True):
            g = _array(f"the gradient for {name}", g, ref.shape, where)
            if np.allclose(g, ref, atol=1e-10):
                continue
            v, z, m, pi = case["value"], case["z"], case["policy_mask"], case["pi"]
            p = np.exp(_log_softmax(case["policy_logits"]))
            r, u = _sigmoid(case["reward_logit"]), case["u"]
            known = {
                "value": [
                    (-2 * (z - v), "average over the batch: divide by B"),
                    (2 * (z - v) / B, "the sign: d/dv (z - v)^2 = -2 (z - v)"),
                    (-(z - v) / B, "d/dv (z - v)^2 = -2 (z - v): the factor 2 is missing"),
                ],
                "reward_logit": [
                    (r - u, "average over the batch: divide by B"),
                    ((u - r) / B, "the sign: d/dx of the cross-entropy is sigmoid(x) - u"),
                    (
                        2 * (r - u) * r * (1 - r) / B,
                        "that is the gradient of a squared error; the cross-entropy's is "
                        "sigmoid(x) - u",
                    ),
                ],
                "policy_logits": [
                    (
                        (p - pi) / B,
                        "where there is no policy target (policy_mask = 0, pi = 0) the "
                        "gradient must be 0: use mask * (softmax(logits) * sum(pi) - pi), "
                        "not softmax(logits) - pi",
                    ),
                    (m[:, :, None] * (p - pi), "average over the batch: divide by B"),
                    (
                        m[:, :, None] * (pi - p) / B,
                        "the sign: d/dlogits of -pi^T log softmax is softmax - pi",
                    ),
                    (
                        -m[:, :, None] * pi / np.where(p > 0, p, 1) / B,
                        "that is the gradient with respect to the probabilities p; the "
                        "exercise asks for the logits: softmax(logits) - pi",
                    ),
                ],
            }
            hint = {
                "value": "dl/dv^k = -2 (z_k - v^k) / B",
                "reward_logit": "dl/dx^k = (sigmoid(x^k) - u_k) / B",
                "policy_logits": "dl/dlogits^k = m_k (softmax(logits^k) sum(pi_k) - pi_k) / B",
            }[name]
            for wrong, text in known[name]:
                if np.allclose(g, wrong, atol=1e-10):
                    hint = text
                    break
            idx = tuple(int(i) for i in np.argwhere(~np.isclose(g, ref, atol=1e-10))[0])
            raise CheckFailure(
                f"{where}: the gradient for {name} at {list(idx)}: expected "
                f"{float(ref[idx]):.5f}, got {float(g[idx]):.5f}",
                hint=hint,
            )
