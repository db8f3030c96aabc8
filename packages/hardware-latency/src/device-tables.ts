import {
  ConfigError,
  type Container,
  type DeviceColumn,
  DeviceLatencyTableSource,
  type PluginRegistry,
  UnknownDeviceError,
} from '@archlab/core';

/**
 * The device latency tables of a container, by space: what hardware models built on measured
 * tables (`device`, `learned`) ask instead of testing a space's name. A later binding for a
 * space shadows an earlier one.
 */
export class DeviceTables {
  private readonly bySpace: ReadonlyMap<string, DeviceLatencyTableSource>;

  constructor(sources: readonly DeviceLatencyTableSource[]) {
    this.bySpace = new Map(sources.map((s) => [s.space, s]));
  }

  /** Those bound in `container` (none when nothing is). */
  static in(container: Pick<Container, 'isBound' | 'getAll'>): DeviceTables {
    return new DeviceTables(
      container.isBound(DeviceLatencyTableSource)
        ? container.getAll<DeviceLatencyTableSource>(DeviceLatencyTableSource)
        : [],
    );
  }

  /** Those a plugin registry's packages bound. */
  static of(registry: Pick<PluginRegistry, 'contributions'>): DeviceTables {
    return new DeviceTables(registry.contributions<DeviceLatencyTableSource>(DeviceLatencyTableSource));
  }

  /** The spaces with a table, sorted. */
  spaces(): string[] {
    return [...this.bySpace.keys()].sort();
  }

  /** `space: dev1, dev2, …` for each space, `; `-separated: the devices a user may name. */
  summary(): string {
    return this.spaces()
      .map(
        (s) =>
          `${s}: ${this.bySpace
            .get(s)!
            .devices.map((d) => d.name)
            .join(', ')}`,
      )
      .join('; ');
  }

  /** The table source of `space`; a ConfigError saying that `user` needs one otherwise. */
  get(space: string, user: string): DeviceLatencyTableSource {
    const found = this.bySpace.get(space);
    if (!found) {
      const spaces = this.spaces();
      throw new ConfigError(
        `${user} needs a device latency table for space '${space}', and no loaded plugin binds one${spaces.length ? `; spaces with one: ${spaces.join(', ')}` : ''}`,
      );
    }
    return found;
  }

  /**
   * The column `device` of `space`'s table, known without reading the figures; an
   * UnknownDeviceError listing the space's devices when the table has no such column.
   */
  device(space: string, device: string, user: string): DeviceColumn {
    const source = this.get(space, user);
    const found = source.devices.find((d) => d.name === device);
    if (!found)
      throw new UnknownDeviceError(
        space,
        device,
        source.devices.map((d) => d.name),
      );
    return found;
  }
}
