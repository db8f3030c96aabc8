/**
 * Adam (Kingma & Ba) over plain float32 parameter arrays, updated in place. Written out rather
 * than taken from tfjs so that its whole state (the moments and the step count) is a few arrays
 * a checkpoint can hold exactly. The moments are float64: each update rounds only the parameters.
 */
export class Adam {
  private step = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];

  constructor(
    sizes: readonly number[],
    private readonly learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = sizes.map((n) => new Float64Array(n));
    this.v = sizes.map((n) => new Float64Array(n));
  }

  /** Moves each `params[i]` against `grads[i]`. */
  apply(params: readonly Float32Array[], grads: readonly ArrayLike<number>[]): void {
    this.step++;
    const { beta1: b1, beta2: b2, epsilon } = this;
    const rate = (this.learningRate * Math.sqrt(1 - b2 ** this.step)) / (1 - b1 ** this.step);
    params.forEach((p, i) => {
      const g = grads[i]!;
      const m = this.m[i]!;
      const v = this.v[i]!;
      for (let j = 0; j < p.length; j++) {
        const gj = g[j]!;
        m[j] = b1 * m[j]! + (1 - b1) * gj;
        v[j] = b2 * v[j]! + (1 - b2) * gj * gj;
        p[j] = p[j]! - (rate * m[j]!) / (Math.sqrt(v[j]!) + epsilon);
      }
    });
  }

  /** Everything needed to carry on exactly: the step count and both moments. */
  state(): { step: number; m: readonly Float64Array[]; v: readonly Float64Array[] } {
    return { step: this.step, m: this.m, v: this.v };
  }

  load(state: { step: number; m: readonly Float64Array[]; v: readonly Float64Array[] }): void {
    if (state.m.length !== this.m.length || state.m.some((a, i) => a.length !== this.m[i]!.length))
      throw new TypeError('optimizer state does not match the parameters');
    this.step = state.step;
    for (const [i, a] of state.m.entries()) this.m[i]!.set(a);
    for (const [i, a] of state.v.entries()) this.v[i]!.set(a);
  }
}
