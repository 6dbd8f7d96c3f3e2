"""How one call is described (`Call`) and sent, with retries, by the sync and the async transport.

A call is built once (`_calls.py`) and sent by either transport, so both clients make exactly the
same requests; only the waiting (`time.sleep` or `asyncio.sleep`) and the I/O differ.
"""

from __future__ import annotations

import asyncio
import json
import random as _random
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import (
    Any,
    Awaitable,
    Callable,
    Dict,
    FrozenSet,
    Generic,
    Mapping,
    Optional,
    TypeVar,
    Union,
)
from urllib.parse import urljoin

import httpx
from pydantic import BaseModel

from ._retry import (
    RetryMode,
    RetryPolicy,
    attempts_of,
    backoff,
    needs_problem_code,
    retry_after,
    retryable_status,
)
from .errors import error_from_response, network_error

T = TypeVar("T")

VERSION = "0.1.0"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class _NoBody:
    pass


NO_BODY = _NoBody()


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API request and how to read its answer."""

    method: str
    path: str
    """A path under the API's root, or an absolute URL (a signed link)."""
    parse: Callable[[httpx.Response], T]
    mode: RetryMode = "idempotent"
    query: Mapping[str, str] = field(default_factory=dict)
    body: Any = NO_BODY
    idempotency_key: Optional[str] = None
    headers: Mapping[str, str] = field(default_factory=dict)
    authenticated: bool = True
    """Send the API key or token; never with a signed link, which may lead to an object store."""
    timeout: Optional[float] = None
    accept: FrozenSet[int] = frozenset()
    """Statuses besides 2xx that `parse` answers (304 of a conditional read, 302 of a redirect)."""


@dataclass
class Credentials:
    api_key: Optional[str] = None
    token: Optional[str] = None


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def problem_code(response: httpx.Response) -> Optional[str]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def finish(call: Call[T], response: httpx.Response) -> T:
    """The answer's value, or the `AudiencesError` of its status."""
    if response.is_success or response.status_code in call.accept:
        return call.parse(response)
    raise error_from_response(response)


class _Transport:
    def __init__(
        self,
        url: str,
        credentials: Credentials,
        policy: RetryPolicy,
        random: Optional[Callable[[], float]],
    ) -> None:
        self.url = url.rstrip("/")
        self.credentials = credentials
        self.policy = policy
        self.random = random or _random.random

    def absolute(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        if path.startswith("/"):
            return self.url + path
        return urljoin(self.url + "/", path)

    def request(
        self, client: Union[httpx.Client, httpx.AsyncClient], call: Call[Any]
    ) -> httpx.Request:
        headers: Dict[str, str] = {
            "accept": "application/json",
            "user-agent": f"audiences-python/{VERSION}",
            **call.headers,
        }
        if call.authenticated:
            if self.credentials.api_key:
                headers["x-api-key"] = self.credentials.api_key
            if self.credentials.token:
                headers["authorization"] = f"Bearer {self.credentials.token}"
        if call.idempotency_key:
            headers["idempotency-key"] = call.idempotency_key
        content: Optional[bytes] = None
        if not isinstance(call.body, _NoBody):
            content = json.dumps(call.body, default=_json_default).encode()
            headers["content-type"] = "application/json"
        timeout: Any = httpx.USE_CLIENT_DEFAULT
        if call.timeout is not None:
            timeout = httpx.Timeout(call.timeout, connect=10.0)
        return client.build_request(
            call.method,
            self.absolute(call.path),
            params=dict(call.query) or None,
            headers=headers,
            content=content,
            timeout=timeout,
        )


class SyncTransport(_Transport):
    def __init__(
        self,
        url: str,
        credentials: Credentials,
        policy: RetryPolicy,
        *,
        client: Optional[httpx.Client],
        timeout: Union[float, httpx.Timeout, None],
        sleep: Optional[Callable[[float], None]],
        random: Optional[Callable[[], float]],
    ) -> None:
        super().__init__(url, credentials, policy, random)
        self.owned = client is None
        self.client = client or httpx.Client(
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout, follow_redirects=False
        )
        self.sleep = sleep or time.sleep

    def send(self, call: Call[T]) -> T:
        return finish(call, self.exchange(call, stream=False))

    def open(self, call: Call[Any]) -> httpx.Response:
        """The answer of `call` with its body not yet read (the caller closes it); raises on
        a non-2xx answer.
        """
        response = self.exchange(call, stream=True)
        if response.is_success:
            return response
        try:
            response.read()
        finally:
            response.close()
        raise error_from_response(response)

    def exchange(self, call: Call[Any], *, stream: bool) -> httpx.Response:
        """Sends `call`, trying again as its mode allows, with exponential backoff and full
        jitter or as long as `Retry-After` says; the answer of the last try whatever its status.
        """
        request = self.request(self.client, call)
        attempts = attempts_of(self.policy, call.mode)
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= attempts
            try:
                response = self.client.send(request, stream=stream)
            except httpx.TransportError as error:
                if last or call.mode != "idempotent":
                    raise network_error(error, str(request.url)) from error
                self.sleep(backoff(attempt, self.policy, self.random))
                continue
            if last:
                return response
            code = None
            if needs_problem_code(response.status_code, call.mode):
                response.read()
                code = problem_code(response)
            if not retryable_status(response.status_code, call.mode, code):
                return response
            delay = retry_after(response.headers.get("retry-after"))
            # Free the connection before waiting.
            response.close()
            self.sleep(backoff(attempt, self.policy, self.random) if delay is None else delay)

    def close(self) -> None:
        if self.owned:
            self.client.close()


class AsyncTransport(_Transport):
    def __init__(
        self,
        url: str,
        credentials: Credentials,
        policy: RetryPolicy,
        *,
        client: Optional[httpx.AsyncClient],
        timeout: Union[float, httpx.Timeout, None],
        sleep: Optional[Callable[[float], Awaitable[None]]],
        random: Optional[Callable[[], float]],
    ) -> None:
        super().__init__(url, credentials, policy, random)
        self.owned = client is None
        self.client = client or httpx.AsyncClient(
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout, follow_redirects=False
        )
        self.sleep = sleep or asyncio.sleep

    async def send(self, call: Call[T]) -> T:
        return finish(call, await self.exchange(call, stream=False))

    async def open(self, call: Call[Any]) -> httpx.Response:
        response = await self.exchange(call, stream=True)
        if response.is_success:
            return response
        try:
            await response.aread()
        finally:
            await response.aclose()
        raise error_from_response(response)

    async def exchange(self, call: Call[Any], *, stream: bool) -> httpx.Response:
        request = self.request(self.client, call)
        attempts = attempts_of(self.policy, call.mode)
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= attempts
            try:
                response = await self.client.send(request, stream=stream)
            except httpx.TransportError as error:
                if last or call.mode != "idempotent":
                    raise network_error(error, str(request.url)) from error
                await self.sleep(backoff(attempt, self.policy, self.random))
                continue
            if last:
                return response
            code = None
            if needs_problem_code(response.status_code, call.mode):
                await response.aread()
                code = problem_code(response)
            if not retryable_status(response.status_code, call.mode, code):
                return response
            delay = retry_after(response.headers.get("retry-after"))
            await response.aclose()
            await self.sleep(backoff(attempt, self.policy, self.random) if delay is None else delay)

    async def aclose(self) -> None:
        if self.owned:
            await self.client.aclose()
