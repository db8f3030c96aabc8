import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { withCpuBackend } from './cpu-backend.js';

describe('withCpuBackend', () => {
  it("keeps tfjs's install-the-node-backend banner off the console", async () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    await withCpuBackend(() => tf.tensor([1, 2]).dispose());
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(tf.env().getBool('PROD')).toBe(false);
  });

  it('computes on cpu and gives the previous backend back', async () => {
    tf.registerBackend('other', () => new MathBackendCPU(), 1);
    await tf.setBackend('other');
    const seen = await withCpuBackend(() => tf.getBackend());
    expect(seen).toBe('cpu');
    expect(tf.getBackend()).toBe('other');
    await tf.setBackend('cpu');
    tf.removeBackend('other');
  });
});
