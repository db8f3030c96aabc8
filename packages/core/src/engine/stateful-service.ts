/**
 * A run-scoped service with state of its own (a supernet shared by a strategy and an estimator):
 * the engine checkpoints it with the strategy (`Checkpointed { owner }`) every `checkpointEvery`
 * results, and resume restores every owner from its checkpoint at the same point.
 */
export interface StatefulService {
  /** Names its checkpoints; unique in a run, and not `strategy`. */
  readonly owner: string;
  snapshot(): Uint8Array | Promise<Uint8Array>;
  restore(bytes: Uint8Array): void | Promise<void>;
}
