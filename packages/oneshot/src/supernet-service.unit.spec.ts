import { nb201Space } from '@archlab/bench-nb201';
import { ConfigError, parseOptions, type RunConfig, type RunScope } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { supernetOptionsSpec } from './supernet-options.js';
import { SupernetService, supernetRunService } from './supernet-service.js';

/** The scope a run hands its services: only its config and space are read when one is made. */
function scope(strategy: string, estimator: string, strategyOptions: Record<string, unknown>): RunScope {
  const config = { strategy, estimator, strategyOptions, seed: 1, concurrency: 1 } as unknown as RunConfig;
  return {
    config,
    space: nb201Space,
    get: () => {
      throw new Error('not in this test');
    },
    has: () => false,
    progress: () => {
      throw new Error('not in this test');
    },
  };
}

const ONE_SHOT = parseOptions('darts', supernetOptionsSpec, {});

describe('supernetRunService', () => {
  it('makes no supernet for a run whose strategy and estimator need none (random with train)', () => {
    expect(supernetRunService.create(scope('random', 'train', {}))).toBeUndefined();
    expect(
      supernetRunService.create(scope('evolution', 'nb201:cifar10', { population: 10 })),
    ).toBeUndefined();
  });

  it('makes one for a one-shot strategy, whatever the estimator (train retrains its cells)', () => {
    expect(supernetRunService.create(scope('darts', 'train', ONE_SHOT))).toBeInstanceOf(SupernetService);
    expect(supernetRunService.create(scope('spos', 'oneshot', ONE_SHOT))).toBeInstanceOf(SupernetService);
  });

  it('refuses the oneshot estimator without a strategy that trains the supernet', () => {
    const make = () => supernetRunService.create(scope('random', 'oneshot', {}));
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/strategy 'random' trains none/);
  });
});
