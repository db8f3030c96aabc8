import { MalformedArchitectureError } from '@archlab/core';
import { gradientProblems, initBackend, type Network } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Nb201Arch, parseNb201Key } from './nb201-arch.js';
import { buildNb201Network, describeNb201Network, nb201CellPlan, spaceNetwork } from './nb201-network.js';
import { nb201SpaceFactory } from './nb201-space.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const ALL_CONV3 = parseNb201Key(
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
);
const ALL_NONE = parseNb201Key('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|');
const MIXED = parseNb201Key(
  '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
);

function measure(arch: Nb201Arch, numClasses = 10): { params: number; flops: number; layers: number } {
  const net = buildNb201Network(arch, { seed: 0, numClasses });
  const out = { params: net.paramCount(), flops: net.flops(), layers: net.layers().length };
  expect(net.variables.reduce((n, v) => n + v.size, 0)).toBe(out.params);
  net.dispose();
  return out;
}

describe('buildNb201Network', () => {
  // The benchmark's CIFAR cost columns (NATS-Bench `get_cost_info`): params in MB (10^6),
  // FLOPs in M; the table's smallest and largest are the all-none and all-conv3×3 cells.
  it("matches NAS-Bench-201's CIFAR-10 params (0.073306 / 1.531546 MB) and FLOPs (7.78305 / 220.11969 M)", () => {
    const big = measure(ALL_CONV3);
    expect(big.params).toBe(1_531_546);
    expect(big.flops).toBe(220_119_690);
    const small = measure(ALL_NONE);
    expect(small.params).toBe(73_306);
    expect(small.flops).toBe(7_783_050);
  });

  it("matches the CIFAR-100 network's params (1.537396 MB, 100 classes)", () => {
    expect(measure(ALL_CONV3, 100).params).toBe(1_537_396);
  });

  it('counts a mixed cell by hand: per cell 2 conv3×3 + 1 conv1×1 (with BN) on top of the fixed 73,306', () => {
    // conv3×3 + BN per stage: 2336, 9280, 36992; conv1×1 + BN: 288, 1088, 4224.
    expect(measure(MIXED).params).toBe(73_306 + 5 * (2 * (2336 + 9280 + 36992) + 288 + 1088 + 4224));
  });

  it('leaves out dead edges and makes a disconnected cell output zeros', () => {
    // 0→1 conv feeds node 1, whose only way out is `none`: dead.
    const dead = parseNb201Key('|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|');
    expect(nb201CellPlan(dead)).toEqual({ live: [false, false, false, true, false, false], connected: true });
    expect(measure(dead).params).toBe(73_306);
    // 1→3 conv reads node 1, which receives nothing: dead.
    const starved = parseNb201Key('|none~0|+|skip_connect~0|none~1|+|none~0|nor_conv_3x3~1|nor_conv_1x1~2|');
    expect(nb201CellPlan(starved).live).toEqual([false, true, false, false, false, true]);
    expect(nb201CellPlan(ALL_NONE)).toEqual({
      live: [false, false, false, false, false, false],
      connected: false,
    });
    const net = buildNb201Network(ALL_NONE, { seed: 0, cellsPerStage: 1, channels: 4 });
    expect(
      net
        .layers()
        .filter((l) => l.kind === 'zero')
        .map((l) => l.name),
    ).toEqual(['stage1.cell1.zero', 'stage2.cell1.zero', 'stage3.cell1.zero']);
    const logits = tf.tidy(() => net.apply(tf.ones([2, 32, 32, 3]) as tf.Tensor4D));
    expect(logits.shape).toEqual([2, 10]);
    logits.dispose();
    net.dispose();
  });

  it('lays out the topology: stem, N cells per stage, residual reductions, head', () => {
    const net = buildNb201Network(MIXED, { seed: 0, cellsPerStage: 2, channels: 8 });
    const names = net.layers().map((l) => l.name);
    expect(names.slice(0, 2)).toEqual(['stem.conv', 'stem.bn']);
    expect(names.filter((n) => n.startsWith('stage1.cell1.'))).toEqual([
      'stage1.cell1.node0.relu',
      'stage1.cell1.edge01.conv',
      'stage1.cell1.edge01.bn',
      'stage1.cell1.edge02.conv',
      'stage1.cell1.edge02.bn',
      'stage1.cell1.edge12.pool',
      'stage1.cell1.node2.add',
      'stage1.cell1.node1.relu',
      'stage1.cell1.edge13.conv',
      'stage1.cell1.edge13.bn',
      'stage1.cell1.node3.add',
    ]);
    const byName = new Map(net.layers().map((l) => [l.name, l]));
    expect(byName.get('stage1.cell1.edge02.conv')?.attrs).toMatchObject({ kernelSize: 1, filters: 8 });
    expect(byName.get('stage2.reduce.a.conv')).toMatchObject({
      inputShape: [32, 32, 8],
      outputShape: [16, 16, 16],
    });
    expect(byName.get('stage2.reduce.shortcut.pool')).toMatchObject({
      kind: 'avg_pool',
      outputShape: [16, 16, 8],
    });
    expect(byName.get('stage3.reduce.add')?.outputShape).toEqual([8, 8, 32]);
    expect(names.slice(-4)).toEqual(['head.bn', 'head.relu', 'head.pool', 'head.dense']);
    net.dispose();
  });

  it('runs on 28×28×1 Fashion-MNIST images with gradients for every variable, leaking nothing', () => {
    const before = tf.memory().numTensors;
    const net: Network = buildNb201Network(MIXED, {
      seed: 1,
      inputShape: [28, 28, 1],
      cellsPerStage: 1,
      channels: 4,
    });
    expect(net.layers().at(-2)).toMatchObject({ name: 'head.pool', inputShape: [7, 7, 16] });
    const x = tf.tidy(() => tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 7) as tf.Tensor4D);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([3, 8], 'int32'), 10));
    expect(gradientProblems(net, x, labels)).toEqual([]);
    tf.dispose([x, labels]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('halves the first stage with a stride-2 stem, keeping the parameter count', () => {
    const wide = describeNb201Network(MIXED, { inputShape: [28, 28, 1], cellsPerStage: 1, channels: 8 });
    const strided = describeNb201Network(MIXED, {
      inputShape: [28, 28, 1],
      cellsPerStage: 1,
      channels: 8,
      stemStride: 2,
    });
    const stem = (d: typeof wide) => d.layers.find((l) => l.name === 'stem.conv')!;
    expect(stem(wide).outputShape).toEqual([28, 28, 8]);
    expect(stem(strided).outputShape).toEqual([14, 14, 8]);
    expect(strided.layers.at(-2)).toMatchObject({ name: 'head.pool', inputShape: [4, 4, 32] });
    const params = (d: typeof wide) => d.layers.reduce((n, l) => n + l.params, 0);
    expect(params(strided)).toBe(params(wide));
    expect(() => describeNb201Network(MIXED, { stemStride: 0 })).toThrow(/stemStride/);
  });

  it("builds and describes the size the space's options ask for (C=8, N=1, stride-2 stem)", () => {
    const small = nb201SpaceFactory.create({ channels: 8, cells: 1, 'stem-stride': 2 });
    const shape = { inputShape: [28, 28, 1] as const, numClasses: 10 };
    const direct = { ...shape, channels: 8, cellsPerStage: 1, stemStride: 2 };
    const described = spaceNetwork.describe(small, MIXED, shape);
    expect(described).toEqual(describeNb201Network(MIXED, direct));
    expect(described.layers.find((l) => l.name === 'stem.conv')!.outputShape).toEqual([14, 14, 8]);
    const cells = new Set(described.layers.flatMap((l) => l.name.match(/^stage\d\.cell\d+/) ?? []));
    expect([...cells]).toEqual(['stage1.cell1', 'stage2.cell1', 'stage3.cell1']);
    const net = spaceNetwork.build(small.key(MIXED), small.options!, { ...shape, seed: 1 });
    const reference = buildNb201Network(MIXED, { ...direct, seed: 1 });
    expect(net.paramCount()).toBe(reference.paramCount());
    expect(net.flops()).toBe(reference.flops());
    net.dispose();
    reference.dispose();
    // No options: the benchmark's network, as before.
    expect(spaceNetwork.describe(nb201SpaceFactory.create({}), MIXED, shape)).toEqual(
      describeNb201Network(MIXED, shape),
    );
    expect(described).not.toEqual(describeNb201Network(MIXED, shape));
  });

  it('is deterministic in its seed', () => {
    const a = buildNb201Network(MIXED, { seed: 3, cellsPerStage: 1, channels: 4 });
    const b = buildNb201Network(MIXED, { seed: 3, cellsPerStage: 1, channels: 4 });
    const x = tf.tidy(() => tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D);
    const out = (n: Network) => tf.tidy(() => Array.from(n.apply(x).dataSync()));
    expect(out(a)).toEqual(out(b));
    tf.dispose([x]);
    a.dispose();
    b.dispose();
  });

  it('rejects a malformed cell and bad sizes', () => {
    expect(() => buildNb201Network([0, 1, 2, 3, 4, 5] as unknown as Nb201Arch, { seed: 0 })).toThrow(
      MalformedArchitectureError,
    );
    expect(() => buildNb201Network(MIXED, { seed: 0, channels: 0 })).toThrow(/channels/);
  });
});
