"""Course-wide pytest hooks.

`--require-all-notebooks` (used by `make test`) fails the run when a notebook of `notebooks/`,
`solutions/` or `exercises/` is not among the collected tests, so no notebook can silently drop
out of the run (for example when nbval is not enabled, or a folder is left off the command).

Students write their answers in `exercises/`, so nbval never runs the file found there: for
`exercises/NN_name.ipynb` it runs what `python -m mbrl_helpers.course.exercises` generates from
`solutions/NN_name.ipynb` (in memory, in the same folder), and it skips other notebooks a student
keeps there (copies, backups). A student's answers, outputs and code style cannot fail
`make test`; `python -m mbrl_helpers.course.exercises --check` still fails when an exercise file that
nobody edited is out of date.
"""

from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import nbformat
import nbval.plugin
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
    """The course's notebooks: lectures, solutions, and one exercise per solution."""
    found = {path for folder in NOTEBOOK_DIRS[:2] for path in (ROOT / folder).glob("*.ipynb")}
    return found | {ROOT / "exercises" / path.name for path in (ROOT / "solutions").glob("*.ipynb")}


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


class GeneratedExercise(nbval.plugin.IPyNbFile):
    """nbval over the exercise notebook as generated, whatever the file on disk holds."""

    def collect(self):
        from mbrl_helpers.course import exercises

        nb = nbformat.reads(exercises.generate_one(ROOT, self.path.name), as_version=4)
        reader = SimpleNamespace(read=lambda *args, **kwargs: nb)
        with mock.patch.object(nbval.plugin, "nbformat", reader):  # where nbval reads the file
            return list(super().collect())


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    """In `exercises/`, replace nbval's collector by one of the generated exercise."""
    collected = yield
    if file_path.suffix != ".ipynb" or file_path.parent.resolve() != ROOT / "exercises":
        return collected
    nbval_files = [c for c in collected if isinstance(c, nbval.plugin.IPyNbFile)]
    others = [c for c in collected if c not in nbval_files]
    if not nbval_files or not (ROOT / "solutions" / file_path.name).is_file():
        return others  # nbval is off, or a student's own notebook (a copy, a backup)
    return [*others, GeneratedExercise.from_parent(parent, path=file_path)]
