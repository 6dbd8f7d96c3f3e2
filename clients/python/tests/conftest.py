"""One real server for the whole session (the repository's `audiences start` on a free port, a
fresh data folder, a small demo intent tree), one account with an API key, and DuckDB over the
demo tree's Parquet files for the independent counts the tests compare with.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, List, Sequence

import duckdb
import pytest

from audiences import Audiences

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from local_server import LocalServer  # noqa: E402
from proxy import Proxy  # noqa: E402

PASSWORD = "violet-Tangerine-Harbor-42"
DAYS = ["2024-05-01", "2024-05-02", "2024-05-03"]
PREFIXES = ["4eyes_101", "4eyes_102", "4eyes_103", "4eyes_104"]


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    # Webhooks may reach a receiver on 127.0.0.1 over http (tests only).
    env = {"WEBHOOK_ALLOW_HTTP": "1", "WEBHOOK_ALLOW_PRIVATE": "1", "LOG_LEVEL": "info"}
    with LocalServer(demo_rows=60_000, days=len(DAYS), prefixes=len(PREFIXES), env=env) as running:
        yield running


@dataclass(frozen=True)
class Account:
    email: str
    token: str
    api_key: str


def new_account(url: str) -> Account:
    """Registers a user (and organisation), logs in and creates an API key, through the client."""
    email = f"py-{uuid.uuid4().hex[:10]}@example.com"
    with Audiences(url=url) as client:
        client.accounts.register(
            email=email,
            password=PASSWORD,
            first_name="Ada",
            last_name="Lovelace",
            organization_name=f"Acme {email}",
        )
        login = client.accounts.login(email=email, password=PASSWORD)
        key = client.keys.create(name="pytest")
    return Account(email=email, token=login.token, api_key=key.api_key)


@pytest.fixture(scope="session")
def account(server: LocalServer) -> Account:
    return new_account(server.url)


@pytest.fixture
def client(server: LocalServer, account: Account) -> Iterator[Audiences]:
    with Audiences(url=server.url, api_key=account.api_key) as opened:
        yield opened


class Source:
    """DuckDB over the demo tree the server reads: the independent side of every count."""

    def __init__(self, root: Path) -> None:
        self.db = duckdb.connect()
        glob = str(root / "**" / "*.parquet")
        self.db.execute(
            "CREATE VIEW intent AS SELECT *, CAST(day AS VARCHAR) AS day_text "
            f"FROM read_parquet('{glob}', hive_partitioning = true)"
        )

    def segment(
        self,
        days: Sequence[str],
        prefixes: Sequence[str],
        scores: Sequence[str],
        where: str = "true",
    ) -> str:
        """The SQL of a segment's rows, as an intent task selects them."""
        return (
            f"SELECT * FROM intent WHERE day_text IN {tuple_sql(days)} "
            f"AND prefix IN {tuple_sql(prefixes)} AND score IN {tuple_sql(scores)} AND ({where})"
        )

    def scalar(self, sql: str) -> Any:
        row = self.db.execute(sql).fetchone()
        assert row is not None
        return row[0]

    def rows(self, sql: str) -> List[Any]:
        return list(self.db.execute(sql).fetchall())


def tuple_sql(values: Sequence[str]) -> str:
    return "(" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + ")"


@pytest.fixture(scope="session")
def source(server: LocalServer) -> Source:
    return Source(server.intent_dir)


@pytest.fixture
def proxy(server: LocalServer) -> Iterator[Proxy]:
    """A real HTTP proxy in front of the session's server (tests/proxy.py)."""
    with Proxy(server.url) as running:
        yield running
