"""What the scripts that store a lecture's results share: write the result, or check it.

A lecture that cannot afford an experiment over many seeds loads a JSON file of
`mbrl_helpers/data/` that a script of this folder wrote. Every such script takes `--check`:
recompute and compare with the stored file, byte for byte (the runs are seeded, so a second run
writes the same file).
"""

from __future__ import annotations

import argparse
from importlib import resources


def parser(description: str) -> argparse.ArgumentParser:
    """The command line every storing script shares (`--check`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="compare with the stored file")
    return parser


def write_or_check(data_file: str, text: str, check: bool) -> int:
    """Write `text` to `mbrl_helpers/<data_file>`, or (`check`) compare it with what is there.

    Returns the exit status: 0, or 1 when the check finds a different file.
    """
    path = resources.files("mbrl_helpers").joinpath(data_file)
    if check:
        same = path.read_text() == text
        print("same as the stored file" if same else "DIFFERENT from the stored file")
        return 0 if same else 1
    with resources.as_file(path) as file:
        file.write_text(text)
    print(f"wrote {path}")
    return 0
