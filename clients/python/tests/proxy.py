"""A real HTTP proxy in front of the real server, on 127.0.0.1: it forwards every request, except
those a rule claims, which it answers itself (a 503 with `Retry-After`, a 429) or alters (a
download with one byte flipped). It records what it saw, so tests can check what the client sent.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Dict, List, Optional, Type
from urllib.parse import urlsplit


@dataclass
class Rule:
    method: str
    path: str
    """A prefix of the request's path."""
    times: int
    status: int = 503
    headers: Dict[str, str] = field(default_factory=dict)
    body: bytes = (
        b'{"type":"about:blank","title":"Unavailable","status":503,"code":"unavailable",'
        b'"detail":"the proxy says: try again"}'
    )
    flip_byte: bool = False
    """Forward the request, but flip one byte of the answer's body (same length)."""


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: Dict[str, str]
    answered: int


class Proxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.rules: List[Rule] = []
        self.seen: List[Seen] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def fail(
        self,
        method: str,
        path: str,
        *,
        times: int,
        status: int = 503,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        with self.lock:
            self.rules.append(Rule(method, path, times, status, dict(headers or {})))

    def corrupt(self, path: str, *, times: int = 1) -> None:
        with self.lock:
            self.rules.append(Rule("GET", path, times, flip_byte=True))

    def requests(self, method: str, path: str) -> List[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method == method and s.path.startswith(path)]

    def _claim(self, method: str, path: str) -> Optional[Rule]:
        with self.lock:
            for rule in self.rules:
                if rule.times > 0 and rule.method == method and path.startswith(rule.path):
                    rule.times -= 1
                    return rule
        return None

    def _handler(self) -> Type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                rule = proxy._claim(self.command, self.path.split("?")[0])
                if rule is not None and not rule.flip_byte:
                    headers_out = {**rule.headers, "content-type": "application/json"}
                    self._answer(rule.status, headers_out, rule.body)
                    self._record(headers, rule.status)
                    return
                upstream = http.client.HTTPConnection(
                    proxy.upstream_host, proxy.upstream_port, timeout=120
                )
                try:
                    forwarded = {
                        k: v for k, v in headers.items() if k not in ("host", "connection")
                    }
                    upstream.request(self.command, self.path, body=body or None, headers=forwarded)
                    answer = upstream.getresponse()
                    content = answer.read()
                    if rule is not None and content:
                        content = bytes([content[0] ^ 0xFF]) + content[1:]
                    kept = {
                        k: v
                        for k, v in answer.getheaders()
                        if k.lower() not in ("transfer-encoding", "connection", "content-length")
                    }
                    self._answer(answer.status, kept, content)
                    self._record(headers, answer.status)
                finally:
                    upstream.close()

            def _answer(self, status: int, headers: Dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _record(self, headers: Dict[str, str], status: int) -> None:
                with proxy.lock:
                    proxy.seen.append(Seen(self.command, self.path, headers, status))

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

        return Handler

    def __enter__(self) -> Proxy:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
