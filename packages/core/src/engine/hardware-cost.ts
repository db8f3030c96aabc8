import { errorInfo } from '../errors.js';
import type { Metrics } from '../events/event.js';
import type { HardwareModel } from '../hardware/hardware-model.js';

/** A hardware model threw or returned a declared metric that is missing or not finite: the trial fails. */
export class HardwareCostError extends Error {
  override readonly name = 'HardwareCostError';
}

/**
 * The costs of `arch` under `models`: exactly the metrics each declares, merged in model order.
 * Throws HardwareCostError naming the model when one throws or leaves a declared metric out.
 */
export async function hardwareCost(models: readonly HardwareModel[], arch: unknown): Promise<Metrics> {
  const parts = await Promise.all(
    models.map(async (model) => {
      let cost: Metrics;
      try {
        cost = await model.cost(arch);
      } catch (err) {
        throw new HardwareCostError(`hardware model '${model.name}' failed: ${errorInfo(err).message}`);
      }
      const out: Record<string, number> = {};
      for (const metric of model.metrics) {
        const v = cost?.[metric];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new HardwareCostError(
            `hardware model '${model.name}' returned ${v === undefined ? `no '${metric}'` : `${metric}=${v}`}`,
          );
        }
        out[metric] = v;
      }
      return out;
    }),
  );
  return Object.assign({}, ...parts);
}
