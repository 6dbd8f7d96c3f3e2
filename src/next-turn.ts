/**
 * Resolves on the next turn of the event loop, after pending I/O callbacks: long synchronous work
 * (file-system calls in a loop) awaits it every few dozen steps so requests are answered in between.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
