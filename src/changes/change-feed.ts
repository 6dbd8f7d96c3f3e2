/**
 * Carries "this task changed" between processes, so a status reader waiting on one API process is
 * woken when a job finishes on any worker. Delivery is best effort: a notification lost to an outage
 * only delays a reader until its own re-read of the store, which stays the truth.
 */
export interface ChangeFeed {
  /**
   * Tells every subscriber, in every process (this one included), that the task changed. Never
   * throws or rejects: a failure is logged and the notification is dropped.
   */
  publish(taskId: string): Promise<void> | void;
  /** Calls `onChange` with the id of each task published from now on, until the subscription is cancelled. */
  subscribe(onChange: (taskId: string) => void): ChangeSubscription;
  /**
   * Stops delivering and releases connections. Close a feed after everything that publishes to it
   * (the job runner, the task service) has stopped; publishing afterwards is ignored.
   */
  close(): Promise<void>;
}

/** One subscriber of a feed. */
export interface ChangeSubscription {
  /**
   * Resolves once changes published by other processes reach the subscriber. It waits out an outage
   * (and resolves when the feed closes); it never rejects.
   */
  readonly ready: Promise<void>;
  /** Stops calling the subscriber. */
  cancel(): void;
}
