// Test worker for worker-memory.int.spec.ts: allocates tfjs tensors, disposing them or not.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { serveWorker } from '@archlab/core';

await tf.setBackend('cpu');

serveWorker(
  async (req) => {
    const x = tf.randomNormal([64, 64], 0, 1, 'float32', req.seed);
    const y = tf.tidy(() => tf.sum(tf.relu(tf.matMul(x, x))));
    const value = (await y.data())[0];
    if (!req.leak) tf.dispose([x, y]);
    return { value };
  },
  { memory: () => tf.memory() },
);
