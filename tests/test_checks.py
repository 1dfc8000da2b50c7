"""The check framework: one line per exercise, student errors told apart from check bugs."""

import random
import time

import numpy as np
import pytest

from mbrl_helpers.course import checks
from mbrl_helpers.course.checks import CheckFailure, exercise


@exercise("99.1", "double a number")
def _check_double(student):
    for x in (0, 1, 5):
        got = student(x)
        if got != 2 * x:
            raise CheckFailure(f"expected double({x}) = {2 * x}, got {got}", hint="multiply by 2")


@exercise("99.2", "a check with a bug")
def _check_buggy(student):
    raise KeyError("oops")


def test_pass_fail_and_not_implemented_lines(capsys):
    assert (
        checks.evaluate("99.1", lambda x: 2 * x).line == "Exercise 99.1 (double a number): passed"
    )
    wrong = checks.evaluate("99.1", lambda x: x + 2)
    assert wrong.status == checks.FAILED
    assert wrong.line == (
        "Exercise 99.1 (double a number): failed: expected double(0) = 0, got 2\n"
        "    Hint: multiply by 2"
    )

    def stub(x):
        raise NotImplementedError("Exercise 99.1: double a number")

    assert checks.evaluate("99.1", stub).status == checks.NOT_IMPLEMENTED
    checks.check("99.1", stub)
    assert capsys.readouterr().out == "Exercise 99.1 (double a number): not implemented yet\n"


def test_student_exceptions_and_check_bugs_become_one_line():
    result = checks.evaluate("99.1", lambda x: 1 / 0)
    assert result.status == checks.FAILED
    assert "your function raised ZeroDivisionError" in result.message
    bug = checks.evaluate("99.2", lambda x: x)
    assert bug.status == checks.FAILED and "the check could not use" in bug.message
    assert "type and shape of your result" in bug.hint and "bug in mbrl_helpers" in bug.hint
    not_callable = checks.evaluate("99.1", 3)
    assert not_callable.status == checks.FAILED and "expected a function" in not_callable.message


def test_passed_tracks_the_latest_result():
    checks.evaluate("99.1", lambda x: x)
    assert not checks.passed("99.1")
    checks.evaluate("99.1", lambda x: 2 * x)
    assert checks.passed("99.1")
    assert not checks.passed("99.1", "99.2")


@pytest.mark.parametrize("bad", ["1", "1.x", 1.1, "a.b"])
def test_malformed_ids_are_rejected(bad):
    with pytest.raises(ValueError, match="exercise_id must be a string like"):
        checks.evaluate(bad, lambda x: x)


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="there is no exercise '99.7'.*99.1"):
        checks.evaluate("99.7", lambda x: x)
    with pytest.raises(ValueError, match="at least one exercise id"):
        checks.passed()


# -- what every check gets: a time limit, a guard on global randomness, clean messages ------


@exercise("99.3", "draw with the rng", time_limit=1.0)
def _check_draw(student):
    a = student(np.random.default_rng(0))
    b = student(np.random.default_rng(0))
    if a != b:
        raise CheckFailure("two calls with the same seed gave different answers")


@exercise("99.4", "report a numpy scalar")
def _check_numpy_message(student):
    got = student()
    raise CheckFailure(f"expected 1.0, got {got!r}", hint=f"you returned {np.int64(3)!r}")


def test_an_endless_loop_fails_within_the_time_limit():
    def endless(rng):
        while True:
            pass

    def endless_swallowing(rng):  # `except Exception` cannot hide the time limit
        while True:
            try:
                sum(range(1000))
            except Exception:  # noqa: BLE001, S112 - the planted mistake
                continue

    for student in (endless, endless_swallowing):
        start = time.perf_counter()
        result = checks.evaluate("99.3", student)
        assert time.perf_counter() - start < 3.0
        assert result.status == checks.FAILED
        assert "did not finish within 1 s: an endless loop" in result.message
    # the alarm is gone afterwards: a slow but finite computation is not interrupted later
    time.sleep(1.2)
    assert checks.evaluate("99.3", lambda rng: rng.random()).passed


@pytest.mark.parametrize(
    ("student", "where"),
    [
        (lambda rng: np.random.random(), "np.random.random"),  # noqa: NPY002
        (lambda rng: int(np.random.choice(3)), "np.random.choice"),  # noqa: NPY002
        (lambda rng: np.random.default_rng().random(), "np.random.default_rng() without a seed"),
        (lambda rng: random.random(), "random.random"),
        (lambda rng: random.choice([1, 2]), "random.choice"),
    ],
)
def test_global_random_draws_are_refused_with_a_clear_message(student, where):
    result = checks.evaluate("99.3", student)
    assert result.status == checks.FAILED
    assert f"drew a random number from {where}" in result.message
    assert "not from its rng argument" in result.message
    # ... and the guard is lifted after the check
    assert 0.0 <= np.random.random() < 1.0 and 0.0 <= random.random() < 1.0  # noqa: NPY002, S311


def test_seeded_generators_and_the_rng_argument_are_allowed():
    assert checks.evaluate("99.3", lambda rng: rng.integers(10)).passed
    assert checks.evaluate("99.3", lambda rng: np.random.default_rng(5).random()).passed
    unseeded_each_call = checks.evaluate(
        "99.3", lambda rng: np.random.default_rng(time.perf_counter_ns()).random()
    )
    assert "same seed gave different answers" in unseeded_each_call.message


def test_messages_never_show_numpy_reprs():
    result = checks.evaluate("99.4", lambda: np.float64(2.5))
    assert result.message == "expected 1.0, got 2.5" and result.hint == "you returned 3"
    assert checks.py({np.int64(1): [np.float32(0.5), np.array([1, 2])]}) == {1: [0.5, [1, 2]]}


def test_require_unchanged_and_require_finite():
    Q = np.zeros((2, 2))
    before = checks.snapshot(Q)
    checks.require_unchanged("Q", before, Q)
    Q[1, 0] = 1.0
    with pytest.raises(CheckFailure, match="your function changed its input Q"):
        checks.require_unchanged("Q", before, Q)
    checks.require_unchanged("model", {1: [np.nan]}, {1: [np.nan]})  # NaN equals NaN here
    assert checks.require_finite("V", [1.0, 2.0]).tolist() == [1.0, 2.0]
    with pytest.raises(CheckFailure, match=r"V holds NaN values \(first at index 1\)"):
        checks.require_finite("V", [0.0, np.nan, 1.0])
    with pytest.raises(CheckFailure, match=r"Q holds infinite values \(first at index \(1, 0\)\)"):
        checks.require_finite("Q", [[0.0, 0.0], [np.inf, 0.0]])
    with pytest.raises(CheckFailure, match="must be numbers"):
        checks.require_finite("V", "abc")


def test_evaluate_can_shorten_the_time_limit_for_one_call():
    def endless(rng):
        while True:
            pass

    start = time.perf_counter()
    result = checks.evaluate("99.3", endless, time_limit=0.3)
    assert time.perf_counter() - start < 2.0
    assert "did not finish within 0.3 s" in result.message
    with pytest.raises(ValueError, match="time_limit must be a positive number"):
        checks.evaluate("99.3", endless, time_limit=0)
