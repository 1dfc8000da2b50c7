"""The one convention for random draws: one uniform per choice, ties at random, no global state."""

import ast
import pathlib

import numpy as np
import pytest

from mbrl_helpers import randomness as R

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "mbrl_helpers"


def test_spawn_rngs_gives_independent_reproducible_generators():
    rngs = R.spawn_rngs(0, 3)
    assert len({int(r.integers(1 << 30)) for r in rngs}) == 3
    assert [int(r.integers(100)) for r in R.spawn_rngs(0, 3)] == [
        int(r.integers(100)) for r in R.spawn_rngs(0, 3)
    ]
    with pytest.raises(ValueError, match="n must be >= 1"):
        R.spawn_rngs(0, 0)


def test_random_index_takes_one_uniform_draw():
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    picks = [R.random_index(7, rng=a) for _ in range(1000)]
    assert picks == [int(u * 7) for u in b.random(1000)]
    assert set(picks) == set(range(7))


def test_argmax_random_breaks_ties_at_random_and_draws_only_on_ties():
    rng = np.random.default_rng(0)
    picks = {R.argmax_random([1.0, 3.0, 3.0, 0.0, 3.0], rng=rng) for _ in range(200)}
    assert picks == {1, 2, 4}
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    assert R.argmax_random(np.array([0.0, 2.0, 1.0]), rng=a) == 1  # unique: no draw
    assert a.random() == b.random()


def test_sample_index_matches_numpy_choice_with_probabilities():
    for seed in range(200):
        p = np.random.default_rng(seed).random(1 + seed % 9)
        p /= p.sum()
        a, b = np.random.default_rng(seed + 1000), np.random.default_rng(seed + 1000)
        assert [R.sample_index(p, rng=a) for _ in range(20)] == [
            int(b.choice(len(p), p=p)) for _ in range(20)
        ]
    counts = np.bincount(
        [R.sample_index([1, 0, 3], rng=np.random.default_rng(i)) for i in range(4000)],
        minlength=3,
    )
    assert counts[1] == 0 and abs(counts[2] / 4000 - 0.75) < 0.03


def test_draw_seed_is_a_reproducible_int():
    seed = R.draw_seed(rng=np.random.default_rng(1))
    assert isinstance(seed, int) and 0 <= seed < 2**31
    assert seed == R.draw_seed(rng=np.random.default_rng(1))


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            yield node


def test_the_package_never_uses_global_random_state():
    """No `np.random.<draw>(...)` nor Python's `random` module draws: every draw takes a rng."""
    allowed = {"default_rng", "SeedSequence", "Generator", "PCG64"}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for call in _calls(tree):
            func = call.func
            if (
                isinstance(func.value, ast.Attribute)
                and func.value.attr == "random"
                and isinstance(func.value.value, ast.Name)
                and func.value.value.id in ("np", "numpy")
                and func.attr not in allowed
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{call.lineno} np.random.{func.attr}")
            if (
                isinstance(func.value, ast.Name)
                and func.value.id == "random"
                and func.attr != "Random"
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{call.lineno} random.{func.attr}")
    assert not offenders, offenders


def test_algorithms_take_rng_keyword_only():
    """The convention of CONTRIBUTING: a parameter named rng is keyword-only (checks excepted:
    they mirror the students' exercise signatures)."""
    positional = []
    for path in PACKAGE.rglob("*.py"):
        if "course" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and "rng" in [a.arg for a in node.args.args]:
                if node.name != "check_rng":
                    positional.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert not positional, positional
