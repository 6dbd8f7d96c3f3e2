"""A downloaded Parquet export as one Arrow table, typed by its manifest (`audiences[arrow]`)."""

from __future__ import annotations

import importlib
import re
from typing import Any, List, Optional, Sequence

from ._download import DownloadedFile
from .errors import AudiencesError
from .manifest import Manifest


def _module(name: str, extra: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(f"{name} is needed for this: pip install 'audiences[{extra}]'") from error


def arrow_type(pa: Any, duckdb_type: str) -> Optional[Any]:
    """The Arrow type of a DuckDB column type; None for one this does not map (read as written)."""
    text = duckdb_type.strip().upper()
    if text.endswith("[]"):
        inner = arrow_type(pa, text[:-2])
        return None if inner is None else pa.list_(inner)
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", text)
    if decimal:
        return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
    simple = {
        "VARCHAR": pa.string(),
        "BOOLEAN": pa.bool_(),
        "TINYINT": pa.int8(),
        "SMALLINT": pa.int16(),
        "INTEGER": pa.int32(),
        "BIGINT": pa.int64(),
        "UTINYINT": pa.uint8(),
        "USMALLINT": pa.uint16(),
        "UINTEGER": pa.uint32(),
        "UBIGINT": pa.uint64(),
        "FLOAT": pa.float32(),
        "DOUBLE": pa.float64(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
        "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC"),
        "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
        "BLOB": pa.binary(),
        "UUID": pa.string(),
    }
    return simple.get(text)


def manifest_schema(manifest: Manifest) -> Any:
    """The Arrow schema of the manifest's columns; None when a type does not map."""
    pa = _module("pyarrow", "arrow")
    fields = []
    for column in manifest.columns:
        kind = arrow_type(pa, column.type)
        if kind is None:
            return None
        fields.append(pa.field(column.name, kind))
    return pa.schema(fields)


def read_table(files: Sequence[DownloadedFile], manifest: Manifest) -> Any:
    """One `pyarrow.Table` of every file, its columns in the manifest's order and types (an
    export without rows gives an empty table of that schema).
    """
    if manifest.format != "parquet":
        raise AudiencesError(
            status=0,
            code="unsupported_format",
            detail=f"task {manifest.task_id} exported {manifest.format}; "
            "to_arrow reads Parquet exports (download() fetches any format)",
        )
    pa = _module("pyarrow", "arrow")
    parquet = _module("pyarrow.parquet", "arrow")
    schema = manifest_schema(manifest)
    names = [column.name for column in manifest.columns]
    tables: List[Any] = [parquet.read_table(str(file.path)) for file in files]
    if not tables:
        if schema is None:
            raise AudiencesError(
                status=0,
                code="unsupported_schema",
                detail=f"task {manifest.task_id} has no rows and a column type Arrow is not given",
            )
        return schema.empty_table()
    table = pa.concat_tables(tables, promote_options="permissive").select(names)
    return table if schema is None else table.cast(schema)


def require_pandas() -> None:
    try:
        importlib.import_module("pandas")
    except ImportError as error:
        raise ImportError(
            "to_pandas needs pandas besides audiences[arrow]: pip install pandas"
        ) from error
