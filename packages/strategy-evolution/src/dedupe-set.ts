import type { SearchSpace } from '@archlab/core';

const MAX_REDRAWS = 100;

/**
 * Architectures already proposed in a run, by isomorphism key where the space has one (two
 * cells that compute the same function are one architecture to a tabular benchmark).
 */
export class DedupeSet<A> {
  private readonly keys = new Set<string>();

  constructor(private readonly space: SearchSpace<A>) {}

  keyOf(arch: A): string {
    return this.space.isomorphismKey ? this.space.isomorphismKey(arch) : this.space.key(arch);
  }

  has(arch: A): boolean {
    return this.keys.has(this.keyOf(arch));
  }

  add(arch: A): void {
    this.keys.add(this.keyOf(arch));
  }

  /**
   * Draws with `draw` and records the result. With `dedupe`, redraws (up to 100 times) while the
   * draw was seen before; the last draw is kept even if seen, so a proposal is always made.
   */
  draw(draw: () => A, dedupe: boolean): A {
    let arch = draw();
    for (let i = 0; dedupe && this.has(arch) && i < MAX_REDRAWS; i++) arch = draw();
    this.add(arch);
    return arch;
  }
}
