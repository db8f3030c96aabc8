import 'reflect-metadata';

// A plugin builds its ContainerModule with the same inversify the core loads it into.
export { Container, ContainerModule } from 'inversify';

export {
  type CommandArgument,
  CommandContribution,
  type CommandDefinition,
  type CommandInput,
  type CommandOption,
  type CommandOptionParse,
  type CommandServices,
  type CommandTarget,
  defineCommand,
  EstimatorOptionShortcut,
  type OpenedStore,
  type StoreFlags,
  type TargetFlags,
} from './command/command-contribution.js';
export * from './core-module.js';
export * from './di/plugin-loader.js';
export * from './di/plugin-registry.js';
export { RunContainer, type RunScope, RunService, type RunServices } from './di/run-scope.js';
export {
  budgetLeft,
  checkpointDue,
  decide,
  type Fact,
  type GateOutcome,
  gateVerdict,
  prunedLimit,
  rankWarmup,
  strategyMayAsk,
  toldResult,
  type WarmupCandidate,
} from './engine/decide.js';
export { type Gate, hardwareGate, screenGate } from './engine/gate.js';
export * from './engine/hardware-cost.js';
export * from './engine/plugin-instances.js';
export * from './engine/reaction.js';
export * from './engine/replay.js';
export * from './engine/run-config.js';
export * from './engine/run-writer.js';
export * from './engine/search.js';
export type { StatefulService } from './engine/stateful-service.js';
export * from './errors.js';
export * from './estimator/estimator.js';
export * from './events/event.js';
export * from './events/hash-chain.js';
export * from './events/log-check.js';
export * from './events/upcast.js';
export * from './hardware/hardware-model.js';
export * from './options/options.js';
export * from './projections/best-so-far.js';
export * from './projections/objectives.js';
export * from './projections/pareto.js';
export * from './projections/run-state.js';
export { TopFraction } from './projections/top-fraction.js';
export * from './rng/rng.js';
export { reviveError, WorkerCrashedError, WorkerPoolClosedError } from './runner/pool-errors.js';
export type { MemoryStats, SerializedError } from './runner/protocol.js';
export {
  inPoolWorker,
  type ServeWorkerOptions,
  serveWorker,
  type TaskHandler,
  type TaskHooks,
} from './runner/serve-worker.js';
export {
  type EstimatorRecipe,
  type EstimatorTask,
  type EstimatorTaskResult,
  estimatorWorkerScript,
  type ThreadRunner,
  type ThreadRunnerOptions,
  threadRunner,
} from './runner/thread-runner.js';
export { inProcessRunner, type TrialJob, TrialRunner } from './runner/trial-runner.js';
export {
  type PoolStats,
  type RunOptions,
  WorkerPool,
  type WorkerPoolOptions,
  type WorkerStats,
} from './runner/worker-pool.js';
export {
  DEFAULT_SCREEN_MIN,
  DEFAULT_WARMUP_TOP,
  ScreenError,
  ScreenEstimator,
  type ScreenInput,
  screenMetricName,
  screenSchedule,
  screenSeed,
} from './screening/screen.js';
export { type Seeder, WarmupSeeder } from './screening/warmup-seeder.js';
export * from './space/search-space.js';
export { MissingSpaceNetworkError, SpaceNetwork } from './space/space-network.js';
export * from './stats/rank-stats.js';
export * from './store/event-store.js';
export * from './store/in-memory-event-store.js';
export * from './strategy/fixed-strategy.js';
export * from './strategy/random-strategy.js';
export * from './strategy/strategy.js';
