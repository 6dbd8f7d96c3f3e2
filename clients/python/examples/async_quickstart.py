import asyncio
import os

from audiences import AsyncAudiences, WaitProgress


def report(progress: WaitProgress) -> None:
    print(progress.status, f"{progress.completed_jobs}/{progress.total_jobs} jobs")


async def main() -> None:
    url, key = os.environ["AUDIENCES_URL"], os.environ["AUDIENCES_API_KEY"]
    async with AsyncAudiences(url=url, api_key=key) as client:
        # Count first (exact, per partition), export later.
        accepted = await client.intent_tasks.create(
            days=["2024-05-01", "2024-05-02"],
            topic_id_prefixes=["4eyes_101", "4eyes_102"],
            scores=["medium", "high"],
            where_expr="intent_score >= 60",
            unique_by="person_id",
            perform_unload=False,
        )
        counted = await client.tasks.wait(accepted.task_id, until="counted", on_progress=report)
        print(f"{counted.total_count} rows, {counted.unique_count} people")
        await client.tasks.unload(counted.task_id)
        done = await client.tasks.wait(counted.task_id, on_progress=report)
        files = await client.tasks.download(done, "./segment")
        print(f"{sum(f.rows for f in files)} rows downloaded")
        async for task in client.tasks.iter(limit=50):  # every page, newest first
            print(task.task_id, task.status, task.total_count)


asyncio.run(main())
