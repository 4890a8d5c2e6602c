import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  categoricalDistance,
  checkAgainstBaseline,
  chiSquareSurvival,
  chiSquareTest,
  type ConstraintViolation,
  DatasetProfile,
  formatModelMonitorJson,
  KllSketch,
  type ModelMonitorConstraints,
  numericalDistance,
  parseConstraints,
  parseStatistics,
  robustLInfinity,
  suggestConstraints,
  toStatistics,
} from '@mlops-actions/data';
import { profileRows, readCsv, seededNormal } from './helpers.js';

const baselineCsv = readCsv('baseline.csv');
const brokenCsv = readCsv('current-broken.csv');
const baselineProfile = profileRows(baselineCsv.header, baselineCsv.rows);
// The baseline files go through their JSON text, as they would from S3.
const statistics = parseStatistics(formatModelMonitorJson(toStatistics(baselineProfile)), 'statistics.json');
const constraints = parseConstraints(formatModelMonitorJson(suggestConstraints(baselineProfile)), 'constraints.json');

function withConfig(change: (copy: ModelMonitorConstraints) => void): ModelMonitorConstraints {
  const copy = structuredClone(constraints);
  change(copy);
  return copy;
}

function summary(violations: ConstraintViolation[]): string[] {
  return violations.map((violation) => `${violation.feature_name}: ${violation.constraint_check_type}`).sort();
}

function profileOf(header: string[], rows: (string | number | null)[][]): DatasetProfile {
  const profile = new DatasetProfile(header);
  for (const row of rows) profile.addRow(row);
  return profile;
}

describe('checkAgainstBaseline', () => {
  it('finds nothing when the suggested baseline is checked against its own data', () => {
    assert.deepEqual(checkAgainstBaseline({ current: baselineProfile, statistics, constraints }), []);
  });

  it('finds nothing when the same data arrives in a different order and split across parts', () => {
    const reversed = [...baselineCsv.rows].reverse();
    const current = profileRows(baselineCsv.header, reversed, {}, 0, 2500).merge(
      profileRows(baselineCsv.header, reversed, {}, 2500, 5000),
    );
    assert.deepEqual(checkAgainstBaseline({ current, statistics, constraints }), []);
  });

  it('finds the breakage in current-broken.csv, worded as Model Monitor words it', () => {
    const current = profileRows(brokenCsv.header, brokenCsv.rows);
    const violations = checkAgainstBaseline({ current, statistics, constraints });
    assert.deepEqual(summary(violations), [
      'category: categorical_values_check',
      'extra: extra_column_check',
      'flag: missing_column_check',
      'integers: data_type_check',
      'normal: baseline_drift_check',
      'with_missing: completeness_check',
    ]);
    const byType = Object.fromEntries(violations.map((violation) => [violation.constraint_check_type, violation]));
    assert.equal(
      byType.data_type_check!.description,
      'Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. ' +
        'Observed: Only 0.0% of data is Integral.',
    );
    assert.match(
      byType.baseline_drift_check!.description,
      /^Numerical distance: 0\.\d+ exceeds numerical threshold: 0\.1$/,
    );
    assert.match(
      byType.completeness_check!.description,
      /^Data completeness requirement is not met\. Expected completeness: 89\.78%\. Observed: Only 60\.\d+% of data is non-null\.$/,
    );
    assert.match(
      byType.categorical_values_check!.description,
      /^Categorical values requirement is not met\. Expected match: 100\.0%\. Observed: Only 9\d\.\d+% of data is within the baseline domain\. Values outside the baseline domain: 'purple' \(\d+\)\.$/,
    );
    assert.equal(
      byType.missing_column_check!.description,
      'There are missing columns in current dataset. Number of columns in current dataset: 7, ' +
        "Number of columns in baseline constraints: 7. Missing column: 'flag'.",
    );
    assert.match(byType.extra_column_check!.description, /^There are extra columns in current dataset\..*'extra'\.$/);
  });

  it('honours datatype_check_threshold', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i < 95 ? String(i) : `${i}.5`]);
    const baseline = profileOf(
      ['x'],
      Array.from({ length: 100 }, (_, i) => [String(i)]),
    );
    const current = profileOf(['x'], rows);
    const strict = suggestConstraints(baseline);
    const [violation] = checkAgainstBaseline({ current, constraints: strict });
    assert.equal(
      violation!.description,
      'Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. ' +
        'Observed: Only 95.0% of data is Integral.',
    );
    strict.monitoring_config.datatype_check_threshold = 0.9;
    assert.deepEqual(checkAgainstBaseline({ current, constraints: strict }), []);
  });

  it('honours domain_content_threshold', () => {
    const baseline = profileOf(['c'], [['a'], ['b'], ['a'], ['b']]);
    const current = profileOf(['c'], [['a'], ['b'], ['a'], ['z']]);
    const suggested = suggestConstraints(baseline);
    assert.deepEqual(summary(checkAgainstBaseline({ current, constraints: suggested })), [
      'c: categorical_values_check',
    ]);
    suggested.monitoring_config.domain_content_threshold = 0.75;
    assert.deepEqual(checkAgainstBaseline({ current, constraints: suggested }), []);
  });

  it('honours comparison_threshold, comparison_method and perform_comparison', () => {
    const current = profileRows(brokenCsv.header, brokenCsv.rows);
    const drift = (change: (copy: ModelMonitorConstraints) => void): string[] =>
      summary(checkAgainstBaseline({ current, statistics, constraints: withConfig(change) })).filter((entry) =>
        entry.endsWith('baseline_drift_check'),
      );
    assert.deepEqual(
      drift(() => {}),
      ['normal: baseline_drift_check'],
    );
    assert.deepEqual(
      drift((copy) => (copy.monitoring_config.distribution_constraints.comparison_threshold = 0.9)),
      [],
    );
    assert.deepEqual(
      drift((copy) => (copy.monitoring_config.distribution_constraints.perform_comparison = 'Disabled')),
      [],
    );
    // Robust discounts the sampling noise of n = 5000 against m = 2000: 1.8·√((n+m)/(n·m)) ≈ 0.048.
    const distance = (method: 'Simple' | 'Robust'): number => {
      const found = checkAgainstBaseline({
        current,
        statistics,
        constraints: withConfig((copy) => (copy.monitoring_config.distribution_constraints.comparison_method = method)),
      }).find((violation) => violation.feature_name === 'normal')!;
      return Number(/distance: ([\d.]+)/.exec(found.description)![1]);
    };
    assert.ok(Math.abs(distance('Simple') - distance('Robust') - 1.8 * Math.sqrt(7000 / (5000 * 2000))) < 1e-12);
  });

  it('applies feature-level monitoringConfigOverrides', () => {
    const current = profileRows(brokenCsv.header, brokenCsv.rows);
    const overridden = withConfig((copy) => {
      copy.features.find((feature) => feature.name === 'normal')!.monitoringConfigOverrides = {
        distribution_constraints: { comparison_threshold: 0.95 },
      };
      copy.features.find((feature) => feature.name === 'integers')!.monitoringConfigOverrides = {
        evaluate_constraints: 'Disabled',
      };
    });
    const found = summary(checkAgainstBaseline({ current, statistics, constraints: overridden }));
    assert.ok(!found.includes('normal: baseline_drift_check'));
    assert.ok(!found.includes('integers: data_type_check'));
    assert.ok(found.includes('with_missing: completeness_check'));
  });

  it('skips constraint checks when evaluate_constraints is Disabled, but still checks columns', () => {
    const current = profileRows(brokenCsv.header, brokenCsv.rows);
    const disabled = withConfig((copy) => {
      copy.monitoring_config.evaluate_constraints = 'Disabled';
      copy.monitoring_config.distribution_constraints.perform_comparison = 'Disabled';
    });
    assert.deepEqual(summary(checkAgainstBaseline({ current, statistics, constraints: disabled })), [
      'extra: extra_column_check',
      'flag: missing_column_check',
    ]);
  });

  it('checks is_non_negative', () => {
    const baseline = profileOf(['amount'], [['1'], ['2'], ['3']]);
    const current = profileOf(['amount'], [['1'], ['-2'], ['3']]);
    const violations = checkAgainstBaseline({ current, constraints: suggestConstraints(baseline) });
    assert.deepEqual(violations, [
      {
        feature_name: 'amount',
        constraint_check_type: 'non_negative_check',
        description: 'Non-negative requirement is not met. Observed: minimum value -2.0 is negative.',
      },
    ]);
  });

  it('checks categorical drift by L-infinity or by chi-squared p-value', () => {
    const make = (counts: Record<string, number>): DatasetProfile => {
      const profile = new DatasetProfile(['c']);
      for (const [value, count] of Object.entries(counts)) for (let i = 0; i < count; i++) profile.addRow([value]);
      return profile;
    };
    const baseline = make({ a: 500, b: 500 });
    const current = make({ a: 250, b: 750 });
    const baselineStatistics = toStatistics(baseline);
    const suggested = suggestConstraints(baseline);
    suggested.monitoring_config.distribution_constraints.comparison_method = 'Simple';
    const [linf] = checkAgainstBaseline({ current, statistics: baselineStatistics, constraints: suggested });
    assert.deepEqual(linf, {
      feature_name: 'c',
      constraint_check_type: 'baseline_drift_check',
      description: 'Categorical distance: 0.25 exceeds categorical threshold: 0.1',
    });
    suggested.monitoring_config.distribution_constraints.categorical_drift_method = 'ChiSquared';
    suggested.monitoring_config.distribution_constraints.categorical_comparison_threshold = 0.05;
    const [chi] = checkAgainstBaseline({ current, statistics: baselineStatistics, constraints: suggested });
    assert.match(
      chi!.description,
      /^Categorical chi-squared p-value: \d\.\d+E-\d+ is below categorical threshold: 0\.05$/,
    );
  });

  it('checks drift from statistics alone with the suggested settings', () => {
    const current = profileRows(brokenCsv.header, brokenCsv.rows);
    assert.deepEqual(summary(checkAgainstBaseline({ current, statistics })), [
      'extra: extra_column_check',
      'flag: missing_column_check',
      'normal: baseline_drift_check',
    ]);
  });
});

describe('distances', () => {
  it('equals the two-sample Kolmogorov–Smirnov statistic while sketches are exact', () => {
    const a = new KllSketch();
    const b = new KllSketch();
    for (let i = 1; i <= 10; i++) a.update(i);
    for (let i = 3; i <= 14; i++) b.update(i);
    // scipy.stats.ks_2samp([1..10], [3..14]).statistic
    assert.ok(Math.abs(numericalDistance(a, b).simple - 0.3333333333333333) < 1e-15);
    const robust = numericalDistance(a, b, 'Robust');
    assert.equal(robust.distance, 0, 'ten and twelve values are too few for 1/3 to be significant');
  });

  it('computes linf_robust as max(0, linf − 1.8·√((n+m)/(n·m)))', () => {
    assert.equal(robustLInfinity(0.5, 100, 100), 0.5 - 1.8 * Math.sqrt(0.02));
    assert.equal(robustLInfinity(0.01, 100, 100), 0);
  });

  it('tracks the true CDF distance within the KLL error on large samples', () => {
    const normal = seededNormal(5);
    const a = new KllSketch();
    const b = new KllSketch();
    for (let i = 0; i < 100_000; i++) a.update(normal());
    for (let i = 0; i < 80_000; i++) b.update(normal() + 0.25);
    // sup |Φ(x) − Φ(x − 0.25)| = 2Φ(0.125) − 1 ≈ 0.0995
    assert.ok(Math.abs(numericalDistance(a, b).simple - 0.0995) < 0.02);
  });

  it('normalizes each side of the categorical distance by its own total', () => {
    const baseline = new Map([
      ['a', 3],
      ['b', 1],
    ]);
    const current = new Map([
      ['a', 1],
      ['b', 1],
      ['c', 2],
    ]);
    assert.equal(categoricalDistance(baseline, current).simple, 0.5);
    assert.ok(Number.isNaN(categoricalDistance(new Map(), current).distance));
  });

  it('matches scipy for the chi-squared test and survival function', () => {
    const current = new Map([
      ['x', 30],
      ['y', 45],
      ['z', 25],
    ]);
    const baseline = new Map([
      ['x', 40],
      ['y', 40],
      ['z', 20],
    ]);
    // scipy.stats.chisquare([30, 45, 25], [40, 40, 20]) -> statistic 4.375, p 0.11219689052034372
    const result = chiSquareTest(current, baseline)!;
    assert.ok(Math.abs(result.statistic - 4.375) < 1e-12);
    assert.equal(result.degreesOfFreedom, 2);
    assert.ok(Math.abs(result.pValue - 0.11219689052034372) < 1e-12);
    const scipy: [number, number, number][] = [
      [3.5, 2, 0.1737739434504451],
      [0.3, 1, 0.583882420770365],
      [40, 10, 1.694474393006737e-5],
      [150, 99, 0.0007204453957169282],
      [1e-3, 5, 0.9999999983185123],
    ];
    for (const [x, k, expected] of scipy) {
      assert.ok(Math.abs(chiSquareSurvival(x, k) - expected) <= 1e-10 * Math.max(expected, 1e-3), `${x}, ${k}`);
    }
  });

  it('folds small expected categories together as Deequ does, and gives up below two', () => {
    // Expected 50, 45 and 5: none is below 5, so all three categories stay.
    const kept = chiSquareTest(
      new Map([
        ['a', 50],
        ['b', 45],
        ['c', 5],
      ]),
      new Map([
        ['a', 50],
        ['b', 45],
        ['c', 5],
      ]),
    )!;
    assert.equal(kept.degreesOfFreedom, 2);
    // Expected 60, 38, 2: more than 20 % of three categories below 5, so 'c' folds into 'b'.
    const folded = chiSquareTest(
      new Map([
        ['a', 60],
        ['b', 30],
        ['c', 10],
      ]),
      new Map([
        ['a', 60],
        ['b', 38],
        ['c', 2],
      ]),
    )!;
    assert.equal(folded.degreesOfFreedom, 1);
    assert.ok(Math.abs(folded.statistic - 0) < 1e-12, 'b+c observed 40 against expected 40');
    // Two categories need 10 expected each; folding leaves one, and the test cannot be run.
    assert.equal(
      chiSquareTest(
        new Map([
          ['a', 5],
          ['b', 5],
        ]),
        new Map([
          ['a', 9],
          ['b', 1],
        ]),
      ),
      null,
    );
  });
});
