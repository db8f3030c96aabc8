import { ArchlabError } from '@archlab/core';

/** The training loss became NaN or infinite: the trial fails, the search goes on. */
export class TrainingDivergedError extends ArchlabError {
  readonly code = 'TRAINING_DIVERGED';
  constructor(
    /** Counting from 1. */
    readonly epoch: number,
    /** The batch, counting from 0 over the whole run. */
    readonly step: number,
    readonly loss: number,
  ) {
    super(
      `training diverged: loss ${loss} at epoch ${epoch}, step ${step}; lower the learning rate (--estimator-option lr=...) or add warm-up (warmup-epochs=...)`,
    );
  }
}
