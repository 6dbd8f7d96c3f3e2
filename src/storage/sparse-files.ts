/** Local files that hold parts of an object at their offsets (the rest holes, or a fill byte). */
import { type FileHandle, open } from 'node:fs/promises';

const FILL_BLOCK_BYTES = 8 * 1024 * 1024;

/**
 * Writes all of `bytes` at `position`. A write on a nearly full disk may write part of its bytes and
 * report it rather than fail: the rest is written again, which then fails with ENOSPC, so a staged
 * copy is never shorter than its object.
 */
export async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error('No space left on device'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

/** Writes `byte` over the first `size` bytes (a test's holes: `ObjectStorageOptions.holeFill`). */
export async function fillAll(handle: FileHandle, size: number, byte: number): Promise<void> {
  const block = Buffer.alloc(Math.min(size, FILL_BLOCK_BYTES), byte);
  for (let at = 0; at < size; at += block.length) {
    await writeAll(handle, block.subarray(0, Math.min(block.length, size - at)), at);
  }
}

/** The end of a staged footer copy: the footer, its length and `PAR1` (`downloadFooter` checked them). */
export async function readTail(localPath: string, size: number): Promise<Buffer> {
  const handle = await open(localPath, 'r');
  try {
    const trailer = Buffer.alloc(8);
    await handle.read(trailer, 0, 8, size - 8);
    const tail = Buffer.alloc(trailer.readUInt32LE(0) + 8);
    await handle.read(tail, 0, tail.length, size - tail.length);
    return tail;
  } finally {
    await handle.close();
  }
}
