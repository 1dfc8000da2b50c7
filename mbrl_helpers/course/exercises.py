"""Generate the exercise notebooks from the solution notebooks (one source, nbgrader-style).

    python -m mbrl_helpers.course.exercises           # write exercises/NN_name.ipynb from solutions/
    python -m mbrl_helpers.course.exercises --check   # exit 1 if exercises/ is stale (CI, pre-commit)

In `solutions/*.ipynb`, solution code sits between `### BEGIN SOLUTION` and `### END SOLUTION`
lines inside a function body. The exercise gets, at the same indentation,
`raise NotImplementedError("Exercise N.M: <title>")`, where "Exercise N.M: <title>" is the
nearest `Exercise N.M` heading above it. A Markdown cell's solution region (a written answer)
becomes an answer prompt. All outputs are cleared and a header cell says the file is generated.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
ANSWER_PROMPT = "*Your answer here: double-click this cell and write it.*"
HEADER_TAG = "generated-header"
# Notebook metadata as stored in the repository (executing a notebook rewrites it; the
# generator writes it, so the exercises do not depend on whether a solution was executed).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
METADATA = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}

_HEADING = re.compile(r"^#+\s*(Exercise\s+(\d+\.\d+)\b.*)$", re.MULTILINE)


class SolutionMarkupError(ValueError):
    """A solution notebook's markers are malformed (unclosed, nested, or misplaced)."""


def _regions(lines: list[str], where: str) -> list[tuple[int, int]]:
    """(begin, end) line indices of each solution region; raise on malformed markers."""
    regions, begin = [], None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped == BEGIN:
            if begin is not None:
                raise SolutionMarkupError(f"{where}: nested {BEGIN!r} at line {i + 1}")
            begin = i
        elif stripped == END:
            if begin is None:
                raise SolutionMarkupError(f"{where}: {END!r} without {BEGIN!r} at line {i + 1}")
            regions.append((begin, i))
            begin = None
    if begin is not None:
        raise SolutionMarkupError(f"{where}: {BEGIN!r} at line {begin + 1} is never closed")
    return regions


def strip_code(source: str, title: str, where: str) -> str:
    """Replace each solution region of a code cell with `raise NotImplementedError(title)`."""
    lines = source.split("\n")
    out, last = [], 0
    for begin, end in _regions(lines, where):
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out.extend(lines[last:begin])
        # double quotes, as `ruff format` writes them, unless that would need escapes
        quoted = (
            repr(title)
            if '"' in title and "'" not in title
            else json.dumps(title, ensure_ascii=False)
        )
        line = f"{indent}raise NotImplementedError({quoted})"
        if len(line) <= 100:  # the project's line length
            out.append(line)
        else:  # wrapped the way `ruff format` wraps it
            out += [f"{indent}raise NotImplementedError(", f"{indent}    {quoted}", f"{indent})"]
        last = end + 1
    out.extend(lines[last:])
    return "\n".join(out)


def strip_markdown(source: str, where: str) -> str:
    """Replace each solution region of a Markdown cell with an answer prompt."""
    lines = source.split("\n")
    out, last = [], 0
    for begin, end in _regions(lines, where):
        out.extend(lines[last:begin])
        out.append(ANSWER_PROMPT)
        last = end + 1
    out.extend(lines[last:])
    return "\n".join(out)


def header_cell(solution_name: str) -> nbformat.NotebookNode:
    text = (
        f"> **Exercise notebook**, generated from `solutions/{solution_name}` by "
        "`python -m mbrl_helpers.course.exercises`; do not edit the generated file in the repository "
        "(edit the solution instead). Students: work here, replace each "
        "`raise NotImplementedError(...)` with your code, and run the check cell below it. "
        f"`python -m mbrl_helpers.grade exercises/{solution_name}` grades the whole notebook."
    )
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [HEADER_TAG]
    return cell


def make_exercise(solution: nbformat.NotebookNode, solution_name: str) -> nbformat.NotebookNode:
    """The exercise notebook for one solution notebook (the input is not modified)."""
    exercise = nbformat.v4.new_notebook(metadata=copy.deepcopy(METADATA))
    exercise.cells.append(header_cell(solution_name))
    title = None
    for index, cell in enumerate(solution.cells):
        where = f"solutions/{solution_name}, cell {index}"
        if cell.cell_type == "markdown":
            headings = _HEADING.findall(cell.source)
            if headings:
                title = headings[-1][0].strip().rstrip(".")
            new = nbformat.v4.new_markdown_cell(strip_markdown(cell.source, where))
        elif cell.cell_type == "code":
            source = cell.source
            if BEGIN in source or END in source:
                if title is None:
                    raise SolutionMarkupError(
                        f"{where}: a solution region with no '### Exercise N.M: ...' heading "
                        "above it"
                    )
                source = strip_code(source, title, where)
            new = nbformat.v4.new_code_cell(source)
        else:
            new = nbformat.v4.new_raw_cell(cell.source)
        if cell.metadata.get("tags"):
            new.metadata["tags"] = list(cell.metadata["tags"])
        exercise.cells.append(new)
    for cell in exercise.cells:
        cell.pop("id", None)
    exercise.nbformat, exercise.nbformat_minor = 4, 5
    _assign_ids(exercise)
    return exercise


def _assign_ids(nb: nbformat.NotebookNode) -> None:
    """Deterministic cell ids, so regenerating gives no diff."""
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"


def render(nb: nbformat.NotebookNode) -> str:
    """The notebook as stored in the repository (nbformat JSON, one trailing newline)."""
    return nbformat.writes(nb) + "\n"


def generate(root: Path) -> dict[Path, str]:
    """{exercise path: its text} for every notebook in `root/solutions`."""
    solutions = sorted((root / "solutions").glob("*.ipynb"))
    out = {}
    for path in solutions:
        solution = nbformat.read(path, as_version=4)
        out[root / "exercises" / path.name] = render(make_exercise(solution, path.name))
    return out


def stale(root: Path) -> list[str]:
    """What in `root/exercises` differs from what the generator writes (empty: up to date)."""
    expected = generate(root)
    problems = []
    for path, text in expected.items():
        if not path.exists():
            problems.append(f"{path.relative_to(root)} is missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path.relative_to(root)} is out of date")
    for path in sorted((root / "exercises").glob("*.ipynb")):
        if path not in expected:
            problems.append(f"{path.relative_to(root)} has no solution notebook")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale exercises")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the course's top folder")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / "solutions").is_dir():
        print(f"error: no solutions/ folder under {root}", file=sys.stderr)
        return 2
    if args.check:
        problems = stale(root)
        for problem in problems:
            print(problem)
        if problems:
            print("run `python -m mbrl_helpers.course.exercises` to regenerate exercises/")
            return 1
        print("exercises/ is up to date")
        return 0
    (root / "exercises").mkdir(exist_ok=True)
    for path, text in generate(root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
