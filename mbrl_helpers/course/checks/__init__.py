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

Every check, whatever its exercise, also gets from this module:

- a **time limit** (`DEFAULT_TIME_LIMIT` seconds, or the `time_limit` of `exercise(...)`): a
  student function that never returns (an endless loop, a loop that ignores `max_steps` or a
  convergence threshold) fails with "did not finish within N s" instead of hanging the cell;
- a **guard on global randomness**: while the student's function runs, numpy's global random
  functions (`np.random.choice`, ...), an unseeded `np.random.default_rng()` and Python's
  `random` module raise, and the check fails saying to take every random number from `rng`;
- **clean messages**: numpy scalars never show as `np.float64(2.3)`.

Helpers for the checks themselves: `py(x)` (numpy values as plain Python, for messages),
`snapshot(x)` and `require_unchanged(name, before, after)` (inputs must not be mutated),
`require_finite(name, value)` (NaN or infinite entries are a failure, wherever they are).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import importlib
import random
import re
import signal
import threading
from collections.abc import Callable

import numpy as np

PASSED = "passed"
FAILED = "failed"
NOT_IMPLEMENTED = "not implemented yet"

DEFAULT_TIME_LIMIT = 10.0
"""Seconds one check may take, the student's calls and the reference's together."""

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
    time_limit: float = DEFAULT_TIME_LIMIT


_REGISTRY: dict[str, _Exercise] = {}
_RESULTS: dict[str, CheckResult] = {}


def exercise(exercise_id: str, title: str, *, time_limit: float = DEFAULT_TIME_LIMIT):
    """Decorator registering `check_fn(student)` as the check of exercise `exercise_id`.

    `time_limit`: seconds the whole check may take (a check that trains something needs more).
    """
    _parse_id(exercise_id)
    if not (isinstance(time_limit, int | float) and time_limit > 0):
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")

    def register(check_fn: Callable[[Callable], None]):
        _REGISTRY[exercise_id] = _Exercise(exercise_id, title, check_fn, float(time_limit))
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


class DidNotFinish(BaseException):
    """Raised inside a check that ran past its time limit (a BaseException, so that a student's
    `except Exception` cannot swallow it)."""


class UsedGlobalRandom(Exception):
    """The student's function drew from numpy's global state or Python's `random` module."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise `DidNotFinish` in this (main) thread after `seconds`, then every 0.25 s until the
    block ends. Without SIGALRM (Windows) or off the main thread, no limit."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    active = True

    def alarm(signum, frame):
        if active:
            raise DidNotFinish(seconds)

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)
    try:
        yield
    finally:
        active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_NUMPY_SAFE = {"default_rng", "Generator", "RandomState", "SeedSequence", "BitGenerator"}
_NUMPY_SAFE |= {"MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64", "get_state", "set_state"}
_PYTHON_RANDOM = (
    "random", "uniform", "randint", "randrange", "choice", "choices", "shuffle", "sample",
    "gauss", "normalvariate", "expovariate", "betavariate", "triangular", "getrandbits",
)  # fmt: skip
_guarding = 0


def _refuse(where: str, original: Callable | None = None) -> Callable:
    def refused(*args, **kwargs):
        if original is not None and (args or kwargs.get("seed") is not None):
            return original(*args, **kwargs)  # default_rng(seed): a seeded generator is fine
        raise UsedGlobalRandom(where)

    return refused


@contextlib.contextmanager
def _no_global_random():
    """While the student's function runs, global random draws raise `UsedGlobalRandom`."""
    global _guarding
    if _guarding:  # already guarded (a student function calling another)
        yield
        return
    saved = []
    for name in dir(np.random):
        value = getattr(np.random, name)
        if name.startswith("_") or name in _NUMPY_SAFE or not callable(value):
            continue
        if isinstance(value, type):
            continue
        saved.append((np.random, name, value))
        setattr(np.random, name, _refuse(f"np.random.{name}"))
    saved.append((np.random, "default_rng", np.random.default_rng))
    np.random.default_rng = _refuse("np.random.default_rng() without a seed", np.random.default_rng)
    for name in _PYTHON_RANDOM:
        saved.append((random, name, getattr(random, name)))
        setattr(random, name, _refuse(f"random.{name}"))
    _guarding += 1
    try:
        yield
    finally:
        _guarding -= 1
        for module, name, value in saved:
            setattr(module, name, value)


def _guard(student: Callable) -> Callable:
    """Wrap the student's function so its exceptions are told apart from the check's own, and
    global random draws inside it are refused."""

    @functools.wraps(student)
    def guarded(*args, **kwargs):
        try:
            with _no_global_random():
                return student(*args, **kwargs)
        except NotImplementedError:
            raise
        except CheckFailure:
            raise
        except Exception as error:  # noqa: BLE001 - any student error becomes one line of feedback
            raise _StudentRaised(error) from error

    return guarded


# -- helpers for the checks ----------------------------------------------------------------


def py(x):
    """`x` with numpy scalars and arrays (also inside lists, tuples, sets and dicts) as plain
    Python values, for messages: numpy 2 writes `np.float64(0.1)` where students should read
    `0.1`."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, list | tuple | set):
        return type(x)(py(item) for item in x)
    if isinstance(x, dict):
        return {py(k): py(v) for k, v in x.items()}
    return x


_NUMPY_REPR = re.compile(r"np\.(?:float|int|uint|bool|complex|str)_?\d*\(([^()]*)\)")


def _clean(text: str | None) -> str | None:
    """A message without numpy 2's scalar reprs: `np.float64(2.3)` becomes `2.3`."""
    return None if text is None else _NUMPY_REPR.sub(r"\1", text)


def snapshot(value):
    """A deep copy of an input, to compare with `require_unchanged` after the student's call."""
    return copy.deepcopy(value)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # NaN, unchanged
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - objects without a usable ==: compare their state
        return vars(a) == vars(b) if hasattr(a, "__dict__") and hasattr(b, "__dict__") else a is b


def require_unchanged(name: str, before, after, hint: str | None = None) -> None:
    """Raise a CheckFailure if the input `name` changed during the student's call."""
    if not _same(before, after):
        raise CheckFailure(
            f"your function changed its input {name}; it must leave it as it was",
            hint or f"work on a copy (e.g. {name} = {name}.copy()) or build a new result",
        )


def require_finite(name: str, value) -> np.ndarray:
    """`value` as a float array, or a CheckFailure if any entry is NaN or infinite (even in
    entries the check does not otherwise look at)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailure(
            f"{name} must be numbers, got {type(value).__name__}",
            "return numbers (a float, or an array of floats)",
        ) from None
    bad = ~np.isfinite(array)
    if bad.any():
        where = np.argwhere(bad)[0].tolist() if array.ndim else []
        at = f" (first at index {tuple(where) if len(where) > 1 else where[0]})" if where else ""
        kind = "NaN" if np.isnan(array[bad]).any() else "infinite"
        raise CheckFailure(
            f"{name} holds {kind} values{at}",
            "look for a division by zero, a log of 0, or a value read before it was set",
        )
    return array


def evaluate(
    exercise_id: str, student: Callable, *, time_limit: float | None = None
) -> CheckResult:
    """Run the check of `exercise_id` on `student` and return the result (nothing printed).

    `time_limit` overrides the exercise's own limit in seconds (the tests use a short one).
    """
    ex = _lookup(exercise_id)
    if time_limit is not None:
        if not (isinstance(time_limit, int | float) and time_limit > 0):
            raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
        ex = dataclasses.replace(ex, time_limit=float(time_limit))
    if not callable(student):
        return CheckResult(
            exercise_id,
            ex.title,
            FAILED,
            f"expected a function, got {type(student).__name__}",
            "pass the function itself, without calling it: checks.check(id, my_function)",
        )
    try:
        with _time_limit(ex.time_limit):
            ex.run(_guard(student))
    except NotImplementedError:
        result = CheckResult(exercise_id, ex.title, NOT_IMPLEMENTED)
    except DidNotFinish:
        result = CheckResult(
            exercise_id,
            ex.title,
            FAILED,
            f"did not finish within {ex.time_limit:g} s: an endless loop, or a loop that ignores "
            "its step budget (max_steps, n_planning) or its stopping threshold?",
            "run your function on a small case in a cell of its own; stop it with the "
            "interrupt button if it hangs",
        )
    except CheckFailure as failure:
        result = CheckResult(
            exercise_id, ex.title, FAILED, _clean(failure.message), _clean(failure.hint)
        )
    except _StudentRaised as raised:
        error = raised.error
        if isinstance(error, UsedGlobalRandom):
            result = CheckResult(
                exercise_id,
                ex.title,
                FAILED,
                f"your function drew a random number from {error} (global random state), "
                "not from its rng argument",
                "take every random number from the rng you are given (rng.random(), "
                "rng.integers(k), rng.choice(...)): then the same seed gives the same answer",
            )
        else:
            result = CheckResult(
                exercise_id,
                ex.title,
                FAILED,
                _clean(f"your function raised {type(error).__name__}: {error}"),
                "run it on a small example in a cell of its own to see where",
            )
    except Exception as error:  # noqa: BLE001 - a bug in a check must not crash the notebook
        result = CheckResult(
            exercise_id,
            ex.title,
            FAILED,
            _clean(
                f"the check could not use what your function returned or left behind "
                f"({type(error).__name__}: {error})"
            ),
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
