"""The checked-in models are what the generator writes from the document the server serves now,
and every route of that document is covered by a method of both clients (or said not to be).
"""

from __future__ import annotations

import difflib
import inspect
from typing import Any, Dict, Set, Tuple

import pytest

from audiences import AsyncAudiences, Audiences
from audiences._calls import NOT_COVERED, ROUTES
from generate_models import MODELS_FILE, generate
from local_server import LocalServer

# Served for people, not called by a client.
DOCUMENTATION = {"/openapi.json", "/docs"}


@pytest.fixture(scope="module")
def document(server: LocalServer) -> Dict[str, Any]:
    served = server.document()
    assert isinstance(served, dict)
    return served


def test_the_models_follow_the_served_document(document: Dict[str, Any]) -> None:
    expected = generate(document)
    current = MODELS_FILE.read_text()
    if current != expected:
        diff = "".join(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "models.py (checked in)",
                "models.py (from the served /openapi.json)",
                n=1,
            )
        )
        pytest.fail(
            "src/audiences/models.py drifted from the server's document; regenerate it with "
            f"`python clients/python/scripts/generate_models.py`:\n{diff[:6000]}"
        )


def test_every_route_is_covered(document: Dict[str, Any]) -> None:
    served: Set[Tuple[str, str]] = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
        and path not in NOT_COVERED
        and path not in DOCUMENTATION
    }
    assert set(ROUTES) - served == set(), "ROUTES names routes the server does not serve"
    assert served - set(ROUTES) == set(), "routes no method calls: cover them or say why not"


def test_both_clients_have_every_method() -> None:
    methods = sorted({name for names in ROUTES.values() for name in names})
    with Audiences(url="http://127.0.0.1:9") as sync_client:
        async_client = AsyncAudiences(url="http://127.0.0.1:9")
        for method in methods:
            sync: Any = sync_client
            asynchronous: Any = async_client
            for part in method.split("."):
                sync, asynchronous = getattr(sync, part), getattr(asynchronous, part)
            assert callable(sync), method
            coroutine = inspect.iscoroutinefunction(asynchronous)
            assert coroutine or inspect.isasyncgenfunction(asynchronous), method
            # The same parameters, so what the sync examples show works with await too.
            assert (
                inspect.signature(sync).parameters.keys()
                == inspect.signature(asynchronous).parameters.keys()
            ), method


def test_the_readme_table_lists_every_route_and_method() -> None:
    readme = (MODELS_FILE.parents[2] / "README.md").read_text()
    for (method, path), names in ROUTES.items():
        row = f"| `{method} {path}` | " + ", ".join(f"`{name}`" for name in names) + " |"
        assert row in readme, row
