import { AppError } from '../../errors.ts';
import { StorageError } from '../../storage/storage-error.ts';

/**
 * Storage failures while a request waits (creating or estimating a task) are the client's to fix
 * (400) or passing (503), never a 500.
 */
export async function fromStorage<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    if (!error.permanent)
      throw new AppError('storage_unavailable', `input_path: ${error.message}; try again later`);
    throw new AppError('input_unreadable', `input_path: ${error.message}`, [
      { field: 'input_path', message: error.message },
    ]);
  }
}

/** An input file that is not Parquet (or is damaged): a 400 naming it, with the reader's first line. */
export function unreadableInput(uri: string, error: unknown): AppError {
  const message = `could not read ${uri} as Parquet (${firstLine(error)})`;
  return new AppError('input_unreadable', `input_path: ${message}`, [{ field: 'input_path', message }]);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
}
