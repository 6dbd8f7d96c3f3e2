/**
 * A mistake in how a command was called (a bad flag value, a missing login): the command line
 * prints its message and exits 2. The message says what to change.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
