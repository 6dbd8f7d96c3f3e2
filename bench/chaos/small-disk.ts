import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Room the ballast leaves: less than a DuckDB row group or a staged object needs. */
const LEAVE_BYTES = 64 * 1024;
/** The ballast is written in pieces this big (a tmpfs of gigabytes fills without one huge buffer). */
const PIECE_BYTES = 64 * 1024 * 1024;

/**
 * A small file system of the run's own: a tmpfs it mounts (the run is root) under the run's
 * folder, holding OUTPUT_PATH (with the service's scratch folder, `OUTPUT_PATH/.staging`) and every
 * slot's staging cache. A fault fills it with a ballast file for a window and then removes it: jobs
 * that write meanwhile must fail with `disk_full` and leave nothing behind, the others go on.
 */
export class SmallDisk {
  private constructor(readonly dir: string) {}

  /**
   * Mounts a tmpfs of `bytes` at `dir`; answers why not (not root, no `mount`, a container without
   * the capability) instead of throwing, so the run can skip the disk faults and say so.
   */
  static mount(dir: string, bytes: number): SmallDisk | string {
    fs.mkdirSync(dir, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
      return new SmallDisk(dir);
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      return `mount -t tmpfs failed (${stderr || String(error)})`;
    }
  }

  private get ballast(): string {
    return path.join(this.dir, 'ballast');
  }

  /**
   * Fills the disk but LEAVE_BYTES; answers the ballast's size. `fallocate` takes the room at once
   * (a gigabyte written through the page cache takes seconds on two cores); writing is the fallback.
   */
  fill(): number {
    const { bavail, bsize } = fs.statfsSync(this.dir);
    const room = Math.max(0, bavail * bsize - LEAVE_BYTES);
    try {
      execFileSync('fallocate', ['-l', String(room), this.ballast], { stdio: 'pipe' });
      return room;
    } catch {
      fs.rmSync(this.ballast, { force: true });
      return this.write(room);
    }
  }

  /** Writes a ballast of up to `bytes` (less if others fill the disk meanwhile). */
  private write(bytes: number): number {
    let left = bytes;
    const piece = Buffer.alloc(Math.min(PIECE_BYTES, left));
    const fd = fs.openSync(this.ballast, 'a');
    let written = 0;
    try {
      while (left > 0) {
        const n = fs.writeSync(fd, piece, 0, Math.min(piece.length, left));
        written += n;
        left -= n;
      }
    } catch (error) {
      // Others wrote meanwhile: the disk is full a little sooner, which is the point.
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      fs.closeSync(fd);
    }
    return written;
  }

  /** Removes the ballast: the room comes back at once. */
  free(): void {
    fs.rmSync(this.ballast, { force: true });
  }

  /** Unmounts the tmpfs (what is on it goes with it) and removes the mount point. */
  unmount(): void {
    this.free();
    try {
      execFileSync('umount', [this.dir], { stdio: 'pipe' });
    } catch {
      // Something still holds a file open: a lazy unmount detaches it now, frees it when let go.
      execFileSync('umount', ['-l', this.dir], { stdio: 'pipe' });
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
