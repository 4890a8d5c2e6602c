import { sortDoubles } from './sort.js';

/**
 * Deequ's KLL quantile sketch (`QuantileNonSample` + `NonSampleCompactor`), ported so that a sketch built here
 * serializes to the `sketch` object of a Model Monitor `statistics.json`, and a sketch read from one answers rank
 * queries as Deequ's does.
 *
 * The algorithm, as in Deequ:
 * - The sketch is a stack of compactors ("levels"); an item at level h stands for 2^h values. Level h holds up to
 *   `2·(ceil(k·c^h / 2) + 1)` items, so level 0 is the largest (2050 items for k = 2048, then 1314, 842, ...).
 * - `update` appends to level 0. When the items of all levels exceed the sum of their capacities, the lowest level at
 *   or over its own capacity is compacted, once: its items (minus the last one when their number is odd, which stays)
 *   are sorted and every second item, starting at the level's offset, is appended to the level above (created on
 *   demand). Levels below capacity may hold more than their capacity while the total has room.
 * - The offset is deterministic: it flips before every compaction whose count so far is odd, giving 0,1,1,0,0,1,1,...
 *   Deequ's random offset is commented out; its determinism is what makes the same input give the same sketch.
 * - `merge` appends the other sketch's levels to this one's, level by level, then compacts while the item count is at
 *   or above the total capacity (`>=` here, `>` in `update`, as in Deequ).
 *
 * Model Monitor's `data` is the list of level buffers, level 0 first, in buffer order (not sorted). The per-level
 * compaction counts that drive the offsets are not part of that format: a sketch read back from JSON starts them at 0,
 * exactly as Deequ's own deserialization from Model Monitor output would.
 *
 * Queries work on the weighted items. `rank(x)` is the total weight of items ≤ x (Deequ's `getRank`),
 * `rankExclusive(x)` of items < x. Where Deequ's `getRankMap` keys a map by item and so keeps a single weight for
 * equal items, the sorted view here sums their weights: the CDF then counts every value the sketch represents, which
 * only differs from Deequ when the sketch holds repeated values (low-cardinality integer columns).
 */

/** Deequ's default sketch size (`KLLSketch.DEFAULT_SKETCH_SIZE`), which Model Monitor uses. */
export const KLL_SKETCH_SIZE = 2048;
/** Deequ's default shrinking factor (`KLLSketch.DEFAULT_SHRINKING_FACTOR`). */
export const KLL_SHRINKING_FACTOR = 0.64;
/** Model Monitor materializes the distribution in 10 equal-width buckets (not configurable there). */
export const KLL_BUCKET_COUNT = 10;

/** The `sketch` object of Model Monitor's `distribution.kll`. */
export interface KllSketchJson {
  parameters: { c: number; k: number };
  data: number[][];
}

/** One of Model Monitor's equal-width `distribution.kll.buckets`. */
export interface KllBucket {
  lower_bound: number;
  upper_bound: number;
  count: number;
}

/** A structured-clone-friendly copy of the whole sketch, including compaction state (for worker threads). */
export interface KllSketchState {
  sketchSize: number;
  shrinkingFactor: number;
  levels: Float64Array[];
  compactions: number[];
  offsets: number[];
}

/** Items sorted ascending with their running (inclusive) weight; equal items stay separate. */
export interface KllSortedItems {
  readonly values: Float64Array;
  readonly cumulativeWeights: Float64Array;
  readonly totalWeight: number;
}

export class KllSketch {
  readonly sketchSize: number;
  readonly shrinkingFactor: number;

  private levels: Float64Array[] = [];
  private sizes: number[] = [];
  private capacities: number[] = [];
  private compactions: number[] = [];
  private offsets: number[] = [];
  private totalCapacity = 0;
  /** Items held over all levels (Deequ's `compactorActualSize`). */
  private itemCount = 0;
  /** Values represented: Σ items·2^level. Compaction keeps it unchanged. */
  private weight = 0;
  private sorted: KllSortedItems | null = null;
  /** Level buffers of a `reset` sketch, reused by `addLevel`. */
  private spareLevels: Float64Array[] = [];

  constructor(sketchSize: number = KLL_SKETCH_SIZE, shrinkingFactor: number = KLL_SHRINKING_FACTOR) {
    if (!Number.isInteger(sketchSize) || sketchSize < 2) {
      throw new RangeError(`KLL sketch size must be an integer ≥ 2, got ${sketchSize}`);
    }
    if (!(shrinkingFactor > 0 && shrinkingFactor < 1)) {
      throw new RangeError(`KLL shrinking factor must be in (0, 1), got ${shrinkingFactor}`);
    }
    this.sketchSize = sketchSize;
    this.shrinkingFactor = shrinkingFactor;
    this.addLevel();
  }

  /** Number of values the sketch represents (the sum of item weights). */
  get count(): number {
    return this.weight;
  }

  /** Items currently retained over all levels. */
  get retainedItems(): number {
    return this.itemCount;
  }

  get levelCount(): number {
    return this.levels.length;
  }

  /** Deequ's `capacity(height)`. */
  capacity(level: number): number {
    return 2 * (Math.ceil((this.sketchSize * Math.pow(this.shrinkingFactor, level)) / 2) + 1);
  }

  /** Adds one value. NaN has no rank and is ignored; callers keep missing values out. */
  update(value: number): void {
    if (value !== value) return;
    let buffer = this.levels[0]!;
    const size = this.sizes[0]!;
    if (size === buffer.length) buffer = this.reserve(0, size + 1);
    buffer[size] = value;
    this.sizes[0] = size + 1;
    this.weight++;
    this.sorted = null;
    if (++this.itemCount > this.totalCapacity) this.condense();
  }

  /**
   * Adds values[from, to) in order, with exactly the result of `update` on each: the values are copied into level 0
   * in runs that end where `update` would condense, and condensed there. None may be NaN (callers keep missing values
   * out).
   */
  updateMany(values: Float64Array, from: number, to: number): void {
    let at = from;
    while (at < to) {
      // `update` condenses right after the item that takes the count past the total capacity.
      const take = Math.min(to - at, Math.max(1, this.totalCapacity - this.itemCount + 1));
      const size = this.sizes[0]!;
      const buffer = this.reserve(0, size + take);
      for (let i = 0; i < take; i++) buffer[size + i] = values[at + i]!;
      this.sizes[0] = size + take;
      this.itemCount += take;
      this.weight += take;
      at += take;
      if (this.itemCount > this.totalCapacity) this.condense();
    }
    this.sorted = null;
  }

  /** Merges `other` into this sketch (Deequ's `merge`); `other` is left unchanged. */
  merge(other: KllSketch): this {
    this.checkParameters(other.sketchSize, other.shrinkingFactor);
    const source = other === this ? KllSketch.fromState(this.toState()) : other;
    return this.mergeLevels(source.levels, source.sizes, source.weight);
  }

  /** `merge` of a sketch given by its state (as a worker thread posts it), without making the sketch first. */
  mergeState(state: KllSketchState): this {
    this.checkParameters(state.sketchSize, state.shrinkingFactor);
    let weight = 0;
    state.levels.forEach((items, level) => (weight += items.length * 2 ** level));
    return this.mergeLevels(
      state.levels,
      state.levels.map((items) => items.length),
      weight,
    );
  }

  private checkParameters(sketchSize: number, shrinkingFactor: number): void {
    if (sketchSize !== this.sketchSize || shrinkingFactor !== this.shrinkingFactor) {
      throw new RangeError(
        `cannot merge KLL sketches with different parameters (k=${this.sketchSize}, c=${this.shrinkingFactor} ` +
          `and k=${sketchSize}, c=${shrinkingFactor})`,
      );
    }
  }

  /** Appends levels[h][0, sizes[h]) to each level h (values of total weight `weight`), then condenses (Deequ). */
  private mergeLevels(levels: readonly Float64Array[], sizes: readonly number[], weight: number): this {
    while (this.levels.length < levels.length) this.addLevel();
    for (let level = 0; level < levels.length; level++) {
      const incoming = sizes[level]!;
      if (incoming === 0) continue;
      const size = this.sizes[level]!;
      const buffer = this.reserve(level, size + incoming);
      buffer.set(levels[level]!.subarray(0, incoming), size);
      this.sizes[level] = size + incoming;
    }
    this.itemCount = this.countItems();
    this.weight += weight;
    this.sorted = null;
    while (this.itemCount >= this.totalCapacity) this.condense();
    return this;
  }

  /** Total weight of items ≤ `value` (Deequ's inclusive `getRank`). */
  rank(value: number): number {
    const { values, cumulativeWeights } = this.sortedItems();
    const index = upperBound(values, value);
    return index === 0 ? 0 : cumulativeWeights[index - 1]!;
  }

  /** Total weight of items < `value` (Deequ's `getRankExclusive`). */
  rankExclusive(value: number): number {
    const { values, cumulativeWeights } = this.sortedItems();
    const index = lowerBound(values, value);
    return index === 0 ? 0 : cumulativeWeights[index - 1]!;
  }

  /** Estimated fraction of values ≤ `value`; 0 for an empty sketch. */
  cdf(value: number): number {
    return this.weight === 0 ? 0 : this.rank(value) / this.weight;
  }

  /**
   * The lower inverse CDF: the smallest retained item whose inclusive rank reaches `fraction`·count. `quantile(0)` is
   * the smallest retained item, `quantile(1)` the largest. NaN for an empty sketch.
   */
  quantile(fraction: number): number {
    if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`quantile fraction must be in [0, 1], got ${fraction}`);
    const { values, cumulativeWeights, totalWeight } = this.sortedItems();
    if (values.length === 0) return NaN;
    const target = fraction * totalWeight;
    let low = 0;
    let high = values.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulativeWeights[middle]! >= target) high = middle;
      else low = middle + 1;
    }
    return values[low]!;
  }

  /** Deequ's `quantiles(q)`: the q−1 quantiles at 1/q … (q−1)/q, with its exact threshold arithmetic. */
  deequQuantiles(q: number): number[] {
    if (!Number.isInteger(q) || q < 2) throw new RangeError(`quantile count must be an integer ≥ 2, got ${q}`);
    const { values, cumulativeWeights, totalWeight } = this.sortedItems();
    if (values.length === 0) return [];
    const result = new Array<number>(q - 1).fill(values[0]!);
    let nextThreshold = Math.floor(totalWeight / q);
    let quantileIndex = 1;
    let i = 0;
    let sumSoFar = 0;
    while (i < values.length && quantileIndex < q) {
      while (sumSoFar < nextThreshold) {
        sumSoFar = cumulativeWeights[i]!;
        i++;
      }
      result[quantileIndex - 1] = values[Math.min(i, values.length - 1)]!;
      quantileIndex++;
      nextThreshold = Math.floor((quantileIndex * totalWeight) / q);
    }
    return result;
  }

  /**
   * Model Monitor's `distribution.kll.buckets`, computed as Deequ's `KLLSketch.computeMetricFrom`: `bucketCount`
   * equal-width buckets from `min` to `max` (the exact column extremes, which compaction may have dropped from the
   * sketch); each counts the weight in [lower, upper), the last one in [lower, upper].
   */
  buckets(min: number, max: number, bucketCount: number = KLL_BUCKET_COUNT): KllBucket[] {
    const buckets: KllBucket[] = [];
    for (let i = 0; i < bucketCount; i++) {
      const lower = min + ((max - min) * i) / bucketCount;
      const upper = min + ((max - min) * (i + 1)) / bucketCount;
      const upperRank = i === bucketCount - 1 ? this.rank(upper) : this.rankExclusive(upper);
      buckets.push({ lower_bound: lower, upper_bound: upper, count: upperRank - this.rankExclusive(lower) });
    }
    return buckets;
  }

  /** Items sorted by value with running weights; cached until the next update or merge. */
  sortedItems(): KllSortedItems {
    if (this.sorted !== null) return this.sorted;
    let values: Float64Array = new Float64Array(0);
    let weights: Float64Array = new Float64Array(0);
    for (let level = 0; level < this.levels.length; level++) {
      const size = this.sizes[level]!;
      if (size === 0) continue;
      const run = this.levels[level]!.slice(0, size);
      sortDoubles(run, size);
      [values, weights] = mergeRuns(values, weights, run, 2 ** level);
    }
    let running = 0;
    for (let i = 0; i < weights.length; i++) {
      running += weights[i]!;
      weights[i] = running;
    }
    this.sorted = { values, cumulativeWeights: weights, totalWeight: this.weight };
    return this.sorted;
  }

  /** Model Monitor's `sketch` object: `{ parameters: { c, k }, data: [[level 0 items], [level 1 items], ...] }`. */
  toJSON(): KllSketchJson {
    return {
      parameters: { c: this.shrinkingFactor, k: this.sketchSize },
      data: this.levels.map((buffer, level) => Array.from(buffer.subarray(0, this.sizes[level]!))),
    };
  }

  /** Rebuilds a sketch from Model Monitor's `sketch` object; `toJSON()` of the result equals the input. */
  static fromJSON(json: KllSketchJson): KllSketch {
    const sketch = new KllSketch(json.parameters.k, json.parameters.c);
    json.data.forEach((items, level) => {
      if (level >= sketch.levels.length) sketch.addLevel();
      for (const item of items) {
        if (typeof item !== 'number' || !Number.isFinite(item)) {
          throw new TypeError(`KLL sketch items must be finite numbers, got ${String(item)} at level ${level}`);
        }
      }
      sketch.reserve(level, items.length).set(items);
      sketch.sizes[level] = items.length;
      sketch.weight += items.length * 2 ** level;
    });
    sketch.itemCount = sketch.countItems();
    return sketch;
  }

  toState(): KllSketchState {
    return {
      sketchSize: this.sketchSize,
      shrinkingFactor: this.shrinkingFactor,
      levels: this.levels.map((buffer, level) => buffer.slice(0, this.sizes[level]!)),
      compactions: [...this.compactions],
      offsets: [...this.offsets],
    };
  }

  static fromState(state: KllSketchState): KllSketch {
    const sketch = new KllSketch(state.sketchSize, state.shrinkingFactor);
    state.levels.forEach((items, level) => {
      if (level >= sketch.levels.length) sketch.addLevel();
      sketch.reserve(level, items.length).set(items);
      sketch.sizes[level] = items.length;
      sketch.weight += items.length * 2 ** level;
      sketch.compactions[level] = state.compactions[level] ?? 0;
      sketch.offsets[level] = state.offsets[level] ?? 0;
    });
    sketch.itemCount = sketch.countItems();
    return sketch;
  }

  /** Empties the sketch, as new, keeping its buffers for reuse (a worker thread profiles chunk after chunk). */
  reset(): void {
    while (this.levels.length > 1) this.spareLevels.push(this.levels.pop()!);
    this.sizes = [0];
    this.capacities = [this.capacities[0]!];
    this.compactions = [0];
    this.offsets = [0];
    this.totalCapacity = this.capacities[0]!;
    this.itemCount = 0;
    this.weight = 0;
    this.sorted = null;
  }

  /** Deequ's `expand`. */
  private addLevel(): void {
    const level = this.levels.length;
    const capacity = this.capacity(level);
    const spare = this.spareLevels.pop();
    this.levels.push(spare !== undefined && spare.length >= capacity + 2 ? spare : new Float64Array(capacity + 2));
    this.sizes.push(0);
    this.capacities.push(capacity);
    this.compactions.push(0);
    this.offsets.push(0);
    this.totalCapacity += capacity;
  }

  /** Deequ's `condense`: compacts the lowest level at or over its capacity, once. */
  private condense(): void {
    for (let level = 0; level < this.levels.length; level++) {
      if (this.sizes[level]! >= this.capacities[level]!) {
        if (level + 1 >= this.levels.length) this.addLevel();
        this.compact(level);
        this.itemCount = this.countItems();
        return;
      }
    }
  }

  /** Deequ's `NonSampleCompactor.compact`, writing its output straight into the level above. */
  private compact(level: number): void {
    const buffer = this.levels[level]!;
    const size = this.sizes[level]!;
    const evenSize = size - (size % 2);
    if (this.compactions[level]! % 2 === 1) this.offsets[level] = 1 - this.offsets[level]!;
    sortDoubles(buffer, evenSize);
    const aboveSize = this.sizes[level + 1]!;
    const above = this.reserve(level + 1, aboveSize + evenSize / 2);
    let written = aboveSize;
    for (let i = this.offsets[level]!; i < evenSize; i += 2) above[written++] = buffer[i]!;
    this.sizes[level + 1] = written;
    if (size % 2 === 1) {
      buffer[0] = buffer[size - 1]!;
      this.sizes[level] = 1;
    } else {
      this.sizes[level] = 0;
    }
    this.compactions[level]!++;
  }

  /** Makes room for `required` items at `level`, doubling the buffer so that appends are amortized O(1). */
  private reserve(level: number, required: number): Float64Array {
    const buffer = this.levels[level]!;
    if (required <= buffer.length) return buffer;
    const grown = new Float64Array(Math.max(required, buffer.length * 2));
    grown.set(buffer.subarray(0, this.sizes[level]!));
    this.levels[level] = grown;
    return grown;
  }

  private countItems(): number {
    let total = 0;
    for (const size of this.sizes) total += size;
    return total;
  }
}

/** Index of the first element > value. */
function upperBound(values: Float64Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the first element ≥ value. */
function lowerBound(values: Float64Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Merges a sorted run of equally weighted items into sorted (value, weight) arrays; ties keep the lower level first. */
function mergeRuns(
  values: Float64Array,
  weights: Float64Array,
  run: Float64Array,
  runWeight: number,
): [Float64Array, Float64Array] {
  const mergedValues = new Float64Array(values.length + run.length);
  const mergedWeights = new Float64Array(mergedValues.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < values.length && j < run.length) {
    if (values[i]! <= run[j]!) {
      mergedValues[k] = values[i]!;
      mergedWeights[k++] = weights[i++]!;
    } else {
      mergedValues[k] = run[j++]!;
      mergedWeights[k++] = runWeight;
    }
  }
  while (i < values.length) {
    mergedValues[k] = values[i]!;
    mergedWeights[k++] = weights[i++]!;
  }
  while (j < run.length) {
    mergedValues[k] = run[j++]!;
    mergedWeights[k++] = runWeight;
  }
  return [mergedValues, mergedWeights];
}
