/** Small statistics and formatting helpers for the benchmark report. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile, `p` in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Milliseconds with a precision that suits their size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

/** Megabytes as DuckDB counts them (10^6 bytes). */
export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(0)} MB` : 'n/a';
}

/** Megabytes with two decimals, for amounts too small for `mb`. */
export function mb2(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(2)} MB` : 'n/a';
}

export function int(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/** All samples of a series, in run order, as a compact list. */
export function samples(values: readonly number[]): string {
  return values.map((v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1))).join(', ');
}

/** Parses DuckDB size strings such as `256MB` or `1.5GiB` into bytes. */
export function parseSize(size: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.exec(size.trim());
  if (!match) throw new Error(`not a size: ${size}`);
  const unit = match[2]!.toUpperCase();
  const power = { K: 1, M: 2, G: 3, T: 4 }[unit[0] as 'K' | 'M' | 'G' | 'T'];
  const base = unit.includes('I') ? 1024 : 1000;
  return Number(match[1]) * base ** power;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
