// The archlab side of supernet-throughput, in a process of its own: SPOS and first-order DARTS
// steps on @archlab/supernet's default supernet (built dist), tfjs wasm backend.
// Prints one JSON line: {"spos_img_s": ..., "darts_img_s": ..., "threads": ...}.
// With --profile, also prints (to stderr) the kernels taking most time in one step of each.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const pkg = new URL('../../packages/supernet/', import.meta.url);
const nn = new URL('../../packages/nn/', import.meta.url);
const trainer = new URL('../../packages/trainer-tfjs/', import.meta.url);
const { initBackend } = await import(new URL('dist/backend/backend.js', nn).href);
const { Nb201Supernet, SupernetTrainer } = await import(new URL('dist/index.js', pkg).href);
const { createOptimizer, crossEntropy } = await import(new URL('dist/index.js', trainer).href);
const tf = await import(
  pathToFileURL(createRequire(new URL('package.json', nn)).resolve('@tensorflow/tfjs-core')).href
);

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const batch = Number(args.batch ?? 64);
const warmup = Number(args.warmup ?? 3);
const seconds = Number(args.seconds ?? 3);
const seed = Number(args.seed ?? 1);

await initBackend('wasm');
const threads = tf.backend().wasm?.tfjs.getThreadsCount?.() ?? 1;

const net = new Nb201Supernet({ seed });
const [h, w, c] = net.inputShape;
const images = () => tf.randomNormal([batch, h, w, c], 0, 1, 'float32', seed);
const xTrain = images();
const xVal = tf.randomNormal([batch, h, w, c], 0, 1, 'float32', seed + 1);
const yTrain = tf.randomUniform([batch], 0, 10, 'int32', seed + 2);
const yVal = tf.randomUniform([batch], 0, 10, 'int32', seed + 3);

// SPOS: a fresh uniform path each step, SGD with momentum on the path's weights.
const spos = new SupernetTrainer(net, {
  optimizer: 'sgd',
  momentum: 0.9,
  nesterov: false,
  weightDecay: 3e-4,
  seed,
});
const sposStep = () => spos.sposStep(xTrain, yTrain, 0.025);

// First-order DARTS: the weights on a training batch with softmax(α) fixed, then α on a
// validation batch (Adam, as in DARTS), both through every op of every edge.
const alpha = tf.variable(tf.mul(tf.randomNormal([6, 5], 0, 1, 'float32', seed + 4), 1e-3));
const alphaOpt = createOptimizer([alpha], {
  optimizer: 'adam',
  momentum: 0,
  nesterov: false,
  weightDecay: 1e-3,
});
const weightsTrainer = new SupernetTrainer(net, {
  optimizer: 'sgd',
  momentum: 0.9,
  nesterov: false,
  weightDecay: 3e-4,
  seed,
});
const dartsStep = () => {
  weightsTrainer.step(
    () => crossEntropy(net.applyWeighted(xTrain, tf.softmax(alpha), { training: true }), yTrain, 10),
    0.025,
  );
  const { value, grads } = tf.variableGrads(
    () => crossEntropy(net.applyWeighted(xVal, tf.softmax(alpha), { training: true }), yVal, 10),
    [alpha],
  );
  alphaOpt.step([grads[alpha.name]], 3e-4);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};

/** Images per second of `step` (each processing `imagesPerStep`), over `seconds` after the warm-up. */
function measure(step, imagesPerStep) {
  for (let i = 0; i < warmup; i++) step();
  const tensors = tf.memory().numTensors;
  let steps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < seconds) {
    step();
    steps++;
    elapsed = (performance.now() - t0) / 1000;
  }
  if (tf.memory().numTensors !== tensors)
    throw new Error(`tensors leaked: ${tensors} -> ${tf.memory().numTensors}`);
  return (steps * imagesPerStep) / elapsed;
}

if ('profile' in args) {
  for (const [name, step] of [
    ['spos', sposStep],
    ['darts', dartsStep],
  ]) {
    step();
    const info = await tf.profile(step);
    const byKernel = new Map();
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + k.kernelTimeMs);
    const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
    const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 14);
    process.stderr.write(
      `profile ${name}: ${total.toFixed(0)} ms in kernels: ${top.map(([k, t]) => `${k} ${t.toFixed(0)}`).join(', ')}\n`,
    );
  }
}

const sposImgS = measure(sposStep, batch);
const dartsImgS = measure(dartsStep, 2 * batch);
console.log(JSON.stringify({ spos_img_s: sposImgS, darts_img_s: dartsImgS, threads }));
