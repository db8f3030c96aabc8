import { ConfigError } from '../errors.js';
import type { Constraint } from '../events/event.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import { constraintText, satisfies } from '../projections/objectives.js';

/**
 * Asks every hardware model for its floors (which also checks that it can cost the space) and
 * refuses, with a ConfigError, a constraint `metric <= X` or `< X` that the least value of its
 * metric over the whole space breaks: such a run would prune every trial.
 */
export async function refuseUnmeetableConstraints(
  constraints: readonly Constraint[] | undefined,
  models: readonly HardwareModel[],
): Promise<void> {
  for (const model of models) {
    for (const floor of (await model.floors?.()) ?? []) {
      for (const c of constraints ?? []) {
        if (c.metric !== floor.metric || (c.op !== '<=' && c.op !== '<') || satisfies(c, floor.value))
          continue;
        throw new ConfigError(
          `constraint ${constraintText(c)} prunes every architecture: ${floor.text}; raise the bound`,
        );
      }
    }
  }
}
