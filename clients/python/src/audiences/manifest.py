"""`manifest.json` of a completed export. Not generated: the API serves it through a redirect to a
signed link, so the OpenAPI document has no schema of it; the shape is the server's
`ExportManifest` (src/tasks/manifest-document.ts), and the tests read real manifests with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from pydantic import Field

from .models import ResponseModel


class ManifestColumn(ResponseModel):
    name: str
    type: str
    """The DuckDB type written (before CSV turns lists into JSON text)."""


class ManifestFile(ResponseModel):
    path: str
    """Relative to the task's folder: `day=…/prefix=…/score=…/data_0.parquet`"""
    partition: str
    rows: int
    bytes: int
    sha256: Optional[str]
    """Taken by the worker before upload; null for a copy an object store made."""


class Manifest(ResponseModel):
    """What a consumer needs to load an export and check it: written last, before `_SUCCESS`."""

    task_id: str
    type: str
    request: Any
    created_at: datetime
    completed_at: datetime
    format: str
    compression: str
    columns: List[ManifestColumn] = Field(alias="schema")
    """The columns written, in order (`schema` in the file)."""
    total_rows: int
    files: List[ManifestFile]
    audience: Optional[Dict[str, Any]] = None
    """A saved audience's run: which, the days it read, and its delta."""
