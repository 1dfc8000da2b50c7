"""The check framework: one line per exercise, student errors told apart from check bugs."""

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
