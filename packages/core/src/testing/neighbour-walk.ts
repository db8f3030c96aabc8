import type { SearchSpace } from '../space/search-space.js';

/**
 * Every architecture reachable from `start` by `space.neighbours`, each once, in a fixed order:
 * the whole of a small space whose neighbours connect it (what tests enumerate it by).
 */
export function neighbourWalk<A>(space: SearchSpace<A>, start: A): A[] {
  if (!space.neighbours) throw new Error(`space '${space.name}' lists no neighbours`);
  const seen = new Map<string, A>();
  const queue = [start];
  for (let a = queue.pop(); a !== undefined; a = queue.pop()) {
    const key = space.key(a);
    if (seen.has(key)) continue;
    seen.set(key, a);
    queue.push(...space.neighbours(a));
  }
  return [...seen.values()];
}
