"""One BLAS thread while MuZero trains or evaluates.

MuZero's matrix products are small (a batch of 128 rows times 64-128 units). Split over several
threads they run *slower*, and much slower when another process holds a core: on the 2-core
course machine, with a second process running, a (768 x 64) @ (64 x 64) product took 560 us on
OpenBLAS's default two threads and 54 us on one, and a training step 29 ms against 5.5 ms.
`single_threaded_blas()` limits the BLAS library to one thread for the duration of a `with`
block and then restores the previous setting. It uses `threadpoolctl` when installed, otherwise
the thread functions of the OpenBLAS library bundled with numpy's wheels, and does nothing
when neither is found (other BLAS libraries run as configured).
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os

import numpy as np

_FUNCTIONS: list = []  # [(set, get)] once looked up; [None] when not found


def _openblas_functions():
    if _FUNCTIONS:
        return _FUNCTIONS[0]
    found = None
    base = os.path.dirname(np.__file__)
    paths = glob.glob(os.path.join(base, "..", "numpy.libs", "*openblas*"))
    paths += glob.glob(os.path.join(base, ".dylibs", "*openblas*"))
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                if set_ is not None and get is not None:
                    found = (set_, get)
                    break
            if found:
                break
        if found:
            break
    _FUNCTIONS.append(found)
    return found


@contextlib.contextmanager
def single_threaded_blas():
    """Run the body with one BLAS thread; restore the previous thread count afterwards."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        with threadpool_limits(limits=1, user_api="blas"):
            yield
        return
    functions = _openblas_functions()
    if functions is None:
        yield
        return
    set_threads, get_threads = functions
    previous = int(get_threads())
    set_threads(1)
    try:
        yield
    finally:
        set_threads(previous)
