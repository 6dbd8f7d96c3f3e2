/** The part of yazl 3 (a CommonJS package without its own types) that task archives use. */
declare module 'yazl' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  export interface EntryOptions {
    mtime?: Date;
    mode?: number;
    /** false stores the bytes as they are (method 0). @defaultValue true */
    compress?: boolean;
    /**
     * The stream's length in bytes: checked (an `error` on a mismatch), and what lets `end` tell
     * the archive's size.
     */
    size?: number;
  }

  export class ZipFile extends EventEmitter {
    readonly outputStream: Readable;
    /** Adds an entry whose stream is asked for only when the archive reaches it, one at a time. */
    addReadStreamLazy(
      metadataPath: string,
      options: EntryOptions,
      getReadStream: (callback: (error: Error | null, stream?: Readable) => void) => void,
    ): void;
    addBuffer(buffer: Buffer, metadataPath: string, options?: Omit<EntryOptions, 'size'>): void;
    /**
     * `calculatedTotalSize` is the archive's exact length, or -1 when an entry is compressed or
     * has no `size`.
     */
    end(options?: { forceZip64Format?: boolean }, calculatedTotalSize?: (size: number) => void): void;
  }
}
