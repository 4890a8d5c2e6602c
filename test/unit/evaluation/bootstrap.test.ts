import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Xoshiro128StarStar,
  bootstrap,
  createResampleScratch,
  quantileOfSorted,
  resampleWeights,
} from '../../../packages/data/src/evaluation/index.js';
import type { WeightedStatistics } from '../../../packages/data/src/evaluation/index.js';

const draws = (generator: Xoshiro128StarStar, count: number): number[] =>
  Array.from({ length: count }, () => generator.nextUint32());

describe('Xoshiro128StarStar', () => {
  it('reproduces the reference implementation from state {1, 2, 3, 4}', () => {
    // Outputs of Blackman & Vigna's xoshiro128starstar.c, recomputed with a few lines of Python for this test.
    assert.deepEqual(
      draws(Xoshiro128StarStar.fromState([1, 2, 3, 4]), 6),
      [11520, 0, 5927040, 70819200, 2031721883, 1637235492],
    );
  });

  it('gives the same stream for the same seed and different streams for different seeds', () => {
    assert.deepEqual(draws(new Xoshiro128StarStar(42), 100), draws(new Xoshiro128StarStar(42), 100));
    const seeds = [0, 1, 2, -1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
    const firsts = seeds.map((seed) => draws(new Xoshiro128StarStar(seed), 4).join(','));
    assert.equal(new Set(firsts).size, seeds.length);
  });

  it('refuses seeds that are not safe integers and the all-zero state', () => {
    for (const seed of [0.5, Number.NaN, 2 ** 53]) assert.throws(() => new Xoshiro128StarStar(seed), RangeError);
    assert.throws(() => Xoshiro128StarStar.fromState([0, 0, 0, 0]), RangeError);
  });

  it('draws bounded integers uniformly', () => {
    const generator = new Xoshiro128StarStar(7);
    const bound = 10;
    const samples = 100_000;
    const target = new Uint32Array(samples);
    generator.fillBelow(target, samples, bound);
    const counts = new Array<number>(bound).fill(0);
    for (const value of target) counts[value]!++;
    const expected = samples / bound;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: the 99.9 % quantile is 27.9. The seed is fixed, so this cannot flake.
    assert.ok(chiSquare < 27.9, `chi-square ${chiSquare} for ${counts.join(', ')}`);
    assert.ok(target.every((value) => value < bound));
  });

  it('covers the whole range, bound 1 and 2^32 included', () => {
    const generator = new Xoshiro128StarStar(3);
    assert.equal(generator.nextBelow(1), 0);
    const big = generator.nextBelow(2 ** 32);
    assert.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 32);
    const float = generator.nextFloat();
    assert.ok(float >= 0 && float < 1);
    for (const bound of [0, 1.5, 2 ** 32 + 1]) assert.throws(() => generator.nextBelow(bound), RangeError);
  });
});

describe('resampleWeights', () => {
  for (const rowCount of [1, 7, 100_000, 2 ** 20 + 5]) {
    it(`draws exactly n rows with replacement (n = ${rowCount})`, () => {
      const weights = new Int32Array(rowCount);
      const scratch = createResampleScratch(rowCount, new Xoshiro128StarStar(11));
      resampleWeights(weights, scratch);
      let total = 0;
      let zeros = 0;
      for (const weight of weights) {
        assert.ok(weight >= 0);
        total += weight;
        if (weight === 0) zeros++;
      }
      assert.equal(total, rowCount);
      if (rowCount >= 100_000) {
        // A row is left out with probability (1 − 1/n)^n ≈ e^−1.
        assert.ok(Math.abs(zeros / rowCount - Math.exp(-1)) < 0.005, `share of zeros ${zeros / rowCount}`);
      }
    });
  }

  it('spreads draws evenly over the blocks of the two-stage resampler', () => {
    const rowCount = 2 ** 21 + 3;
    const weights = new Int32Array(rowCount);
    resampleWeights(weights, createResampleScratch(rowCount, new Xoshiro128StarStar(5)));
    const blockSize = 2 ** 16;
    const blockCount = Math.ceil(rowCount / blockSize);
    let chiSquare = 0;
    for (let block = 0; block < blockCount; block++) {
      const start = block * blockSize;
      const size = Math.min(blockSize, rowCount - start);
      let sum = 0;
      for (let row = start; row < start + size; row++) sum += weights[row]!;
      chiSquare += (sum - size) ** 2 / size;
    }
    // 32 degrees of freedom (33 blocks): the 99.9 % quantile is 62.5.
    assert.ok(chiSquare < 62.5, `chi-square ${chiSquare}`);
  });

  it('is reproducible for a seed', () => {
    const resample = (seed: number): Int32Array => {
      const weights = new Int32Array(1000);
      const scratch = createResampleScratch(1000, new Xoshiro128StarStar(seed));
      resampleWeights(weights, scratch);
      resampleWeights(weights, scratch);
      return weights;
    };
    assert.deepEqual(resample(9), resample(9));
    assert.notDeepEqual(resample(9), resample(10));
  });
});

describe('quantileOfSorted', () => {
  // numpy.quantile([1, 2, 3, 4], q) with the default linear method.
  const cases: [number[], number, number][] = [
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 0.25, 1.75],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.975, 3.925],
    [[1, 2, 3, 4], 1, 4],
    [[3], 0.3, 3],
  ];
  for (const [values, q, expected] of cases) {
    it(`quantile ${q} of [${values.join(', ')}] is ${expected}`, () => {
      assert.ok(Math.abs(quantileOfSorted(values, q) - expected) < 1e-12);
    });
  }
  it('is NaN for no values', () => assert.ok(Number.isNaN(quantileOfSorted([], 0.5))));
});

describe('bootstrap', () => {
  const values = Float64Array.from({ length: 400 }, (_, index) => Math.sin(index) * 10 + index / 40);
  const weightedMean: WeightedStatistics = {
    names: ['mean', 'undefined-when-first-row-missing'],
    evaluate(weights, out) {
      let sum = 0;
      let total = 0;
      for (let row = 0; row < values.length; row++) {
        sum += weights[row]! * values[row]!;
        total += weights[row]!;
      }
      out[0] = sum / total;
      out[1] = weights[0] === 0 ? Number.NaN : 1;
    },
  };

  it('estimates with every weight at 1 and brackets the estimate', () => {
    const { estimates, intervals } = bootstrap(values.length, weightedMean, {
      samples: 2000,
      confidence: 0.95,
      seed: 1,
    });
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    assert.ok(Math.abs(estimates[0]! - mean) < 1e-12);
    const interval = intervals[0]!;
    assert.ok(interval.lower < mean && mean < interval.upper);
    // The bootstrap standard error of a mean is close to s / √n.
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
    const standardError = Math.sqrt(variance / values.length);
    assert.ok(Math.abs(interval.standardDeviation / standardError - 1) < 0.1);
    assert.ok(Math.abs((interval.upper - interval.lower) / (2 * 1.96 * standardError) - 1) < 0.1);
  });

  it('leaves out replicates where a statistic is undefined', () => {
    const { intervals } = bootstrap(values.length, weightedMean, { samples: 1000, confidence: 0.9, seed: 2 });
    const definedSamples = intervals[1]!.definedSamples;
    // Row 0 is missing from a resample with probability ≈ e^−1.
    assert.ok(definedSamples > 560 && definedSamples < 700, `defined in ${definedSamples}`);
  });

  it('draws no replicate for 0 samples', () => {
    const { estimates, intervals } = bootstrap(values.length, weightedMean, { samples: 0, confidence: 0.95, seed: 1 });
    assert.equal(estimates.length, 2);
    assert.deepEqual(intervals, [undefined, undefined]);
  });
});
