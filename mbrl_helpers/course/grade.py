"""Grade an exercise notebook from the terminal: one line per exercise and a summary.

    python -m mbrl_helpers.grade exercises/01_dyna.ipynb

The notebook is executed headlessly from a copy in memory (your file is never modified), in its
own folder, with every cell run even after an error. Each exercise's check prints one line
(`passed`, `failed: ...`, `not implemented yet`); an exercise whose check never ran is reported
with the first error of the notebook. Written-answer exercises are listed, to be compared with
the solution notebook (they have no automatic check). The exit status is 0 when every exercise passed, 1 when
any did not, and 2 when the file cannot be graded (missing, not a notebook, wrong lecture).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mbrl_helpers.course import checks

CELL_TIMEOUT = 600  # seconds
_TITLE = re.compile(r"^#\s*Lecture\s+(\d+)\b", re.MULTILINE)
_NAME = re.compile(r"^(\d\d)_")
_HEADING = re.compile(r"^#+\s*Exercise\s+(\d+\.\d+)\b", re.MULTILINE)
_LINE = re.compile(r"^Exercise (\d+\.\d+) \((.*?)\): (passed|failed|not implemented yet)(.*)$")


class GradeError(Exception):
    """The file cannot be graded; the message says why and what is expected."""


@dataclass
class Outcome:
    exercise_id: str
    status: str  # "passed", "failed", "not implemented yet", or "did not run"
    detail: str = ""


def load(path: Path) -> tuple[nbformat.NotebookNode, int]:
    """Read the notebook and find its lecture number; raise GradeError if it cannot be graded."""
    if not path.exists():
        raise GradeError(
            f"{path}: no such file (give the path of an exercise notebook, e.g. exercises/01_dyna.ipynb)"
        )
    if path.is_dir() or path.suffix != ".ipynb":
        raise GradeError(f"{path}: not a notebook (expected a .ipynb file from exercises/)")
    try:
        nb = nbformat.read(path, as_version=4)
    except OSError as error:
        raise GradeError(f"{path}: cannot be read ({error.strerror or error})") from None
    except (ValueError, KeyError, TypeError, AttributeError, nbformat.ValidationError) as error:
        raise GradeError(
            f"{path}: not a readable Jupyter notebook ({type(error).__name__}); if it holds your "
            "work, keep a copy and repair it in JupyterLab, or start again from exercises/"
        ) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list) or not all(
        isinstance(c, dict) and "cell_type" in c and "source" in c for c in cells
    ):  # valid JSON that is not a notebook: {}, [], {"cells": 5}, ...
        raise GradeError(
            f"{path}: not a readable Jupyter notebook (no list of cells); if it holds your "
            "work, keep a copy and repair it in JupyterLab, or start again from exercises/"
        )
    titles = [
        m for cell in nb.cells if cell.cell_type == "markdown" for m in _TITLE.findall(cell.source)
    ]
    if not titles:
        raise GradeError(f"{path}: this is not a course notebook (no '# Lecture NN' title)")
    lecture = int(titles[0])
    named = _NAME.match(path.name)
    if named and int(named.group(1)) != lecture:
        raise GradeError(
            f"{path}: the file is named for lecture {int(named.group(1)):02d} but holds lecture "
            f"{lecture:02d}'s notebook; grade the right file, or rename it"
        )
    if not checks.registered(lecture):
        raise GradeError(f"{path}: lecture {lecture:02d} has no exercises to grade")
    if not any("checks.check(" in cell.source for cell in nb.cells if cell.cell_type == "code"):
        raise GradeError(
            f"{path}: lecture {lecture:02d}'s lecture notebook has no exercise checks; grade "
            f"exercises/{path.name} instead"
        )
    return nb, lecture


def run(nb: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Execute the notebook in memory (all cells, errors allowed) and return it."""
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        startup_timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    return nb


def outcomes(nb: nbformat.NotebookNode, lecture: int) -> list[Outcome]:
    """One outcome per exercise of the lecture, read from the executed notebook's outputs."""
    found: dict[str, Outcome] = {}
    first_error = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            if output.output_type == "error" and first_error is None:
                first_error = f"cell {index} raised {output.ename}: {output.evalue}"
            if output.output_type != "stream":
                continue
            lines = output.text.split("\n")
            for i, line in enumerate(lines):
                match = _LINE.match(line)
                if not match:
                    continue
                exercise_id, _title, status, rest = match.groups()
                detail = rest.removeprefix(": ")
                if i + 1 < len(lines) and lines[i + 1].strip().startswith("Hint:"):
                    detail += " " + lines[i + 1].strip()
                found[exercise_id] = Outcome(exercise_id, status, detail)
    result = []
    for exercise_id in checks.registered(lecture):
        if exercise_id in found:
            result.append(found[exercise_id])
        else:
            why = first_error or "its check cell is missing from the notebook"
            result.append(Outcome(exercise_id, "did not run", why))
    return result


def solution_name(lecture: int) -> str:
    """`solutions/NN_name.ipynb` of the course for `lecture` (or "the solutions" if not found)."""
    found = sorted(
        (Path(__file__).resolve().parents[2] / "solutions").glob(f"{lecture:02d}_*.ipynb")
    )
    return f"solutions/{found[0].name}" if found else "the solutions"


def written_exercises(nb: nbformat.NotebookNode, lecture: int) -> list[str]:
    """The exercises with a heading in the notebook but no check: written answers."""
    checked = set(checks.registered(lecture))
    found = [
        m
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for m in _HEADING.findall(cell.source)
    ]
    return [e for e in dict.fromkeys(found) if e not in checked]


def report(results: list[Outcome], written: list[str] = (), solutions: str = "") -> str:
    lines = []
    for o in results:
        lines.append(
            f"Exercise {o.exercise_id}: {o.status}" + (f": {o.detail}" if o.detail else "")
        )
    for exercise_id in written:
        lines.append(
            f"Exercise {exercise_id}: a written answer, not graded; compare yours with "
            f"{solutions or 'the solutions'}"
        )
    counts = {
        s: sum(o.status == s for o in results)
        for s in ("passed", "failed", "not implemented yet", "did not run")
    }
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    n = len(results)
    line = f"{n} checked exercise{'' if n == 1 else 's'}: {summary}"
    if written:
        line += f"; {len(written)} written answer{'' if len(written) == 1 else 's'}"
    lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mbrl_helpers.grade", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "notebook", type=Path, help="an exercise notebook, e.g. exercises/01_dyna.ipynb"
    )
    args = parser.parse_args(argv)
    try:
        nb, lecture = load(args.notebook)
    except GradeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"Grading {args.notebook} (lecture {lecture:02d}); running it on a copy, this takes a moment...",
        flush=True,
    )
    written = written_exercises(nb, lecture)
    results = outcomes(run(nb, args.notebook.resolve().parent), lecture)
    print(report(results, written, solution_name(lecture)))
    return 0 if all(o.status == "passed" for o in results) else 1


if __name__ == "__main__":
    sys.exit(main())
