"""The async client does what the sync one does: create, long-poll, download, check against
DuckDB, iterate pages, raise for a failed task, and retry through the proxy.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import List

import pytest

from audiences import AsyncAudiences, AudiencesError, TaskEndedError, WaitProgress
from conftest import DAYS, PREFIXES, Account, Source
from local_server import LocalServer
from proxy import Proxy


async def test_create_wait_download_and_compare(
    server: LocalServer, account: Account, source: Source, tmp_path: Path
) -> None:
    days, prefixes, scores = DAYS[1:], PREFIXES[2:], ["high"]
    async with AsyncAudiences(url=server.url, api_key=account.api_key) as client:
        accepted = await client.intent_tasks.create(
            days=days, topic_id_prefixes=prefixes, scores=scores, unique_by="person_id"
        )
        reports: List[WaitProgress] = []
        task = await client.tasks.wait(accepted.task_id, on_progress=reports.append)
        files = await client.tasks.download(task, tmp_path)
        listed = [summary.task_id async for summary in client.tasks.iter(limit=2)]
    segment = source.segment(days, prefixes, scores)
    assert task.total_count == source.scalar(f"SELECT count(*) FROM ({segment})")
    assert task.unique_count == source.scalar(f"SELECT count(DISTINCT person_id) FROM ({segment})")
    assert reports[-1].status == "completed"
    paths = [str(file.path) for file in files]
    assert source.scalar(f"SELECT count(*) FROM read_parquet({paths!r})") == task.total_count
    assert accepted.task_id in listed
    assert len(listed) == len(set(listed))


async def test_waits_run_side_by_side(server: LocalServer, account: Account) -> None:
    async with AsyncAudiences(url=server.url, api_key=account.api_key) as client:
        made = await asyncio.gather(
            *(
                client.intent_tasks.create(
                    days=[day], topic_id_prefixes=PREFIXES[:1], scores=["low"], perform_unload=False
                )
                for day in DAYS
            )
        )
        counted = await asyncio.gather(
            *(client.tasks.wait(task.task_id, until=["counted"]) for task in made)
        )
    assert [task.status for task in counted] == ["counted"] * len(DAYS)


async def test_a_failed_task_raises(server: LocalServer, account: Account) -> None:
    folder = server.data_dir / f"async-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    (folder / "data.parquet").write_bytes(b"PAR1 but not really")
    async with AsyncAudiences(url=server.url, api_key=account.api_key) as client:
        accepted = await client.generic_tasks.create(input_path=str(folder))
        with pytest.raises(TaskEndedError) as raised:
            await client.tasks.wait(accepted.task_id)
    assert raised.value.task.status == "failed"


async def test_503_is_retried_through_the_proxy(server: LocalServer, account: Account) -> None:
    waits: List[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    with Proxy(server.url) as proxy:
        proxy.fail("POST", "/api/v1/intent_hive_tasks", times=1, headers={"retry-after": "3"})
        proxy.fail("GET", "/api/v1/status/", times=1, status=500)
        async with AsyncAudiences(
            url=proxy.url, api_key=account.api_key, sleep=sleep, random=lambda: 0.0
        ) as client:
            accepted = await client.intent_tasks.create(
                days=DAYS[:1], topic_id_prefixes=PREFIXES[:1], scores=["high"]
            )
            task = await client.tasks.wait(accepted.task_id)
        sent = proxy.requests("POST", "/api/v1/intent_hive_tasks")
    assert task.status == "completed"
    assert waits == [3.0, 0.0]
    assert [s.answered for s in sent] == [503, 202]
    assert sent[0].headers["idempotency-key"] == sent[1].headers["idempotency-key"]


async def test_errors_are_audiences_errors(server: LocalServer, account: Account) -> None:
    async with AsyncAudiences(url=server.url, api_key=account.api_key) as client:
        with pytest.raises(AudiencesError) as raised:
            await client.tasks.preview(str(uuid.uuid4()))
    assert raised.value.status == 404
    assert raised.value.problem["code"] == raised.value.code
