import type { InputSchemas } from '../../catalog/input-schema.ts';
import type { GenericTaskBody, IntentTaskBody } from '../../contract/task-body-schemas.ts';
import { FORMAT_CODECS } from '../../engine/file-writer.ts';
import { INTENT_PEOPLE_INPUTS } from '../../engine/people-queries.ts';
import { type ColumnInfo, ExpressionError, type SqlGuard } from '../../engine/sql-guard.ts';
import { AppError, invalidField, JobError } from '../../errors.ts';
import type { Storage, StoredObject } from '../../storage/storage.ts';
import { parseDays } from '../requests/days.ts';
import type { InputPathPolicy } from '../requests/input-paths.ts';
import { resolveInput } from '../requests/input-paths.ts';
import { fromStorage } from '../requests/request-storage.ts';
import {
  countsWhole,
  DEFAULT_LAYOUT,
  type FileLayout,
  type GenericRequestView,
  INTENT_HIVE_TYPES,
  type IntentRequestView,
  intentPartitionKeys,
  type PeoplePlan,
  SCORES,
  type Score,
  type StoredRequest,
  type TaskPlan,
  type TaskType,
} from '../task-model.ts';
import { batchPartitions, partitionsPerJob } from './partition-batches.ts';

/** The fields both bodies have (`input_path` as the intent body has it: optional). */
type CommonTaskBody = Pick<IntentTaskBody, keyof IntentTaskBody & keyof GenericTaskBody>;

/** The fields of either body that only a people export takes. */
type PeopleFields = Pick<IntentTaskBody, 'min_topics' | 'min_days'> & Pick<GenericTaskBody, 'latest_by'>;

export interface TaskPlannerOptions {
  storage: Storage;
  /** Checks where_expr and select; its owner (the server) closes it. */
  guard: SqlGuard;
  schemas: InputSchemas;
  intentInputPath: string;
  inputPolicy: InputPathPolicy;
  /** Jobs a task is spread over (see `jobsPerTask`). */
  jobsPerTask: number;
  /** Most partitions (days × prefixes × scores, or folders) one task may cover. */
  maxPartitions: number;
}

/**
 * A task ready to be stored: its request as stored, and its partitions batched into jobs; or, for an
 * input too large to list while the client waits (`listing`), no batches yet: a `list` job lists it
 * and plans them (`listed`).
 */
export interface PlannedTask {
  type: TaskType;
  request: StoredRequest;
  batches: string[][];
  listing?: boolean;
}

/** A request validated and resolved against its input, before its partitions are batched into jobs. */
export interface CheckedIntent {
  request: StoredRequest;
  /** Every `day=…/prefix=…/score=…` the request covers, in day, prefix, score order. */
  partitions: string[];
}

/** A generic request validated against its listed input. */
export interface CheckedGeneric {
  request: StoredRequest;
  /** The objects listed (the first `LISTED_AT_CREATION` at creation, all of them for an estimate). */
  files: StoredObject[];
  /** Files per partition folder of `files`. */
  filesPerPartition: Map<string, number>;
  /** The input holds more objects than were listed: a worker lists the rest. */
  listing: boolean;
}

/** What `plan` needs to know of a request and its input (`hive`, `hiveTypes`, `nestedPartitions`: see `TaskPlan`). */
interface PlanInput {
  body: CommonTaskBody & PeopleFields;
  /** Whose people an `output: "people"` exports: the intent layout's, or any table's. */
  peopleShape: PeoplePlan['shape'];
  inputRoot: string;
  /** The input's columns, read only when the request names some (`where_expr`, `select`). */
  columns: ColumnInfo[] | undefined;
  hive: boolean;
  /** Known types of the Hive columns (the intent tree); undefined lets DuckDB infer them. */
  hiveTypes: Record<string, string> | undefined;
  /** Partition columns: exports keep them in their path, not in the files. */
  hiveKeys: readonly string[];
  nestedPartitions: boolean;
}

const ORDERED_COLUMNS = { score: SCORES };
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/**
 * Objects of a generic input listed while the client waits: one LIST page of an object store. An
 * input with more is listed by a worker (a `list` job), so creating a task over a bucket never lists
 * the bucket in the request.
 */
export const LISTED_AT_CREATION = 1000;

/**
 * Turns a task request into its plan and partitions: validates the body, resolves the input, reads
 * its schema when an expression or column list needs it, and batches the partitions into jobs.
 */
export class TaskPlanner {
  constructor(private readonly options: TaskPlannerOptions) {}

  /**
   * An intent task: every day × prefix × score is a partition. `admit` runs once the body is valid and
   * before any input is read (the caller's capacity check).
   */
  async intent(body: IntentTaskBody, admit: () => Promise<void>): Promise<PlannedTask> {
    const { request, partitions } = await this.checkIntent(body, admit);
    const batches = countsWhole(request.plan)
      ? [partitions]
      : batchPartitions(partitions, partitionsPerJob(partitions.length, this.options.jobsPerTask));
    return { type: 'intent_hive', request, batches };
  }

  /**
   * Validates an intent request and resolves its input: every 400 a create can answer, without
   * planning jobs (an estimate stops here). `admit` runs as in `intent`.
   */
  async checkIntent(body: IntentTaskBody, admit: () => Promise<void>): Promise<CheckedIntent> {
    const days = parseDays(body.days);
    const prefixes = uniqueStrings(body.topic_id_prefixes, 'topic_id_prefixes', (value) =>
      PREFIX.test(value)
        ? undefined
        : 'use letters, digits, "_", "-" or "." (a topic prefix such as 4eyes_103)',
    );
    const scores = uniqueStrings(body.scores, 'scores', (value) =>
      (SCORES as readonly string[]).includes(value) ? undefined : 'is not a score; use low, medium or high',
    ) as Score[];
    this.checkLimit(body);
    checkPeopleFields(body, { days: days.length, prefixes: prefixes.length });
    const partitionCount = days.length * prefixes.length * scores.length;
    this.checkPartitionCount(partitionCount);
    const inputRoot =
      body.input_path === undefined
        ? this.options.intentInputPath
        : await resolveInput(body.input_path, this.options.inputPolicy);
    await admit();

    const partitions = intentPartitionKeys(days, prefixes, scores);
    // The schema is needed only to check an expression or a column list.
    const sample = needsSchema(body) ? await this.firstFile(inputRoot) : undefined;
    const columns = sample ? await this.columnsOf(sample, true, INTENT_HIVE_TYPES) : undefined;
    const plan = await this.plan({
      body,
      inputRoot,
      columns,
      hive: true,
      hiveTypes: INTENT_HIVE_TYPES,
      hiveKeys: Object.keys(INTENT_HIVE_TYPES),
      nestedPartitions: false,
      peopleShape: 'intent',
    });
    const view: IntentRequestView = {
      days,
      topic_id_prefixes: prefixes,
      scores,
      input_path: inputRoot,
      limit: plan.limit,
      perform_unload: body.perform_unload ?? true,
      select: body.select === undefined ? null : plan.columns,
      where_expr: body.where_expr ?? null,
      unique_by: plan.uniqueBy ?? null,
      breakdown_by: plan.breakdownBy ?? null,
      output: plan.people ? 'people' : 'rows',
      min_topics: plan.people?.minTopics ?? null,
      min_days: plan.people?.minDays ?? null,
      ...layoutView(plan),
    };
    return { request: { view, plan }, partitions };
  }

  /**
   * A generic task: every folder holding Parquet files is a partition, and jobs are balanced by file
   * count. `admit` runs as in `intent`. An input of more than `LISTED_AT_CREATION` objects is planned
   * from its first ones (its layout and schema) and listed in full by a worker.
   */
  async generic(body: GenericTaskBody, admit: () => Promise<void>): Promise<PlannedTask> {
    const { request, filesPerPartition, listing } = await this.checkGeneric(body, admit, LISTED_AT_CREATION);
    if (listing) return { type: 'generic_parquet', request, batches: [], listing };
    return { type: 'generic_parquet', request, batches: this.batchesOf(request.plan, filesPerPartition) };
  }

  /**
   * Validates a generic request against its input, listing at most `listLimit` objects (all of them
   * when undefined, as an estimate does): every 400 a create can answer. `admit` runs as in `intent`.
   */
  async checkGeneric(
    body: GenericTaskBody,
    admit: () => Promise<void>,
    listLimit: number | undefined,
  ): Promise<CheckedGeneric> {
    this.checkLimit(body);
    checkPeopleFields(body, undefined);
    const inputRoot = await resolveInput(body.input_path, this.options.inputPolicy);
    await admit();
    const files = await fromStorage(() =>
      this.options.storage.list(inputRoot, {
        recursive: true,
        ...(listLimit === undefined ? {} : { limit: listLimit }),
      }),
    );
    if (files.length === 0) {
      throw new AppError('input_path_not_found', 'input_path: the folder holds no .parquet files', [
        { field: 'input_path', message: 'the folder holds no .parquet files' },
      ]);
    }
    const listing = listLimit !== undefined && files.length >= listLimit;
    const filesPerPartition = partitionFiles(files, inputRoot);
    const partitions = [...filesPerPartition.keys()].sort();
    if (!listing) this.checkPartitionCount(partitions.length);
    const hive = sameHiveKeys(partitions);
    const columns = needsSchema(body) ? await this.columnsOf(files[0]!, hive, undefined) : undefined;
    const hiveKeys = hive ? partitions[0]!.split('/').map((segment) => segment.split('=', 1)[0]!) : [];
    const plan = await this.plan({
      body,
      inputRoot,
      columns,
      hive,
      hiveTypes: undefined,
      hiveKeys,
      nestedPartitions: true,
      peopleShape: 'generic',
    });
    const view: GenericRequestView = {
      input_path: inputRoot,
      limit: plan.limit,
      perform_unload: body.perform_unload ?? true,
      select: body.select === undefined ? null : plan.columns,
      where_expr: body.where_expr ?? null,
      unique_by: plan.uniqueBy ?? null,
      breakdown_by: plan.breakdownBy ?? null,
      output: plan.people ? 'people' : 'rows',
      latest_by: plan.people?.latestBy ?? null,
      ...layoutView(plan),
    };
    return { request: { view, plan }, files, filesPerPartition, listing };
  }

  /**
   * The partitions of a generic task batched into jobs, once a `list` job listed its whole input.
   * Throws a `JobError` when the input cannot be a task as planned: it holds no files any more, more
   * partitions than a task may cover, or a layout other than the one its first objects showed.
   */
  listed(plan: TaskPlan, files: readonly StoredObject[]): string[][] {
    if (files.length === 0) throw new JobError('input_empty', `${plan.inputRoot} holds no .parquet files`);
    const filesPerPartition = partitionFiles(files, plan.inputRoot);
    const partitions = [...filesPerPartition.keys()].sort();
    if (partitions.length > this.options.maxPartitions) {
      throw new JobError(
        'too_many_partitions',
        `the input has ${partitions.length} partition folders; a task covers at most ${this.options.maxPartitions}. Give input_path a narrower folder`,
      );
    }
    if (sameHiveKeys(partitions) !== plan.hive) {
      throw new JobError(
        'input_layout_mixed',
        `the folders under ${plan.inputRoot} do not all use the same k=v keys, unlike its first ${LISTED_AT_CREATION} objects; give input_path a folder of one layout`,
      );
    }
    return this.batchesOf(plan, filesPerPartition);
  }

  private batchesOf(plan: TaskPlan, filesPerPartition: ReadonlyMap<string, number>): string[][] {
    const partitions = [...filesPerPartition.keys()].sort();
    if (countsWhole(plan)) return [partitions];
    const perJob = partitionsPerJob(partitions.length, this.options.jobsPerTask);
    return batchPartitions(partitions, perJob, (p) => filesPerPartition.get(p) ?? 0);
  }

  /** The plan stored with the task: the filter and columns checked against the input's schema. */
  private async plan({
    body,
    inputRoot,
    columns,
    hive,
    hiveTypes,
    hiveKeys,
    nestedPartitions,
    peopleShape,
  }: PlanInput): Promise<TaskPlan> {
    const known = columns ?? [];
    let whereSql: string | null = null;
    let uniqueBy: string | null = null;
    let breakdownBy: string[] | null = null;
    let people: PeoplePlan | null = null;
    // Without `select`, exports hold the files' own columns (partition columns stay in the path):
    // named when the schema is known, else all columns of files read without Hive columns.
    let selected: string[] | null = columns
      ? known.map((c) => c.name).filter((name) => !hiveKeys.includes(name))
      : null;
    try {
      if (body.where_expr !== undefined) {
        if (!columns) throw noDataFor('where_expr');
        whereSql = await this.options.guard.where(body.where_expr, known, {
          orderedColumns: hiveTypes ? ORDERED_COLUMNS : {},
        });
      }
      if (body.select !== undefined) {
        if (!columns) throw noDataFor('select');
        selected = await this.options.guard.select(body.select, known);
      }
      if (body.unique_by !== undefined) {
        if (!columns) throw noDataFor('unique_by');
        uniqueBy = await this.options.guard.column(body.unique_by, known, 'unique_by');
      }
      if (body.breakdown_by !== undefined) {
        if (!columns) throw noDataFor('breakdown_by');
        breakdownBy = [];
        for (const [i, name] of body.breakdown_by.entries()) {
          const column = await this.options.guard.column(name, known, `breakdown_by[${i}]`);
          if (breakdownBy.includes(column)) {
            throw invalidField(
              `breakdown_by[${i}]`,
              `column "${column}" is listed more than once; list each column once`,
            );
          }
          breakdownBy.push(column);
        }
      }
      if (body.output === 'people' && uniqueBy !== null) {
        people = await this.peoplePlan(body, peopleShape, known, uniqueBy);
        if (peopleShape === 'intent') selected = null;
      }
    } catch (error) {
      if (error instanceof ExpressionError)
        throw new AppError(error.code, error.message, [{ field: error.field, message: error.message }]);
      throw error;
    }
    const layout = layoutOf(body);
    return {
      inputRoot,
      hive,
      ...(hiveTypes ? { hiveTypes } : {}),
      whereSql,
      columns: selected,
      limit: body.limit ?? null,
      nestedPartitions,
      uniqueBy,
      breakdownBy,
      people,
      layout,
      copyFiles:
        body.where_expr === undefined &&
        body.select === undefined &&
        body.limit === undefined &&
        people === null &&
        layout.format === 'parquet' &&
        layout.compression === null &&
        layout.maxFileBytes === null &&
        !layout.singleFile,
    };
  }

  /** The people export a request asks for, its columns checked against the input's. */
  private async peoplePlan(
    body: PlanInput['body'],
    shape: PeoplePlan['shape'],
    known: readonly ColumnInfo[],
    uniqueBy: string,
  ): Promise<PeoplePlan> {
    if (shape === 'generic') {
      const latestBy =
        body.latest_by === undefined
          ? null
          : await this.options.guard.column(body.latest_by, known, 'latest_by');
      return { shape, minTopics: null, minDays: null, latestBy };
    }
    if (!(INTENT_PERSON_COLUMNS as readonly string[]).includes(uniqueBy)) {
      throw invalidField(
        'unique_by',
        `a people export of intent data has one row per person: use ${INTENT_PERSON_COLUMNS.join(' or ')}, not "${uniqueBy}"`,
      );
    }
    const names = new Set(known.map((c) => c.name));
    const missing = [...INTENT_PERSON_COLUMNS, ...INTENT_PEOPLE_INPUTS].filter((name) => !names.has(name));
    if (missing.length > 0) {
      throw invalidField(
        'output',
        `a people export of intent data reads the columns ${missing.join(', ')}, which the input does not have; use output: rows`,
      );
    }
    return { shape, minTopics: body.min_topics ?? null, minDays: body.min_days ?? null, latestBy: null };
  }

  private checkLimit(body: CommonTaskBody): void {
    if (body.limit !== undefined && body.single_file === true) {
      throw invalidField(
        'limit',
        'a single file is written after the task is counted, and a task with a limit is not counted; drop limit, or drop single_file',
      );
    }
    if (body.limit !== undefined && body.perform_unload === false) {
      throw invalidField(
        'limit',
        'a task with a limit exports straight away; drop limit to count first, or drop perform_unload: false',
      );
    }
    if (body.limit !== undefined && body.output === 'people') {
      throw invalidField(
        'limit',
        'a people export counts and exports every person of the segment, so it cannot have a limit; drop limit, or use output: rows',
      );
    }
    // A limited export counts only the rows it wrote: no figure over the whole segment.
    for (const field of ['unique_by', 'breakdown_by'] as const) {
      if (body.limit !== undefined && body[field] !== undefined) {
        throw invalidField(
          'limit',
          `a task with a limit exports at most limit rows per job and counts only those, so it cannot have ${field}; drop limit, or drop ${field}`,
        );
      }
    }
  }

  private checkPartitionCount(count: number): void {
    if (count > this.options.maxPartitions) {
      throw new AppError(
        'too_many_partitions',
        `the task covers ${count} partitions; the limit is ${this.options.maxPartitions}. Split it into several tasks`,
      );
    }
  }

  private async firstFile(root: string): Promise<StoredObject | undefined> {
    const [first] = await fromStorage(() => this.options.storage.list(root, { recursive: true, limit: 1 }));
    return first;
  }

  private async columnsOf(file: StoredObject, hive: boolean, hiveTypes: Record<string, string> | undefined) {
    // The schema is in the footer: one ranged read on an object store, never the whole object. A
    // storage failure is answered as such (a passing one is a 503), not as an unreadable file.
    const { storage, schemas } = this.options;
    try {
      return await fromStorage(() => schemas.columns(storage, file, hive, hiveTypes));
    } catch (error) {
      if (error instanceof AppError) throw error;
      const message = `could not read ${file.uri} as Parquet (${firstLine(error)})`;
      throw new AppError('input_unreadable', `input_path: ${message}`, [{ field: 'input_path', message }]);
    }
  }
}

/** The objects of each partition folder (relative to the root; `.` for the root itself). */
export function objectsByFolder(
  objects: readonly StoredObject[],
  inputRoot: string,
): Map<string, StoredObject[]> {
  const byFolder = new Map<string, StoredObject[]>();
  const root = inputRoot.replace(/\/+$/, '');
  for (const object of objects) {
    const relative = object.uri.slice(root.length + 1);
    const folder = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : '.';
    const inFolder = byFolder.get(folder);
    if (inFolder) inFolder.push(object);
    else byFolder.set(folder, [object]);
  }
  return byFolder;
}

/** Files per partition folder (see `objectsByFolder`). */
function partitionFiles(files: readonly StoredObject[], inputRoot: string): Map<string, number> {
  return new Map(
    [...objectsByFolder(files, inputRoot)].map(([folder, inFolder]) => [folder, inFolder.length]),
  );
}

/**
 * DuckDB reads `k=v` folders as columns only when every file has the same keys, so a generic tree
 * gets Hive columns when all its partition folders share one key list (and it has one at all).
 */
export function sameHiveKeys(partitions: readonly string[]): boolean {
  const keysOf = (partition: string) =>
    partition === '.'
      ? ''
      : partition
          .split('/')
          .map((segment) => segment.split('=', 1)[0] + (segment.includes('=') ? '=' : ''))
          .join('/');
  const first = keysOf(partitions[0] ?? '.');
  return first.includes('=') && partitions.every((p) => keysOf(p) === first);
}

/** How the export's files are written: the request's format, codec and file bounds, checked. */
function layoutOf(body: CommonTaskBody): FileLayout {
  const format = body.format ?? 'parquet';
  let compression: string | null = body.compression ?? (format === 'parquet' ? null : 'gzip');
  // Parquet's name for no codec is `uncompressed`; the API says `none` for every format.
  if (format === 'parquet' && compression === 'none') compression = 'uncompressed';
  if (compression !== null && !FORMAT_CODECS[format].includes(compression)) {
    const codecs = FORMAT_CODECS[format].map((codec) => (codec === 'uncompressed' ? 'none' : codec));
    throw invalidField(
      'compression',
      `${format} files are written with ${codecs.join(', ')}, not ${compression}`,
    );
  }
  if (body.single_file === true && body.max_file_bytes !== undefined) {
    throw invalidField(
      'max_file_bytes',
      'single_file writes one file, and max_file_bytes splits files; drop one of them',
    );
  }
  return {
    format,
    compression,
    singleFile: body.single_file ?? false,
    maxFileBytes: body.max_file_bytes ?? null,
  };
}

/** The layout as the task detail shows the request. */
function layoutView(plan: TaskPlan) {
  const layout = plan.layout ?? DEFAULT_LAYOUT;
  return {
    format: layout.format,
    compression: layout.compression === 'uncompressed' ? 'none' : layout.compression,
    single_file: layout.singleFile,
    max_file_bytes: layout.maxFileBytes,
  };
}

/** The columns an intent people export may count people by. */
const INTENT_PERSON_COLUMNS = ['person_id', 'hem_sha256'] as const;

/**
 * The contradictions of the people-export fields, answered before any input is read: they need
 * `output: "people"` and `unique_by`, and an intent task's minimums cannot exceed what it names
 * (`scope`: its numbers of days and prefixes; undefined for a generic task).
 */
function checkPeopleFields(
  body: CommonTaskBody & PeopleFields,
  scope: { days: number; prefixes: number } | undefined,
): void {
  for (const field of ['min_topics', 'min_days', 'latest_by'] as const) {
    if (body[field] !== undefined && body.output !== 'people') {
      throw invalidField(
        field,
        `${field} applies to a people export; add output: "people", or drop ${field}`,
      );
    }
  }
  if (body.output !== 'people') return;
  if (body.unique_by === undefined) {
    throw invalidField(
      'unique_by',
      `output: "people" exports one row per distinct unique_by value; name the person column, e.g. unique_by: "person_id"`,
    );
  }
  if (body.breakdown_by !== undefined) {
    throw invalidField(
      'breakdown_by',
      'breakdowns count the rows of a segment, and a people export counts people; drop breakdown_by, or count the breakdowns in a task with output: rows',
    );
  }
  if (scope && body.select !== undefined) {
    throw invalidField(
      'select',
      'a people export of intent data has fixed columns (person_id, hem_sha256, topic_ids, prefixes, max_intent_score, best_score, days_seen, first_seen, last_seen); drop select',
    );
  }
  const minimums = [
    { field: 'min_topics', value: body.min_topics, most: scope?.prefixes, what: 'topic prefixes' },
    { field: 'min_days', value: body.min_days, most: scope?.days, what: 'days' },
  ];
  for (const { field, value, most, what } of minimums) {
    if (value !== undefined && most !== undefined && value > most) {
      throw invalidField(
        field,
        `${field} is ${value} but the task names ${most} ${what}, so nobody could match; lower ${field} or name more ${what}`,
      );
    }
  }
}

function needsSchema(body: CommonTaskBody): boolean {
  return (
    body.where_expr !== undefined ||
    body.select !== undefined ||
    body.unique_by !== undefined ||
    body.breakdown_by !== undefined
  );
}

function noDataFor(field: string): ExpressionError {
  return new ExpressionError(
    field,
    'expression_invalid',
    `${field}: the input holds no data yet, so its columns are unknown`,
  );
}

function uniqueStrings(
  values: readonly string[],
  field: string,
  problem: (value: string) => string | undefined,
) {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    const message = problem(value);
    if (message) throw invalidField(`${field}[${index}]`, `${JSON.stringify(value).slice(0, 60)} ${message}`);
    seen.add(value);
  });
  return [...seen];
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
}
