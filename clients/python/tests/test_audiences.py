"""Saved audiences through the client: save, estimate, list, change, run, wait for the run and read
its delta, resync, delete. People are compared with DuckDB's distinct person_id over the window.
"""

from __future__ import annotations

import uuid
from typing import List

import pytest

from audiences import Audiences, AudiencesError, WaitProgress
from conftest import DAYS, Source


def test_an_audience_is_saved_run_and_delivered_as_a_delta(
    client: Audiences, source: Source
) -> None:
    definition = {
        "topic_id_prefixes": ["4eyes_102"],
        "scores": ["high"],
        "unique_by": "person_id",
        "output": "people",
    }
    window_days = DAYS[-2:]  # last_days 2 until the newest day the data holds
    segment = source.segment(window_days, ["4eyes_102"], ["high"])
    people = source.scalar(f"SELECT count(DISTINCT person_id) FROM ({segment})")
    estimate = client.audiences.estimate(
        kind="intent", definition=definition, window={"last_days": 2}
    )
    assert estimate.partitions == 2

    name = f"High intent {uuid.uuid4().hex[:6]}"
    audience = client.audiences.create(
        name=name,
        kind="intent",
        definition=definition,
        window={"last_days": 2, "until": "latest"},
        schedule={"every": "24h"},
        delivery={"mode": "delta"},
    )
    assert audience.days == window_days
    assert audience.version == 1
    assert audience.audience_id in {a.audience_id for a in client.audiences.iter(limit=1)}
    assert client.audiences.get(audience.audience_id).name == name

    assert client.audiences.pause(audience.audience_id).paused is True
    assert client.audiences.resume(audience.audience_id).paused is False
    described = client.audiences.update(audience.audience_id, description="for the tests")
    assert described.description == "for the tests"
    assert described.version == 1  # a description is no new definition

    started = client.audiences.run(audience.audience_id)
    assert started.baseline == "new"
    reports: List[WaitProgress] = []
    run = client.audiences.wait_for_run(
        audience.audience_id, started.run_id, on_progress=reports.append
    )
    assert reports[-1].status == "completed"
    assert run.status == "completed"
    assert run.days == window_days
    assert run.people == people
    assert run.added == people  # a first run delivers everyone as added
    assert run.removed == 0

    again = client.audiences.wait_for_run(
        audience.audience_id, client.audiences.run(audience.audience_id).run_id
    )
    assert again.baseline == "previous"
    assert again.previous_run_id == started.run_id
    assert (again.added, again.removed, again.kept) == (0, 0, people)

    client.audiences.resync(audience.audience_id)
    third = client.audiences.wait_for_run(
        audience.audience_id, client.audiences.run(audience.audience_id).run_id
    )
    assert third.baseline == "new"
    assert third.added == people

    runs = [r.run_id for r in client.audiences.iter_runs(audience.audience_id, limit=2)]
    assert runs == [third.run_id, again.run_id, run.run_id]
    assert client.audiences.runs(audience.audience_id, limit=1).runs[0].run_id == third.run_id
    assert client.audiences.get_run(audience.audience_id, run.run_id).people == people

    client.audiences.delete(audience.audience_id)
    with pytest.raises(AudiencesError) as raised:
        client.audiences.get(audience.audience_id)
    assert raised.value.status == 404


def test_a_bad_definition_is_refused_by_field(client: Audiences) -> None:
    with pytest.raises(AudiencesError) as raised:
        client.audiences.create(
            name=f"Bad {uuid.uuid4().hex[:6]}",
            kind="intent",
            definition={"topic_id_prefixes": ["4eyes_101"], "scores": ["high"], "colour": "red"},
            window={"last_days": 1},
        )
    assert raised.value.status == 400
    assert any(e["field"].startswith("definition") for e in raised.value.errors)
