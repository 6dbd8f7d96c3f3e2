import os

from audiences import Audiences

client = Audiences(url=os.environ["AUDIENCES_URL"], api_key=os.environ["AUDIENCES_API_KEY"])
accepted = client.intent_tasks.create(
    days=["2024-05-01"], topic_id_prefixes=["4eyes_103"], scores=["high"]
)
task = client.tasks.wait(accepted.task_id, until="completed")  # long polling, not sleep(30)
files = client.tasks.download(task.task_id, "./segment")  # sizes and SHA-256 checked
print(f"{task.total_count} rows in {len(files)} files under ./segment")
