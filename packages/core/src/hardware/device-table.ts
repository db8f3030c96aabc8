import { ConfigError } from '../errors.js';

/** One device column of a {@link DeviceLatencyTable}. */
export interface DeviceColumn {
  /** The name a user types, e.g. `pixel3` in `--hardware device:name=pixel3`. */
  readonly name: string;
  /** The physical device: columns of one device at several batch sizes share it, e.g. `1080ti`. */
  readonly hardware: string;
  /** Images per inference the latencies were measured at. */
  readonly batch: number;
  /** What the device is and where its figures come from, one line. */
  readonly description: string;
}

/**
 * Measured inference latency of every architecture of one space on real devices: a benchmark's
 * device table (HW-NAS-Bench, HELP). Immutable; `column(d)[i]` is the milliseconds of `keys[i]`.
 */
export interface DeviceLatencyTable {
  /** The registered name of the space whose architectures it covers. */
  readonly space: string;
  /** Where the figures come from (papers, repositories), for the record. */
  readonly source: string;
  readonly devices: readonly DeviceColumn[];
  /** Every architecture's canonical key (`space.key`), in the table's order. */
  readonly keys: readonly string[];
  /** The row of `key` in `keys`; undefined when the table lacks it. */
  indexOf(key: string): number | undefined;
  /** Milliseconds per architecture on `device`, aligned with `keys`; UnknownDeviceError for a name not in `devices`. */
  column(device: string): Float64Array;
}

/**
 * A device table contributed by a space's package: `bind(DeviceLatencyTableSource)
 * .toConstantValue(...)` next to its SearchSpaceFactory. Hardware models (`device`, `learned`)
 * serve exactly the spaces that bound one. Binding must stay cheap: the figures are read by
 * `load()` on first use.
 */
export interface DeviceLatencyTableSource {
  readonly space: string;
  /** The devices it holds, known without loading the figures. */
  readonly devices: readonly DeviceColumn[];
  load(): DeviceLatencyTable;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const DeviceLatencyTableSource: unique symbol = Symbol.for('archlab.DeviceLatencyTableSource');

/** A device name that no table of the space holds; the message lists the ones it does. */
export class UnknownDeviceError extends ConfigError {
  constructor(
    readonly space: string,
    readonly device: string,
    readonly known: readonly string[],
  ) {
    super(
      known.length
        ? `space '${space}' has no device '${device}' in its latency table; devices: ${known.join(', ')}`
        : `space '${space}' has no device latency table (no loaded plugin binds one)`,
    );
  }
}
