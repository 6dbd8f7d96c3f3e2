import { MemoryQueue } from '../../src/queue/memory-queue.ts';
import { JobLanes } from '../../src/tasks/job-lanes.ts';

/** The embedded lanes: a memory queue for counts and one for exports, each with `concurrency` slots. */
export function memoryLanes(concurrency: number): JobLanes {
  return new JobLanes({ count: new MemoryQueue(concurrency), unload: new MemoryQueue(concurrency) });
}
