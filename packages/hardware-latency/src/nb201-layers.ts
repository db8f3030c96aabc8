import { isNb201Arch, NB201_EDGES, NB201_OPS, type Nb201Arch } from '@archlab/bench-nb201';
import { MalformedArchitectureError } from '@archlab/core';
import {
  type ImageShape,
  type LayerInfo,
  type Nb201CellPlan,
  type Nb201NetworkOptions,
  nb201CellPlan,
  type Shape,
} from '@archlab/trainer-tfjs';
import { LayerListBuilder } from './layer-list.js';

const NODES = 4;

/**
 * The layers of `buildNb201Network(arch, options)`, in its order and with its names, shapes,
 * attributes, params and FLOPs, derived from the architecture alone: no network, no weights.
 * What a latency table or a counter needs of 15,625 networks in a second rather than minutes.
 *
 * It mirrors trainer-tfjs's builder step by step (stem, three stages of cells joined by
 * reductions, head; dead edges left out by the same `nb201CellPlan`); a unit test checks that
 * both give equal layers for hundreds of architectures, so any change there shows here.
 */
export function nb201Layers(arch: Nb201Arch, options: Omit<Nb201NetworkOptions, 'seed'> = {}): LayerInfo[] {
  if (!isNb201Arch(arch)) {
    throw new MalformedArchitectureError(
      'nb201',
      `[${arch}]`,
      `a cell is ${NB201_EDGES.length} op indices in [0, ${NB201_OPS.length})`,
    );
  }
  const {
    inputShape = [32, 32, 3] as ImageShape,
    numClasses = 10,
    cellsPerStage = 5,
    channels = 16,
  } = options;
  const plan = nb201CellPlan(arch);
  const b = new LayerListBuilder(inputShape);
  let x = b.batchNorm('stem.bn', b.conv2d('stem.conv', b.input, { kernelSize: 3, filters: channels }));
  for (let stage = 1; stage <= 3; stage++) {
    const width = channels * 2 ** (stage - 1);
    if (stage > 1) x = reduction(b, `stage${stage}.reduce`, x, width);
    for (let c = 1; c <= cellsPerStage; c++) x = cell(b, `stage${stage}.cell${c}`, x, arch, plan);
  }
  x = b.relu('head.relu', b.batchNorm('head.bn', x));
  b.dense('head.dense', b.globalAvgPool('head.pool', x), { units: numClasses });
  return b.layers;
}

function reluConvBn(
  b: LayerListBuilder,
  name: string,
  x: Shape,
  kernelSize: number,
  filters: number,
  stride = 1,
) {
  return b.batchNorm(
    `${name}.bn`,
    b.conv2d(`${name}.conv`, b.relu(`${name}.relu`, x), { kernelSize, filters, stride }),
  );
}

function reduction(b: LayerListBuilder, name: string, x: Shape, filters: number): Shape {
  const main = reluConvBn(b, `${name}.b`, reluConvBn(b, `${name}.a`, x, 3, filters, 2), 3, filters);
  const pooled = b.avgPool(`${name}.shortcut.pool`, x, { size: 2, stride: 2 });
  const shortcut = b.conv2d(`${name}.shortcut.conv`, pooled, { kernelSize: 1, filters });
  return b.add(`${name}.add`, [main, shortcut]);
}

function cell(b: LayerListBuilder, name: string, x: Shape, arch: Nb201Arch, plan: Nb201CellPlan): Shape {
  if (!plan.connected) return b.zeros(`${name}.zero`, x);
  const filters = x[2]!;
  const nodes: Shape[] = [x];
  const relus = new Map<number, Shape>();
  const reluOf = (i: number) => {
    const r = relus.get(i) ?? b.relu(`${name}.node${i}.relu`, nodes[i]!);
    relus.set(i, r);
    return r;
  };
  for (let j = 1; j < NODES; j++) {
    const terms: Shape[] = [];
    NB201_EDGES.forEach(([from, to], e) => {
      if (to !== j || !plan.live[e]) return;
      const edge = `${name}.edge${from}${to}`;
      const op = NB201_OPS[arch[e]!];
      if (op === 'skip_connect') terms.push(nodes[from]!);
      else if (op === 'avg_pool_3x3')
        terms.push(b.avgPool(`${edge}.pool`, nodes[from]!, { size: 3, stride: 1 }));
      else {
        const kernelSize = op === 'nor_conv_1x1' ? 1 : 3;
        terms.push(
          b.batchNorm(`${edge}.bn`, b.conv2d(`${edge}.conv`, reluOf(from), { kernelSize, filters })),
        );
      }
    });
    if (terms.length) nodes[j] = b.add(`${name}.node${j}.add`, terms);
  }
  return nodes[NODES - 1]!;
}
