import { createHash } from 'node:crypto';
import { nb201Space } from '@archlab/bench-nb201';
import {
  ConfigError,
  type DeviceColumn,
  type DeviceLatencyTable,
  Rng,
  sampleKeys,
  UnknownDeviceError,
} from '@archlab/core';
import { describe, expect, it } from 'vitest';
import {
  fitLatencyModel,
  LatencyModelFileError,
  type LatencySample,
  LatencySamplesError,
  latencyPredictor,
  parseLatencyModel,
  samplesCsv,
} from './latency-model.js';
import { parseLatencySamples } from './latency-samples.js';

/** What an architecture costs on a made-up device: a fixed price per op and edge. */
function baseMs(key: string): number {
  const ops = nb201Space.encoding!.encode(nb201Space.parse(key));
  return Math.exp(ops.reduce((s, op, edge) => s + 0.1 * op + 0.03 * edge * op, 0));
}

const KEYS = sampleKeys(nb201Space, 400, 7);
const noise = Rng.fromSeed(3);
// target = 2·ref^0.8 exactly; target_32 (same hardware) equals target; noise is unrelated.
const COLUMNS: Record<string, Float64Array> = {
  target: Float64Array.from(KEYS, (k) => 2 * baseMs(k) ** 0.8),
  target_32: Float64Array.from(KEYS, (k) => 2 * baseMs(k) ** 0.8),
  ref: Float64Array.from(KEYS, baseMs),
  noise: Float64Array.from(KEYS, () => 1 + noise.float()),
};
const device = (name: string, hardware: string, batch = 1): DeviceColumn => ({
  name,
  hardware,
  batch,
  description: `test device ${name}`,
});
const TABLE: DeviceLatencyTable = {
  space: 'nb201',
  source: 'synthetic',
  devices: [
    device('target', 'tgt'),
    device('target_32', 'tgt', 32),
    device('ref', 'ref'),
    device('noise', 'noise'),
  ],
  keys: KEYS,
  indexOf: (key) => {
    const i = KEYS.indexOf(key);
    return i < 0 ? undefined : i;
  },
  column: (name) => {
    const c = COLUMNS[name];
    if (!c) throw new UnknownDeviceError('nb201', name, Object.keys(COLUMNS));
    return c;
  },
};
const samplesOf = (name: string, keys: readonly string[]): LatencySample[] =>
  keys.map((arch) => ({ arch, latencyMs: COLUMNS[name]![KEYS.indexOf(arch)]! }));
const CREATED = new Date('2026-01-02T03:04:05Z');

describe('fitLatencyModel (transfer from a device table)', () => {
  const samples = samplesOf('target', KEYS.slice(0, 20));

  it("recovers an exact power law from another device's column, never reading the excluded hardware", () => {
    const model = fitLatencyModel(nb201Space, samples, {
      table: TABLE,
      excludeDevices: ['target'],
      created: CREATED,
    });
    expect(model.method).toBe('transfer');
    // The column that explains it comes first; any other one chosen gets no weight.
    expect(model.references[0]).toBe('ref');
    expect(model.references.some((d) => d.startsWith('target'))).toBe(false);
    expect(model.terms[0]!.feature).toBe('device:ref');
    expect(model.terms[0]!.weight).toBeCloseTo(0.8, 3);
    for (const t of model.terms.slice(1)) expect(Math.abs(t.weight)).toBeLessThan(1e-3);
    // log y = log 2 + 0.8·log ref: the intercept is that at the samples' mean log ref.
    expect(model.intercept).toBeCloseTo(Math.log(2) + 0.8 * model.terms[0]!.mean, 3);
    const predict = latencyPredictor(model, nb201Space, TABLE);
    for (const key of KEYS.slice(20, 120)) {
      const truth = COLUMNS.target![KEYS.indexOf(key)]!;
      expect(Math.abs(predict(nb201Space.parse(key)) / truth - 1)).toBeLessThan(1e-3);
    }
    expect(model.cv).toMatchObject({ method: 'leave-one-out', within10Pct: 100 });
    expect(model.cv.spearman).toBeCloseTo(1, 6);
    expect(model.samples).toEqual({ n: 20, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(model.excludedDevices).toEqual(['target']);
  });

  it('without the exclusion it would read the device itself: the exclusion is what keeps the column out', () => {
    const leaky = fitLatencyModel(nb201Space, samples, { table: TABLE });
    expect(leaky.references.some((d) => d.startsWith('target'))).toBe(true);
  });

  it('is deterministic, and its file round-trips through JSON to the same predictions', () => {
    const a = fitLatencyModel(nb201Space, samples, {
      table: TABLE,
      excludeDevices: ['target'],
      created: CREATED,
    });
    const b = fitLatencyModel(nb201Space, samples, {
      table: TABLE,
      excludeDevices: ['target'],
      created: CREATED,
    });
    expect(b).toEqual(a);
    const back = parseLatencyModel(JSON.parse(JSON.stringify(a)), 'm.json');
    expect(back).toEqual(a);
    const arch = nb201Space.parse(KEYS[200]!);
    expect(latencyPredictor(back, nb201Space, TABLE)(arch)).toBe(
      latencyPredictor(a, nb201Space, TABLE)(arch),
    );
  });

  it('records the sha256 of the samples as canonical CSV', () => {
    const model = fitLatencyModel(nb201Space, samples, { table: TABLE, excludeDevices: ['target'] });
    expect(model.samples.sha256).toBe(createHash('sha256').update(samplesCsv(samples)).digest('hex'));
  });

  it('refuses an excluded device the table lacks (a typo must not let its column in)', () => {
    expect(() => fitLatencyModel(nb201Space, samples, { table: TABLE, excludeDevices: ['targte'] })).toThrow(
      UnknownDeviceError,
    );
  });

  it('a transfer model needs the table at prediction time, and the same space', () => {
    const model = fitLatencyModel(nb201Space, samples, { table: TABLE, excludeDevices: ['target'] });
    expect(() => latencyPredictor(model, nb201Space, undefined, 'm.json')).toThrow(
      `m.json predicts from the device latency table of space 'nb201' (devices ${model.references.join(', ')}), and no loaded plugin binds one; load the space's package`,
    );
    expect(() => latencyPredictor({ ...model, space: 'fmnist-chain' }, nb201Space, TABLE, 'm.json')).toThrow(
      new ConfigError(
        "m.json was fitted for space 'fmnist-chain', not 'nb201'; fit one with archlab latency-model fit --space nb201",
      ),
    );
  });
});

describe('fitLatencyModel (on the encoding, without a table)', () => {
  it('fits a per-op cost on the encoding and predicts unseen architectures', () => {
    const model = fitLatencyModel(nb201Space, samplesOf('ref', KEYS.slice(0, 60)), { created: CREATED });
    expect(model.method).toBe('encoding');
    expect(model.references).toEqual([]);
    expect(model.terms).toHaveLength(30);
    const predict = latencyPredictor(model, nb201Space, undefined);
    for (const key of KEYS.slice(60, 160)) {
      expect(Math.abs(predict(nb201Space.parse(key)) / baseMs(key) - 1)).toBeLessThan(0.01);
    }
  });
});

describe('bad samples: one-line errors naming the row', () => {
  const good = samplesOf('target', KEYS.slice(0, 6)).map((s, i) => ({ ...s, row: `S.csv line ${i + 2}` }));
  const fit = (samples: LatencySample[]) => () => fitLatencyModel(nb201Space, samples, { table: TABLE });
  const withRow = (i: number, change: Partial<LatencySample>) =>
    good.map((s, j) => (j === i ? { ...s, ...change } : s));

  it('an unknown architecture', () => {
    expect(fit(withRow(2, { arch: '|conv~0|+|x|' }))).toThrow(
      /^S\.csv line 4: '\|conv~0\|\+\|x\|' is not an architecture of space 'nb201' \(/,
    );
  });
  it.each([
    [0, 'latency_ms 0 is not a positive finite number'],
    [-1.5, 'latency_ms -1.5 is not a positive finite number'],
    [Number.POSITIVE_INFINITY, 'latency_ms Infinity is not a positive finite number'],
    [Number.NaN, 'latency_ms NaN is not a positive finite number'],
  ])('latency %s', (latencyMs, message) => {
    expect(fit(withRow(3, { latencyMs }))).toThrow(new LatencySamplesError(`S.csv line 5: ${message}`));
  });
  it('a duplicate, however it is spelled', () => {
    const dup = [...good, { arch: ` ${good[1]!.arch}`.trim(), latencyMs: 3, row: 'S.csv line 8' }];
    expect(fit(dup)).toThrow(
      new LatencySamplesError(
        `S.csv line 8: architecture ${good[1]!.arch} is measured twice (also S.csv line 3)`,
      ),
    );
  });
  it('fewer samples than the fit needs', () => {
    expect(fit(good.slice(0, 4))).toThrow(
      new LatencySamplesError('a latency model needs at least 5 measured architectures, got 4'),
    );
  });
  it('rows without a name are numbered', () => {
    expect(fit(withRow(1, { latencyMs: -2 }).map(({ row: _, ...s }) => s))).toThrow(
      'sample 2: latency_ms -2 is not a positive finite number',
    );
  });
});

describe('parseLatencySamples', () => {
  it('reads arch and latency_ms by header, in any order, skipping blank lines and other columns', () => {
    const text = `latency_ms,arch,note\n1.5,${KEYS[0]},a\n\n2,${KEYS[1]},b\n`;
    expect(parseLatencySamples(text, 'S.csv')).toEqual([
      { arch: KEYS[0], latencyMs: 1.5, row: 'S.csv line 2' },
      { arch: KEYS[1], latencyMs: 2, row: 'S.csv line 4' },
    ]);
  });
  it.each([
    ['', 'S.csv is empty; it needs a header arch,latency_ms and one row per architecture'],
    [
      'arch,ms\nx,1\n',
      "S.csv line 1: the header 'arch,ms' lacks latency_ms; it must name the columns arch and latency_ms",
    ],
    ['arch,latency_ms\nx,1,2\n', 'S.csv line 2: 3 fields, the header has 2'],
    ['arch,latency_ms\nx,1\ny,fast\n', "S.csv line 3: latency_ms 'fast' is not a number"],
    ['arch,latency_ms\nx,\n', "S.csv line 2: latency_ms '' is not a number"],
  ])('%j', (text, message) => {
    expect(() => parseLatencySamples(text, 'S.csv')).toThrow(new LatencySamplesError(message));
  });
});

describe('parseLatencyModel', () => {
  const model = fitLatencyModel(nb201Space, samplesOf('target', KEYS.slice(0, 20)), {
    table: TABLE,
    excludeDevices: ['target'],
  });
  it.each([
    [{ ...model, format: 'x' }, "format is not 'archlab-latency-model'"],
    [{ ...model, version: 2 }, 'version 2 is not 1'],
    [{ ...model, method: 'gcn' }, 'method gcn is unknown'],
    [{ ...model, intercept: 'NaN' }, 'intercept is not a number'],
    [{ ...model, terms: [{ feature: 'device:ref', mean: 1 }] }, 'term 1 is not {feature, mean, weight}'],
    [{ ...model, references: ['noise'] }, 'terms do not match references'],
  ])('refuses a damaged model: %#', (data, what) => {
    expect(() => parseLatencyModel(data, 'm.json')).toThrow(
      new LatencyModelFileError(
        `m.json is not a latency model: ${what}; fit one with archlab latency-model fit`,
      ),
    );
  });
});
