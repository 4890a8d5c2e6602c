import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KLL_SHRINKING_FACTOR, KLL_SKETCH_SIZE, KllSketch, type KllBucket } from '@mlops-actions/data';
import { rankError, readFixtureJson, seededNormal, seededRandom } from './helpers.js';

interface KllReference {
  single: { start: number; count: number; data: number[][]; quantiles10: number[]; buckets: KllBucket[] };
  merged: { second_start: number; second_count: number; data: number[][] };
}

/** The stream the Python transcription of Deequ's sketch was run on (scripts/fixtures/data-reference.py). */
function referenceStream(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, j) => (((start + j) * 2654435761) % 4294967296) % 100000);
}

function sketchOf(values: Iterable<number>): KllSketch {
  const sketch = new KllSketch();
  for (const value of values) sketch.update(value);
  return sketch;
}

function lognormalValues(count: number, seed: number): Float64Array {
  const normal = seededNormal(seed);
  return Float64Array.from({ length: count }, () => Math.exp(1 + 0.75 * normal()));
}

function maxQuantileRankError(sketch: KllSketch, sorted: Float64Array): number {
  let worst = 0;
  for (let percent = 1; percent <= 99; percent++) {
    worst = Math.max(worst, rankError(sorted, sketch.quantile(percent / 100), percent / 100));
  }
  return worst;
}

describe('KllSketch: Deequ port', () => {
  const reference = readFixtureJson<KllReference>('kll-reference.json');

  it('uses Deequ defaults and level capacities 2·(ceil(k·c^h/2)+1)', () => {
    const sketch = new KllSketch();
    assert.equal(sketch.sketchSize, KLL_SKETCH_SIZE);
    assert.equal(sketch.shrinkingFactor, KLL_SHRINKING_FACTOR);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 10, 16, 30].map((level) => sketch.capacity(level)),
      [2050, 1314, 842, 540, 346, 222, 26, 4, 4],
    );
  });

  it('produces the same levels as the transcription of QuantileNonSample.scala', () => {
    const sketch = sketchOf(referenceStream(reference.single.start, reference.single.count));
    assert.deepEqual(sketch.toJSON().data, reference.single.data);
    assert.equal(sketch.count, reference.single.count);
  });

  it("matches Deequ's quantiles(10) and its equal-width bucket counts", () => {
    const sketch = sketchOf(referenceStream(reference.single.start, reference.single.count));
    assert.deepEqual(sketch.deequQuantiles(10), reference.single.quantiles10);
    assert.deepEqual(sketch.buckets(0, 99999), reference.single.buckets);
  });

  it("merges as Deequ's merge does (concatenate levels, then condense)", () => {
    const first = sketchOf(referenceStream(reference.single.start, reference.single.count));
    const second = sketchOf(referenceStream(reference.merged.second_start, reference.merged.second_count));
    first.merge(second);
    assert.deepEqual(first.toJSON().data, reference.merged.data);
    assert.equal(first.count, reference.single.count + reference.merged.second_count);
    assert.equal(second.count, reference.merged.second_count, 'the merged-in sketch is left unchanged');
  });
});

describe('KllSketch: serialization', () => {
  it('writes Model Monitor parameters and levels, level 0 first', () => {
    const sketch = sketchOf([3, 1, 2]);
    assert.deepEqual(sketch.toJSON(), { parameters: { c: 0.64, k: 2048 }, data: [[3, 1, 2]] });
  });

  it('round-trips exactly through JSON text, and answers the same queries', () => {
    const values = lognormalValues(30_000, 7);
    const sketch = sketchOf(values);
    const restored = KllSketch.fromJSON(JSON.parse(JSON.stringify(sketch.toJSON())));
    assert.deepEqual(restored.toJSON(), sketch.toJSON());
    assert.equal(restored.count, sketch.count);
    for (const fraction of [0, 0.1, 0.5, 0.9, 1]) assert.equal(restored.quantile(fraction), sketch.quantile(fraction));
    assert.equal(restored.rank(3), sketch.rank(3));
  });

  it('is deterministic: the same input gives identical serialized data', () => {
    const values = lognormalValues(120_000, 11);
    assert.deepEqual(sketchOf(values).toJSON(), sketchOf(values).toJSON());
  });

  it('keeps compaction state through toState/fromState, so a restored sketch continues identically', () => {
    const values = lognormalValues(40_000, 5);
    const whole = sketchOf(values);
    const half = sketchOf(values.subarray(0, 20_000));
    const resumed = KllSketch.fromState(structuredClone(half.toState()));
    for (const value of values.subarray(20_000)) resumed.update(value);
    assert.deepEqual(resumed.toJSON(), whole.toJSON());
  });
});

describe('KllSketch: accuracy', () => {
  it('answers quantiles 0.01..0.99 within 1% rank error on 200 000 values (many compactions)', () => {
    const normal = seededNormal(2024);
    const values = Float64Array.from({ length: 200_000 }, () => 100 + 15 * normal());
    const sketch = sketchOf(values);
    assert.ok(sketch.levelCount >= 6, `expected several compaction levels, got ${sketch.levelCount}`);
    assert.ok(sketch.retainedItems < 8000, `the sketch stays small (${sketch.retainedItems} items)`);
    assert.equal(sketch.count, values.length);
    assert.ok(maxQuantileRankError(sketch, values.slice().sort()) <= 0.01);
  });

  it('stays within 1% on skewed data with many repeated values', () => {
    const random = seededRandom(99);
    const values = Float64Array.from({ length: 150_000 }, () => Math.floor(-Math.log(1 - random()) * 20));
    const sketch = sketchOf(values);
    assert.ok(maxQuantileRankError(sketch, values.slice().sort()) <= 0.01);
  });

  it('has consistent rank, exclusive rank and CDF', () => {
    const values = lognormalValues(50_000, 3);
    const sketch = sketchOf(values);
    const sorted = values.slice().sort();
    assert.equal(sketch.rank(sorted[0]! - 1), 0);
    assert.equal(sketch.rank(sorted[sorted.length - 1]!), values.length);
    assert.equal(sketch.cdf(Infinity), 1);
    let previous = 0;
    for (const x of [0.5, 1, 2, 3, 5, 8, 13, 21]) {
      assert.ok(sketch.rankExclusive(x) <= sketch.rank(x));
      assert.ok(sketch.cdf(x) >= previous);
      previous = sketch.cdf(x);
      const trueFraction =
        (sorted.findIndex((v) => v > x) === -1 ? sorted.length : sorted.findIndex((v) => v > x)) / sorted.length;
      assert.ok(Math.abs(sketch.cdf(x) - trueFraction) <= 0.01, `cdf(${x})`);
    }
  });

  it('counts every value in the 10 equal-width buckets, the last one closed', () => {
    const values = lognormalValues(25_000, 21);
    const sketch = sketchOf(values);
    let min = Infinity;
    let max = -Infinity;
    for (const value of values) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    const buckets = sketch.buckets(min, max);
    assert.equal(buckets.length, 10);
    assert.equal(buckets[0]!.lower_bound, min);
    assert.equal(buckets[9]!.upper_bound, max);
    assert.equal(
      buckets.reduce((total, bucket) => total + bucket.count, 0),
      values.length,
    );
    const constant = sketchOf([4, 4, 4]).buckets(4, 4);
    assert.deepEqual(
      constant.map((bucket) => bucket.count),
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 3],
    );
  });

  it('answers NaN and empty results for an empty sketch, and ignores NaN updates', () => {
    const sketch = new KllSketch();
    sketch.update(NaN);
    assert.equal(sketch.count, 0);
    assert.ok(Number.isNaN(sketch.quantile(0.5)));
    assert.deepEqual(sketch.deequQuantiles(4), []);
    assert.equal(sketch.cdf(1), 0);
  });

  it('refuses to merge sketches with different parameters', () => {
    assert.throws(() => new KllSketch(2048, 0.64).merge(new KllSketch(1024, 0.64)), /different parameters/);
  });

  it('merges any split of the data into a sketch within 1% rank error of the whole (property)', () => {
    const values = lognormalValues(60_000, 42);
    const sorted = values.slice().sort();
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: values.length - 1 }), { minLength: 1, maxLength: 6 }),
        (cuts) => {
          const bounds = [0, ...cuts.sort((a, b) => a - b), values.length];
          const parts = bounds.slice(1).map((end, i) => sketchOf(values.subarray(bounds[i]!, end)));
          const merged = parts.reduce((accumulator, part) => accumulator.merge(part));
          assert.equal(merged.count, values.length);
          assert.ok(maxQuantileRankError(merged, sorted) <= 0.01);
        },
      ),
      { numRuns: 15, seed: 1 },
    );
  });

  it('merges a sketch into itself as two copies', () => {
    const sketch = sketchOf([1, 2, 3]);
    sketch.merge(sketch);
    assert.equal(sketch.count, 6);
    assert.equal(sketch.rank(2), 4);
  });
});
