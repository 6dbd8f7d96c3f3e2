"""The API's models, generated from the served `/openapi.json` by
`scripts/generate_models.py`: do not edit. Regenerate with
`python clients/python/scripts/generate_models.py` (see the package README).

Answers are pydantic models that keep the fields they do not know, so a newer server does not break
this client; request bodies are TypedDicts, the keyword arguments of the client's methods.
"""

# ruff: noqa: E501

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Literal, Mapping, Optional, Union

from pydantic import BaseModel, ConfigDict
from typing_extensions import Required, TypedDict


class ResponseModel(BaseModel):
    """Base of every answer: fields the document does not list are kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


TaskStatus = Literal["in_progress", "counted", "unloading", "completed", "failed", "cancelled"]

TaskType = Literal["intent_hive", "generic_parquet"]

AudienceRunStatus = Literal["in_progress", "counted", "unloading", "completed", "failed", "cancelled", "skipped", "expired"]

WebhookEvent = Literal["task.counted", "task.completed", "task.failed", "task.cancelled", "audience.run.completed", "audience.run.failed", "audience.run.skipped"]

ApiScope = Literal["read", "write", "admin"]


class FieldError(ResponseModel):
    """With validation problems: one entry per offending field"""

    field: str
    """The offending field: a body path (days[0]), or query., params. or a header name"""

    message: str
    """What is wrong with it and what to send instead"""


class Problem(ResponseModel):
    """RFC 9457 problem document

    The answer of every error (`#/components/schemas/def-0`).
    """

    type: str
    """A URI naming the kind of problem: https://audiences.dev/problems/ and the code"""

    title: str
    """A short summary, the same for every problem of the code"""

    status: int
    """The HTTP status of the answer"""

    detail: str
    """What went wrong with this request and what to change; never an internal message"""

    code: str
    """Stable error code to branch on (docs/errors.md lists every one)"""

    errors: Optional[List[FieldError]] = None
    """With validation problems: one entry per offending field"""


class Health(ResponseModel):
    """Up (and, for readiness, every dependency reachable)

    The answer of `GET /healthz` (200), `GET /readyz` (200).
    """

    status: str
    """ok"""

    checks: Optional[Dict[str, str]] = None
    """Readiness: each dependency (store, queue) and ok"""


class RegisterAnswer(ResponseModel):
    """Registered: log in with POST /auth/v1/login

    The answer of `POST /auth/v1/register` (201).
    """

    user_id: str
    """The new user"""

    organization_id: str
    """The new organisation, owned by the user"""

    organization_name: str
    """Name of the organisation"""

    email: str
    """E-mail address, as registered"""

    first_name: str
    """First name"""

    last_name: str
    """Last name"""

    created_at: datetime
    """When it was created (UTC)"""


class LoginAnswer(ResponseModel):
    """Logged in: the bearer token and when it expires

    The answer of `POST /auth/v1/login` (200).
    """

    user_id: str
    """The user who logged in"""

    organization_id: str
    """The user's organisation"""

    token: str
    """A JWT naming a new login session: send it as Authorization: Bearer <token>. It works until
    expires_at, or until the session ends (POST /auth/v1/logout, or a password change elsewhere)
    """

    token_type: Literal["Bearer"]
    """Always Bearer"""

    expires_at: datetime
    """When the token stops working (UTC)"""


class PasswordChanged(ResponseModel):
    """Changed: the new password logs in from now on; every other session has ended

    The answer of `POST /auth/v1/password` (200).
    """

    user_id: str
    """The user whose password changed"""

    other_sessions_ended: int
    """How many of the user's other login sessions were ended: their tokens and cookies are refused
    from now on (401 session_ended). The session that made the change goes on.
    """

    changed_at: datetime
    """When the password changed (UTC)"""


class ApiKeyCreated(ResponseModel):
    """Created: keep the key and secret, they are not shown again

    The answer of `POST /client/v1` (201).
    """

    client_id: str
    """The API client: revoke it with DELETE /client/v1/{client_id}"""

    name: str
    """The name given at creation"""

    api_key: str
    """Shown this once; send it as X-API-Key"""

    api_secret: str
    """Shown this once; stored only as a hash"""

    key_prefix: str
    """The first characters of api_key, to tell keys apart in lists"""

    scopes: List[ApiScope]
    """What the key may do (read: task status and lists, the catalog, estimates, previews,
    manifests, archives and downloads; write: create, unload, cancel and retry tasks, save,
    change, run, resync and delete audiences; admin: webhooks)
    """

    created_at: datetime
    """When it was created (UTC)"""


class ApiKeyInfo(ResponseModel):
    """The organisation's API clients"""

    client_id: str
    """The API client"""

    name: str
    """The name given at creation"""

    key_prefix: str
    """The first characters of its key, to tell keys apart"""

    scopes: List[ApiScope]
    """What its key may do: read, write, admin"""

    created_at: datetime
    """When it was created (UTC)"""

    revoked_at: Optional[datetime]
    """When it was revoked (its key no longer works); null while active"""


class ApiKeyList(ResponseModel):
    """The organisation's API clients, revoked ones included

    The answer of `GET /client/v1` (200).
    """

    clients: List[ApiKeyInfo]
    """The organisation's API clients"""


class TaskWarning(ResponseModel):
    """Intent requests over the server's tree: each requested day, prefix or score with no data,
    which counts as 0 (with strict: true the create answers 400 instead). With a profile: people
    below the platform's minimum audience. Empty when there is nothing to warn of
    """

    code: Literal["no_data", "below_platform_minimum"]
    """no_data: the request names values the data holds no rows for. below_platform_minimum: a
    profile export has fewer people than the platform's minimum audience
    """

    field: Literal["days", "topic_id_prefixes", "scores", "profile"]
    """The request field naming them"""

    values: List[str]
    """no_data: the values with no data (the first 20); below_platform_minimum: the profile"""

    truncated: bool
    """More values have no data than listed"""

    message: str
    """What to check, e.g. a typo in a prefix"""

    people: Optional[int] = None
    """below_platform_minimum: the people counted (at an estimate, at most this many: rows from
    footers)
    """

    minimum: Optional[int] = None
    """below_platform_minimum: the platform's minimum audience size"""


class TaskAccepted(ResponseModel):
    """Accepted: the task runs in the background; Location names its status

    The answer of `POST /api/v1/intent_hive_tasks` (202), `POST /api/v1/generic_parquet_tasks`
    (202), `POST /api/v1/tasks/{task_id}/unload` (202), `POST /api/v1/tasks/{task_id}/cancel`
    (202), `POST /api/v1/tasks/{task_id}/retry` (202).
    """

    task_id: str
    """The task: follow it at GET /api/v1/status/{task_id}"""

    status: TaskStatus
    """in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the
    final completed, failed (can be retried) or cancelled
    """

    total_jobs: int
    """Jobs of the current phase (count or export)"""

    completed_jobs: int
    """Jobs of the current phase done so far: the progress"""

    warnings: Optional[List[TaskWarning]] = None
    """Intent requests over the server's tree: each requested day, prefix or score with no data,
    which counts as 0 (with strict: true the create answers 400 instead). With a profile: people
    below the platform's minimum audience. Empty when there is nothing to warn of
    """


class TaskEstimate(ResponseModel):
    """What the task would read; nothing was stored

    The answer of `POST /api/v1/intent_hive_tasks/estimate` (200), `POST
    /api/v1/generic_parquet_tasks/estimate` (200), `POST /api/v1/audiences/estimate` (200).
    """

    partitions: int
    """Partitions the request covers: days × prefixes × scores, or the folders of a generic tree"""

    partitions_with_data: int
    """Partitions holding at least one Parquet file"""

    missing_partitions: List[str]
    """Requested partitions holding no Parquet file, in request order: the first 100"""

    missing_partitions_truncated: bool
    """More partitions are missing than listed"""

    files: int
    """Parquet files the task would read"""

    bytes: int
    """Input bytes the task would read"""

    rows: int
    """Rows in those files, from their footers: exact without where_expr, an upper bound with it"""

    rows_exact: bool
    """false when where_expr may leave rows out"""

    warnings: Optional[List[TaskWarning]] = None
    """Intent requests over the server's tree: each requested day, prefix or score with no data,
    which counts as 0 (with strict: true the create answers 400 instead). With a profile: people
    below the platform's minimum audience. Empty when there is nothing to warn of
    """


class TaskError(ResponseModel):
    """Why the task failed; null unless failed"""

    code: str
    """A task error code (docs/errors.md, "Task errors")"""

    message: str
    """What failed and, where you can act, what to change"""


class TaskAudience(ResponseModel):
    """The saved audience whose run this task is; null for a task created directly"""

    audience_id: str
    """The saved audience"""

    run_id: str
    """The run of the audience this task is"""

    name: str
    """The audience's name"""

    version: int
    """The audience's version the run read"""


class TaskFile(ResponseModel):
    """Every exported file, by partition"""

    partition: str
    """The partition (a key of counts and outputs) the file belongs to"""

    uri: str
    """Where the file is stored: a local path, or s3:// or gs://"""

    url: str
    """Signed, expiring download link of the file"""

    rows: int
    """Rows in the file"""

    size_bytes: int
    """Size of the file in bytes"""

    sha256: Optional[str]
    """Hex SHA-256 of the file, as manifest.json lists it (null for files exported before checksums)
    """


class TaskDetailHeldBack(ResponseModel):
    """A people export with a holdout, once exported: the files of the parts not delivered, kept in
    the service's own area and never in your output (no download link); manifest.json lists them
    too. Null before and without splits
    """

    split: str
    """The part (deliver: false) the file holds"""

    path: str
    """The file, relative to the task's folder of the service's own area (which is not shown):
    `split=NAME/data_0.parquet`, or `split=NAME/added/…` for a delta run
    """

    rows: int
    """People in the file"""

    size_bytes: int
    """Size of the file in bytes"""

    sha256: Optional[str]
    """Hex SHA-256 of the file"""


class BreakdownEntry(ResponseModel):
    """Per breakdown_by column: its top 50 values by count (then value), and one "(other)" entry
    summing the rest when there are more; null until counted, and without breakdown_by
    """

    value: Any
    """The value (null for NULL), or "(other)" for the rest"""

    count: int
    """Rows with the value"""

    unique_count: Optional[int] = None
    """Distinct unique_by values (with unique_by)"""


class TaskDelta(ResponseModel):
    """A saved audience's delta run, once counted: its members, who joined (added, exported under
    the key "added") and who left (removed, under "removed") since previous_run_id; baseline new:
    every member is added. Null for other tasks
    """

    baseline: Literal["new", "previous"]
    """new: every member counts as added; previous: compared with previous_run_id"""

    previous_run_id: Optional[str]
    """The run compared with; null with baseline new"""

    members: int
    """People in the audience at this run"""

    added: int
    """Members who joined since the previous run"""

    removed: int
    """Members who left since the previous run"""

    kept: int
    """Members in both runs"""


class TaskDetail(ResponseModel):
    """The task: its progress, counts, and once exported its files and signed links

    The answer of `GET /api/v1/status/{task_id}` (200).
    """

    task_id: str
    """The task: follow it at GET /api/v1/status/{task_id}"""

    name: Optional[str]
    """The name given at creation (trimmed); null without one (a saved audience's run goes by the
    audience's name, in audience)
    """

    type: TaskType
    """intent_hive: created with POST /api/v1/intent_hive_tasks; generic_parquet: with POST
    /api/v1/generic_parquet_tasks
    """

    status: TaskStatus
    """in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the
    final completed, failed (can be retried) or cancelled
    """

    total_jobs: int
    """Jobs of the current phase (count or export)"""

    completed_jobs: int
    """Jobs of the current phase done so far: the progress"""

    failed_jobs: int
    """Jobs of the current phase that failed for good"""

    total_count: Optional[int]
    """Rows of the whole segment (people with output: people); null until counted"""

    error: Optional[TaskError]
    """Why the task failed; null unless failed"""

    audience: Optional[TaskAudience]
    """The saved audience whose run this task is; null for a task created directly"""

    created_at: datetime
    """When the task was created (UTC)"""

    updated_at: datetime
    """When the task last changed (UTC)"""

    completed_at: Optional[datetime]
    """When the task ended (completed, failed or cancelled); null before"""

    expires_at: datetime
    """When the task and its files are removed (TASK_TTL after creation)"""

    counts: Dict[str, int]
    """Rows per partition"""

    outputs: Dict[str, str]
    """Storage folder of each exported partition"""

    output_links: List[str]
    """One signed, expiring download URL per file"""

    files: List[TaskFile]
    """Every exported file, by partition"""

    warnings: List[TaskWarning]
    """What the create warned about, kept with the task: each requested day, prefix or score the
    intent tree held no rows for at that time (counted as 0); with a profile, once counted,
    people below the platform's minimum audience. Empty when there is none
    """

    manifest_url: Optional[str]
    """Signed, expiring link to the export's manifest.json (every file with its rows, bytes and
    sha256, the schema and the request); written, then an empty _SUCCESS, when the export
    completes. Null before
    """

    unique_count: Optional[int]
    """Distinct non-null values of unique_by over the whole segment (a value in several partitions
    counts once); null until counted, and without unique_by
    """

    unique_counts: Optional[Dict[str, int]]
    """Distinct values of unique_by per partition; null until counted, and without unique_by"""

    invalid_identifiers: Optional[int]
    """A profile export: distinct identifier values of the segment that are not a hex SHA-256 (64
    hex characters), left out of the files and of the people counted; null until counted (or
    exported, for a task that exports at once), and without a profile
    """

    split_counts: Optional[Dict[str, int]]
    """A people export with splits: the people of every part by name, delivered or not (a holdout
    too); null until counted (or exported, for a task that exports at once), and without splits
    """

    held_back: Optional[List[TaskDetailHeldBack]]
    """A people export with a holdout, once exported: the files of the parts not delivered, kept in
    the service's own area and never in your output (no download link); manifest.json lists them
    too. Null before and without splits
    """

    breakdowns: Optional[Dict[str, List[BreakdownEntry]]]
    """Per breakdown_by column: its top 50 values by count (then value), and one "(other)" entry
    summing the rest when there are more; null until counted, and without breakdown_by
    """

    delta: Optional[TaskDelta]
    """A saved audience's delta run, once counted: its members, who joined (added, exported under
    the key "added") and who left (removed, under "removed") since previous_run_id; baseline new:
    every member is added. Null for other tasks
    """

    request: Any
    """The normalised request"""


class OverlapSet(ResponseModel):
    """Each set, in the order the request named them"""

    key: str
    """The set: A, B, C … in the order the request named them"""

    task_id: str
    """The task whose segment is the set"""

    audience_id: Optional[str]
    """The saved audience whose last completed run the task is; null when tasks were named"""

    name: Optional[str]
    """The task's or the audience's name, when it has one"""

    size: int
    """Distinct non-null unique_by values of the segment (people rules applied)"""


class OverlapPair(ResponseModel):
    """Every pair of sets (A-B, A-C, … B-C …): the pairwise matrix"""

    a: str
    """The set: A, B, C … in the order the request named them"""

    b: str
    """The set: A, B, C … in the order the request named them"""

    intersection: int
    """Members of both sets"""

    union: int
    """Members of either set"""

    jaccard: float
    """intersection / union (0 when both sets are empty)"""


class OverlapRegion(ResponseModel):
    """For 2 or 3 sets, every region of the Venn diagram (only A, only B, A and B not C, …, A and B
    and C), sizes summing to union; null for 4 or more sets (use pairs)
    """

    sets: List[str]
    """The sets the region lies in; it lies outside every other set"""

    size: int
    """Members in exactly these sets"""


class Overlap(ResponseModel):
    """How the sets overlap, counted exactly

    The answer of `POST /api/v1/overlap` (200).
    """

    unique_by: str
    """The column whose distinct non-null values are the members of every set"""

    sets: List[OverlapSet]
    """Each set, in the order the request named them"""

    union: int
    """Members of at least one set"""

    pairs: List[OverlapPair]
    """Every pair of sets (A-B, A-C, … B-C …): the pairwise matrix"""

    regions: Optional[List[OverlapRegion]]
    """For 2 or 3 sets, every region of the Venn diagram (only A, only B, A and B not C, …, A and B
    and C), sizes summing to union; null for 4 or more sets (use pairs)
    """

    passes: int
    """Hash passes the members were counted in: 1, or more when the sets' input is larger than one
    count job's (each pass reads every set and keeps the members whose hash falls in it, so it
    holds a share of them); the figures are exact either way
    """


class TaskSummary(ResponseModel):
    """A page of tasks, newest first"""

    task_id: str
    """The task: follow it at GET /api/v1/status/{task_id}"""

    name: Optional[str]
    """The name given at creation (trimmed); null without one (a saved audience's run goes by the
    audience's name, in audience)
    """

    type: TaskType
    """intent_hive: created with POST /api/v1/intent_hive_tasks; generic_parquet: with POST
    /api/v1/generic_parquet_tasks
    """

    status: TaskStatus
    """in_progress (counting), counted (waiting for POST .../unload), unloading (exporting), or the
    final completed, failed (can be retried) or cancelled
    """

    total_jobs: int
    """Jobs of the current phase (count or export)"""

    completed_jobs: int
    """Jobs of the current phase done so far: the progress"""

    failed_jobs: int
    """Jobs of the current phase that failed for good"""

    total_count: Optional[int]
    """Rows of the whole segment (people with output: people); null until counted"""

    error: Optional[TaskError]
    """Why the task failed; null unless failed"""

    audience: Optional[TaskAudience]
    """The saved audience whose run this task is; null for a task created directly"""

    created_at: datetime
    """When the task was created (UTC)"""

    updated_at: datetime
    """When the task last changed (UTC)"""

    completed_at: Optional[datetime]
    """When the task ended (completed, failed or cancelled); null before"""

    expires_at: datetime
    """When the task and its files are removed (TASK_TTL after creation)"""


class TaskPage(ResponseModel):
    """A page of the organisation's tasks

    The answer of `GET /api/v1/status` (200).
    """

    tasks: List[TaskSummary]
    """A page of tasks, newest first"""

    next_cursor: Optional[str]
    """Send it as ?cursor= for the next page; null on the last page"""


class Column(ResponseModel):
    """The columns an export of the task holds, in order: the selected ones, else the files' own
    (intent partition columns day, prefix, score stay in the path unless selected)
    """

    name: str
    """Column name"""

    type: str
    """DuckDB type, e.g. VARCHAR, BIGINT, TIMESTAMP, VARCHAR[]"""


class TaskPreview(ResponseModel):
    """The segment's first rows and its columns

    The answer of `GET /api/v1/tasks/{task_id}/preview` (200).
    """

    columns: List[Column]
    """The columns an export of the task holds, in order: the selected ones, else the files' own
    (intent partition columns day, prefix, score stay in the path unless selected)
    """

    rows: List[Dict[str, Any]]
    """The first rows found walking the partitions in key order (not a random sample), keyed by
    column in `columns` order. DATE and TIMESTAMP as ISO 8601 strings (UTC), BIGINT as a number
    when it is a safe integer (else a string), lists as arrays, NULL as null.
    """


class IntentCatalog(ResponseModel):
    """What the intent data holds

    The answer of `GET /api/v1/catalog/intent` (200).
    """

    days: List[str]
    """Days with data, ascending"""

    prefixes: List[str]
    """Topic prefixes with data, sorted"""

    scores: List[str]
    """Scores with data: low, medium, high order"""

    columns: List[Column]
    """Columns of the data (DuckDB types), the partition columns day, prefix and score included"""

    files: int
    """Parquet files of the tree"""

    rows: int
    """Rows of every file, from the Parquet footers"""

    bytes: int
    """Bytes of every file"""


class Topic(ResponseModel):
    """One topic of the intent data"""

    topic_id: str
    """Topic id, as `topic_ids` of an intent task names it"""

    topic_name: str
    """Topic name"""

    prefix: str
    """Topic prefix (partition) the topic belongs to"""

    rows: int
    """Rows of the topic over the days counted"""

    people: int
    """Distinct person_id of the topic over the days counted (exact)"""


class TopicList(ResponseModel):
    """Topics of the intent data, by name

    The answer of `GET /api/v1/catalog/intent/topics` (200).
    """

    days: List[str]
    """Days the figures are counted over, ascending (the newest `days` days of the tree)"""

    total: int
    """Topics matching `q`, before `limit`"""

    topics: List[Topic]
    """Matching topics, most rows first (then by id), at most `limit`"""


class ScheduleEvery(ResponseModel):
    """`AudienceDetail.schedule` in its `every` form."""

    every: str
    """A duration: 15m, 1h, 24h, 7d"""


class ScheduleCron(ResponseModel):
    """`AudienceDetail.schedule` in its `cron` form."""

    cron: str
    """Five fields: minute hour day month weekday"""

    timezone: Optional[str] = None
    """IANA time zone; default: the audience's"""


class AudienceDelivery(ResponseModel):
    """How each run's export is delivered"""

    mode: Literal["full", "delta"]
    """full or delta"""

    path: Optional[str]
    """Where runs' files go; null: the task folder"""


class AudienceRun(ResponseModel):
    """A run of the audience, or a skipped slot

    The answer of `GET /api/v1/audiences/{audience_id}/runs/{run_id}` (200).
    """

    run_id: str
    """The run"""

    audience_id: str
    """The audience it ran"""

    task_id: Optional[str]
    """The task that does the work; null for a skipped slot"""

    version: int
    """The audience's version the run read"""

    trigger: Literal["schedule", "manual"]
    """schedule: a slot of the schedule; manual: POST /api/v1/audiences/{audience_id}/runs"""

    scheduled_for: Optional[datetime]
    """The slot of a scheduled run"""

    started_at: datetime
    """When the run started (UTC)"""

    completed_at: Optional[datetime]
    """When the run ended (UTC); null while it runs"""

    status: AudienceRunStatus
    """The task's status while it runs; skipped: a run was still going at the slot; expired: the
    task expired
    """

    days: Optional[List[str]]
    """The days an intent run read"""

    total_count: Optional[int]
    """The task's total_count; null until counted"""

    people: Optional[int]
    """Members (distinct unique_by values), with unique_by"""

    added: Optional[int]
    """A delta run: members who joined; null otherwise"""

    removed: Optional[int]
    """A delta run: members who left; null otherwise"""

    kept: Optional[int]
    """A delta run: members in both runs; null otherwise"""

    split_counts: Optional[Dict[str, int]]
    """A definition with splits: the people of every part (holdouts too), once counted; null
    otherwise
    """

    baseline: Optional[Literal["new", "previous"]]
    """A delta run: new (every member delivered as added: a first run, or the first after a change
    of the definition or a resync) or previous (against previous_run_id)
    """

    previous_run_id: Optional[str]
    """A delta run: the run it was compared with"""

    previous_version: Optional[int]
    """A delta run: the audience's version that run read"""

    missed_slots: int
    """Earlier slots this catch-up run stands for (every process was down)"""

    reason: Optional[str]
    """Why a slot was skipped, or why the run failed"""


class AudienceSize(ResponseModel):
    """The completed runs among the last 30, oldest first"""

    run_id: str
    """The run"""

    completed_at: datetime
    """When it completed (UTC)"""

    total_count: Optional[int]
    """Rows of its segment"""

    people: Optional[int]
    """Members, with unique_by"""


class AudienceWindow(ResponseModel):
    """The rolling days an intent run reads; null: the fixed days of the definition"""

    last_days: int
    """How many calendar days, ending at until"""

    until: Literal["latest", "yesterday", "today"] = "latest"
    """latest: the newest day the intent data holds; yesterday or today: in the audience's timezone,
    at the time of the run (its slot for a scheduled run) (default "latest")
    """


class AudienceDetail(ResponseModel):
    """The audience

    The answer of `POST /api/v1/audiences` (201), `GET /api/v1/audiences/{audience_id}` (200),
    `PATCH /api/v1/audiences/{audience_id}` (200), `POST /api/v1/audiences/{audience_id}/resync`
    (200).
    """

    audience_id: str
    """The audience"""

    name: str
    """Unique in the organisation"""

    description: Optional[str]
    """Free text for people"""

    kind: Literal["intent", "generic"]
    """intent or generic: the kind of task its runs are"""

    version: int
    """Grows with each change of the definition or window"""

    schedule: Optional[Union[ScheduleEvery, ScheduleCron]]
    """null: runs only when asked (POST /api/v1/audiences/{id}/runs)"""

    schedule_in_words: str
    """The schedule for people, e.g. "every day at 06:00\""""

    paused: bool
    """true: the schedule is stopped"""

    delivery: AudienceDelivery
    """How each run's export is delivered"""

    next_run_at: Optional[datetime]
    """The next slot; null without a schedule or paused"""

    last_run: Optional[AudienceRun]
    """The newest run; null before the first"""

    size_history: List[AudienceSize]
    """The completed runs among the last 30, oldest first"""

    created_at: datetime
    """When it was saved (UTC)"""

    updated_at: datetime
    """When it last changed (UTC)"""

    definition: Dict[str, Any]
    """The task body its runs use, as saved"""

    window: Optional[AudienceWindow]
    """The rolling days an intent run reads; null: the fixed days of the definition"""

    timezone: str
    """IANA time zone of the window and the schedule"""

    days: Optional[List[str]]
    """The days the next run would read (intent audiences)"""


class AudienceSummary(ResponseModel):
    """A page of audiences, newest first"""

    audience_id: str
    """The audience"""

    name: str
    """Unique in the organisation"""

    description: Optional[str]
    """Free text for people"""

    kind: Literal["intent", "generic"]
    """intent or generic: the kind of task its runs are"""

    version: int
    """Grows with each change of the definition or window"""

    schedule: Optional[Union[ScheduleEvery, ScheduleCron]]
    """null: runs only when asked (POST /api/v1/audiences/{id}/runs)"""

    schedule_in_words: str
    """The schedule for people, e.g. "every day at 06:00\""""

    paused: bool
    """true: the schedule is stopped"""

    delivery: AudienceDelivery
    """How each run's export is delivered"""

    next_run_at: Optional[datetime]
    """The next slot; null without a schedule or paused"""

    last_run: Optional[AudienceRun]
    """The newest run; null before the first"""

    size_history: List[AudienceSize]
    """The completed runs among the last 30, oldest first"""

    created_at: datetime
    """When it was saved (UTC)"""

    updated_at: datetime
    """When it last changed (UTC)"""


class AudiencePage(ResponseModel):
    """A page of the organisation's audiences

    The answer of `GET /api/v1/audiences` (200).
    """

    audiences: List[AudienceSummary]
    """A page of audiences, newest first"""

    next_cursor: Optional[str]
    """Send it as ?cursor= for the next page; null on the last page"""


class AudienceRunStarted(ResponseModel):
    """Started: the run is an ordinary task; Location names its status

    The answer of `POST /api/v1/audiences/{audience_id}/runs` (202).
    """

    run_id: str
    """The run: GET /api/v1/audiences/{audience_id}/runs/{run_id}"""

    task_id: str
    """Its task: GET /api/v1/status/{task_id}"""

    audience_id: str
    """The audience"""

    days: Optional[List[str]]
    """The days an intent run reads"""

    baseline: Optional[Literal["new", "previous"]]
    """A delta run: new (every member added) or previous (against previous_run_id)"""

    previous_run_id: Optional[str]
    """A delta run: the run it is compared with"""


class AudienceRunPage(ResponseModel):
    """A page of the audience's runs

    The answer of `GET /api/v1/audiences/{audience_id}/runs` (200).
    """

    runs: List[AudienceRun]
    """A page of runs and skipped slots, newest first"""

    next_cursor: Optional[str]
    """Send it as ?cursor= for the next page; null on the last page"""


class WebhookCreated(ResponseModel):
    """Subscribed: keep the secret, it is not shown again

    The answer of `POST /api/v1/webhooks` (201).
    """

    id: str
    """The webhook: remove it with DELETE /api/v1/webhooks/{webhook_id}"""

    url: str
    """The URL that receives the events"""

    events: List[WebhookEvent]
    """The events it receives"""

    created_at: datetime
    """When it was created (UTC)"""

    secret: str
    """whsec_ and the base64 signing key (Standard Webhooks), shown this once: verify each
    delivery's webhook-signature with it
    """


class Webhook(ResponseModel):
    """The webhooks, oldest first"""

    id: str
    """The webhook: remove it with DELETE /api/v1/webhooks/{webhook_id}"""

    url: str
    """The URL that receives the events"""

    events: List[WebhookEvent]
    """The events it receives"""

    created_at: datetime
    """When it was created (UTC)"""


class WebhookList(ResponseModel):
    """The organisation's webhooks, without their secrets

    The answer of `GET /api/v1/webhooks` (200).
    """

    webhooks: List[Webhook]
    """The webhooks, oldest first"""


class WebhookDelivery(ResponseModel):
    """Attempts, newest first"""

    id: str
    """The attempt"""

    event: WebhookEvent
    """The event delivered"""

    event_id: str
    """The webhook-id header: the same for every attempt of the event"""

    task_id: str
    """The task the event is about (a skipped audience slot: its run)"""

    attempt: int
    """From 1"""

    outcome: Literal["delivered", "retrying", "failed"]
    """delivered (2xx), retrying (another attempt at next_attempt_at) or failed (given up)"""

    status_code: Optional[int]
    """The receiver's HTTP status; null when it did not answer"""

    error: Optional[str]
    """What went wrong (a timeout, a refused address, the status); null when delivered"""

    attempted_at: datetime
    """When the attempt was made (UTC)"""

    next_attempt_at: Optional[datetime]
    """When the next attempt is due; null unless retrying"""


class WebhookDeliveryPage(ResponseModel):
    """A page of the webhook's delivery attempts

    The answer of `GET /api/v1/webhooks/{webhook_id}/deliveries` (200).
    """

    deliveries: List[WebhookDelivery]
    """Attempts, newest first"""

    next_cursor: Optional[str]
    """Send it as ?cursor= for the next page; null on the last page"""


class RegisterParams(TypedDict, total=False):
    """A new user and the organisation it owns

    The body of `POST /auth/v1/register`.
    """

    # E-mail address: the login name
    email: Required[str]

    # At least 12 characters, not a common password
    password: Required[str]

    # First name
    first_name: Required[str]

    # Last name
    last_name: Required[str]

    # Name of the organisation created for this user
    organization_name: Required[str]


class LoginParams(TypedDict, total=False):
    """E-mail and password of a registered user

    The body of `POST /auth/v1/login`.
    """

    # E-mail address the user registered with
    email: Required[str]

    # The user's password
    password: Required[str]


class PasswordParams(TypedDict, total=False):
    """The user's current password and the new one

    The body of `POST /auth/v1/password`.
    """

    # The password the user logs in with now
    current_password: Required[str]

    # The password from now on: at least 12 characters, hard to guess, not the current one
    new_password: Required[str]


class ApiKeyParams(TypedDict, total=False):
    """An API client to create

    The body of `POST /client/v1`.
    """

    # A name to tell the client apart
    name: Required[str]

    # What the key may do, each scope once: read: task status and lists, the catalog, estimates,
    # previews, manifests, archives and downloads; write: create, unload, cancel and retry tasks,
    # save, change, run, resync and delete audiences; admin: webhooks. Without it the key gets all
    # three (what every key could do before scopes existed). A key used outside its scopes gets 403
    # scope_missing.
    scopes: List[ApiScope]


class IntentTaskSplitsParams(TypedDict, total=False):
    """output: people only: split the people at random into named parts, each its own output
    (split=NAME/…): 2 to 10 parts whose percent add up to exactly 100 (at most two decimals). A
    part with deliver: false (a holdout) is counted and kept in the service's own area, never
    written to your output. A person's part is a pure function of split_salt and the person
    (docs/activation.md "Splits and holdouts" gives the formula)
    """

    # The part's name and output folder (split=NAME): ^[A-Za-z0-9_-]{1,32}$, unique in splits
    name: Required[str]

    # Share of the people, more than 0, at most two decimals; all parts add up to 100
    percent: Required[float]

    # false: a holdout, counted and kept in the service's own area (listed in the manifest), never
    # written to your output. At least one part is delivered (default true)
    deliver: bool


class IntentTaskParams(TypedDict, total=False):
    """The segment: days × topic prefixes × scores of the intent tree, filtered

    The body of `POST /api/v1/intent_hive_tasks`, `POST /api/v1/intent_hive_tasks/estimate`.
    """

    # YYYY-MM-DD or YYYYMMDD
    days: Required[List[str]]

    # Topic prefixes to read (the prefix= folders of the intent tree; GET /api/v1/catalog/intent
    # lists them)
    topic_id_prefixes: Required[List[str]]

    # low, medium, high
    scores: Required[List[str]]

    # Only rows of these topics (topic_id IN …), each a topic of one of topic_id_prefixes in the
    # server's intent tree; GET /api/v1/catalog/intent/topics finds them by name. Absent: every
    # topic of the prefixes
    topic_ids: List[str]

    # Another intent tree (day=/prefix=/score= folders) to read instead of the server's
    # INTENT_INPUT_PATH: an absolute folder under LOCAL_INPUT_ROOTS, or s3:// or gs:// in
    # INPUT_BUCKETS
    input_path: str

    # A short name for people, shown in task lists and searchable there (GET /api/v1/status?q=):
    # 1-120 characters once trimmed, no control characters or line breaks
    name: str

    # Most rows exported per job; skips counting
    limit: int

    # false: count only, export later with POST /api/v1/tasks/{id}/unload (default true)
    perform_unload: bool

    # Comma-separated column names to export
    select: str

    # A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US'
    where_expr: str

    # A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count
    # over the whole segment, unique_counts per partition. Not with limit
    unique_by: str

    # Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each
    # by count, then one "(other)" entry for the rest. Not with limit
    breakdown_by: List[str]

    # rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by
    # value (unique_by required), counted and exported whole under the one key "people". Not with
    # limit or breakdown_by (default "rows")
    output: Literal["rows", "people"]

    # File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and
    # structs as JSON text. jsonl: one JSON object per line (default "parquet")
    format: Literal["parquet", "csv", "jsonl"]

    # Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv
    # and jsonl: gzip (default) or none
    compression: Literal["snappy", "zstd", "gzip", "none"]

    # Write the whole task as one file (output key "all") instead of one folder per partition; the
    # task is counted first. Not with limit or max_file_bytes (default false)
    single_file: bool

    # Start a new file once one reaches about this many bytes (at least 1 MiB)
    max_file_bytes: int

    # output: people only: write the people as an ad platform's upload file (header, identifier
    # encoding, rows and bytes per file as the platform takes them): one row per valid hashed e-mail
    # (hem_sha256, or the generic identifier column), which is then the person column. Fixes format
    # and compression; values that are not 64 hex characters are dropped and counted
    # (invalid_identifiers). README "Activation" lists each platform's rules
    profile: Literal["google_customer_match", "meta_custom_audience", "linkedin_matched_audience", "uid2", "liveramp"]

    # output: people only: split the people at random into named parts, each its own output
    # (split=NAME/…): 2 to 10 parts whose percent add up to exactly 100 (at most two decimals). A
    # part with deliver: false (a holdout) is counted and kept in the service's own area, never
    # written to your output. A person's part is a pure function of split_salt and the person
    # (docs/activation.md "Splits and holdouts" gives the formula)
    splits: List[IntentTaskSplitsParams]

    # splits only: the text hashed before each person to pick their part. Absent: the service picks
    # a random one and shows it in the request view; send it again to make the same split later
    split_salt: str

    # output: people only: keep people whose rows match at least this many distinct requested topic
    # prefixes (at most the number of topic_id_prefixes)
    min_topics: int

    # output: people only: keep people seen on at least this many distinct days (at most the number
    # of days)
    min_days: int

    # true: a day, topic prefix or score the data holds no rows for is a 400 instead of a warning
    # (warnings in the answer) and a count of 0 (default false)
    strict: bool


class GenericTaskParams(TypedDict, total=False):
    """The segment: the rows of a Parquet tree, filtered

    The body of `POST /api/v1/generic_parquet_tasks`, `POST
    /api/v1/generic_parquet_tasks/estimate`.
    """

    # Folder of Parquet files, read at any depth (k=v folders become partitions and columns): an
    # absolute folder under LOCAL_INPUT_ROOTS, or s3://bucket/prefix or gs://bucket/prefix in
    # INPUT_BUCKETS
    input_path: Required[str]

    # A short name for people, shown in task lists and searchable there (GET /api/v1/status?q=):
    # 1-120 characters once trimmed, no control characters or line breaks
    name: str

    # Most rows exported per job; skips counting
    limit: int

    # false: count only, export later with POST /api/v1/tasks/{id}/unload (default true)
    perform_unload: bool

    # Comma-separated column names to export
    select: str

    # A SQL boolean filter, e.g. intent_score >= 80 AND country = 'US'
    where_expr: str

    # A column (e.g. person_id) whose distinct values the count also counts, exactly: unique_count
    # over the whole segment, unique_counts per partition. Not with limit
    unique_by: str

    # Up to 3 distinct columns (e.g. country, seniority): breakdowns lists the top 50 values of each
    # by count, then one "(other)" entry for the rest. Not with limit
    breakdown_by: List[str]

    # rows: the rows of the segment, by partition. people: one row per distinct non-null unique_by
    # value (unique_by required), counted and exported whole under the one key "people". Not with
    # limit or breakdown_by (default "rows")
    output: Literal["rows", "people"]

    # File format of the export. CSV: header row, RFC 4180 quoting, ISO 8601 timestamps, lists and
    # structs as JSON text. jsonl: one JSON object per line (default "parquet")
    format: Literal["parquet", "csv", "jsonl"]

    # Parquet: snappy, zstd, gzip or none (default: the server's EXPORT_COMPRESSION, snappy). csv
    # and jsonl: gzip (default) or none
    compression: Literal["snappy", "zstd", "gzip", "none"]

    # Write the whole task as one file (output key "all") instead of one folder per partition; the
    # task is counted first. Not with limit or max_file_bytes (default false)
    single_file: bool

    # Start a new file once one reaches about this many bytes (at least 1 MiB)
    max_file_bytes: int

    # output: people only: write the people as an ad platform's upload file (header, identifier
    # encoding, rows and bytes per file as the platform takes them): one row per valid hashed e-mail
    # (hem_sha256, or the generic identifier column), which is then the person column. Fixes format
    # and compression; values that are not 64 hex characters are dropped and counted
    # (invalid_identifiers). README "Activation" lists each platform's rules
    profile: Literal["google_customer_match", "meta_custom_audience", "linkedin_matched_audience", "uid2", "liveramp"]

    # output: people only: split the people at random into named parts, each its own output
    # (split=NAME/…): 2 to 10 parts whose percent add up to exactly 100 (at most two decimals). A
    # part with deliver: false (a holdout) is counted and kept in the service's own area, never
    # written to your output. A person's part is a pure function of split_salt and the person
    # (docs/activation.md "Splits and holdouts" gives the formula)
    splits: List[IntentTaskSplitsParams]

    # splits only: the text hashed before each person to pick their part. Absent: the service picks
    # a random one and shows it in the request view; send it again to make the same split later
    split_salt: str

    # output: people only: a column (e.g. a timestamp) whose greatest value picks each person's row;
    # without it, any one row of the person
    latest_by: str

    # profile only: the text column holding the hex SHA-256 of each e-mail, which the profile
    # encodes and counts people by (default: unique_by, else hem_sha256)
    identifier: str


class AudienceWindowParams(TypedDict, total=False):
    """The rolling days an intent run reads; null: the fixed days of the definition"""

    # How many calendar days, ending at until
    last_days: Required[int]

    # latest: the newest day the intent data holds; yesterday or today: in the audience's timezone,
    # at the time of the run (its slot for a scheduled run) (default "latest")
    until: Literal["latest", "yesterday", "today"]


class ScheduleEveryParams(TypedDict, total=False):
    """`AudienceParams.schedule` in its `every` form."""

    # A duration: 15m, 1h, 24h, 7d
    every: Required[str]


class ScheduleCronParams(TypedDict, total=False):
    """`AudienceParams.schedule` in its `cron` form."""

    # Five fields: minute hour day month weekday
    cron: Required[str]

    # IANA time zone; default: the audience's
    timezone: str


class AudienceDeliveryParams(TypedDict, total=False):
    """How each run's export is delivered"""

    # full: every run exports the whole audience. delta (output: people and unique_by): a run
    # exports who joined (added, their people rows) and who left (removed, their unique_by values)
    # since the last completed run; with a profile (no unique_by needed) both in the platform's file
    # (default "full")
    mode: Literal["full", "delta"]

    # Where each run's files go under your organisation's output folder, with the tokens {audience}
    # (a slug of the name), {date} (the run's date, YYYY-MM-DD) and {run_id} (required, so drops
    # never overwrite each other), e.g. audiences/{audience}/{date}/{run_id}. Default: the task
    # folder
    path: str


class AudienceParams(TypedDict, total=False):
    """A saved audience: a task definition, the days it reads, when it runs and where its files go

    The body of `POST /api/v1/audiences`.
    """

    # Unique in your organisation
    name: Required[str]

    # intent: the definition is an intent task body (POST /api/v1/intent_hive_tasks); generic: a
    # generic Parquet task body (POST /api/v1/generic_parquet_tasks)
    kind: Required[Literal["intent", "generic"]]

    # Free text for people: what the audience is for
    description: Optional[str]

    # The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST
    # /api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a
    # window instead of days (or fixed days)
    definition: Required[Mapping[str, Any]]

    # Intent audiences: the rolling days each run reads; null or absent: the fixed days of the
    # definition
    window: Optional[AudienceWindowParams]

    # IANA time zone; default UTC
    timezone: str

    # null: runs only when asked (POST /api/v1/audiences/{id}/runs)
    schedule: Optional[Union[ScheduleEveryParams, ScheduleCronParams]]

    # true stops the schedule without losing it
    paused: bool

    # How each run's export is delivered
    delivery: AudienceDeliveryParams


class AudiencePatchParams(TypedDict, total=False):
    """The fields to change (at least one); the others stay as they are

    The body of `PATCH /api/v1/audiences/{audience_id}`.
    """

    # A new name, unique in your organisation
    name: str

    # Free text for people: what the audience is for
    description: Optional[str]

    # The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST
    # /api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a
    # window instead of days (or fixed days)
    definition: Mapping[str, Any]

    # Intent audiences: the rolling days each run reads; null or absent: the fixed days of the
    # definition
    window: Optional[AudienceWindowParams]

    # IANA time zone; default UTC
    timezone: str

    # null: runs only when asked (POST /api/v1/audiences/{id}/runs)
    schedule: Optional[Union[ScheduleEveryParams, ScheduleCronParams]]

    # true stops the schedule without losing it
    paused: bool

    # How each run's export is delivered
    delivery: AudienceDeliveryParams


class AudienceEstimateParams(TypedDict, total=False):
    """An audience's kind, definition and window, as a save would take them

    The body of `POST /api/v1/audiences/estimate`.
    """

    # intent: the definition is an intent task body (POST /api/v1/intent_hive_tasks); generic: a
    # generic Parquet task body (POST /api/v1/generic_parquet_tasks)
    kind: Required[Literal["intent", "generic"]]

    # The body of a task of the kind (intent: POST /api/v1/intent_hive_tasks, generic: POST
    # /api/v1/generic_parquet_tasks) without perform_unload and limit; an intent audience takes a
    # window instead of days (or fixed days)
    definition: Required[Mapping[str, Any]]

    # Intent audiences: the rolling days each run reads; null or absent: the fixed days of the
    # definition
    window: Optional[AudienceWindowParams]

    # IANA time zone; default UTC
    timezone: str


class WebhookParams(TypedDict, total=False):
    """A URL and the events it receives

    The body of `POST /api/v1/webhooks`.
    """

    # https:// URL that receives the events (http:// only with WEBHOOK_ALLOW_HTTP=1); its host must
    # resolve to public addresses only (unless WEBHOOK_ALLOW_PRIVATE=1)
    url: Required[str]

    # Events to receive, each once: task.counted, task.completed, task.failed, task.cancelled,
    # audience.run.completed, audience.run.failed, audience.run.skipped
    events: Required[List[WebhookEvent]]
