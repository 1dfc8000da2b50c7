"""The exercise generator: solution regions become NotImplementedError, answers become prompts,
and a notebook a student has edited is never overwritten (only with --force, after a backup)."""

import json

import nbformat
import pytest

from mbrl_helpers.course import exercises


def _solution(*cells):
    nb = nbformat.v4.new_notebook()
    for kind, source in cells:
        maker = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(maker(source))
    return nb


CODE = '''def q_update(Q, s, a):
    """Docstring stays."""
    ### BEGIN SOLUTION
    Q[s, a] += 1
    return Q
    ### END SOLUTION'''


def test_solution_region_becomes_not_implemented_with_the_heading():
    nb = _solution(("md", "### Exercise 1.2: the direct RL update."), ("code", CODE))
    cell = exercises.make_exercise(nb, "01_dyna.ipynb").cells[-1]
    assert cell.source == (
        'def q_update(Q, s, a):\n    """Docstring stays."""\n'
        '    raise NotImplementedError("Exercise 1.2: the direct RL update")'
    )
    namespace = {}
    exec(cell.source, namespace)
    with pytest.raises(NotImplementedError, match="Exercise 1.2"):
        namespace["q_update"](None, 0, 0)


def test_markdown_answer_becomes_a_prompt_and_outputs_are_cleared():
    nb = _solution(
        ("md", "### Exercise 2.1: explain\nWhy?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
        ("code", "print(1)"),
    )
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells[1].execution_count = 3
    ex = exercises.make_exercise(nb, "02_x.ipynb")
    assert ex.cells[0].metadata["tags"] == [exercises.HEADER_TAG]
    assert "Generated from `solutions/02_x.ipynb`" in ex.cells[0].source
    assert ex.cells[1].source == f"### Exercise 2.1: explain\nWhy?\n{exercises.ANSWER_PROMPT}"
    assert "Because" not in exercises.render(ex)
    assert ex.cells[2].outputs == [] and ex.cells[2].execution_count is None


def test_a_long_title_is_wrapped_as_ruff_format_wraps_it():
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    title = "Exercise 9.9: " + "a very long title " * 5
    stub = exercises.strip_code(source, title, "test")
    assert stub.split("\n")[1:] == [
        "    raise NotImplementedError(",
        f'        "{title}"',
        "    )",
    ]


def test_two_regions_in_one_cell_and_the_solution_is_not_modified():
    code = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n\n" + (
        "def g():\n    if True:\n        ### BEGIN SOLUTION\n        return 2\n        ### END SOLUTION"
    )
    nb = _solution(("md", "## Exercise 3.1: two"), ("code", code))
    before = nbformat.writes(nb)
    source = exercises.make_exercise(nb, "03_x.ipynb").cells[-1].source
    assert source.count("raise NotImplementedError") == 2
    assert '        raise NotImplementedError("Exercise 3.1: two")' in source
    assert "return 1" not in source and "return 2" not in source
    assert nbformat.writes(nb) == before


@pytest.mark.parametrize(
    "code, message",
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1", "never closed"),
        ("def f():\n    return 1\n    ### END SOLUTION", "without"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "nested"),
    ],
)
def test_malformed_markers_are_reported_with_their_place(code, message):
    nb = _solution(("md", "### Exercise 1.1: x"), ("code", code))
    with pytest.raises(exercises.SolutionMarkupError, match=message):
        exercises.make_exercise(nb, "01_x.ipynb")


def test_a_region_needs_an_exercise_heading():
    nb = _solution(("code", CODE))
    with pytest.raises(exercises.SolutionMarkupError, match="no '### Exercise N.M"):
        exercises.make_exercise(nb, "01_x.ipynb")


@pytest.fixture(autouse=True)
def _not_ci(monkeypatch):
    """These tests say which mode they check; under CI (`CI=true`) --check is strict."""
    monkeypatch.delenv("CI", raising=False)


def _course(tmp_path, title="x"):
    """A course folder with one solution notebook; returns the exercise's path."""
    (tmp_path / "solutions").mkdir(exist_ok=True)
    (tmp_path / "exercises").mkdir(exist_ok=True)
    nb = _solution(("md", f"# Lecture 01\n### Exercise 1.1: {title}"), ("code", CODE))
    nbformat.write(nb, tmp_path / "solutions" / "01_x.ipynb")
    return tmp_path / "exercises" / "01_x.ipynb"


def _answer(path):
    """Fill the exercise in as a student would in JupyterLab: own style, outputs, autosave."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "NotImplementedError" in c.source)
    cell.source = cell.source.split("    raise")[0] + "    Q[s,a]+= 1 ;return Q  # mine\n"
    cell.execution_count = 3
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="passed\n")]
    nb.metadata["language_info"] = {
        "name": "python",
        "version": "3.11.2",
        "mimetype": "text/x-python",
    }
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, path)
    return path.read_bytes()


def _run(tmp_path, *args):
    return exercises.main(["--root", str(tmp_path), *args])


def test_missing_and_out_of_date_exercises_are_written_and_reported(tmp_path, capsys):
    path = _course(tmp_path)
    assert exercises.problems(tmp_path) == [
        "exercises/01_x.ipynb is missing: run `python -m mbrl_helpers.course.exercises`"
    ]
    assert _run(tmp_path) == 0
    assert "wrote exercises/01_x.ipynb" in capsys.readouterr().out
    assert exercises.problems(tmp_path, strict=True) == []
    assert _run(tmp_path, "--check") == 0
    assert json.loads(path.read_text())["metadata"][exercises.GENERATED_KEY]["generated_from"] == (
        "solutions/01_x.ipynb"
    )
    _course(tmp_path, title="a new title")  # the author changes the solution, forgets the rest
    assert exercises.classify(path, exercises.generate_one(tmp_path, "01_x.ipynb")).kind == (
        exercises.STALE
    )
    assert _run(tmp_path, "--check") == 1, "an author who forgot to regenerate is caught"
    assert "01_x.ipynb is out of date (it holds no edits)" in capsys.readouterr().out
    assert _run(tmp_path) == 0, "an untouched exercise is simply rewritten"
    assert "a new title" in path.read_text()
    assert not list(tmp_path.glob("exercises/*backup*")), "nothing to back up"


def test_an_edited_exercise_is_never_overwritten(tmp_path, capsys, monkeypatch):
    path = _course(tmp_path)
    _run(tmp_path)
    mine = _answer(path)
    assert exercises.problems(tmp_path) == [], "a student's answers are fine for make test"
    assert _run(tmp_path, "--check") == 0
    assert "01_x.ipynb holds your edits: kept as it is" in capsys.readouterr().out
    assert _run(tmp_path) == 0 and path.read_bytes() == mine
    assert "nothing to do" in capsys.readouterr().out
    assert _run(tmp_path, "--check", "--strict") == 1, "CI wants exactly the generated file"
    assert "differs from what the generator writes" in capsys.readouterr().out
    monkeypatch.setenv("CI", "true")
    assert _run(tmp_path, "--check") == 1, "and --check is strict under CI"
    monkeypatch.delenv("CI")

    _course(tmp_path, title="a new title")  # the solution changes under the student's answers
    assert _run(tmp_path) == 1 and path.read_bytes() == mine
    out = capsys.readouterr().out
    assert "kept exercises/01_x.ipynb: it has been edited (your answers?)" in out
    assert "--force exercises/01_x.ipynb" in out and "copies your file to a backup" in out
    assert _run(tmp_path, "--check") == 1
    assert "has been edited, and solutions/01_x.ipynb has changed" in capsys.readouterr().out
    assert path.read_bytes() == mine


def test_force_keeps_a_backup_of_the_edited_exercise(tmp_path, capsys):
    path = _course(tmp_path)
    _run(tmp_path)
    mine = _answer(path)
    assert _run(tmp_path, "--force", "exercises/01_x.ipynb") == 0
    backups = list(tmp_path.glob("exercises/01_x.backup-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == mine
    assert f"your edited file is kept as exercises/{backups[0].name}" in capsys.readouterr().out
    assert path.read_text() == exercises.generate_one(tmp_path, "01_x.ipynb")
    path.write_bytes(mine)
    assert _run(tmp_path, "--force") == 0  # a second backup in the same second gets its own name
    assert len(list(tmp_path.glob("exercises/01_x.backup-*.ipynb"))) == 2
    assert exercises.COURSE_NAME.match(path.name)
    assert not any(exercises.COURSE_NAME.match(b.name) for b in backups)


def test_unreadable_or_copied_exercises_are_left_alone(tmp_path, capsys):
    path = _course(tmp_path)
    _run(tmp_path)
    path.write_text('{"cells": [ <<<<<<< HEAD')  # a merge conflict, half a save...
    assert exercises.classify(path, exercises.generate_one(tmp_path, "01_x.ipynb")).kind == (
        exercises.EDITED
    )
    assert _run(tmp_path) == 0 and path.read_text() == '{"cells": [ <<<<<<< HEAD'
    copy = tmp_path / "exercises" / "01_x-Copy1.ipynb"  # JupyterLab's "Duplicate"
    copy.write_text("{}")
    assert exercises.problems(tmp_path) == []
    (tmp_path / "exercises" / "02_y.ipynb").write_text("{}")
    assert exercises.problems(tmp_path) == [
        "exercises/02_y.ipynb has no solution notebook: remove it, or add its solution"
    ]
    capsys.readouterr()
    assert _run(tmp_path) == 0 and (tmp_path / "exercises" / "02_y.ipynb").read_text() == "{}"
    assert "02_y.ipynb has no solution notebook (left as it is)" in capsys.readouterr().out


def test_unknown_names_and_a_missing_solutions_folder(tmp_path, capsys):
    assert _run(tmp_path) == 2
    assert "no solutions/ folder" in capsys.readouterr().err
    _course(tmp_path)
    assert _run(tmp_path, "--force", "exercises/09_nope.ipynb") == 2
    assert "no solution notebook for 09_nope.ipynb" in capsys.readouterr().err


def test_generated_content_with_an_old_digest_counts_as_untouched(tmp_path, capsys):
    """A merge of two branches can join one's content with the other's digest."""
    path = _course(tmp_path)
    nb = nbformat.reads(exercises.generate_one(tmp_path, "01_x.ipynb"), as_version=4)
    nb.metadata[exercises.GENERATED_KEY]["sha256"] = "0" * 64
    path.write_text(exercises.render(nb))
    assert _run(tmp_path, "--check") == 1
    assert "01_x.ipynb is out of date (it holds no edits)" in capsys.readouterr().out
    assert _run(tmp_path) == 0 and path.read_text() == exercises.generate_one(
        tmp_path, "01_x.ipynb"
    )
    assert not list(tmp_path.glob("exercises/*backup*"))


def test_a_file_generated_before_digests_were_recorded_counts_as_untouched(tmp_path):
    path = _course(tmp_path)
    nb = nbformat.reads(exercises.generate_one(tmp_path, "01_x.ipynb"), as_version=4)
    del nb.metadata[exercises.GENERATED_KEY]
    path.write_text(exercises.render(nb))
    assert exercises.classify(path, exercises.generate_one(tmp_path, "01_x.ipynb")).kind == (
        exercises.STALE
    )
    nb.cells[-1].source += "\n# my note"
    path.write_text(exercises.render(nb))
    assert exercises.classify(path, exercises.generate_one(tmp_path, "01_x.ipynb")).kind == (
        exercises.EDITED
    )


def test_exercise_metadata_does_not_depend_on_the_solutions():
    nb = _solution(("md", "### Exercise 1.1: x"), ("code", CODE))
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nb.metadata["widgets"] = {"state": {}}
    metadata = exercises.make_exercise(nb, "01_x.ipynb").metadata
    assert metadata == exercises.METADATA


@pytest.mark.parametrize(
    "title, stub",
    [
        (
            'Exercise 9.1: the "best" move',
            "raise NotImplementedError('Exercise 9.1: the \"best\" move')",
        ),
        ("Exercise 9.2: it's", 'raise NotImplementedError("Exercise 9.2: it\'s")'),
        ("Exercise 9.3: émigré", 'raise NotImplementedError("Exercise 9.3: émigré")'),
    ],
)
def test_stub_quotes_as_ruff_format_would(title, stub):
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    assert exercises.strip_code(source, title, "test").split("\n")[1] == "    " + stub
