import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ActivationProfile, PROFILES } from '../../src/activation/profiles.ts';
import { exportProfileDelta, writeMembers } from '../../src/engine/delta-queries.ts';
import { Sandbox } from '../../src/engine/duckdb-sandbox.ts';
import type { LatestRowPeople } from '../../src/engine/people-queries.ts';
import {
  countIdentifiers,
  exportIdentifiers,
  type ProfileFile,
  rowsPerFile,
} from '../../src/engine/profile-files.ts';
import { duck } from '../support/duck.ts';

/**
 * The writer of activation profile files over a small table of hashed e-mails whose expected
 * encodings come from Node's own SHA-256 (hex and Base64 of the digest), never from the engine:
 * every profile of the table as it is, then with small per-file bounds passed in (the table's own
 * bounds are too large to reach with a small input), checked file by file.
 */
const PEOPLE = 1_000;
/** E-mails of the people; a few appear with an upper-case hash too, which is the same person. */
const emails = Array.from({ length: PEOPLE }, (_, i) => `person.${i}@example.com`);
const digest = (email: string) => createHash('sha256').update(email).digest();
const HEX = emails.map((email) => digest(email).toString('hex'));
const BASE64 = emails.map((email) => digest(email).toString('base64'));
/** Values that are not a hex SHA-256: too short, too long, not hex, blank, a plain e-mail. */
const INVALID = [
  'abc',
  `${HEX[0]}0`,
  'g'.repeat(64),
  ' '.repeat(64),
  'someone@example.com',
  HEX[1]!.slice(1),
];

let root: string;
let input: string;
let sandbox: Sandbox;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-profile-files-'));
  input = path.join(root, 'in', 'hashes.parquet');
  fs.mkdirSync(path.dirname(input), { recursive: true });
  // Every valid hash twice (once upper-cased for every tenth), the invalid ones twice, and NULLs.
  const values = [
    ...HEX,
    ...HEX.map((hex, i) => (i % 10 === 0 ? hex.toUpperCase() : hex)),
    ...INVALID,
    ...INVALID,
    null,
    null,
  ];
  const rows = values.map((v) => `(${v === null ? 'NULL' : `'${v}'`})`).join(', ');
  await duck(`COPY (SELECT * FROM (VALUES ${rows}) AS t(hem_sha256)) TO '${input}' (FORMAT parquet)`);
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
  sandbox = await Sandbox.open({
    allowedDirectories: [root],
    tempDirectory: path.join(root, 'tmp'),
    memoryLimit: '256MB',
    threads: 2,
  });
});
afterEach(() => {
  sandbox.close();
});

let runs = 0;
const values = () => `SELECT hem_sha256 FROM read_parquet('${input}')`;
const target = () => path.join(root, `out-${++runs}`);

/** A file's text (gunzipped when it is gzip). */
function text(file: string): string {
  const bytes = fs.readFileSync(file);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
}

/** The identifier column of each data line of a file (the header dropped). */
function identifiers(file: string, profile: ProfileFile): string[] {
  const [, ...lines] = text(file)
    .split('\n')
    .filter((line) => line.length > 0);
  const at = profile.columns.indexOf(profile.identifierColumn);
  return lines.map((line) => line.split(',')[at]!);
}

describe('activation profile files', () => {
  it.each(Object.entries(PROFILES))(
    '%s: the header, one row per person, encoded as the platform takes it',
    async (name, profile) => {
      const dir = target();
      const { written, valid, invalid } = await exportIdentifiers(sandbox, values(), profile, dir);
      expect(valid).toBe(PEOPLE);
      expect(invalid).toBe(INVALID.length);
      const suffix = profile.compression === 'gzip' ? '.csv.gz' : '.csv';
      const files = written.files.map((file) => file.path);
      expect(
        files.every((file) => file.endsWith(suffix)),
        name,
      ).toBe(true);
      const got: string[] = [];
      for (const file of written.files) {
        const lines = text(file.path).split('\n');
        expect(lines[0], name).toBe(profile.columns.join(','));
        expect(lines.at(-1)).toBe('');
        expect(lines.length - 2).toBe(file.rows);
        // The other template columns are present and empty.
        for (const line of lines.slice(1, -1)) expect(line.split(',')).toHaveLength(profile.columns.length);
        got.push(...identifiers(file.path, profile));
      }
      const expected = profile.encoding.includes('to_base64') ? BASE64 : HEX;
      expect(got.length).toBe(PEOPLE);
      expect(new Set(got).size).toBe(PEOPLE);
      expect([...got].sort()).toEqual([...expected].sort());
      expect(written.columns).toEqual(profile.columns.map((column) => ({ name: column, type: 'VARCHAR' })));
    },
  );

  it('counts people and invalid values as the export does, without writing', async () => {
    expect(await countIdentifiers(sandbox, values())).toEqual({ valid: PEOPLE, invalid: INVALID.length });
  });

  it('splits by rows: as few files as the bound allows, the rows spread evenly, none repeated', async () => {
    const profile: ActivationProfile = { ...PROFILES.linkedin_matched_audience, maxRowsPerFile: 300 };
    const { written } = await exportIdentifiers(sandbox, values(), profile, target());
    // 1,000 people, 300 a file: 4 files of 250.
    expect(written.files.map((file) => file.rows)).toEqual([250, 250, 250, 250]);
    expect(written.files.map((file) => path.basename(file.path))).toEqual([
      'data_0.csv',
      'data_1.csv',
      'data_2.csv',
      'data_3.csv',
    ]);
    const all = written.files.flatMap((file) => identifiers(file.path, profile));
    expect(new Set(all).size).toBe(PEOPLE);
    expect([...all].sort()).toEqual([...HEX].sort());
  });

  it('splits by bytes: every file within the bound, counted from the row length', async () => {
    // A UID2 row is the 44-character Base64 and a line break: 45 bytes; the header 11.
    const profile: ActivationProfile = {
      ...PROFILES.uid2,
      maxRowsPerFile: null,
      maxBytesPerFile: 11 + 45 * 70,
    };
    expect(await rowsPerFile(sandbox, profile)).toBe(70);
    const { written } = await exportIdentifiers(sandbox, values(), profile, target());
    // 1,000 rows at most 70 a file: 15 files of 66 or 67 rows.
    expect(written.files).toHaveLength(15);
    for (const file of written.files) {
      expect([66, 67]).toContain(file.rows);
      expect(fs.statSync(file.path).size).toBeLessThanOrEqual(profile.maxBytesPerFile!);
      expect(fs.statSync(file.path).size).toBe(11 + 45 * file.rows);
    }
    const all = written.files.flatMap((file) => identifiers(file.path, profile));
    expect([...all].sort()).toEqual([...BASE64].sort());
  });

  it('counts the template columns and the line break in a row, with gzip bounded before compression', async () => {
    // LinkedIn: 64 hex characters, 6 commas for the empty template columns, a line break: 71 bytes.
    const linkedin: ActivationProfile = { ...PROFILES.linkedin_matched_audience, maxRowsPerFile: null };
    const header = Buffer.byteLength(`${linkedin.columns.join(',')}\n`);
    expect(await rowsPerFile(sandbox, { ...linkedin, maxBytesPerFile: header + 71 * 10 })).toBe(10);
    expect(await rowsPerFile(sandbox, { ...linkedin, maxBytesPerFile: header + 71 * 10 - 1 })).toBe(9);
    // The real bounds: LinkedIn's 20 MB binds before its 300,000 rows (71 bytes a row).
    expect(await rowsPerFile(sandbox, PROFILES.linkedin_matched_audience)).toBe(
      Math.floor((20_000_000 - header) / 71),
    );
    expect(await rowsPerFile(sandbox, PROFILES.uid2)).toBe(5_000);
    // LiveRamp's 50 GB are uncompressed bytes: a gzip file is bounded before it is compressed.
    expect(await rowsPerFile(sandbox, PROFILES.liveramp)).toBe(500_000_000);
  });

  it("keeps a delta's members as identifiers, and lists who joined and who left in the profile's files", async () => {
    const people = (): LatestRowPeople => ({
      shape: 'latest_row',
      personBy: 'hem_sha256',
      whereSql: null,
      columns: [],
      latestBy: null,
    });
    // The second run: the first half of the people, and 10 new ones.
    const later = path.join(root, 'in', 'later.parquet');
    const fresh = Array.from({ length: 10 }, (_, i) => `new.${i}@example.com`);
    const kept = emails.slice(0, PEOPLE / 2);
    const rows = [...kept, ...fresh]
      .map((email) => `('${digest(email).toString('hex').toUpperCase()}')`)
      .join(', ');
    await duck(
      `COPY (SELECT * FROM (VALUES ${rows}, ('nope')) AS t(hem_sha256)) TO '${later}' (FORMAT parquet)`,
    );

    const first = path.join(root, `members-${++runs}`, 'members.parquet');
    const one = await writeMembers(sandbox, { files: [input], hive: false }, people(), first, null, {
      identifiers: true,
    });
    expect(one).toEqual({ members: PEOPLE, added: PEOPLE, removed: 0, kept: 0, invalid: INVALID.length });
    const second = path.join(root, `members-${++runs}`, 'members.parquet');
    const two = await writeMembers(sandbox, { files: [later], hive: false }, people(), second, first, {
      identifiers: true,
    });
    expect(two).toEqual({
      members: PEOPLE / 2 + 10,
      added: 10,
      removed: PEOPLE / 2,
      kept: PEOPLE / 2,
      invalid: 1,
    });
    // Members are lower-case hex, whatever case the input had.
    const stored = await duck<{ h: string }>(
      `SELECT hem_sha256 AS h FROM read_parquet('${second}') ORDER BY 1`,
    );
    expect(stored.map((row) => row.h)).toEqual(
      [...kept, ...fresh].map((email) => digest(email).toString('hex')).sort(),
    );

    const dir = target();
    const targets = { added: path.join(dir, 'added'), removed: path.join(dir, 'removed') };
    const written = await exportProfileDelta(sandbox, second, first, 'hem_sha256', PROFILES.uid2, targets);
    const read = (files: Array<{ path: string }>) =>
      files.flatMap((file) => identifiers(file.path, PROFILES.uid2)).sort();
    expect(read(written.added.files)).toEqual(fresh.map((email) => digest(email).toString('base64')).sort());
    expect(read(written.removed.files)).toEqual(
      emails
        .slice(PEOPLE / 2)
        .map((email) => digest(email).toString('base64'))
        .sort(),
    );
    // A first run lists everyone as added and nobody as removed.
    const baseline = await exportProfileDelta(sandbox, first, null, 'hem_sha256', PROFILES.uid2, {
      added: path.join(dir, 'a0'),
      removed: path.join(dir, 'r0'),
    });
    expect(read(baseline.added.files)).toEqual([...BASE64].sort());
    expect(baseline.removed.files).toEqual([]);
  });

  it('writes no file for a segment without valid identifiers', async () => {
    const none = `SELECT hem_sha256 FROM read_parquet('${input}') WHERE length(hem_sha256) <> 64`;
    const { written, valid, invalid } = await exportIdentifiers(
      sandbox,
      none,
      PROFILES.meta_custom_audience,
      target(),
    );
    expect(written.files).toEqual([]);
    expect(valid).toBe(0);
    expect(invalid).toBe(INVALID.filter((v) => v.length !== 64).length);
  });
});
