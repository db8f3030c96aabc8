import type { SpaceNetworkModule } from '@archlab/nn';
import { mlp } from './test-fixtures.js';

const TINY_BUILDS = Symbol.for('archlab.test.tinyBuilds');

type Build = { arch: string; seed: number; inputShape: readonly number[]; numClasses: number };

/**
 * What `spaceNetwork.build` was asked for, oldest first (tests read it). On the global object:
 * the trial imports this module by URL, which a test runner may load as a second instance.
 */
const shared = globalThis as { [TINY_BUILDS]?: Build[] };
shared[TINY_BUILDS] ??= [];
export const tinyBuilds: Build[] = shared[TINY_BUILDS];

/**
 * A test space network, imported by URL as a worker would: the architecture key is the hidden
 * width of a perceptron (`mlp`), the space option `offset` shifts its seed.
 */
export const spaceNetwork: SpaceNetworkModule<string> = {
  inputShape: () => [5, 5, 1],
  describe: () => {
    throw new Error('the tiny test network has no description');
  },
  build: (arch, spaceOptions, { inputShape, numClasses, seed }) => {
    tinyBuilds.push({ arch, seed, inputShape, numClasses });
    return mlp(inputShape, numClasses, {
      hidden: Number(arch),
      seed: seed + Number(spaceOptions.offset ?? 0),
    });
  },
  coveringArchitectures: () => [],
};
