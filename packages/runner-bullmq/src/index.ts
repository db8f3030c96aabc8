export { type BullmqRunnerOptions, bullmqRunner } from './bullmq-runner.js';
export { bullmqRunnerFactory, DEFAULT_QUEUE } from './bullmq-runner-factory.js';
export { type RedisTlsOptions, redactedUrl, redisAddress, redisOptions } from './redis-connection.js';
export { runnerBullmqModule } from './runner-bullmq-module.js';
export {
  schemaProblem,
  TrialPayload,
  TrialProgress,
  TrialResult,
  trialJobId,
} from './trial-payload.js';
export {
  startTrialWorker,
  type TrialWorker,
  type TrialWorkerOptions,
  versionDifference,
} from './trial-worker.js';
