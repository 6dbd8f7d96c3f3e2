import { JobLanes } from '../../src/jobs/job-lanes.ts';
import { MemoryQueue } from '../../src/queue/memory-queue.ts';

/** The embedded lanes: a memory queue for counts and one for exports, each with `concurrency` slots. */
export function memoryLanes(concurrency: number): JobLanes {
  return new JobLanes({ count: new MemoryQueue(concurrency), unload: new MemoryQueue(concurrency) });
}
