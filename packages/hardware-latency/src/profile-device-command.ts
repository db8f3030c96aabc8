import { ConfigError, parseOptions, type SearchSpaceFactory } from '@archlab/core';
import type { BackendName, SpaceNetworks } from '@archlab/nn';
import { type LatencyLut, profileDevice, readLut } from './lut.js';
import { LATENCY_OPTIONS, useBackend } from './measure.js';
import { refuseToReplace } from './output-file.js';
import { networkShapeOptions } from './space-network.js';

export const PROFILE_DEVICE_OPTIONS = {
  space: {
    type: 'string',
    default: '',
    description: 'space to profile, one with a network, e.g. nb201 (required)',
  },
  out: { type: 'string', default: '', description: 'file to write the latency table to (required)' },
  backend: LATENCY_OPTIONS.backend,
  input: LATENCY_OPTIONS.input,
  classes: LATENCY_OPTIONS.classes,
  warmup: LATENCY_OPTIONS.warmup,
  runs: { type: 'int', default: 20, min: 1, description: 'timed runs per operation; the median is kept' },
} as const;

export interface ProfileDeviceFlags extends Readonly<Record<string, unknown>> {
  /** The space's own options (`--space-opt k=v`), already parsed into an object. */
  readonly spaceOptions?: Readonly<Record<string, unknown>>;
}

/** Where `profileDeviceCommand` finds spaces and their networks (the CLI passes its plugins'). */
export interface ProfileDeviceContext {
  /** The space factory named `name`; a typed error for an unknown one. */
  space(name: string): SearchSpaceFactory;
  readonly networks: SpaceNetworks;
}

/**
 * `archlab profile-device --space nb201 --out device.lut.json [--backend wasm] [--runs 20]
 * [--warmup 3] [--input h,w,c] [--classes 10]`: profiles every operation
 * the space's networks can have on this machine and writes the latency table. Flags may be strings (as
 * parsed from the command line); progress goes to `log` (default stderr). `context` finds the
 * space and its network (the CLI passes its plugins', so `--plugin` spaces are found too).
 */
export async function profileDeviceCommand(
  flags: ProfileDeviceFlags,
  context: ProfileDeviceContext,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<LatencyLut> {
  const { spaceOptions = {}, ...rest } = flags;
  const o = parseOptions('profile-device', PROFILE_DEVICE_OPTIONS, rest);
  if (!o.space)
    throw new ConfigError(`profile-device: give --space ${context.networks.spaces().join(' or ')}`);
  if (!o.out) throw new ConfigError('profile-device: give --out FILE for the latency table');
  refuseToReplace('profile-device', o.out, 'a latency table', readLut);
  const space = context.space(o.space).create(spaceOptions);
  // A registered space (a plugin's too) that no network can be built for: say so before any work.
  const network = await context.networks.load(space.name, 'profile-device');
  const backend = await useBackend(o.backend as BackendName);
  log(`profiling ${space.name} on tfjs backend ${backend}`);
  const lut = await profileDevice(network, space, {
    ...networkShapeOptions('profile-device', o.input, o.classes),
    out: o.out,
    runs: o.runs,
    warmup: o.warmup,
    spaceOptions,
    onProgress: (done, total, key) => {
      if (done === total || done % 10 === 0) log(`${done}/${total} ${key}`);
    },
  });
  log(
    `profiled ${Object.keys(lut.entries).length} operations, per-network overhead ${lut.overheadMs.toFixed(3)} ms`,
  );
  return lut;
}
