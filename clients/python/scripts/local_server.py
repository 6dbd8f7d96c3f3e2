"""Starts the repository's own server (`node bin/audiences.js start`) on 127.0.0.1 for the model
generator and the tests: a free port, a fresh data folder, and optionally a small demo intent tree
written by the project's own `audiences demo-data` command.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Dict, Optional, Type

REPO_ROOT = Path(__file__).resolve().parents[3]
CLI = REPO_ROOT / "bin" / "audiences.js"


class ServerError(RuntimeError):
    pass


class LocalServer:
    """One `audiences start` process; a context manager that stops it and removes its data folder.

    `demo_rows`: write a demo intent tree of that many rows (`days` days from 2024-05-01, `prefixes`
    topic prefixes) into `DATA_DIR/intent` before the start, so the server has intent data without
    generating its 1.5-million-row default (which takes ~20 s on two cores).
    """

    def __init__(
        self,
        *,
        demo_rows: Optional[int] = None,
        days: int = 3,
        prefixes: int = 4,
        env: Optional[Dict[str, str]] = None,
        start_timeout: float = 120.0,
    ) -> None:
        self.demo_rows = demo_rows
        self.days = days
        self.prefixes = prefixes
        self.extra_env = dict(env or {})
        self.start_timeout = start_timeout
        self.data_dir = Path(tempfile.mkdtemp(prefix="audiences-py-"))
        self.log_path = self.data_dir / "server.log"
        self.url = ""
        self._process: Optional[subprocess.Popen[bytes]] = None

    @property
    def intent_dir(self) -> Path:
        """The intent tree the server reads (`INTENT_INPUT_PATH`'s default)."""
        return self.data_dir / "intent"

    def start(self) -> LocalServer:
        node = shutil.which("node")
        if node is None:
            raise ServerError("node is not on PATH: the tests start the real server")
        if self.demo_rows is not None:
            subprocess.run(
                [
                    node,
                    str(CLI),
                    "demo-data",
                    "--out",
                    str(self.intent_dir),
                    "--rows",
                    str(self.demo_rows),
                    "--days",
                    str(self.days),
                    "--prefixes",
                    str(self.prefixes),
                ],
                cwd=REPO_ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": "0",
            "DATA_DIR": str(self.data_dir),
            "DEMO_DATA": "0",
            "LOG_LEVEL": "info",
            **self.extra_env,
        }
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [node, str(CLI), "start"],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = self._await_listening()
        return self

    def _await_listening(self) -> str:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise ServerError(f"the server exited at start:\n{self.log()}")
            url = self._listening_url()
            if url is not None and _healthy(url):
                return url
            time.sleep(0.1)
        raise ServerError(
            f"the server did not answer /healthz in {self.start_timeout} s:\n{self.log()}"
        )

    def _listening_url(self) -> Optional[str]:
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("msg") == "audiences is listening":
                url = entry.get("url")
                if isinstance(url, str):
                    return url
        return None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def document(self) -> object:
        """The served `/openapi.json`."""
        with urllib.request.urlopen(f"{self.url}/openapi.json", timeout=30) as answer:
            return json.load(answer)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # Its own session: the signal reaches tsx's child too, and nothing else.
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LocalServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False
