"""Retries through a real proxy in front of the real server: 503 and 429 with `Retry-After`, 5xx
without it, refused connections, and the calls that must not be retried. The waits are recorded by
a fake sleep (the one fake the house rules allow: time), so the tests take no wall-clock time.
"""

from __future__ import annotations

import email.utils
import socket
import time
from pathlib import Path
from typing import List

import pytest

from audiences import Audiences, AudiencesError, RetryPolicy
from conftest import DAYS, PASSWORD, PREFIXES, Account
from proxy import Proxy


class Waits:
    def __init__(self) -> None:
        self.seconds: List[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def test_a_create_answered_503_is_retried_after_retry_after_with_the_same_key(
    proxy: Proxy, account: Account
) -> None:
    proxy.fail("POST", "/api/v1/intent_hive_tasks", times=2, headers={"retry-after": "2"})
    waits = Waits()
    with Audiences(url=proxy.url, api_key=account.api_key, sleep=waits) as client:
        accepted = client.intent_tasks.create(
            days=DAYS[:1], topic_id_prefixes=PREFIXES[:1], scores=["high"], perform_unload=False
        )
        assert client.tasks.get(accepted.task_id).task_id == accepted.task_id
    assert waits.seconds == [2.0, 2.0]
    sent = proxy.requests("POST", "/api/v1/intent_hive_tasks")
    assert [s.answered for s in sent] == [503, 503, 202]
    keys = {s.headers.get("idempotency-key") for s in sent}
    assert len(keys) == 1
    assert None not in keys


def test_a_429_with_an_http_date_waits_until_then(proxy: Proxy, account: Account) -> None:
    at = email.utils.formatdate(time.time() + 30, usegmt=True)
    proxy.fail("GET", "/api/v1/catalog/intent", times=1, status=429, headers={"retry-after": at})
    waits = Waits()
    with Audiences(url=proxy.url, api_key=account.api_key, sleep=waits) as client:
        assert client.catalog().days == DAYS
    assert len(waits.seconds) == 1
    assert 25 <= waits.seconds[0] <= 30


def test_a_5xx_without_retry_after_backs_off_with_jitter(proxy: Proxy, account: Account) -> None:
    proxy.fail("GET", "/api/v1/status", times=3, status=502)
    waits = Waits()
    policy = RetryPolicy(attempts=4, base_delay=0.5, max_delay=1.5)
    with Audiences(
        url=proxy.url, api_key=account.api_key, sleep=waits, random=lambda: 0.5, retry=policy
    ) as client:
        client.tasks.list(limit=1)
    # Full jitter: half (the fake random) of 0.5, 1.0, then 2.0 capped at 1.5.
    assert waits.seconds == [0.25, 0.5, 0.75]


def test_retries_stop_after_the_last_attempt(proxy: Proxy, account: Account) -> None:
    proxy.fail("GET", "/api/v1/status", times=10, status=503)
    waits = Waits()
    with (
        Audiences(
            url=proxy.url, api_key=account.api_key, sleep=waits, retry=RetryPolicy(attempts=3)
        ) as client,
        pytest.raises(AudiencesError) as raised,
    ):
        client.tasks.list()
    assert raised.value.status == 503
    assert raised.value.code == "unavailable"
    assert len(proxy.requests("GET", "/api/v1/status")) == 3
    assert len(waits.seconds) == 2


def test_a_refused_connection_is_a_network_error_after_backoff() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits = Waits()
    with (
        Audiences(
            url=f"http://127.0.0.1:{port}", api_key="dlvr_x", sleep=waits, random=lambda: 1.0
        ) as client,
        pytest.raises(AudiencesError) as raised,
    ):
        client.tasks.get("any")
    assert raised.value.status == 0
    assert raised.value.code == "network_error"
    assert waits.seconds == [0.25, 0.5, 1.0]


def test_register_and_login_are_never_retried(proxy: Proxy) -> None:
    proxy.fail("POST", "/auth/v1/register", times=1)
    proxy.fail("POST", "/auth/v1/login", times=1, status=429, headers={"retry-after": "1"})
    waits = Waits()
    with Audiences(url=proxy.url, sleep=waits) as client:
        with pytest.raises(AudiencesError) as registering:
            client.accounts.register(
                email="never@example.com",
                password=PASSWORD,
                first_name="N",
                last_name="R",
                organization_name="Never",
            )
        with pytest.raises(AudiencesError) as logging_in:
            client.accounts.login(email="never@example.com", password=PASSWORD)
    assert registering.value.status == 503
    assert logging_in.value.status == 429
    assert waits.seconds == []


def test_a_key_create_is_retried_on_429_but_not_on_503(proxy: Proxy, account: Account) -> None:
    waits = Waits()
    with Audiences(url=proxy.url, token=account.token, sleep=waits) as client:
        proxy.fail("POST", "/client/v1", times=1, status=429, headers={"retry-after": "1"})
        assert client.keys.create(name="after-429").name == "after-429"
        proxy.fail("POST", "/client/v1", times=1, status=503)
        with pytest.raises(AudiencesError) as raised:
            client.keys.create(name="after-503")
    assert raised.value.status == 503
    assert waits.seconds == [1.0]
    with Audiences(url=proxy.url, token=account.token) as admin:
        assert "after-503" not in {info.name for info in admin.keys.list()}


def test_a_download_that_arrives_altered_leaves_no_file(
    client: Audiences, proxy: Proxy, tmp_path: Path
) -> None:
    accepted = client.intent_tasks.create(
        days=DAYS[:1], topic_id_prefixes=PREFIXES[:1], scores=["medium"]
    )
    task = client.tasks.wait(accepted.task_id)
    # The same signed links, through the proxy, which flips a byte of the first file.
    through = task.model_copy(
        update={
            "files": [
                file.model_copy(update={"url": file.url.replace(client.url, proxy.url)})
                for file in task.files
            ]
        }
    )
    proxy.corrupt("/api/v1/downloads/")
    with pytest.raises(AudiencesError) as raised:
        client.tasks.download(through, tmp_path)
    assert raised.value.code == "checksum_mismatch"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_wait_long_polls_with_the_etag(proxy: Proxy, account: Account) -> None:
    with Audiences(url=proxy.url, api_key=account.api_key) as client:
        accepted = client.intent_tasks.create(
            days=DAYS, topic_id_prefixes=PREFIXES, scores=["medium"], perform_unload=False
        )
        task = client.tasks.wait(accepted.task_id, until="counted")
    assert task.status == "counted"
    reads = proxy.requests("GET", f"/api/v1/status/{accepted.task_id}")
    assert "if-none-match" not in reads[0].headers
    for read in reads[1:]:
        assert read.headers["if-none-match"].startswith('W/"')
        assert "wait=30" in read.path
    # One read per change of the task (and the first), not a poll every few seconds.
    assert len(reads) <= task.total_jobs + 2
