"""The numpy MLP: backpropagation against finite differences, losses, optimisers, training."""

import numpy as np
import pytest

from mbrl_helpers.models import nets


def rel_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("loss_name", ["mse", "cross_entropy"])
def test_backward_matches_finite_differences(activation, loss_name):
    rng = np.random.default_rng(0)
    net = nets.MLP([3, 5, 4, 2], rng=rng, activation=activation)
    for p in net.params[1::2]:  # non-zero biases so every term of the chain rule is exercised
        p[:] = rng.normal(size=p.shape)
    x = rng.normal(size=(6, 3))
    if loss_name == "mse":
        y, loss = rng.normal(size=(6, 2)), nets.mse
    else:
        y, loss = rng.integers(0, 2, size=6), nets.softmax_cross_entropy
    out, cache = net.forward_cache(x)
    grads, dx = net.backward(cache, loss(out, y)[1])

    def f():
        return loss(net.forward(x), y)[0]

    for p, g in zip(net.params, grads, strict=True):
        assert g.shape == p.shape
        assert rel_error(g, nets.numerical_gradient(f, p)) < 1e-5
    assert rel_error(dx, nets.numerical_gradient(f, x)) < 1e-5


def test_a_wrong_gradient_fails_the_finite_difference_test():
    """The test above can fail: a gradient missing the activation derivative is caught."""
    rng = np.random.default_rng(1)
    net = nets.MLP([2, 4, 1], rng=rng)
    x, y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    out, cache = net.forward_cache(x)
    _h, z = cache[0]
    dz = nets.mse(out, y)[1] @ net.params[2].T  # forgot * (1 - tanh(z)^2)
    wrong = x.T @ dz
    numeric = nets.numerical_gradient(lambda: nets.mse(net.forward(x), y)[0], net.params[0])
    assert rel_error(wrong, numeric) > 1e-2


def test_softmax_cross_entropy_value_and_stability():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    targets = np.array([2, 0])
    loss, grad = nets.softmax_cross_entropy(logits, targets)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-(np.log(p[0, 2]) + np.log(p[1, 0])) / 2)
    onehot = np.eye(3)[targets]
    np.testing.assert_allclose(grad, (p - onehot) / 2)
    big_loss, big_grad = nets.softmax_cross_entropy(logits + 1000.0, targets)
    assert big_loss == pytest.approx(loss) and np.allclose(big_grad, grad)
    assert np.allclose(nets.softmax(logits).sum(axis=1), 1.0)


def test_mse_value_and_gradient():
    pred, target = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 0.0], [3.0, 4.0]])
    loss, grad = nets.mse(pred, target)
    assert loss == pytest.approx((4.0 + 1.0) / 4)
    np.testing.assert_allclose(grad, 2 * (pred - target) / 4)


def test_sgd_and_adam_steps():
    p = [np.array([1.0, -2.0])]
    nets.SGD(p, lr=0.5).step([np.array([2.0, -2.0])])
    np.testing.assert_allclose(p[0], [0.0, -1.0])
    sgd = nets.SGD(p, lr=1.0, momentum=0.5)
    sgd.step([np.array([1.0, 0.0])])
    sgd.step([np.array([1.0, 0.0])])  # v = 0.5 * 1 + 1 = 1.5
    np.testing.assert_allclose(p[0], [0.0 - 1.0 - 1.5, -1.0])
    q = [np.array([1.0, 1.0])]
    adam = nets.Adam(q, lr=0.1)
    adam.step([np.array([3.0, -0.01])])  # the first step moves each entry by lr, sign of -g
    np.testing.assert_allclose(q[0], [0.9, 1.1], atol=1e-6)


@pytest.mark.parametrize(
    "make_opt", [lambda p: nets.Adam(p, lr=1e-2), lambda p: nets.SGD(p, 0.1, 0.9)]
)
def test_train_fits_a_smooth_function_reproducibly(make_opt):
    def run():
        rng = np.random.default_rng(0)
        x = rng.uniform(-2, 2, size=(256, 1))
        y = np.sin(2 * x)
        net = nets.MLP([1, 32, 1], rng=np.random.default_rng(1))
        hist = nets.train(
            net,
            nets.mse,
            x,
            y,
            rng=rng,
            n_gradient_steps=600,
            batch_size=32,
            optimizer=make_opt(net.params),
            validation=(x[:50], y[:50]),
            eval_every=100,
            progress=False,
        )
        return hist

    h1, h2 = run(), run()
    assert h1.train == h2.train and len(h1.train) == 600
    assert h1.val_steps == [0, 100, 200, 300, 400, 500, 599]
    assert h1.val[-1] < 0.05 < h1.val[0]


def test_bad_input_names_the_argument():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="sizes must list"):
        nets.MLP([3], rng=rng)
    with pytest.raises(ValueError, match="activation must be one of"):
        nets.MLP([3, 2], rng=rng, activation="sigmoid")
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        nets.MLP([3, 2], rng=0)
    net = nets.MLP([3, 2], rng=rng)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\)"):
        net.forward(np.zeros(3))
    with pytest.raises(ValueError, match="targets must be 2 integer class labels"):
        nets.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 2\]"):
        nets.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="target must have the prediction's shape"):
        nets.mse(np.zeros((2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="lr must be >"):
        nets.Adam(net.params, lr=0.0)
    with pytest.raises(ValueError, match="y must have one row per row of x"):
        nets.train(net, nets.mse, np.zeros((4, 3)), np.zeros((3, 2)), rng=rng, progress=False)
    with pytest.raises(ValueError, match="n_gradient_steps must be >= 1"):
        nets.train(net, nets.mse, np.zeros((4, 3)), np.zeros((4, 2)), rng=rng, n_gradient_steps=0)
