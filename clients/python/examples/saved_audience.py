import os

from audiences import Audiences

with Audiences(url=os.environ["AUDIENCES_URL"], api_key=os.environ["AUDIENCES_API_KEY"]) as client:
    audience = client.audiences.create(
        name="Cloud security, high intent, last 2 days",
        kind="intent",
        definition={
            "topic_id_prefixes": ["4eyes_103"],
            "scores": ["high"],
            "unique_by": "person_id",
            "output": "people",
        },
        window={"last_days": 2, "until": "latest"},
        schedule={"cron": "0 6 * * 1-5", "timezone": "Europe/Berlin"},
        delivery={"mode": "delta"},
    )
    print(audience.name, audience.days, audience.schedule_in_words)
    # Scheduled runs start by themselves; this one starts now.
    started = client.audiences.run(audience.audience_id)
    run = client.audiences.wait_for_run(audience.audience_id, started.run_id)
    print(f"{run.people} people: {run.added} added, {run.removed} removed, {run.kept} kept")
    for summary in client.audiences.iter():
        print(summary.name, summary.schedule_in_words)
