"""A student's work is never destroyed, and `make test` passes with it in place.

Students write in `exercises/NN_name.ipynb`. The tests copy a slice of the course (lecture 00:
its lecture, solution and exercise notebooks, with the project's configuration) into a temporary
folder, fill in the exercise as a student would (their own code style, stored outputs, a written
answer, JupyterLab's metadata; a duplicate and a backup next to it), then run each piece of
`make test` and `make clean` there, and check that the student's files are byte for byte as they
were. The generator's own rules are in test_exercises.py, grade's in test_grade.py, and
`make lab`'s JupyterLab is driven by test_browser.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from student import fill_in, shipped

from mbrl_helpers.course import execute, exercises

ROOT = Path(__file__).resolve().parents[1]
NAME = "00_why_model_based_rl.ipynb"


def _env():
    """The student's environment: not CI (under CI the repository itself must be as generated)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["SDL_VIDEODRIVER"] = "dummy"
    return env


@pytest.fixture()
def checkout(tmp_path):
    """A slice of the course where a student has filled in exercise notebook 00."""
    for name in ("pyproject.toml", "conftest.py", "Makefile", ".gitignore"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "nbval_sanitize.cfg", tmp_path / "tests")
    for folder in ("notebooks", "solutions", "exercises"):
        (tmp_path / folder).mkdir()
    for folder in ("notebooks", "solutions"):
        shutil.copy(ROOT / folder / NAME, tmp_path / folder / NAME)
    work = tmp_path / "exercises" / NAME
    work.write_text(shipped(NAME))  # as shipped, whatever this checkout's exercises/ holds
    fill_in(work, tmp_path / "solutions" / NAME)
    shutil.copy(work, tmp_path / "exercises" / "00_why_model_based_rl-Copy1.ipynb")
    shutil.copy(work, tmp_path / "exercises" / "00_why_model_based_rl.backup-20260101-120000.ipynb")
    checkpoints = tmp_path / "exercises" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    shutil.copy(work, checkpoints / "00_why_model_based_rl-checkpoint.ipynb")
    return tmp_path


def _student_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted((root / "exercises").rglob("*.ipynb"))
    }


def _run(root, *command):
    return subprocess.run(
        command, cwd=root, env=_env(), capture_output=True, text=True, timeout=300
    )


def test_lint_and_the_freshness_check_pass_with_a_students_answers(checkout):
    before = _student_files(checkout)
    for command in (["check", "."], ["format", "--check", "."]):
        result = _run(checkout, sys.executable, "-m", "ruff", *command)
        assert result.returncode == 0, result.stdout + result.stderr
    result = _run(checkout, sys.executable, "-m", "mbrl_helpers.course.exercises", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"exercises/{NAME} holds your edits: kept as it is" in result.stdout
    result = _run(checkout, sys.executable, "-m", "mbrl_helpers.course.exercises")
    assert result.returncode == 0 and "nothing to do" in result.stdout, result.stdout
    assert _student_files(checkout) == before


def test_the_notebook_tests_run_the_generated_exercise_not_the_students(checkout):
    before = _student_files(checkout)
    result = _run(
        checkout,
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval_sanitize.cfg",
        "-rA",
        "exercises",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    ran = {line.split("::")[0].split()[-1] for line in result.stdout.splitlines() if "::" in line}
    assert ran == {f"exercises/{NAME}"}, "copies, backups and checkpoints are not collected"
    assert _student_files(checkout) == before


def test_the_project_commands_leave_the_students_files_alone(checkout):
    before = _student_files(checkout)
    assert not any(p.parent.name == "exercises" for p in execute.default_paths(checkout))
    assert execute.main([str(checkout / "exercises" / NAME)]) == 2
    assert exercises.main(["--root", str(checkout)]) == 0
    if shutil.which("make"):
        (checkout / ".venv").mkdir()  # what `make clean` removes, and no more
        (checkout / "test-artifacts").mkdir()
        result = _run(checkout, "make", "clean")
        assert result.returncode == 0, result.stdout + result.stderr
        assert not (checkout / ".venv").exists() and not (checkout / "test-artifacts").exists()
    assert _student_files(checkout) == before
