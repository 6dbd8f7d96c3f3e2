const integer = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : integer.format(value);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Bytes in decimal units, as storage consoles show them: 1536000 → "1.5 MB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

/** An ISO time stamp in the reader's locale, to the minute. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Any value of a data row as text (lists and objects as JSON); never markup. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The parts of an intent partition key `day=…/prefix=…/score=…`. */
export function partitionParts(key: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const segment of key.split('/')) {
    const at = segment.indexOf('=');
    if (at > 0) parts[segment.slice(0, at)] = segment.slice(at + 1);
  }
  return parts;
}

/**
 * A file's name as the table shows it: its path under its partition's folder (`outputs`), so the
 * files of a sliced people export read `bucket=3/data_0.parquet`, not sixteen `data_0.parquet`; the
 * bare name when the folder is unknown.
 */
export function fileLabel(file: { uri: string; partition: string }, outputs: Record<string, string>): string {
  const folder = outputs[file.partition];
  if (folder !== undefined && file.uri.startsWith(`${folder}/`)) return file.uri.slice(folder.length + 1);
  return file.uri.split('/').at(-1) ?? file.uri;
}
