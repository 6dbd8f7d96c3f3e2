import { expect } from 'vitest';
import { AudiencesError } from '../../src/client/index.ts';

/** The error a call rejects with, which must be an AudiencesError. */
export async function failure(call: Promise<unknown>): Promise<AudiencesError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AudiencesError);
  return error as AudiencesError;
}
