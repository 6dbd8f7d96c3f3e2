"""The examples the READMEs show run against the real server, and say what DuckDB says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Dict, Optional

import pytest

from audiences import Audiences
from conftest import PASSWORD, Account, Source
from local_server import REPO_ROOT, LocalServer

PACKAGE = Path(__file__).resolve().parents[1]
EXAMPLES = PACKAGE / "examples"


def run_example(
    name: str,
    server: LocalServer,
    account: Optional[Account],
    cwd: Path,
    extra: Optional[Dict[str, str]] = None,
) -> str:
    env: Dict[str, str] = {**os.environ, "AUDIENCES_URL": server.url, **(extra or {})}
    if account is not None:
        env["AUDIENCES_API_KEY"] = account.api_key
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_quickstart(server: LocalServer, account: Account, source: Source, tmp_path: Path) -> None:
    out = run_example("quickstart.py", server, account, tmp_path)
    expected = source.scalar(
        f"SELECT count(*) FROM ({source.segment(['2024-05-01'], ['4eyes_103'], ['high'])})"
    )
    match = re.search(r"^(\d+) rows in (\d+) files", out, re.M)
    assert match is not None, out
    assert int(match.group(1)) == expected
    files = sorted(str(p) for p in (tmp_path / "segment").rglob("*.parquet"))
    assert len(files) == int(match.group(2))
    assert source.scalar(f"SELECT count(*) FROM read_parquet({files!r})") == expected


def test_async_quickstart(
    server: LocalServer, account: Account, source: Source, tmp_path: Path
) -> None:
    out = run_example("async_quickstart.py", server, account, tmp_path)
    segment = source.segment(
        ["2024-05-01", "2024-05-02"],
        ["4eyes_101", "4eyes_102"],
        ["medium", "high"],
        "intent_score >= 60",
    )
    rows, people = source.rows(f"SELECT count(*), count(DISTINCT person_id) FROM ({segment})")[0]
    assert f"{rows} rows, {people} people" in out
    assert f"{rows} rows downloaded" in out


def test_saved_audience(
    server: LocalServer, account: Account, source: Source, tmp_path: Path
) -> None:
    out = run_example("saved_audience.py", server, account, tmp_path)
    segment = source.segment(["2024-05-02", "2024-05-03"], ["4eyes_103"], ["high"])
    people = source.scalar(f"SELECT count(DISTINCT person_id) FROM ({segment})")
    assert f"{people} people: {people} added, 0 removed, 0 kept" in out


def test_to_arrow(server: LocalServer, account: Account, source: Source, tmp_path: Path) -> None:
    out = run_example("to_arrow.py", server, account, tmp_path)
    segment = source.segment(["2024-05-01", "2024-05-02"], ["4eyes_101"], ["high"])
    assert out.startswith(f"{source.scalar(f'SELECT count(*) FROM ({segment})')} rows;")


def test_new_key(server: LocalServer, tmp_path: Path) -> None:
    email = f"example-{uuid.uuid4().hex[:8]}@example.com"
    extra = {"AUDIENCES_EMAIL": email, "AUDIENCES_PASSWORD": PASSWORD}
    out = run_example("new_key.py", server, None, tmp_path, extra)
    key = out.strip().splitlines()[-1]
    with Audiences(url=server.url, api_key=key) as client:
        assert client.tasks.list().tasks == []


def test_every_python_block_of_the_package_readme_is_an_example_that_runs() -> None:
    readme = (PACKAGE / "README.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", readme, re.M | re.S)
    examples = {path.read_text(): path.name for path in EXAMPLES.glob("*.py")}
    assert sorted(examples.get(block, "(not an example file)") for block in blocks) == sorted(
        examples.values()
    )


def test_the_main_readme_python_section_shows_the_quickstart() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    section = re.search(r"^## Python\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    if section is None:
        pytest.skip("README.md has no Python section yet")
    assert (EXAMPLES / "quickstart.py").read_text() in section.group(1)
