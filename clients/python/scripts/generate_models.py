#!/usr/bin/env python3
"""Writes `src/audiences/models.py` from the API's OpenAPI document.

    python scripts/generate_models.py              # starts the server, reads its document
    python scripts/generate_models.py --from URL   # a running server's /openapi.json
    python scripts/generate_models.py --from FILE  # a saved document
    python scripts/generate_models.py --check      # exit 1 when models.py is stale

The document's schemas are inline (no operation ids, no named components but the problem
document), so the names come from the tables below, as `src/client/client-types.ts` names the
TypeScript client's types: each model says which routes answer it. A model named for several
routes must be the same schema in all of them, or the generator stops. Objects nested in a model are
named from their place (`TaskDetail.files[]` is `TaskFile`) and shared when two places hold the same
schema.

Answers become pydantic models that keep fields they do not know (a newer server does not break
an older client); request bodies become TypedDicts, the typed keyword arguments of the client's
methods. Descriptions become docstrings and comments. Constraints (lengths, ranges, patterns) are
left to the server, whose 400 names the field and what to change.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
import textwrap
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

HERE = Path(__file__).resolve().parent
MODELS_FILE = HERE.parent / "src" / "audiences" / "models.py"

Route = Tuple[str, str, str]
"""(method, path, status) of an answer, or (method, path, "body") of a request body."""

RESPONSES: List[Tuple[str, List[Route]]] = [
    ("Problem", [("component", "def-0", "")]),
    ("Health", [("get", "/healthz", "200"), ("get", "/readyz", "200")]),
    ("RegisterAnswer", [("post", "/auth/v1/register", "201")]),
    ("LoginAnswer", [("post", "/auth/v1/login", "200")]),
    ("PasswordChanged", [("post", "/auth/v1/password", "200")]),
    ("ApiKeyCreated", [("post", "/client/v1", "201")]),
    ("ApiKeyList", [("get", "/client/v1", "200")]),
    (
        "TaskAccepted",
        [
            ("post", "/api/v1/intent_hive_tasks", "202"),
            ("post", "/api/v1/generic_parquet_tasks", "202"),
            ("post", "/api/v1/tasks/{task_id}/unload", "202"),
            ("post", "/api/v1/tasks/{task_id}/cancel", "202"),
            ("post", "/api/v1/tasks/{task_id}/retry", "202"),
        ],
    ),
    (
        "TaskEstimate",
        [
            ("post", "/api/v1/intent_hive_tasks/estimate", "200"),
            ("post", "/api/v1/generic_parquet_tasks/estimate", "200"),
            ("post", "/api/v1/audiences/estimate", "200"),
        ],
    ),
    ("TaskDetail", [("get", "/api/v1/status/{task_id}", "200")]),
    ("Overlap", [("post", "/api/v1/overlap", "200")]),
    ("TaskPage", [("get", "/api/v1/status", "200")]),
    ("TaskPreview", [("get", "/api/v1/tasks/{task_id}/preview", "200")]),
    ("IntentCatalog", [("get", "/api/v1/catalog/intent", "200")]),
    ("TopicList", [("get", "/api/v1/catalog/intent/topics", "200")]),
    (
        "AudienceDetail",
        [
            ("post", "/api/v1/audiences", "201"),
            ("get", "/api/v1/audiences/{audience_id}", "200"),
            ("patch", "/api/v1/audiences/{audience_id}", "200"),
            ("post", "/api/v1/audiences/{audience_id}/resync", "200"),
        ],
    ),
    ("AudiencePage", [("get", "/api/v1/audiences", "200")]),
    ("AudienceRunStarted", [("post", "/api/v1/audiences/{audience_id}/runs", "202")]),
    ("AudienceRunPage", [("get", "/api/v1/audiences/{audience_id}/runs", "200")]),
    ("AudienceRun", [("get", "/api/v1/audiences/{audience_id}/runs/{run_id}", "200")]),
    ("WebhookCreated", [("post", "/api/v1/webhooks", "201")]),
    ("WebhookList", [("get", "/api/v1/webhooks", "200")]),
    ("WebhookDeliveryPage", [("get", "/api/v1/webhooks/{webhook_id}/deliveries", "200")]),
]

REQUESTS: List[Tuple[str, List[Route]]] = [
    ("RegisterParams", [("post", "/auth/v1/register", "body")]),
    ("LoginParams", [("post", "/auth/v1/login", "body")]),
    ("PasswordParams", [("post", "/auth/v1/password", "body")]),
    ("ApiKeyParams", [("post", "/client/v1", "body")]),
    (
        "IntentTaskParams",
        [
            ("post", "/api/v1/intent_hive_tasks", "body"),
            ("post", "/api/v1/intent_hive_tasks/estimate", "body"),
        ],
    ),
    (
        "GenericTaskParams",
        [
            ("post", "/api/v1/generic_parquet_tasks", "body"),
            ("post", "/api/v1/generic_parquet_tasks/estimate", "body"),
        ],
    ),
    ("AudienceParams", [("post", "/api/v1/audiences", "body")]),
    ("AudiencePatchParams", [("patch", "/api/v1/audiences/{audience_id}", "body")]),
    ("AudienceEstimateParams", [("post", "/api/v1/audiences/estimate", "body")]),
    ("WebhookParams", [("post", "/api/v1/webhooks", "body")]),
]

NESTED: Dict[str, str] = {
    "Problem.errors[]": "FieldError",
    "ApiKeyList.clients[]": "ApiKeyInfo",
    "TaskAccepted.warnings[]": "TaskWarning",
    "TaskDetail.error": "TaskError",
    "TaskDetail.audience": "TaskAudience",
    "TaskDetail.files[]": "TaskFile",
    "TopicList.topics[]": "Topic",
    "TaskDetail.breakdowns{}[]": "BreakdownEntry",
    "TaskDetail.delta": "TaskDelta",
    "TaskPage.tasks[]": "TaskSummary",
    "Overlap.sets[]": "OverlapSet",
    "Overlap.pairs[]": "OverlapPair",
    "Overlap.regions[]": "OverlapRegion",
    "TaskPreview.columns[]": "Column",
    "AudienceDetail.schedule|every": "ScheduleEvery",
    "AudienceDetail.schedule|cron": "ScheduleCron",
    "AudienceDetail.window": "AudienceWindow",
    "AudienceDetail.delivery": "AudienceDelivery",
    "AudienceDetail.last_run": "AudienceRun",
    "AudienceDetail.size_history[]": "AudienceSize",
    "AudiencePage.audiences[]": "AudienceSummary",
    "WebhookList.webhooks[]": "Webhook",
    "WebhookDeliveryPage.deliveries[]": "WebhookDelivery",
    "AudienceParams.window": "AudienceWindowParams",
    "AudienceParams.schedule|every": "ScheduleEveryParams",
    "AudienceParams.schedule|cron": "ScheduleCronParams",
    "AudienceParams.delivery": "AudienceDeliveryParams",
}

# Literal types worth a name, found at (method, path, status or "body", property path).
ENUMS: Dict[str, Tuple[str, str, str, str]] = {
    "TaskStatus": ("get", "/api/v1/status/{task_id}", "200", "status"),
    "TaskType": ("get", "/api/v1/status/{task_id}", "200", "type"),
    "AudienceRunStatus": ("get", "/api/v1/audiences/{audience_id}/runs/{run_id}", "200", "status"),
    "WebhookEvent": ("post", "/api/v1/webhooks", "body", "events[]"),
    "ApiScope": ("post", "/client/v1", "body", "scopes[]"),
}

# Keys that do not change a model's Python shape (the server checks them).
SHAPELESS = {
    "description",
    "examples",
    "example",
    "title",
    "maxLength",
    "minLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "pattern",
    "uniqueItems",
    "minProperties",
}

HEADER = '''"""The API's models, generated from the served `/openapi.json` by
`scripts/generate_models.py`: do not edit. Regenerate with
`python clients/python/scripts/generate_models.py` (see the package README).

Answers are pydantic models that keep the fields they do not know, so a newer server does not break
this client; request bodies are TypedDicts, the keyword arguments of the client's methods.
"""

# ruff: noqa: E501
'''

WIDTH = 100


class GeneratorError(Exception):
    pass


@dataclass
class FieldDef:
    name: str
    wire: str
    annotation: str
    required: bool
    default: Optional[str]
    description: str


@dataclass
class ClassDef:
    name: str
    side: str  # "response" (pydantic) or "request" (TypedDict)
    doc: str
    fields: List[FieldDef] = field(default_factory=list)
    alias_of: Optional[str] = None


class Generator:
    def __init__(self, document: Dict[str, Any]) -> None:
        self.doc = document
        self.classes: List[ClassDef] = []
        self.names: Dict[str, str] = {}  # class name -> canonical key
        self.by_key: Dict[Tuple[str, str], str] = {}
        self.imports: Set[str] = set()
        self.enums: Dict[Tuple[Any, ...], str] = {}
        self.enum_defs: List[Tuple[str, str]] = []

    # --- reading the document ---

    def resolve(self, schema: Any) -> Dict[str, Any]:
        if not isinstance(schema, dict):
            raise GeneratorError(f"not a schema: {schema!r}")
        ref = schema.get("$ref")
        if isinstance(ref, str):
            prefix = "#/components/schemas/"
            if not ref.startswith(prefix):
                raise GeneratorError(f"unsupported $ref {ref}")
            return self.resolve(self.doc["components"]["schemas"][ref[len(prefix) :]])
        return schema

    def located(self, route: Route) -> Tuple[Dict[str, Any], str]:
        """The schema at a route and the description of its answer."""
        method, path, where = route
        if method == "component":
            schema = self.doc["components"]["schemas"][path]
            return self.resolve(schema), ""
        try:
            operation = self.doc["paths"][path][method]
            holder = operation["requestBody"] if where == "body" else operation["responses"][where]
            schema = holder["content"]["application/json"]["schema"]
        except KeyError as error:
            raise GeneratorError(
                f"{method.upper()} {path} {where}: not in the document ({error})"
            ) from error
        return self.resolve(schema), str(holder.get("description", ""))

    def canonical(self, schema: Any) -> str:
        def strip(value: Any) -> Any:
            if isinstance(value, dict):
                value = self.resolve(value) if "$ref" in value else value
                return {k: strip(v) for k, v in value.items() if k not in SHAPELESS}
            if isinstance(value, list):
                return [strip(item) for item in value]
            return value

        return json.dumps(strip(schema), sort_keys=True)

    # --- types ---

    def annotation(self, schema: Any, place: str, side: str, doc: str = "") -> str:
        schema = self.resolve(schema)
        members = schema.get("anyOf") or schema.get("oneOf")
        kind = schema.get("type")
        if isinstance(kind, list):
            members = [{**schema, "type": one} for one in kind]
        if members:
            nullable = any(self.resolve(m).get("type") == "null" for m in members)
            rest = [self.resolve(m) for m in members if self.resolve(m).get("type") != "null"]
            if rest and all(literal_values(m) is not None for m in rest):
                values: List[Any] = []
                for member in rest:
                    values.extend(literal_values(member) or [])
                inner = self.literal(values)
            else:
                objects = [m for m in rest if is_model(m)]
                rendered = []
                for member in rest:
                    where = place
                    if len(objects) > 1 and member in objects:
                        where = f"{place}|{union_tag(member)}"
                    rendered.append(self.annotation(member, where, side, doc))
                inner = rendered[0] if len(rendered) == 1 else self.union(rendered)
            if not rest:
                return "None"
            return self.optional(inner) if nullable else inner
        found = literal_values(schema)
        if found is not None:
            return self.literal(found)
        if kind == "string":
            if schema.get("format") == "date-time" and side == "response":
                self.imports.add("datetime")
                return "datetime"
            return "str"
        if kind == "integer":
            return "int"
        if kind == "number":
            return "float"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "None"
        if kind == "array":
            self.imports.add("List")
            items = self.annotation(schema.get("items", {}), place + "[]", side, doc)
            return f"List[{items}]"
        if kind == "object" or "properties" in schema:
            if is_model(schema):
                return self.define(schema, place, side, doc)
            extra = schema.get("additionalProperties")
            value = "Any"
            if isinstance(extra, dict) and extra:
                value = self.annotation(extra, place + "{}", side, doc)
            if value == "Any":
                self.imports.add("Any")
            mapping = "Mapping" if side == "request" else "Dict"
            self.imports.add(mapping)
            return f"{mapping}[str, {value}]"
        self.imports.add("Any")
        return "Any"

    def literal(self, values: List[Any]) -> str:
        named = self.enums.get(tuple(values))
        if named is not None:
            return named
        self.imports.add("Literal")
        return f"Literal[{', '.join(python_literal(v) for v in values)}]"

    def optional(self, inner: str) -> str:
        if inner in ("Any", "None") or inner.startswith("Optional["):
            return inner
        self.imports.add("Optional")
        return f"Optional[{inner}]"

    def union(self, members: List[str]) -> str:
        self.imports.add("Union")
        return f"Union[{', '.join(members)}]"

    # --- models ---

    def define(self, schema: Dict[str, Any], place: str, side: str, doc: str) -> str:
        """The class of an object schema: defined once per shape and side, named for `place`."""
        key = (side, self.canonical(schema))
        known = self.by_key.get(key)
        if known is not None:
            return known
        name = NESTED.get(place) or (place if "." not in place else automatic_name(place, side))
        if name in self.names:
            raise GeneratorError(
                f"{place}: the name {name} is taken by another schema; name it in NESTED"
            )
        self.names[name] = key[1]
        self.by_key[key] = name
        if "|" in place:
            owner, _, tag = place.partition("|")
            doc = f"`{owner}` in its `{tag}` form."
        definition = ClassDef(name=name, side=side, doc=schema.get("description") or doc)
        required = set(schema.get("required", []))
        for wire, raw in schema.get("properties", {}).items():
            prop = self.resolve(raw)
            annotation = self.annotation(prop, f"{name}.{wire}", side, describe(prop))
            default = None
            if wire not in required and side == "response":
                default = python_default(prop)
                if default is None:
                    annotation = self.optional(annotation)
                    default = "None"
            definition.fields.append(
                FieldDef(
                    name=python_name(wire),
                    wire=wire,
                    annotation=annotation,
                    required=wire in required,
                    default=default,
                    description=describe(prop),
                )
            )
        self.classes.append(definition)
        return name

    def top_level(self, name: str, routes: List[Route], side: str) -> None:
        schemas = [self.located(route) for route in routes]
        first, description = schemas[0]
        for (schema, _), route in zip(schemas[1:], routes[1:]):
            if self.canonical(schema) != self.canonical(first):
                raise GeneratorError(
                    f"{name}: {source_text(route)} is another schema than "
                    f"{source_text(routes[0])}: give it a model of its own"
                )
        sources = ", ".join(source_text(route) for route in routes)
        doc = (first.get("description") or description).strip()
        what = "The body of" if side == "request" else "The answer of"
        doc = f"{doc}\n\n{what} {sources}." if doc else f"{what} {sources}."
        key = (side, self.canonical(first))
        known = self.by_key.get(key)
        if known is not None and known != name:
            self.classes.append(ClassDef(name=name, side=side, doc=doc, alias_of=known))
            self.names[name] = key[1]
            return
        defined = self.define(first, name, side, doc)
        for definition in self.classes:
            if definition.name == defined and not definition.alias_of:
                definition.doc = doc

    def name_enums(self) -> None:
        for name, (method, path, where, pointer) in ENUMS.items():
            schema, _ = self.located((method, path, where))
            for step in pointer.split("."):
                items = step.endswith("[]")
                schema = self.resolve(schema["properties"][step.removesuffix("[]")])
                if items:
                    schema = self.resolve(schema["items"])
            values = literal_values(schema)
            if values is None:
                raise GeneratorError(f"{name}: {pointer} of {method.upper()} {path} is no enum")
            self.imports.add("Literal")
            rendered = f"Literal[{', '.join(python_literal(v) for v in values)}]"
            self.enum_defs.append((name, rendered))
            self.enums[tuple(values)] = name

    def run(self) -> str:
        self.name_enums()
        for name, routes in RESPONSES:
            self.top_level(name, routes, "response")
        for name, routes in REQUESTS:
            self.top_level(name, routes, "request")
        return self.render()

    # --- text ---

    def render(self) -> str:
        out: List[str] = [HEADER, "from __future__ import annotations", ""]
        if "datetime" in self.imports:
            out += ["from datetime import datetime"]
        typing_names = sorted(
            n
            for n in self.imports
            if n in {"Any", "Dict", "List", "Literal", "Mapping", "Optional", "Union"}
        )
        typing_names = [n for n in typing_names if n != "Literal"] + (
            ["Literal"] if "Literal" in self.imports else []
        )
        out += [f"from typing import {', '.join(sorted(typing_names))}", ""]
        out += ["from pydantic import BaseModel, ConfigDict, Field"]
        extensions = ["Required", "TypedDict"] if self.requests() else []
        if extensions:
            out += [f"from typing_extensions import {', '.join(extensions)}"]
        out += [
            "",
            "",
            "class ResponseModel(BaseModel):",
            '    """Base of every answer: fields the document does not list are kept."""',
            "",
            '    model_config = ConfigDict(extra="allow", populate_by_name=True)',
            "",
        ]
        for name, rendered in self.enum_defs:
            out += ["", f"{name} = {rendered}"]
        out += [""]
        for definition in self.classes:
            out += ["", *self.render_class(definition), ""]
        text = "\n".join(out).rstrip() + "\n"
        if "Field(" not in text.split("class ResponseModel", 1)[1]:
            text = text.replace(
                "from pydantic import BaseModel, ConfigDict, Field",
                "from pydantic import BaseModel, ConfigDict",
            )
        return re.sub(r"\n{4,}", "\n\n\n", text)

    def requests(self) -> bool:
        return any(c.side == "request" for c in self.classes)

    def render_class(self, definition: ClassDef) -> List[str]:
        if definition.alias_of:
            note = f"{definition.doc} (The schema of {definition.alias_of}.)"
            return [*comment(note, ""), f"{definition.name} = {definition.alias_of}"]
        if definition.side == "request":
            head = f"class {definition.name}(TypedDict, total=False):"
        else:
            head = f"class {definition.name}(ResponseModel):"
        lines = [head, *docstring(definition.doc or definition.name, "    ")]
        if not definition.fields:
            return [*lines, "", "    pass"] if len(lines) == 1 else lines
        for spec in definition.fields:
            lines.append("")
            if definition.side == "request":
                lines += comment(spec.description, "    ")
                annotation = f"Required[{spec.annotation}]" if spec.required else spec.annotation
                if spec.name != spec.wire:
                    raise GeneratorError(
                        f"{definition.name}.{spec.wire}: a request field needs a Python name"
                    )
                lines.append(f"    {spec.name}: {annotation}")
                continue
            value = ""
            if spec.name != spec.wire:
                default = f"{spec.default}, " if spec.default is not None else ""
                value = f" = Field({default}alias={spec.wire!r})"
            elif spec.default is not None:
                value = f" = {spec.default}"
            lines.append(f"    {spec.name}: {spec.annotation}{value}")
            if spec.description:
                lines += docstring(spec.description, "    ")
        return lines


# --- helpers ---


def literal_values(schema: Dict[str, Any]) -> Optional[List[Any]]:
    if "const" in schema:
        return [schema["const"]]
    if isinstance(schema.get("enum"), list):
        return list(schema["enum"])
    return None


def is_model(schema: Dict[str, Any]) -> bool:
    return isinstance(schema.get("properties"), dict) and bool(schema["properties"])


def union_tag(schema: Dict[str, Any]) -> str:
    required = schema.get("required") or list(schema.get("properties", {}))
    return str(required[0])


def python_literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def python_default(schema: Dict[str, Any]) -> Optional[str]:
    value = schema.get("default")
    if isinstance(value, (bool, int, float, str)):
        return python_literal(value)
    return None


def python_name(wire: str) -> str:
    name = re.sub(r"\W", "_", wire)
    if not name or name[0].isdigit():
        name = f"_{name}"
    if keyword.iskeyword(name) or name in RESERVED:
        name = f"{name}_"
    return name


# Attributes of pydantic's BaseModel a field must not shadow.
RESERVED = {
    "construct",
    "copy",
    "dict",
    "json",
    "schema",
    "schema_json",
    "validate",
    "fields",
    "model_config",
    "model_fields",
}


def pascal(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", text) if part)


def automatic_name(place: str, side: str) -> str:
    """`Owner.some_field[]` -> `OwnerSomeField`; request types end in Params."""
    owner, _, rest = place.partition(".")
    if side == "request":
        owner = owner.removesuffix("Params")
    name = owner + pascal(rest.replace("[]", "").replace("{}", "").replace("|", "_"))
    return name + "Params" if side == "request" else name


def describe(schema: Dict[str, Any]) -> str:
    text = schema.get("description")
    if not text:
        for member in schema.get("anyOf", []):
            if isinstance(member, dict) and member.get("description"):
                text = member["description"]
                break
    default = schema.get("default")
    line = str(text or "").strip()
    if default is not None and "default" not in line.lower():
        line = f"{line} (default {json.dumps(default)})".strip()
    return line


def source_text(route: Route) -> str:
    method, path, where = route
    if method == "component":
        return f"every error (`#/components/schemas/{path}`)"
    if where == "body":
        return f"`{method.upper()} {path}`"
    return f"`{method.upper()} {path}` ({where})"


def docstring(text: str, indent: str) -> List[str]:
    text = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    paragraphs = text.split("\n\n")
    lines: List[str] = []
    for number, paragraph in enumerate(paragraphs):
        if number:
            lines.append("")
        lines += textwrap.wrap(
            " ".join(paragraph.split()),
            WIDTH - len(indent) - 3,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
    if lines[-1].endswith('"'):
        lines[-1] = lines[-1][:-1] + '\\"'
    if len(lines) == 1 and len(indent) + len(lines[0]) + 6 <= WIDTH:
        return [f'{indent}"""{lines[0]}"""']
    body = [f"{indent}{line}" if line else "" for line in lines]
    return [f'{indent}"""{body[0].lstrip()}', *body[1:], f'{indent}"""']


def comment(text: str, indent: str) -> List[str]:
    if not text:
        return []
    wrapped = textwrap.wrap(
        " ".join(text.split()),
        WIDTH - len(indent) - 2,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [f"{indent}# {line}" for line in wrapped]


def generate(document: Any) -> str:
    """The text of models.py for an OpenAPI document."""
    if not isinstance(document, dict) or "paths" not in document:
        raise GeneratorError("not an OpenAPI document (no paths)")
    return Generator(document).run()


def read_document(source: str) -> Any:
    if re.match(r"^https?://", source):
        url = source if source.endswith(".json") else source.rstrip("/") + "/openapi.json"
        with urllib.request.urlopen(url, timeout=30) as answer:
            return json.load(answer)
    return json.loads(Path(source).read_text())


def served_document() -> Any:
    """The document of a server started for the purpose (no demo data), then stopped."""
    sys.path.insert(0, str(HERE))
    from local_server import LocalServer

    with LocalServer() as server:
        return server.document()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--from",
        dest="source",
        help="an OpenAPI JSON file, or a server's URL; default: start the server and read it",
    )
    parser.add_argument("--out", default=str(MODELS_FILE), help="where to write")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when different")
    args = parser.parse_args(argv)
    document = read_document(args.source) if args.source else served_document()
    text = generate(document)
    out = Path(args.out)
    if args.check:
        if not out.exists() or out.read_text() != text:
            print(f"{out} is stale: run {Path(__file__).name} without --check", file=sys.stderr)
            return 1
        print(f"{out} is up to date")
        return 0
    out.write_text(text)
    print(f"wrote {out} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
