import os

from audiences import Audiences

client = Audiences(url=os.environ["AUDIENCES_URL"], api_key=os.environ["AUDIENCES_API_KEY"])
accepted = client.intent_tasks.create(
    days=["2024-05-01", "2024-05-02"],
    topic_id_prefixes=["4eyes_101"],
    scores=["high"],
    select="person_id, country, intent_score",
)
task = client.tasks.wait(accepted.task_id)
table = client.tasks.to_arrow(task)  # a pyarrow.Table, typed by the export's manifest
by_country = table.group_by("country").aggregate([("person_id", "count_distinct")])
top = by_country.sort_by([("person_id_count_distinct", "descending")]).slice(0, 3)
print(table.num_rows, "rows; people by country:", top.to_pylist())
