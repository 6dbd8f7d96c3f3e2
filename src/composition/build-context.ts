import type pino from 'pino';
import type { Config } from '../config.ts';
import type { Resolver } from '../webhooks/address-guard.ts';
import type { ShutdownPlan } from './shutdown-plan.ts';

/** What a process runs: the HTTP API, the job worker, or both (the embedded `audiences start`). */
export interface Roles {
  api: boolean;
  worker: boolean;
}

/** What tests replace in a running service: time, randomness and name resolution of webhooks. */
export interface ServiceHooks {
  audiences?: {
    /** The schedulers' clock (which slots are due, a run's days): tests move it forward. */
    clock?: () => Date;
    /** Time between two looks for due slots. @defaultValue 1 s */
    tickMs?: number;
  };
  jobs?: {
    /** Bytes of a sliced people export's bucket one hash pass folds: tests make it small. */
    bucketPassBytes?: number;
  };
  liveness?: {
    /** Time between a worker's beats. @defaultValue 1 s */
    beatMs?: number;
    /** Silence after which a worker is taken for dead. @defaultValue 4 s */
    silenceMs?: number;
  };
  webhooks?: {
    /** The deliverer's clock (when deliveries are due, backoffs): tests move it forward. */
    clock?: () => Date;
    /** The backoffs' jitter, in [0, 1). */
    random?: () => number;
    /** Resolves webhook hosts, at creation and at each attempt. */
    resolve?: Resolver;
    /** Time between two looks for due deliveries. @defaultValue 1 s */
    pollMs?: number;
  };
}

/** What every builder of the composition root takes: the settings, the roles, where to log and to register closers. */
export interface BuildContext {
  config: Config;
  roles: Roles;
  hooks: ServiceHooks;
  log: pino.Logger;
  plan: ShutdownPlan;
}

/** The `(message, fields)` loggers the service's parts take. */
export type LogLine = (message: string, fields: Record<string, unknown>) => void;

export function warnings(log: pino.Logger): LogLine {
  return (message, fields) => log.warn(fields, message);
}

export function infos(log: pino.Logger): LogLine {
  return (message, fields) => log.info(fields, message);
}
