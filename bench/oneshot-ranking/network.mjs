// The stand-alone network of a cell at the supernet's size, for the `train` estimator's code path
// (runTrainingTrial imports a space network module by URL): C, N and the stem stride come from
// this module's URL (`network.mjs?channels=8&cells=1&stem-stride=2`, the default supernet's).
// It is what Nb201Supernet.extract builds, so a cell's inherited and stand-alone networks are the
// same network. (The nb201 space's own network module is the benchmark's: C=16, N=5, stride 1.)

import { nb201Space } from '../../packages/bench-nb201/dist/index.js';
import { buildNb201Network, spaceNetwork as nb201 } from '../../packages/bench-nb201/dist/nb201-network.js';

const q = new URL(import.meta.url).searchParams;
const size = {
  channels: Number(q.get('channels') ?? 8),
  cellsPerStage: Number(q.get('cells') ?? 1),
  stemStride: Number(q.get('stem-stride') ?? 2),
};

export const spaceNetwork = {
  ...nb201,
  build: (key, _spaceOptions, { inputShape, numClasses, seed }) =>
    buildNb201Network(nb201Space.parse(key), { inputShape, numClasses, seed, ...size }),
};
