import { EngineTimeoutError, isOutOfMemory } from '../engine/duckdb-sandbox.ts';
import { ParquetFooterError } from '../engine/parquet-footer.ts';
import { JobError, TASK_ERROR_CODES, type TaskErrorCode } from '../errors.ts';
import { isDiskFull, StorageError } from '../storage/storage-error.ts';

/** What a failed job records: the task's `error` and whether trying again can help. */
export interface JobFailure {
  code: TaskErrorCode;
  message: string;
  permanent: boolean;
}

/**
 * Turns an engine or storage failure into an error a user can act on, and decides whether to retry.
 * `uriOf` maps local (staged) paths to their storage URIs, so a message names the object.
 */
export function describeFailure(error: unknown, uriOf: ReadonlyMap<string, string> = new Map()): JobFailure {
  // A storage code is a task code as it is (the type checks it); the error knows its permanence.
  if (error instanceof JobError || error instanceof StorageError)
    return { code: error.code, message: error.message, permanent: error.permanent };
  if (error instanceof EngineTimeoutError) {
    return failure('job_timeout', `${error.message}; narrow the task or ask for a longer JOB_TIMEOUT`);
  }
  let message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 1000);
  for (const [local, uri] of uriOf) message = message.replaceAll(local, uri);
  message = message.slice(0, 500);
  // Before the IO errors below: DuckDB reports a full disk as `IO Error: Could not write file …`.
  if (isDiskFull(error)) {
    return failure('disk_full', `the disk is full: ${message}; free space there, then retry the task`);
  }
  if (error instanceof ParquetFooterError) {
    return failure('input_unreadable', `the input could not be read: ${message}`);
  }
  if (isOutOfMemory(error)) {
    return failure('out_of_memory', `the query ran out of memory: ${message}`);
  }
  // The client's filter failed on the data (a cast of a text to a number, an overflow): theirs to change.
  if (/^(Conversion|Out of Range|Binder) Error/i.test(message)) {
    return failure('expression_failed', `where_expr failed on the data: ${message}`);
  }
  if (/Invalid Input Error|Parquet|magic bytes|Corrupt|IO Error/i.test(message)) {
    return failure('input_unreadable', `the input could not be read: ${message}`);
  }
  return failure('job_failed', message);
}

/** Codes whose permanence the catalogue fixes. */
type FixedTaskErrorCode = {
  [K in TaskErrorCode]: (typeof TASK_ERROR_CODES)[K]['permanent'] extends boolean ? K : never;
}[TaskErrorCode];

function failure(code: FixedTaskErrorCode, message: string): JobFailure {
  return { code, message, permanent: TASK_ERROR_CODES[code].permanent };
}
