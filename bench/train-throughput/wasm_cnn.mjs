// The wasm side of train-throughput, in a process of its own: the reference CNN trained with
// plain tfjs-core ops and tf.variableGrads on the built @archlab/nn wasm backend.
// Prints one JSON line: {"img_s": ..., "steps": ..., "threads": ...}.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const pkg = new URL('../../packages/nn/', import.meta.url);
const { initBackend } = await import(new URL('dist/backend/backend.js', pkg).href);
const tf = await import(
  pathToFileURL(createRequire(new URL('package.json', pkg)).resolve('@tensorflow/tfjs-core')).href
);

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const batch = Number(args.batch ?? 128);
const warmup = Number(args.warmup ?? 5);
const seconds = Number(args.seconds ?? 3);
const seed = Number(args.seed ?? 1);

await initBackend('wasm');
const threads = tf.backend().wasm?.tfjs.getThreadsCount() ?? Number.NaN;

const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', seed);
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', seed + 1), 10);
const he = (shape, fanIn, s) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', s));
const w1 = he([3, 3, 1, 16], 9, seed + 2);
const b1 = tf.variable(tf.zeros([16]));
const w2 = he([3, 3, 16, 32], 144, seed + 3);
const b2 = tf.variable(tf.zeros([32]));
const w3 = he([7 * 7 * 32, 10], 7 * 7 * 32, seed + 4);
const b3 = tf.variable(tf.zeros([10]));
const params = [w1, b1, w2, b2, w3, b3];
const lr = tf.scalar(0.01);

function loss() {
  let h = tf.relu(tf.add(tf.conv2d(x, w1, 1, 'same'), b1));
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.relu(tf.add(tf.conv2d(h, w2, 1, 'same'), b2));
  h = tf.maxPool(h, 2, 2, 'valid');
  const logits = tf.add(tf.matMul(tf.reshape(h, [batch, 7 * 7 * 32]), w3), b3);
  return tf.losses.softmaxCrossEntropy(y, logits);
}

function step() {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, params);
    for (const p of params) p.assign(tf.sub(p, tf.mul(grads[p.name], lr)));
    return tf.keep(value);
  });
}

for (let i = 0; i < warmup; i++) step().dispose();
const tensors = tf.memory().numTensors;
let steps = 0;
let last;
const t0 = performance.now();
let elapsed = 0;
while (elapsed < seconds) {
  last?.dispose();
  last = step();
  steps++;
  elapsed = (performance.now() - t0) / 1000;
}
const finalLoss = last.dataSync()[0];
last.dispose();
if (tf.memory().numTensors !== tensors)
  throw new Error(`tensors leaked: ${tensors} -> ${tf.memory().numTensors}`);
console.log(JSON.stringify({ img_s: (steps * batch) / elapsed, steps, threads, loss: finalLoss }));
