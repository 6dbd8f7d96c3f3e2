import type { Storage } from '../storage/storage.ts';
import type { Store } from '../store/store.ts';
import { taskSlicesRoot } from '../tasks/task-outputs.ts';

export interface SliceSweeperOptions {
  store: Store;
  storage: Storage;
  /** Root of exports: the slices are under `{outputPath}/.slices/`. */
  outputPath: string;
  /** Time between two passes. @defaultValue 10 min */
  intervalMs?: number;
  clock?: () => Date;
  /** Passes that failed (the next one still comes). */
  log?: (message: string, fields: Record<string, unknown>) => void;
  /** Passes that removed slices, with how many tasks' (at info level). */
  trace?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Removes the slices of a sliced count (`tasks/unique-slices.ts`) nobody will read again: those of
 * a task that expired (or is gone), and any a completed or cancelled task still has (its last job
 * removes them; a worker that died just then does not). A failed task keeps them for its retry,
 * and a task held for review for its export, until they expire. Every pass lists the slices folder
 * and looks each task up: a few requests while tasks are sliced, one when none is.
 */
export class SliceSweeper {
  private readonly intervalMs: number;
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: SliceSweeperOptions) {
    this.intervalMs = options.intervalMs ?? 10 * 60_000;
    this.clock = options.clock ?? (() => new Date());
  }

  /** A pass every `intervalMs`, the first one `intervalMs` from now. */
  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.sweep()
        .catch((error: unknown) => {
          this.options.log?.('slices sweep failed', { error: String(error) });
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass: removes the slices of every task that no longer needs them; answers how many. */
  async sweep(): Promise<number> {
    const { store, storage, outputPath } = this.options;
    const root = storage.join(outputPath, '.slices');
    const objects = await storage.list(root, { recursive: true });
    const tasks = new Map<string, { id: string; organizationId: string }>();
    for (const object of objects) {
      const [organizationId, id] = object.uri.slice(root.length).replace(/^\/+/, '').split('/');
      if (organizationId && id) tasks.set(`${organizationId}/${id}`, { id, organizationId });
    }
    const now = this.clock().toISOString();
    let removed = 0;
    for (const task of tasks.values()) {
      const found = await store.findTask(task.organizationId, task.id, now);
      if (found && found.status !== 'completed' && found.status !== 'cancelled') continue;
      await storage.remove(taskSlicesRoot(storage, outputPath, task));
      removed += 1;
    }
    if (removed > 0) this.options.trace?.('removed slices nobody reads', { tasks: removed });
    return removed;
  }
}
