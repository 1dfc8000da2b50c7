"""Generate the exercise notebooks from the solution notebooks (one source, nbgrader-style).

    python -m mbrl_helpers.course.exercises           # write exercises/NN_name.ipynb from solutions/
    python -m mbrl_helpers.course.exercises --check   # exit 1 if exercises/ is stale (make test, CI)
    python -m mbrl_helpers.course.exercises --force exercises/01_dyna.ipynb   # start one again

In `solutions/*.ipynb`, solution code sits between `### BEGIN SOLUTION` and `### END SOLUTION`
lines inside a function body. The exercise gets, at the same indentation,
`raise NotImplementedError("Exercise N.M: <title>")`, where "Exercise N.M: <title>" is the
nearest `Exercise N.M` heading above it. A Markdown cell's solution region (a written answer)
becomes an answer prompt. All outputs are cleared and a header cell says the file is generated.

Students write their answers in `exercises/`, so the generator never destroys an edited file.
Each generated notebook records in its metadata (`mbrl_course.sha256`) the digest of what was
generated; a file whose content no longer matches it has been edited, and is only rewritten
with `--force`, after a copy of it is kept next to it (`01_dyna.backup-<date>-<time>.ipynb`).
`--check` accepts a student's edited exercise (the tests use the generated notebook itself), and
fails on a missing or out-of-date one; under CI (`CI=true`) or with `--strict`, every exercise
must be exactly as generated.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime
import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
ANSWER_PROMPT = "*Your answer here: double-click this cell and write it.*"
HEADER_TAG = "generated-header"
# Notebook metadata key recording where an exercise comes from and the digest of its content.
GENERATED_KEY = "mbrl_course"
# The course's own notebook names (a copy JupyterLab makes, `01_dyna-Copy1.ipynb`, is not one).
COURSE_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")
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
        f"> **Exercise notebook**: work here. Replace each `raise NotImplementedError(...)` with "
        "your code and run the check cell below it; "
        f"`python -m mbrl_helpers.grade exercises/{solution_name}` grades the whole notebook. "
        "Your edits are safe: once you have changed this file, no command of the course "
        "overwrites it without keeping a copy first. "
        f"(Generated from `solutions/{solution_name}` by "
        "`python -m mbrl_helpers.course.exercises`: authors edit the solution, not this file.)"
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


def _digest(nb: nbformat.NotebookNode) -> str:
    """sha256 of the notebook as rendered, leaving out the digest itself."""
    nb = copy.deepcopy(nb)
    record = nb.metadata.get(GENERATED_KEY)
    if isinstance(record, dict):
        record.pop("sha256", None)
    return hashlib.sha256(render(nb).encode("utf-8")).hexdigest()


def stamp(nb: nbformat.NotebookNode, solution_name: str) -> nbformat.NotebookNode:
    """Record in the notebook's metadata where it comes from and the digest of its content."""
    nb.metadata[GENERATED_KEY] = {"generated_from": f"solutions/{solution_name}"}
    nb.metadata[GENERATED_KEY]["sha256"] = _digest(nb)
    return nb


def generate_one(root: Path, name: str) -> str:
    """The text of `exercises/<name>`, generated from `solutions/<name>`."""
    solution = nbformat.read(root / "solutions" / name, as_version=4)
    return render(stamp(make_exercise(solution, name), name))


def generate(root: Path) -> dict[Path, str]:
    """{exercise path: its text} for every notebook in `root/solutions`."""
    return {
        root / "exercises" / path.name: generate_one(root, path.name)
        for path in sorted((root / "solutions").glob("*.ipynb"))
    }


# What an exercise file on disk is, compared with what the generator writes now.
MISSING = "missing"  # not there: written
CURRENT = "current"  # exactly as generated now
STALE = "stale"  # as generated earlier, never edited: safe to rewrite
EDITED = "edited"  # changed since it was generated from the current solution: the student's
EDITED_STALE = "edited, solution changed"  # edited, and its solution has changed since
ORPHAN = "orphan"  # named like a course notebook, with no solution notebook


@dataclasses.dataclass(frozen=True)
class State:
    path: Path
    kind: str
    expected: str | None = None  # the text the generator writes (None for an orphan)


def _recorded_digest(text: str) -> tuple[str | None, nbformat.NotebookNode | None]:
    """(digest recorded in the file, the parsed notebook); (None, None) if it cannot be read."""
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable file is treated as the student's own
        return None, None
    record = nb.metadata.get(GENERATED_KEY) if isinstance(nb.get("metadata"), dict) else None
    digest = record.get("sha256") if isinstance(record, dict) else None
    return (digest if isinstance(digest, str) else None), nb


def classify(path: Path, expected: str | None) -> State:
    """Compare the exercise file at `path` with the generator's `expected` text."""
    if expected is None:
        return State(path, ORPHAN)
    if not path.exists():
        return State(path, MISSING, expected)
    text = path.read_text(encoding="utf-8", errors="replace")
    if text == expected:
        return State(path, CURRENT, expected)
    recorded, nb = _recorded_digest(text)
    if nb is not None and recorded is not None and _digest(nb) == recorded:
        return State(path, STALE, expected)  # untouched since an earlier generation
    if nb is not None and render(stamp(nb, path.name)) == expected:
        # what the generator writes now, but with an old digest or none (a merge of two
        # branches, or a file from before digests were recorded): nothing to lose
        return State(path, STALE, expected)
    # Edited (or unreadable): it may hold someone's work, so it is never rewritten without
    # --force. Without a recorded digest, which solution it came from is unknown.
    now, _ = _recorded_digest(expected)
    return State(path, EDITED if recorded in (None, now) else EDITED_STALE, expected)


def states(root: Path) -> list[State]:
    """The state of every exercise notebook, and of orphans named like course notebooks."""
    expected = generate(root)
    found = [classify(path, text) for path, text in expected.items()]
    for path in sorted((root / "exercises").glob("*.ipynb")):
        if path not in expected and COURSE_NAME.match(path.name):
            found.append(classify(path, None))
    return found


def running_in_ci() -> bool:
    """True under CI (the CI variable set to true or 1), where every exercise must be as generated."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def problems(root: Path, strict: bool = False) -> list[str]:
    """What in `root/exercises` is not as it should be (empty: fine), in plain words.

    A student's edited exercise is fine unless `strict` (the repository itself, as CI checks it,
    must hold exactly what the generator writes).
    """
    found = []
    for state in states(root):
        where = state.path.relative_to(root)
        if state.kind == MISSING:
            found.append(f"{where} is missing: run `python -m mbrl_helpers.course.exercises`")
        elif state.kind == STALE:
            found.append(
                f"{where} is out of date (it holds no edits): run `python -m mbrl_helpers.course.exercises`"
            )
        elif state.kind == EDITED_STALE:
            found.append(
                f"{where} has been edited, and solutions/{where.name} has changed since it was "
                f"generated: {FORCE_HINT.format(where=where)}"
            )
        elif state.kind == EDITED and strict:
            found.append(
                f"{where} differs from what the generator writes (edited by hand?): "
                f"{FORCE_HINT.format(where=where)}"
            )
        elif state.kind == ORPHAN:
            found.append(f"{where} has no solution notebook: remove it, or add its solution")
    return found


def backup_path(path: Path, now: datetime.datetime | None = None) -> Path:
    """A free name next to `path` for a copy of it: `01_dyna.backup-20260102-150405.ipynb`."""
    stamp_text = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.backup-{stamp_text}{path.suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.backup-{stamp_text}-{n}{path.suffix}")
        n += 1
    return candidate


def write(root: Path, force: bool = False, only: set[str] | None = None) -> int:
    """Write every exercise that is missing or out of date; never an edited one unless `force`,
    and then only after copying it to a backup. `only`: file names to limit the run to.
    Prints one line per file it writes or keeps; returns 1 if an edited file needs regenerating
    and was kept, else 0."""
    (root / "exercises").mkdir(exist_ok=True)
    status, said = 0, False
    for state in states(root):
        where = state.path.relative_to(root)
        if only is not None and state.path.name not in only:
            continue
        if state.kind in (MISSING, STALE):
            state.path.write_text(state.expected, encoding="utf-8")
            print(f"wrote {where}")
        elif state.kind in (EDITED, EDITED_STALE) and force:
            backup = backup_path(state.path)
            shutil.copy2(state.path, backup)
            state.path.write_text(state.expected, encoding="utf-8")
            print(f"wrote {where}; your edited file is kept as {backup.relative_to(root)}")
        elif state.kind == EDITED_STALE:
            print(
                f"kept {where}: it has been edited (your answers?), so it is not overwritten; "
                f"{FORCE_HINT.format(where=where)}"
            )
            status = 1
        elif state.kind == EDITED and only is not None:
            print(f"kept {where}: it holds edits; add --force to start it again from scratch")
        elif state.kind == ORPHAN:
            print(f"note: {where} has no solution notebook (left as it is)")
        else:
            continue
        said = True
    if not said:
        print("nothing to do: exercises/ is up to date")
    return status


FORCE_HINT = (
    "to regenerate it, run `python -m mbrl_helpers.course.exercises --force {where}`, which first "
    "copies your file to a backup next to it"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names",
        nargs="*",
        metavar="EXERCISE",
        help="only these exercise notebooks (e.g. exercises/01_dyna.ipynb); default: all",
    )
    parser.add_argument("--check", action="store_true", help="only report, write nothing")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="with --check: an edited exercise is a problem too (the default under CI=true)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="also regenerate edited exercises, each first copied to a backup next to it",
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the course's top folder")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / "solutions").is_dir():
        print(f"error: no solutions/ folder under {root}", file=sys.stderr)
        return 2
    only = None
    if args.names:
        only = {Path(name).name for name in args.names}
        unknown = sorted(n for n in only if not (root / "solutions" / n).is_file())
        if unknown:
            print(f"error: no solution notebook for {', '.join(unknown)}", file=sys.stderr)
            return 2
    if args.check:
        found = problems(root, strict=args.strict or running_in_ci())
        for problem in found:
            print(problem)
        if found:
            return 1
        edited = [s for s in states(root) if s.kind == EDITED]
        for state in edited:
            print(
                f"{state.path.relative_to(root)} holds your edits: kept as it is (the tests "
                "use the generated version)"
            )
        print("exercises/ is up to date")
        return 0
    return write(root, force=args.force, only=only)


if __name__ == "__main__":
    sys.exit(main())
