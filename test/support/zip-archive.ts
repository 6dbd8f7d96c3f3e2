import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { expect } from 'vitest';

/**
 * A ZIP of a task's export (GET /api/v1/tasks/{id}/archive), read back by a reader of the tests' own:
 * the central directory, then each entry's bytes and CRC-32.
 */

export interface FileView {
  partition: string;
  uri: string;
  rows: number;
  size_bytes: number;
  sha256: string | null;
}
interface ZipEntry {
  name: string;
  /** 0: stored as it is; 8: deflated. */
  method: number;
  data: Buffer;
}
interface Manifest {
  files: Array<{ path: string; partition: string; bytes: number; sha256: string | null }>;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The entries of a ZIP of stored entries, from its central directory (as unzip tools read it), each
 * checked against its local header and its CRC-32. No ZIP64: the archives here are small.
 */
export function readZip(zip: Buffer): ZipEntry[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end, 'end of central directory').toBeGreaterThanOrEqual(0);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(zip.readUInt32LE(local), `${name}: local header`).toBe(0x04034b50);
    expect(zip.subarray(local + 30, local + 30 + nameLength).toString('utf8')).toBe(name);
    const start = local + 30 + nameLength + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    expect(data.length, `${name}: bytes`).toBe(size);
    expect(crc32(data) >>> 0, `${name}: CRC-32`).toBe(crc);
    entries.push({ name, method, data });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export async function getArchive(url: string, taskId: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/api/v1/tasks/${taskId}/archive`, { headers });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

/**
 * Checks an archive against the task: `manifest.json` first with the bytes of the task's manifest,
 * then exactly the manifest's files at its paths, stored, each with the bytes `stored` reads.
 */
export async function expectArchiveOf(
  task: { files: FileView[]; manifest_url: string },
  zip: Buffer,
  stored: (uri: string) => Promise<Buffer>,
) {
  const entries = readZip(zip);
  const manifestBytes = Buffer.from(await (await fetch(task.manifest_url)).arrayBuffer());
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  expect(entries.map((e) => e.name)).toEqual(['manifest.json', ...manifest.files.map((f) => f.path)]);
  expect(entries[0]!.data.equals(manifestBytes)).toBe(true);
  for (const entry of entries) expect(entry.method, entry.name).toBe(0);
  expect(entries.length).toBe(task.files.length + 1);
  for (const file of task.files) {
    const matches = entries.filter((e) => file.uri.endsWith(`/${e.name}`) && e.name !== 'manifest.json');
    expect(matches.map((e) => e.name)).toHaveLength(1);
    const bytes = await stored(file.uri);
    expect(matches[0]!.data.equals(bytes), file.uri).toBe(true);
    expect(bytes.length).toBe(file.size_bytes);
    if (file.sha256) expect(sha256(bytes)).toBe(file.sha256);
  }
  return entries;
}
