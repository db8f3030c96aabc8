import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it, vi } from 'vitest';
import { onCpu, tf } from './index.js';

describe('onCpu', () => {
  it("keeps tfjs's install-the-node-backend banner off the console", () => {
    const warn = vi.spyOn(console, 'warn');
    const log = vi.spyOn(console, 'log');
    onCpu(() => tf.tensor([1, 2]).dispose());
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('computes on cpu and gives the previous backend back at once, even when fn throws', async () => {
    tf.registerBackend('other', () => new MathBackendCPU(), 1);
    try {
      await tf.setBackend('other');
      expect(onCpu(() => tf.getBackend())).toBe('cpu');
      expect(tf.getBackend()).toBe('other');
      expect(() =>
        onCpu(() => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(tf.getBackend()).toBe('other');
    } finally {
      await tf.setBackend('cpu');
      tf.removeBackend('other');
    }
  });

  it('returns what fn returns and leaves its tensors to it', () => {
    const t = onCpu(() => tf.tensor([1, 2, 3]));
    expect(t.isDisposed).toBe(false);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    t.dispose();
  });
});
