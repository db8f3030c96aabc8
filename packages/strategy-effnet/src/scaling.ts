import { InvalidOptionError } from '@archlab/core';

/**
 * EfficientNet's scaling arithmetic (Tan & Le 2019) and its rounding, as the reference code
 * does it (tensorflow/tpu `models/official/efficientnet/efficientnet_model.py`: `round_filters`,
 * `round_repeats`), with the same float64 operations so that the same inputs round the same way.
 */

/** The channel counts of a scaled network are multiples of this (the reference's `depth_divisor`). */
export const DEPTH_DIVISOR = 8;

/**
 * `filters × multiplier` rounded to the nearest multiple of `divisor`, at least `divisor`, and
 * bumped up by one `divisor` when rounding went more than 10% down: the reference's
 * `round_filters` (with `min_depth` left at the divisor).
 */
export function roundFilters(filters: number, multiplier: number, divisor = DEPTH_DIVISOR): number {
  const scaled = filters * multiplier;
  let rounded = Math.max(divisor, Math.floor(Math.floor(scaled + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * scaled) rounded += divisor;
  return rounded;
}

/** `repeats × multiplier` rounded up: the reference's `round_repeats`. */
export function roundRepeats(repeats: number, multiplier: number): number {
  return Math.ceil(repeats * multiplier);
}

/**
 * The side of the input images at `multiplier` times `side` pixels, rounded to the nearest
 * whole pixel (halves up): the images are resized to it. The reference has no rule for it (its
 * B0–B7 resolutions are chosen by hand); this one keeps `r = γ^φ` as close as pixels allow.
 */
export function roundResolution(side: number, multiplier: number): number {
  return Math.round(side * multiplier);
}

/** How much a network is scaled in depth (repeats), width (channels) and resolution (image side). */
export interface Multipliers {
  readonly depth: number;
  readonly width: number;
  readonly resolution: number;
}

export const UNSCALED: Multipliers = { depth: 1, width: 1, resolution: 1 };

/** The three dimensions, in the order keys and tables give them. */
export const DIMENSIONS = ['depth', 'width', 'resolution'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Multipliers are kept to this many decimals (in keys, and when a FLOPs match is solved for). */
export const MULTIPLIER_DECIMALS = 3;
const STEPS = 10 ** MULTIPLIER_DECIMALS;

/** The most a dimension is scaled: a key's bound, and how far a FLOPs match looks. */
export const MAX_MULTIPLIER = 16;

/**
 * `m` to the nearest thousandth, the precision keys hold, halves up. Rounded to 12 significant
 * digits first, so that float noise does not decide a half: 1.15² is 1.3224999999999998 in
 * float64 and 1.3225 in decimal, which gives 1.323.
 */
export function quantize(m: number): number {
  return Math.round(Number(m.toPrecision(12)) * STEPS) / STEPS;
}

/** The compound coefficients: depth α, width β and resolution γ, each ≥ 1. */
export interface Coefficients {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
}

/** α·β²·γ²: how much one step of φ multiplies the FLOPs (before rounding); EfficientNet asks for ≈ 2. */
export function flopsFactor(c: Coefficients): number {
  return c.alpha * c.beta ** 2 * c.gamma ** 2;
}

/** The multipliers of compound scaling at `phi`: d = α^φ, w = β^φ, r = γ^φ, to a thousandth. */
export function compoundMultipliers(c: Coefficients, phi: number): Multipliers {
  return {
    depth: quantize(c.alpha ** phi),
    width: quantize(c.beta ** phi),
    resolution: quantize(c.gamma ** phi),
  };
}

/** `alpha=1.2 beta=1.1 gamma=1.15`: coefficients as messages and the bench's line give them. */
export function formatCoefficients(c: Coefficients): string {
  return `alpha=${c.alpha} beta=${c.beta} gamma=${c.gamma}`;
}

/**
 * The grid of phase 1: every (α, β, γ) from the three lists, α first, then β, then γ, whose
 * α·β²·γ² is within `tolerance` of 2. An empty grid is an InvalidOptionError that names the
 * closest product.
 */
export function scalingGrid(
  owner: string,
  alphas: readonly number[],
  betas: readonly number[],
  gammas: readonly number[],
  tolerance: number,
): Coefficients[] {
  const all = alphas.flatMap((alpha) =>
    betas.flatMap((beta) => gammas.map((gamma) => ({ alpha, beta, gamma }))),
  );
  const grid = all.filter((c) => Math.abs(flopsFactor(c) - 2) <= tolerance);
  if (grid.length === 0) {
    const closest = all.reduce((a, b) =>
      Math.abs(flopsFactor(b) - 2) < Math.abs(flopsFactor(a) - 2) ? b : a,
    );
    throw new InvalidOptionError(
      `${owner}: no (alpha, beta, gamma) of the lists has alpha·beta²·gamma² within ${tolerance} of 2; the closest is ${formatCoefficients(closest)} with ${flopsFactor(closest).toFixed(4)}: widen 'tolerance' or change the lists`,
    );
  }
  return grid;
}

/**
 * A list option of multipliers: numbers ≥ 1 and ≤ `max`, comma-separated, at most three
 * decimals, none twice; a typed one-line error naming the option otherwise.
 */
export function parseMultiplierList(owner: string, option: string, text: string, max = 4): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map((p) => parseMultiplier(owner, option, p, max));
  if (new Set(values).size !== values.length) {
    throw new InvalidOptionError(`${owner}: option '${option}' lists a value twice: '${text}'`);
  }
  return values;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** One multiplier of an option: a decimal number in [1, max] with at most three decimals. */
export function parseMultiplier(owner: string, option: string, text: string, max = 4): number {
  const value = Number(text);
  if (!DECIMAL.test(text) || value < 1 || value > max || quantize(value) !== value) {
    throw new InvalidOptionError(
      `${owner}: option '${option}' takes decimal numbers from 1 to ${max} with at most ${MULTIPLIER_DECIMALS} decimals, like '1.15'; got '${text}'`,
    );
  }
  return value;
}

/**
 * The multiplier of one dimension (≥ 1, to a thousandth, at most `max`) at which a network's
 * FLOPs come closest to `target`, for `flopsAt(m)` nondecreasing in m: the FLOPs of rounded
 * networks are a step function of m, so it takes the first multiplier of the step at or just
 * above the target and the first of the step just below, and keeps the one nearer in ratio
 * (the upper one on a tie). Undefined when even `max` falls short of the target.
 */
export function matchFlops(flopsAt: (m: number) => number, target: number, max: number): number | undefined {
  const at = (t: number) => flopsAt(t / STEPS);
  const hi = Math.round(max * STEPS);
  if (at(STEPS) >= target) return 1;
  if (at(hi) < target) return undefined;
  // The first t in (lo, hi] with at(t) ≥ value, given at(lo) < value ≤ at(hi).
  const firstReaching = (value: number, lo: number, high: number): number => {
    let l = lo;
    let h = high;
    while (h - l > 1) {
      const mid = Math.floor((l + h) / 2);
      if (at(mid) >= value) h = mid;
      else l = mid;
    }
    return h;
  };
  const above = firstReaching(target, STEPS, hi);
  const belowFlops = at(above - 1);
  const below = at(STEPS) >= belowFlops ? STEPS : firstReaching(belowFlops, STEPS, above - 1);
  const aboveFlops = at(above);
  return (aboveFlops / target <= target / belowFlops ? above : below) / STEPS;
}
