import type { Rng, SpaceEncoding } from '@archlab/core';
import { ArchFeatures, type FeatureKind } from './arch-features.js';
import { EnsembleMlp, type EnsembleMlpState, type EnsemblePredictions } from './ensemble-mlp.js';

/** How the surrogate is built and trained; every field is a strategy option (see `surrogateOptions`). */
export interface SurrogateSettings {
  readonly features: FeatureKind;
  /** The label of a decision's "nothing here" choice, which cuts a path in the path features. */
  readonly emptyChoice: string;
  readonly members: number;
  readonly hidden: number;
  readonly layers: number;
  readonly epochs: number;
  readonly minSteps: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/** A surrogate's checkpoint: its training data and its networks. */
export interface SurrogateState {
  readonly fittedOn: number;
  readonly model: EnsembleMlpState;
}

/**
 * Predicts an architecture's score from its encoding, with an uncertainty: an `EnsembleMlp`
 * over `ArchFeatures`. It learns the ranking rather than the raw scores: targets are the
 * normal quantiles of the scores' ranks (`rankTargets`), because a few collapsed
 * architectures (10% accuracy among 90%s on NAS-Bench-201) otherwise dominate the squared
 * error and blur the top, which is all a search needs. Fitted on 100 random NAS-Bench-201
 * cells, this lifted the Spearman correlation on unseen cells from 0.65 to 0.78 with one-hot
 * features and from 0.57 to 0.83 with path features.
 *
 * Predictions are therefore in standard-normal units of rank, comparable within one fit.
 */
export class Surrogate {
  readonly features: ArchFeatures;
  private readonly model: EnsembleMlp;
  private fittedOn = 0;

  constructor(
    encoding: SpaceEncoding<unknown>,
    private readonly settings: SurrogateSettings,
    rng: Rng,
  ) {
    this.features = new ArchFeatures(encoding.decisions, settings.emptyChoice, settings.features);
    this.model = new EnsembleMlp(
      {
        inputs: this.features.size,
        members: settings.members,
        hidden: settings.hidden,
        layers: settings.layers,
        batchSize: settings.batchSize,
        learningRate: settings.learningRate,
      },
      rng,
    );
  }

  /** Results the last `fit` saw. */
  get trainedOn(): number {
    return this.fittedOn;
  }

  /** Trains on the given results (`codes[i]` scored `scores[i]`, all finite), continuing from the current weights. */
  fit(codes: readonly (readonly number[])[], scores: readonly number[], rng: Rng): void {
    const { epochs, minSteps } = this.settings;
    this.model.fit(this.features.matrix(codes), rankTargets(scores), codes.length, epochs, minSteps, rng);
    this.fittedOn = codes.length;
  }

  predict(codes: readonly (readonly number[])[]): EnsemblePredictions {
    return this.model.predict(this.features.matrix(codes), codes.length);
  }

  state(): SurrogateState {
    return { fittedOn: this.fittedOn, model: this.model.state() };
  }

  load(state: SurrogateState): void {
    this.model.load(state.model);
    this.fittedOn = state.fittedOn;
  }
}

/** Each score's rank as a standard normal quantile, `Φ⁻¹((rank + ½) / n)`; tied scores share their mean rank. */
export function rankTargets(scores: readonly number[]): Float64Array {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const q = normalQuantile(((i + j) / 2 + 0.5) / n);
    for (let k = i; k <= j; k++) out[order[k]!] = q;
    i = j + 1;
  }
  return out;
}

// Acklam's rational approximation of the inverse normal CDF (relative error below 1.2e-9).
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Φ⁻¹(p) for p in (0, 1). */
export function normalQuantile(p: number): number {
  const tail = (q: number) =>
    (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
    ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}
