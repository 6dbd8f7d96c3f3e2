"""Webhooks through the client, delivered for real to a receiver on 127.0.0.1 (the session's
server allows http and private hosts): subscribe, receive a signed `task.completed`, read the
delivery log, unsubscribe.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List, Tuple

import pytest

from audiences import Audiences
from audiences.models import WebhookDelivery
from conftest import DAYS, PREFIXES

Received = Tuple[Dict[str, str], bytes]


@pytest.fixture
def receiver() -> Iterator[Tuple[str, queue.Queue[Received]]]:
    got: queue.Queue[Received] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            got.put(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    finally:
        server.shutdown()
        server.server_close()


def test_a_completed_task_is_delivered_signed(
    client: Audiences, receiver: Tuple[str, queue.Queue[Received]]
) -> None:
    url, got = receiver
    hook = client.webhooks.create(url=url, events=["task.completed"])
    assert hook.secret.startswith("whsec_")
    assert hook.id in {listed.id for listed in client.webhooks.list()}

    accepted = client.intent_tasks.create(
        days=DAYS[:1], topic_id_prefixes=PREFIXES[:1], scores=["low"]
    )
    task = client.tasks.wait(accepted.task_id)
    deadline = time.monotonic() + 20
    while True:
        headers, body = got.get(timeout=max(0.1, deadline - time.monotonic()))
        event = json.loads(body)
        if event["data"]["task_id"] == task.task_id:
            break
    assert event["type"] == "task.completed"
    assert event["data"]["total_count"] == task.total_count

    # Standard Webhooks: HMAC-SHA256 over "{id}.{timestamp}.{body}", keyed by the secret.
    key = base64.b64decode(hook.secret[len("whsec_") :])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert f"v1,{expected}" in headers["webhook-signature"].split(" ")

    deliveries: List[WebhookDelivery] = []
    while time.monotonic() < deadline and not deliveries:
        deliveries = [
            d
            for d in client.webhooks.iter_deliveries(hook.id, limit=1)
            if d.task_id == task.task_id and d.outcome == "delivered"
        ]
        time.sleep(0.1)
    assert deliveries[0].event_id == headers["webhook-id"]
    assert deliveries[0].status_code == 204

    client.webhooks.delete(hook.id)
    assert hook.id not in {listed.id for listed in client.webhooks.list()}
