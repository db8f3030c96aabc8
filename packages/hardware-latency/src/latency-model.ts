import {
  ConfigError,
  DataError,
  type DeviceLatencyTable,
  echo,
  median,
  type SearchSpace,
  sha256Hex,
  spearman,
  UnknownDeviceError,
} from '@archlab/core';
import { readJson } from './output-file.js';
import { type RidgeFit, ridge, ridgePredict } from './ridge.js';

export const LATENCY_MODEL_FORMAT = 'archlab-latency-model';
export const LATENCY_MODEL_VERSION = 1;

/** The fewest samples a fit takes: leave-one-out needs a few left after the reference columns. */
export const MIN_LATENCY_SAMPLES = 5;

/** Ridge penalties and reference-column counts the fit chooses among, by leave-one-out error. */
const LAMBDAS = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100] as const;
const REFERENCE_COUNTS = [1, 2, 3, 5] as const;

/** One measured architecture: its key (as the user gave it) and its latency. */
export interface LatencySample {
  readonly arch: string;
  readonly latencyMs: number;
  /** Where it came from (`S.csv row 4`), for errors; default `sample N`. */
  readonly row?: string;
}

/**
 * How a model predicts: `transfer` regresses log latency on the log latencies of a few other
 * devices' table columns (chosen on the samples); `encoding` regresses it on the space's
 * encoding, one indicator per decision and choice (for spaces without a device table).
 */
export type LatencyModelMethod = 'transfer' | 'encoding';

/** `log(latency_ms) ≈ intercept + Σ weight·(feature − mean)`. */
export interface LatencyModelTerm {
  /** `device:NAME` (log ms of that table column) or `choice:DECISION=CHOICE` (1 or 0). */
  readonly feature: string;
  readonly mean: number;
  readonly weight: number;
}

/** The fit's own leave-one-out error on its samples (those not set aside as outliers). */
export interface LatencyModelCv {
  readonly method: 'leave-one-out';
  /** Mean absolute percentage error. */
  readonly mapePct: number;
  readonly spearman: number;
  /** Share of samples predicted within ±10%, in percent. */
  readonly within10Pct: number;
}

/** A fitted latency predictor for one device, as written to a model file (portable JSON). */
export interface LatencyModelFile {
  readonly format: typeof LATENCY_MODEL_FORMAT;
  readonly version: typeof LATENCY_MODEL_VERSION;
  readonly space: string;
  readonly spaceOptions: Readonly<Record<string, unknown>>;
  readonly method: LatencyModelMethod;
  /** Chosen by leave-one-out on the samples: the ridge penalty and how many reference columns. */
  readonly hyperParameters: { readonly lambda: number; readonly references: number };
  /** The table devices it reads at prediction time (the space's device table must be loaded). */
  readonly references: readonly string[];
  /** Devices kept out of the fit: every column of their hardware (all batch sizes) was left out. */
  readonly excludedDevices: readonly string[];
  readonly intercept: number;
  readonly terms: readonly LatencyModelTerm[];
  /** `sha256` of the samples as canonical CSV (`arch,latency_ms` then one `key,ms` line each). */
  readonly samples: { readonly n: number; readonly sha256: string };
  /**
   * Samples set aside: their leave-one-out prediction missed by more than half and by far more
   * than the others' (e.g. a cell the device's compiler folds away). The fit and `cv` are on the rest.
   */
  readonly outliers: readonly { readonly arch: string; readonly latencyMs: number; readonly row: string }[];
  readonly cv: LatencyModelCv;
  /** ISO time of the fit. */
  readonly created: string;
}

/** A samples file or list the fit cannot use; the message names the row. */
export class LatencySamplesError extends DataError {
  override readonly code = 'LATENCY_SAMPLES';
}

/** A model file that is not one, or is damaged. */
export class LatencyModelFileError extends DataError {
  override readonly code = 'LATENCY_MODEL';
}

export interface FitLatencyModelOptions {
  /** The space's device table, for the `transfer` method; without it the fit uses the encoding. */
  readonly table?: DeviceLatencyTable;
  /** Devices whose columns the fit must not read, with every other batch size of their hardware. */
  readonly excludeDevices?: readonly string[];
  /** The fit's time stamp (default now). */
  readonly created?: Date;
}

interface Candidate {
  readonly references: readonly string[];
  readonly fit: RidgeFit;
  readonly lambda: number;
  readonly error: number;
}

/**
 * Fits a latency model for one device from its measured `samples`. With a device table it
 * transfers: the reference columns most correlated (in log space) with the samples, then a
 * ridge regression on their logs; the number of columns and the penalty are chosen by
 * leave-one-out error on the samples alone. Deterministic: no randomness is drawn.
 */
export function fitLatencyModel(
  space: SearchSpace,
  samples: readonly LatencySample[],
  options: FitLatencyModelOptions = {},
): LatencyModelFile {
  const checked = checkSamples(space, samples);
  const table = options.table;
  if (table && table.space !== space.name) {
    throw new ConfigError(`the device table is for space '${table.space}', not '${space.name}'`);
  }
  const excluded = options.excludeDevices ?? [];
  for (const device of excluded) {
    if (!table?.devices.some((d) => d.name === device)) {
      throw new UnknownDeviceError(space.name, device, table?.devices.map((d) => d.name) ?? []);
    }
  }
  const choose = (kept: readonly CheckedSample[]) => chooseFit(space, kept, table, excluded);
  let chosen = choose(checked);
  // A sample no reference explains (a phone compiler folding away a cell whose output is always
  // zero: 0.005 ms among 10 ms) would drag a log-space fit: it is set aside and reported, and the
  // fit redone, until none is left or a quarter of the samples is set aside.
  let kept: readonly CheckedSample[] = checked;
  for (;;) {
    const far = outliers(chosen.fit.looPredictions, chosen.y);
    const left = kept.length - far.size;
    if (far.size === 0 || left < MIN_LATENCY_SAMPLES || left < 0.75 * checked.length) break;
    kept = kept.filter((_, i) => !far.has(i));
    chosen = choose(kept);
  }
  const { fit, method, names, lambda, references } = chosen;
  const loo = fit.looPredictions.map(Math.exp);
  const ms = kept.map((s) => s.latencyMs);
  const ape = loo.map((p, i) => Math.abs(p - ms[i]!) / ms[i]!);
  return {
    format: LATENCY_MODEL_FORMAT,
    version: LATENCY_MODEL_VERSION,
    space: space.name,
    spaceOptions: space.options ?? {},
    method,
    hyperParameters: { lambda, references: references.length },
    references,
    excludedDevices: [...excluded],
    intercept: fit.intercept,
    terms: names.map((feature, j) => ({ feature, mean: fit.means[j]!, weight: fit.weights[j]! })),
    samples: { n: checked.length, sha256: samplesSha256(checked) },
    outliers: checked
      .filter((s) => !kept.includes(s))
      .map((s) => ({ arch: s.arch, latencyMs: s.latencyMs, row: s.row })),
    cv: {
      method: 'leave-one-out',
      mapePct: (100 * ape.reduce((s, e) => s + e, 0)) / ape.length,
      spearman: spearman(loo, ms),
      within10Pct: (100 * ape.filter((e) => e <= 0.1).length) / ape.length,
    },
    created: (options.created ?? new Date()).toISOString(),
  };
}

interface CheckedSample {
  readonly arch: string;
  readonly latencyMs: number;
  readonly row: string;
}

interface ChosenFit {
  readonly method: LatencyModelMethod;
  readonly names: readonly string[];
  readonly references: readonly string[];
  readonly lambda: number;
  readonly fit: RidgeFit;
  /** The log latencies it was fitted to. */
  readonly y: readonly number[];
}

/**
 * The best fit to `samples` by leave-one-out error: with a table, over how many of its
 * best-correlated columns and the penalty; without one, the penalty on the encoding.
 */
function chooseFit(
  space: SearchSpace,
  samples: readonly CheckedSample[],
  table: DeviceLatencyTable | undefined,
  excluded: readonly string[],
): ChosenFit {
  const y = samples.map((s) => Math.log(s.latencyMs));
  const columns = table ? referenceColumns(table, excluded, samples) : [];
  if (columns.length > 0) {
    const ranked = rankByCorrelation(columns, y);
    let best: Candidate | undefined;
    for (const k of REFERENCE_COUNTS) {
      if (k > ranked.length || k > samples.length - 2) break;
      const chosen = ranked.slice(0, k);
      const x = samples.map((_, i) => chosen.map((c) => c.logs[i]!));
      best = bestLambda(
        x,
        y,
        chosen.map((c) => c.name),
        best,
      );
    }
    const names = best!.references.map((d) => `device:${d}`);
    return {
      method: 'transfer',
      names,
      references: best!.references,
      lambda: best!.lambda,
      fit: best!.fit,
      y,
    };
  }
  const encoding = space.encoding;
  if (!encoding) {
    throw new ConfigError(
      `space '${space.name}' has neither a device latency table nor an encoding: a latency model has nothing to learn from`,
    );
  }
  const best = bestLambda(
    samples.map((s) => oneHot(space, space.parse(s.arch))),
    y,
    [],
    undefined,
  );
  const names = encoding.decisions.flatMap((d) => d.choices.map((c) => `choice:${d.name}=${c}`));
  return { method: 'encoding', names, references: [], lambda: best.lambda, fit: best.fit, y };
}

/**
 * The samples whose leave-one-out prediction is off by more than half (in either direction)
 * and by more than five robust standard deviations (1.4826·MAD) of all the residuals.
 */
function outliers(loo: readonly number[], y: readonly number[]): Set<number> {
  const r = loo.map((p, i) => p - y[i]!);
  const mid = median(r);
  const spread = 1.4826 * median(r.map((v) => Math.abs(v - mid)));
  const far = new Set<number>();
  r.forEach((v, i) => {
    const off = Math.abs(v - mid);
    if (off > Math.log(1.5) && off > 5 * spread) far.add(i);
  });
  return far;
}

/** The canonical CSV of checked samples whose sha256 a model records. */
export function samplesCsv(
  samples: readonly { readonly arch: string; readonly latencyMs: number }[],
): string {
  return `arch,latency_ms\n${samples.map((s) => `${s.arch},${s.latencyMs}\n`).join('')}`;
}

function samplesSha256(samples: readonly { readonly arch: string; readonly latencyMs: number }[]): string {
  return sha256Hex(new TextEncoder().encode(samplesCsv(samples)));
}

/** Samples with canonical keys; a LatencySamplesError naming the row for anything a fit cannot use. */
function checkSamples(space: SearchSpace, samples: readonly LatencySample[]): CheckedSample[] {
  const seen = new Map<string, string>();
  const out = samples.map((s, i) => {
    const row = s.row ?? `sample ${i + 1}`;
    let key: string;
    try {
      key = space.key(space.parse(s.arch));
    } catch (err) {
      throw new LatencySamplesError(
        `${row}: '${echo(s.arch)}' is not an architecture of space '${space.name}' (${(err as Error).message})`,
      );
    }
    if (!Number.isFinite(s.latencyMs) || s.latencyMs <= 0) {
      throw new LatencySamplesError(`${row}: latency_ms ${s.latencyMs} is not a positive finite number`);
    }
    const first = seen.get(key);
    if (first !== undefined)
      throw new LatencySamplesError(`${row}: architecture ${key} is measured twice (also ${first})`);
    seen.set(key, row);
    return { arch: key, latencyMs: s.latencyMs, row };
  });
  if (out.length < MIN_LATENCY_SAMPLES) {
    throw new LatencySamplesError(
      `a latency model needs at least ${MIN_LATENCY_SAMPLES} measured architectures, got ${out.length}`,
    );
  }
  return out;
}

interface Column {
  readonly name: string;
  /** Log latency at each sample. */
  readonly logs: readonly number[];
}

/** Every column of the table a fit may read: not of an excluded device's hardware, positive throughout. */
function referenceColumns(
  table: DeviceLatencyTable,
  excluded: readonly string[],
  samples: readonly { arch: string; row: string }[],
): Column[] {
  const hidden = new Set(table.devices.filter((d) => excluded.includes(d.name)).map((d) => d.hardware));
  const rows = samples.map((s) => {
    const i = table.indexOf(s.arch);
    if (i === undefined)
      throw new LatencySamplesError(`${s.row}: architecture ${s.arch} is not in the device table`);
    return i;
  });
  const columns: Column[] = [];
  for (const device of table.devices) {
    if (hidden.has(device.hardware)) continue;
    const col = table.column(device.name);
    // Logs need positive latencies: a column with a zero or a gap cannot be a reference.
    if (col.every((v) => v > 0))
      columns.push({ name: device.name, logs: rows.map((i) => Math.log(col[i]!)) });
  }
  return columns;
}

/** Columns by |Pearson correlation| with `y`, strongest first (table order breaks ties). */
function rankByCorrelation(columns: readonly Column[], y: readonly number[]): Column[] {
  const corr = columns.map((c) => Math.abs(pearson(c.logs, y)) || 0);
  return columns
    .map((c, i) => ({ c, r: corr[i]! }))
    .sort((a, b) => b.r - a.r)
    .map(({ c }) => c);
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** The better of `incumbent` and the best penalty for these features (median leave-one-out relative error). */
function bestLambda(
  x: readonly (readonly number[])[],
  y: readonly number[],
  references: readonly string[],
  incumbent: Candidate | undefined,
): Candidate {
  let best = incumbent;
  for (const lambda of LAMBDAS) {
    const fit = ridge(x, y, lambda);
    const errors = fit.looPredictions.map((p, i) => Math.abs(Math.expm1(p - y[i]!))).sort((a, b) => a - b);
    const error =
      errors[Math.floor((errors.length - 1) / 2)]! / 2 + errors[Math.ceil((errors.length - 1) / 2)]! / 2;
    if (!best || error < best.error) best = { references, fit, lambda, error };
  }
  return best!;
}

function oneHot(space: SearchSpace, arch: unknown): number[] {
  const encoding = space.encoding!;
  const choices = encoding.encode(arch);
  return encoding.decisions.flatMap((d, i) => d.choices.map((_, c) => (choices[i] === c ? 1 : 0)));
}

/**
 * What predicts with a model: the model checked against `space` and, for `transfer`, the
 * space's device table (`table`, which must hold every reference device). A ConfigError says
 * what is missing.
 */
export function latencyPredictor(
  model: LatencyModelFile,
  space: SearchSpace,
  table: DeviceLatencyTable | undefined,
  source = 'the latency model',
): (arch: unknown) => number {
  if (model.space !== space.name) {
    throw new ConfigError(
      `${source} was fitted for space '${model.space}', not '${space.name}'; fit one with archlab latency-model fit --space ${space.name}`,
    );
  }
  const fit = {
    intercept: model.intercept,
    means: model.terms.map((t) => t.mean),
    weights: model.terms.map((t) => t.weight),
  };
  if (model.method === 'encoding') return (arch) => Math.exp(ridgePredict(fit, oneHot(space, arch)));
  if (!table) {
    throw new ConfigError(
      `${source} predicts from the device latency table of space '${space.name}' (devices ${model.references.join(', ')}), and no loaded plugin binds one; load the space's package`,
    );
  }
  const columns = model.references.map((d) => table.column(d));
  return (arch) => {
    const key = space.key(arch);
    const i = table.indexOf(key);
    if (i === undefined) throw new DataError(`${source}: architecture ${key} is not in the device table`);
    return Math.exp(
      ridgePredict(
        fit,
        columns.map((c) => Math.log(c[i]!)),
      ),
    );
  };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Checks that `data` (parsed JSON) is a latency model; `source` names it in errors. */
export function parseLatencyModel(data: unknown, source: string): LatencyModelFile {
  const bad = (what: string): never => {
    throw new LatencyModelFileError(
      `${source} is not a latency model: ${what}; fit one with archlab latency-model fit`,
    );
  };
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!isRecord(data) || data.format !== LATENCY_MODEL_FORMAT)
    return bad(`format is not '${LATENCY_MODEL_FORMAT}'`);
  if (data.version !== LATENCY_MODEL_VERSION)
    return bad(`version ${String(data.version)} is not ${LATENCY_MODEL_VERSION}`);
  if (typeof data.space !== 'string') return bad('no space');
  if (data.method !== 'transfer' && data.method !== 'encoding')
    return bad(`method ${String(data.method)} is unknown`);
  if (!finite(data.intercept)) return bad('intercept is not a number');
  const refs = data.references;
  if (!Array.isArray(refs) || !refs.every((r) => typeof r === 'string'))
    return bad('references is not a list of devices');
  if (!Array.isArray(data.outliers)) return bad('outliers is not a list');
  const terms = data.terms;
  if (!Array.isArray(terms) || terms.length === 0) return bad('no terms');
  const wrong = terms.findIndex(
    (t) => !isRecord(t) || typeof t.feature !== 'string' || !finite(t.mean) || !finite(t.weight),
  );
  if (wrong >= 0) return bad(`term ${wrong + 1} is not {feature, mean, weight}`);
  if (data.method === 'transfer') {
    const features = (terms as { feature: string }[]).map((t) => t.feature).join();
    if (features !== refs.map((r) => `device:${r}`).join()) return bad('terms do not match references');
  }
  return data as unknown as LatencyModelFile;
}

export function readLatencyModel(path: string): LatencyModelFile {
  const data = readJson(
    path,
    'latency model',
    () =>
      new LatencyModelFileError(`${path} is not JSON; fit a latency model with archlab latency-model fit`),
  );
  return parseLatencyModel(data, path);
}
