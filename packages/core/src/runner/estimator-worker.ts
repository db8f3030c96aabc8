import { loadPlugins } from '../di/plugin-loader.js';
import { PluginRegistry } from '../di/plugin-registry.js';
import { instantiateEvaluation } from '../engine/plugin-instances.js';
import type { Estimator } from '../estimator/estimator.js';
import type { SearchSpace } from '../space/search-space.js';
import { serveWorker } from './serve-worker.js';
import type { EstimatorRecipe, EstimatorTask, EstimatorTaskResult } from './thread-runner.js';

// The entry of each `threadRunner` worker: its own module graph, so its own plugin instances
// (one tfjs backend per worker for a tfjs estimator). The estimator is made once per recipe.
const made = new Map<string, Promise<{ space: SearchSpace; estimator: Estimator }>>();

async function make(recipe: EstimatorRecipe): Promise<{ space: SearchSpace; estimator: Estimator }> {
  const set = await loadPlugins(recipe.packages, recipe.from);
  const { space, estimator } = instantiateEvaluation(new PluginRegistry(set.container, set), recipe);
  await estimator.prepare?.();
  return { space, estimator };
}

serveWorker<EstimatorTask, EstimatorTaskResult>(async (task, { report, signal }) => {
  const key = JSON.stringify(task.recipe);
  let ready = made.get(key);
  if (!ready) {
    ready = make(task.recipe);
    made.set(key, ready);
    ready.catch(() => made.delete(key)); // the next task tries again
  }
  const { space, estimator } = await ready;
  const artifacts: { name: string; bytes: Uint8Array; format: string }[] = [];
  const metrics = await estimator.evaluate(space.parse(task.arch), {
    trialId: task.trialId,
    seed: task.seed,
    signal,
    report,
    saveArtifact: (name, bytes, format) => artifacts.push({ name, bytes, format }),
  });
  return { metrics, artifacts };
});
