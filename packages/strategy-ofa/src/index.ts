export { type OfaApplyOptions, type OfaSubnet, OfaSupernet, type OfaSupernetConfig } from './ofa-supernet.js';
