import { errorInfo } from '../errors.js';
import { type GateMeasurements, type GateName, SCREEN_GATE_VALUE } from '../events/event.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import type { RunState } from '../projections/run-state.js';
import type { ScreenEstimator } from '../screening/screen.js';
import { type GateOutcome, gateVerdict } from './decide.js';
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

/** The zero-cost pre-filter: the screen's value of each new proposal (`{ value }`, the trial's `screen.METRIC`). */
export function screenGate(screen: ScreenEstimator): Gate | undefined {
  if (!screen.config.filter) return undefined;
  return {
    name: 'screen',
    deterministic: screen.estimator.deterministic === true,
    appliesTo: (isNew) => isNew,
    measure: (arch, key, trialId, signal) =>
      outcome('screen', async () => ({
        [SCREEN_GATE_VALUE]: await screen.value(arch, key, trialId, signal),
      })),
  };
}

/**
 * The warm-up seeder's `admit` (`Seeder.candidates`) by the run's cheap gate, judged against
 * `state`: what the gate measured of an architecture it lets through (recorded with the warm-up
 * trial), undefined for one it prunes or cannot measure; every architecture, when there is none.
 */
export function warmupAdmission(
  gate: Gate | undefined,
  state: RunState,
  signal: AbortSignal,
): (arch: unknown, key: string) => Promise<GateMeasurements | undefined> {
  return async (arch, key) => {
    if (!gate) return {};
    const o = await gate.measure(arch, key, -1, signal);
    if (o.metrics === undefined || gateVerdict(state, gate.name, o.metrics) !== undefined) return undefined;
    return { [gate.name]: o.metrics };
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
