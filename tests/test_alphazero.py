"""Tests of mbrl_helpers.alphazero: network and gradients, PUCT, targets, self-play, training."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mbrl_helpers import alphazero, games, mcts
from mbrl_helpers.alphazero import PolicyValueNet
from mbrl_helpers.models import nets

TTT = games.TicTacToe()


def random_batch(seed, batch=6, n_inputs=18, n_actions=9):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, n_inputs))
    legal = rng.random((batch, n_actions)) < 0.6
    legal[:, 0] = True
    pi = rng.random((batch, n_actions)) * legal
    pi[0] = 0.0
    pi[0, 0] = 1.0  # a one-hot target: pi = 0 on legal moves too
    pi /= pi.sum(axis=1, keepdims=True)
    z = rng.choice([-1.0, 0.0, 1.0], size=batch)
    return x, legal, pi, z


# --- the network ------------------------------------------------------------------------------
def test_policy_is_masked_and_normalised_and_value_in_range():
    net = PolicyValueNet(18, 9, 16, seed=0)
    x, legal, _, _ = random_batch(1)
    p, v = net.forward(x, legal)
    assert np.all(p[~legal] == 0.0)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.all(p[legal] > 0)
    assert v.shape == (6,) and np.all(np.abs(v) < 1)


def test_fast_single_prediction_matches_the_batch_forward():
    net = PolicyValueNet(18, 9, 16, seed=3)
    x, legal, _, _ = random_batch(2)
    p, v = net.forward(x, legal)
    for i in range(len(x)):
        actions = np.flatnonzero(legal[i]).tolist()
        priors, value = net.predict_legal(x[i], actions)
        assert np.allclose(priors, p[i, actions])
        assert value == pytest.approx(v[i])


@pytest.mark.parametrize("c", [0.0, 1e-2])
def test_backprop_matches_finite_differences(c):
    net = PolicyValueNet(18, 9, 8, seed=1)
    x, legal, pi, z = random_batch(4)
    parts, grads = net.loss_and_grads(x, legal, pi, z, c)
    assert parts.total == pytest.approx(net.loss(x, legal, pi, z, c).total)
    eps = 1e-6
    for name, w in net.params.items():
        numeric = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            old = w[i]
            w[i] = old + eps
            up = net.loss(x, legal, pi, z, c).total
            w[i] = old - eps
            down = net.loss(x, legal, pi, z, c).total
            w[i] = old
            numeric[i] = (up - down) / (2 * eps)
        assert np.allclose(grads[name], numeric, rtol=1e-5, atol=1e-7), name


def test_loss_terms_match_the_formula():
    net = PolicyValueNet(18, 9, 8, seed=2)
    x, legal, pi, z = random_batch(5)
    p, v = net.forward(x, legal)
    parts = net.loss(x, legal, pi, z, c=0.01)
    assert parts.value == pytest.approx(np.mean((z - v) ** 2))
    ce = [-sum(pi[b, a] * math.log(p[b, a]) for a in range(9) if pi[b, a] > 0) for b in range(6)]
    assert parts.policy == pytest.approx(np.mean(ce))
    assert parts.l2 == pytest.approx(0.01 * sum(np.sum(w**2) for w in net.params.values()))
    assert parts.total == pytest.approx(parts.value + parts.policy + parts.l2)


def test_adam_fits_a_small_batch():
    net = PolicyValueNet(18, 9, 16, seed=0)
    x, legal, pi, z = random_batch(6, batch=8)
    opt = nets.Adam(net.params, lr=1e-2)
    before = net.loss(x, legal, pi, z, 0.0)
    for _ in range(300):
        opt.step(net.loss_and_grads(x, legal, pi, z, 0.0)[1])
    after = net.loss(x, legal, pi, z, 0.0)
    assert after.value < 0.05 * before.value
    # the policy term cannot go below the entropy of the targets
    entropy = np.mean([-(row[row > 0] * np.log(row[row > 0])).sum() for row in pi])
    assert after.policy - entropy < 0.1 * (before.policy - entropy)


def test_copy_is_independent():
    net = PolicyValueNet(18, 9, 8, seed=0)
    twin = net.copy()
    twin.params["W1"] += 1.0
    assert not np.allclose(twin.params["W1"], net.params["W1"])
    assert twin.n_params == net.n_params == 18 * 8 + 8 + 8 * 8 + 8 + 8 * 9 + 9 + 8 + 1


def test_bad_network_input_is_rejected_with_the_argument_named():
    net = PolicyValueNet(18, 9, 8, seed=0)
    x, legal, pi, z = random_batch(0)
    with pytest.raises(ValueError, match="x must have 18 columns"):
        net.forward(x[:, :5], legal)
    with pytest.raises(ValueError, match="legal must have shape"):
        net.forward(x, legal[:, :4])
    no_moves = legal.copy()
    no_moves[1] = False
    with pytest.raises(ValueError, match="legal must allow at least one move"):
        net.forward(x, no_moves)
    bad_pi = pi.copy()
    bad_pi[~legal] = 0.1
    with pytest.raises(ValueError, match="pi must be zero on illegal moves"):
        net.loss(x, legal, bad_pi, z)
    with pytest.raises(ValueError, match="z must be an outcome"):
        net.loss(x, legal, pi, 2 * np.ones(6))
    with pytest.raises(TypeError, match="n_actions must be an integer"):
        PolicyValueNet(18, 9.0)
    with pytest.raises(ValueError, match="lr must be >"):
        nets.Adam(net.params, lr=0.0)


def test_masked_softmax_survives_large_logits():
    p = alphazero.masked_softmax(np.array([[1000.0, 999.0, 5.0]]), np.array([[True, True, False]]))
    assert np.allclose(p, [[1 / (1 + math.exp(-1)), 1 - 1 / (1 + math.exp(-1)), 0.0]])


def test_alphazero_loss_ignores_illegal_moves_instead_of_nan():
    p = np.array([[0.5, 0.5, 0.0]])
    pi = np.array([[1.0, 0.0, 0.0]])
    parts = alphazero.alphazero_loss(p, np.array([0.5]), pi, np.array([1.0]), [np.ones(2)], 0.1)
    assert parts.policy == pytest.approx(math.log(2))
    assert parts.value == pytest.approx(0.25)
    assert parts.l2 == pytest.approx(0.2)


# --- PUCT ---------------------------------------------------------------------------------------
def node_with_children(stats, to_play=0):
    """A parent whose children (action i) have (N, W, P) = stats[i]; N(s) = 1 + sum N."""
    parent = mcts.Node(None, 1 - to_play)
    parent.to_play = to_play
    for i, (n, w, p) in enumerate(stats):
        child = mcts.Node(i, to_play, p)
        child.N, child.W = n, w
        parent.children.append(child)
    parent.N = 1 + sum(n for n, _, _ in stats)
    return parent


def test_puct_formulas():
    Q, N, P = np.array([0.5, -0.2, 0.0]), np.array([4, 1, 0]), np.array([0.2, 0.3, 0.5])
    N_s = 1 + N.sum()
    assert np.allclose(alphazero.puct_scores(Q, N, P, 2.0), Q + 2.0 * P * np.sqrt(N_s) / (1 + N))
    assert np.allclose(alphazero.puct_scores_notes(Q, N, P), Q + P / (N + 1))
    for i in range(3):
        assert alphazero.puct_score(Q[i], P[i], N_s, N[i], 2.0) == pytest.approx(
            alphazero.puct_scores(Q, N, P, 2.0)[i]
        )
    with pytest.raises(ValueError, match="Q, N and P must be"):
        alphazero.puct_scores(Q, N[:2], P)
    with pytest.raises(ValueError, match="N must hold visit counts"):
        alphazero.puct_scores(Q, np.array([4, -1, 0]), P)
    with pytest.raises(ValueError, match="P must hold prior probabilities"):
        alphazero.puct_scores(Q, N, np.array([-1.0, 2.0, 0.0]))
    with pytest.raises(ValueError, match="N_parent must be >= 0"):
        alphazero.puct_score(0.0, 0.5, -1, 1)
    with pytest.raises(ValueError, match="P must be <= 1"):
        alphazero.puct_score(0.0, 1.5, 4, 1)
    with pytest.raises(TypeError, match="N_child must be an integer"):
        alphazero.puct_score(0.0, 0.5, 4, 1.5)


@pytest.mark.parametrize(
    ("fast", "scores"),
    [
        (alphazero.puct, alphazero.puct_scores),
        (alphazero.puct_notes, alphazero.puct_scores_notes),
    ],
)
def test_fast_rules_choose_like_the_array_formulas(fast, scores):
    reference = mcts.rule_from_scores(scores)
    rng = np.random.default_rng(0)
    for trial in range(200):
        k = int(rng.integers(2, 8))
        N = rng.integers(0, 12, size=k)
        W = np.where(N > 0, rng.uniform(-1, 1, size=k) * N, 0.0)
        P = rng.dirichlet(np.ones(k))
        node = node_with_children(list(zip(N.tolist(), W.tolist(), P.tolist(), strict=True)))
        c = float(rng.uniform(0.5, 3.0))
        got = fast(node, c, rng=np.random.default_rng(trial)).action
        assert got == reference(node, c, rng=np.random.default_rng(trial)).action


def test_prior_decides_among_unvisited_children():
    node = node_with_children([(0, 0.0, 0.1), (0, 0.0, 0.6), (0, 0.0, 0.3)])
    for rule in (alphazero.puct, alphazero.puct_notes):
        assert {rule(node, 1.5, rng=np.random.default_rng(s)).action for s in range(10)} == {1}


def test_published_rule_keeps_exploring_where_the_notes_rule_turns_greedy():
    # child 0: Q = 0.3 after 400 visits; child 1: Q = 0.2 after 100 visits, a larger prior.
    node = node_with_children([(400, 120.0, 0.3), (100, 20.0, 0.7)])
    rng = np.random.default_rng(0)
    assert alphazero.puct(node, 1.5, rng=rng).action == 1  # bonus grows with sqrt(N(s))
    assert alphazero.puct_notes(node, 1.0, rng=rng).action == 0  # bonus only shrinks: greedy on Q


def test_sample_move_temperature():
    state = TTT.state_from_string("X.. / .O. / ...")
    result = mcts.search(TTT, state, n_simulations=200, rng=np.random.default_rng(0))
    best = result.actions[int(np.argmax(result.N))]
    assert alphazero.sample_move(result, 0.0, rng=np.random.default_rng(1)) == best
    draws = [alphazero.sample_move(result, 1.0, rng=np.random.default_rng(s)) for s in range(300)]
    freq = np.array([draws.count(a) for a in result.actions]) / 300
    assert np.abs(freq - result.N / result.N.sum()).max() < 0.1
    with pytest.raises(ValueError, match="tau must be >= 0"):
        alphazero.sample_move(result, -1.0, rng=np.random.default_rng(0))


# --- targets, symmetries, self-play -------------------------------------------------------
def test_training_targets_flip_the_outcome_for_the_player_to_move():
    state = TTT.initial_state()
    states, counts = [], []
    for a in [0, 3, 1, 4, 2]:  # X takes the top row
        N = np.zeros(9)
        N[list(TTT.legal_actions(state))] = 1
        N[a] = 5
        states.append(state)
        counts.append(N)
        state = TTT.next_state(state, a)
    examples = alphazero.training_targets(TTT, states, counts, TTT.returns(state))
    assert [z for _, _, z in examples] == [1.0, -1.0, 1.0, -1.0, 1.0]
    for (s, pi, _), s_t, N in zip(examples, states, counts, strict=True):
        assert s == s_t
        assert np.allclose(pi, N / N.sum())
    with pytest.raises(ValueError, match="one entry per position"):
        alphazero.training_targets(TTT, states, counts[:2], (1, -1))
    with pytest.raises(ValueError, match="positive sum"):
        alphazero.training_targets(TTT, states[:1], [np.zeros(9)], (1, -1))


def test_augment_gives_the_eight_symmetric_examples():
    state = TTT.state_from_string("X.. / .O. / ..X")
    pi = np.zeros(9)
    pi[[1, 2]] = [0.25, 0.75]
    out = alphazero.augment(TTT, [(state, pi, -1.0)])
    assert len(out) == 8
    # X on both ends of a diagonal around O: only 2 distinct images (the board's own symmetries)
    assert len({s for s, _, _ in out}) == 2
    for s, pi_k, z in out:
        assert z == -1.0
        assert np.isclose(pi_k.sum(), 1.0)
        assert np.all(pi_k[~alphazero.legal_mask(TTT, s)] == 0)
        # the solver's values are invariant, so the mass stays on equivalent moves
        assert {games.solve(TTT, TTT.next_state(s, a))[0] for a in np.flatnonzero(pi_k)} == {
            games.solve(TTT, TTT.next_state(state, a))[0] for a in (1, 2)
        }


def test_network_evaluator_caches_and_aligns_priors_with_legal_actions():
    net = PolicyValueNet(18, 9, 8, seed=0)
    calls = []
    original = net.predict_legal
    net.predict_legal = lambda x, legal: calls.append(1) or original(x, legal)
    evaluate = alphazero.network_evaluator(TTT, net)
    state = TTT.state_from_string("X.. / .O. / ...")
    priors, value = evaluate(state)
    assert len(priors) == len(TTT.legal_actions(state)) == 7
    assert math.isclose(sum(priors), 1.0)
    p, v = net.forward(alphazero.encode(TTT, state)[None], alphazero.legal_mask(TTT, state)[None])
    assert np.allclose(priors, p[0, list(TTT.legal_actions(state))])
    assert value == pytest.approx(v[0])
    evaluate(state)
    assert len(calls) == 1 and state in evaluate.cache
    with pytest.raises(TypeError, match="net must be a PolicyValueNet"):
        alphazero.network_evaluator(TTT, object())


def test_self_play_game_is_reproducible_and_consistent():
    net = PolicyValueNet(18, 9, 8, seed=0)
    config = alphazero.SelfPlayConfig(n_simulations=20)
    runs = []
    for _ in range(2):
        evaluate = alphazero.network_evaluator(TTT, net)
        runs.append(
            alphazero.self_play_game(TTT, evaluate, rng=np.random.default_rng(5), config=config)
        )
    a, b = runs
    assert [s for s, _, _ in a] == [s for s, _, _ in b]
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b, strict=True))
    for t, (s, pi, z) in enumerate(a):
        assert TTT.current_player(s) == t % 2
        assert np.isclose(pi.sum(), 1.0) and np.all(pi[~alphazero.legal_mask(TTT, s)] == 0)
        assert z == a[0][2] * (-1) ** t  # zero-sum: the sign alternates with the player


# --- players ------------------------------------------------------------------------------
def test_search_player_takes_a_win_even_with_an_untrained_network():
    net = PolicyValueNet(18, 9, 16, seed=0)
    state = TTT.state_from_string("XX. / OO. / ...")  # X to move, 2 wins
    player = alphazero.AlphaZeroPlayer(TTT, net, n_simulations=50, seed=0)
    assert player(state) == 2
    assert player.last_result.N.sum() == 49  # the first simulation expands the root


def test_raw_player_plays_the_argmax_of_the_policy_and_keeps_its_own_copy():
    net = PolicyValueNet(18, 9, 16, seed=1)
    player = alphazero.AlphaZeroPlayer(TTT, net, n_simulations=0)
    state = TTT.state_from_string("X.. / .O. / ...")
    p, _ = net.forward(alphazero.encode(TTT, state)[None], alphazero.legal_mask(TTT, state)[None])
    assert player(state) == int(np.argmax(p[0]))
    net.params["bp"] += np.eye(9)[8] * 100  # training the net afterwards does not change it
    assert player(state) == int(np.argmax(p[0]))


def test_player_rejects_bad_arguments():
    net = PolicyValueNet(18, 9, 8, seed=0)
    with pytest.raises(TypeError, match="net must be a PolicyValueNet"):
        alphazero.AlphaZeroPlayer(TTT, "net")
    with pytest.raises(ValueError, match="n_simulations must be >= 0"):
        alphazero.AlphaZeroPlayer(TTT, net, n_simulations=-1)
    with pytest.raises(ValueError, match="one policy output per action"):
        alphazero.AlphaZeroPlayer(games.ConnectFour(4, 5), net)


def test_loss_rates_are_exact():
    assert alphazero.loss_rates(TTT, games.perfect_player(TTT, 0)) == (0.0, 0.0)

    def middle_free(state):
        legal = TTT.legal_actions(state)
        return legal[len(legal) // 2]

    first, second = alphazero.loss_rates(TTT, middle_free)
    assert 0 < first < 1 and 0 < second < 1, (first, second)
    # the sampled rate of a match agrees with the exact one
    result = games.match(TTT, middle_free, games.perfect_player(TTT, 3), n_games=400)
    assert result.as_first.losses / 200 == pytest.approx(first, abs=0.12)
    assert result.as_second.losses / 200 == pytest.approx(second, abs=0.12)


def test_loss_rates_against_the_random_player():
    assert alphazero.loss_rates(TTT, games.perfect_player(TTT, 0), opponent="random") == (0, 0)

    def first_free(state):
        return TTT.legal_actions(state)[0]

    first, second = alphazero.loss_rates(TTT, first_free, opponent="random")
    assert 0 < first < second < 1, (first, second)  # worse as O: X moves first
    result = games.match(TTT, first_free, games.random_player(TTT, 5), n_games=2000)
    for exact, losses in ((first, result.as_first.losses), (second, result.as_second.losses)):
        se = np.sqrt(exact * (1 - exact) / 1000)
        assert abs(losses / 1000 - exact) < 4 * se, (losses, exact)
    with pytest.raises(ValueError, match='opponent must be "perfect" or "random"'):
        alphazero.loss_rates(TTT, first_free, opponent="perfect player")


def test_history_unbeaten_from():
    h = alphazero.History()
    for raw in [0.5, 0.0, 0.1, 0.0, 0.0]:
        h.value_loss.append(0.0)
        h.raw_loss_first.append(raw)
        h.raw_loss_second.append(0.0)
        h.search_loss_first.append(0.0)
        h.search_loss_second.append(0.0)
    assert h.unbeaten().tolist() == [False, True, False, True, True]
    assert h.unbeaten_from() == 3
    h.search_loss_second[-1] = 0.2
    assert h.unbeaten_from() is None


def test_train_rejects_bad_arguments():
    with pytest.raises(TypeError, match="game must be a game"):
        alphazero.train("tic-tac-toe")
    with pytest.raises(ValueError, match="n_iterations must be >= 1"):
        alphazero.train(TTT, n_iterations=0)
    with pytest.raises(ValueError, match="noise_fraction must be <= 1"):
        alphazero.train(TTT, noise_fraction=2.0)
    with pytest.raises(TypeError, match="unknown setting.*n_steps"):
        alphazero.train(TTT, n_steps=3)
    with pytest.raises(TypeError, match="config must be an alphazero.TrainConfig"):
        alphazero.train(TTT, config={"n_iterations": 3})


def test_train_config_keeps_every_default_once_and_replaces_by_name():
    config = alphazero.TrainConfig()
    assert config.self_play == alphazero.SelfPlayConfig()
    changed = config.replace(n_iterations=3, n_simulations=7)
    assert (changed.n_iterations, changed.self_play.n_simulations) == (3, 7)
    assert changed.self_play.c_puct == config.self_play.c_puct  # the rest is untouched
    assert config.n_iterations == 25  # frozen: replace makes a copy


# --- training to perfect play (about 5 s on an idle 2-core machine) -------------------------
@pytest.fixture(scope="module")
def trained():
    return alphazero.train(TTT, seed=0, progress=False)


def test_train_reaches_stable_perfect_play(trained):
    net, history = trained
    assert history.n_iterations == 25
    start = history.unbeaten_from()
    assert start is not None and start <= 20, history.unbeaten()
    assert history.value_loss[-1] < history.value_loss[0]
    assert history.policy_loss[-1] < history.policy_loss[0]


@pytest.mark.parametrize("n_simulations", [0, 50])
def test_trained_network_never_loses_to_the_perfect_player(trained, n_simulations):
    net, _ = trained
    player = alphazero.AlphaZeroPlayer(TTT, net, n_simulations=n_simulations, seed=1)
    result = games.match(TTT, player, games.perfect_player(TTT, seed=2), n_games=200)
    assert result.as_first.losses == 0 and result.as_second.losses == 0, str(result)
    assert result.as_first.games == result.as_second.games == 100


def test_training_is_reproducible(trained):
    net, history = alphazero.train(TTT, seed=0, n_iterations=2, progress=False)
    again, history2 = alphazero.train(TTT, seed=0, n_iterations=2, progress=False)
    assert all(np.array_equal(net.params[k], again.params[k]) for k in net.params)
    assert history.value_loss == history2.value_loss


def test_train_smoke_on_connect_four_without_a_solver():
    game = games.ConnectFour(4, 5)
    net, history = alphazero.train(
        game,
        n_iterations=2,
        games_per_iteration=2,
        n_simulations=5,
        n_gradient_steps=3,
        progress=False,
    )
    assert (net.n_inputs, net.n_actions) == (2 * 4 * 5, 5)
    assert history.n_iterations == 2 and np.isnan(history.raw_loss_first).all()
    assert np.isnan(history.raw_loss_random_second).all()
    assert history.unbeaten_from() is None
    player = alphazero.AlphaZeroPlayer(game, net, n_simulations=10, seed=0)
    assert games.play(game, [player, games.random_player(game, 0)]) in {(1, -1), (0, 0), (-1, 1)}


def test_stored_seed_zero_is_what_train_gives(trained):
    """Lectures 06 and 08 load stored runs; seed 0 of the lecture's loop must be this run."""
    from mbrl_helpers.experiments import alphazero_seeds

    _, history = trained
    stored = next(
        r for r in alphazero_seeds.load() if r.variant == "lecture's loop" and r.seed == 0
    )
    for field in ("value_loss", "policy_loss", "positions", "raw_loss_first", "raw_loss_second",
                  "search_loss_first", "search_loss_second", "raw_loss_random_first",
                  "raw_loss_random_second"):  # fmt: skip
        np.testing.assert_allclose(getattr(stored.history, field), getattr(history, field))
    _, replayed = alphazero_seeds.stored_train(TTT, seed=0, progress=False)
    assert replayed == stored.history


def test_history_records_cpu_time_that_grows(trained):
    _, history = trained
    assert len(history.cpu_seconds) == history.n_iterations
    assert np.all(np.diff(history.cpu_seconds) >= 0) and history.cpu_seconds[-1] > 0


# --- the pieces lecture 06's exercises replace: train_step, play and learn -------------------
def test_train_step_draws_a_minibatch_and_takes_one_step():
    net = PolicyValueNet(18, 9, 8, seed=0)
    opt = nets.Adam(net.params, lr=1e-2)
    X, legal, pi, z = random_batch(3, batch=20)
    before = {k: w.copy() for k, w in net.params.items()}
    parts = alphazero.train_step(net, opt, X, legal, pi, z, rng=np.random.default_rng(0),
                                 batch_size=7, c=1e-3)  # fmt: skip
    assert isinstance(parts, alphazero.LossParts) and opt.t == 1
    assert any(not np.array_equal(before[k], w) for k, w in net.params.items())
    # the same draw of indices as the training loop has always made
    idx = (np.random.default_rng(0).random(7) * 20).astype(int)
    fresh = PolicyValueNet(18, 9, 8, seed=0)
    expected, _ = fresh.loss_and_grads(X[idx], legal[idx], pi[idx], z[idx], 1e-3)
    assert parts.total == pytest.approx(expected.total)


def test_train_takes_its_self_play_and_its_step_as_arguments():
    calls = {"play": 0, "learn": 0}

    def play(game, evaluate, *, rng, config):
        calls["play"] += 1
        return alphazero.self_play_game(game, evaluate, rng=rng, config=config)

    def learn(net, opt, X, legal, pi, z, *, rng, batch_size, c):
        calls["learn"] += 1
        return alphazero.train_step(net, opt, X, legal, pi, z, rng=rng, batch_size=batch_size, c=c)

    settings = dict(n_iterations=2, games_per_iteration=3, n_simulations=8, n_gradient_steps=4,
                    eval_simulations=0, progress=False)  # fmt: skip
    _, ours = alphazero.train(TTT, seed=1, **settings)
    _, theirs = alphazero.train(TTT, seed=1, play=play, learn=learn, **settings)
    assert calls == {"play": 6, "learn": 8}
    assert ours.value_loss == theirs.value_loss and ours.positions == theirs.positions
    with pytest.raises(TypeError, match="play must be a function"):
        alphazero.train(TTT, play=3, **settings)


def test_ablation_settings_change_self_play_and_the_replay():
    settings = dict(n_iterations=1, games_per_iteration=4, n_simulations=8, n_gradient_steps=2,
                    eval_simulations=0, progress=False)  # fmt: skip
    _, base = alphazero.train(TTT, seed=2, **settings)
    _, notes = alphazero.train(TTT, seed=2, rule="notes", c_puct=1.0, **settings)
    _, plain = alphazero.train(TTT, seed=2, symmetries=False, **settings)
    assert base.value_loss != notes.value_loss
    assert plain.positions == base.positions and plain.value_loss != base.value_loss
    config = alphazero.SelfPlayConfig(rule="notes")
    assert config.select is alphazero.puct_notes
    assert alphazero.SelfPlayConfig().select is alphazero.puct
    with pytest.raises(ValueError, match="rule must be one of"):
        alphazero.SelfPlayConfig(rule="ucb1")
    with pytest.raises(TypeError, match="symmetries must be True or False"):
        alphazero.TrainConfig(symmetries="yes")
    with pytest.raises(ValueError, match="eval_c_puct must be >= 0"):
        alphazero.TrainConfig(eval_c_puct=-1.0)
