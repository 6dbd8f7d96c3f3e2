"""When a call is tried again, and after how long: shared by the sync and the async transport."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Callable, Optional

from typing_extensions import Literal

RetryMode = Literal["idempotent", "refused", "never"]
"""What a call may be retried on. `idempotent`: GET, DELETE, PATCH and the POSTs that carry an
`Idempotency-Key`: network errors, 429, 5xx (and 409 `idempotency_key_in_use`). `refused`: a POST
the server would do twice, retried only when it answered 429 (it did nothing). `never`: login and
register (a throttled login must not be hammered; a 5xx may have registered the user).
"""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard calls are retried."""

    attempts: int = 4
    """Tries in all, the first included."""
    base_delay: float = 0.25
    """The backoff's base, in seconds: try n waits a random time below `base_delay * 2**(n-1)`."""
    max_delay: float = 8.0
    """The most one backoff waits; a `Retry-After` from the server is honoured as it is."""


def attempts_of(policy: RetryPolicy, mode: RetryMode) -> int:
    return 1 if mode == "never" else max(1, policy.attempts)


def backoff(attempt: int, policy: RetryPolicy, random: Callable[[], float]) -> float:
    """Full jitter: a random wait below the exponential ceiling (AWS architecture blog,
    "Exponential Backoff And Jitter").
    """
    ceiling = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))
    return random() * ceiling


def retry_after(header: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """`Retry-After` in seconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); None when
    absent or invalid.
    """
    if header is None:
        return None
    value = header.strip()
    if value.isdigit():
        return float(value)
    try:
        at = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, at.timestamp() - (time.time() if now is None else now))


def retryable_status(status: int, mode: RetryMode, problem_code: Optional[str]) -> bool:
    """Whether an answer of this status may be retried in `mode`."""
    if status == 429:
        return mode != "never"
    if mode != "idempotent":
        return False
    if status >= 500:
        return True
    # The same key's first request is still running: the retry gets its answer.
    return status == 409 and problem_code == "idempotency_key_in_use"


def needs_problem_code(status: int, mode: RetryMode) -> bool:
    """Whether `retryable_status` needs the answer's problem code (so its body must be read)."""
    return status == 409 and mode == "idempotent"
