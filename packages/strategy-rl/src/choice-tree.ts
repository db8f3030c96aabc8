/**
 * The set of decision sequences marked so far, with a count under every prefix, so a sampler can
 * mask out a choice whose whole subtree is marked and still draw, in one pass, a sequence never
 * marked before (sampling without replacement, in the policy's own proportions elsewhere).
 */
export class ChoiceTree {
  private readonly counts = new Map<string, number>();
  /** Marked sequences in marking order: enough to rebuild the tree. */
  readonly marked: number[][] = [];
  // capacity[d]: how many sequences share a prefix of length d.
  private readonly capacity: number[];

  constructor(private readonly choices: readonly number[]) {
    this.capacity = choices.map((_, d) => choices.slice(d).reduce((a, b) => a * b, 1));
    this.capacity.push(1);
  }

  get size(): number {
    return this.marked.length;
  }

  has(seq: readonly number[]): boolean {
    return (this.counts.get(seq.join(',')) ?? 0) > 0;
  }

  /** Marks `seq`; false (and no change) if it was marked already. */
  mark(seq: readonly number[]): boolean {
    if (this.has(seq)) return false;
    this.marked.push([...seq]);
    for (let d = 0; d <= seq.length; d++) {
      const key = seq.slice(0, d).join(',');
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    return true;
  }

  /** True when every sequence that starts with `prefix` is marked. */
  full(prefix: readonly number[] = []): boolean {
    return (this.counts.get(prefix.join(',')) ?? 0) >= this.capacity[prefix.length]!;
  }

  /** The choices after `prefix` whose subtrees are full. */
  blocked(prefix: readonly number[]): number[] {
    const out: number[] = [];
    const k = this.choices[prefix.length]!;
    for (let j = 0; j < k; j++) if (this.full([...prefix, j])) out.push(j);
    return out;
  }
}
