import type { AudienceService } from './audience-service.ts';

export interface AudienceSchedulerOptions {
  audiences: AudienceService;
  /** Time between two looks for due slots. @defaultValue 1 s */
  tickMs?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Runs saved audiences on their schedules: every tick, the due slots are run (`runDue`). Every
 * worker process runs one; the store lets one process claim each slot, so a slot runs once however
 * many tick at once, and none is lost while at least one is up (slots missed while all were down
 * give one catch-up run). Nothing lives in Redis: a flush loses no schedule.
 */
export class AudienceScheduler {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly options: AudienceSchedulerOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      // A tick still running (a slow plan) is not overtaken by the next.
      this.ticking ??= this.tick().finally(() => {
        this.ticking = undefined;
      });
    }, this.options.tickMs ?? 1_000);
    this.timer.unref();
  }

  /** Stops ticking and waits for a tick in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  private async tick(): Promise<void> {
    try {
      await this.options.audiences.runDue();
    } catch (error) {
      this.options.log?.('audience schedules not checked', { error: String(error) });
    }
  }
}
