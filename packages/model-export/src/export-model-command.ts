import {
  type CommandServices,
  ConfigError,
  DataError,
  foldLog,
  type RunState,
  resolveRunId,
  type Trial,
  UnknownPluginError,
} from '@archlab/core';
import { initBackend, loadNetworkWeights, SAFETENSORS_FORMAT, SpaceNetworks } from '@archlab/nn';
import { loadDataset } from '@archlab/trainer-tfjs';
import { MissingWeightsError } from './errors.js';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './onnx/export-onnx.js';
import { ONNX_OPSET } from './onnx/onnx-graph.js';
import { checkOutput, writeModelFile } from './write-model-file.js';

export interface ExportModelFlags {
  db?: string;
  store?: string;
  storeOption?: string[];
  run?: string;
  trial?: number;
  out?: string;
  format?: string;
  pixels?: boolean;
  force?: boolean;
  plugin?: string[];
  json?: boolean;
}

/** The formats `--format` takes. */
export const MODEL_FORMATS = ['onnx'] as const;

/**
 * `archlab export-model`: rebuilds a trial's network from its recorded space and architecture,
 * with the trained weights its estimator kept (the `weights` artifact, safetensors), and writes
 * it as an ONNX model. The flags are checked, and the output refused, before anything is read;
 * the file appears whole or not at all.
 */
export async function exportModelCommand(flags: ExportModelFlags, cli: CommandServices): Promise<number> {
  const format = flags.format ?? 'onnx';
  if (!(MODEL_FORMATS as readonly string[]).includes(format))
    throw new UnknownPluginError('model format', format, MODEL_FORMATS);
  if (!flags.db) throw new ConfigError('give --db FILE, the database of the run whose trial to export');
  if (!flags.out) throw new ConfigError('give --out FILE, where the model goes (e.g. model.onnx)');
  checkOutput(flags.out, flags.force === true, flags.db);
  const ctx = await cli.openStore(flags, true);
  try {
    const runId = await onlyRun(ctx.store, flags.run, flags.db);
    const { state, faults } = await foldLog(ctx.store, runId);
    for (const f of faults) cli.warn(`run ${runId}: ${f.reason} at seq ${f.seq}`);
    const trial = trialOf(state, flags.trial);
    const config = state.config!;
    const ref = trial.artifacts?.weights;
    if (!ref) {
      // Some estimators keep weights for some trials only (ofa-subnet: the subnets picked per budget).
      const kept = state.trials.filter((t) => t.artifacts?.weights).map((t) => t.trialId);
      throw new MissingWeightsError(
        kept.length > 0
          ? `trial ${trial.trialId} of run ${runId} has no trained weights (estimator '${config.estimator}' kept none for it); the trials that have them: ${idList(kept)} (give --trial with one of them)`
          : `trial ${trial.trialId} of run ${runId} has no trained weights (estimator '${config.estimator}' kept none): train it with archlab train --run ${runId} --arch KEY --db ${flags.db} (KEY: its architecture, in archlab show ${runId}) and export that run, or search with --estimator train --estimator-option save-weights=true`,
      );
    }
    if (ref.format !== SAFETENSORS_FORMAT)
      throw new DataError(`trial ${trial.trialId}'s weights are ${ref.format}, not ${SAFETENSORS_FORMAT}`);
    const weights = await ctx.store.getBlob(ref.blob);
    if (!weights)
      throw new DataError(
        `the weights blob ${ref.blob} of trial ${trial.trialId} is missing from ${flags.db}`,
      );
    const { name: datasetName, dataDir } = runData(config);
    const [module, dataset] = await Promise.all([
      SpaceNetworks.of(ctx.registry).load(config.space, 'export-model'),
      loadDataset(datasetName, dataDir ? { dataDir } : {}),
    ]);
    // Any backend: the network is only built to take the weights and checked against them.
    await initBackend();
    const net = module.build(trial.arch!, config.spaceOptions, {
      inputShape: dataset.imageShape,
      numClasses: dataset.numClasses,
      seed: 0,
    });
    // The network's own input: an architecture may pick its resolution (mbv3), images being resized to it.
    const inputShape = [...net.inputShape];
    const resized = inputShape[0] !== dataset.imageShape[0] || inputShape[1] !== dataset.imageShape[1];
    const resize = resized
      ? `images resized to ${inputShape[0]}×${inputShape[1]} first (bilinear, pixel centres aligned, no antialiasing, rounded to whole pixel values), then `
      : '';
    let bytes: Uint8Array;
    try {
      loadNetworkWeights(net, weights);
      bytes = exportOnnx(net, {
        name: `${config.space} ${trial.arch}`,
        ...(flags.pixels && { pixels: { mean: dataset.mean, std: dataset.std } }),
        metadata: {
          'archlab.run': runId,
          'archlab.trial': String(trial.trialId),
          'archlab.space': config.space,
          'archlab.arch': trial.arch!,
          'archlab.dataset': dataset.name,
          'archlab.input': `NHWC [batch, ${inputShape.join(', ')}]: ${resize}${flags.pixels ? 'pixel values 0..255' : 'each channel (pixel / 255 - mean) / std'}`,
          'archlab.mean': JSON.stringify(dataset.mean),
          'archlab.std': JSON.stringify(dataset.std),
          'archlab.classes': JSON.stringify(dataset.classNames),
        },
      });
    } finally {
      net.dispose();
    }
    await writeModelFile(flags.out, bytes);
    const summary = {
      out: flags.out,
      format,
      bytes: bytes.byteLength,
      opset: ONNX_OPSET,
      run: runId,
      trial: trial.trialId,
      arch: trial.arch,
      input: {
        name: ONNX_INPUT,
        shape: ['batch', ...inputShape],
        pixels: flags.pixels === true,
        ...(resized && { resizedFrom: [...dataset.imageShape] }),
      },
      output: { name: ONNX_OUTPUT, shape: ['batch', dataset.numClasses] },
    };
    if (flags.json) cli.out(JSON.stringify(summary));
    else
      cli.out(
        `wrote ${flags.out} (ONNX opset ${ONNX_OPSET}, ${bytes.byteLength} bytes): trial ${trial.trialId} of run ${runId}, ${trial.arch}; input '${ONNX_INPUT}' [batch, ${inputShape.join(', ')}] ${flags.pixels ? 'pixels 0..255' : 'normalised'}${resized ? ` (${dataset.name}'s ${dataset.imageShape[0]}×${dataset.imageShape[1]} images resized)` : ''}, output '${ONNX_OUTPUT}' [batch, ${dataset.numClasses}]`,
      );
    return 0;
  } finally {
    await ctx.store.close();
  }
}

/**
 * The data set a run's networks learnt from, and where it lies: the estimator's `dataset` and
 * `data-dir` options (`train`), else the strategy's (the data of a supernet the strategy trains,
 * whose subnets the estimator scores); Fashion-MNIST by default.
 */
function runData(config: NonNullable<RunState['config']>): { name: string; dataDir?: string } {
  const options = 'dataset' in config.estimatorOptions ? config.estimatorOptions : config.strategyOptions;
  const dir = options['data-dir'];
  return {
    name: String(options.dataset ?? 'fashion-mnist'),
    ...(typeof dir === 'string' && dir !== '' && { dataDir: dir }),
  };
}

/** Trial ids as ranges: `3, 7-9`. */
function idList(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(j === i ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** `--run`, or the database's only run. */
async function onlyRun(store: Parameters<typeof resolveRunId>[0], run: string | undefined, db: string) {
  if (run !== undefined) return resolveRunId(store, run);
  const runs = await store.listRuns();
  if (runs.length === 1) return runs[0]!.runId;
  throw new ConfigError(
    runs.length === 0
      ? `${db} holds no run yet`
      : `${db} holds ${runs.length} runs: give --run ID (archlab runs --db ${db} lists them)`,
  );
}

/** The trial `--trial` names, or the run's best; a completed one with an architecture. */
function trialOf(state: RunState, id: number | undefined): Trial & { arch: string } {
  if (!state.config) throw new DataError(`run ${state.runId} has no RunStarted event`);
  const trialId = id ?? state.best?.trialId;
  if (trialId === undefined)
    throw new ConfigError(`run ${state.runId} has no completed trial yet: give --trial N`);
  const trial = state.trials[trialId];
  if (!trial) {
    throw new ConfigError(
      `run ${state.runId} has no trial ${trialId} (${state.trials.length ? `trials 0..${state.trials.length - 1}` : 'no trials yet'})`,
    );
  }
  if (trial.status !== 'completed' || trial.arch === undefined)
    throw new ConfigError(
      `trial ${trialId} of run ${state.runId} is ${trial.status}, not completed: it has no trained network`,
    );
  return trial as Trial & { arch: string };
}
