/**
 * Learning rate at `step` (0-based) of `totalSteps`: a linear warm-up from `base / warmupSteps`
 * to `base` over the first `warmupSteps` steps, then a cosine decay from `base` to 0 over the
 * rest (per step, as SGDR without restarts).
 */
export function cosineLearningRate(base: number, step: number, totalSteps: number, warmupSteps = 0): number {
  if (step < warmupSteps) return (base * (step + 1)) / warmupSteps;
  const decaySteps = totalSteps - warmupSteps;
  if (decaySteps <= 0) return base;
  return 0.5 * base * (1 + Math.cos((Math.PI * Math.min(step - warmupSteps, decaySteps)) / decaySteps));
}
