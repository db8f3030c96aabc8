export {
  CHAIN_HEADS,
  CHAIN_OPS,
  CHAIN_SPACE,
  type ChainArch,
  type ChainConvOp,
  type ChainHead,
  type ChainLayer,
  type ChainOp,
  type ChainPoolOp,
  type ChainSpaceConfig,
  chainKey,
  chainLayerKey,
  DEFAULT_CHAIN_CONFIG,
  isConv,
  isConvOp,
  isPool,
  maxPoolings,
  overPooled,
  parseChainKey,
} from './fmnist-chain-arch.js';
export {
  type ChainSearchSpace,
  chainCoveringArchitectures,
  chainSpaceConfig,
  chainSpaceSize,
  FMNIST_CHAIN_OPTIONS,
  fmnistChainSpace,
  fmnistChainSpaceFactory,
} from './fmnist-chain-space.js';
export { fmnistChainSpaceNetwork } from './fmnist-chain-space-network.js';
export { spaceFmnistChainModule } from './space-fmnist-chain-module.js';
