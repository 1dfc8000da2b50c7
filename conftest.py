"""Course-wide pytest hooks.

`--require-all-notebooks` (used by `make test`) fails the run when a notebook of `notebooks/`,
`solutions/` or `exercises/` is not among the collected tests, so no notebook can silently drop
out of the run (for example when nbval is not enabled, or a folder is left off the command).
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
NOTEBOOK_DIRS = ("notebooks", "solutions", "exercises")


def pytest_addoption(parser):
    parser.addoption(
        "--require-all-notebooks",
        action="store_true",
        help="fail unless every notebook of notebooks/, solutions/ and exercises/ is collected",
    )


def all_notebooks() -> set[Path]:
    return {path for folder in NOTEBOOK_DIRS for path in (ROOT / folder).glob("*.ipynb")}


def pytest_collection_modifyitems(session, config, items):
    if not config.getoption("--require-all-notebooks"):
        return
    collected = {Path(str(item.path)).resolve() for item in items if item.path.suffix == ".ipynb"}
    missing = sorted(str(p.relative_to(ROOT)) for p in all_notebooks() - collected)
    if missing:
        raise pytest.UsageError(
            "these notebooks are not in the test run (is --nbval on and are notebooks/, "
            "solutions/ and exercises/ on the command line?): " + ", ".join(missing)
        )
