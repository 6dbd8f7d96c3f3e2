"""Downloads checked against the task and its manifest, shared by both clients: where each file
goes, and a writer that streams it to a temporary name, counts and hashes it, and renames it only
once its size and SHA-256 are what the task and the manifest say.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Dict, List, Optional, Union

import httpx

from .errors import AudiencesError
from .manifest import Manifest, ManifestFile
from .models import TaskDetail, TaskFile

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class DownloadProgress:
    """Byte progress of a download, over all of its files."""

    file: Path
    """The local path of the file being written."""
    bytes_done: int
    bytes_total: int
    files_done: int
    files_total: int


@dataclass(frozen=True)
class DownloadedFile:
    path: Path
    """`directory/<partition>/<file name>`."""
    partition: str
    bytes: int
    rows: int
    sha256: str


@dataclass(frozen=True)
class Entry:
    file: TaskFile
    target: Path
    size: int
    sha256: Optional[str]


class DownloadPlan:
    def __init__(
        self,
        task: TaskDetail,
        directory: PathLike,
        manifest: Optional[Manifest],
        on_progress: Optional[Callable[[DownloadProgress], None]],
    ) -> None:
        require_completed(task)
        self.root = Path(directory).resolve()
        self.on_progress = on_progress
        listed = _by_path(manifest, task) if manifest is not None else {}
        self.entries = [self._entry(file, listed) for file in task.files]
        self.bytes_total = sum(entry.size for entry in self.entries)
        self.bytes_done = 0
        self.done: List[DownloadedFile] = []

    def _entry(self, file: TaskFile, listed: Dict[str, ManifestFile]) -> Entry:
        name = file.uri.rsplit("/", 1)[-1]
        # Folders between the partition's and the name (a sliced people export's people/bucket=3/).
        at = file.uri.rfind("/" + file.partition + "/")
        folders = file.uri[at + 1 :].split("/")[:-1] if at >= 0 else [file.partition]
        target = self.root.joinpath(*folders, name).resolve()
        if not name or name == ".." or self.root not in target.parents:
            raise _fault(file, "its partition and name leave the folder", "unsafe_path")
        sha256 = file.sha256
        if listed:
            entry = next((listed[p] for p in listed if file.uri.endswith("/" + p)), None)
            if entry is None:
                raise _fault(file, "the manifest does not list it", "manifest_mismatch")
            if entry.bytes != file.size_bytes or entry.rows != file.rows:
                raise _fault(
                    file,
                    f"the manifest lists {entry.bytes} bytes and {entry.rows} rows, the task "
                    f"{file.size_bytes} and {file.rows}",
                    "manifest_mismatch",
                )
            if entry.sha256 and sha256 and entry.sha256 != sha256:
                reason = "the manifest and the task list other SHA-256s"
                raise _fault(file, reason, "manifest_mismatch")
            sha256 = sha256 or entry.sha256
        return Entry(file, target, file.size_bytes, sha256)

    def report(self, file: Path) -> None:
        if self.on_progress is not None:
            self.on_progress(
                DownloadProgress(
                    file, self.bytes_done, self.bytes_total, len(self.done), len(self.entries)
                )
            )

    def begin(self, entry: Entry) -> FileWriter:
        return FileWriter(self, entry)


class FileWriter:
    """One file: written to `.<name>.<uuid>.part` beside its target, renamed when whole, so a
    failed or interrupted download leaves no file that looks complete.
    """

    def __init__(self, plan: DownloadPlan, entry: Entry) -> None:
        self.plan = plan
        self.entry = entry
        entry.target.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = entry.target.with_name(f".{entry.target.name}.{uuid.uuid4().hex}.part")
        self.out: BinaryIO = self.temporary.open("xb")
        self.hash = hashlib.sha256()
        self.bytes = 0

    def write(self, chunk: bytes) -> None:
        self.out.write(chunk)
        self.hash.update(chunk)
        self.bytes += len(chunk)
        self.plan.bytes_done += len(chunk)
        self.plan.report(self.entry.target)

    def finish(self) -> DownloadedFile:
        self.out.close()
        file = self.entry.file
        if self.bytes != self.entry.size:
            reason = f"got {self.bytes} bytes, the task lists {self.entry.size}"
            raise _fault(file, reason, "size_mismatch")
        digest = self.hash.hexdigest()
        if self.entry.sha256 and digest != self.entry.sha256:
            raise _fault(
                file, f"SHA-256 {digest}, the task lists {self.entry.sha256}", "checksum_mismatch"
            )
        os.replace(self.temporary, self.entry.target)
        done = DownloadedFile(self.entry.target, file.partition, self.bytes, file.rows, digest)
        self.plan.done.append(done)
        self.plan.report(self.entry.target)
        return done

    def abort(self) -> None:
        self.out.close()
        self.temporary.unlink(missing_ok=True)


def require_completed(task: TaskDetail) -> None:
    if task.status != "completed":
        raise AudiencesError(
            status=0,
            code="task_not_completed",
            detail=f"task {task.task_id} is {task.status}; "
            "only a completed task's export can be downloaded",
        )


def check_length(response: httpx.Response, path: Path) -> None:
    """A streamed body written to `path` is as long as its `Content-Length` said."""
    expected = response.headers.get("content-length")
    size = path.stat().st_size
    if expected is not None and expected.isdigit() and int(expected) != size:
        raise AudiencesError(
            status=0,
            code="size_mismatch",
            detail=f"{response.url}: got {size} bytes, Content-Length {expected}",
        )


def _by_path(manifest: Manifest, task: TaskDetail) -> Dict[str, ManifestFile]:
    if len(manifest.files) != len(task.files):
        raise AudiencesError(
            status=0,
            code="manifest_mismatch",
            detail=f"task {task.task_id} lists {len(task.files)} files, its manifest "
            f"{len(manifest.files)}",
        )
    return {entry.path: entry for entry in manifest.files}


def _fault(file: TaskFile, reason: str, code: str) -> AudiencesError:
    return AudiencesError(status=0, code=code, detail=f"{file.uri}: {reason}")
