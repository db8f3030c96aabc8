import { nb201Space } from '@archlab/bench-nb201';
import { buildNb201Network } from '@archlab/bench-nb201/network';
import { Rng } from '@archlab/core';
import {
  encodeSafetensors,
  initBackend,
  loadNetworkWeights,
  type Network,
  NetworkBuilder,
  networkTensors,
} from '@archlab/nn';
import { fmnistChainSpace } from '@archlab/space-fmnist-chain';
import { buildChainNetwork } from '@archlab/space-fmnist-chain/network';
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './export-onnx.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const built: Network[] = [];
afterAll(() => {
  for (const n of built) n.dispose();
});

/**
 * A network in the state training leaves it in: batch norm's scales and shifts and the biases
 * set to seeded values away from their initial 1 and 0, and its running statistics those of
 * the images it sees (training-mode passes, as BN recalibration does), so that every weight and
 * buffer counts in the comparison while the logits keep a trained network's magnitudes.
 */
function randomise(net: Network, seed: number): Network {
  built.push(net);
  const rng = Rng.fromSeed(seed);
  const tensors = networkTensors(net).map((t) => {
    const param = t.name.slice(t.name.lastIndexOf('/') + 1);
    if (param === 'gamma') return { ...t, data: Float32Array.from(t.data, () => 0.5 + rng.float()) };
    if (param === 'beta' || param === 'bias')
      return { ...t, data: Float32Array.from(t.data, () => rng.normal() * 0.2) };
    return t;
  });
  loadNetworkWeights(net, encodeSafetensors(tensors));
  for (let i = 0; i < 40; i++) {
    tf.tidy(() =>
      net.apply(tf.tensor4d(images(net, 8, seed * 100 + i), [8, ...net.inputShape]), { training: true }),
    );
  }
  return net;
}

/** Seeded images of the network's input shape, NHWC. */
function images(net: Network, batch: number, seed: number): Float32Array {
  const rng = Rng.fromSeed(seed);
  const n = batch * net.inputShape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** The largest |archlab − onnxruntime| over a batch, and archlab's largest |logit| (for scale). */
async function compare(net: Network, batch = 3, seed = 7): Promise<{ diff: number; scale: number }> {
  const x = images(net, batch, seed);
  const expected = tf.tidy(() => net.apply(tf.tensor4d(x, [batch, ...net.inputShape])).dataSync());
  const session = await ort.InferenceSession.create(exportOnnx(net));
  try {
    expect(session.inputNames).toEqual([ONNX_INPUT]);
    expect(session.outputNames).toEqual([ONNX_OUTPUT]);
    const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, [batch, ...net.inputShape]) });
    const logits = out[ONNX_OUTPUT]!;
    expect(logits.dims).toEqual([batch, net.numClasses]);
    const got = logits.data as Float32Array;
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < expected.length; i++) {
      diff = Math.max(diff, Math.abs(got[i]! - expected[i]!));
      scale = Math.max(scale, Math.abs(expected[i]!));
    }
    return { diff, scale };
  } finally {
    await session.release();
  }
}

const NB201_ARCHS = [
  // Convolutions, pooling and skips.
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
  // 1×1 convolutions, pooling on every edge into node 3, a none edge.
  '|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|avg_pool_3x3~0|nor_conv_1x1~1|avg_pool_3x3~2|',
  // No path from input to output: the cell is zeros.
  '|none~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|',
  // Skips only: cells are sums of their inputs.
  '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|',
];

describe('exportOnnx: onnxruntime-node computes what archlab computes (inference mode)', () => {
  // 15×15 and 9×9 images: odd sides, so `same` padding of the stride-2 reductions and of the
  // 2×2 shortcut pools is asymmetric (tfjs pads more at the end), and 3×3 average pools at the
  // border leave the padding out of the mean.
  it.each(
    NB201_ARCHS.flatMap((key, i) => [
      [key, [15, 15, 3] as const, i],
      [key, [9, 9, 1] as const, i + 10],
    ]),
  )('nb201 %s on %j images', async (key, inputShape, seed) => {
    const net = randomise(
      buildNb201Network(nb201Space.parse(key), {
        inputShape: [...inputShape],
        numClasses: 10,
        channels: 4,
        cellsPerStage: 1,
        seed,
      }),
      seed,
    );
    const { diff, scale } = await compare(net);
    expect(scale).toBeGreaterThan(0.01);
    expect(diff).toBeLessThan(1e-4);
  });

  it.each([
    ['conv3x3-8|max_pool|sep_conv5x5-16+skip|avg_pool|conv5x5-16+skip', 'gap'],
    ['sep_conv3x3-8+skip|avg_pool|sep_conv3x3-8+skip|max_pool|conv3x3-12', 'flatten'],
    ['conv5x5-6|avg_pool|avg_pool|sep_conv5x5-6+skip', 'flatten'],
  ] as const)('fmnist-chain %s with the %s head on 27×27 images', async (key, head, ...rest) => {
    const space = fmnistChainSpace({ head, imageSize: 27, widths: '8,12,16,6' });
    const seed = key.length + rest.length;
    const net = randomise(
      buildChainNetwork(space.parse(key), { inputShape: [27, 27, 1], numClasses: 10, head, seed }),
      seed,
    );
    const { diff, scale } = await compare(net);
    expect(scale).toBeGreaterThan(0.01);
    expect(diff).toBeLessThan(1e-4);
  });

  it('a depthwise (stride 2, multiplier 2, dilation 2) block with a residual, biases, valid padding, a dilated strided conv and a 3-way sum', async () => {
    const net = randomise(
      NetworkBuilder.buildFrom([13, 11, 3], 5, (b) => {
        const stem = b.conv2d('stem', b.input, { kernelSize: 3, filters: 6, stride: 2, useBias: true });
        const expand = b.relu(
          'expand.relu',
          b.batchNorm('expand.bn', b.conv2d('expand', stem, { kernelSize: 1, filters: 12 })),
        );
        const dw = b.depthwiseConv2d('dw', expand, {
          kernelSize: 5,
          stride: 1,
          depthMultiplier: 2,
          dilation: 2,
        });
        const project = b.batchNorm(
          'project.bn',
          b.conv2d('project', b.relu('dw.relu', dw), { kernelSize: 1, filters: 6 }),
        );
        const down = b.depthwiseConv2d('down', stem, { kernelSize: 3, stride: 2, useBias: true });
        const up = b.depthwiseConv2d('same', stem, { kernelSize: 3 });
        const sum = b.add('residual', [stem, project, up]);
        const valid = b.conv2d('valid', sum, { kernelSize: 3, filters: 6, padding: 'valid' });
        const pooled = b.maxPool('pool', valid, { size: 3, stride: 2, padding: 'valid' });
        const features = b.flatten('flatten', b.add('join', [pooled, b.zeros('zeros', pooled)]));
        // A dilated strided convolution and an average pool whose windows the padding cuts.
        const dilated = b.conv2d('dilated', down, { kernelSize: 3, filters: 6, stride: 2, dilation: 2 });
        const gap = b.globalAvgPool('gap', b.avgPool('avg', dilated, { size: 3, stride: 2 }));
        const hidden = b.batchNorm('hidden.bn', b.dense('hidden', features, { units: 6, useBias: false }));
        return b.dense('classifier', b.add('heads', [hidden, gap]), { units: 4 });
      }),
      3,
    );
    expect(new Set(net.layers().map((l) => l.kind))).toEqual(
      new Set([
        'conv2d',
        'depthwise_conv2d',
        'batch_norm',
        'relu',
        'add',
        'zero',
        'flatten',
        'global_avg_pool',
        'avg_pool',
        'max_pool',
        'dense',
      ]),
    );
    const { diff, scale } = await compare(net, 4, 11);
    expect(scale).toBeGreaterThan(0.01);
    expect(diff).toBeLessThan(1e-4);
  });
});
