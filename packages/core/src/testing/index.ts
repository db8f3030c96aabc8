export {
  estimatorContract,
  eventStoreContract,
  expectAcceptsSeededTrials,
  fakeEvents,
  hardwareModelContract,
  type StrategyContractOptions,
  searchSpaceContract,
  strategyContract,
  trialRunnerContract,
} from './contracts.js';
export { freeLocalPort } from './free-port.js';
export { copyLogPrefix, readAll, runSearch, tamperedCopy, trialsOf } from './harness.js';
export { neighbourWalk } from './neighbour-walk.js';
export {
  describeWith,
  inCi,
  itWith,
  missingRequirementMessage,
  type Requirement,
  requirementMode,
} from './requirement.js';
export {
  countingEstimatorFactory,
  countingStrategyFactory,
  digitsSpace,
  digitsSpaceFactory,
  hashScore,
  syntheticCost,
  syntheticCostFactory,
  syntheticEstimator,
  syntheticEstimatorFactory,
  syntheticScreenFactory,
} from './synthetic.js';
