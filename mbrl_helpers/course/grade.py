"""Grade exercise notebooks from the terminal: a line per exercise as it finishes, and a summary.

    python -m mbrl_helpers.grade exercises/01_dyna.ipynb           # one notebook
    python -m mbrl_helpers.grade exercises/                        # every notebook of a folder
    python -m mbrl_helpers.grade submissions/ --csv grades.csv     # a class, as a table
    python -m mbrl_helpers.grade exercises/01_dyna.ipynb --timeout 60

Each notebook runs headlessly from a copy in memory (files are never modified), in its own
folder, in a fresh Python kernel, every cell run even after an error. Each check prints one line
(`passed`, `failed: ...`, `not implemented yet`); an exercise whose check never ran is reported
with the first error of the notebook. A cell may run for at most `--timeout` seconds (default
30; the setup cell, the first code cell, at least 120, for first imports): a check cell over the
limit is reported as "timed out" (an endless loop?), the kernel is interrupted, or restarted with
the earlier cells run again, and the other exercises are still graded. Written-answer exercises are listed, to compare with the solution notebook.

A folder is searched for `*.ipynb` files (subfolders too; hidden folders and the generator's
backups `*.backup-*.ipynb` are skipped). `--csv PATH` writes one row per notebook and one
column per exercise (passed / failed / not implemented / timed out / did not run), then
`total` (exercises passed) and `out_of` (exercises checked); a file that cannot be graded gets a
row with the reason in `note`, and the others are still graded.

Exit status: 0 when every exercise of every notebook passed; 1 when some exercise did not pass;
2 when some file could not be graded (missing, not a course notebook, unreadable) or the
command line is wrong; 130 when stopped with Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import logging
import os
import queue
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mbrl_helpers.course import checks

if TYPE_CHECKING:
    import nbformat  # imported where used: it takes a second, and Ctrl-C must find main() running

STOPPED = "\nStopped (Ctrl-C). No file was changed."

TIMEOUT = 30.0  # seconds per cell, by default
SETUP_TIMEOUT = 120.0  # the first code cell's imports (matplotlib's first one builds a font cache)
STARTUP_TIMEOUT = 120.0  # seconds for a kernel to start on a busy machine
INTERRUPT_GRACE = 5.0  # seconds an interrupted cell gets to stop before the kernel is restarted
_TITLE = re.compile(r"^#\s*Lecture\s+(\d+)\b", re.MULTILINE)
_NAME = re.compile(r"^(\d\d)_")
_COURSE_NAME = re.compile(r"^\d\d_[a-z0-9_]+\.ipynb$")  # as in exercises/
_HEADING = re.compile(r"^#+\s*Exercise\s+(\d+\.\d+)\b", re.MULTILINE)
_LINE = re.compile(r"^Exercise (\d+\.\d+) \((.*?)\): (passed|failed|not implemented yet)(.*)$")
_CHECK_CALL = re.compile(r"checks\.check\(\s*[\"'](\d+\.\d+)[\"']")

PASSED, FAILED, NOT_IMPLEMENTED = "passed", "failed", "not implemented yet"
TIMED_OUT, DID_NOT_RUN = "timed out", "did not run"
STATUSES = (PASSED, FAILED, NOT_IMPLEMENTED, TIMED_OUT, DID_NOT_RUN)
CSV_STATUS = {NOT_IMPLEMENTED: "not implemented"}  # the others are written as they are


class GradeError(Exception):
    """The file cannot be graded; the message says why and what is expected."""


@dataclasses.dataclass
class Outcome:
    exercise_id: str
    status: str  # one of STATUSES
    detail: str = ""
    reported: bool = False  # its line was already shown as progress

    @property
    def line(self) -> str:
        return f"Exercise {self.exercise_id}: {self.status}" + (
            f": {self.detail}" if self.detail else ""
        )


def load(path: Path) -> tuple[nbformat.NotebookNode, int]:
    """Read the notebook and find its lecture number; raise GradeError if it cannot be graded."""
    if not path.exists():
        raise GradeError(
            f"{path}: no such file (give the path of an exercise notebook, e.g. exercises/01_dyna.ipynb)"
        )
    if path.is_dir() or path.suffix != ".ipynb":
        raise GradeError(f"{path}: not a notebook (expected a .ipynb file from exercises/)")
    advice = "if it holds your work, keep a copy and repair it in JupyterLab"
    if _COURSE_NAME.match(path.name):
        advice += (
            f", or start again with `python -m mbrl_helpers.course.exercises --force exercises/{path.name}`"
            " (which keeps your file as a backup)"
        )
    unreadable = f"{path}: not a readable Jupyter notebook ({{}}); {advice}"
    import nbformat

    try:
        if path.stat().st_size == 0:
            raise GradeError(unreadable.format("the file is empty"))
        nb = nbformat.read(path, as_version=4)
    except OSError as error:
        raise GradeError(f"{path}: cannot be read ({error.strerror or error})") from None
    except (ValueError, KeyError, TypeError, AttributeError, nbformat.ValidationError) as error:
        name = type(error).__name__
        raise GradeError(unreadable.format("not JSON" if "JSON" in name else name)) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list) or not all(
        isinstance(c, dict) and "cell_type" in c and "source" in c for c in cells
    ):  # valid JSON that is not a notebook: {}, [], {"cells": 5}, ...
        raise GradeError(unreadable.format("no list of cells"))
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
        exercise = solution_name(lecture).replace("solutions/", "exercises/")
        raise GradeError(
            f"{path}: lecture {lecture:02d}'s lecture notebook has no exercise checks; grade "
            f"{exercise} instead"
        )
    return nb, lecture


# --- Running a notebook, cell by cell -------------------------------------------------------


@dataclasses.dataclass
class CellRun:
    """What one cell did: `status` is "ok", "error", "timeout" or "died"."""

    status: str
    stdout: str = ""
    error: tuple[str, str] | None = None  # (ename, evalue)
    needs_restart: bool = False  # the kernel did not stop, or died


def _quiet_logger() -> logging.Logger:
    log = logging.getLogger("mbrl_helpers.grade.kernel")
    log.addHandler(logging.NullHandler())
    log.propagate = False
    return log


class Kernel:
    """A Python kernel of this environment, run from `folder`, quiet on the terminal (its own
    stderr, with jupyter's warnings, goes to a temporary file, shown only if it fails to start)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.km = None
        self.kc = None
        self._stderr = tempfile.TemporaryFile(mode="w+")  # closed in close()

    def start(self) -> None:
        import ipykernel.kernelspec
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import KernelManager

        env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYDEVD_DISABLE_FILE_VALIDATION="1")
        km = KernelManager(log=_quiet_logger())
        km._kernel_spec = KernelSpec(  # this interpreter, whatever kernels are installed
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )
        self.km = km
        km.start_kernel(cwd=str(self.folder), env=env, stdout=self._stderr, stderr=self._stderr)
        self.kc = km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        except RuntimeError as error:
            self._stderr.seek(0)
            tail = self._stderr.read()[-500:].strip()
            raise GradeError(
                f"could not start a Python kernel ({error}){': ' + tail if tail else ''}"
            ) from None

    def run(self, source: str, timeout: float) -> CellRun:
        """Run one cell; stop it after `timeout` seconds (interrupt, then ask for a restart)."""
        msg_id = self.kc.execute(source, store_history=True, allow_stdin=False, stop_on_error=False)
        stdout, error = [], None
        deadline = time.monotonic() + timeout
        interrupted = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if interrupted:  # it did not stop: the caller restarts the kernel
                    return CellRun("timeout", "".join(stdout), error, needs_restart=True)
                self.km.interrupt_kernel()
                interrupted = True
                deadline = time.monotonic() + min(INTERRUPT_GRACE, timeout)
                continue
            try:
                msg = self.kc.get_iopub_msg(timeout=min(left, 0.5))
            except queue.Empty:
                if not self.km.is_alive():
                    return CellRun("died", "".join(stdout), error, needs_restart=True)
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                error = (content.get("ename", "Error"), content.get("evalue", ""))
            elif kind == "status" and content.get("execution_state") == "idle":
                if interrupted:
                    return CellRun("timeout", "".join(stdout), error)
                return CellRun("error" if error else "ok", "".join(stdout), error)

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            if self.kc is not None:
                self.kc.stop_channels()
        with contextlib.suppress(Exception):
            if self.km is not None:
                self.km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            if self.km is not None:
                self.km.cleanup_resources()
        self.km = self.kc = None

    def close(self) -> None:
        self.shutdown()
        self._stderr.close()


def cell_name(nb: nbformat.NotebookNode, index: int) -> str:
    """The cell as JupyterLab's status bar counts it (from 1), with its first line."""
    first = next((line.strip() for line in nb.cells[index].source.split("\n") if line.strip()), "")
    if len(first) > 40:
        first = first[:37] + "..."
    return f"cell {index + 1} of {len(nb.cells)} (`{first}`)"


def check_ids(source: str) -> list[str]:
    """The exercises a code cell checks (`checks.check("1.2", ...)`)."""
    return _CHECK_CALL.findall(source)


def parse_lines(text: str) -> list[Outcome]:
    """The outcomes printed by checks in a cell's output (with the hint line after a failure)."""
    found = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = _LINE.match(line)
        if not match:
            continue
        exercise_id, _title, status, rest = match.groups()
        detail = rest.removeprefix(": ")
        if i + 1 < len(lines) and lines[i + 1].strip().startswith("Hint:"):
            detail += " " + lines[i + 1].strip()
        found.append(Outcome(exercise_id, status, detail))
    return found


def grade_notebook(
    nb: nbformat.NotebookNode,
    lecture: int,
    folder: Path,
    timeout: float = TIMEOUT,
    progress: Callable[[str], None] = print,
) -> list[Outcome]:
    """Run the notebook cell by cell and return one outcome per exercise of the lecture.

    Calls `progress` with each exercise's line as soon as its check has run, and with a line for
    any other cell that had to be stopped. After a restart, the earlier cells that finished run
    again (outputs ignored) so later cells find their functions and imports; check cells are run
    again only for exercises that passed, so `checks.passed(...)` stays true for them.
    """
    found: dict[str, Outcome] = {}
    first_problem = None
    done: list[int] = []  # code cells that finished, to run again after a restart
    first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), None)

    def limit(index: int) -> float:  # the setup cell (imports) gets more time
        return max(timeout, SETUP_TIMEOUT) if index == first_code else timeout

    k = Kernel(folder)
    try:
        k.start()
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            result = k.run(cell.source, limit(index))
            for outcome in parse_lines(result.stdout):
                if outcome.exercise_id not in found:
                    found[outcome.exercise_id] = outcome
                    progress(outcome.line)
                    outcome.reported = True
            ids = [e for e in check_ids(cell.source) if e not in found]
            if result.status in ("timeout", "died"):
                if result.status == "timeout":
                    why = f"took longer than {limit(index):g} s: an endless loop?"
                    status = TIMED_OUT
                else:
                    why = "the Python kernel stopped (crashed or exited) while running it"
                    status = DID_NOT_RUN
                for exercise_id in ids:
                    found[exercise_id] = Outcome(exercise_id, status, why, reported=True)
                    progress(found[exercise_id].line)
                if not ids:
                    where = cell_name(nb, index)
                    progress(f"{where[0].upper()}{where[1:]}: {why} (stopped; grading goes on)")
                    first_problem = first_problem or f"{where} {why}"
            elif result.error and first_problem is None:
                name, value = result.error
                first_problem = f"{cell_name(nb, index)} raised {name}: {value}"
            if result.status != "timeout" and not result.needs_restart:
                done.append(index)
            if result.needs_restart:
                k.shutdown()
                k.start()
                for earlier in done:
                    source = nb.cells[earlier].source
                    if all(
                        found.get(e, Outcome(e, "")).status == PASSED for e in check_ids(source)
                    ):
                        if k.run(source, limit(earlier)).needs_restart:  # give up on the rest
                            k.shutdown()
                            k.start()
                            break
    finally:
        k.close()
    results = []
    for exercise_id in checks.registered(lecture):
        if exercise_id in found:
            results.append(found[exercise_id])
        else:
            why = first_problem or "its check cell is missing from the notebook"
            results.append(Outcome(exercise_id, DID_NOT_RUN, why))
    return results


# --- Reports --------------------------------------------------------------------------------


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


def summary(results: list[Outcome], written: list[str] = ()) -> str:
    counts = {s: sum(o.status == s for o in results) for s in STATUSES}
    text = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    n = len(results)
    line = f"{n} checked exercise{'' if n == 1 else 's'}: {text}"
    if written:
        line += f"; {len(written)} written answer{'' if len(written) == 1 else 's'}"
    return line


def report(results: list[Outcome], written: list[str] = (), solutions: str = "") -> str:
    """Every exercise's line, the written answers, and the summary line."""
    lines = [o.line for o in results]
    for exercise_id in written:
        lines.append(
            f"Exercise {exercise_id}: a written answer, not graded; compare yours with "
            f"{solutions or 'the solutions'}"
        )
    lines.append(summary(results, written))
    return "\n".join(lines)


def notebooks(paths: list[Path]) -> list[Path]:
    """The files to grade: each path, or every notebook in a folder (sorted, recursively)."""
    found = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        inside = sorted(
            p
            for p in path.rglob("*.ipynb")
            if not any(part.startswith(".") for part in p.relative_to(path).parts)
            and ".backup-" not in p.name
        )
        found.extend(inside or [path])  # an empty folder is reported as not a notebook
    return list(dict.fromkeys(found))


@dataclasses.dataclass
class Row:
    """One notebook's grades (or why it could not be graded)."""

    path: Path
    lecture: int | None = None
    results: list[Outcome] = dataclasses.field(default_factory=list)
    written: list[str] = dataclasses.field(default_factory=list)
    error: str = ""


class Table:
    """The CSV file, written row by row (an interrupted batch keeps the rows already graded)."""

    def __init__(self, path: Path, exercise_ids: list[str]):
        self.ids = exercise_ids
        self.file = path.open("w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.file)
        self.writer.writerow(["notebook", "lecture", *exercise_ids, "total", "out_of", "note"])
        self.file.flush()

    def add(self, row: Row) -> None:
        by_id = {o.exercise_id: CSV_STATUS.get(o.status, o.status) for o in row.results}
        if row.error:
            counts, note = ["", ""], row.error
        else:
            passed = sum(o.status == PASSED for o in row.results)
            counts = [passed, len(row.results)]
            note = f"written answers to read: {', '.join(row.written)}" if row.written else ""
        lecture = "" if row.lecture is None else f"{row.lecture:02d}"
        cells = [by_id.get(e, "") for e in self.ids]
        self.writer.writerow([str(row.path), lecture, *cells, *counts, note])
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def _exercise_columns(lectures: list[int]) -> list[str]:
    return [e for lecture in sorted(set(lectures)) for e in checks.registered(lecture)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mbrl_helpers.grade",
        description=__doc__.split("\n\n")[0],
        epilog="Exit status: 0 all passed, 1 some exercise not passed, 2 some file could not "
        "be graded, 130 stopped with Ctrl-C.",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="NOTEBOOK_OR_FOLDER",
        help="exercise notebooks (e.g. exercises/01_dyna.ipynb), or folders of them",
    )
    parser.add_argument(
        "--timeout",
        type=_positive,
        default=TIMEOUT,
        metavar="SECONDS",
        help=f"the longest a cell may run (default {TIMEOUT:g})",
    )
    parser.add_argument(
        "--csv", type=Path, metavar="PATH", help="also write the grades as a table, one row each"
    )
    args = parser.parse_args(argv)
    if args.csv is not None and (args.csv.is_dir() or not args.csv.parent.is_dir()):
        parser.error(f"--csv {args.csv}: give a file in an existing folder")
    try:
        return _grade_all(notebooks(args.paths), args.timeout, args.csv)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt this
        print(
            STOPPED + (f" The rows graded so far are in {args.csv}." if args.csv else ""),
            file=sys.stderr,
            flush=True,
        )
        return 130


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


def _grade_all(paths: list[Path], timeout: float, csv_path: Path | None) -> int:
    batch = len(paths) > 1
    loaded: dict[Path, tuple[nbformat.NotebookNode, int] | GradeError] = {}
    for path in paths:
        try:
            loaded[path] = load(path)
        except GradeError as error:
            loaded[path] = error
    lectures = [v[1] for v in loaded.values() if isinstance(v, tuple)]
    table = Table(csv_path, _exercise_columns(lectures)) if csv_path else None
    rows: list[Row] = []
    try:
        for path in paths:
            row = _grade_one(path, loaded[path], timeout, batch)
            rows.append(row)
            if table:
                table.add(row)
    finally:
        if table:
            table.close()
    if batch:
        complete = sum(not r.error and all(o.status == PASSED for o in r.results) for r in rows)
        errors = sum(bool(r.error) for r in rows)
        counts = {
            "with every exercise passed": complete,
            "with exercises left to do": len(rows) - complete - errors,
            "could not be graded": errors,
        }
        parts = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
        print(f"\n{len(rows)} notebooks: {parts}", flush=True)
    if csv_path:
        print(f"Table written to {csv_path}", flush=True)
    if any(r.error for r in rows):
        return 2
    return 0 if all(o.status == PASSED for r in rows for o in r.results) else 1


def _grade_one(path: Path, loaded, timeout: float, batch: bool) -> Row:
    indent = "  " if batch else ""
    if batch:
        print(f"\n{path}", flush=True)
    if isinstance(loaded, GradeError):
        if batch:
            print(f"{indent}error: {str(loaded).removeprefix(f'{path}: ')}", flush=True)
        else:
            print(f"error: {loaded}", file=sys.stderr, flush=True)
        return Row(path, error=_reason(loaded, path))
    nb, lecture = loaded
    if not batch:
        print(
            f"Grading {path} (lecture {lecture:02d}); running it on a copy, "
            f"at most {timeout:g} s per cell...",
            flush=True,
        )
    written = written_exercises(nb, lecture)

    def say(line: str) -> None:
        print(indent + line, flush=True)

    try:
        results = grade_notebook(nb, lecture, path.resolve().parent, timeout, progress=say)
    except GradeError as error:
        say(f"error: {error}")
        return Row(path, lecture, error=str(error))
    except Exception as error:  # noqa: BLE001 - one notebook must not stop a class's batch
        say(f"error: grading stopped on {type(error).__name__}: {error}")
        return Row(path, lecture, error=f"grading stopped on {type(error).__name__}: {error}")
    # what was not shown as it happened: exercises whose check never ran, the written answers
    unseen = [o for o in results if not o.reported]
    for line in report(unseen, written, solution_name(lecture)).split("\n")[:-1]:
        say(line)
    say(summary(results, written))
    return Row(path, lecture, results, written)


def _reason(error: GradeError, path: Path) -> str:
    """The reason for the table: without the path (it is in the first column) or the advice."""
    return str(error).removeprefix(f"{path}: ").split("; ")[0]


if __name__ == "__main__":
    sys.exit(main())
