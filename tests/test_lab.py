"""`make lab`: JupyterLab rooted at the course's top folder, lecture 00 first, no news pop-up, one
clear line with the address, a quiet terminal, Ctrl-C stops it; notebooks only read keep their
bytes. (tests/test_browser.py drives the same server in Chromium.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from mbrl_helpers.course import lab

ROOT = Path(__file__).resolve().parents[1]


def test_make_lab_runs_the_launcher_after_the_setup():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lab: setup\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "python -m mbrl_helpers.course.lab" in recipe.group(1)


def test_the_server_is_rooted_at_the_course_and_opens_lecture_00(tmp_path):
    args = lab.command(tmp_path, 8899, open_browser=False)
    assert f"--ServerApp.root_dir={tmp_path}" in args
    assert args[-1] == "notebooks/00_why_model_based_rl.ipynb" == lab.FIRST
    assert (ROOT / lab.FIRST).is_file()
    assert "--ServerApp.open_browser=False" in args and "--ServerApp.port=8899" in args
    assert "--ContentsManager.pre_save_hook=mbrl_helpers.course.lab.save_as_stored" in args


def test_the_course_configuration_disables_the_news_and_leaves_the_users_alone():
    page = json.loads((lab.CONFIG / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == {"@jupyterlab/apputils-extension:announcements": True}
    env = lab.environment({"JUPYTER_CONFIG_PATH": "/mine", "MPLBACKEND": "Agg", "HOME": "/h"})
    assert env["JUPYTER_CONFIG_PATH"] == f"{lab.CONFIG}{os.pathsep}/mine", (
        "added first, not replaced"
    )
    assert "JUPYTER_CONFIG_DIR" not in env and "MPLBACKEND" not in env and env["HOME"] == "/h"


def test_a_machine_without_a_display_has_no_browser(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert lab.has_browser() is False
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(lab.webbrowser, "get", lambda: (_ for _ in ()).throw(lab.webbrowser.Error))
    assert lab.has_browser() is False, "a display, but no browser to open"


def test_notebooks_are_saved_as_the_course_stores_them(tmp_path):
    stored = {"cells": [], "metadata": {"language_info": {"name": "python"}}}
    (tmp_path / "lecture.ipynb").write_text(json.dumps(stored))
    manager = SimpleNamespace(root_dir=str(tmp_path))
    full = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python"}
    view = {lab.WIDGET_VIEW: {"model_id": "d2a2", "version_major": 2}}
    outputs = [
        {"output_type": "display_data", "data": {**view, "text/plain": "IntSlider(value=3)"}},
        {"output_type": "display_data", "data": dict(view)},
        {"output_type": "stream", "name": "stdout", "text": "1\n"},
    ]
    model = {
        "type": "notebook",
        "content": {
            "cells": [{"cell_type": "code", "outputs": outputs}],
            "metadata": {"language_info": full},
        },
    }
    lab.save_as_stored(model, "/lecture.ipynb", manager)
    assert model["content"]["metadata"]["language_info"] == {"name": "python"}
    assert model["content"]["cells"][0]["outputs"] == [
        {"output_type": "display_data", "data": {"text/plain": "IntSlider(value=3)"}},
        {"output_type": "stream", "name": "stdout", "text": "1\n"},
    ]
    new = {"type": "notebook", "content": {"metadata": {"language_info": full}}}
    lab.save_as_stored(new, "new.ipynb", manager)  # no file yet: left as it is
    assert new["content"]["metadata"]["language_info"] == full
    text = {"type": "file", "content": "hello"}
    lab.save_as_stored(text, "notes.txt", manager)
    assert text == {"type": "file", "content": "hello"}


def test_headless_make_lab_prints_one_line_and_stops_on_ctrl_c(tmp_path):
    """As on a server or in a container: no display, so one line with the address to open."""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / lab.FIRST, tmp_path / lab.FIRST)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
    )
    port = lab.free_port(start=20_000 + os.getpid() % 12_000)  # below the ephemeral ports
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mbrl_helpers.course.lab",
            "--root",
            str(tmp_path),
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    try:
        line = process.stdout.readline()  # printed once the server answers
        url = re.fullmatch(
            r"Open this address in your browser: (http://localhost:\d+/lab/tree/"
            r"notebooks/00_why_model_based_rl\.ipynb\?token=[0-9a-f]{48}) "
            r"\(Ctrl-C here stops JupyterLab\)\n",
            line,
        )
        assert url, line
        with urllib.request.urlopen(url.group(1), timeout=30) as page:
            assert page.status == 200 and b"jupyter-config-data" in page.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert out == "", "one line in all"
    assert err.strip() == "JupyterLab stopped.", err
    assert (tmp_path / lab.FIRST).read_bytes() == (ROOT / lab.FIRST).read_bytes()


def test_the_launcher_refuses_a_folder_that_is_not_the_course(tmp_path, capsys):
    assert lab.main(["--root", str(tmp_path)]) == 2
    assert "is not the course's top folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "noise",
    [
        "[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication",
        "[W 2026-01-01 10:00:00.000 ServerApp] Notebook notebooks/01_dyna.ipynb is not trusted",
        "[C 2026-01-01 10:00:00.000 ServerApp] received signal 15, stopping",
    ],
)
def test_the_terminal_is_spared_the_servers_noise(noise):
    assert lab.NOISE.search(noise)
    assert not lab.NOISE.search("[E 2026-01-01 10:00:00.000 ServerApp] Uncaught exception GET /api")
