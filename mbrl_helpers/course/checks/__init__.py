"""Automatic checks for the exercises: one line of feedback per exercise, never a traceback.

In an exercise notebook::

    from mbrl_helpers.course import checks
    checks.check("1.1", q_update)
    # prints "Exercise 1.1 (...): passed", "...: failed: ...", or "...: not implemented yet"

Each lecture's checks live in `mbrl_helpers/checks/lectureNN.py` and register themselves with
the `exercise` decorator; exercise "N.M" belongs to lecture N, whose module is imported on first
use. A check calls the student's function on small seeded cases, compares with the package's
reference implementation, and raises `CheckFailure` with what was expected, what came back and a
hint. The student's own exceptions are reported in one line: `NotImplementedError` means "not
implemented yet", anything else "your function raised ...".
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
from collections.abc import Callable

PASSED = "passed"
FAILED = "failed"
NOT_IMPLEMENTED = "not implemented yet"

_EXERCISE_ID = re.compile(r"^(\d+)\.(\d+)$")


class CheckFailure(Exception):
    """Raised by a check when the student's answer is wrong: says what and gives a hint."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class _StudentRaised(Exception):
    """The student's function raised; carries the original exception."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: `status` is PASSED, FAILED or NOT_IMPLEMENTED."""

    exercise_id: str
    title: str
    status: str
    message: str = ""
    hint: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def line(self) -> str:
        """The one line printed in the notebook (the grade command reads these lines)."""
        head = f"Exercise {self.exercise_id} ({self.title}): {self.status}"
        if self.status != FAILED:
            return head
        text = f"{head}: {self.message}"
        if self.hint:
            text += f"\n    Hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.line


@dataclasses.dataclass(frozen=True)
class _Exercise:
    exercise_id: str
    title: str
    run: Callable[[Callable], None]


_REGISTRY: dict[str, _Exercise] = {}
_RESULTS: dict[str, CheckResult] = {}


def exercise(exercise_id: str, title: str):
    """Decorator registering `check_fn(student)` as the check of exercise `exercise_id`."""
    _parse_id(exercise_id)

    def register(check_fn: Callable[[Callable], None]):
        _REGISTRY[exercise_id] = _Exercise(exercise_id, title, check_fn)
        return check_fn

    return register


def _parse_id(exercise_id) -> int:
    if not isinstance(exercise_id, str) or not _EXERCISE_ID.match(exercise_id):
        raise ValueError(
            f"exercise_id must be a string like '1.2' (lecture.exercise), got {exercise_id!r}"
        )
    return int(exercise_id.split(".")[0])


def _lookup(exercise_id: str) -> _Exercise:
    lecture = _parse_id(exercise_id)
    if exercise_id not in _REGISTRY:
        try:
            importlib.import_module(f"{__name__}.lecture{lecture:02d}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.lecture{lecture:02d}":
                raise
    if exercise_id not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY, key=_sort_key)) or "none"
        raise ValueError(f"there is no exercise {exercise_id!r}; known exercises: {known}")
    return _REGISTRY[exercise_id]


def _sort_key(exercise_id: str) -> tuple[int, int]:
    lecture, number = exercise_id.split(".")
    return int(lecture), int(number)


def _guard(student: Callable) -> Callable:
    """Wrap the student's function so its exceptions are told apart from the check's own."""

    @functools.wraps(student)
    def guarded(*args, **kwargs):
        try:
            return student(*args, **kwargs)
        except NotImplementedError:
            raise
        except CheckFailure:
            raise
        except Exception as error:  # noqa: BLE001 - any student error becomes one line of feedback
            raise _StudentRaised(error) from error

    return guarded


def evaluate(exercise_id: str, student: Callable) -> CheckResult:
    """Run the check of `exercise_id` on `student` and return the result (nothing printed)."""
    ex = _lookup(exercise_id)
    if not callable(student):
        return CheckResult(
            exercise_id,
            ex.title,
            FAILED,
            f"expected a function, got {type(student).__name__}",
            "pass the function itself, without calling it: checks.check(id, my_function)",
        )
    try:
        ex.run(_guard(student))
    except NotImplementedError:
        result = CheckResult(exercise_id, ex.title, NOT_IMPLEMENTED)
    except CheckFailure as failure:
        result = CheckResult(exercise_id, ex.title, FAILED, failure.message, failure.hint)
    except _StudentRaised as raised:
        error = raised.error
        result = CheckResult(
            exercise_id,
            ex.title,
            FAILED,
            f"your function raised {type(error).__name__}: {error}",
            "run it on a small example in a cell of its own to see where",
        )
    except Exception as error:  # noqa: BLE001 - a bug in a check must not crash the notebook
        result = CheckResult(
            exercise_id,
            ex.title,
            FAILED,
            f"the check could not use what your function returned or left behind "
            f"({type(error).__name__}: {error})",
            "compare the type and shape of your result (and of any array you change in place) "
            "with the exercise's docstring; if they match, this is a bug in mbrl_helpers, "
            "please report it",
        )
    else:
        result = CheckResult(exercise_id, ex.title, PASSED)
    _RESULTS[exercise_id] = result
    return result


def check(exercise_id: str, student: Callable) -> None:
    """Check the student's function for exercise `exercise_id` and print one line of feedback."""
    print(evaluate(exercise_id, student).line)


def passed(*exercise_ids: str) -> bool:
    """True when every named exercise has passed its check in this session."""
    if not exercise_ids:
        raise ValueError("passed() needs at least one exercise id, e.g. passed('1.1', '1.2')")
    for exercise_id in exercise_ids:
        _lookup(exercise_id)
    return all(
        _RESULTS.get(exercise_id) is not None and _RESULTS[exercise_id].passed
        for exercise_id in exercise_ids
    )


def registered(lecture: int) -> list[str]:
    """The exercise ids of one lecture, in order (imports its check module)."""
    try:
        importlib.import_module(f"{__name__}.lecture{lecture:02d}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.lecture{lecture:02d}":
            raise
    ids = [i for i in _REGISTRY if _parse_id(i) == lecture]
    return sorted(ids, key=_sort_key)
