import { errorInfo } from '../errors.js';
import type { GateName } from '../events/event.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import type { ScreenEstimator } from '../screening/screen.js';
import type { GateOutcome } from './decide.js';
import { hardwareCost } from './hardware-cost.js';

/**
 * Something that measures a trial cheaply before it is evaluated. Measuring is the effect (the
 * engine runs it, a replay reads its outcome from the log); `decide` judges the outcome with the
 * gate's pure rule (`gateVerdict`) over the run's state. The engine runs the gates in order and
 * stops at the first that prunes or fails the trial.
 */
export interface Gate {
  readonly name: GateName;
  /** Gives the same outcome for the same architecture every time: `replay --verify` measures it again. */
  readonly deterministic: boolean;
  /** Whether it measures a trial: the pre-filter only the strategy's new proposals. */
  appliesTo(isNew: boolean): boolean;
  measure(arch: unknown, key: string, trialId: number, signal: AbortSignal): Promise<GateOutcome>;
}

/** The cheap hardware models as one gate (their costs against the constraints); undefined when there are none. */
export function hardwareGate(models: readonly HardwareModel[]): Gate | undefined {
  const cheap = models.filter((m) => m.cheap);
  if (!cheap.length) return undefined;
  return {
    name: 'hardware',
    deterministic: cheap.every((m) => m.deterministic),
    appliesTo: () => true,
    measure: (arch) => outcome('hardware', () => hardwareCost(cheap, arch)),
  };
}

/** The zero-cost pre-filter: the screen's value of each new proposal (`screen.METRIC`). */
export function screenGate(screen: ScreenEstimator): Gate | undefined {
  if (!screen.config.filter) return undefined;
  return {
    name: 'screen',
    deterministic: screen.estimator.deterministic === true,
    appliesTo: (isNew) => isNew,
    measure: (arch, key, trialId, signal) =>
      outcome('screen', async () => ({
        [screen.metricName]: await screen.value(arch, key, trialId, signal),
      })),
  };
}

async function outcome(
  gate: GateName,
  measure: () => Promise<Readonly<Record<string, number>>>,
): Promise<GateOutcome> {
  try {
    return { gate, metrics: await measure() };
  } catch (err) {
    return { gate, error: errorInfo(err) };
  }
}
