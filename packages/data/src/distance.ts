import type { KllSketch } from './kll.js';

/**
 * Deequ's distribution distances (`com.amazon.deequ.analyzers.Distance`), which Model Monitor's baseline drift check
 * uses.
 */

/** Deequ's default c(α) = 1.8 (α ≈ 0.003, Knuth TAOCP vol. 2, §3.3.1 eq. 15). */
export const DEFAULT_C_ALPHA = 1.8;

/** `linf_simple` uses the raw distance; `linf_robust` subtracts the two-sample Kolmogorov–Smirnov critical value. */
export type LInfinityMethod = 'Simple' | 'Robust';

export interface LInfinityDistance {
  /** The distance the method reports. */
  distance: number;
  /** The raw L∞ distance (`linf_simple`). */
  simple: number;
  /** Sample sizes behind the two distributions. */
  n: number;
  m: number;
}

/** Deequ's `selectMetrics`: `linf_robust` = max(0, linf_simple − c(α)·√((n + m)/(n·m))). */
export function robustLInfinity(simple: number, n: number, m: number, cAlpha: number = DEFAULT_C_ALPHA): number {
  return Math.max(0, simple - cAlpha * Math.sqrt((n + m) / (n * m)));
}

/**
 * Deequ's `numericalDistance`: the largest difference between the two sketches' CDFs, evaluated at every item of
 * either sketch, with each item weighted by its level (2^level). Equal items have their weights summed (see kll.ts).
 * NaN when a sketch is empty.
 */
export function numericalDistance(
  baseline: KllSketch,
  current: KllSketch,
  method: LInfinityMethod = 'Simple',
): LInfinityDistance {
  const a = baseline.sortedItems();
  const b = current.sortedItems();
  const n = a.totalWeight;
  const m = b.totalWeight;
  if (n === 0 || m === 0) return { distance: NaN, simple: NaN, n, m };
  let i = 0;
  let j = 0;
  let simple = 0;
  while (i < a.values.length || j < b.values.length) {
    const key = Math.min(i < a.values.length ? a.values[i]! : Infinity, j < b.values.length ? b.values[j]! : Infinity);
    while (i < a.values.length && a.values[i]! <= key) i++;
    while (j < b.values.length && b.values[j]! <= key) j++;
    const cdfA = i === 0 ? 0 : a.cumulativeWeights[i - 1]! / n;
    const cdfB = j === 0 ? 0 : b.cumulativeWeights[j - 1]! / m;
    simple = Math.max(simple, Math.abs(cdfA - cdfB));
  }
  return { distance: method === 'Robust' ? robustLInfinity(simple, n, m) : simple, simple, n, m };
}

/**
 * Deequ's `categoricalLInfinityDistance`: max over all categories of |p₁(v) − p₂(v)|, each side normalized by its own
 * total. NaN when a side is empty.
 */
export function categoricalDistance<K>(
  baseline: ReadonlyMap<K, number>,
  current: ReadonlyMap<K, number>,
  method: LInfinityMethod = 'Simple',
): LInfinityDistance {
  let n = 0;
  let m = 0;
  for (const count of baseline.values()) n += count;
  for (const count of current.values()) m += count;
  if (n === 0 || m === 0) return { distance: NaN, simple: NaN, n, m };
  let simple = 0;
  for (const [key, count] of baseline) simple = Math.max(simple, Math.abs(count / n - (current.get(key) ?? 0) / m));
  for (const [key, count] of current) {
    if (!baseline.has(key)) simple = Math.max(simple, count / m);
  }
  return { distance: method === 'Robust' ? robustLInfinity(simple, n, m) : simple, simple, n, m };
}

export interface ChiSquareResult {
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
}

/**
 * Deequ's `categoricalChiSquareTest` (goodness of fit of the current counts to the baseline proportions).
 *
 * The baseline counts are rescaled to the current total over the baseline's categories; then, as long as too many
 * expected counts are small (2 categories: any below 10, Cochran; more: over 20 % below 5, Yates), the smallest
 * expected category is folded into the next smallest. Categories only the current data has are ignored (the
 * categorical values check reports those). Returns null when fewer than two categories remain, where Deequ returns
 * NaN. Ties between equally small categories go to the first in the baseline's order, where Deequ's hash map order
 * decides.
 */
export function chiSquareTest<K>(
  current: ReadonlyMap<K, number>,
  baseline: ReadonlyMap<K, number>,
): ChiSquareResult | null {
  let currentInBaseline = 0;
  let baselineTotal = 0;
  for (const [key, count] of baseline) {
    baselineTotal += count;
    currentInBaseline += current.get(key) ?? 0;
  }
  const expected = new Map<K, number>();
  for (const [key, count] of baseline) expected.set(key, (count / baselineTotal) * currentInBaseline);
  const observed = new Map<K, number>(current);
  regroupCategories(observed, expected);
  if (expected.size < 2) return null;

  let observedTotal = 0;
  let expectedTotal = 0;
  for (const [key, count] of expected) {
    observedTotal += observed.get(key) ?? 0;
    expectedTotal += count;
  }
  // Spark's `chiSqTest` rescales the expected counts when their total differs from the observed total.
  const scale = Math.abs(observedTotal - expectedTotal) < 1e-7 ? 1 : observedTotal / expectedTotal;
  let statistic = 0;
  for (const [key, count] of expected) {
    const expectedCount = count * scale;
    const difference = (observed.get(key) ?? 0) - expectedCount;
    statistic += (difference * difference) / expectedCount;
  }
  const degreesOfFreedom = expected.size - 1;
  return { statistic, degreesOfFreedom, pValue: chiSquareSurvival(statistic, degreesOfFreedom) };
}

function regroupCategories<K>(observed: Map<K, number>, expected: Map<K, number>): void {
  for (;;) {
    if (expected.size < 2) return;
    const [threshold, allowedBelow] = expected.size > 2 ? [5, Math.floor(0.2 * expected.size)] : [10, 0];
    let below = 0;
    for (const count of expected.values()) if (count < threshold) below++;
    if (below <= allowedBelow) return;
    const smallest = smallestEntry(expected);
    const observedSmallest = observed.get(smallest[0]) ?? 0;
    expected.delete(smallest[0]);
    observed.delete(smallest[0]);
    const next = smallestEntry(expected);
    expected.set(next[0], next[1] + smallest[1]);
    observed.set(next[0], (observed.get(next[0]) ?? 0) + observedSmallest);
  }
}

function smallestEntry<K>(counts: Map<K, number>): [K, number] {
  let best: [K, number] | undefined;
  for (const entry of counts) if (best === undefined || entry[1] < best[1]) best = entry;
  return best!;
}

/** P(X ≥ x) for X ~ χ²(k): the regularized upper incomplete gamma function Q(k/2, x/2). */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  if (!(x > 0)) return 1;
  return regularizedUpperGamma(degreesOfFreedom / 2, x / 2);
}

/** Q(a, x), by its series below x = a + 1 and Lentz's continued fraction above (Numerical Recipes §6.2). */
function regularizedUpperGamma(a: number, x: number): number {
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefactor));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefactor) * h;
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; about 15 significant digits). */
function logGamma(x: number): number {
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let sum = coefficients[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) sum += coefficients[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum);
}
