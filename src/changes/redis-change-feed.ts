import { Redis, type RedisOptions } from 'ioredis';
import { messageOf } from '../errors.ts';
import type { ChangeFeed, ChangeSubscription } from './change-feed.ts';

export interface RedisChangeFeedOptions {
  /** The Redis server shared by the API processes and workers, e.g. `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /**
   * Namespace of the channel, `{prefix}:task-changes`: processes with the same prefix wake each other.
   * @defaultValue `audiences`
   */
  prefix?: string;
  /**
   * Names of the feed's connections in `CLIENT LIST`: `{clientName}:sub` and `{clientName}:pub`.
   * @defaultValue `{prefix}:task-changes`
   */
  clientName?: string;
  /** Problems worth a warning: Redis unreachable (once per outage and connection), a failed publish. */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * A feed over Redis pub/sub: one channel, each message a task id. A process subscribes on one
 * connection, opened at the first `subscribe` (a process that only publishes, such as a worker, opens
 * none), and publishes on another, opened at the first `publish`. Redis being down never fails a
 * caller: publishes are dropped with a warning, and the subscriber reconnects and subscribes again on
 * its own (ioredis). Notifications published while a subscriber is disconnected are lost; readers
 * see those changes at their next re-read of the store.
 */
export class RedisChangeFeed implements ChangeFeed {
  /** The pub/sub channel. */
  readonly channel: string;
  private readonly clientName: string;
  private readonly log: (message: string, fields: Record<string, unknown>) => void;
  private readonly subscribers = new Set<(taskId: string) => void>();
  private subscriber: Redis | undefined;
  private subscribed: Promise<void> | undefined;
  private publisher: Redis | undefined;
  private publishFailing = false;
  private closed = false;
  private markClosed: () => void = () => {};
  /** Resolves at `close`. */
  private readonly closing = new Promise<void>((resolve) => {
    this.markClosed = resolve;
  });

  constructor(private readonly options: RedisChangeFeedOptions) {
    const prefix = options.prefix ?? 'audiences';
    this.channel = `${prefix}:task-changes`;
    this.clientName = options.clientName ?? this.channel;
    this.log = options.log ?? (() => {});
  }

  async publish(taskId: string): Promise<void> {
    if (this.closed) return;
    // A publish waits for at most one reconnection before it is dropped: a late notification is
    // worth no more than the reader's own re-read, and the queue of waiting ones stays short.
    this.publisher ??= this.connect('pub', { maxRetriesPerRequest: 1 });
    try {
      await this.publisher.publish(this.channel, taskId);
      this.publishFailing = false;
    } catch (error) {
      // Warn once per run of failures, not once per change.
      if (this.closed || this.publishFailing) return;
      this.publishFailing = true;
      this.log('could not publish a task change; readers elsewhere see it at their next re-read', {
        taskId,
        error: messageOf(error),
      });
    }
  }

  subscribe(onChange: (taskId: string) => void): ChangeSubscription {
    if (this.closed) return { ready: Promise.resolve(), cancel: () => {} };
    // A function per subscription, so the same callback subscribed twice is cancelled one at a time.
    const subscriber = (taskId: string) => onChange(taskId);
    this.subscribers.add(subscriber);
    return { ready: this.listen(), cancel: () => this.subscribers.delete(subscriber) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.markClosed();
    this.subscribers.clear();
    const { subscriber, publisher } = this;
    subscriber?.disconnect();
    if (publisher?.status === 'ready') {
      // Publishes already sent go out before the connection ends.
      await publisher.quit().catch(() => publisher.disconnect());
    } else {
      publisher?.disconnect();
    }
  }

  private listen(): Promise<void> {
    if (this.subscribed) return this.subscribed;
    // SUBSCRIBE waits out an outage rather than fail; after a reconnection ioredis subscribes again.
    const connection = this.connect('sub', { maxRetriesPerRequest: null });
    connection.on('message', (channel: string, taskId: string) => {
      if (channel !== this.channel) return;
      for (const subscriber of [...this.subscribers]) {
        try {
          subscriber(taskId);
        } catch (error) {
          this.log('a task change subscriber failed', { taskId, error: messageOf(error) });
        }
      }
    });
    this.subscriber = connection;
    const subscribed = connection.subscribe(this.channel).then(
      () => undefined,
      (error: unknown) => {
        if (!this.closed) this.log('could not subscribe to task changes', { error: messageOf(error) });
      },
    );
    // A connection closed between two reconnection attempts never settles its waiting SUBSCRIBE.
    this.subscribed = Promise.race([subscribed, this.closing]);
    return this.subscribed;
  }

  private connect(role: 'sub' | 'pub', options: RedisOptions): Redis {
    const connection = new Redis(this.options.redisUrl, {
      ...options,
      connectionName: `${this.clientName}:${role}`,
    });
    let down = false;
    // Without a listener ioredis prints every failed reconnection; one warning per outage is enough.
    connection.on('error', (error: Error) => {
      if (down || this.closed) return;
      down = true;
      this.log('Redis is unreachable for task changes; reconnecting', {
        connection: role,
        error: error.message,
      });
    });
    connection.on('ready', () => {
      if (down) this.log('Redis is reachable again for task changes', { connection: role });
      down = false;
    });
    return connection;
  }
}
