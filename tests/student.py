"""A student at work, for the tests: exercise notebooks filled in as JupyterLab leaves them."""

from __future__ import annotations

from pathlib import Path

import nbformat

from mbrl_helpers.course import exercises

ROOT = Path(__file__).resolve().parents[1]


def shipped(name: str) -> str:
    """The text of `exercises/<name>` as shipped (generated): never the file in exercises/,
    which may hold the answers of whoever runs the tests."""
    return exercises.generate_one(ROOT, name)


def solution_bodies(solution: nbformat.NotebookNode) -> list[str]:
    """The code between the markers of each solution region, in order."""
    bodies = []
    for cell in solution.cells:
        if cell.cell_type != "code":
            continue
        lines = cell.source.split("\n")
        for begin, end in exercises._regions(lines, "solution"):
            bodies.append("\n".join(lines[begin + 1 : end]))
    return bodies


def restyle(body: str) -> str:
    """The same code as a student might type it: single quotes, odd spacing, a long line."""
    first = body.split("\n")[0]
    indent = first[: len(first) - len(first.lstrip())]
    mine = (
        "_unused_but_mine = ( 1,2 ,3 )  # a long comment that ruff format would surely wrap for me"
    )
    return body.replace('"', "'").replace(" = ", "=").replace(", ", ",") + f"\n{indent}{mine}"


def fill_in(
    exercise_path: Path, solution_path: Path, wrong: dict[int, str] | None = None
) -> nbformat.NotebookNode:
    """Fill in every exercise of `exercise_path` with the solution's code in a student's style,
    the way JupyterLab saves it: outputs and execution counts stored, a written answer typed,
    the kernel's metadata recorded. `wrong` maps a region's index to replacement code."""
    nb = nbformat.read(exercise_path, as_version=4)
    bodies = solution_bodies(nbformat.read(solution_path, as_version=4))
    index, count = 0, 0
    for cell in nb.cells:
        if cell.cell_type == "markdown" and exercises.ANSWER_PROMPT in cell.source:
            cell.source = cell.source.replace(exercises.ANSWER_PROMPT, "My answer: it depends.")
            continue
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="(ran)\n")]
        lines = cell.source.split("\n")
        out, i = [], 0
        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            if stripped.startswith("raise NotImplementedError("):
                body = (wrong or {}).get(index, restyle(bodies[index]))
                indent = line[: len(line) - len(line.lstrip())]
                out.append(body if body.startswith(indent) else indent + body.lstrip())
                index += 1
                if not stripped.endswith(")"):  # wrapped over three lines
                    i += 2
            else:
                out.append(line)
            i += 1
        cell.source = "\n".join(out)
    nb.cells[-1].metadata["scrolled"] = True
    nb.metadata["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "version": "3.11.2",
    }
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, exercise_path)
    return nb
