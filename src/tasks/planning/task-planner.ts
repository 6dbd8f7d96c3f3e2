import { splitPlanOf } from '../../activation/splits.ts';
import type { InputSchemas } from '../../catalog/input-schema.ts';
import { INTENT_HIVE_TYPES, SCORES } from '../../catalog/intent-layout.ts';
import type { GenericTaskBody, IntentTaskBody } from '../../contract/task-body-schemas.ts';
import { INTENT_PEOPLE_INPUTS } from '../../engine/people-queries.ts';
import { type ColumnInfo, ExpressionError, type SqlGuard } from '../../engine/sql-guard.ts';
import { quoteIdentifier, quoteString } from '../../engine/sql-quote.ts';
import { AppError, invalidField, JobError } from '../../errors.ts';
import type { Storage, StoredObject } from '../../storage/storage.ts';
import type { InputPathPolicy } from '../requests/input-paths.ts';
import { resolveInput } from '../requests/input-paths.ts';
import {
  type CommonTaskBody,
  checkGenericBody,
  checkIntentBody,
  checkPartitionCount,
  layoutOf,
  needsSchema,
  noDataFor,
  type PeopleFields,
  profileIdentifier,
} from '../requests/request-checks.ts';
import { fromStorage, unreadableInput } from '../requests/request-storage.ts';
import { genericRequestView, intentRequestView } from '../requests/request-views.ts';
import { taskNameOf } from '../requests/task-name.ts';
import {
  countsWhole,
  firstJobPhase,
  intentPartitionKeys,
  type PeoplePlan,
  type ProfilePlan,
  type StoredRequest,
  type TaskPlan,
  type TaskType,
} from '../task-model.ts';
import { slicesCount } from '../unique-slices.ts';
import { batchPartitions, type JobsPerTask, partitionsPerJob } from './partition-batches.ts';
import { partitionFiles, sameHiveKeys } from './partition-folders.ts';

export interface TaskPlannerOptions {
  storage: Storage;
  /** Checks where_expr and select; its owner (the server) closes it. */
  guard: SqlGuard;
  schemas: InputSchemas;
  intentInputPath: string;
  inputPolicy: InputPathPolicy;
  /** Jobs a task is spread over, by the phase of its first jobs (see `jobsPerTask`, `exportJobsPerTask`). */
  jobsPerTask: JobsPerTask;
  /** Most partitions (days × prefixes × scores, or folders) one task may cover. */
  maxPartitions: number;
  /**
   * The topics of the server's intent tree (topic id → its prefix), which `topic_ids` are checked
   * against. Absent: `topic_ids` is refused.
   */
  topics?: () => Promise<ReadonlyMap<string, string>>;
  /**
   * The hash buckets a task's unique or people work is sliced into, should it be larger than one
   * job (`tasks/unique-slices.ts`): asked once per such task, at create. @defaultValue `SLICE_BUCKETS`
   */
  sliceBuckets?: () => Promise<number>;
}

/**
 * A task ready to be stored: its request as stored, and its partitions batched into jobs; or, for an
 * input too large to list while the client waits (`listing`), no batches yet: a `list` job lists it
 * and plans them (`listed`).
 */
export interface PlannedTask {
  type: TaskType;
  /** The task's name for people (`name`, trimmed); null or absent without one. */
  name?: string | null;
  request: StoredRequest;
  batches: string[][];
  listing?: boolean;
}

/** A request validated and resolved against its input, before its partitions are batched into jobs. */
export interface CheckedIntent {
  name: string | null;
  request: StoredRequest;
  /** Every `day=…/prefix=…/score=…` the request covers, in day, prefix, score order. */
  partitions: string[];
}

/** A generic request validated against its listed input. */
export interface CheckedGeneric {
  name: string | null;
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

/** The request's column names checked against the input's columns: what `plan` stores of them. */
interface CheckedColumns {
  whereSql: string | null;
  /** Columns written to exports; null: the files' own columns. */
  selected: string[] | null;
  uniqueBy: string | null;
  breakdownBy: string[] | null;
  people: PeoplePlan | null;
  profile: ProfilePlan | null;
}

const ORDERED_COLUMNS = { score: SCORES };
/** The columns an intent people export may count people by. */
const INTENT_PERSON_COLUMNS = ['person_id', 'hem_sha256'] as const;
/**
 * Objects of a generic input listed while the client waits: one LIST page of an object store. An
 * input with more is listed by a worker (a `list` job), so creating a task over a bucket never lists
 * the bucket in the request.
 */
export const LISTED_AT_CREATION = 1000;

/**
 * Turns a task request into its plan and partitions: checks the body (`request-checks.ts`), resolves
 * the input, reads its schema when an expression or column list needs it, checks the columns the
 * request names against it, and batches the partitions into jobs.
 */
export class TaskPlanner {
  constructor(private readonly options: TaskPlannerOptions) {}

  /**
   * An intent task: every day × prefix × score is a partition. `admit` runs once the body is valid and
   * before any input is read (the caller's capacity check).
   */
  async intent(body: IntentTaskBody, admit: () => Promise<void>): Promise<PlannedTask> {
    const checked = await this.checkIntent(body, admit);
    const { name, partitions } = checked;
    const request = await this.withSliceBuckets(checked.request);
    const batches = countsWhole(request.plan)
      ? [partitions]
      : batchPartitions(partitions, partitionsPerJob(partitions.length, this.jobsOf(request)));
    return { type: 'intent_hive', name, request, batches };
  }

  /**
   * Validates an intent request and resolves its input: every 400 a create can answer, without
   * planning jobs (an estimate stops here). `admit` runs as in `intent`.
   */
  async checkIntent(body: IntentTaskBody, admit: () => Promise<void>): Promise<CheckedIntent> {
    const name = taskNameOf(body.name);
    const scope = checkIntentBody(body, this.options.maxPartitions);
    const inputRoot =
      body.input_path === undefined
        ? this.options.intentInputPath
        : await resolveInput(body.input_path, this.options.inputPolicy);
    await admit();
    const topicIds = body.topic_ids === undefined ? null : await this.checkTopics(body, scope.prefixes);

    const partitions = intentPartitionKeys(scope.days, scope.prefixes, scope.scores);
    // The schema is needed only to check an expression or a column list.
    const sample = needsSchema(body) ? await this.firstFile(inputRoot) : undefined;
    const columns = sample ? await this.columnsOf(sample, true, INTENT_HIVE_TYPES) : undefined;
    const planned = await this.plan({
      body,
      inputRoot,
      columns,
      hive: true,
      hiveTypes: INTENT_HIVE_TYPES,
      hiveKeys: Object.keys(INTENT_HIVE_TYPES),
      nestedPartitions: false,
      peopleShape: 'intent',
    });
    const plan = topicIds ? withTopics(planned, topicIds) : planned;
    return { name, request: { view: intentRequestView(body, scope, plan), plan }, partitions };
  }

  /**
   * The request's `topic_ids`, each once: a 400 names those the server's tree does not hold and those
   * of a prefix the request does not read.
   */
  private async checkTopics(body: IntentTaskBody, prefixes: readonly string[]): Promise<string[]> {
    const ids = [...new Set(body.topic_ids ?? [])];
    if (body.input_path !== undefined || !this.options.topics) {
      throw invalidField(
        'topic_ids',
        "topic_ids selects topics of the server's intent tree; drop input_path or topic_ids",
      );
    }
    const known = await this.options.topics();
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw invalidField(
        'topic_ids',
        `unknown topic ids: ${listed(unknown)}; GET /api/v1/catalog/intent/topics lists the topics`,
      );
    }
    const chosen = new Set(prefixes);
    const outside = ids.filter((id) => !chosen.has(known.get(id)!));
    if (outside.length > 0) {
      throw invalidField(
        'topic_ids',
        `topics not under topic_id_prefixes: ${outside.map((id) => `${id} (prefix ${known.get(id)})`).join(', ')}; add their prefixes or drop them`.slice(
          0,
          500,
        ),
      );
    }
    return ids;
  }

  /**
   * A generic task: every folder holding Parquet files is a partition, and jobs are balanced by file
   * count. `admit` runs as in `intent`. An input of more than `LISTED_AT_CREATION` objects is planned
   * from its first ones (its layout and schema) and listed in full by a worker.
   */
  async generic(body: GenericTaskBody, admit: () => Promise<void>): Promise<PlannedTask> {
    const checked = await this.checkGeneric(body, admit, LISTED_AT_CREATION);
    const { name, filesPerPartition, listing } = checked;
    const request = await this.withSliceBuckets(checked.request);
    if (listing) return { type: 'generic_parquet', name, request, batches: [], listing };
    return { type: 'generic_parquet', name, request, batches: this.batchesOf(request, filesPerPartition) };
  }

  /** A request whose count may be sliced, with its buckets (`TaskPlan.sliceBuckets`). */
  private async withSliceBuckets(request: StoredRequest): Promise<StoredRequest> {
    const { sliceBuckets } = this.options;
    if (!sliceBuckets || !slicesCount(request.plan)) return request;
    return { ...request, plan: { ...request.plan, sliceBuckets: await sliceBuckets() } };
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
    const name = taskNameOf(body.name);
    checkGenericBody(body);
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
    if (!listing) checkPartitionCount(partitions.length, this.options.maxPartitions);
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
    const request = { view: genericRequestView(body, plan), plan };
    return { name, request, files, filesPerPartition, listing };
  }

  /**
   * The partitions of a generic task batched into jobs, once a `list` job listed its whole input.
   * Throws a `JobError` when the input cannot be a task as planned: it holds no files any more, more
   * partitions than a task may cover, or a layout other than the one its first objects showed.
   */
  listed(request: StoredRequest, files: readonly StoredObject[]): string[][] {
    const { plan } = request;
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
    return this.batchesOf(request, filesPerPartition);
  }

  /** The export jobs' partitions of a counted task (those with rows). */
  exportBatches(partitions: readonly string[]): string[][] {
    return batchPartitions(partitions, partitionsPerJob(partitions.length, this.options.jobsPerTask.unload));
  }

  /** Jobs the task's first partitions are spread over: its first jobs export, or count. */
  private jobsOf(request: StoredRequest): number {
    return this.options.jobsPerTask[firstJobPhase(request)];
  }

  private batchesOf(request: StoredRequest, filesPerPartition: ReadonlyMap<string, number>): string[][] {
    const partitions = [...filesPerPartition.keys()].sort();
    if (countsWhole(request.plan)) return [partitions];
    const perJob = partitionsPerJob(partitions.length, this.jobsOf(request));
    return batchPartitions(partitions, perJob, (p) => filesPerPartition.get(p) ?? 0);
  }

  /** The plan stored with the task: the filter and columns checked against the input's schema. */
  private async plan(input: PlanInput): Promise<TaskPlan> {
    const { body, inputRoot, hive, hiveTypes, nestedPartitions } = input;
    const { whereSql, selected, uniqueBy, breakdownBy, people, profile } = await this.checkColumns(input);
    const layout = layoutOf(body);
    const splits = splitPlanOf(body);
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
      ...(profile ? { profile } : {}),
      ...(splits ? { splits } : {}),
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

  /**
   * The filter, column list, `unique_by`, `breakdown_by` and people export of a request, checked
   * against the input's columns; a field naming columns of an input without data is a 400.
   */
  private async checkColumns({
    body,
    columns,
    hiveTypes,
    hiveKeys,
    peopleShape,
  }: PlanInput): Promise<CheckedColumns> {
    const known = columns ?? [];
    let whereSql: string | null = null;
    let uniqueBy: string | null = null;
    let breakdownBy: string[] | null = null;
    let people: PeoplePlan | null = null;
    let profile: ProfilePlan | null = null;
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
      const identifier = profileIdentifier(body, peopleShape);
      if (identifier !== null && body.profile !== undefined) {
        // A profile's people are its identifier's values (the checks made unique_by agree with it).
        const field =
          body.identifier !== undefined
            ? 'identifier'
            : body.unique_by !== undefined
              ? 'unique_by'
              : 'profile';
        if (!columns) throw noDataFor(field);
        uniqueBy = await this.options.guard.column(identifier, known, field);
        checkIdentifierType(uniqueBy, known, field);
        profile = { name: body.profile, identifier: uniqueBy };
      } else if (body.unique_by !== undefined) {
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
        // A profile file holds the identifier alone: a person's row needs no other column.
        if (profile) selected = peopleShape === 'intent' ? null : [uniqueBy];
      }
    } catch (error) {
      if (error instanceof ExpressionError)
        throw new AppError(error.code, error.message, [{ field: error.field, message: error.message }]);
      throw error;
    }
    return { whereSql, selected, uniqueBy, breakdownBy, people, profile };
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
      throw unreadableInput(file.uri, error);
    }
  }
}

/** The plan filtered to the topics (ANDed with where_expr): the rows are read, not copied. */
function withTopics(plan: TaskPlan, topicIds: readonly string[]): TaskPlan {
  // Quoted here, never spliced as given (the ids were also checked against the tree's topics).
  const topics = `${quoteIdentifier('topic_id')} IN (${topicIds.map(quoteString).join(', ')})`;
  return {
    ...plan,
    whereSql: plan.whereSql === null ? topics : `(${plan.whereSql}) AND ${topics}`,
    copyFiles: false,
  };
}

/** The first ids of a list, quoted, for a message. */
function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, 20).map((id) => JSON.stringify(id.slice(0, 80)));
  return shown.join(', ') + (ids.length > 20 ? ` and ${ids.length - 20} more` : '');
}

/** A profile encodes the hex text of a SHA-256: its identifier column must hold text. */
function checkIdentifierType(column: string, known: readonly ColumnInfo[], field: string): void {
  const type = known.find((c) => c.name === column)?.type;
  if (type !== 'VARCHAR') {
    throw invalidField(
      field,
      `column "${column}" is ${type}; a profile encodes the hex SHA-256 of each e-mail, which must be text (VARCHAR): name a text column`,
    );
  }
}
