"""The package's layers, checked by import-linter (`lint-imports`, contracts in pyproject.toml).

The contracts pass on the package as it is, and fail, naming the offending import, on copies of
the package with one deliberately wrong import planted: an algorithm that draws, an environment
that knows an agent, an import cycle.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` run in `root` (its pyproject.toml), on the package found in `root`."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_package_keeps_its_contracts():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_the_course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "pyproject.toml", root)
    shutil.copytree(
        ROOT / "mbrl_helpers", root / "mbrl_helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root


@pytest.mark.parametrize(
    ("module", "planted", "broken", "named"),
    [
        (
            "mcts.py",
            "from mbrl_helpers.plotting import mcts as _pictures",
            "Imports run one way",
            "mbrl_helpers.mcts -> mbrl_helpers.plotting.mcts",
        ),
        (
            "mcts.py",
            "import matplotlib.pyplot as _plt",
            "draw nothing",
            "mbrl_helpers.mcts -> matplotlib",
        ),
        (
            "envs/mazes.py",
            "from mbrl_helpers import dyna as _agent",
            "Imports run one way",
            "mbrl_helpers.envs.mazes -> mbrl_helpers.dyna",
        ),
        (
            "dyna/agent.py",
            "from mbrl_helpers.dyna import fast as _fast",
            "No import cycles",
            "No cycles are allowed in mbrl_helpers.dyna",
        ),
        (
            "tabular.py",
            "from mbrl_helpers.course import checks as _checks",
            "Imports run one way",
            "mbrl_helpers.tabular -> mbrl_helpers.course.checks",
        ),
    ],
)
def test_a_wrong_import_breaks_a_contract_and_is_named(
    copy_of_the_course, module, planted, broken, named
):
    path = copy_of_the_course / "mbrl_helpers" / module
    original = path.read_text()
    try:
        path.write_text(original + f"\n{planted}  # noqa\n")
        result = _lint(copy_of_the_course)
    finally:
        path.write_text(original)
    assert result.returncode != 0, result.stdout
    out = result.stdout
    assert f"{broken}" in out and "BROKEN" in out, out
    assert named in out, out
