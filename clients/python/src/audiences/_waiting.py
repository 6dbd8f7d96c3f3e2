"""The long-polling wait for a task, as a small state machine both clients drive: `next_poll()`
gives the next conditional read, `observe()` takes its answer and says whether the wait is over.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, FrozenSet, Optional, Sequence, Union

from . import _calls as calls
from ._http import Call
from .errors import TaskEndedError, WaitTimeoutError
from .models import TaskDetail, TaskStatus

ENDED: FrozenSet[str] = frozenset({"completed", "failed", "cancelled"})


@dataclass(frozen=True)
class WaitProgress:
    """A report of `wait`: the task changed (and the first answer)."""

    status: TaskStatus
    completed_jobs: int
    total_jobs: int
    task: TaskDetail


Until = Union[TaskStatus, Sequence[TaskStatus]]


class Waiter:
    """Reads the task with its last `ETag` in `If-None-Match` and `?wait=`: the server answers the
    moment the task changes, or 304 after `wait_seconds`. Without an ETag there is nothing to wait
    on, so the reads are paced (`pause`) instead.
    """

    def __init__(
        self,
        task_id: str,
        until: Until,
        *,
        wait_seconds: int,
        timeout: Optional[float],
        on_progress: Optional[Callable[[WaitProgress], None]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 <= wait_seconds <= 60:
            raise ValueError("wait_seconds is 0 to 60: how long each read may wait on the server")
        self.task_id = task_id
        self.until = frozenset([until] if isinstance(until, str) else until)
        self.wait_seconds = wait_seconds
        self.timeout = timeout
        self.on_progress = on_progress
        self.clock = clock
        self.deadline = None if timeout is None else clock() + timeout
        self.etag: Optional[str] = None
        self.last: Optional[TaskDetail] = None
        self.pause = 0.0

    def next_poll(self) -> Call[calls.TaskPoll]:
        wait = self.wait_seconds
        if self.deadline is not None:
            left = self.deadline - self.clock()
            if left <= 0:
                raise WaitTimeoutError(self.task_id, self.timeout or 0.0, self.last)
            wait = max(1, min(wait, math.ceil(left)))
        return calls.poll_task(self.task_id, self.etag, wait)

    def observe(self, poll: calls.TaskPoll) -> Optional[TaskDetail]:
        """The task once it reached `until`; None to read again; raises `TaskEndedError` when it
        ended otherwise.
        """
        self.pause = 0.0
        if not poll.changed or poll.task is None:
            return None
        self.pause = 0.0 if poll.etag else 1.0
        self.etag = poll.etag or None
        task = self.last = poll.task
        if self.on_progress is not None:
            self.on_progress(WaitProgress(task.status, task.completed_jobs, task.total_jobs, task))
        if task.status in self.until:
            return task
        if task.status in ENDED:
            raise TaskEndedError(task)
        return None
