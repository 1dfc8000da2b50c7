"""Fixtures shared by the tests in this folder."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def seed_numpy_global_state():
    """Reset numpy's global random state, so code that (wrongly) uses it is repeatable per test."""
    np.random.seed(0)  # noqa: NPY002
