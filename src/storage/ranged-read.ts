import { setTimeout as sleep } from 'node:timers/promises';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { StoredObject } from './storage.ts';
import { StorageError } from './storage-error.ts';

/** How a ranged read of an object survives a body that fails after its answer began. */
export interface BodyRetryOptions {
  /**
   * Reads of one range (the first included) whose body breaks off: a reset, a stall past the
   * client's socket timeout, or fewer bytes than the answer announced. Each read after the first
   * asks only for the bytes still missing.
   * @defaultValue 4
   */
  attempts: number;
  /** Longest wait between two reads, in ms; each wait is drawn at random up to a doubling bound. @defaultValue 2000 */
  maxBackoffMs: number;
}

export const DEFAULT_BODY_RETRY: BodyRetryOptions = { attempts: 4, maxBackoffMs: 2000 };
const FIRST_BACKOFF_MS = 100;

/**
 * Bytes `start`..`end` of `object`, exactly. The SDK retries a request that fails before its answer
 * (5xx, throttling, resets, timeouts) but not a body that breaks off after the headers: this reads
 * again from the first missing byte, a bounded number of times, with backoff and full jitter. Every
 * answer must be the version the task planned with (its ETag and total size), so a changed or
 * truncated object is never taken for good data.
 */
export async function readRange(
  object: StoredObject,
  start: number,
  end: number,
  get: (from: number) => Promise<GetObjectCommandOutput>,
  options: BodyRetryOptions,
  counted: (bytes: number) => void,
): Promise<Buffer> {
  const want = end - start + 1;
  const parts: Buffer[] = [];
  let received = 0;
  for (let failures = 0; ; ) {
    const from = start + received;
    const reply = await get(from);
    checkVersion(object, reply);
    const announced = reply.ContentLength;
    if (announced !== undefined && announced !== end - from + 1) {
      throw new StorageError(
        'storage_error',
        `${object.uri}: the store answered ${announced} bytes for the ${end - from + 1} of bytes=${from}-${end}`,
        false,
      );
    }
    let cause: string;
    try {
      for await (const chunk of reply.Body as AsyncIterable<Buffer>) {
        parts.push(chunk);
        received += chunk.length;
        counted(chunk.length);
      }
      if (received === want) return Buffer.concat(parts, want);
      cause = `the body ended after ${received - (from - start)} of its ${end - from + 1} bytes (truncated)`;
    } catch (error) {
      cause = `the body broke off after ${received - (from - start)} of its ${end - from + 1} bytes (${describe(error)})`;
    }
    if (received > want) {
      throw new StorageError(
        'storage_error',
        `${object.uri}: the store sent more bytes than bytes=${start}-${end}`,
        false,
      );
    }
    if (++failures >= options.attempts) {
      throw new StorageError(
        'storage_error',
        `${object.uri}: bytes=${from}-${end}: ${cause}; read ${options.attempts} times`,
        false,
      );
    }
    const bound = Math.min(options.maxBackoffMs, FIRST_BACKOFF_MS * 2 ** (failures - 1));
    await sleep(Math.round(Math.random() * bound));
  }
}

/** Refuses an answer from another version of the object than the one listed (a store that ignores `If-Match`). */
function checkVersion(object: StoredObject, reply: GetObjectCommandOutput): void {
  if (object.etag && reply.ETag && reply.ETag !== object.etag) {
    throw new StorageError(
      'object_changed',
      `${object.uri}: the object changed after the task listed it (ETag ${object.etag}, now ${reply.ETag}); run the task again`,
    );
  }
  const total = /\/(\d+)$/.exec(reply.ContentRange ?? '')?.[1];
  if (total !== undefined && Number(total) !== object.size) {
    throw new StorageError(
      'object_changed',
      `${object.uri}: the object changed after the task listed it (${object.size} bytes, now ${total}); run the task again`,
    );
  }
}

function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  return [e.code ?? e.name, e.message].filter(Boolean).join(': ').slice(0, 200);
}
