"""Every relative link in every notebook leads to a file, and each notebook links its neighbours:
previous/next lecture, and the lecture, exercise and solution notebooks of the same topic.
Exercise notebooks are read as generated (the files in exercises/ hold students' answers)."""

import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

from mbrl_helpers.course import exercises

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|href=\"([^\"]+)\"")
FOLDERS = ("notebooks", "exercises", "solutions")
GENERATED = exercises.generate(ROOT)
NOTEBOOKS = [
    p
    for folder in FOLDERS
    for p in (
        sorted(GENERATED) if folder == "exercises" else sorted((ROOT / folder).glob("*.ipynb"))
    )
]
LECTURES = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def links(path):
    if path in GENERATED:
        nb = nbformat.reads(GENERATED[path], as_version=4)
    else:
        nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for match in LINK.finditer(cell.source):
                yield match.group(1) or match.group(2)


def relative(target):
    return not re.match(r"^[a-z]+:", target) and not target.startswith("#")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_relative_links_resolve(path):
    for target in filter(relative, links(path)):
        file = unquote(target.split("#")[0])
        assert (path.parent / file).resolve().exists(), f"{path.name}: dead link {target!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_navigation_links(path):
    targets = {
        (path.parent / unquote(t.split("#")[0])).resolve() for t in links(path) if relative(t)
    }
    name, folder = path.name, path.parent.name
    wanted = {ROOT / other / name for other in FOLDERS if other != folder}
    index = LECTURES.index(name)  # previous and next in the same folder, in all three folders
    if index > 0:
        wanted.add(ROOT / folder / LECTURES[index - 1])
    if index + 1 < len(LECTURES):
        wanted.add(ROOT / folder / LECTURES[index + 1])
    missing = sorted(str(p.relative_to(ROOT)) for p in wanted - targets)
    assert not missing, f"{folder}/{name} does not link to {missing}"
