import path from 'node:path';
import ms from 'ms';
import { isObjectUri, type ObjectLocation, parseObjectUri } from '../storage/object-location.ts';

/** A variable the service cannot run with; the message names it and says what it accepts. */
export class ConfigError extends Error {
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The variables a process was started with (`process.env`, or a test's own). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Bounds of a duration, with how to say them in the error (`from 1s to 5m`). */
interface DurationBounds {
  min?: number;
  max?: number;
  expected: string;
}

/** The schemes a URL variable takes, with how to name them in the error (`a postgres:// URL`). */
interface UrlKind {
  schemes: readonly string[];
  expected: string;
}

/**
 * The one way the configuration reads a variable: a reader per kind, each taking the variable's name
 * and its default, each throwing a {@link ConfigError} that names the variable and shows the format.
 * An empty value counts as unset everywhere. Reading is pure: nothing here touches the disk.
 */
export class EnvReader {
  constructor(private readonly env: Env) {}

  /** The raw value, undefined when unset or empty. */
  raw(variable: string): string | undefined {
    const value = this.env[variable];
    return value === undefined || value === '' ? undefined : value;
  }

  /** Free text, optionally held to a pattern (`hint` says which). */
  text(variable: string, fallback: string, pattern?: { test: RegExp; hint: string }): string {
    const value = this.raw(variable) ?? fallback;
    if (pattern && !pattern.test.test(value)) throw new ConfigError(variable, pattern.hint);
    return value;
  }

  integer(variable: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(variable);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(variable, `"${raw}" must be an integer from ${min} to ${max}`);
    }
    return n;
  }

  /** An integer with no default: unset means the feature is off (METRICS_PORT). */
  optionalInteger(variable: string, min: number, max: number): number | undefined {
    return this.raw(variable) === undefined ? undefined : this.integer(variable, min, min, max);
  }

  flag(variable: string, fallback: boolean): boolean {
    const raw = this.raw(variable);
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    throw new ConfigError(variable, `"${raw}" must be 1/0 or true/false`);
  }

  /** A duration such as 300ms, 30s, 15m, 24h or 7d, in milliseconds. */
  duration(variable: string, fallback: string, bounds?: DurationBounds): number {
    const value = this.raw(variable) ?? fallback;
    const text = value.trim();
    // A unit is required: a bare number would be milliseconds, a surprise in a TTL.
    const duration = /^\d.*[a-z]$/i.test(text) ? ms(text as ms.StringValue) : undefined;
    if (duration === undefined || Number.isNaN(duration)) {
      throw new ConfigError(variable, `"${value}" is not a duration; use e.g. 30s, 15m, 24h, 7d`);
    }
    const rounded = Math.round(duration);
    if (bounds && (rounded < (bounds.min ?? 0) || rounded > (bounds.max ?? Number.POSITIVE_INFINITY))) {
      throw new ConfigError(variable, `"${value}" must be ${bounds.expected}`);
    }
    return rounded;
  }

  /** Seconds as a bare number (`60`), or a duration with its unit (`90s`, `5m`), in milliseconds. */
  seconds(variable: string, fallbackSeconds: number): number {
    const raw = this.raw(variable)?.trim();
    if (raw === undefined || raw === '') return fallbackSeconds * 1000;
    if (/^\d{1,9}$/.test(raw)) return Number(raw) * 1000;
    try {
      return this.duration(variable, raw);
    } catch {
      throw new ConfigError(variable, `"${raw}" must be seconds (60) or a duration such as 90s or 5m`);
    }
  }

  /**
   * A byte size: a plain number of bytes or e.g. 512MB, 10GB, 2GiB, raised to `atLeast`. KB/MB/GB
   * are decimal, as DuckDB counts them, and KiB/MiB/GiB binary (the `bytes` package reads MB as 2^20
   * and knows no MiB).
   */
  bytes(variable: string, fallback: number, atLeast = 0): number {
    const raw = this.raw(variable);
    if (raw === undefined) return Math.max(atLeast, fallback);
    const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?$/i.exec(raw.trim());
    if (!match) throw new ConfigError(variable, `"${raw}" must be a size such as 536870912, 512MB or 10GB`);
    const unit = BYTE_UNITS[(match[2] ?? 'B').toUpperCase() as keyof typeof BYTE_UNITS];
    return Math.max(atLeast, Math.floor(Number(match[1]) * unit));
  }

  /** A byte size as `bytes` reads it, or undefined when the variable is not set. */
  optionalBytes(variable: string, atLeast = 0): number | undefined {
    return this.raw(variable) === undefined ? undefined : this.bytes(variable, 0, atLeast);
  }

  /** One of `choices`, in any case. */
  oneOf<T extends string>(variable: string, choices: readonly T[], fallback: T): T {
    const value = this.raw(variable) ?? fallback;
    const choice = value.toLowerCase() as T;
    if (!choices.includes(choice)) {
      throw new ConfigError(variable, `"${value}" must be one of ${choices.join(', ')}`);
    }
    return choice;
  }

  /**
   * A URL of one of `kind.schemes`. The value is not repeated in the error: store and Redis URLs
   * carry passwords, and errors are printed.
   */
  url(variable: string, kind: UrlKind, fallback?: string): string | undefined {
    const value = this.raw(variable) ?? fallback;
    if (value === undefined) return undefined;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
    if (!scheme || !kind.schemes.includes(scheme) || !URL.canParse(value)) {
      throw new ConfigError(variable, `must be ${kind.expected}`);
    }
    return value;
  }

  /** A local folder (resolved to an absolute path), or an `s3://` / `gs://` location. */
  location(variable: string, fallback: string): string {
    return location(variable, this.raw(variable) ?? fallback);
  }

  /** A local folder, resolved to an absolute path. */
  localFolder(variable: string, fallback: string): string {
    return localOnly(variable, this.raw(variable) ?? fallback);
  }

  /** Comma-separated local folders. */
  localFolders(variable: string, fallback: string): string[] {
    return this.list(variable, fallback).map((entry) => localOnly(variable, entry));
  }

  /** Comma-separated `s3://bucket[/prefix]` or `gs://...` locations; unset or empty: `fallback`. */
  buckets(variable: string, fallback: ObjectLocation[]): ObjectLocation[] {
    const entries = this.list(variable, '');
    if (entries.length === 0) return fallback;
    return entries.map((entry) => {
      const parsed = parseObjectUri(entry.replace(/\/+$/, ''));
      if (!parsed) {
        throw new ConfigError(variable, `"${entry}" must be s3://bucket[/prefix] or gs://bucket[/prefix]`);
      }
      return parsed;
    });
  }

  /** A signing secret given in the environment: at least 32 characters. */
  secret(variable: string): string | undefined {
    const value = this.raw(variable);
    if (value !== undefined && value.length < 32)
      throw new ConfigError(variable, 'must be at least 32 characters');
    return value;
  }

  private list(variable: string, fallback: string): string[] {
    return (this.raw(variable) ?? fallback)
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
  }
}

const BYTE_UNITS = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

function location(variable: string, value: string): string {
  if (isObjectUri(value)) {
    if (!parseObjectUri(value)) {
      throw new ConfigError(variable, `"${value}" is not a valid bucket location (s3://bucket/prefix)`);
    }
    return value.replace(/\/+$/, '');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConfigError(variable, `"${value}": use a local path, s3://bucket/prefix or gs://bucket/prefix`);
  }
  return path.resolve(value);
}

function localOnly(variable: string, value: string): string {
  const resolved = location(variable, value);
  if (isObjectUri(resolved)) throw new ConfigError(variable, 'must be a local folder');
  return resolved;
}
