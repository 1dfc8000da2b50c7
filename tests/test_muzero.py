"""Tests of mbrl_helpers.muzero and of the search inside a learned model (mcts.search_batch)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mbrl_helpers import alphazero, games, mcts, muzero
from mbrl_helpers.envs.mazes import DYNA_MAZE
from mbrl_helpers.models.nets import numerical_gradient
from mbrl_helpers.muzero import MuZeroNet, UnrollBatch

TTT = games.TicTacToe()
DYNA_MAZE_START = 2 * 9  # S is in row 2, column 0 of the 6x9 maze


# --- the network: backprop through the unroll --------------------------------------------------
def random_unroll_batch(seed, B=5, K=3, n_inputs=7, A=4):
    rng = np.random.default_rng(seed)
    policy_mask = (rng.random((B, K + 1)) < 0.7).astype(float)
    pi = rng.random((B, K + 1, A))
    pi /= pi.sum(axis=-1, keepdims=True)
    return UnrollBatch(
        obs=rng.random((B, K + 1, n_inputs)),
        actions=rng.integers(A, size=(B, K)),
        value=rng.uniform(-1, 1, (B, K + 1)),
        reward=(rng.random((B, K)) < 0.4).astype(float),
        policy=pi * policy_mask[:, :, None],
        policy_mask=policy_mask,
        consistency_mask=(rng.random((B, K + 1)) < 0.7).astype(float),
        value_mask=(rng.random((B, K + 1)) < 0.8).astype(float),
    )


def small_net(seed=1, n_inputs=7, A=4):
    net = MuZeroNet(n_inputs, A, latent=6, hidden=5, dynamics_hidden=8, seed=seed, dtype=np.float64)
    rng = np.random.default_rng(seed + 10)
    for w in net.params.values():  # move away from the initial small heads and zero biases
        w += 0.2 * rng.standard_normal(w.shape)
    return net


@pytest.mark.parametrize(("K", "c_l2", "w_c"), [(3, 1e-3, 2.0), (1, 0.0, 0.0), (0, 1e-2, 5.0)])
def test_backprop_through_the_unroll_matches_finite_differences(K, c_l2, w_c):
    net = small_net()
    batch = random_unroll_batch(2, K=K)
    frozen = {k: w.copy() for k, w in net.params.items()}  # consistency targets held fixed
    parts, grads = net.loss_and_grads(batch, c_l2, w_c, gradient_scale=1.0, target_params=frozen)
    assert parts.total == pytest.approx(net.loss(batch, c_l2, w_c).total)

    def loss():
        return net.loss_and_grads(batch, c_l2, w_c, grads=False, target_params=frozen)[0].total

    for name, w in net.params.items():
        numeric = numerical_gradient(loss, w)
        assert np.allclose(grads[name], numeric, rtol=1e-5, atol=1e-7), name


def test_the_gradient_scale_halves_only_what_flows_back_through_the_dynamics():
    net = small_net(3)
    batch = random_unroll_batch(4, K=3)
    _, exact = net.loss_and_grads(batch, 0.0, 1.0, gradient_scale=1.0)
    _, halved = net.loss_and_grads(batch, 0.0, 1.0)  # MuZero's 1/2
    for name in ("Wf", "bf", "Wp", "bp", "wv", "bv"):  # prediction f: its own inputs, unchanged
        assert np.array_equal(exact[name], halved[name]), name
    for name in ("Wh1", "Wgs", "Wga"):  # h and g receive less from the later steps
        assert not np.allclose(exact[name], halved[name]), name
    # with K = 0 nothing flows through g: the scale changes nothing
    batch0 = random_unroll_batch(4, K=0)
    _, a = net.loss_and_grads(batch0, 0.0, 1.0, gradient_scale=1.0)
    _, b = net.loss_and_grads(batch0, 0.0, 1.0)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_masks_remove_their_terms():
    net = small_net(5)
    batch = random_unroll_batch(6, K=2)
    none = dataclasses.replace(
        batch,
        policy_mask=np.zeros_like(batch.policy_mask),
        consistency_mask=np.zeros_like(batch.consistency_mask),
        value_mask=np.zeros_like(batch.value_mask),
    )
    parts = net.loss(none, 0.0, 3.0)
    assert parts.policy == 0.0 and parts.consistency == 0.0
    assert parts.value == 0.0 and parts.reward == 0.0


def test_float32_network_gives_the_float64_numbers_to_single_precision():
    net64 = small_net(7)
    net32 = net64.copy()
    net32.dtype = np.dtype(np.float32)
    net32.params = {k: w.astype(np.float32) for k, w in net64.params.items()}
    batch = random_unroll_batch(8, K=3)
    p64, g64 = net64.loss_and_grads(batch, 1e-3, 2.0)
    p32, g32 = net32.loss_and_grads(batch, 1e-3, 2.0)
    assert p32.total == pytest.approx(p64.total, rel=1e-4)
    assert all(g32[k].dtype == np.float32 for k in g32)
    assert all(np.allclose(g32[k], g64[k], rtol=1e-3, atol=1e-5) for k in g64)


def test_inference_shapes_and_ranges():
    net = MuZeroNet(18, 9, seed=0)
    obs = np.stack([muzero.encode(TTT, TTT.initial_state())] * 3)
    s, p, v = net.initial_inference(obs)
    assert s.shape == (3, 64) and p.shape == (3, 9) and v.shape == (3,)
    assert np.allclose(p.sum(axis=1), 1.0) and np.all(np.abs(s) <= 1) and np.all(np.abs(v) < 1)
    r, s2, p2, v2 = net.recurrent_inference(s, np.array([0, 4, 8]))
    assert r.shape == (3,) and np.all((r > 0) & (r < 1)) and s2.shape == s.shape
    out = net.unroll(obs, np.array([[0, 1], [4, 5], [8, 7]]))
    assert out["policy"].shape == (3, 3, 9) and out["reward"].shape == (3, 2)
    assert np.allclose(out["latent"][:, 0], s) and np.allclose(out["reward"][:, 0], r)


# --- targets -----------------------------------------------------------------------------------
def recorded_game(moves, A=9):
    """A finished tic-tac-toe game as a Trajectory, with one-hot 'search' policies."""
    state = TTT.initial_state()
    obs, rewards, policies = [], [], []
    for a in moves:
        obs.append(muzero.encode(TTT, state))
        nxt = TTT.next_state(state, a)
        rewards.append(muzero.move_reward(TTT, state, a, nxt))
        policies.append(np.eye(A)[a])
        state = nxt
    assert TTT.is_terminal(state)
    obs.append(muzero.encode(TTT, state))
    return muzero.Trajectory(
        observations=np.stack(obs),
        actions=np.array(moves),
        rewards=np.array(rewards),
        policies=np.array(policies),
        root_values=np.zeros(len(moves)),
    )


X_WINS = [0, 3, 1, 4, 2]  # X takes the top row on move 5
DRAW = [4, 0, 8, 2, 1, 7, 6, 3, 5]


def test_rewards_and_outcome_values_of_a_won_game():
    traj = recorded_game(X_WINS)
    assert traj.rewards.tolist() == [0, 0, 0, 0, 1]  # 1 on the winning move only
    z = muzero.value_targets(traj.rewards, traj.root_values)
    # for the player to move: X at t = 0, 2, 4 (wins), O at t = 1, 3 (loses); nothing at the end
    assert z.tolist() == [1, -1, 1, -1, 1, 0]
    draw = recorded_game(DRAW)
    assert muzero.value_targets(draw.rewards, draw.root_values).tolist() == [0] * 10


def test_single_agent_n_step_targets_bootstrap_with_the_discount():
    rewards = np.array([0.0, 0.0, 0.0, 1.0])
    nu = np.array([0.5, 0.6, 0.7, 0.8])
    z = muzero.value_targets(rewards, nu, discount=0.9, n_steps=2, two_player=False)
    assert z == pytest.approx([0.9**2 * 0.7, 0.9**2 * 0.8, 0.9 * 1.0, 1.0, 0.0])
    full = muzero.value_targets(rewards, nu, discount=0.9, two_player=False)
    assert full == pytest.approx([0.9**3, 0.9**2, 0.9, 1.0, 0.0])
    cut = muzero.value_targets(
        [0.0, 0.0], [0.1, 0.2], discount=0.5, n_steps=5, two_player=False, terminated=False,
        final_value=0.8,
    )  # fmt: skip
    assert cut == pytest.approx([0.25 * 0.8, 0.5 * 0.8, 0.8])


def test_unroll_targets_are_aligned_and_absorbing_past_the_end():
    traj = recorded_game(X_WINS)  # T = 5
    z = muzero.value_targets(traj.rewards, traj.root_values)
    rng = np.random.default_rng(0)
    tg = muzero.unroll_targets(traj, 3, 4, z, rng=rng)  # positions 3, 4, 5 (end), 6, 7
    assert tg.actions[:2].tolist() == [4, 2]  # a_4, a_5; then random
    assert tg.reward.tolist() == [0, 1, 0, 0]  # u_4, u_5 = the win, then nothing
    assert tg.value.tolist() == [-1, 1, 0, 0, 0]  # O to move at 3 loses, X at 4 wins, absorbing
    assert tg.policy_mask.tolist() == [1, 1, 0, 0, 0]
    assert np.array_equal(tg.policy[1], np.eye(9)[2]) and not tg.policy[2:].any()
    assert 0 <= tg.actions[2] < 9 and 0 <= tg.actions[3] < 9


def test_stored_unrolls_match_unroll_targets_for_every_position():
    traj = recorded_game(DRAW)
    z = muzero.value_targets(traj.rewards, traj.root_values)
    K = 5
    stored = muzero.stored_unrolls(traj, K, z)
    for t in range(traj.T):
        tg = muzero.unroll_targets(traj, t, K, z, rng=np.random.default_rng(t))
        real = stored["actions"][t] != -1
        assert np.array_equal(stored["actions"][t][real], tg.actions[real])
        assert real.sum() == min(K, traj.T - t)
        assert np.array_equal(stored["value"][t], tg.value)
        assert np.array_equal(stored["reward"][t], tg.reward)
        assert np.array_equal(stored["policy"][t], tg.policy)
        assert np.array_equal(stored["policy_mask"][t], tg.policy_mask)
        obs_known = min(K, traj.T - t)
        assert np.array_equal(
            stored["obs"][t][: obs_known + 1], traj.observations[t : t + obs_known + 1]
        )
        # consistency only for real, non-terminal observations after the first step
        assert stored["consistency_mask"][t].tolist() == [
            float(1 <= k and t + k < traj.T) for k in range(K + 1)
        ]


def test_a_cut_off_episode_has_no_targets_past_its_end():
    traj = dataclasses.replace(recorded_game(X_WINS), terminated=False)
    stored = muzero.stored_unrolls(traj, 3, np.arange(6.0))
    assert stored["value_mask"][4].tolist() == [1, 1, 0, 0]  # positions 4, 5, 6, 7
    with pytest.raises(ValueError, match="terminated"):
        muzero.unroll_targets(traj, 0, 2, np.zeros(6), rng=np.random.default_rng(0))


# --- the search inside a learned model ---------------------------------------------------------
class RecordingGame:
    """Tic-tac-toe that records every call of its rules, with the state it was asked about."""

    def __init__(self):
        self.inner = games.TicTacToe()
        self.name, self.num_actions = self.inner.name, self.inner.num_actions
        self.num_symmetries = self.inner.num_symmetries
        self.calls: list[tuple[str, object]] = []

    def _record(name):  # noqa: N805 - a decorator factory inside the class body
        def method(self, state, *args):
            self.calls.append((name, state))
            return getattr(self.inner, name)(state, *args)

        return method

    def initial_state(self):
        return self.inner.initial_state()

    current_player = _record("current_player")
    legal_actions = _record("legal_actions")
    next_state = _record("next_state")
    is_terminal = _record("is_terminal")
    returns = _record("returns")
    render = _record("render")
    encode = _record("encode")


def test_muzero_player_never_consults_the_rules_below_the_root():
    game = RecordingGame()
    net = MuZeroNet(18, 9, seed=3)
    player = muzero.MuZeroPlayer(game, net, n_simulations=60, seed=0)
    positions = [
        TTT.initial_state(),
        TTT.state_from_string("XX. / OO. / ..."),  # a win in one: the tree holds 'wins'
        TTT.state_from_string("XOX / OOX / X.."),  # two moves left: the tree goes past the end
    ]
    for root in positions:
        game.calls.clear()
        move = player(root)
        assert move in TTT.legal_actions(root)
        assert player.last_result.root.N == 60
        assert max(_depth(player.last_result.root)) > 2  # the tree goes deeper than the rules
        asked = {state for _, state in game.calls}
        assert asked == {root}, f"rules called on {len(asked - {root})} states below the root"
        assert {name for name, _ in game.calls} <= {
            "is_terminal", "current_player", "legal_actions", "encode",
        }  # fmt: skip
    # and several searches in lockstep: each only at its own root
    game.calls.clear()
    player.choose_many(positions)
    assert {state for _, state in game.calls} == set(positions)


def _depth(node, d=0):
    yield d
    for child in node.children:
        yield from _depth(child, d + 1)


def test_below_the_root_every_action_is_searched_and_nothing_ends():
    net = MuZeroNet(18, 9, seed=4)
    root_state = TTT.state_from_string("XOX / OOX / X..")  # two legal moves, O wins with 7
    result = mcts.search(
        TTT,
        root_state,
        model=muzero.NetworkModel(TTT, net),
        n_simulations=80,
        rng=np.random.default_rng(0),
        select=alphazero.puct,
    )
    assert sorted(result.actions) == [7, 8]  # the root: legal moves only, priors renormalised
    assert result.P.sum() == pytest.approx(1.0)
    expanded = [n for n in _nodes(result.root) if n.children and n is not result.root]
    assert expanded and all(len(n.children) == 9 for n in expanded)
    assert not any(n.terminal for n in _nodes(result.root))


def _nodes(node):
    yield node
    for child in node.children:
        yield from _nodes(child)


class ChainModel:
    """A hand-made learned model: latent = [position], reward `scale` on reaching position 2."""

    num_actions = 2

    def __init__(self, two_player=False, discount=0.5, scale=1.0, value=0.25):
        self.two_player, self.discount, self.scale, self.value = two_player, discount, scale, value

    def initial(self, states):
        B = len(states)
        return np.zeros((B, 1)), np.full((B, 2), 0.5), np.full(B, self.value)

    def recurrent(self, latents, actions):
        position = latents[:, 0] + np.asarray(actions)  # action 1 moves on, action 0 stays
        rewards = np.where((position == 2) & (np.asarray(actions) == 1), self.scale, 0.0)
        B = len(latents)
        return rewards, position[:, None], np.full((B, 2), 0.5), np.full(B, self.value)


class TwoMoves:
    """The root's game: two legal moves, never over (only the root is ever asked)."""

    name, num_actions = "two-moves", 2

    def initial_state(self):
        return (0,)

    def current_player(self, state):
        return 0

    def legal_actions(self, state):
        return (0, 1)

    def next_state(self, state, action):
        raise AssertionError("the search must not call next_state")

    def is_terminal(self, state):
        return False

    def returns(self, state):
        raise AssertionError("the search must not call returns")


def test_backup_includes_rewards_and_the_discount_single_agent():
    model = ChainModel(two_player=False, discount=0.5, scale=1.0, value=0.25)
    root = mcts.new_latent_root(TwoMoves(), (0,))
    root.state = np.zeros(1)
    mcts.expand_root(TwoMoves(), root, (0,), [0.5, 0.5])
    child = root.children[1]
    child.reward, child.to_play, child.state = 0.3, 0, np.ones(1)
    mcts.backup_latent([root, child], 0.25, model.discount, +1.0)
    assert child.Q == pytest.approx(0.3 + 0.5 * 0.25)  # Q = r + gamma V(s')
    assert -root.W / root.N == pytest.approx(0.3 + 0.5 * 0.25)


def test_backup_flips_the_sign_between_two_players():
    root = mcts.new_latent_root(TTT, TTT.initial_state())
    mcts.expand_root(TTT, root, TTT.initial_state(), np.full(9, 1 / 9))
    child = root.children[4]
    child.reward, child.to_play = 0.2, 1
    mcts.expand_latent(child, np.full(9, 1 / 9))
    grandchild = child.children[0]
    grandchild.reward, grandchild.to_play = 1.0, 0
    mcts.backup_latent([root, child, grandchild], -0.5, 1.0, -1.0)
    assert grandchild.player == 1 and child.player == 0
    assert grandchild.Q == pytest.approx(1.0 - (-0.5))  # Q = r - V(child): O's view
    assert child.Q == pytest.approx(0.2 - 1.5)  # X's view: r - (O's value of the grandchild)
    assert -root.W / root.N == pytest.approx(0.2 - 1.5)
    assert (root.bounds.low, root.bounds.high) == (pytest.approx(-1.3), pytest.approx(1.5))


def test_min_max_stats_normalise_into_the_unit_interval():
    b = mcts.MinMaxStats()
    assert b.normalise(3.0) == 3.0  # nothing seen yet: unchanged
    b.update(-2.0)
    assert b.normalise(-2.0) == -2.0  # one value: max = min, unchanged
    b.update(6.0)
    b.update(1.0)
    assert (b.low, b.high) == (-2.0, 6.0)
    assert b.normalise(-2.0) == 0.0 and b.normalise(6.0) == 1.0 and b.normalise(2.0) == 0.5


def test_normalised_puct_and_rule_from_scores_agree():
    root = mcts.new_latent_root(TTT, TTT.initial_state())
    mcts.expand_root(TTT, root, TTT.initial_state(), np.linspace(0.02, 0.2, 9))
    rng = np.random.default_rng(0)
    for child in root.children[:5]:
        child.N = int(rng.integers(1, 6))
        child.W = float(rng.uniform(-30, 40)) * child.N
        root.bounds.update(child.Q)
    root.N = 1 + sum(c.N for c in root.children)
    slow = mcts.rule_from_scores(alphazero.puct_scores, normalise=True)
    for c in (0.5, 1.5, 5.0):
        a = muzero.puct_normalised(root, c, rng=np.random.default_rng(1))
        b = slow(root, c, rng=np.random.default_rng(1))
        assert a is b
    # normalised, Q spans [0, 1]: with c = 0 the best child wins, unvisited ones score 0
    best = max(root.children[:5], key=lambda ch: ch.Q)
    assert muzero.puct_normalised(root, 0.0, rng=rng) is best


def test_normalised_search_does_not_depend_on_the_scale_of_the_rewards():
    # A reward of 1 or of 100 two moves down the chain: PUCT on raw Q commits harder to the
    # rewarding move when the reward is larger (Q swamps the prior bonus); on normalised Q the
    # search is the same at both scales.
    def visits(select, scale):
        model = ChainModel(two_player=False, discount=1.0, scale=scale, value=0.0)
        result = mcts.search(
            TwoMoves(), (0,), model=model, n_simulations=60, rng=np.random.default_rng(0),
            select=select, c=1.5,
        )  # fmt: skip
        return result.N.tolist(), result.root.bounds

    plain_1, _ = visits(alphazero.puct, 1.0)
    plain_100, _ = visits(alphazero.puct, 100.0)
    normed_1, _ = visits(muzero.puct_normalised, 1.0)
    normed_100, bounds = visits(muzero.puct_normalised, 100.0)
    assert normed_1 == normed_100
    assert plain_100[0] < plain_1[0]  # the other move is hardly tried any more
    assert (bounds.low, bounds.high) == (0.0, 100.0)


def test_search_batch_equals_one_search_per_state():
    net = MuZeroNet(18, 9, seed=5)
    model = muzero.NetworkModel(TTT, net)
    states = [TTT.initial_state(), TTT.state_from_string("X.. / .O. / ..X")]
    together = mcts.search_batch(
        TTT, states, model, n_simulations=30, rng=[np.random.default_rng(i) for i in (0, 1)],
        select=alphazero.puct,
    )  # fmt: skip
    for i, s in enumerate(states):
        alone = mcts.search(
            TTT, s, model=model, n_simulations=30, rng=np.random.default_rng(i),
            select=alphazero.puct,
        )  # fmt: skip
        assert alone.N.tolist() == together[i].N.tolist()
        assert np.array_equal(alone.Q, together[i].Q)


def test_search_with_a_model_checks_its_arguments():
    model = muzero.NetworkModel(TTT, MuZeroNet(18, 9, seed=0))
    rng = np.random.default_rng(0)
    s0 = TTT.initial_state()
    with pytest.raises(TypeError, match="evaluate must be None"):
        mcts.search(TTT, s0, lambda s: None, model=model, n_simulations=5, rng=rng)
    with pytest.raises(TypeError, match="model must be a learned model"):
        mcts.search_batch(TTT, [s0], object(), n_simulations=5, rng=rng)
    with pytest.raises(ValueError, match="rng must be one generator or one per state"):
        mcts.search_batch(TTT, [s0, s0], model, n_simulations=5, rng=[rng])
    with pytest.raises(ValueError, match="states must hold at least one"):
        mcts.search_batch(TTT, [], model, n_simulations=5, rng=rng)
    with pytest.raises(ValueError, match="terminal"):
        mcts.search_batch(
            TTT, [TTT.state_from_string("XXX / OO. / ...")], model, n_simulations=5, rng=rng
        )
    with pytest.raises(ValueError, match="n_simulations"):
        mcts.search_batch(TTT, [s0], model, n_simulations=0, rng=rng)


# --- the player and its evaluation -------------------------------------------------------------
def test_player_api_and_errors():
    net = MuZeroNet(18, 9, seed=2)
    raw = muzero.MuZeroPlayer(TTT, net, 0)
    s = TTT.state_from_string("XO. / ... / ...")
    assert raw(s) in TTT.legal_actions(s)
    assert raw.last_result is None
    searched = muzero.MuZeroPlayer(TTT, net, 20, seed=1)
    assert searched(s) == searched(s)  # a position's move does not depend on the calls before
    assert searched.last_result.root.N == 20
    assert "n_simulations=20" in repr(searched)
    with pytest.raises(TypeError, match="net must be a MuZeroNet"):
        muzero.MuZeroPlayer(TTT, alphazero.PolicyValueNet(18, 9), 10)
    with pytest.raises(ValueError, match="one policy output per action"):
        muzero.MuZeroPlayer(TTT, MuZeroNet(18, 4), 10)
    with pytest.raises(ValueError, match="n_simulations must be >= 0"):
        muzero.MuZeroPlayer(TTT, net, -1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        muzero.MuZeroPlayer(TTT, net, 5, seed=0.5)
    with pytest.raises(TypeError, match="game must be a game"):
        muzero.MuZeroPlayer("tic-tac-toe", net, 5)
    with pytest.raises(ValueError, match="terminal"):
        raw(TTT.state_from_string("XXX / OO. / ..."))


def test_the_player_keeps_its_own_copy_of_the_network():
    net = MuZeroNet(18, 9, seed=2)
    player = muzero.MuZeroPlayer(TTT, net, 10)
    before = player(TTT.initial_state())
    for w in net.params.values():
        w[...] = 0.0
    assert player(TTT.initial_state()) == before


@pytest.mark.parametrize("n_simulations", [0, 15])
def test_batched_loss_rates_equal_the_sequential_ones(n_simulations):
    net = MuZeroNet(18, 9, seed=6)
    for opponent in ("perfect", "random"):
        batched = muzero.loss_rates(
            TTT, muzero.MuZeroPlayer(TTT, net, n_simulations), opponent=opponent
        )
        one_by_one = alphazero.loss_rates(
            TTT, muzero.MuZeroPlayer(TTT, net, n_simulations), opponent=opponent
        )
        assert batched == one_by_one
    with pytest.raises(TypeError, match="choose_many"):
        muzero.loss_rates(TTT, games.random_player(TTT))


# --- training ----------------------------------------------------------------------------------
TINY = dict(
    n_iterations=2, games_per_iteration=4, n_simulations=4, n_gradient_steps=3, batch_size=16,
    eval_simulations=3, latent=8, hidden=8, dynamics_hidden=8,
)  # fmt: skip


def test_a_tiny_training_run_is_reproducible_and_records_its_history():
    net, history = muzero.train(TTT, seed=3, progress=False, **TINY)
    again, _ = muzero.train(TTT, seed=3, progress=False, **TINY)
    assert all(np.array_equal(net.params[k], again.params[k]) for k in net.params)
    assert net.params["Wh1"].dtype == np.float32
    assert history.n_iterations == 2
    for name in ("reward_loss", "consistency_loss", "search_loss_first", "raw_loss_second"):
        assert len(getattr(history, name)) == 2
    assert all(0.0 <= x <= 1.0 for x in history.search_loss_second)
    assert history.positions[-1] >= 2 * 4 * 5  # at least 5 moves per game
    other, _ = muzero.train(TTT, seed=4, progress=False, **TINY)
    assert not np.array_equal(net.params["Wh1"], other.params["Wh1"])


def test_training_on_a_maze_with_rewards_and_a_discount():
    maze = muzero.MazeTask()
    config = muzero.MuZeroConfig.maze(**{**TINY, "eval_simulations": 0, "max_moves": 6})
    net, history = muzero.train(maze, seed=0, config=config, progress=False)
    assert net.n_inputs == maze.n_states and net.n_actions == 4
    assert np.isnan(history.search_loss_first).all()  # no solver: no loss rates
    assert all(1 <= length <= 6 for length in history.episode_length)
    assert muzero.MuZeroPlayer(maze, net, 5)(maze.start) in range(4)


def test_train_checks_its_arguments():
    with pytest.raises(TypeError, match="unknown setting"):
        muzero.train(TTT, n_iteration=3)
    with pytest.raises(TypeError, match="config must be a MuZeroConfig"):
        muzero.train(TTT, config={"n_iterations": 3})
    with pytest.raises(ValueError, match="n_iterations must be >= 1"):
        muzero.MuZeroConfig(n_iterations=0)
    with pytest.raises(ValueError, match="noise_fraction must be <= 1"):
        muzero.MuZeroConfig().replace(noise_fraction=1.5)
    with pytest.raises(TypeError, match="symmetries must be True or False"):
        muzero.MuZeroConfig(symmetries="yes")
    with pytest.raises(ValueError, match="rule must be one of"):
        muzero.SelfPlayConfig(rule="ucb1")
    assert muzero.SelfPlayConfig(rule="normalised").select is muzero.puct_normalised
    assert muzero.SelfPlayConfig().select is alphazero.puct
    with pytest.raises(TypeError, match="self_play must be a muzero.SelfPlayConfig"):
        muzero.MuZeroConfig(self_play=alphazero.SelfPlayConfig())
    config = muzero.MuZeroConfig().replace(n_simulations=7, lr=0.5)
    assert (config.self_play.n_simulations, config.lr) == (7, 0.5)
    assert muzero.MuZeroConfig.maze().self_play.rule == "normalised"
    with pytest.raises(TypeError, match="seed must be an integer"):
        muzero.train(TTT, seed="0")
    with pytest.raises(TypeError, match="game must be a game"):
        muzero.train(None)


def test_symmetry_tables_agree_with_the_game():
    obs_index, action_map, policy_index = muzero.training.symmetry_tables(TTT)
    s = TTT.state_from_string("XO. / .X. / ..O")
    pi = np.arange(9.0)
    for k in range(8):
        moved = TTT.transform_state(s, k)
        assert np.array_equal(muzero.encode(TTT, moved), muzero.encode(TTT, s)[obs_index[k]])
        assert np.array_equal(pi[policy_index[k]], TTT.transform_policy(pi, k))
        assert all(action_map[k, a] == TTT.transform_action(a, k) for a in range(9))


# --- the maze task -----------------------------------------------------------------------------
def test_maze_task_follows_the_game_protocol():
    assert muzero.MazeTask(DYNA_MAZE).shortest_path_length(DYNA_MAZE_START) == 14  # Example 8.1
    maze = muzero.MazeTask()
    assert isinstance(maze, games.Game)
    assert maze.shortest_path_length(maze.start) == 12 and len(maze.free) == 22
    goal = maze.goals[0]
    below = goal + maze.shape[1]
    assert maze.next_state(below, 0) == goal and maze.reward(below, 0, goal) == 1.0
    assert maze.is_terminal(goal) and maze.legal_actions(goal) == ()
    assert maze.encode(maze.start).sum() == 1.0
    rng = np.random.default_rng(0)
    assert all(maze.random_state(rng=rng) in maze.free for _ in range(20))
    with pytest.raises(ValueError, match="discount"):
        muzero.MazeTask(discount=0.0)


# --- the loss of the predictions on its own (the exercises' reference) ---------------------------
def test_unroll_loss_is_the_networks_loss_without_the_extra_terms():
    net = small_net(9)
    batch = dataclasses.replace(random_unroll_batch(10, K=3), value_mask=None)
    out = net.unroll(batch.obs[:, 0], batch.actions)
    r = out["reward"]
    loss = muzero.unroll_loss(
        out["value"], np.log(r / (1 - r)), np.log(out["policy"]), batch.value, batch.reward,
        batch.policy, batch.policy_mask,
    )  # fmt: skip
    parts = net.loss(batch, 0.0, 0.0)
    assert loss == pytest.approx(parts.value + parts.policy + parts.reward)


def test_unroll_loss_gradients_match_finite_differences():
    rng = np.random.default_rng(11)
    B, K, A = 4, 3, 5
    v, rho, logits = (
        rng.uniform(-1, 1, (B, K + 1)),
        rng.normal(size=(B, K)),
        rng.normal(size=(B, K + 1, A)),
    )
    z, u = rng.choice([-1.0, 0.0, 1.0], (B, K + 1)), (rng.random((B, K)) < 0.3).astype(float)
    mask = (rng.random((B, K + 1)) < 0.7).astype(float)
    pi = rng.dirichlet(np.ones(A), (B, K + 1)) * mask[:, :, None]
    grads = muzero.unroll_loss_gradients(v, rho, logits, z, u, pi, mask)
    for x, g in zip((v, rho, logits), grads, strict=True):
        numeric = numerical_gradient(lambda: muzero.unroll_loss(v, rho, logits, z, u, pi, mask), x)
        assert np.allclose(g, numeric, atol=1e-7)


def test_normalised_puct_scores_pick_what_puct_normalised_picks():
    rng = np.random.default_rng(12)
    for _ in range(30):
        root = mcts.new_latent_root(TTT, TTT.initial_state())
        mcts.expand_root(TTT, root, TTT.initial_state(), rng.dirichlet(np.ones(9)))
        for child in root.children:
            child.N = int(rng.integers(0, 4))
            child.W = float(rng.uniform(-5, 9)) * child.N
        root.bounds.update(-6.0)  # the tree's bounds are wider than these children's
        root.bounds.update(10.0)
        root.N = 1 + sum(ch.N for ch in root.children)
        Q = np.array([ch.Q for ch in root.children])
        N = np.array([ch.N for ch in root.children])
        P = np.array([ch.P for ch in root.children])
        scores = muzero.normalised_puct_scores(Q, N, P, 1.25, -6.0, 10.0)
        chosen = muzero.puct_normalised(root, 1.25, rng=rng)
        assert scores[root.children.index(chosen)] == pytest.approx(scores.max())


# --- analysis ------------------------------------------------------------------------------------
def test_record_game_matches_the_hand_made_trajectory():
    traj = muzero.record_game(TTT, X_WINS)
    ref = recorded_game(X_WINS)
    for name in ("observations", "actions", "rewards", "policies", "root_values"):
        assert np.array_equal(getattr(traj, name), getattr(ref, name)), name
    with pytest.raises(ValueError, match="must finish the game"):
        muzero.record_game(TTT, [0, 1])


def test_model_accuracy_counts_and_ranges():
    net = MuZeroNet(18, 9, seed=0)
    acc = muzero.model_accuracy(TTT, net, max_steps=4, n_games=20, seed=1)
    assert acc.steps.tolist() == [0, 1, 2, 3, 4]
    assert np.isnan(acc.reward[0]) and np.isnan(acc.value_past_end[0])
    assert (acc.in_game + acc.past_end == acc.in_game[0]).all() and acc.past_end[0] == 0
    for name in ("reward", "value", "policy", "value_past_end", "reward_past_end"):
        values = getattr(acc, name)
        assert np.all((values[~np.isnan(values)] >= 0) & (values[~np.isnan(values)] <= 1)), name
    with pytest.raises(ValueError, match="players"):
        muzero.model_accuracy(TTT, net, players="strong")


def test_audit_tree_finds_illegal_moves_and_moves_after_the_end():
    net = MuZeroNet(18, 9, seed=1)
    s = TTT.state_from_string("XX. / OO. / ...")
    result = muzero.MuZeroPlayer(TTT, net, 200).search([s])[0]
    audit = muzero.audit_tree(TTT, s, result)
    total = sum(n.N for n in _nodes(result.root) if n is not result.root)
    assert sum(audit.visits.values()) == total
    assert audit.visits["illegal"] > 0 and audit.visits["after_end"] > 0  # an untrained model


def test_blunders_of_a_random_network_and_none_of_the_perfect_player():
    net = MuZeroNet(18, 9, seed=2)
    found = muzero.blunders(TTT, muzero.MuZeroPlayer(TTT, net, 0), me=1)
    assert found and all(a not in optimal for _, a, optimal in found)
    assert muzero.blunders(TTT, games.perfect_player(TTT), me=0) == []


def test_the_callback_sees_every_iteration_and_can_keep_a_network():
    kept = {}

    def keep(iteration, net, history):
        assert history.n_iterations == iteration
        kept[iteration] = net.copy()

    net, _ = muzero.train(TTT, seed=3, progress=False, callback=keep, **TINY)
    assert sorted(kept) == [1, 2]
    assert all(np.array_equal(kept[2].params[k], net.params[k]) for k in net.params)
    assert not np.array_equal(kept[1].params["Wh1"], net.params["Wh1"])
    with pytest.raises(TypeError, match="callback must be a function"):
        muzero.train(TTT, callback="print")
