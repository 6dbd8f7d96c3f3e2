"""`Audiences`: the synchronous client (httpx). `AsyncAudiences` (async_client.py) mirrors it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Iterator, List, Optional, Tuple, Type, Union

import httpx
from typing_extensions import Unpack

from . import _arrow
from . import _calls as calls
from ._calls import TaskPoll
from ._download import (
    DownloadedFile,
    DownloadPlan,
    DownloadProgress,
    PathLike,
    check_length,
    require_completed,
)
from ._http import Credentials, SyncTransport
from ._retry import RetryPolicy
from ._waiting import Until, Waiter, WaitProgress
from .errors import AudiencesError, RunEndedError, TaskEndedError
from .manifest import Manifest
from .models import (
    ApiKeyCreated,
    ApiKeyInfo,
    ApiKeyParams,
    AudienceDetail,
    AudienceEstimateParams,
    AudiencePage,
    AudienceParams,
    AudiencePatchParams,
    AudienceRun,
    AudienceRunPage,
    AudienceRunStarted,
    AudienceSummary,
    GenericTaskParams,
    Health,
    IntentCatalog,
    IntentTaskParams,
    LoginAnswer,
    LoginParams,
    Overlap,
    PasswordChanged,
    PasswordParams,
    RegisterAnswer,
    RegisterParams,
    TaskAccepted,
    TaskDetail,
    TaskEstimate,
    TaskPage,
    TaskPreview,
    TaskSummary,
    TopicList,
    Webhook,
    WebhookCreated,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookParams,
)

ProgressCallback = Callable[[WaitProgress], None]


class Audiences:
    """A client of the Audiences API.

    Every non-2xx answer raises `AudiencesError` (`status`, `code`, `detail`, `problem`). Calls
    are retried on network errors, 429 and 5xx with exponential backoff and jitter, or as long as
    `Retry-After` says; creates, unload, cancel, retry and audience runs carry an
    `Idempotency-Key` (a fresh UUID unless given), so retrying them never does the work twice.

        client = Audiences(url="http://127.0.0.1:8080", api_key=os.environ["AUDIENCES_API_KEY"])

    `sleep` and `random` replace the waits between retries and their jitter (a fake in tests).
    """

    def __init__(
        self,
        url: str,
        api_key: Optional[str] = None,
        *,
        token: Optional[str] = None,
        timeout: Union[float, httpx.Timeout, None] = None,
        retry: Optional[RetryPolicy] = None,
        http_client: Optional[httpx.Client] = None,
        sleep: Optional[Callable[[float], None]] = None,
        random: Optional[Callable[[], float]] = None,
    ) -> None:
        self._credentials = Credentials(api_key=api_key, token=token)
        self._transport = SyncTransport(
            url,
            self._credentials,
            retry or RetryPolicy(),
            client=http_client,
            timeout=timeout,
            sleep=sleep,
            random=random,
        )
        self.accounts = Accounts(self._transport)
        self.keys = Keys(self._transport)
        self.intent_tasks = IntentTasks(self._transport)
        self.generic_tasks = GenericTasks(self._transport)
        self.tasks = Tasks(self._transport)
        self.audiences = SavedAudiences(self._transport, self.tasks)
        self.webhooks = Webhooks(self._transport)

    @property
    def url(self) -> str:
        return self._transport.url

    @property
    def token(self) -> Optional[str]:
        """The JWT `accounts.login` got (key routes need it), or the one given."""
        return self._credentials.token

    def overlap(self, *ids: str, audiences: bool = False) -> Overlap:
        """How 2 to 10 tasks (with `audiences=True`, saved audiences' last completed runs) overlap:
        exact sizes, pairwise intersections with Jaccard and, for 2-3 sets, every Venn region."""
        return self._transport.send(calls.overlap(list(ids), audiences))

    def catalog(self) -> IntentCatalog:
        """Days, prefixes, scores, columns and totals of the intent data."""
        return self._transport.send(calls.catalog())

    def topics(
        self, q: Optional[str] = None, days: Optional[int] = None, limit: Optional[int] = None
    ) -> TopicList:
        """Topics whose name or id holds `q` (any case), with their rows and distinct people over
        the newest `days` days (default 7), most rows first, at most `limit` (default 50)."""
        return self._transport.send(calls.topics(q, days, limit))

    def health(self) -> Health:
        """`/healthz`: the process answers."""
        return self._transport.send(calls.health("healthz"))

    def ready(self) -> Health:
        """`/readyz`: the store and the queue are reachable (`AudiencesError` 503 otherwise)."""
        return self._transport.send(calls.health("readyz"))

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Audiences:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()


class Accounts:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def register(self, **params: Unpack[RegisterParams]) -> RegisterAnswer:
        """Creates a user and its organisation. Not retried: a lost answer may have registered."""
        return self._transport.send(calls.register(params))

    def login(self, **params: Unpack[LoginParams]) -> LoginAnswer:
        """Exchanges e-mail and password for a JWT, which the client then sends (keys need it)."""
        answer = self._transport.send(calls.login(params))
        self._transport.credentials.token = answer.token
        return answer

    def logout(self) -> None:
        """Ends the login session of the client's token: from the next request on, the server
        refuses it (401 `session_ended`) in every process, and the client no longer sends it.
        """
        try:
            self._transport.send(calls.logout())
        except AudiencesError as error:
            # A retry after an answer that was lost finds the session ended: what was asked for.
            if error.code != "session_ended":
                raise
        self._transport.credentials.token = None

    def change_password(self, **params: Unpack[PasswordParams]) -> PasswordChanged:
        """Changes the logged-in user's password (`current_password`, `new_password`): every
        other session of the user ends, this client's token keeps working. A wrong current password
        is an `AudiencesError` 403 `current_password_wrong`; a new one the policy refuses, 400
        naming `new_password`. Not retried.
        """
        return self._transport.send(calls.change_password(params))


class Keys:
    """API clients (keys) of the organisation; these calls need a login token."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def create(self, **params: Unpack[ApiKeyParams]) -> ApiKeyCreated:
        """A new API client; its `api_key` and `api_secret` are shown this once."""
        return self._transport.send(calls.create_key(params))

    def list(self) -> List[ApiKeyInfo]:
        """The organisation's API clients, without secrets."""
        return self._transport.send(calls.list_keys()).clients

    def revoke(self, client_id: str) -> None:
        """Revokes an API client: its key stops working at once."""
        self._transport.send(calls.revoke_key(client_id))


class IntentTasks:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[IntentTaskParams]
    ) -> TaskAccepted:
        """Counts (and by default exports) an intent segment: days × prefixes × scores (202)."""
        return self._transport.send(calls.create_task("intent_hive_tasks", params, idempotency_key))

    def estimate(self, **params: Unpack[IntentTaskParams]) -> TaskEstimate:
        """What the task would read (partitions, files, bytes, rows); stores nothing."""
        return self._transport.send(calls.estimate_task("intent_hive_tasks", params))


class GenericTasks:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[GenericTaskParams]
    ) -> TaskAccepted:
        """Counts (and by default exports) any Parquet tree under the server's input roots."""
        return self._transport.send(
            calls.create_task("generic_parquet_tasks", params, idempotency_key)
        )

    def estimate(self, **params: Unpack[GenericTaskParams]) -> TaskEstimate:
        """What the task would read; stores nothing."""
        return self._transport.send(calls.estimate_task("generic_parquet_tasks", params))


class Tasks:
    """Tasks of both kinds: read, list, wait for, unload, cancel, retry, preview, download."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def get(self, task_id: str) -> TaskDetail:
        """Status, progress, counts, files and links."""
        return self._transport.send(calls.get_task(task_id))

    def poll(
        self, task_id: str, *, etag: Optional[str] = None, wait_seconds: Optional[int] = None
    ) -> TaskPoll:
        """One conditional read: with `etag` (and `wait_seconds`, the server's long polling),
        `changed` False while the task still matches it; the new detail and its ETag otherwise.
        """
        return self._transport.send(calls.poll_task(task_id, etag, wait_seconds))

    def list(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None, q: Optional[str] = None
    ) -> TaskPage:
        """One page of the organisation's tasks, newest first (`next_cursor` for the next); with
        `q`, those whose name contains it (any letter case) or whose id starts with it.
        """
        return self._transport.send(calls.list_tasks(limit, cursor, q))

    def iter(
        self, *, limit: Optional[int] = None, q: Optional[str] = None
    ) -> Iterator[TaskSummary]:
        """Every task of the organisation (with `q`, every match), newest first, page after
        page (`limit` per page).
        """
        cursor: Optional[str] = None
        while True:
            page = self.list(limit=limit, cursor=cursor, q=q)
            yield from page.tasks
            cursor = page.next_cursor
            if not cursor:
                return

    def unload(self, task_id: str, *, idempotency_key: Optional[str] = None) -> TaskAccepted:
        """Starts the export of a `counted` task (409 in any other state)."""
        return self._transport.send(calls.task_action("unload", task_id, idempotency_key))

    def cancel(self, task_id: str, *, idempotency_key: Optional[str] = None) -> TaskAccepted:
        """Cancels a task that has not ended (409 once it has); its files are removed."""
        return self._transport.send(calls.task_action("cancel", task_id, idempotency_key))

    def retry(self, task_id: str, *, idempotency_key: Optional[str] = None) -> TaskAccepted:
        """Runs a `failed` task's failed jobs again (409 in any other state)."""
        return self._transport.send(calls.task_action("retry", task_id, idempotency_key))

    def preview(self, task_id: str, *, limit: Optional[int] = None) -> TaskPreview:
        """The first `limit` rows (1-100, default 20) of the segment, before or after export."""
        return self._transport.send(calls.preview(task_id, limit))

    def wait(
        self,
        task_id: str,
        *,
        until: Until = "completed",
        on_progress: Optional[ProgressCallback] = None,
        wait_seconds: int = 30,
        timeout: Optional[float] = None,
    ) -> TaskDetail:
        """Waits for the task to reach `until` (a status or several) with the server's long
        polling (ETag, If-None-Match, `?wait=`), calling `on_progress` with the first answer and
        every change. Raises `TaskEndedError` when the task ends in another status (`failed`,
        `cancelled`, or `completed` when not awaited), `WaitTimeoutError` after `timeout` seconds.
        """
        waiter = Waiter(
            task_id, until, wait_seconds=wait_seconds, timeout=timeout, on_progress=on_progress
        )
        while True:
            done = waiter.observe(self._transport.send(waiter.next_poll()))
            if done is not None:
                return done
            if waiter.pause:
                self._transport.sleep(waiter.pause)

    def manifest(self, task_id: str) -> Manifest:
        """The `manifest.json` of a completed export (schema, files with rows and SHA-256): the
        route's redirect is read, and its signed link fetched without credentials.
        """
        link = self._transport.send(calls.manifest_link(task_id))
        return self._transport.send(calls.manifest(link))

    def download(
        self,
        task: Union[str, TaskDetail],
        directory: PathLike,
        *,
        on_progress: Optional[Callable[[DownloadProgress], None]] = None,
    ) -> List[DownloadedFile]:
        """Downloads every file of a completed task into `directory/<partition>/<file name>`:
        streamed to a temporary name, checked against the size and SHA-256 the task and its
        manifest list, then renamed. Raises `AudiencesError` (`size_mismatch`,
        `checksum_mismatch`, `task_not_completed`, ...) otherwise.
        """
        detail = self.get(task) if isinstance(task, str) else task
        return self._download(detail, directory, on_progress)[0]

    def _download(
        self,
        detail: TaskDetail,
        directory: PathLike,
        on_progress: Optional[Callable[[DownloadProgress], None]],
    ) -> Tuple[List[DownloadedFile], Manifest]:
        require_completed(detail)
        manifest = self.manifest(detail.task_id)
        plan = DownloadPlan(detail, directory, manifest, on_progress)
        for entry in plan.entries:
            response = self._transport.open(calls.signed(entry.file.url))
            writer = plan.begin(entry)
            try:
                for chunk in response.iter_bytes():
                    writer.write(chunk)
                writer.finish()
            except BaseException:
                writer.abort()
                raise
            finally:
                response.close()
        return plan.done, manifest

    def archive(self, task_id: str, path: PathLike) -> Path:
        """Every file of a completed export and its manifest as one ZIP at `path` (a file, or a
        folder to hold `task-<id>.zip`), written whole or not at all.
        """
        target = Path(path)
        if target.is_dir():
            target = target / f"task-{task_id}.zip"
        response = self._transport.open(calls.archive(task_id))
        temporary = target.with_name(f".{target.name}.part")
        try:
            with temporary.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
            check_length(response, temporary)
            os.replace(temporary, target)
        finally:
            response.close()
            temporary.unlink(missing_ok=True)
        return target

    def to_arrow(self, task: Union[str, TaskDetail]) -> Any:
        """A completed Parquet export as one `pyarrow.Table`, typed by its manifest's schema
        (`pip install 'audiences[arrow]'`). The files are downloaded (and checked) to a
        temporary folder first.
        """
        detail = self.get(task) if isinstance(task, str) else task
        with tempfile.TemporaryDirectory(prefix="audiences-") as folder:
            files, manifest = self._download(detail, folder, None)
            return _arrow.read_table(files, manifest)

    def to_pandas(self, task: Union[str, TaskDetail]) -> Any:
        """`to_arrow(task).to_pandas()`: needs pandas besides `audiences[arrow]`."""
        _arrow.require_pandas()
        return self.to_arrow(task).to_pandas()


class SavedAudiences:
    """Saved audiences: a task definition with a rolling window, a schedule and a delivery."""

    def __init__(self, transport: SyncTransport, tasks: Tasks) -> None:
        self._transport = transport
        self._tasks = tasks

    def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[AudienceParams]
    ) -> AudienceDetail:
        """Saves an audience (201), checked as a task create is (the same 400s)."""
        return self._transport.send(calls.create_audience(params, idempotency_key))

    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> AudiencePage:
        """One page of the organisation's audiences, newest first."""
        return self._transport.send(calls.list_audiences(limit, cursor))

    def iter(self, *, limit: Optional[int] = None) -> Iterator[AudienceSummary]:
        """Every audience, newest first, page after page."""
        cursor: Optional[str] = None
        while True:
            page = self.list(limit=limit, cursor=cursor)
            yield from page.audiences
            cursor = page.next_cursor
            if not cursor:
                return

    def get(self, audience_id: str) -> AudienceDetail:
        """Definition, schedule, delivery, the days its next run reads, last run, size history."""
        return self._transport.send(calls.get_audience(audience_id))

    def update(self, audience_id: str, **patch: Unpack[AudiencePatchParams]) -> AudienceDetail:
        """Changes any fields; a changed definition or window makes a new version."""
        return self._transport.send(calls.update_audience(audience_id, patch))

    def pause(self, audience_id: str) -> AudienceDetail:
        """Stops the schedule without losing it."""
        return self.update(audience_id, paused=True)

    def resume(self, audience_id: str) -> AudienceDetail:
        """Starts the schedule again, its slots counted from now."""
        return self.update(audience_id, paused=False)

    def delete(self, audience_id: str) -> None:
        """Deletes an audience; its finished runs keep their files until they expire."""
        self._transport.send(calls.delete_audience(audience_id))

    def estimate(self, **params: Unpack[AudienceEstimateParams]) -> TaskEstimate:
        """What the audience's next run would read, its window resolved now; stores nothing."""
        return self._transport.send(calls.estimate_audience(params))

    def run(self, audience_id: str, *, idempotency_key: Optional[str] = None) -> AudienceRunStarted:
        """Runs the audience now (202): an ordinary task; 409 while a run is going."""
        return self._transport.send(calls.run_audience(audience_id, idempotency_key))

    def runs(
        self, audience_id: str, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> AudienceRunPage:
        """One page of the audience's runs and skipped slots, newest first."""
        return self._transport.send(calls.list_runs(audience_id, limit, cursor))

    def iter_runs(self, audience_id: str, *, limit: Optional[int] = None) -> Iterator[AudienceRun]:
        """Every run of the audience, newest first, page after page."""
        cursor: Optional[str] = None
        while True:
            page = self.runs(audience_id, limit=limit, cursor=cursor)
            yield from page.runs
            cursor = page.next_cursor
            if not cursor:
                return

    def get_run(self, audience_id: str, run_id: str) -> AudienceRun:
        """One run: status, days, people, and for a delta run added, removed and kept."""
        return self._transport.send(calls.get_run(audience_id, run_id))

    def resync(self, audience_id: str) -> AudienceDetail:
        """Makes the next delta run a baseline: every member delivered as added."""
        return self._transport.send(calls.resync_audience(audience_id))

    def wait_for_run(
        self,
        audience_id: str,
        run_id: str,
        *,
        until: Until = "completed",
        on_progress: Optional[ProgressCallback] = None,
        wait_seconds: int = 30,
        timeout: Optional[float] = None,
    ) -> AudienceRun:
        """Waits for the run's task as `tasks.wait` does, then answers the run as the audience's
        runs show it (people, and added, removed, kept for delta). Raises `RunEndedError` when
        the task ends otherwise. A skipped slot or an expired run is answered at once.
        """
        run = self.get_run(audience_id, run_id)
        if run.task_id is None or run.status in ("skipped", "expired"):
            return run
        try:
            self._tasks.wait(
                run.task_id,
                until=until,
                on_progress=on_progress,
                wait_seconds=wait_seconds,
                timeout=timeout,
            )
        except TaskEndedError as error:
            raise RunEndedError(error.task, self.get_run(audience_id, run_id)) from error
        return self.get_run(audience_id, run_id)


class Webhooks:
    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def create(self, **params: Unpack[WebhookParams]) -> WebhookCreated:
        """Subscribes a URL to events; the signing `secret` is shown this once."""
        return self._transport.send(calls.create_webhook(params))

    def list(self) -> List[Webhook]:
        """The organisation's webhooks, oldest first, without secrets."""
        return self._transport.send(calls.list_webhooks()).webhooks

    def delete(self, webhook_id: str) -> None:
        self._transport.send(calls.delete_webhook(webhook_id))

    def deliveries(
        self, webhook_id: str, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> WebhookDeliveryPage:
        """One page of a webhook's delivery attempts, newest first."""
        return self._transport.send(calls.deliveries(webhook_id, limit, cursor))

    def iter_deliveries(
        self, webhook_id: str, *, limit: Optional[int] = None
    ) -> Iterator[WebhookDelivery]:
        """Every delivery attempt, newest first, page after page."""
        cursor: Optional[str] = None
        while True:
            page = self.deliveries(webhook_id, limit=limit, cursor=cursor)
            yield from page.deliveries
            cursor = page.next_cursor
            if not cursor:
                return
