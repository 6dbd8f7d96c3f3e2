"""Every request the clients make, built once for both (sync and async), and the routes they cover.

`ROUTES` is the coverage table: each route of the API the client calls, and the methods that call
it. A test checks it against the served document, and `route()` refuses a route not in it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Type, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from ._http import Call
from .errors import AudiencesError
from .manifest import Manifest
from .models import (
    ApiKeyCreated,
    ApiKeyList,
    AudienceDetail,
    AudiencePage,
    AudienceRun,
    AudienceRunPage,
    AudienceRunStarted,
    Health,
    IntentCatalog,
    LoginAnswer,
    Overlap,
    PasswordChanged,
    RegisterAnswer,
    TaskAccepted,
    TaskDetail,
    TaskEstimate,
    TaskPage,
    TaskPreview,
    TopicList,
    WebhookCreated,
    WebhookDeliveryPage,
    WebhookList,
)

M = TypeVar("M", bound=BaseModel)

ROUTES: Dict[Tuple[str, str], Tuple[str, ...]] = {
    ("GET", "/healthz"): ("health",),
    ("GET", "/readyz"): ("ready",),
    ("POST", "/auth/v1/register"): ("accounts.register",),
    ("POST", "/auth/v1/login"): ("accounts.login",),
    ("POST", "/auth/v1/logout"): ("accounts.logout",),
    ("POST", "/auth/v1/password"): ("accounts.change_password",),
    ("POST", "/client/v1"): ("keys.create",),
    ("GET", "/client/v1"): ("keys.list",),
    ("DELETE", "/client/v1/{client_id}"): ("keys.revoke",),
    ("POST", "/api/v1/intent_hive_tasks"): ("intent_tasks.create",),
    ("POST", "/api/v1/intent_hive_tasks/estimate"): ("intent_tasks.estimate",),
    ("POST", "/api/v1/generic_parquet_tasks"): ("generic_tasks.create",),
    ("POST", "/api/v1/generic_parquet_tasks/estimate"): ("generic_tasks.estimate",),
    ("POST", "/api/v1/overlap"): ("overlap",),
    ("GET", "/api/v1/catalog/intent"): ("catalog",),
    ("GET", "/api/v1/catalog/intent/topics"): ("topics",),
    ("GET", "/api/v1/status"): ("tasks.list", "tasks.iter"),
    ("GET", "/api/v1/status/{task_id}"): ("tasks.get", "tasks.poll", "tasks.wait"),
    ("POST", "/api/v1/tasks/{task_id}/unload"): ("tasks.unload",),
    ("POST", "/api/v1/tasks/{task_id}/cancel"): ("tasks.cancel",),
    ("POST", "/api/v1/tasks/{task_id}/retry"): ("tasks.retry",),
    ("GET", "/api/v1/tasks/{task_id}/preview"): ("tasks.preview",),
    ("GET", "/api/v1/tasks/{task_id}/manifest"): ("tasks.manifest",),
    ("GET", "/api/v1/tasks/{task_id}/archive"): ("tasks.archive",),
    ("GET", "/api/v1/downloads/{file_id}/{name}"): ("tasks.download", "tasks.to_arrow"),
    ("POST", "/api/v1/audiences"): ("audiences.create",),
    ("GET", "/api/v1/audiences"): ("audiences.list", "audiences.iter"),
    ("POST", "/api/v1/audiences/estimate"): ("audiences.estimate",),
    ("GET", "/api/v1/audiences/{audience_id}"): ("audiences.get",),
    ("PATCH", "/api/v1/audiences/{audience_id}"): (
        "audiences.update",
        "audiences.pause",
        "audiences.resume",
    ),
    ("DELETE", "/api/v1/audiences/{audience_id}"): ("audiences.delete",),
    ("POST", "/api/v1/audiences/{audience_id}/runs"): ("audiences.run",),
    ("GET", "/api/v1/audiences/{audience_id}/runs"): ("audiences.runs", "audiences.iter_runs"),
    ("GET", "/api/v1/audiences/{audience_id}/runs/{run_id}"): (
        "audiences.get_run",
        "audiences.wait_for_run",
    ),
    ("POST", "/api/v1/audiences/{audience_id}/resync"): ("audiences.resync",),
    ("POST", "/api/v1/webhooks"): ("webhooks.create",),
    ("GET", "/api/v1/webhooks"): ("webhooks.list",),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): ("webhooks.delete",),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): (
        "webhooks.deliveries",
        "webhooks.iter_deliveries",
    ),
}

NOT_COVERED = {
    "/auth/v1/session": "the browser console's cookie session (HttpOnly cookie, CSRF header)",
    "/metrics": "Prometheus scrapes it",
}


def route(method: str, template: str, **params: str) -> str:
    """The path of a covered route with its parameters filled in (each quoted whole)."""
    if (method, template) not in ROUTES:
        raise AssertionError(f"{method} {template} is not in ROUTES")
    return template.format(**{name: quote(value, safe="") for name, value in params.items()})


def model(cls: Type[M]) -> Callable[[httpx.Response], M]:
    def parse(response: httpx.Response) -> M:
        return cls.model_validate_json(response.content)

    return parse


def nothing(response: httpx.Response) -> None:
    return None


def key_of(idempotency_key: Optional[str]) -> str:
    """The `Idempotency-Key` of a create: the caller's, or a fresh UUID, so it can be retried."""
    return idempotency_key or str(uuid.uuid4())


def page_query(limit: Optional[int], cursor: Optional[str]) -> Dict[str, str]:
    query: Dict[str, str] = {}
    if limit is not None:
        query["limit"] = str(limit)
    if cursor is not None:
        query["cursor"] = cursor
    return query


def body_of(params: Mapping[str, Any]) -> Dict[str, Any]:
    return dict(params)


# --- accounts and keys ---


def register(params: Mapping[str, Any]) -> Call[RegisterAnswer]:
    return Call(
        "POST",
        route("POST", "/auth/v1/register"),
        model(RegisterAnswer),
        "never",
        body=body_of(params),
        authenticated=False,
    )


def login(params: Mapping[str, Any]) -> Call[LoginAnswer]:
    return Call(
        "POST",
        route("POST", "/auth/v1/login"),
        model(LoginAnswer),
        "never",
        body=body_of(params),
        authenticated=False,
    )


def logout() -> Call[None]:
    return Call("POST", route("POST", "/auth/v1/logout"), nothing)


def change_password(params: Mapping[str, Any]) -> Call[PasswordChanged]:
    # Not retried: a lost answer may still have changed it, and a retry would then be refused.
    return Call(
        "POST",
        route("POST", "/auth/v1/password"),
        model(PasswordChanged),
        "never",
        body=body_of(params),
    )


def create_key(params: Mapping[str, Any]) -> Call[ApiKeyCreated]:
    return Call(
        "POST", route("POST", "/client/v1"), model(ApiKeyCreated), "refused", body=body_of(params)
    )


def list_keys() -> Call[ApiKeyList]:
    return Call("GET", route("GET", "/client/v1"), model(ApiKeyList))


def revoke_key(client_id: str) -> Call[None]:
    path = route("DELETE", "/client/v1/{client_id}", client_id=client_id)
    return Call("DELETE", path, nothing)


# --- tasks ---


def create_task(kind: str, params: Mapping[str, Any], key: Optional[str]) -> Call[TaskAccepted]:
    path = route("POST", f"/api/v1/{kind}")
    return Call(
        "POST", path, model(TaskAccepted), body=body_of(params), idempotency_key=key_of(key)
    )


def estimate_task(kind: str, params: Mapping[str, Any]) -> Call[TaskEstimate]:
    path = route("POST", f"/api/v1/{kind}/estimate")
    return Call("POST", path, model(TaskEstimate), body=body_of(params))


def overlap(ids: list[str], audiences: bool) -> Call[Overlap]:
    body: Dict[str, Any] = {"audience_ids" if audiences else "task_ids": ids}
    return Call("POST", route("POST", "/api/v1/overlap"), model(Overlap), body=body)


def catalog() -> Call[IntentCatalog]:
    return Call("GET", route("GET", "/api/v1/catalog/intent"), model(IntentCatalog))


def topics(q: Optional[str], days: Optional[int], limit: Optional[int]) -> Call[TopicList]:
    query: Dict[str, str] = {}
    if q is not None:
        query["q"] = q
    if days is not None:
        query["days"] = str(days)
    if limit is not None:
        query["limit"] = str(limit)
    path = route("GET", "/api/v1/catalog/intent/topics")
    return Call("GET", path, model(TopicList), query=query)


@dataclass(frozen=True)
class TaskPoll:
    """One read of a task with `If-None-Match`: `changed` False (304) while the task still
    matches `etag`; else its new detail.
    """

    changed: bool
    task: Optional[TaskDetail]
    etag: str


def poll_task(task_id: str, etag: Optional[str], wait_seconds: Optional[int]) -> Call[TaskPoll]:
    query: Dict[str, str] = {}
    headers: Dict[str, str] = {}
    timeout: Optional[float] = None
    if etag:
        headers["if-none-match"] = etag
        if wait_seconds:
            query["wait"] = str(wait_seconds)
            # The server holds the answer up to `wait` seconds: read past that.
            timeout = wait_seconds + 30.0

    def parse(response: httpx.Response) -> TaskPoll:
        next_etag = response.headers.get("etag", "")
        if response.status_code == 304:
            return TaskPoll(changed=False, task=None, etag=next_etag or etag or "")
        return TaskPoll(True, TaskDetail.model_validate_json(response.content), next_etag)

    path = route("GET", "/api/v1/status/{task_id}", task_id=task_id)
    return Call(
        "GET", path, parse, query=query, headers=headers, timeout=timeout, accept=frozenset({304})
    )


def get_task(task_id: str) -> Call[TaskDetail]:
    path = route("GET", "/api/v1/status/{task_id}", task_id=task_id)
    return Call("GET", path, model(TaskDetail))


def list_tasks(limit: Optional[int], cursor: Optional[str], q: Optional[str]) -> Call[TaskPage]:
    path = route("GET", "/api/v1/status")
    query = page_query(limit, cursor)
    if q is not None:
        query["q"] = q
    return Call("GET", path, model(TaskPage), query=query)


def task_action(action: str, task_id: str, key: Optional[str]) -> Call[TaskAccepted]:
    path = route("POST", f"/api/v1/tasks/{{task_id}}/{action}", task_id=task_id)
    return Call("POST", path, model(TaskAccepted), idempotency_key=key_of(key))


def preview(task_id: str, limit: Optional[int]) -> Call[TaskPreview]:
    path = route("GET", "/api/v1/tasks/{task_id}/preview", task_id=task_id)
    query = {} if limit is None else {"limit": str(limit)}
    return Call("GET", path, model(TaskPreview), query=query)


def manifest_link(task_id: str) -> Call[str]:
    """The signed link the manifest route redirects to (not followed: it would carry the key)."""

    def parse(response: httpx.Response) -> str:
        location = response.headers.get("location")
        if response.status_code != 302 or not location:
            raise AudiencesError(
                status=response.status_code,
                code="unexpected_answer",
                detail=f"the manifest route answered {response.status_code} without a Location",
            )
        return str(location)

    path = route("GET", "/api/v1/tasks/{task_id}/manifest", task_id=task_id)
    return Call("GET", path, parse, accept=frozenset({302}))


def signed(url: str) -> Call[None]:
    """A signed link (a download, a manifest): sent without credentials."""
    return Call("GET", url, nothing, authenticated=False, headers={"accept": "*/*"})


def manifest(url: str) -> Call[Manifest]:
    """The manifest at its signed link, read without credentials."""
    return Call("GET", url, model(Manifest), authenticated=False)


def archive(task_id: str) -> Call[None]:
    path = route("GET", "/api/v1/tasks/{task_id}/archive", task_id=task_id)
    return Call("GET", path, nothing, headers={"accept": "application/zip"})


# --- saved audiences ---


def create_audience(params: Mapping[str, Any], key: Optional[str]) -> Call[AudienceDetail]:
    path = route("POST", "/api/v1/audiences")
    return Call(
        "POST", path, model(AudienceDetail), body=body_of(params), idempotency_key=key_of(key)
    )


def list_audiences(limit: Optional[int], cursor: Optional[str]) -> Call[AudiencePage]:
    path = route("GET", "/api/v1/audiences")
    return Call("GET", path, model(AudiencePage), query=page_query(limit, cursor))


def get_audience(audience_id: str) -> Call[AudienceDetail]:
    path = route("GET", "/api/v1/audiences/{audience_id}", audience_id=audience_id)
    return Call("GET", path, model(AudienceDetail))


def update_audience(audience_id: str, patch: Mapping[str, Any]) -> Call[AudienceDetail]:
    """Retried as idempotent: the same change twice leaves the audience as once (one version)."""
    path = route("PATCH", "/api/v1/audiences/{audience_id}", audience_id=audience_id)
    return Call("PATCH", path, model(AudienceDetail), body=body_of(patch))


def delete_audience(audience_id: str) -> Call[None]:
    path = route("DELETE", "/api/v1/audiences/{audience_id}", audience_id=audience_id)
    return Call("DELETE", path, nothing)


def estimate_audience(params: Mapping[str, Any]) -> Call[TaskEstimate]:
    path = route("POST", "/api/v1/audiences/estimate")
    return Call("POST", path, model(TaskEstimate), body=body_of(params))


def run_audience(audience_id: str, key: Optional[str]) -> Call[AudienceRunStarted]:
    path = route("POST", "/api/v1/audiences/{audience_id}/runs", audience_id=audience_id)
    return Call("POST", path, model(AudienceRunStarted), idempotency_key=key_of(key))


def list_runs(
    audience_id: str, limit: Optional[int], cursor: Optional[str]
) -> Call[AudienceRunPage]:
    path = route("GET", "/api/v1/audiences/{audience_id}/runs", audience_id=audience_id)
    return Call("GET", path, model(AudienceRunPage), query=page_query(limit, cursor))


def get_run(audience_id: str, run_id: str) -> Call[AudienceRun]:
    template = "/api/v1/audiences/{audience_id}/runs/{run_id}"
    path = route("GET", template, audience_id=audience_id, run_id=run_id)
    return Call("GET", path, model(AudienceRun))


def resync_audience(audience_id: str) -> Call[AudienceDetail]:
    """Resyncing twice is resyncing once: retried as idempotent."""
    path = route("POST", "/api/v1/audiences/{audience_id}/resync", audience_id=audience_id)
    return Call("POST", path, model(AudienceDetail))


# --- webhooks ---


def create_webhook(params: Mapping[str, Any]) -> Call[WebhookCreated]:
    return Call(
        "POST",
        route("POST", "/api/v1/webhooks"),
        model(WebhookCreated),
        "refused",
        body=body_of(params),
    )


def list_webhooks() -> Call[WebhookList]:
    return Call("GET", route("GET", "/api/v1/webhooks"), model(WebhookList))


def delete_webhook(webhook_id: str) -> Call[None]:
    path = route("DELETE", "/api/v1/webhooks/{webhook_id}", webhook_id=webhook_id)
    return Call("DELETE", path, nothing)


def deliveries(
    webhook_id: str, limit: Optional[int], cursor: Optional[str]
) -> Call[WebhookDeliveryPage]:
    template = "/api/v1/webhooks/{webhook_id}/deliveries"
    path = route("GET", template, webhook_id=webhook_id)
    return Call("GET", path, model(WebhookDeliveryPage), query=page_query(limit, cursor))


# --- health ---


def health(name: str) -> Call[Health]:
    return Call("GET", route("GET", f"/{name}"), model(Health), authenticated=False)
