import { echo } from '@archlab/core';
import { type LatencySample, LatencySamplesError } from './latency-model.js';
import { readText } from './output-file.js';

/**
 * The rows of a samples CSV: a header naming `arch` and `latency_ms` (other columns are
 * ignored), then one measured architecture a line. Strict: a row with another number of fields
 * or a latency that is not a number is a LatencySamplesError naming its line; the fit checks the
 * rest (unknown architectures, non-positive latencies, duplicates). No quoting: architecture keys
 * hold no commas.
 */
export function parseLatencySamples(text: string, source: string): LatencySample[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0)
    throw new LatencySamplesError(
      `${source} is empty; it needs a header arch,latency_ms and one row per architecture`,
    );
  const header = lines[headerAt]!.split(',').map((h) => h.trim());
  const archCol = header.indexOf('arch');
  const msCol = header.indexOf('latency_ms');
  if (archCol < 0 || msCol < 0) {
    throw new LatencySamplesError(
      `${source} line ${headerAt + 1}: the header '${echo(lines[headerAt]!)}' lacks ${archCol < 0 ? 'arch' : 'latency_ms'}; it must name the columns arch and latency_ms`,
    );
  }
  const samples: LatencySample[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const row = `${source} line ${i + 1}`;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== header.length) {
      throw new LatencySamplesError(`${row}: ${fields.length} fields, the header has ${header.length}`);
    }
    const text = fields[msCol]!;
    const latencyMs = Number(text);
    if (text === '' || Number.isNaN(latencyMs)) {
      throw new LatencySamplesError(`${row}: latency_ms '${echo(text)}' is not a number`);
    }
    samples.push({ arch: fields[archCol]!, latencyMs, row });
  }
  return samples;
}

/** {@link parseLatencySamples} of the file at `path`. */
export function readLatencySamples(path: string): LatencySample[] {
  return parseLatencySamples(readText(path, 'samples'), path);
}
