export {
  GRADIENT_PROXIES,
  GRASP_STEP,
  type GradientProxy,
  type GraspOptions,
  gradientProxies,
  type TensorBatch,
} from './gradient-proxies.js';
export { correlationMatrix, jacobCov, jacobCovScore } from './jacob-cov.js';
export {
  DATA_PROXIES,
  DEFAULT_COMBINED_PROXIES,
  isProxyName,
  PROXIES,
  type ProxyName,
  parseProxies,
  proxyMetric,
  UNDEFINED_SCORE,
} from './proxies.js';
export { type ProxyCorrelation, type ProxyFlags, proxyCommand } from './proxy-command.js';
export { ProxyScorer, type ProxyScores, ZERO_COST_USER } from './proxy-scorer.js';
export { type ScoredArchitecture, scoreArchitectures } from './score-architectures.js';
export { synflow } from './synflow.js';
export { zeroCostCommandsModule } from './zero-cost-commands.js';
export {
  combinedEstimatorFactory,
  combinedOptionsSpec,
  proxyEstimatorFactory,
  zeroCostFactories,
} from './zero-cost-estimator.js';
export { zeroCostModule } from './zero-cost-module.js';
export { parseZeroCostOptions, type ZeroCostOptions, zeroCostOptionsSpec } from './zero-cost-options.js';
