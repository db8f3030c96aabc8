#!/usr/bin/env node
// How well a latency model fitted from a few measured cells of one device predicts the rest:
// for each device of the NB201 device table, the fit reads none of its hardware's columns (all
// its batch sizes: stricter than leaving only its own column out), gets N seeded random cells
// of it (N = 10, 20, 50) and predicts every other cell. Per device: Spearman ρ, Kendall τ-b
// (exact, over all predicted cells) and the share within ±10%, printed as a table on stderr;
// then the medians over devices on one line:
// `bench latency-transfer rho_20=… within10_20=… tau_20=… rho_10=… … devices=21`.
//   node bench/latency-transfer/main.mjs [--seed S] [--devices a,b]
import { parseArgs } from 'node:util';
import { nb201DeviceTableSource, nb201Space } from '../../packages/bench-nb201/dist/index.js';
import { kendall, median, sampleKeys, spearman } from '../../packages/core/dist/index.js';
import { fitLatencyModel, latencyPredictor } from '../../packages/hardware-latency/dist/index.js';

const { values: args } = parseArgs({
  options: { seed: { type: 'string', default: '0' }, devices: { type: 'string' } },
});
const SIZES = [10, 20, 50];
const table = nb201DeviceTableSource.load();
const devices = args.devices ? args.devices.split(',') : table.devices.map((d) => d.name);
const started = performance.now();
const rows = [];
for (const device of devices) {
  const truth = table.column(device);
  const row = { device };
  for (const n of SIZES) {
    // One draw per device and size, the same for every method tried on it.
    const picked = sampleKeys(nb201Space, n, `${args.seed}/${device}/${n}`);
    const samples = picked.map((arch) => ({ arch, latencyMs: truth[table.indexOf(arch)] }));
    const model = fitLatencyModel(nb201Space, samples, { table, excludeDevices: [device] });
    const predict = latencyPredictor(model, nb201Space, table);
    const seen = new Set(picked);
    const predicted = [];
    const actual = [];
    table.keys.forEach((key, i) => {
      if (seen.has(key)) return;
      predicted.push(predict(nb201Space.parse(key)));
      actual.push(truth[i]);
    });
    const within = predicted.filter((p, i) => Math.abs(p - actual[i]) <= 0.1 * actual[i]).length;
    row[`rho_${n}`] = spearman(predicted, actual);
    row[`tau_${n}`] = kendall(predicted, actual);
    row[`within10_${n}`] = within / actual.length;
    row[`refs_${n}`] = model.references.join('+');
  }
  rows.push(row);
  process.stderr.write(
    `${device.padEnd(15)} ${SIZES.map((n) => `n=${n} rho ${row[`rho_${n}`].toFixed(3)} tau ${row[`tau_${n}`].toFixed(3)} within10 ${(100 * row[`within10_${n}`]).toFixed(1).padStart(5)}%`).join('  ')}  refs@20 ${row.refs_20}\n`,
  );
}
const med = (k) => median(rows.map((r) => r[k])).toFixed(3);
const keys = [20, 10, 50].flatMap((n) => [`rho_${n}`, `within10_${n}`, `tau_${n}`]);
process.stdout.write(
  `bench latency-transfer ${keys.map((k) => `${k}=${med(k)}`).join(' ')} devices=${rows.length} seconds=${((performance.now() - started) / 1000).toFixed(0)}\n`,
);
