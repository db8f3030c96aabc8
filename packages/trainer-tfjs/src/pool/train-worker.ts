import * as tf from '@tensorflow/tfjs-core';
import { runTrainingTrial, type TrainedTrial, type TrainRequest } from '../train/trial.js';
import { serveWorker } from './serve-worker.js';

// The entry of each training worker thread: its own module graph, so its own tfjs engine and
// backend instance (one wasm instance per worker). Each trial names its space's network module,
// which the worker imports itself (see `runTrainingTrial`).
serveWorker<TrainRequest, TrainedTrial>(runTrainingTrial, {
  // Before a trial has picked a backend, tf.memory() would initialise one: report nothing then.
  memory: () => (tf.engine().backendName ? tf.memory() : undefined),
});
