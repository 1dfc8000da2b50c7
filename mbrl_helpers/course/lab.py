"""Open the course in JupyterLab: what `make lab` runs.

    python -m mbrl_helpers.course.lab            # from the course's top folder

JupyterLab is rooted at the course's top folder, so the links between `notebooks/`,
`exercises/` and `solutions/` work, and opens lecture 00. Its "news" pop-up is disabled by a
configuration folder of the course (`mbrl_helpers/course/jupyter/`, added to the
`JUPYTER_CONFIG_PATH` of this server only: your own Jupyter settings are left alone). The server's
log is kept to warnings and errors, without the kernels' "running over TCP without encryption"
warning. Then it prints one line with the address: your browser opens it, or, on a machine without
a display or a browser, you open it yourself. Ctrl-C stops JupyterLab.

The server saves notebooks the way the course stores them (`save_as_stored`, a pre-save hook).
Opening a notebook makes JupyterLab fill in its `language_info` from the kernel, which marks it
changed, so autosave would rewrite every lecture a student only reads: the hook keeps the
`language_info` already in the file, so a notebook only read stays byte for byte as it was. It
also drops widget views from outputs (their ids change at every run, and once the kernel is gone
JupyterLab can show only their text form, which stays): a lecture run from top to bottom and
saved still passes `make test`.

The browser test (tests/test_browser.py) starts JupyterLab with `start()`, as this command does.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CONFIG = Path(__file__).resolve().parent / "jupyter"  # labconfig/page_config.json
FIRST = "notebooks/00_why_model_based_rl.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
STARTUP_TIMEOUT = 180.0  # seconds; JupyterLab takes a few, more on a busy machine
# Server log lines that only alarm a student: the kernel's transport warning (the server listens
# on this machine only), the trust notice of every notebook opened (stored outputs are shown
# anyway), a websocket setting JupyterLab corrects itself, and the messages of a normal shutdown.
NOISE = re.compile(
    r"running over TCP without encryption|is not trusted|websocket_ping_timeout|"
    r"received signal 15, stopping|Shutting down \d+ (extensions|kernels?)|Kernel shutdown:|"
    r"is running at:|Use Control-C to stop"
)


@dataclass
class Lab:
    """A running JupyterLab server over the course."""

    process: subprocess.Popen
    port: int
    token: str

    @property
    def base(self) -> str:
        return f"http://localhost:{self.port}/"

    def url(self, path: str = FIRST) -> str:
        """The address of `path` (relative to the course's top folder), with the token."""
        return f"{self.base}lab/tree/{path}?token={self.token}"

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: the course's Jupyter configuration first on the config path."""
    env = dict(os.environ if base is None else base)
    extra = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = str(CONFIG) + (os.pathsep + extra if extra else "")
    env["SDL_VIDEODRIVER"] = "dummy"  # pygame, for Gymnasium's rendering: no window, no warning
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # the debugger's "frozen modules" warning
    env.pop("MPLBACKEND", None)  # notebooks draw inline
    return env


def command(root: Path, port: int, open_browser: bool, first: str = FIRST) -> list[str]:
    """The command line of the server (run from `root`)."""
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.ip=localhost",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # the port was found free: the printed address is right
        f"--ServerApp.open_browser={open_browser}",
        "--ServerApp.log_level=WARN",
        "--LabApp.log_level=WARN",
        "--ContentsManager.pre_save_hook=mbrl_helpers.course.lab.save_as_stored",
    ]
    if os.name == "posix" and os.geteuid() == 0:
        args.append("--allow-root")  # containers and some VMs log in as root
    return [*args, first]


def save_as_stored(model, path, contents_manager, **kwargs) -> None:
    """The server's pre-save hook: keep the `language_info` the file already has; drop widget
    views (text forms stay)."""
    content = model.get("content")
    if model.get("type") != "notebook" or not isinstance(content, dict):
        return
    for cell in content.get("cells") or []:
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        if isinstance(outputs, list):
            for output in outputs:
                if isinstance(output, dict) and isinstance(output.get("data"), dict):
                    output["data"].pop(WIDGET_VIEW, None)
            cell["outputs"] = [
                o for o in outputs if not (isinstance(o, dict) and o.get("data") == {})
            ]
    try:
        stored = Path(contents_manager.root_dir, path.strip("/")).read_text(encoding="utf-8")
        language_info = json.loads(stored)["metadata"]["language_info"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # a new notebook, or one without it: JupyterLab's is fine
    content.setdefault("metadata", {})["language_info"] = language_info


def free_port(start: int = 8888, tries: int = 50) -> int:
    """The first port from `start` nobody listens on (JupyterLab's own habit)."""
    for port in range(start, start + tries):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {start} and {start + tries - 1}")


def _copy_filtered(source: IO[str], target: IO[str]) -> None:
    for line in source:
        if not NOISE.search(line):
            target.write(line)
            target.flush()


def start(
    root: Path,
    *,
    open_browser: bool = False,
    port: int | None = None,
    env: dict[str, str] | None = None,
    output: IO[str] | None = None,
    extra_args: tuple[str, ...] = (),
) -> Lab:
    """Start JupyterLab over the course at `root` as `make lab` does, and wait until it answers.

    `output`: where the server's log goes (default: this terminal, without the noise).
    `extra_args`: more server options (the browser test exposes the app to its scripts).
    """
    root = Path(root).resolve()
    port = port or free_port()
    token = secrets.token_hex(24)
    server_env = environment(env)
    server_env["JUPYTER_TOKEN"] = token  # not on the command line: other users could read it
    args = command(root, port, open_browser)
    process = subprocess.Popen(
        [*args[:-1], *extra_args, args[-1]],
        cwd=root,
        env=server_env,
        stdin=subprocess.DEVNULL,
        stdout=output or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C reaches this command, which stops the server cleanly
    )
    if output is None:
        threading.Thread(
            target=_copy_filtered, args=(process.stdout, sys.stderr), daemon=True
        ).start()
    lab = Lab(process, port, token)
    try:
        _wait_until_ready(lab)
    except BaseException:  # Ctrl-C while starting too: the server is in its own session
        lab.stop()
        raise
    return lab


def _wait_until_ready(lab: Lab) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if lab.process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab stopped while starting (exit status {lab.process.returncode})"
            )
        try:
            with urllib.request.urlopen(f"{lab.base}api/status?token={lab.token}", timeout=5):
                return
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            # not listening yet (a connection to a free port can even meet itself and read
            # back its own request, which http.client reports as a bad status line)
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"JupyterLab did not answer within {STARTUP_TIMEOUT:g} s"
                ) from None
            time.sleep(0.25)


def has_browser() -> bool:
    """False on a machine without a display (a server, a container, SSH) or without a browser."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd")) and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False  # webbrowser would pick a text browser, in this very terminal
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mbrl_helpers.course.lab", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the course's top folder")
    parser.add_argument("--port", type=int, help="default: the first free one from 8888")
    parser.add_argument("--no-browser", action="store_true", help="only print the address")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / FIRST).is_file():
        print(f"error: {root} is not the course's top folder (no {FIRST})", file=sys.stderr)
        return 2
    browser = not args.no_browser and has_browser()
    for hangup in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        # a closed terminal stops the server too (unless told to ignore it, as `nohup` does)
        if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:
            signal.signal(hangup, _interrupt)
    try:
        lab = start(root, open_browser=browser, port=args.port)
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if browser:
        print(f"JupyterLab is open in your browser at {lab.url()} (Ctrl-C here stops it)")
    else:
        print(f"Open this address in your browser: {lab.url()} (Ctrl-C here stops JupyterLab)")
    sys.stdout.flush()
    try:
        lab.process.wait()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        lab.stop()
        print("\nJupyterLab stopped.", file=sys.stderr)
        return 0
    print(f"JupyterLab stopped (exit status {lab.process.returncode})", file=sys.stderr)
    return lab.process.returncode or 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
