import { CommandContribution, ContainerModule, defineCommand } from '@archlab/core';

// Loaded by the CLI at start-up to mount its commands: nothing heavy here (no tfjs); the
// command's body is imported when it runs.

interface ProfileDeviceOptions {
  space: string;
  spaceOption?: string[];
  out: string;
  backend?: string;
  runs?: string;
  warmup?: string;
  plugin?: string[];
}

const profileDevice = defineCommand<ProfileDeviceOptions>({
  name: 'profile-device',
  description: 'measure every operation of a space on this machine and write a latency lookup table',
  options: [
    { flags: '--space <name>', description: 'search space with a network, e.g. nb201', required: true },
    { flags: '--space-option <k=v>', description: 'search space option (repeatable)', repeatable: true },
    { flags: '--out <file>', description: 'where the table goes, e.g. device.lut.json', required: true },
    { flags: '--backend <name>', description: 'tfjs backend to time (default: wasm)' },
    { flags: '--runs <n>', description: 'timed passes per operation' },
    { flags: '--warmup <n>', description: 'untimed passes first' },
    {
      flags: '--plugin <package>',
      description: 'load a plugin package (repeatable), e.g. one with a space',
      repeatable: true,
    },
  ],
  run: async ({ options }, cli) => {
    const { profileDeviceCommand } = await import('./profile-device-command.js');
    const { SpaceNetworks } = await import('@archlab/nn/space-network');
    const { spaceOption, plugin, ...rest } = options;
    const registry = await cli.loadPlugins(plugin);
    const lut = await profileDeviceCommand(
      { ...rest, spaceOptions: cli.keyValues(spaceOption, '--space-option') },
      { space: (name) => registry.get('space', name), networks: SpaceNetworks.of(registry) },
    );
    cli.out(
      `wrote ${rest.out}: ${Object.keys(lut.entries).length} operations on ${lut.backend}; use it with --hardware lut:file=${rest.out}`,
    );
    return 0;
  },
});

/** The package's CLI contributions (package.json `archlab.commands`). */
export const hardwareLatencyCommandsModule = new ContainerModule((bind) => {
  bind(CommandContribution).toConstantValue(profileDevice);
});
