/** Sum in float64, in order: per-layer float32 sums read back from the backend are added here. */
export function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}
