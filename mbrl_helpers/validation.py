"""Argument checks shared by the helper package.

Every public helper validates its input with these, so that bad input fails at once with a
message that names the argument and says what was expected (never a silent half-result).
"""

from __future__ import annotations

import math
import numbers

import gymnasium
import numpy as np


def check_int(name: str, value, *, low: int | None = None, high: int | None = None) -> int:
    """Return `value` as an int, or raise if it is not an integer in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def check_action(name: str, value, n: int) -> int:
    """An action of a `Discrete(n)` space as an int: a Python or numpy integer, or the 0-d
    integer array that `Discrete(n).sample()`-style code may pass."""
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iu":
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer in 0..{n - 1}, got {value!r} ({type(value).__name__})"
        )
    if not 0 <= value < n:
        raise ValueError(f"{name} must be in 0..{n - 1}, got {value!r}")
    return int(value)


def check_float(
    name: str,
    value,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
) -> float:
    """Return `value` as a float, or raise if it is not a finite number in its range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def check_probability(name: str, value) -> float:
    """A number in [0, 1]."""
    return check_float(name, value, low=0.0, high=1.0)


def check_step_size(name: str, value) -> float:
    """A step size such as alpha: a number in (0, 1]."""
    return check_float(name, value, low=0.0, high=1.0, low_open=True)


def check_discount(name: str, value) -> float:
    """A discount factor gamma in [0, 1]."""
    return check_float(name, value, low=0.0, high=1.0)


def check_rng(name: str, rng) -> np.random.Generator:
    """A `numpy.random.Generator` (the package never uses global `np.random`)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (e.g. np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    return rng


def check_distribution(name: str, probs, *, atol: float = 1e-8) -> np.ndarray:
    """A 1-D array of non-negative probabilities that sum to one."""
    p = np.asarray(probs, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D array of probabilities, got shape {p.shape}"
        )
    if np.any(p < -atol) or not np.all(np.isfinite(p)):
        raise ValueError(f"{name} must hold non-negative finite probabilities, got {p}")
    if abs(p.sum() - 1.0) > atol:
        raise ValueError(f"{name} must sum to 1, got sum {p.sum():.6g}")
    return p


def check_budget(n_episodes, n_steps, max_episode_steps=None) -> tuple[float, float, int | None]:
    """A run's budget: `n_episodes` and/or `n_steps` (a missing one is `math.inf`), and an
    optional cap on the steps of an episode; at least one of the first two must be given."""
    if n_episodes is None and n_steps is None:
        raise ValueError("give n_episodes or n_steps (or both): the run needs a budget")
    n_episodes = math.inf if n_episodes is None else check_int("n_episodes", n_episodes, low=1)
    n_steps = math.inf if n_steps is None else check_int("n_steps", n_steps, low=1)
    if max_episode_steps is not None:
        max_episode_steps = check_int("max_episode_steps", max_episode_steps, low=1)
    return n_episodes, n_steps, max_episode_steps


def check_tabular_env(name: str, env) -> tuple[int, int]:
    """`(n_states, n_actions)` of a Gymnasium environment with `Discrete` spaces starting at 0."""
    if not isinstance(env, gymnasium.Env):
        raise TypeError(f"{name} must be a gymnasium.Env, got {type(env).__name__}")
    obs, act = env.observation_space, env.action_space
    if not isinstance(obs, gymnasium.spaces.Discrete) or not isinstance(
        act, gymnasium.spaces.Discrete
    ):
        raise TypeError(
            f"{name} must have Discrete observation and action spaces (a tabular task), "
            f"got {type(obs).__name__} and {type(act).__name__}"
        )
    if obs.start != 0 or act.start != 0:
        raise ValueError(f"{name}'s Discrete spaces must start at 0")
    return int(obs.n), int(act.n)
