import { ContainerModule, TrialRunnerFactory } from '@archlab/core';
import { bullmqRunnerFactory } from './bullmq-runner-factory.js';

/** The bullmq runner (`--runner bullmq`, `--redis URL`). bullmq itself loads with the first trial. */
export const runnerBullmqModule = new ContainerModule((bind) => {
  bind(TrialRunnerFactory).toConstantValue(bullmqRunnerFactory);
});
