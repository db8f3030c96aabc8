import { instantiateEvaluation, parseKeyValues } from '@archlab/core';
import { loadRegistry } from '../cli-context.js';
import { metricsText } from '../progress.js';
import { trainShorthands } from './search-command.js';

export interface EvalFlags {
  space: string;
  spaceOption?: string[];
  estimator: string;
  estimatorOption?: string[];
  /** Shorthands for the `train` estimator's options (`archlab train`). */
  dataset?: string;
  epochs?: number;
  arch: string;
  seed?: number;
  plugin?: string[];
  json?: boolean;
}

/** Evaluates one architecture, given by its key, without a run or a database. */
export async function evalCommand(flags: EvalFlags): Promise<number> {
  const { registry } = await loadRegistry(flags.plugin);
  const { space, estimator } = instantiateEvaluation(registry, {
    space: flags.space,
    spaceOptions: parseKeyValues(flags.spaceOption ?? [], '--space-option'),
    estimator: flags.estimator,
    estimatorOptions: {
      ...parseKeyValues(flags.estimatorOption ?? [], '--estimator-option'),
      ...trainShorthands(flags),
    },
  });
  try {
    const arch = space.parse(flags.arch);
    await estimator.prepare?.();
    const metrics = await estimator.evaluate(arch, {
      trialId: 0,
      seed: flags.seed ?? 0,
      signal: new AbortController().signal,
      report: (step, m) => {
        if (!flags.json) process.stderr.write(`step ${step}: ${metricsText(m)}\n`);
      },
    });
    if (flags.json) process.stdout.write(`${JSON.stringify({ arch: space.key(arch), metrics })}\n`);
    else process.stdout.write(`${space.key(arch)}\n${metricsText(metrics, '  ')}\n`);
    return 0;
  } finally {
    await estimator.dispose?.();
  }
}
