"""The course's licences: MIT for code, CC BY 4.0 for text and figures, declared consistently in
the licence files, pyproject.toml, CITATION.cff and the README."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_licence_files_hold_the_two_licences():
    code = (ROOT / "LICENSE").read_text()
    assert code.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in code
    assert re.search(r"Copyright \(c\) \d{4} ", code)
    content = (ROOT / "LICENSE-CONTENT").read_text()
    assert content.startswith("Creative Commons Attribution 4.0 International (CC BY 4.0)")
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in content
    assert "MIT License" in content and "LICENSE" in content, "it says where the code licence is"


def test_pyproject_declares_both_licences_as_spdx_and_ships_the_files():
    project = _pyproject()
    assert project["license"] == "MIT AND CC-BY-4.0"
    assert sorted(project["license-files"]) == ["LICENSE", "LICENSE-CONTENT"]
    for name in project["license-files"]:
        assert (ROOT / name).is_file(), f"{name} is listed in pyproject.toml but missing"


def test_citation_cff_agrees_with_pyproject():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == _pyproject()["version"]
    spdx = set(_pyproject()["license"].split(" AND "))
    assert set(cff["license"]) == spdx
    assert cff["title"] and cff["authors"] and cff["message"]


def test_readme_has_one_licence_section_naming_both():
    readme = (ROOT / "README.md").read_text()
    sections = re.findall(r"^## Licen[cs]e\n(.*?)(?=^## )", readme, re.M | re.S)
    assert len(sections) == 1, "the README has one 'Licence' section"
    text = sections[0]
    assert "[MIT licence](LICENSE)" in text
    assert "CC BY" in text and "4.0" in text and "(LICENSE-CONTENT)" in text
    assert "code cells" in text, "it says the notebooks' code is code"
    assert "CITATION.cff" in text, "it says how to cite"
    assert re.search(r"(?i)based on mbrl-course", text), "it suggests an attribution line"
