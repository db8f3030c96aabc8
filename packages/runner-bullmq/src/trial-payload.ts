import { z } from 'zod';

// What goes through Redis, in both directions. A worker validates every job before it acts on
// it and the coordinator every result, so a job from another version of archlab, or a hand-made
// one, is refused with what is wrong instead of crashing either side.

const options = z.record(z.string(), z.unknown());
const metrics = z.record(z.string(), z.number());

/** One trial as a job: what the worker needs to evaluate it as the coordinator would. */
export const TrialPayload = z.object({
  /** The shape of this payload; a worker refuses another. */
  v: z.literal(1),
  runId: z.string().min(1),
  trialId: z.number().int().min(0),
  /** The architecture's key in the space (`space.key`). */
  arch: z.string(),
  seed: z.number().int(),
  space: z.string().min(1),
  spaceOptions: options,
  estimator: z.string().min(1),
  estimatorOptions: options,
  /** Name → version of `@archlab/core` and the packages providing the space and the estimator. */
  versions: z.record(z.string(), z.string()),
});
export type TrialPayload = z.infer<typeof TrialPayload>;

/** A worker's answer: the estimator's metrics and the artifacts it saved (bytes as base64). */
export const TrialResult = z.object({
  metrics,
  artifacts: z.array(z.object({ name: z.string(), format: z.string(), base64: z.string() })),
});
export type TrialResult = z.infer<typeof TrialResult>;

/** One `report(step, metrics)` of the estimator, as the job's progress. */
export const TrialProgress = z.object({ step: z.number(), metrics });
export type TrialProgress = z.infer<typeof TrialProgress>;

/** Deterministic job id of a trial: the same on every attempt and after a resume. */
export function trialJobId(runId: string, trialId: number): string {
  // BullMQ ids may not contain ':' nor be integers; run ids are [A-Za-z0-9._-].
  return `${runId}.t${trialId}`;
}

/** The first problem of a payload or result, on one line. */
export function schemaProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}
