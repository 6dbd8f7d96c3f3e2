"""Every failure of the client is an `AudiencesError`: match on `code`, not on `detail`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Optional

import httpx

if TYPE_CHECKING:
    from .models import AudienceRun, TaskDetail


class AudiencesError(Exception):
    """A non-2xx answer (its problem document), a network error after the retries (`status` 0,
    `code` "network_error"), or a check of the client itself (a downloaded file of the wrong size:
    `status` 0, `code` "size_mismatch").
    """

    status: int
    """The HTTP status; 0 when no answer came (network) or the client found the fault."""
    code: str
    """The API's stable machine code (docs/errors.md), or the client's own."""
    detail: str
    title: str
    errors: List[Dict[str, Any]]
    """For validation problems: each offending field (`days[1]`, `where_expr`, ...) and why."""
    problem: Dict[str, Any]
    """The problem document as the server sent it (or as the client made it)."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        detail: str,
        title: Optional[str] = None,
        errors: Optional[List[Dict[str, Any]]] = None,
        problem: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or code
        self.errors = list(errors or [])
        self.problem = dict(problem or {"status": status, "code": code, "detail": detail})

    def __str__(self) -> str:
        where = f"{self.status} " if self.status else ""
        return f"{where}{self.code}: {self.detail}"


class TaskEndedError(AudiencesError):
    """`wait` saw the task end (`failed`, `cancelled`, or `completed`) in a status it was not
    waiting for: `task` is its detail, `task.error` says why a failed task failed.
    """

    task: TaskDetail

    def __init__(self, task: TaskDetail) -> None:
        reason = f": {task.error.code}: {task.error.message}" if task.error else ""
        error = task.error.model_dump() if task.error else None
        super().__init__(
            status=0,
            code=f"task_{task.status}",
            detail=f"task {task.task_id} ended {task.status}{reason}",
            problem={"task_id": task.task_id, "status": task.status, "error": error},
        )
        self.task = task


class RunEndedError(TaskEndedError):
    """`wait_for_run` saw the run's task end in a status it was not waiting for: the task, and the
    run as the audience's runs show it then.
    """

    run: AudienceRun

    def __init__(self, task: TaskDetail, run: AudienceRun) -> None:
        super().__init__(task)
        self.run = run


class WaitTimeoutError(AudiencesError, TimeoutError):
    """`wait` (or `wait_for_run`) gave up after its `timeout`; the task goes on."""

    def __init__(self, task_id: str, timeout: float, last: Optional[TaskDetail]) -> None:
        status = last.status if last else "unknown"
        super().__init__(
            status=0,
            code="wait_timeout",
            detail=f"task {task_id} is still {status} after {timeout:g} s",
        )
        self.last = last


def error_from_response(response: httpx.Response) -> AudiencesError:
    """The error of a non-2xx answer whose body was read: its problem document when it is one."""
    body: Any = None
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        detail = body.get("detail")
        errors = body.get("errors")
        return AudiencesError(
            status=response.status_code,
            code=body["code"],
            detail=detail if isinstance(detail, str) else str(body.get("title") or body["code"]),
            title=body.get("title") if isinstance(body.get("title"), str) else None,
            errors=[e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else [],
            problem=body,
        )
    # Not a problem document: a proxy's HTML page, an object store's XML, an empty body.
    text = response.text.strip()[:500] if response.content else ""
    detail = f"{response.status_code} {response.reason_phrase}" + (f": {text}" if text else "")
    return AudiencesError(status=response.status_code, code=_generic_code(response), detail=detail)


def network_error(cause: BaseException, url: str) -> AudiencesError:
    """A failure to reach the server (refused connection, reset, timeout) once retries are spent."""
    message = str(cause) or type(cause).__name__
    return AudiencesError(
        status=0, code="network_error", detail=f"could not reach {url}: {message}"
    )


def _generic_code(response: httpx.Response) -> str:
    status = response.status_code
    codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "rate_limited"}
    if status in codes:
        return codes[status]
    return "server_error" if status >= 500 else "http_error"
