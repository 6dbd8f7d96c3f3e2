import Table from 'cli-table3';

/** Writes one JSON document to stdout: what `--json` prints, and all it prints. */
export function printJson(document: unknown): void {
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

/** Writes lines for people to stdout. */
export function print(...lines: string[]): void {
  for (const line of lines) process.stdout.write(`${line}\n`);
}

/** Writes a note to stderr: what happened, beside the answer on stdout. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/**
 * A plain table, columns separated by two spaces (like `gh` and `kubectl`): easy to read and to cut
 * with awk. Columns named in `numeric` are right-aligned.
 */
export function table(head: string[], rows: Array<Array<string | number>>, numeric: number[] = []): string {
  const rendered = new Table({
    head,
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colAligns: head.map((_, index) => (numeric.includes(index) ? 'right' : 'left')),
  });
  rendered.push(...rows.map((row) => row.map(String)));
  return rendered
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}

/** Bytes for people: 1.4 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
