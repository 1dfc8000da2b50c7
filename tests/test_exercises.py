"""The exercise generator: solution regions become NotImplementedError, answers become prompts."""

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
    assert "generated from `solutions/02_x.ipynb`" in ex.cells[0].source
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


def test_stale_detects_missing_changed_and_orphan_exercises(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").mkdir()
    nb = _solution(("md", "### Exercise 1.1: x"), ("code", CODE))
    nbformat.write(nb, tmp_path / "solutions" / "01_x.ipynb")
    assert exercises.stale(tmp_path) == ["exercises/01_x.ipynb is missing"]
    assert exercises.main(["--root", str(tmp_path)]) == 0
    assert exercises.stale(tmp_path) == []
    assert exercises.main(["--root", str(tmp_path), "--check"]) == 0
    generated = tmp_path / "exercises" / "01_x.ipynb"
    generated.write_text(generated.read_text().replace("Exercise 1.1", "Exercise 9.9"))
    (tmp_path / "exercises" / "02_y.ipynb").write_text("{}")
    assert exercises.stale(tmp_path) == [
        "exercises/01_x.ipynb is out of date",
        "exercises/02_y.ipynb has no solution notebook",
    ]
    assert exercises.main(["--root", str(tmp_path), "--check"]) == 1


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
