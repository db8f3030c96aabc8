/**
 * The best `fraction` of a stream of scores (larger is better), kept as a min-heap of the best
 * ceil(fraction · n) and a max-heap of the rest: O(log n) per score, for runs with 100k proposals.
 */
export class TopFraction {
  private readonly top = new Heap((a, b) => a < b);
  private readonly rest = new Heap((a, b) => a > b);

  constructor(readonly fraction: number) {}

  get size(): number {
    return this.top.size + this.rest.size;
  }

  /** The smallest score in the best ceil(fraction · n) so far. */
  get threshold(): number {
    return this.top.peek();
  }

  /** Adds `score`; returns the threshold: the smallest score in the best ceil(fraction · n). */
  add(score: number): number {
    if (this.top.size > 0 && score >= this.top.peek()) this.top.push(score);
    else this.rest.push(score);
    // The epsilon keeps 0.1 · 30 = 3.0000000000000004 at 3.
    const k = Math.max(1, Math.ceil(this.fraction * this.size - 1e-9));
    while (this.top.size > k) this.rest.push(this.top.pop());
    while (this.top.size < k) this.top.push(this.rest.pop());
    return this.top.peek();
  }

  /**
   * The threshold `add(score)` would return, without adding it: the k-th largest of the scores
   * and `score`, read from the two heaps' ends (k grows by at most one per score).
   */
  thresholdWith(score: number): number {
    const k = this.top.size;
    const k2 = Math.max(1, Math.ceil(this.fraction * (this.size + 1) - 1e-9));
    const t1 = k > 0 ? this.top.peek() : Number.POSITIVE_INFINITY;
    if (k2 > k)
      return Math.max(Math.min(score, t1), this.rest.size > 0 ? this.rest.peek() : Number.NEGATIVE_INFINITY);
    return score <= t1 ? t1 : Math.min(score, this.top.second());
  }
}

/** A binary heap of numbers; `before(a, b)` puts a nearer the root. */
class Heap {
  private readonly items: number[] = [];

  constructor(private readonly before: (a: number, b: number) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): number {
    return this.items[0]!;
  }

  /** The item after the root in heap order (a child of the root); +/-Infinity past the end, as `before` ranks. */
  second(): number {
    const [, l, r] = this.items;
    if (l === undefined) return this.before(0, 1) ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    return r === undefined || this.before(l, r) ? l : r;
  }

  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): number {
    const a = this.items;
    const root = a[0]!;
    const last = a.pop()!;
    if (a.length === 0) return root;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
      if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return root;
  }
}
