export {
  COMPOUND_SCALING,
  COMPOUND_SCALING_OPTIONS,
  CompoundScaling,
  compoundScalingFactory,
} from './compound-scaling.js';
export {
  DEFAULT_MBV3_BASE,
  MBV3_SCALED,
  MBV3_SCALED_OPTIONS,
  type Mbv3ScaledSpace,
  mbv3ScaledSpace,
  mbv3ScaledSpaceFactory,
  type ScaledMbv3Arch,
  scaleMbv3,
} from './mbv3-scaled-space.js';
export { mbv3ScaledSpaceNetwork } from './mbv3-scaled-space-network.js';
export { isScalable, type ScalableSpace } from './scalable-space.js';
export { scaledKey, splitScaledKey } from './scaled-key.js';
export {
  type Coefficients,
  compoundMultipliers,
  DEPTH_DIVISOR,
  DIMENSIONS,
  type Dimension,
  flopsFactor,
  formatCoefficients,
  MAX_MULTIPLIER,
  type Multipliers,
  matchFlops,
  quantize,
  roundFilters,
  roundRepeats,
  roundResolution,
  scalingGrid,
  UNSCALED,
} from './scaling.js';
export { strategyEffnetModule } from './strategy-effnet-module.js';
