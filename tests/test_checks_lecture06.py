"""The checks of lecture 06 pass the reference solutions and catch the typical mistakes."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from stray_random import stray_rng

from mbrl_helpers import alphazero, games, mcts, randomness
from mbrl_helpers.course import checks
from mbrl_helpers.course.checks import lecture06


# --- reference solutions (as in solutions/06_alphazero.ipynb) ------------------------------
def puct_select(Q, N, P, c_puct, *, rng):
    scores = Q + c_puct * P * np.sqrt(1 + N.sum()) / (1 + N)
    return int(rng.choice(np.flatnonzero(scores == scores.max())))


def masked_policy(logits, legal):
    logits = np.where(legal, logits, -np.inf)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def training_targets(game, states, visit_counts, final_returns):
    examples = []
    for s, N in zip(states, visit_counts, strict=True):
        pi = N / N.sum()
        z = final_returns[game.current_player(s)]
        examples.append((s, pi, z))
    return examples


def alphazero_loss(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    value = np.mean((z - v) ** 2)
    policy = np.mean(-(pi * log_p).sum(axis=1))
    return value + policy + c * sum(np.sum(w**2) for w in theta)


def self_play_game(game, evaluate, *, rng, config, search=mcts.search, _variant=None):
    """The reference; `_variant` plants one mistake (for the tests below)."""
    variant = _variant or {}
    state = game.initial_state()
    history = []
    while not game.is_terminal(state):
        result = search(
            game,
            state,
            variant.get("evaluate", evaluate),
            n_simulations=variant.get("n_simulations", config.n_simulations),
            rng=rng,
            select=config.select,
            c=config.c_puct,
            root_noise=variant.get("root_noise", (config.dirichlet_alpha, config.noise_fraction)),
        )
        pi = np.zeros(game.num_actions)
        pi[result.actions] = result.N / result.N.sum()
        if "pi" in variant:
            pi = variant["pi"](result, game)
        t = len(history)
        history.append((state, pi))
        tau = 1.0 if t < config.temperature_moves else 0.0
        tau = variant.get("tau", lambda t, tau: tau)(t, tau)
        if t < variant.get("random_moves", config.random_moves):
            legal = game.legal_actions(state)
            action = legal[randomness.random_index(len(legal), rng=rng)]
            action = variant.get("first_move", lambda result, action: action)(result, action)
        else:
            action = alphazero.sample_move(result, tau, rng=rng)
        state = game.next_state(state, action)
    G = game.returns(state)
    z_of = variant.get("z", lambda game, t, s, G: G[game.current_player(s)])
    return [(s, pi, z_of(game, t, s, G)) for t, (s, pi) in enumerate(history)]


def train_step(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    idx = randomness.random_indices(len(X), batch_size, rng=rng)
    parts, grads = net.loss_and_grads(X[idx], legal[idx], pi[idx], z[idx], c)
    opt.step(grads)
    return parts


def ablation(variants, seeds, *, train=alphazero.train, **budget):
    game = games.TicTacToe()
    results = {}
    for name, settings in variants.items():
        results[name] = []
        for seed in seeds:
            _, history = train(game, seed=seed, progress=False, **budget, **settings)
            k = history.unbeaten_from()
            results[name].append(None if k is None else k + 1)
    return results


REFERENCE = {
    "6.1": puct_select,
    "6.2": masked_policy,
    "6.3": training_targets,
    "6.4": alphazero_loss,
    "6.6": self_play_game,
    "6.7": train_step,
    "6.8": ablation,
}


@pytest.mark.parametrize("exercise_id", sorted(REFERENCE))
def test_reference_passes(exercise_id):
    result = checks.evaluate(exercise_id, REFERENCE[exercise_id])
    assert result.passed, result.line


def test_the_package_functions_pass_too():
    def select(Q, N, P, c_puct, *, rng):
        return lecture06.reference_puct_select(Q, N, P, c_puct, rng=rng)

    assert checks.evaluate("6.1", select).passed
    assert checks.evaluate("6.2", alphazero.masked_softmax).passed
    assert checks.evaluate("6.3", alphazero.training_targets).passed
    assert checks.evaluate("6.7", alphazero.train_step).passed


def test_a_correct_self_play_game_that_draws_differently_passes():
    """Correct answers that use rng in another order are not required to match our draws."""

    def other_draws(game, evaluate, *, rng, config, search=mcts.search):
        rng.random()  # one extra draw shifts every later one
        state, history = game.initial_state(), []
        while not game.is_terminal(state):
            result = search(game, state, evaluate, n_simulations=config.n_simulations, rng=rng,
                            select=config.select, c=config.c_puct,
                            root_noise=(config.dirichlet_alpha, config.noise_fraction))  # fmt: skip
            N = result.N.astype(float)
            pi = np.zeros(game.num_actions)
            pi[result.actions] = N / N.sum()
            t = len(history)
            history.append((state, pi))
            if t < config.random_moves:
                action = int(rng.choice(game.legal_actions(state)))
            elif t < config.temperature_moves:
                action = int(rng.choice(result.actions, p=N / N.sum()))
            else:
                top = np.flatnonzero(N == N.max())
                action = result.actions[int(rng.choice(top))]
            state = game.next_state(state, action)
        G = game.returns(state)
        return [(s, pi, G[game.current_player(s)]) for s, pi in history]

    assert checks.evaluate("6.6", other_draws).passed


@pytest.mark.parametrize("exercise_id", sorted(REFERENCE))
def test_not_implemented_is_reported(exercise_id):
    def todo(*args, **kwargs):
        raise NotImplementedError(f"Exercise {exercise_id}")

    assert checks.evaluate(exercise_id, todo).status == checks.NOT_IMPLEMENTED


# --- planted mistakes: (exercise, wrong function, words the feedback must contain) ----------
def _select(scores_of):
    def select(Q, N, P, c, *, rng):
        with np.errstate(all="ignore"):
            scores = np.nan_to_num(scores_of(Q, N, P, c), nan=-np.inf)
        return int(rng.choice(np.flatnonzero(scores == scores.max())))

    return select


select_no_prior = _select(lambda Q, N, P, c: Q + c * np.sqrt(1 + N.sum()) / (1 + N))
select_unvisited_first = _select(
    lambda Q, N, P, c: np.where(N == 0, np.inf, Q + c * P * np.sqrt(1 + N.sum()) / (1 + N))
)
select_child_count = _select(lambda Q, N, P, c: Q + c * P * np.sqrt(N) / (1 + N))
select_no_plus_one = _select(lambda Q, N, P, c: Q + c * P * np.sqrt(1 + N.sum()) / N)
select_ucb1_log = _select(lambda Q, N, P, c: Q + c * P * np.sqrt(np.log(1 + N.sum()) / N))
select_sum_without_one = _select(lambda Q, N, P, c: Q + c * P * np.sqrt(N.sum()) / (1 + N))
select_greedy_q = _select(lambda Q, N, P, c: Q)
select_argmin = _select(lambda Q, N, P, c: -(Q + c * P * np.sqrt(1 + N.sum()) / (1 + N)))


def select_first_argmax(Q, N, P, c, *, rng):
    return int(np.argmax(Q + c * P * np.sqrt(1 + N.sum()) / (1 + N)))


def select_returns_the_score(Q, N, P, c, *, rng):
    return float((Q + c * P * np.sqrt(1 + N.sum()) / (1 + N)).max())


def select_stray_ties(Q, N, P, c, *, rng):
    scores = Q + c * P * np.sqrt(1 + N.sum()) / (1 + N)
    return int(stray_rng().choice(np.flatnonzero(scores == scores.max())))


def select_global_random(Q, N, P, c, *, rng):
    scores = Q + c * P * np.sqrt(1 + N.sum()) / (1 + N)
    return int(np.random.choice(np.flatnonzero(scores == scores.max())))  # noqa: NPY002


def select_mutates_n(Q, N, P, c, *, rng):
    N += 1  # "the node's own visit", added into the caller's array
    scores = Q + c * P * np.sqrt(N.sum()) / N
    return int(rng.choice(np.flatnonzero(scores == scores.max())))


def policy_unmasked(logits, legal):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def policy_masked_not_renormalised(logits, legal):
    return policy_unmasked(logits, legal) * legal


def policy_zero_logits(logits, legal):
    return policy_unmasked(np.where(legal, logits, 0.0), legal)


def policy_overflows(logits, legal):
    with np.errstate(all="ignore"):
        e = np.exp(logits) * legal
        return e / e.sum(axis=-1, keepdims=True)


def policy_masks_in_place(logits, legal):
    logits[~legal] = -np.inf
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def policy_nan(logits, legal):
    with np.errstate(all="ignore"):
        e = np.exp(np.where(legal, logits, -np.inf))
        return e * np.inf * 0


def targets_raw_counts(game, states, visit_counts, final_returns):
    return [
        (s, N, final_returns[game.current_player(s)])
        for s, N in zip(states, visit_counts, strict=True)
    ]


def targets_no_sign_flip(game, states, visit_counts, final_returns):
    return [(s, N / N.sum(), final_returns[0]) for s, N in zip(states, visit_counts, strict=True)]


def targets_previous_player(game, states, visit_counts, final_returns):
    return [
        (s, N / N.sum(), final_returns[1 - game.current_player(s)])
        for s, N in zip(states, visit_counts, strict=True)
    ]


def targets_move_parity(game, states, visit_counts, final_returns):
    return [
        (s, N / N.sum(), final_returns[t % 2])
        for t, (s, N) in enumerate(zip(states, visit_counts, strict=True))
    ]


def targets_divide_in_place(game, states, visit_counts, final_returns):
    out = []
    for s, N in zip(states, visit_counts, strict=True):
        N /= N.sum()
        out.append((s, N, final_returns[game.current_player(s)]))
    return out


def targets_nan_pi(game, states, visit_counts, final_returns):
    with np.errstate(all="ignore"):
        return [
            (s, N / (N.sum() - N.sum()), final_returns[game.current_player(s)])
            for s, N in zip(states, visit_counts, strict=True)
        ]


def loss_nan(p, v, pi, z, theta, c):
    with np.errstate(all="ignore"):
        policy = np.mean(-(pi * np.log(p)).sum(axis=1))
    return np.mean((z - v) ** 2) + policy + c * sum(np.sum(w**2) for w in theta)


def loss_sign(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    return (
        np.mean((z - v) ** 2)
        + np.mean((pi * log_p).sum(axis=1))
        + c * sum(np.sum(w**2) for w in theta)
    )


def loss_no_l2(p, v, pi, z, theta, c):
    return alphazero_loss(p, v, pi, z, theta, 0.0)


def loss_summed(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    return np.sum((z - v) ** 2) - np.sum(pi * log_p) + c * sum(np.sum(w**2) for w in theta)


def loss_abs_value(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    return (
        np.mean(np.abs(z - v))
        + np.mean(-(pi * log_p).sum(axis=1))
        + c * sum(np.sum(w**2) for w in theta)
    )


def loss_norm_not_squared(p, v, pi, z, theta, c):
    log_p = np.log(np.where(pi > 0, p, 1.0))
    return (
        np.mean((z - v) ** 2)
        + np.mean(-(pi * log_p).sum(axis=1))
        + c * math.sqrt(sum(np.sum(w**2) for w in theta))
    )


def loss_writes_into_p(p, v, pi, z, theta, c):
    p[pi == 0] = 1.0  # log 1 = 0 where pi = 0, written into the caller's p
    return alphazero_loss(p, v, pi, z, theta, c)


def _game(**variant):
    def wrong(game, evaluate, *, rng, config, search=mcts.search):
        planted = dict(variant)
        if "evaluate" in planted:  # built here: it needs the rng
            planted["evaluate"] = planted["evaluate"](evaluate, rng)
        return self_play_game(game, evaluate, rng=rng, config=config, search=search,
                              _variant=planted)  # fmt: skip

    return wrong


def _noisy(evaluate, rng):
    def noisy(state):
        priors, value = evaluate(state)
        eta = rng.dirichlet(np.full(len(priors), 0.5))
        return (0.75 * np.asarray(priors) + 0.25 * eta).tolist(), value

    return noisy


def _unnormalised(result, game):
    pi = np.zeros(game.num_actions)
    pi[result.actions] = result.N
    return pi


def _priors(result, game):
    pi = np.zeros(game.num_actions)
    pi[result.actions] = result.P
    return pi


def _misaligned(result, game):
    pi = np.zeros(game.num_actions)
    pi[: len(result.N)] = result.N / result.N.sum()
    return pi


def game_calls_mcts_directly(game, evaluate, *, rng, config, search=mcts.search):
    return self_play_game(game, evaluate, rng=rng, config=config, search=mcts.search)


def game_appends_the_end(game, evaluate, *, rng, config, search=mcts.search):
    examples = self_play_game(game, evaluate, rng=rng, config=config, search=search)
    return [*examples, (examples[-1][0], np.full(9, 1 / 9), 0.0)]


_ELSEWHERE = np.random.default_rng(99)  # a generator of its own, kept between calls


def game_own_generator(game, evaluate, *, rng, config, search=mcts.search):
    """Draws the first move from a generator other than rng (no global state: the guard cannot
    see it; only the same-seed test can)."""
    return self_play_game(
        game, evaluate, rng=rng, config=config, search=search,
        _variant={"first_move": lambda result, a: int(_ELSEWHERE.choice(result.actions))},
    )  # fmt: skip


def game_stray_first_move(game, evaluate, *, rng, config, search=mcts.search):
    stray = stray_rng()
    return self_play_game(
        game, evaluate, rng=rng, config=config, search=search,
        _variant={"first_move": lambda result, a: int(stray.choice(result.actions))},
    )  # fmt: skip


MISTAKES = [
    ("6.1", select_no_prior, "the prior P(s,a) is missing"),
    ("6.1", select_unvisited_first, "unvisited children do not come first"),
    ("6.1", select_child_count, "not the child's"),
    ("6.1", select_no_plus_one, "the denominator is 1 + N(s,a)"),
    ("6.1", select_ucb1_log, "UCB1's bonus"),
    ("6.1", select_sum_without_one, "N(s) = 1 + sum_b N(s,b)"),
    ("6.1", select_greedy_q, "best Q alone is greedy"),
    ("6.1", select_argmin, "not the smallest"),
    ("6.1", select_first_argmax, "uniformly at random among all the maximisers"),
    ("6.1", select_returns_the_score, "return the position of the chosen child"),
    ("6.1", select_stray_ties, "not from its rng argument"),
    ("6.1", select_global_random, "np.random.choice"),
    ("6.1", select_mutates_n, "changed its input N"),
    ("6.2", policy_unmasked, "not masked"),
    ("6.2", policy_zero_logits, "not masked"),
    ("6.2", policy_masked_not_renormalised, "renormalise"),
    ("6.2", policy_overflows, "overflows"),
    ("6.2", policy_masks_in_place, "changed its input logits"),
    ("6.2", policy_nan, "nan or inf"),
    ("6.3", targets_raw_counts, "raw visit counts"),
    ("6.3", targets_no_sign_flip, "X's outcome at every position"),
    ("6.3", targets_previous_player, "the player who moved into s_t"),
    ("6.3", targets_move_parity, "assumes X moves first"),
    ("6.3", targets_divide_in_place, "changed its input visit_counts"),
    ("6.3", targets_nan_pi, "holds NaN values"),
    ("6.4", loss_nan, "0 * -inf = nan"),
    ("6.4", loss_sign, "-pi^T log p"),
    ("6.4", loss_no_l2, "weight decay"),
    ("6.4", loss_summed, "do not sum"),
    ("6.4", loss_abs_value, "squared: (z - v)^2"),
    ("6.4", loss_norm_not_squared, "without a square root"),
    ("6.4", loss_writes_into_p, "changed its input p"),
    # 6.6: targets from the wrong player's view, on both parities and either winner
    ("6.6", _game(z=lambda game, t, s, G: G[1 - game.current_player(s)]), "moved into s_t"),
    ("6.6", _game(z=lambda game, t, s, G: G[t % 2]), "assumes X moves first"),
    ("6.6", _game(z=lambda game, t, s, G: G[0]), "X's outcome at every position"),
    # 6.6: pi not normalised, the prior instead of the visits, visits at the wrong moves
    ("6.6", _game(pi=_unnormalised), "not normalised"),
    ("6.6", _game(pi=_priors), "root's prior"),
    ("6.6", _game(pi=_misaligned), "wrong moves"),
    # 6.6: the temperature misapplied
    ("6.6", _game(tau=lambda t, tau: 1.0), "play the most visited move"),
    ("6.6", _game(tau=lambda t, tau: 0.0), "tau = 1 for the first config.temperature_moves"),
    ("6.6", _game(tau=lambda t, tau: 1.0 if t <= 4 else 0.0), "one move too many"),
    # 6.6: the noise at every node, or nowhere
    ("6.6", _game(evaluate=_noisy), "noise at every node"),
    ("6.6", _game(root_noise=None), "without Dirichlet noise"),
    ("6.6", _game(root_noise=(0.25, 0.5)), "in that order"),
    # 6.6: the first moves
    ("6.6", _game(random_moves=0), "follow the search's visits"),
    ("6.6", _game(random_moves=2), "looks uniformly random"),
    (
        "6.6",
        _game(first_move=lambda result, a: result.best_action(rng=np.random.default_rng(0))),
        "were the search's most visited move",
    ),  # fmt: skip
    # 6.6: the search and the loop
    ("6.6", _game(n_simulations=8), "simulations"),
    ("6.6", game_calls_mcts_directly, "never called the search it was given"),
    ("6.6", game_appends_the_end, "one example (s_t, pi_t, z_t) per position searched"),
    ("6.6", game_stray_first_move, "not from its rng argument"),
    ("6.6", game_own_generator, "with the same seed"),
]


@pytest.mark.parametrize(
    ("exercise_id", "wrong", "words"),
    MISTAKES,
    ids=[f"{m[0]}-{getattr(m[1], '__name__', 'wrong')}-{i}" for i, m in enumerate(MISTAKES)],
)
def test_planted_mistake_fails_with_a_specific_message(exercise_id, wrong, words):
    result = checks.evaluate(exercise_id, wrong)
    assert result.status == checks.FAILED
    assert words in result.line, result.line
    assert "np.float64" not in result.line and "np.int64" not in result.line


# --- 6.7: planted training steps ------------------------------------------------------------
def step_ignores_legality(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    idx = randomness.random_indices(len(X), batch_size, rng=rng)
    parts, grads = net.loss_and_grads(X[idx], np.ones_like(legal[idx]), pi[idx], z[idx], c)
    opt.step(grads)
    return parts


def step_forgets_the_optimiser(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    idx = randomness.random_indices(len(X), batch_size, rng=rng)
    parts, _grads = net.loss_and_grads(X[idx], legal[idx], pi[idx], z[idx], c)
    return parts


def step_by_hand(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    idx = randomness.random_indices(len(X), batch_size, rng=rng)
    parts, grads = net.loss_and_grads(X[idx], legal[idx], pi[idx], z[idx], c)
    for k in net.params:
        net.params[k] -= 0.01 * grads[k]
    return parts


def step_climbs(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    idx = randomness.random_indices(len(X), batch_size, rng=rng)
    parts, grads = net.loss_and_grads(X[idx], legal[idx], pi[idx], z[idx], c)
    opt.step({k: -g for k, g in grads.items()})
    return parts


def step_same_batch(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    idx = np.arange(batch_size)
    parts, grads = net.loss_and_grads(X[idx], legal[idx], pi[idx], z[idx], c)
    opt.step(grads)
    return parts


def step_misaligned(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    idx = randomness.random_indices(len(X), batch_size, rng=rng)
    other = randomness.random_indices(len(X), batch_size, rng=rng)
    parts, grads = net.loss_and_grads(X[idx], legal[idx], pi[other], z[other], c)
    opt.step(grads)
    return parts


def step_negates_z(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    idx = randomness.random_indices(len(X), batch_size, rng=rng)
    parts, grads = net.loss_and_grads(X[idx], legal[idx], pi[idx], -z[idx], c)
    opt.step(grads)
    return parts


def step_no_weight_decay(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    idx = randomness.random_indices(len(X), batch_size, rng=rng)
    parts, grads = net.loss_and_grads(X[idx], legal[idx], pi[idx], z[idx])
    opt.step(grads)
    return parts


def step_returns_nothing(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    train_step(net, opt, X, legal, pi, z, rng=rng, batch_size=batch_size, c=c)


def step_shuffles_in_place(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    order = rng.permutation(len(X))
    X[:] = X[order]
    legal[:], pi[:], z[:] = legal[order], pi[order], z[order]
    return train_step(net, opt, X[:batch_size], legal, pi, z, rng=rng, batch_size=batch_size, c=c)


def step_wrong_size(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    return train_step(net, opt, X, legal, pi, z, rng=rng, batch_size=len(X), c=c)


def step_stray(net, opt, X, legal, pi, z, *, rng, batch_size, c):
    return train_step(net, opt, X, legal, pi, z, rng=stray_rng(), batch_size=batch_size, c=c)


STEP_MISTAKES = [
    (step_ignores_legality, "ignores legality"),
    (step_forgets_the_optimiser, "took no step"),
    (step_by_hand, "(yet the weights changed)"),
    (step_climbs, "climbs the loss"),
    (step_same_batch, "uniformly at random from the whole replay"),
    (step_misaligned, "indexed by the same idx"),
    (step_negates_z, "z is negated"),
    (step_no_weight_decay, "weight decay"),
    (step_returns_nothing, "expected the loss parts"),
    (step_shuffles_in_place, "changed its input X"),
    (step_wrong_size, "batch_size"),
    (step_stray, "not from its rng argument"),
]


@pytest.mark.parametrize(
    ("wrong", "words"), STEP_MISTAKES, ids=[m[0].__name__ for m in STEP_MISTAKES]
)
def test_planted_training_step_fails_with_a_specific_message(wrong, words):
    result = checks.evaluate("6.7", wrong)
    assert result.status == checks.FAILED
    assert words in result.line, result.line


# --- 6.8: planted ablations ----------------------------------------------------------------
def _summarised(summary):
    def wrong(variants, seeds, *, train=alphazero.train, **budget):
        game = games.TicTacToe()
        return {
            name: [
                summary(train(game, seed=seed, progress=False, **budget, **s)[1]) for seed in seeds
            ]
            for name, s in variants.items()
        }

    return wrong


def _stays_zero(history, rows):
    rates = np.array([getattr(history, r) for r in rows])
    bad = np.flatnonzero(rates.any(axis=0))
    if bad.size and bad[-1] == rates.shape[1] - 1:
        return None
    return 1 if bad.size == 0 else int(bad[-1]) + 2


ALL_RATES = ("raw_loss_first", "raw_loss_second", "search_loss_first", "search_loss_second")


def _first_unbeaten(history):
    rates = np.array([getattr(history, r) for r in ALL_RATES])
    good = np.flatnonzero(~rates.any(axis=0))
    return None if good.size == 0 else int(good[0]) + 1


def ablation_one_seed(variants, seeds, *, train=alphazero.train, **budget):
    return ablation(variants, [seeds[0]] * len(seeds), train=train, **budget)


def ablation_ignores_settings(variants, seeds, *, train=alphazero.train, **budget):
    return ablation(dict.fromkeys(variants, {}), seeds, train=train, **budget)


def ablation_ignores_budget(variants, seeds, *, train=alphazero.train, **budget):
    return ablation(variants, seeds, train=train)


def ablation_updates_the_variants(variants, seeds, *, train=alphazero.train, **budget):
    game = games.TicTacToe()
    out = {}
    for name, settings in variants.items():
        settings.update(budget)
        out[name] = [train(game, seed=seed, **settings)[1].unbeaten_from() for seed in seeds]
    return out


def ablation_real_train(variants, seeds, *, train=alphazero.train, **budget):
    return ablation(variants, seeds, train=alphazero.train, **budget)


ABLATION_MISTAKES = [
    (_summarised(lambda h: h.unbeaten_from()), "counts from 0"),
    (_summarised(_first_unbeaten), "stay unbeaten to the end"),
    (_summarised(lambda h: _stays_zero(h, ALL_RATES[:2])), "search_loss_first"),
    (_summarised(lambda h: _stays_zero(h, ALL_RATES[1::2])), "as X (..._first)"),
    (
        _summarised(lambda h: 0 if h.unbeaten_from() is None else h.unbeaten_from() + 1),
        "give None, not 0",
    ),  # fmt: skip
    (ablation_one_seed, "pass each seed"),
    (ablation_ignores_settings, "pass each variant's settings"),
    (ablation_ignores_budget, "the budget"),
    (ablation_updates_the_variants, "changed its input variants"),
    (ablation_real_train, "never called the train it was given"),
]


@pytest.mark.parametrize(
    ("wrong", "words"), ABLATION_MISTAKES, ids=[str(i) for i in range(len(ABLATION_MISTAKES))]
)
def test_planted_ablation_fails_with_a_specific_message(wrong, words):
    result = checks.evaluate("6.8", wrong)
    assert result.status == checks.FAILED
    assert words in result.line, result.line


# --- the rules every check keeps ------------------------------------------------------------
def test_when_two_conventions_give_the_same_signs_the_hint_names_both():
    """On records that start with O to move, 'the previous player's view' and 'indexed by the
    move number' give the same (wrong) z: the hint must name both."""
    records = [r for r in lecture06.target_records() if "O to move first" in r[0]]
    names = [(name, game, states, G) for name, game, states, _, G in records]
    got_z = [[G[1 - game.current_player(s)] for s in states] for _, game, states, G in names]
    with pytest.raises(checks.CheckFailure) as failure:
        lecture06._check_outcomes(names, got_z)
    hint = failure.value.hint
    assert "two or more mistakes" in hint
    assert "moved into s_t" in hint and "assumes X moves first" in hint


def test_target_records_cover_both_winners_both_parities_and_both_starts():
    kinds = set()
    for _, game, states, _, G in lecture06.target_records():
        first = "XO"[game.current_player(states[0])]
        kinds.add((first, tuple(G), len(states) % 2))
    assert {(f, g) for f, g, _ in kinds} >= {("X", (1, -1)), ("X", (-1, 1)), ("X", (0, 0)),
                                              ("O", (1, -1)), ("O", (-1, 1))}  # fmt: skip
    assert {parity for _, _, parity in kinds} == {0, 1}


def test_self_play_check_meets_every_outcome_from_both_starts():
    played = lecture06._student_games(
        self_play_game, range(40), (lecture06.TicTacToe(), lecture06.AfterCentre())
    )
    seen = {(type(game).__name__, returns) for game, _, _, _, returns in played}
    assert len(seen) == 6, seen


def _never_returns(*args, **kwargs):
    while True:
        pass


@pytest.mark.parametrize("exercise_id", sorted(REFERENCE))
def test_a_function_that_never_returns_fails_within_the_limit(exercise_id):
    start = time.perf_counter()
    result = checks.evaluate(exercise_id, _never_returns, time_limit=0.5)
    assert result.status == checks.FAILED
    assert "did not finish within 0.5 s" in result.line
    assert time.perf_counter() - start < 5


def test_wrong_shapes_and_types_fail_without_a_crash():
    bad = {
        "6.1": lambda Q, N, P, c, *, rng: "child 1",
        "6.2": lambda logits, legal: logits[0],
        "6.3": lambda game, states, counts, returns: 3,
        "6.4": lambda p, v, pi, z, theta, c: [1.0, 2.0],
        "6.6": lambda game, evaluate, *, rng, config, search: 3,
        "6.7": lambda net, opt, X, legal, pi, z, *, rng, batch_size, c: "done",
        "6.8": lambda variants, seeds, *, train, **budget: [1, 2],
    }
    for exercise_id, fn in bad.items():
        result = checks.evaluate(exercise_id, fn)
        assert result.status == checks.FAILED
        assert "the check could not use" not in result.line, result.line
