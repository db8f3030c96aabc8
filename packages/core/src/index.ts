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
export { coreModule } from './core-module.js';
export {
  coreVersion,
  DEFAULT_PLUGIN_LOAD_TIMEOUT_MS,
  type LoadedPlugin,
  type LoadPluginOptions,
  type LoadPluginsOptions,
  loadCommandModule,
  loadPlugin,
  loadPlugins,
  type PluginSet,
  pluginPackageDir,
  pluginVersionWarnings,
} from './di/plugin-loader.js';
export {
  type DeclaredPlugins,
  type Disposable,
  loadInto,
  type PluginKind,
  type PluginProviders,
  PluginRegistry,
} from './di/plugin-registry.js';
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
export { HardwareCostError, hardwareCost } from './engine/hardware-cost.js';
export {
  estimatorSeed,
  type InstantiateOptions,
  instantiate,
  instantiateEvaluation,
  instantiateRecorded,
  RunEstimator,
  RunHardware,
  type RunPlugins,
  RunStore,
  resolveConfig,
  runnerByName,
  runProviders,
  trialSeed,
} from './engine/plugin-instances.js';
export { Reaction } from './engine/reaction.js';
export { type ReplayOptions, type ReplayResult, replayRun } from './engine/replay.js';
export {
  baseRunConfig,
  configDifference,
  DEFAULT_CHECKPOINT_EVERY,
  DEFAULT_MNAS_EXPONENT,
  extendedBudget,
  type SearchConfigInput,
} from './engine/run-config.js';
export { type ProgressReporter, type ProgressValues, RunProgress } from './engine/run-progress.js';
export { type NewEvent, RunWriter } from './engine/run-writer.js';
export {
  newRunId,
  type PreparedRun,
  type PrepareOptions,
  type ResumeOptions,
  type RunOutcome,
  Search,
  type SearchDeps,
} from './engine/search.js';
export type { StatefulService } from './engine/stateful-service.js';
export {
  ArchlabError,
  ConcurrencyConflictError,
  ConfigError,
  cutEchoes,
  DataError,
  ECHO_CHARS,
  echo,
  errorInfo,
  InvalidOptionError,
  InvalidProgressError,
  MalformedArchitectureError,
  MissingCapabilityError,
  MissingRunPluginError,
  OutputError,
  PluginLoadError,
  ReplayDivergenceError,
  RunHaltedError,
  RunnerUnavailableError,
  StoreError,
  UnknownPluginError,
  UnknownRunError,
} from './errors.js';
export {
  type Estimator,
  type EstimatorContext,
  EstimatorFactory,
  type EvaluationContext,
  type MetricSpec,
} from './estimator/estimator.js';
export {
  type ArtifactRef,
  type Budget,
  type Checkpointed,
  type Constraint,
  type ConstraintOp,
  CURRENT_VERSIONS,
  type Direction,
  type ErrorInfo,
  EVENT_TYPES,
  type Event,
  type EventData,
  type EventOfType,
  type GateMeasurements,
  type GateName,
  type HardwareModelConfig,
  isEventType,
  isOfType,
  type Metrics,
  type Objective,
  type PluginFailed,
  type PluginProvider,
  type Progressed,
  type RewardConfig,
  type RunCompleted,
  type RunConfig,
  type RunEnv,
  type RunEvent,
  type RunEventType,
  type RunExtended,
  type RunResumed,
  type RunStarted,
  SCREEN_GATE_VALUE,
  type ScreenConfig,
  type TrialCompleted,
  type TrialFailed,
  type TrialProgressed,
  type TrialProposed,
  type TrialPruned,
  type TrialRef,
  type TrialStarted,
} from './events/event.js';
export {
  canonicalJson,
  eventHash,
  GENESIS_HASH,
  type HashedContent,
  sha256Hex,
} from './events/hash-chain.js';
export {
  DamagedLogError,
  damageText,
  foldLog,
  foldStoredEvent,
  LogChecker,
  type LogFault,
} from './events/log-check.js';
export {
  type StoredEvent,
  storedVersion,
  UnsupportedEventError,
  type Upcaster,
  upcast,
} from './events/upcast.js';
export {
  type DeviceColumn,
  type DeviceLatencyTable,
  DeviceLatencyTableSource,
  UnknownDeviceError,
} from './hardware/device-table.js';
export { type HardwareModel, HardwareModelFactory, type MetricFloor } from './hardware/hardware-model.js';
export { lazyRequire } from './lazy-require.js';
export { type OptionSpec, type OptionsSpec, type OptionValues, parseOptions } from './options/options.js';
export { bestSoFar, type MeanWithError, meanWithError } from './projections/best-so-far.js';
export { imagesProcessed } from './projections/images-processed.js';
export {
  constraintText,
  isBetter,
  mnasReward,
  runObjectives,
  runScore,
  satisfies,
  score,
  violations,
} from './projections/objectives.js';
export { dominates, hypervolume, objectiveVector, paretoFront, paretoIndices } from './projections/pareto.js';
export {
  activeMs,
  type DecisionState,
  evolve,
  finishedTrials,
  foldRun,
  initialRunState,
  type RunState,
  screenScore,
  screenValue,
  type Trial,
  type TrialStatus,
  unfinishedTrials,
} from './projections/run-state.js';
export { TopFraction } from './projections/top-fraction.js';
export { Rng, type RngState } from './rng/rng.js';
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
export {
  inProcessRunner,
  inProcessRunnerFactory,
  type RunnerChoice,
  type TrialJob,
  TrialRunner,
  type TrialRunnerContext,
  TrialRunnerFactory,
} from './runner/trial-runner.js';
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
export {
  checkChoices,
  type SearchSpace,
  SearchSpaceFactory,
  type SpaceCapability,
  type SpaceEncoding,
} from './space/search-space.js';
export { readArchKeys, sampleKeys } from './space/space-keys.js';
export { MissingSpaceNetworkError, SpaceNetwork } from './space/space-network.js';
export { type BootstrapInterval, type BootstrapOptions, bootstrapInterval } from './stats/bootstrap.js';
export { kendall, median, percentile, quantile, ranks, spearman } from './stats/rank-stats.js';
export { type EventRow, eventFromRow, eventRows } from './store/event-rows.js';
export {
  type EventStore,
  EventStoreFactory,
  type RunListing,
  STORE_MODE_OPTION,
  type StoreOpening,
} from './store/event-store.js';
export { InMemoryEventStore } from './store/in-memory-event-store.js';
export { resolveRunId } from './store/resolve-run-id.js';
export { locationScheme, redactLocation } from './store/store-location.js';
export { FixedStrategy, fixedStrategyFactory } from './strategy/fixed-strategy.js';
export { RandomStrategy, randomStrategyFactory } from './strategy/random-strategy.js';
export {
  type Strategy,
  type StrategyContext,
  StrategyFactory,
  type TrialResult,
} from './strategy/strategy.js';
