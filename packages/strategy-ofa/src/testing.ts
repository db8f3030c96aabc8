import {
  type HardwareModel,
  type ProgressReporter,
  type RunConfig,
  RunHardware,
  type RunScope,
  type SearchSpace,
  type SearchSpaceFactory,
} from '@archlab/core';
import { mbv3Space, mbv3SpaceFactory } from '@archlab/space-mbv3';
import { OfaRun, ofaRunService } from './ofa-service.js';

/**
 * mbv3 space options for `tiny-test`'s 8×8 images: 6 or 8 px, stem 4, two stages (4 and 6
 * channels), 1–2 blocks each, kernels 3/5/7, expand ratios 2/3 (a supernet that trains in a blink).
 */
export const TINY_MBV3 = {
  resolutions: '6,8',
  depths: '1,2',
  kernels: '3,5,7',
  expands: '2,3',
  stem: 4,
  stemStride: 1,
  widths: '4,6',
  strides: '1,2',
  final: 8,
} as const;

/** The mbv3 space with `TINY_MBV3` as its defaults (for tests that cannot pass space options). */
export const tinyMbv3SpaceFactory: SearchSpaceFactory = {
  ...mbv3SpaceFactory,
  create: (options) => mbv3Space({ ...options, ...TINY_MBV3 }),
};

/** `ofa` options of a fast test run on `tiny-test` (registerTinyDataset of @archlab/oneshot/testing). */
export const TINY_OFA = {
  dataset: 'tiny-test',
  'train-images': 64,
  'val-images': 32,
  'batch-size': 16,
  'full-epochs': 1,
  'kernel-epochs': 1,
  'depth-epochs': 1,
  'expand-epochs': 1,
  'predictor-samples': 3,
  'search-steps': 30,
  population: 4,
  sampleSize: 2,
} as const;

/**
 * A hand-made run scope, what the engine gives a run of `--strategy ofa --estimator ofa-subnet`
 * with `config` (of which the OFA service and strategy read these fields): the run's OFA supernet
 * (`OfaRun`), `hardware` as its hardware models (`RunHardware`, when any) and `reporter` for the
 * progress reports. For tests and benches that drive the strategy and the estimator without the
 * engine.
 */
export function ofaRunScope(
  config: Pick<RunConfig, 'strategy' | 'estimator' | 'seed' | 'concurrency' | 'strategyOptions'>,
  space: SearchSpace,
  {
    reporter = { report: async () => {} },
    hardware = [],
  }: { reporter?: ProgressReporter; hardware?: readonly HardwareModel[] } = {},
): RunScope & { readonly reporter: ProgressReporter } {
  const services = new Map<symbol, unknown>();
  const scope = {
    config: config as RunConfig,
    space,
    get: <T>(token: symbol) => services.get(token) as T,
    has: (token: symbol) => services.has(token),
    progress: () => reporter,
    reporter,
  };
  services.set(OfaRun, ofaRunService.create(scope));
  if (hardware.length > 0) services.set(RunHardware, hardware);
  return scope;
}
