"""The course's layout and its contracts: environment.yml vs pyproject.toml, notebook pairs,
notebook anatomy, generated exercises that are fresh, lint-clean and leak no solution,
normalised outputs.

Exercise notebooks are tested as the generator writes them, never as found in `exercises/`,
where a student's answers live (`course_notebook`).
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

from mbrl_helpers.course import execute, exercises

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")


GENERATED = exercises.generate(ROOT)  # {exercises/NN_name.ipynb: its text}


def _notebooks(folder):
    if folder == "exercises":
        return sorted(GENERATED)
    return sorted((ROOT / folder).glob("*.ipynb"))


def course_notebook(path):
    """The notebook at `path`; for an exercise, the generated one (the file is the student's)."""
    if path in GENERATED:
        return nbformat.reads(GENERATED[path], as_version=4)
    return nbformat.read(path, as_version=4)


def _split_requirement(text):
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", text)
    return match.group(1).lower(), match.group(2).replace(" ", "")


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert "python=3.11" in conda
    assert pip == [{"pip": ["-e .[dev]"]}], "the pip section must install the project editable"
    wanted = dict(_split_requirement(r) for r in project["dependencies"])
    got = dict(_split_requirement(d) for d in conda if not d.startswith(("python=", "pip")))
    assert got == wanted, "environment.yml and pyproject.toml list different runtime packages"
    assert project["requires-python"] == ">=3.11"


def test_runtime_dependencies_cover_the_design_card():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_split_requirement(r)[0] for r in project["dependencies"]}
    assert {"numpy", "matplotlib", "gymnasium", "jupyterlab", "ipywidgets", "nbval"} <= names
    dev = {_split_requirement(r)[0] for r in project["optional-dependencies"]["dev"]}
    assert {"pytest", "ruff", "pyyaml"} <= dev


def test_every_lecture_has_a_solution_and_an_exercise_notebook():
    lectures = {p.name for p in _notebooks("notebooks")}
    assert lectures, "there are no lecture notebooks"
    for name in lectures:
        assert NAME.match(name), f"{name}: lecture notebooks are named NN_short_name.ipynb"
    assert {p.name for p in _notebooks("solutions")} == lectures
    assert {p.name for p in _notebooks("exercises")} == lectures


ALL = _notebooks("notebooks") + _notebooks("solutions") + _notebooks("exercises")
STORED = _notebooks("notebooks") + _notebooks("solutions")


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_anatomy(path):
    nb = course_notebook(path)
    cells = [c for c in nb.cells if "generated-header" not in c.metadata.get("tags", [])]
    number = NAME.match(path.name).group(1)
    title = cells[0]
    assert title.cell_type == "markdown" and title.source.startswith(f"# Lecture {number}"), (
        f"{path.name}: the first cell is the title '# Lecture {number}: ...'"
    )
    assert "Sutton & Barto" in title.source, "the title cell names the book sections covered"
    assert re.search(r"(?i)estimated\s+time", title.source), "the title cell gives a time estimate"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and "%matplotlib inline" in code[0].source, "the first code cell is the setup"
    assert "SEED" in code[0].source, "the setup cell fixes SEED"
    for cell in code:
        assert not re.search(r"^\s*from\s+\S+\s+import\s+\*", cell.source, re.M), "no import *"
    if path.parent.name == "notebooks":
        assert any(c.cell_type == "markdown" and "Recap" in c.source for c in cells), "a Recap"


CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # all but newline (tabs too)


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_sources_have_no_control_characters(path):
    r"""LaTeX written in a non-raw Python string loses its backslash: "\approx" becomes a bell
    character and "pprox", "\theta" a tab and "heta", and Markdown shows them as plain text."""
    nb = course_notebook(path)
    for index, cell in enumerate(nb.cells):
        for match in CONTROL.finditer(cell.source):
            context = cell.source[max(0, match.start() - 30) : match.end() + 10]
            pytest.fail(f"{path.name} cell {index} has a control character: {context!r}")


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stored_notebooks_are_executed_and_normalised(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip():
            assert cell.execution_count is not None, (
                f"{path.name} cell {index} was never run: nbval would not compare it; "
                "run `python -m mbrl_helpers.course.execute`"
            )
    text = path.read_text(encoding="utf-8")
    normalised = exercises.render(execute.normalise(nbformat.reads(text, as_version=4)))
    assert normalised == text, (
        f"{path.name} is not normalised: run `python -m mbrl_helpers.course.execute --normalise-only`"
    )


def test_exercises_are_up_to_date():
    """A student's edited exercise is fine here, but not under CI, where the repository is."""
    assert exercises.problems(ROOT, strict=exercises.running_in_ci()) == []


@pytest.mark.parametrize("tool", [["check"], ["format", "--check"]], ids=" ".join)
@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: p.name)
def test_generated_exercises_pass_ruff(path, tool):
    """ruff skips exercises/ (students' code); the generated notebooks are linted from memory,
    under their own name so that pyproject.toml's per-file rules apply."""
    where = str(path.relative_to(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *tool, "--stdin-filename", where, "-"],
        input=GENERATED[path],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, f"ruff {' '.join(tool)} on generated {where}:\n" + (
        result.stdout + result.stderr
    )


@pytest.mark.parametrize("path", _notebooks("solutions"), ids=lambda p: p.name)
def test_no_solution_leaks_into_the_exercise(path):
    solution = nbformat.read(path, as_version=4)
    exercise_text = GENERATED[ROOT / "exercises" / path.name]
    exercise = nbformat.reads(exercise_text, as_version=4)
    assert exercises.BEGIN not in exercise_text and exercises.END not in exercise_text
    sources = "\n".join(c.source for c in exercise.cells)
    n_regions = 0
    for cell in solution.cells:
        lines = cell.source.split("\n")
        for begin, end in exercises._regions(lines, path.name):
            n_regions += 1
            body = "\n".join(lines[begin + 1 : end]).strip()
            assert body and body not in sources, f"solution code leaked: {body[:80]!r}"
    assert n_regions > 0, f"{path.name} has no exercise"
    for cell in exercise.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, "outputs are cleared"


def test_readme_syllabus_lists_every_lecture():
    readme = (ROOT / "README.md").read_text()
    for path in _notebooks("notebooks"):
        assert f"notebooks/{path.name}" in readme, f"README's syllabus does not link {path.name}"
