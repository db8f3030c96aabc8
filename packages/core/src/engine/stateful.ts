/**
 * State of a run that lives outside the log's events (a supernet's weights, a controller's
 * optimizer): the engine checkpoints every one of a run's stateful services through one
 * `Checkpointed {owner, blob}` event, and resume restores each owner from its latest checkpoint.
 */
export interface StatefulService {
  /** Unique in a run; names the service's blobs in the log. */
  readonly owner: string;
  snapshot(): Uint8Array | Promise<Uint8Array>;
  restore(bytes: Uint8Array): void | Promise<void>;
}
