"""Re-executing notebooks stores the same outputs twice; normalising drops run-dependent noise."""

import nbformat

from mbrl_helpers.course import execute
from mbrl_helpers.course.exercises import render


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nrng = np.random.default_rng(0)"),
        nbformat.v4.new_code_cell("print(int(rng.integers(1000)))"),
        nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.IntSlider(value=3, max=10)"),
    ]
    return nb


def test_execute_twice_gives_identical_files(tmp_path):
    path = tmp_path / "demo.ipynb"
    nbformat.write(_notebook(), path)
    execute.execute(path, timeout=60)
    first = path.read_text()
    execute.execute(path, timeout=60)
    assert path.read_text() == first
    nb = nbformat.reads(first, as_version=4)
    assert nb.cells[1].outputs[0]["text"] == "850\n"
    widget = nb.cells[2].outputs[0]["data"]
    assert execute.WIDGET_VIEW not in widget, "widget views are dropped (their ids vary)"
    assert widget["text/plain"].startswith("IntSlider(value=3")
    assert "widgets" not in nb.metadata and nb.metadata["language_info"] == {"name": "python"}


def test_normalise_is_idempotent_and_strips_timings():
    nb = _notebook()
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    nb.metadata["widgets"] = {"state": {}}
    once = render(execute.normalise(nb))
    assert "iopub" not in once and '"widgets"' not in once
    assert render(execute.normalise(nbformat.reads(once, as_version=4))) == once


def test_main_rejects_exercises_and_non_notebooks(tmp_path, capsys):
    (tmp_path / "exercises").mkdir()
    exercise = tmp_path / "exercises" / "01_x.ipynb"
    nbformat.write(_notebook(), exercise)
    assert execute.main([str(exercise)]) == 2
    assert "exercises are generated" in capsys.readouterr().err
    assert execute.main([str(tmp_path / "missing.ipynb")]) == 2
    assert "is not a notebook file" in capsys.readouterr().err


def test_normalise_joins_stream_pieces():
    nb = _notebook()
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warn\n"),
    ]
    outputs = execute.normalise(nb).cells[1].outputs
    assert [(o.name, o.text) for o in outputs] == [("stdout", "a\nb\n"), ("stderr", "warn\n")]


def test_varying_cells_keep_their_stored_outputs_unless_refreshed(tmp_path):
    path = tmp_path / "timing.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "# NBVAL_IGNORE_OUTPUT\nimport time\nprint(time.perf_counter_ns())"
        ),
        nbformat.v4.new_code_cell("print(6 * 7)"),
    ]
    nbformat.write(nb, path)
    execute.execute(path, timeout=60)
    first = path.read_text()
    execute.execute(path, timeout=60)
    assert path.read_text() == first, "a second run changes nothing"
    execute.execute(path, timeout=60, refresh_varying=True)
    refreshed = nbformat.read(path, as_version=4)
    assert refreshed.cells[0].outputs != nbformat.reads(first, as_version=4).cells[0].outputs
    assert refreshed.cells[1].outputs[0]["text"] == "42\n"
