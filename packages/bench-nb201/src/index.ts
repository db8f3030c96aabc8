export { benchNb201Module } from './bench-nb201-module.js';
export {
  enumerateNb201,
  isNb201Arch,
  NB201_EDGES,
  NB201_OPS,
  NB201_SIZE,
  type Nb201Arch,
  type Nb201Op,
  nb201FromIndex,
  nb201Index,
  nb201IndexOfKey,
  nb201Key,
  parseNb201Key,
} from './nb201-arch.js';
export {
  NB201_DEVICE_SOURCE,
  NB201_DEVICE_TABLE_FILE,
  NB201_DEVICES,
  nb201DeviceTableSource,
  parseNb201DeviceCsv,
  readNb201DeviceTable,
} from './nb201-device-table.js';
export {
  nb201Cifar10Factory,
  nb201Cifar100Factory,
  nb201Estimator,
  nb201ImageNet16Factory,
} from './nb201-estimator.js';
export {
  NB201_SPACE_OPTIONS,
  type Nb201SpaceOptions,
  nb201Space,
  nb201SpaceFactory,
  nb201SpaceOptions,
} from './nb201-space.js';
export { nb201SpaceNetwork } from './nb201-space-network.js';
export {
  NB201_TABLE_FILE,
  Nb201DataError,
  type Nb201Dataset,
  type Nb201Record,
  Nb201Table,
  nb201Table,
  parseNb201Csv,
  readNb201Table,
} from './nb201-table.js';
