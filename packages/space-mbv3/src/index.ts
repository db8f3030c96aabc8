export {
  DEFAULT_MBV3_CONFIG,
  MBV3_SPACE,
  type Mbv3Arch,
  type Mbv3Block,
  type Mbv3NetworkConfig,
  type Mbv3SpaceConfig,
  mbv3Key,
  parseMbv3Key,
} from './mbv3-arch.js';
export {
  MBV3_OPTIONS,
  type Mbv3SearchSpace,
  mbv3CoveringArchitectures,
  mbv3Space,
  mbv3SpaceConfig,
  mbv3SpaceFactory,
  mbv3SpaceSize,
  SMALL_MBV3_OPTIONS,
} from './mbv3-space.js';
export { mbv3SpaceNetwork } from './mbv3-space-network.js';
export { spaceMbv3Module } from './space-mbv3-module.js';
