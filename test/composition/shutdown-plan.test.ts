import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SHUTDOWN_ORDER, ShutdownPlan } from '../../src/composition/shutdown-plan.ts';

const silent = pino({ level: 'silent' });

describe('the shutdown plan', () => {
  it('closes the registered parts in SHUTDOWN_ORDER, whatever order they were built in', async () => {
    const plan = new ShutdownPlan(silent);
    const closed: string[] = [];
    for (const step of ['limits-redis', 'store', 'api', 'job-queue', 'task-changes'] as const) {
      plan.add(step, () => closed.push(step));
    }
    expect(plan.steps()).toEqual(['task-changes', 'api', 'job-queue', 'store', 'limits-redis']);
    await plan.close();
    expect(closed).toEqual(['task-changes', 'api', 'job-queue', 'store', 'limits-redis']);
    expect(closed).toEqual(SHUTDOWN_ORDER.filter((step) => closed.includes(step)));
  });

  it('keeps the order of today: changes, API, sweeper, reconciler, slices sweeper, audience scheduler, deliverer, queue, leases, liveness, runner, tasks, metrics, store, guard, feed, Redis', () => {
    expect(SHUTDOWN_ORDER).toEqual([
      'task-changes',
      'api',
      'idempotent-requests',
      'job-reconciler',
      'slice-sweeper',
      'audience-scheduler',
      'webhook-deliverer',
      'job-queue',
      'job-leases',
      'worker-liveness',
      'job-runner',
      'task-service',
      'metrics-server',
      'store',
      'sql-guard',
      'change-feed',
      'limits-redis',
    ]);
  });

  it('goes from starting to running to stopped, and closes once however often it is asked', async () => {
    const plan = new ShutdownPlan(silent);
    let closes = 0;
    plan.add('store', async () => {
      closes += 1;
    });
    expect(plan.state).toBe('starting');
    plan.started();
    expect(plan.state).toBe('running');
    const first = plan.close();
    expect(plan.state).toBe('stopping');
    await Promise.all([first, plan.close()]);
    await plan.close();
    expect(plan.state).toBe('stopped');
    expect(closes).toBe(1);
  });

  it('closes the later parts when one fails, then rejects with the first failure', async () => {
    const plan = new ShutdownPlan(silent);
    const closed: string[] = [];
    plan.add('api', () => {
      throw new Error('the API would not close');
    });
    plan.add('job-queue', () => Promise.reject(new Error('neither would the queue')));
    plan.add('store', () => closed.push('store'));
    await expect(plan.close()).rejects.toThrow('the API would not close');
    expect(closed).toEqual(['store']);
    expect(plan.state).toBe('stopped');
  });

  it('refuses a step registered twice', () => {
    const plan = new ShutdownPlan(silent);
    plan.add('store', () => undefined);
    expect(() => plan.add('store', () => undefined)).toThrow(/store is registered twice/);
  });
});
