import { CommandContribution, ConfigError, ContainerModule, defineCommand, echo } from '@archlab/core';

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

interface LatencyModelOptions {
  space?: string;
  spaceOption?: string[];
  samples?: string;
  out?: string;
  excludeDevice?: string[];
  model?: string;
  archs?: string;
  sample?: number;
  seed?: number;
  json?: boolean;
  hardware?: string;
  hardwareOption?: string[];
  plugin?: string[];
}

/** The flags each action takes (beyond --plugin): any other is a mistake worth a one-line error. */
const LATENCY_MODEL_ACTIONS: Readonly<Record<string, readonly (keyof LatencyModelOptions)[]>> = {
  fit: ['space', 'spaceOption', 'samples', 'out', 'excludeDevice'],
  predict: ['model', 'spaceOption', 'archs', 'sample', 'seed', 'json'],
  measure: ['space', 'spaceOption', 'hardware', 'hardwareOption', 'sample', 'seed', 'out'],
};
const REQUIRED: Readonly<Record<string, readonly (keyof LatencyModelOptions)[]>> = {
  fit: ['space', 'samples', 'out'],
  predict: ['model'],
  measure: ['space', 'hardware', 'sample', 'out'],
};
const flagOf = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const latencyModel = defineCommand<LatencyModelOptions>({
  name: 'latency-model',
  description:
    'fit a latency predictor for one device from a few measured architectures (fit), use it (predict), or write samples (measure)',
  arguments: [{ name: 'action', required: true }],
  options: [
    { flags: '--space <name>', description: 'search space (fit, measure), e.g. nb201' },
    { flags: '--space-option <k=v>', description: 'search space option (repeatable)', repeatable: true },
    {
      flags: '--samples <file>',
      description: 'fit: CSV with columns arch,latency_ms measured on the device',
    },
    { flags: '--out <file>', description: 'fit: the model file (M.json); measure: the samples CSV' },
    {
      flags: '--exclude-device <name>',
      description:
        "fit: never read this table device's columns (all batch sizes of its hardware; repeatable)",
      repeatable: true,
    },
    { flags: '--model <file>', description: 'predict: a model from latency-model fit' },
    {
      flags: '--archs <file>',
      description: 'predict: architecture keys, one a line (or a CSV with an arch column)',
    },
    {
      flags: '--sample <n>',
      description: 'predict, measure: this many seeded random architectures',
      parse: { integer: { min: 1 } },
    },
    {
      flags: '--seed <n>',
      description: 'predict, measure: seed of --sample (default 0)',
      parse: { integer: { min: 0 } },
    },
    { flags: '--json', description: 'predict: print {scores: [{key, latency_ms}]}' },
    {
      flags: '--hardware <name>',
      description: 'measure: hardware model with latency_ms, e.g. latency or device',
    },
    {
      flags: '--hardware-option <k=v>',
      description: 'measure: its option (repeatable), e.g. name=pixel3',
      repeatable: true,
    },
    { flags: '--plugin <package>', description: 'load a plugin package (repeatable)', repeatable: true },
  ],
  run: async ({ args, options }, cli) => {
    const action = args[0]!;
    const allowed = LATENCY_MODEL_ACTIONS[action];
    if (!allowed) {
      throw new ConfigError(`latency-model: unknown action '${echo(action)}'; give fit, predict or measure`);
    }
    const given = (Object.keys(options) as (keyof LatencyModelOptions)[]).filter(
      (k) => options[k] !== undefined && k !== 'plugin',
    );
    const stray = given.find((k) => !allowed.includes(k));
    if (stray) throw new ConfigError(`latency-model ${action} does not take ${flagOf(stray)}`);
    const missing = REQUIRED[action]!.find((k) => options[k] === undefined);
    if (missing) throw new ConfigError(`latency-model ${action}: give ${flagOf(missing)}`);
    const body = await import('./latency-model-command.js');
    const { DeviceTables } = await import('./device-tables.js');
    const registry = await cli.loadPlugins(options.plugin);
    const context = {
      space: (name: string) => registry.get('space', name),
      hardware: (name: string) => registry.get('hardware model', name),
      tables: DeviceTables.of(registry),
    };
    const spaceOptions = options.spaceOption && cli.keyValues(options.spaceOption, '--space-option');
    if (action === 'fit') {
      const o = options as Required<LatencyModelOptions>;
      const model = body.latencyModelFit(
        {
          space: o.space,
          spaceOptions,
          samples: o.samples,
          out: o.out,
          excludeDevice: options.excludeDevice,
        },
        context,
      );
      const cv = model.cv;
      for (const o of model.outliers) {
        cli.warn(
          `${o.row}: ${o.arch} (${o.latencyMs} ms) is set aside: no reference explains it (a cell the device skips?)`,
        );
      }
      cli.out(
        `wrote ${o.out}: ${model.method} from ${model.samples.n - model.outliers.length} samples${model.references.length ? ` (references ${model.references.join(', ')})` : ''}; leave-one-out MAPE ${cv.mapePct.toFixed(1)}%, within ±10% ${cv.within10Pct.toFixed(0)}%, Spearman ${cv.spearman.toFixed(3)}; use it with --hardware learned:file=${o.out}`,
      );
    } else if (action === 'predict') {
      const scores = body.latencyModelPredict(
        {
          model: options.model!,
          spaceOptions,
          archs: options.archs,
          sample: options.sample,
          seed: options.seed,
        },
        context,
      );
      if (options.json) cli.out(JSON.stringify({ scores }));
      else for (const s of scores) cli.out(`${s.latency_ms.toFixed(4)}  ${s.key}`);
    } else {
      const o = options as Required<LatencyModelOptions>;
      const n = await body.latencyModelMeasure(
        {
          space: o.space,
          spaceOptions,
          hardware: o.hardware,
          hardwareOptions:
            options.hardwareOption && cli.keyValues(options.hardwareOption, '--hardware-option'),
          sample: o.sample,
          seed: options.seed,
          out: o.out,
        },
        context,
      );
      cli.out(
        `wrote ${o.out}: ${n} architectures costed by ${o.hardware}; fit with archlab latency-model fit --space ${o.space} --samples ${o.out} --out M.json`,
      );
    }
    return 0;
  },
});

/** The package's CLI contributions (package.json `archlab.commands`). */
export const hardwareLatencyCommandsModule = new ContainerModule((bind) => {
  bind(CommandContribution).toConstantValue(profileDevice);
  bind(CommandContribution).toConstantValue(latencyModel);
});
