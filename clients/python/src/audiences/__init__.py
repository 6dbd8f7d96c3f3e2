"""A client of the Audiences API: count intent segments, export them, wait, download, check.

    from audiences import Audiences

    client = Audiences(url="http://127.0.0.1:8080", api_key=os.environ["AUDIENCES_API_KEY"])
    task = client.intent_tasks.create(
        days=["2024-05-01"], topic_id_prefixes=["4eyes_103"], scores=["high"]
    )
    task = client.tasks.wait(task.task_id, until="completed")
    paths = client.tasks.download(task.task_id, "./segment")

`AsyncAudiences` is the same client for asyncio. The models (`audiences.models`) are generated from
the API's OpenAPI document.
"""

from __future__ import annotations

from . import models
from ._calls import TaskPoll
from ._download import DownloadedFile, DownloadProgress
from ._retry import RetryPolicy
from ._waiting import WaitProgress
from .async_client import AsyncAudiences
from .client import Audiences
from .errors import AudiencesError, RunEndedError, TaskEndedError, WaitTimeoutError
from .manifest import Manifest, ManifestColumn, ManifestFile

__version__ = "0.1.0"

__all__ = [
    "AsyncAudiences",
    "Audiences",
    "AudiencesError",
    "DownloadProgress",
    "DownloadedFile",
    "Manifest",
    "ManifestColumn",
    "ManifestFile",
    "RetryPolicy",
    "RunEndedError",
    "TaskEndedError",
    "TaskPoll",
    "WaitProgress",
    "WaitTimeoutError",
    "__version__",
    "models",
]
