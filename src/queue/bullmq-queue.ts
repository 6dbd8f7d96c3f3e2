import { randomUUID } from 'node:crypto';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { messageOf } from '../errors.ts';
import type { EnqueueOptions, JobHandler, JobQueue } from './queue.ts';

export interface BullMqQueueOptions {
  /** Redis to share with every other process, e.g. `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** The queue every API process and worker shares. @defaultValue `'audiences-jobs'` */
  name?: string;
  /** BullMQ's key prefix: keys are `{prefix}:{name}:…`. @defaultValue `'audiences'` */
  prefix?: string;
  /** Handlers running at once in this process (the worker's slots). */
  concurrency: number;
  /**
   * How long a delivery stays locked to this process without renewal (BullMQ renews it every half
   * of this while the handler runs). A process that dies leaves its locks to expire: while another
   * worker runs, its jobs are delivered again within about `lockDurationMs + stalledIntervalMs`.
   * Every process of a queue should use the same values.
   * @defaultValue `30_000` (BullMQ's default, and the store lease's default time)
   */
  lockDurationMs?: number;
  /** How often this process looks for jobs whose lock expired (stalled). @defaultValue `30_000` */
  stalledIntervalMs?: number;
  /**
   * How many times one delivery is recovered from a stall before BullMQ drops it (the store still
   * holds the job: the reconciler enqueues it again).
   * @defaultValue `3`
   */
  maxStalledCount?: number;
  /** How long `ping` waits for Redis before it rejects. @defaultValue `2_000` */
  pingTimeoutMs?: number;
  /** Told of Redis errors and of handlers that rejected (the handler records the job's failure). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** What a BullMQ job carries: the store's job id and its group (see `EnqueueOptions.group`). */
interface Delivery {
  jobId: string;
  group?: string;
}

/** BullMQ's highest priority number (the lowest priority). */
const MAX_PRIORITY = 2_097_151;
/** How long a group remembers an id that was never delivered (dropped by BullMQ, or lost). */
const GROUP_MEMORY_MS = 60 * 60 * 1000;

/**
 * Each id's place in its group's line: the ids of one group waiting in this queue, in a sorted set
 * (`KEYS[1]`, scored by when they came). `ARGV[1]` is now (ms), `ARGV[2]` how long an undelivered id
 * is remembered, `ARGV[3]` the prefix of BullMQ's job keys, the rest the BullMQ ids to place. A new
 * id's place is the number of its group's ids then waiting, itself included. An id BullMQ still holds
 * (waiting or running: BullMQ drops the add) joins no line and gets place 1, which it never uses; one
 * that runs (its job has `processedOn`) is marked (`again:{id}`) to be delivered once more when that
 * delivery ends.
 */
const PLACE_IN_GROUP = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local memory = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - memory)
local places = {}
for i = 4, #ARGV do
  if redis.call('EXISTS', ARGV[3] .. ARGV[i]) == 1 then
    if redis.call('HEXISTS', ARGV[3] .. ARGV[i], 'processedOn') == 1 then
      redis.call('SET', ARGV[3] .. 'again:' .. ARGV[i], 1, 'PX', memory)
    end
    places[#places + 1] = 1
  else
    redis.call('ZADD', key, 'NX', now, ARGV[i])
    places[#places + 1] = redis.call('ZCARD', key)
  end
end
redis.call('PEXPIRE', key, memory)
return places
`;

/**
 * The scaled-out queue: job ids travel through BullMQ on Redis to the handler of every process that
 * called `start` (at most `concurrency` at a time in each), so any number of processes share one
 * queue. Delivery is at least once; the store decides whether a delivered job still has to run.
 *
 * BullMQ ids. An immediate delivery of id `X` always has the BullMQ id `j.X`, so while `j.X` waits
 * or runs BullMQ drops a second one: no delivery twice at once (one dropped while `j.X` runs is
 * delivered once `j.X` ended: see `deliverAgainIfAsked`). A delayed delivery (a retry's
 * backoff) gets an id of its own, `j.X.delayed.{uuid}`: the job runner enqueues its retry while
 * BullMQ still holds `j.X` as active, and reusing `j.X` would drop that retry. So a delayed delivery
 * can meet an immediate one of the same job; the store's claim lets only one of them run it. So does
 * a redelivery (`redeliver`, `j.X.redelivered.{uuid}`): the job of a worker that died is still
 * active in BullMQ under `j.X` until a stalled check notices the lost lock (up to
 * `lockDurationMs + stalledIntervalMs`, a minute by default), and an add under `j.X` would wait
 * for that check instead of running the job as soon as the store's lease expired.
 * Finished and failed jobs are removed at once, which keeps Redis small and frees `j.X` for the
 * next enqueue. BullMQ never retries on its own (`attempts: 1`): the store decides retries.
 *
 * Groups. Every id is added with a BullMQ priority: its place in its group's line (1 when the group
 * has nothing else waiting, 2 when it has one, ...), the line kept in a sorted set per group next to
 * the queue's keys and left when the id is delivered. BullMQ delivers lower numbers first and equal
 * ones in order, so the groups take turns: a group's first waiting id goes ahead of another's second.
 * An id BullMQ never delivers (a stalled job it gave up on) leaves its group's line after an hour; a
 * Redis that lost its contents lost the lines with them.
 *
 * A process that dies mid-job leaves the job active in Redis under a lock it no longer renews; once
 * the lock expires, the stalled-job check of any live worker puts it back to wait (see
 * `lockDurationMs`). That redelivery may come before the store's lease of the dead worker expired:
 * the handler then ignores it, and whatever takes over expired leases must enqueue the job again
 * (with `redeliver`).
 */
export class BullMqQueue implements JobQueue {
  private readonly name: string;
  private readonly prefix: string;
  private readonly connection: Redis;
  private readonly queue: Queue<Delivery>;
  private worker: Worker<Delivery> | undefined;
  private workerConnection: Redis | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BullMqQueueOptions) {
    this.name = options.name ?? 'audiences-jobs';
    this.prefix = options.prefix ?? 'audiences';
    // Commands wait through a short Redis outage (ioredis retries them) rather than fail at once.
    this.connection = this.redis({});
    this.queue = new Queue<Delivery>(this.name, {
      connection: this.connection,
      prefix: this.prefix,
      defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: true },
    });
    this.queue.on('error', (error) => this.logError('queue', error));
  }

  async enqueue(jobIds: readonly string[], options: EnqueueOptions = {}): Promise<void> {
    if (this.closing) return;
    const delay = options.delayMs && options.delayMs > 0 ? Math.ceil(options.delayMs) : 0;
    const group = options.group ?? '';
    const ids = [...new Set(jobIds)];
    if (ids.length === 0) return;
    const bullIds = ids.map((jobId) => {
      if (delay > 0) return `${bullId(jobId)}.delayed.${randomUUID()}`;
      if (options.redeliver) return `${bullId(jobId)}.redelivered.${randomUUID()}`;
      return bullId(jobId);
    });
    const places = (await this.connection.eval(
      PLACE_IN_GROUP,
      1,
      this.groupKey(group),
      Date.now(),
      GROUP_MEMORY_MS,
      `${this.prefix}:${this.name}:`,
      ...bullIds,
    )) as number[];
    await this.queue.addBulk(
      ids.map((jobId, i) => ({
        name: 'job',
        data: { jobId, group },
        opts: {
          jobId: bullIds[i]!,
          // A redelivery goes first: BullMQ delivers an id without priority before prioritized ones.
          ...(options.redeliver ? {} : { priority: Math.min(MAX_PRIORITY, places[i]!) }),
          ...(delay > 0 ? { delay } : {}),
        },
      })),
    );
  }

  async start(handler: JobHandler): Promise<void> {
    if (this.closing || this.worker) return;
    // A worker blocks on Redis while it waits for jobs: BullMQ requires unlimited retries on its
    // connection so that a Redis restart pauses it instead of failing it.
    this.workerConnection = this.redis({ maxRetriesPerRequest: null });
    this.worker = new Worker<Delivery>(this.name, (job) => this.deliver(handler, job), {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.options.maxStalledCount ?? 3,
    });
    this.worker.on('error', (error) => this.logError('worker', error));
    // Ended deliveries (removed from Redis by now): an id enqueued meanwhile is delivered once more.
    this.worker.on('completed', (job) => void this.deliverAgainIfAsked(job));
    this.worker.on('failed', (job) => void (job && this.deliverAgainIfAsked(job)));
  }

  async ping(): Promise<void> {
    await this.answered(() => this.connection.ping());
  }

  /**
   * A key beside the queue's own (`{prefix}:{name}:held`) says Redis still holds what it was given:
   * set by the first look that misses it, it goes with everything else in a FLUSHALL or a restart
   * without persistence. Setting it only if absent makes that look the one that reports the loss.
   */
  async wasEmptied(): Promise<boolean> {
    const key = `${this.prefix}:${this.name}:held`;
    return (await this.answered(() => this.connection.set(key, new Date().toISOString(), 'NX'))) === 'OK';
  }

  /** `command`'s answer; a rejection when the queue is closed, or when Redis is silent for `pingTimeoutMs`. */
  private async answered<T>(command: () => Promise<T>): Promise<T> {
    if (this.closing) throw new Error('queue is closed');
    const timeoutMs = this.options.pingTimeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`redis did not answer within ${timeoutMs} ms (${this.connection.status})`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([command(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async depth(): Promise<number> {
    return this.queue.getJobCountByTypes('waiting', 'prioritized', 'delayed');
  }

  /**
   * Stops taking jobs, waits for the running handlers, and closes the connections. The ids not yet
   * delivered stay in Redis for the other processes (and for this one's successor).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Not forced: the worker keeps renewing its locks until the running handlers settle.
      await this.worker?.close().catch((error: unknown) => this.logError('worker', error));
      await this.queue.close().catch((error: unknown) => this.logError('queue', error));
      await Promise.all([
        disconnect(this.connection),
        this.workerConnection && disconnect(this.workerConnection),
      ]);
    })();
    return this.closing;
  }

  private async deliver(handler: JobHandler, job: Job<Delivery>): Promise<void> {
    // The id leaves its group's line: the group's next ids move up.
    if (job.id) {
      await this.connection
        .zrem(this.groupKey(job.data.group ?? ''), job.id)
        .catch((error: unknown) => this.logError('queue', error));
    }
    try {
      await handler(job.data.jobId);
    } catch (error) {
      // The handler records failures in the store; the queue only keeps going.
      this.options.log?.('job handler rejected', { jobId: job.data.jobId, error: messageOf(error) });
    }
  }

  /**
   * An id enqueued while BullMQ held this delivery of it was dropped by BullMQ (one id, one job) and
   * marked instead (see PLACE_IN_GROUP): now that the delivery has ended, it is enqueued again. A
   * task retried the moment its job failed runs at once, not at the reconciler's next look.
   */
  private async deliverAgainIfAsked(job: Job<Delivery>): Promise<void> {
    if (!job.id || this.closing) return;
    try {
      const asked = await this.connection.getdel(`${this.prefix}:${this.name}:again:${job.id}`);
      if (asked !== null) await this.enqueue([job.data.jobId], { group: job.data.group ?? '' });
    } catch (error) {
      this.logError('queue', error);
    }
  }

  /** The sorted set holding a group's waiting ids (under the queue's own keys). */
  private groupKey(group: string): string {
    return `${this.prefix}:${this.name}:group:${group}`;
  }

  private redis(options: { maxRetriesPerRequest?: null }): Redis {
    const redis = new Redis(this.options.redisUrl, options);
    // BullMQ reports connection errors through the queue and the worker; this listener only keeps
    // ioredis from printing them as unhandled.
    redis.on('error', () => undefined);
    return redis;
  }

  private logError(source: string, error: unknown): void {
    this.options.log?.('redis error', { source, queue: this.name, error: messageOf(error) });
  }
}

/**
 * BullMQ refuses integer-like custom ids and ids with `:`: the prefix and the escapes rule out both,
 * and an escaped `.` keeps `j.X` apart from every `j.Y.delayed.{uuid}` and `j.Y.redelivered.{uuid}`.
 */
function bullId(jobId: string): string {
  return `j.${jobId.replaceAll('%', '%25').replaceAll(':', '%3A').replaceAll('.', '%2E')}`;
}

async function disconnect(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}
