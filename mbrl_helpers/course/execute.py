"""Re-execute lecture and solution notebooks in place and normalise them, so outputs are stored
reproducibly (running it twice gives no diff).

    python -m mbrl_helpers.course.execute                        # every notebooks/ and solutions/ notebook
    python -m mbrl_helpers.course.execute notebooks/01_dyna.ipynb
    python -m mbrl_helpers.course.execute --normalise-only PATHS # only tidy metadata
    python -m mbrl_helpers.course.execute --refresh-varying ...  # also re-store timing cells

Normalising keeps what nbval compares (outputs, execution counts) and drops what changes from
run to run without meaning: execution timings, widget state and widget-view ids (stored widget
outputs keep their text form), the Python version, and random cell ids. Cells marked
`# NBVAL_IGNORE_OUTPUT` (wall-clock timings) keep the outputs already stored, unless
`--refresh-varying` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat

from mbrl_helpers.course.exercises import KERNELSPEC, render

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELL_TIMEOUT = 300  # seconds; nbclient has no default timeout and can hang without one
VARYING_MARKER = "# NBVAL_IGNORE_OUTPUT"


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop run-dependent metadata in place and return the notebook."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            data = output.get("data")
            if data is not None:
                data.pop(WIDGET_VIEW, None)
                if not data:
                    continue
            previous = outputs[-1] if outputs else None
            if (
                output.output_type == "stream"
                and previous is not None
                and previous.output_type == "stream"
                and previous.name == output.name
            ):  # how a print is split into stream messages depends on timing: join them
                previous.text += output.text
                continue
            outputs.append(output)
        cell.outputs = outputs
    return nb


def varies(cell) -> bool:
    """A cell whose output legitimately varies between runs (timings, progress bars, widgets)."""
    first = cell.source.lstrip().split("\n", 1)[0].strip()
    return cell.cell_type == "code" and first == VARYING_MARKER


def keep_varying_outputs(old: nbformat.NotebookNode, new: nbformat.NotebookNode) -> None:
    """Give each varying cell of `new` the outputs stored in `old`, where its source is unchanged.

    nbval does not compare these cells, and keeping what was stored makes re-executing a
    notebook give no diff; `--refresh-varying` stores fresh ones instead.
    """
    stored = {
        cell.source: cell
        for cell in old.cells
        if varies(cell) and cell.get("execution_count") is not None
    }
    for cell in new.cells:
        if varies(cell) and cell.source in stored:
            cell.outputs = stored[cell.source].outputs


def execute(path: Path, timeout: int = CELL_TIMEOUT, refresh_varying: bool = False) -> float:
    """Execute one notebook in its own folder, store outputs, normalise; return seconds taken.

    Cells marked `# NBVAL_IGNORE_OUTPUT` keep their stored outputs unless `refresh_varying`.
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    before = nbformat.read(path, as_version=4)
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    client = NotebookClient(
        nb,
        timeout=timeout,
        startup_timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    if not refresh_varying:
        keep_varying_outputs(before, nb)
    path.write_text(render(normalise(nb)), encoding="utf-8")
    return elapsed


def default_paths(root: Path) -> list[Path]:
    return sorted((root / "notebooks").glob("*.ipynb")) + sorted(
        (root / "solutions").glob("*.ipynb")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: all)")
    parser.add_argument("--normalise-only", action="store_true", help="do not execute")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell")
    parser.add_argument(
        "--refresh-varying",
        action="store_true",
        help=f"also store fresh outputs of cells marked {VARYING_MARKER} (timings)",
    )
    args = parser.parse_args(argv)
    paths = args.paths or default_paths(Path.cwd())
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            print(f"error: {path} is not a notebook file", file=sys.stderr)
            return 2
        if path.parent.name == "exercises":
            print(f"error: {path}: exercises are generated, not executed", file=sys.stderr)
            return 2
    for path in paths:
        if args.normalise_only:
            nb = nbformat.read(path, as_version=4)
            path.write_text(render(normalise(nb)), encoding="utf-8")
            print(f"normalised {path}")
        else:
            seconds = execute(path, args.timeout, args.refresh_varying)
            print(f"executed {path} in {seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
