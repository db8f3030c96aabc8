export {
  BACKENDS,
  type BackendChoice,
  type BackendInfo,
  type BackendName,
  initBackend,
} from './backend/backend.js';
export {
  type BatchNormLayer,
  type BatchNormOptions,
  BatchStatsAverage,
  batchNorm,
  batchNormalise,
  channelMoments,
} from './network/batch-norm.js';
export {
  type Conv2dOptions,
  type ConvOptions,
  conv2d,
  depthwiseConv2d,
  dilateKernel,
} from './network/conv.js';
export { type DenseOptions, dense } from './network/dense.js';
export { add, flatten, relu, zeros } from './network/elementwise.js';
export { gradientProblems } from './network/gradient-check.js';
export type { GraphBuilder, SymbolicTensor } from './network/graph-builder.js';
export {
  filled,
  heNormal,
  type Layer,
  type LayerContext,
  layerContext,
  normalValues,
  outputLength,
  type Padding,
  product,
  type Shape,
  single,
  spatial,
} from './network/layer.js';
export { LayerListBuilder } from './network/layer-list-builder.js';
export {
  type ApplyOptions,
  type DataflowStep,
  dataflowWithFrees,
  describeNetwork,
  type LayerHook,
  type LayerInfo,
  type Network,
  type NetworkDescription,
} from './network/network.js';
export { type ImageShape, NetworkBuilder } from './network/network-builder.js';
export { globalAvgPool, type PoolOptions, pool2d } from './network/pool.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  loadNetworkWeights,
  type NamedTensor,
  networkTensors,
  networkWeights,
  SAFETENSORS_FORMAT,
} from './network/safetensors.js';
export {
  defineSpaceNetwork,
  importSpaceNetwork,
  type NetworkBuildContext,
  type NetworkShape,
  type SpaceNetworkModule,
  SpaceNetworks,
  type TfjsSpaceNetwork,
} from './space-network/space-networks.js';
