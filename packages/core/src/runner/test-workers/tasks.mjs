// Test worker for worker-pool.int.spec.ts: one behaviour per `req.kind`. Plain JavaScript so
// it needs no build of its own; the protocol comes from the built serve-worker.

import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { serveWorker } from '../../../dist/runner/serve-worker.js';

serveWorker(async (req, { report, signal }) => {
  switch (req.kind) {
    case 'echo':
      return { value: req.value, threadId };
    case 'sleep': {
      const start = Date.now();
      await sleep(req.ms, undefined, { signal });
      return { start, end: Date.now(), threadId };
    }
    case 'progress':
      for (let step = 1; step <= req.steps; step++) {
        report(step, { loss: 1 / step });
        if (step % 5 === 0) await sleep(1);
      }
      return { steps: req.steps };
    case 'busy': {
      // Never yields to the event loop: only the shared abort cell can stop it.
      let spins = 0;
      while (!signal.aborted) spins++;
      signal.throwIfAborted();
      return { spins };
    }
    case 'stuck': {
      // Ignores its signal altogether.
      for (;;) {}
    }
    case 'throw': {
      const core = await import('@archlab/core');
      if (req.error === 'data')
        throw new core.DataError('fashion-mnist is missing; install dataset-fashion-mnist');
      if (req.error === 'malformed') throw new core.MalformedArchitectureError('nb201', 'x', 'bad edge');
      if (req.error === 'custom') {
        class DatasetTooSmallError extends core.DataError {
          code = 'DATASET_TOO_SMALL';
        }
        throw new DatasetTooSmallError('the data set has 3 images; use at least 10');
      }
      throw new RangeError('step out of range');
    }
    case 'exit':
      report(1, { loss: 1 });
      await sleep(5);
      process.exit(1);
      break;
    case 'uncaught':
      setTimeout(() => {
        throw new Error('boom outside the task');
      });
      return new Promise(() => {});
    case 'oom': {
      const hog = [];
      for (;;) hog.push(new Array(1e5).fill({ a: hog.length }));
    }
    default:
      throw new Error(`unknown kind ${req.kind}`);
  }
});
