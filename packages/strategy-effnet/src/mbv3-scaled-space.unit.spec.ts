import { MalformedArchitectureError } from '@archlab/core';
import { searchSpaceContract } from '@archlab/core/testing';
import { initBackend } from '@archlab/nn';
import { DEFAULT_MBV3_CONFIG } from '@archlab/space-mbv3';
import { beforeAll, describe, expect, it } from 'vitest';
import { spaceNetwork } from './mbv3-scaled-network.js';
import { DEFAULT_MBV3_BASE, mbv3ScaledSpace, scaleMbv3 } from './mbv3-scaled-space.js';

beforeAll(async () => {
  await initBackend('cpu');
});

searchSpaceContract('mbv3-scaled', () => mbv3ScaledSpace(), [
  '',
  DEFAULT_MBV3_BASE,
  `d1,w1,r1:${DEFAULT_MBV3_BASE}-k33e33`,
  `d1,w1,r1:r25-k33e33-k33e33-k33e33-k33e33`,
  `d1,w1:${DEFAULT_MBV3_BASE}`,
  `d1.0,w1,r1:${DEFAULT_MBV3_BASE}`,
  `d0.5,w1,r1:${DEFAULT_MBV3_BASE}`,
  `d1,w1,r1: ${DEFAULT_MBV3_BASE}`,
]);

/** One stage of one block (3×3, expand ratio 2) of width 8 on 8×8 images; stem 8, final 16. */
const tinyOptions = {
  stem: 8,
  widths: '8',
  strides: '1',
  final: 16,
  resolutions: '8',
  depths: '1,2',
  kernels: '3',
  expands: '1,2',
};

describe('scaleMbv3', () => {
  it("repeats each stage's blocks to ceil(n·d), copying its last, and rounds channels and the side", () => {
    const base = mbv3ScaledSpace().unscaled.parse('r24-k33e33-k35e36-k33e33-k33e33');
    const { arch, config } = scaleMbv3(base, DEFAULT_MBV3_CONFIG, {
      depth: 1.2,
      width: 1.1,
      resolution: 1.15,
    });
    expect(arch.resolution).toBe(28); // 24 × 1.15 = 27.6
    expect(arch.stages.map((s) => s.length)).toEqual([3, 3, 3, 3]); // ceil(2.4)
    expect(arch.stages[1]).toEqual([
      { kernel: 3, expand: 3 },
      { kernel: 5, expand: 6 },
      { kernel: 5, expand: 6 },
    ]);
    // round_filters(·, 1.1): 16 → 16, 24 → 24, 32 → 32, 48 → 56 (52.8), 128 → 144 (140.8).
    expect([config.stem, ...config.widths, config.final]).toEqual([16, 16, 24, 32, 56, 144]);
    expect(config.strides).toEqual(DEFAULT_MBV3_CONFIG.strides);
  });

  it('counts the FLOPs of the scaled network, as worked by hand', async () => {
    const space = mbv3ScaledSpace(tinyOptions);
    const arch = space.scale('r8-k3e2', { depth: 2, width: 1.5, resolution: 1.5 });
    expect(space.key(arch)).toBe('d2,w1.5,r1.5:r8-k3e2');
    // 12×12 images; stem 16 channels (8·1.5 = 12 → 16), stride 2 → 6×6; the stage's width 16;
    // two blocks (16 → 32 → 16, stride 1, with the residual add); final 24 (16·1.5).
    const positions = 6 * 6;
    const stem = positions * 16 * 9;
    const block = positions * (32 * 16 + 32 * 9 + 16 * 32);
    const head = positions * 24 * 16;
    const dense = 24 * 10 + 10;
    expect(stem + 2 * block + head + dense).toBe(113_722);
    const flops = await space.flopsCounter();
    expect(flops(arch)).toBe(113_722);
    const layers = spaceNetwork.describe(space, arch, { inputShape: [28, 28, 1], numClasses: 10 }).layers;
    expect(layers.filter((l) => l.name.endsWith('.dw')).map((l) => l.name)).toEqual(['s1.b1.dw', 's1.b2.dw']);
  });

  it('builds a network of the scaled resolution whose FLOPs are the counted ones', async () => {
    const space = mbv3ScaledSpace(tinyOptions);
    const key = 'd2,w1.5,r1.5:r8-k3e2';
    const net = spaceNetwork.build(key, space.options!, { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    try {
      expect(net.inputShape).toEqual([12, 12, 1]);
      expect(net.flops()).toBe((await space.flopsCounter())(space.parse(key)));
    } finally {
      net.dispose();
    }
  });

  it('refuses a base the mbv3 space of its options refuses, naming the token', () => {
    const space = mbv3ScaledSpace();
    expect(() => space.scale('r24-k33e33', { depth: 1, width: 1, resolution: 1 })).toThrow(
      MalformedArchitectureError,
    );
    expect(() => space.parse(`d1,w1,r1:r24-k33e33-k99e33-k33e33-k33e33`)).toThrow(
      /^malformed mbv3-scaled architecture 'd1,w1,r1:r24-k33e33-k99e33-k33e33-k33e33': its base 'r24-k33e33-k99e33-k33e33-k33e33': token 3 'k99e33'/,
    );
  });
});
