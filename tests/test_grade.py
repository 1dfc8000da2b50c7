"""The grade command: one line per exercise, never touches the student's file, clear errors."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from mbrl_helpers.course import grade

ROOT = Path(__file__).resolve().parents[1]
NAME = "00_why_model_based_rl.ipynb"


def test_shipped_exercise_notebook_is_all_not_implemented(tmp_path, capsys):
    path = tmp_path / NAME
    shutil.copy(ROOT / "exercises" / NAME, path)
    before = path.read_bytes()
    assert grade.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "Exercise 0.1: not implemented yet" in out
    assert "Exercise 0.2: not implemented yet" in out
    assert f"Exercise 0.3: a written answer, not graded; compare yours with solutions/{NAME}" in out
    assert out.rstrip().endswith("2 checked exercises: 2 not implemented yet; 1 written answer")
    assert path.read_bytes() == before, "the student's file is never modified"


def test_completed_notebook_passes_and_a_broken_one_is_explained(tmp_path, capsys):
    path = tmp_path / NAME
    shutil.copy(ROOT / "solutions" / NAME, path)
    assert grade.main([str(path)]) == 0
    assert (
        capsys.readouterr().out.rstrip().endswith("2 checked exercises: 2 passed; 1 written answer")
    )

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "def expected_return" in cell.source:  # plant the "forgot gamma" mistake
            cell.source = cell.source.replace("discount *= gamma", "discount *= 1.0")
        if "def simulate_returns" in cell.source:  # and a syntax error
            cell.source = cell.source.replace("def simulate_returns(", "def simulate_returns(((")
    nbformat.write(nb, path)
    assert grade.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "Exercise 0.1: failed: with gamma" in out and "Hint: discount: the reward" in out
    assert "Exercise 0.2: did not run: cell" in out and "SyntaxError" in out
    assert "1 failed, 1 did not run" in out


def test_files_that_cannot_be_graded(tmp_path, capsys):
    assert grade.main([str(tmp_path / "missing.ipynb")]) == 2
    assert "no such file" in capsys.readouterr().err
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert grade.main([str(text)]) == 2
    assert "not a notebook" in capsys.readouterr().err
    broken = tmp_path / "00_broken.ipynb"
    broken.write_text("{ this is not json")
    assert grade.main([str(broken)]) == 2
    assert "not a readable Jupyter notebook" in capsys.readouterr().err
    for text in ("{}", "[]", '{"cells": 5}'):
        broken.write_text(text)  # valid JSON, not a notebook
        assert grade.main([str(broken)]) == 2
        assert "not a readable Jupyter notebook" in capsys.readouterr().err
    renamed = tmp_path / "01_dyna.ipynb"
    shutil.copy(ROOT / "exercises" / NAME, renamed)
    assert grade.main([str(renamed)]) == 2
    assert "named for lecture 01 but holds lecture 00" in capsys.readouterr().err
    assert grade.main([str(ROOT / "notebooks" / NAME)]) == 2
    assert "has no exercise checks" in capsys.readouterr().err
    alien = tmp_path / "alien.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")]), alien)
    assert grade.main([str(alien)]) == 2
    assert "not a course notebook" in capsys.readouterr().err


@pytest.mark.parametrize("status", ["passed", "not implemented yet"])
def test_outcome_lines_are_parsed(status):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("checks.check('0.1', f)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"Exercise 0.1 (x): {status}\n")
    ]
    nb.cells = [cell]
    results = grade.outcomes(nb, 0)
    nb.cells.append(nbformat.v4.new_markdown_cell("### Exercise 0.3: in words"))
    assert grade.written_exercises(nb, 0) == ["0.3"]
    assert grade.report(results[:1]).endswith("1 checked exercise: 1 " + status)
    assert [(o.exercise_id, o.status) for o in results] == [("0.1", status), ("0.2", "did not run")]
    assert results[1].detail == "its check cell is missing from the notebook"


def test_a_runnable_notebook_with_an_unknown_key_is_still_graded(tmp_path):
    """Strict schema validation would reject it and tell the student to throw their work away."""
    path = tmp_path / NAME
    nb = json.loads((ROOT / "exercises" / NAME).read_text())
    nb["cells"][2]["something_new"] = 1
    path.write_text(json.dumps(nb))
    _, lecture = grade.load(path)
    assert lecture == 0
