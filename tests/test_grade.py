"""The grade command: one line per exercise as it finishes, a summary, never a traceback; a
time limit per cell; several notebooks or a folder, with a CSV table; Ctrl-C stops it in one
line; files are never modified. Lecture 00's notebook (two checks, about 2 s) keeps it fast."""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from student import shipped

from mbrl_helpers.course import grade

ROOT = Path(__file__).resolve().parents[1]
NAME = "00_why_model_based_rl.ipynb"
LIMIT = 5  # seconds per cell in these tests (the default is 30); the setup cell gets more


def _planted(path, where, code, source=ROOT / "solutions" / NAME):
    """Lecture 00's solved notebook with `code` put first in the function whose `def` is `where`."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.source.startswith(where):
            cell.source = cell.source.replace("### BEGIN SOLUTION", "### BEGIN SOLUTION\n" + code)
    nbformat.write(nb, path)
    return path


ENDLESS = "    while True:\n        pass"
STUBBORN = (  # an endless loop that swallows the interrupt: the kernel has to be restarted
    "    import time\n    while True:\n        try:\n            time.sleep(0.01)\n"
    "        except BaseException:\n            pass"
)
CRASH = "    import os\n    os._exit(1)"


def _grade(*args, **kwargs):
    """Run the command as a student does, in a subprocess (its real stdout and stderr)."""
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run(
        [sys.executable, "-m", "mbrl_helpers.grade", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        **kwargs,
    )


def test_shipped_exercise_notebook_is_all_not_implemented(tmp_path, capsys):
    path = tmp_path / NAME
    path.write_text(shipped(NAME))
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
    renamed.write_text(shipped(NAME))
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
    text = f"Exercise 0.1 (x): {status}\nother output\n"
    results = grade.parse_lines(text)
    assert [(o.exercise_id, o.status) for o in results] == [("0.1", status)]
    failed = grade.parse_lines("Exercise 0.2 (y): failed: got 3\n    Hint: add one\n")
    assert failed[0].detail == "got 3 Hint: add one"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("### Exercise 0.3: words")])
    assert grade.written_exercises(nb, 0) == ["0.3"]
    assert grade.report(results).endswith("1 checked exercise: 1 " + status)
    assert grade.check_ids("checks.check(\"0.2\", f)\nchecks.check( '0.1', g)") == ["0.2", "0.1"]


@pytest.mark.parametrize(
    "code, line",
    [
        (ENDLESS, f"Exercise 0.1: timed out: took longer than {LIMIT} s: an endless loop?"),
        (STUBBORN, f"Exercise 0.1: timed out: took longer than {LIMIT} s: an endless loop?"),
        (CRASH, "Exercise 0.1: did not run: the Python kernel stopped (crashed or exited)"),
    ],
    ids=["endless", "ignores-interrupts", "kills-the-kernel"],
)
def test_an_endless_loop_is_stopped_and_the_rest_still_graded(tmp_path, code, line):
    path = _planted(tmp_path / NAME, "def expected_return", code)
    before = path.read_bytes()
    start = time.monotonic()
    result = _grade(path, "--timeout", LIMIT)
    elapsed = time.monotonic() - start
    lines = result.stdout.strip().split("\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines[1].startswith(line), result.stdout
    # the kernel was interrupted or restarted, with the setup and functions defined again
    assert lines[2] == "Exercise 0.2: passed", result.stdout
    assert lines[-1].startswith("2 checked exercises: 1 passed, 1 "), result.stdout
    assert len(lines) == 5, "a header, one line per exercise, the written answer, a summary"
    assert result.stderr == "", "no kernel, ZMQ or 'TCP without encryption' warnings"
    assert "Traceback" not in result.stdout
    assert elapsed < 10 * LIMIT + 30, f"{elapsed:.1f} s for a limit of {LIMIT} s"
    assert path.read_bytes() == before


def test_a_stopped_cell_that_is_not_a_check_is_reported_too(tmp_path, capsys):
    path = _planted(tmp_path / NAME, "def expected_return", "")
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("while True:\n    pass"))
    nbformat.write(nb, path)
    assert grade.main([str(path), "--timeout", str(LIMIT)]) == 0
    out = capsys.readouterr().out
    assert (
        f"Cell 4 of {len(nb.cells)} (`while True:`): took longer than {LIMIT} s: an endless loop? "
        "(stopped; grading goes on)"
    ) in out
    assert out.rstrip().endswith("2 checked exercises: 2 passed; 1 written answer")


def test_ctrl_c_stops_grading_with_one_line(tmp_path):
    path = _planted(tmp_path / NAME, "def expected_return", ENDLESS)
    server = subprocess.Popen(
        [sys.executable, "-m", "mbrl_helpers.grade", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as in a terminal: a background process of a script would start with SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert server.stdout.readline().startswith("Grading ")  # running the notebook now
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode == 130
    assert err.strip() == "Stopped (Ctrl-C). No file was changed.", err
    assert "Traceback" not in out


def _class(folder):
    """A class's submissions: good, wrong, empty, broken, stuck, and files that are no notebook."""
    folder.mkdir()
    shutil.copy(ROOT / "solutions" / NAME, folder / "ada.ipynb")
    _planted(
        folder / "bob.ipynb",
        "def expected_return",
        "    return 1.0  # a guess",
    )
    (folder / "cy.ipynb").write_text(shipped(NAME))  # nothing done yet
    _planted(folder / "dee.ipynb", "def simulate_returns", ENDLESS)
    syntax = _planted(folder / "eve.ipynb", "def expected_return", "")
    syntax.write_text(syntax.read_text().replace("def simulate_returns(", "def simulate_returns(("))
    (folder / "fay.ipynb").write_text('{"cells": [ <<<<<<< HEAD')
    (folder / "gus.ipynb").write_bytes(b"")
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")]),
        folder / "hal.ipynb",
    )
    (folder / "notes.txt").write_text("not a notebook, not graded")
    (folder / "sub").mkdir()
    shutil.copy(ROOT / "solutions" / NAME, folder / "sub" / "ivy.ipynb")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "ada-checkpoint.ipynb").write_text(shipped(NAME))
    (folder / "ada.backup-20260101-120000.ipynb").write_text(shipped(NAME))


def test_csv_over_a_folder_of_submissions(tmp_path):
    folder = tmp_path / "class"
    _class(folder)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    table = tmp_path / "grades.csv"
    result = _grade(folder, "--csv", table, "--timeout", LIMIT)
    assert result.returncode == 2, "some files could not be graded"
    assert result.stderr == ""
    rows = list(csv.reader(table.open()))
    assert rows[0] == ["notebook", "lecture", "0.1", "0.2", "total", "out_of", "note"]
    written = "written answers to read: 0.3"
    unreadable = "not a readable Jupyter notebook"
    assert [[Path(r[0]).name, *r[1:]] for r in rows[1:]] == [
        ["ada.ipynb", "00", "passed", "passed", "2", "2", written],
        ["bob.ipynb", "00", "failed", "passed", "1", "2", written],
        ["cy.ipynb", "00", "not implemented", "not implemented", "0", "2", written],
        ["dee.ipynb", "00", "passed", "timed out", "1", "2", written],
        ["eve.ipynb", "00", "passed", "did not run", "1", "2", written],
        ["fay.ipynb", "", "", "", "", "", f"{unreadable} (not JSON)"],
        ["gus.ipynb", "", "", "", "", "", f"{unreadable} (the file is empty)"],
        [
            "hal.ipynb",
            "",
            "",
            "",
            "",
            "",
            "this is not a course notebook (no '# Lecture NN' title)",
        ],
        ["ivy.ipynb", "00", "passed", "passed", "2", "2", written],
    ]
    out = result.stdout
    assert "Exercise 0.2: timed out" in out and "Traceback" not in out
    assert out.rstrip().endswith(
        "9 notebooks: 2 with every exercise passed, 4 with exercises left to do, "
        f"3 could not be graded\nTable written to {table}"
    )
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_exit_status_and_command_line(tmp_path, capsys):
    good = shutil.copy(ROOT / "solutions" / NAME, tmp_path / "a.ipynb")
    assert grade.main([str(good), str(good)]) == 0, "all passed (a path given twice counts once)"
    assert capsys.readouterr().out.count("2 checked exercises: 2 passed") == 1
    with pytest.raises(SystemExit) as exit:
        grade.main([str(good), "--timeout", "0"])
    assert exit.value.code == 2
    assert "expected a positive number of seconds" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grade.main([str(good), "--csv", str(tmp_path / "missing" / "x.csv")])
    assert "give a file in an existing folder" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert grade.main([str(empty)]) == 2
    assert "not a notebook" in capsys.readouterr().err


def test_a_runnable_notebook_with_an_unknown_key_is_still_graded(tmp_path):
    """Strict schema validation would reject it and tell the student to throw their work away."""
    path = tmp_path / NAME
    nb = json.loads(shipped(NAME))
    nb["cells"][2]["something_new"] = 1
    path.write_text(json.dumps(nb))
    _, lecture = grade.load(path)
    assert lecture == 0
