import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DataError } from '@mlops-actions/core';
import {
  DatasetProfile,
  DEFAULT_MONITORING_CONFIG,
  formatModelMonitorJson,
  javaDouble,
  KllSketch,
  locateJsonError,
  parseConstraints,
  parseStatistics,
  parseViolations,
  percentOf,
  suggestConstraints,
  toStatistics,
} from '@mlops-actions/data';
import { profileRows, readCsv, readFixtureJson } from './helpers.js';

const baseline = readCsv('baseline.csv');
const profile = profileRows(baseline.header, baseline.rows);
const reference = readFixtureJson<{ columns: Record<string, { std_population: number; present: number }> }>(
  'baseline.reference.json',
);

function throwsDataError(run: () => unknown, check: (error: DataError) => void): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    check(error);
    return true;
  });
}

describe('statistics.json', () => {
  const statistics = toStatistics(profile);

  it('has Model Monitor fields and nesting for numeric features', () => {
    assert.equal(statistics.version, 0);
    assert.deepEqual(statistics.dataset, { item_count: 5000 });
    const normal = statistics.features.find((feature) => feature.name === 'normal')!;
    assert.deepEqual(Object.keys(normal), ['name', 'inferred_type', 'numerical_statistics']);
    assert.equal(normal.inferred_type, 'Fractional');
    const numeric = normal.numerical_statistics!;
    assert.deepEqual(Object.keys(numeric), ['common', 'mean', 'sum', 'std_dev', 'min', 'max', 'distribution']);
    assert.deepEqual(numeric.common, { num_present: 5000, num_missing: 0 });
    assert.deepEqual(Object.keys(numeric.distribution!.kll!), ['buckets', 'sketch']);
    assert.deepEqual(numeric.distribution!.kll!.sketch!.parameters, { c: 0.64, k: 2048 });
    assert.equal(numeric.std_dev, profile.column('normal')!.populationStdDev, 'std_dev is the population std');
    assert.ok(Math.abs(numeric.std_dev! - reference.columns.normal!.std_population) < 1e-9);
  });

  it('materializes 10 equal-width KLL buckets between min and max that count every present value', () => {
    const withMissing = statistics.features.find((feature) => feature.name === 'with_missing')!.numerical_statistics!;
    const buckets = withMissing.distribution!.kll!.buckets!;
    assert.equal(buckets.length, 10);
    assert.deepEqual(Object.keys(buckets[0]!), ['lower_bound', 'upper_bound', 'count']);
    assert.equal(buckets[0]!.lower_bound, withMissing.min);
    assert.equal(buckets[9]!.upper_bound, withMissing.max);
    assert.equal(
      buckets.reduce((total, bucket) => total + bucket.count, 0),
      reference.columns.with_missing!.present,
    );
    assert.deepEqual(withMissing.common, { num_present: 4489, num_missing: 511 });
  });

  it('writes text and Boolean features as String with categorical buckets', () => {
    const category = statistics.features.find((feature) => feature.name === 'category')!;
    assert.deepEqual(Object.keys(category), ['name', 'inferred_type', 'string_statistics']);
    assert.deepEqual(category.string_statistics, {
      common: { num_present: 5000, num_missing: 0 },
      distinct_count: 4,
      distribution: {
        categorical: {
          buckets: [
            { value: 'red', count: 1968 },
            { value: 'green', count: 1491 },
            { value: 'blue', count: 1031 },
            { value: 'yellow', count: 510 },
          ],
        },
      },
    });
    const flag = statistics.features.find((feature) => feature.name === 'flag')!;
    assert.equal(flag.inferred_type, 'String');
    assert.deepEqual(flag.string_statistics!.distribution!.categorical!.buckets!.map((bucket) => bucket.value).sort(), [
      'false',
      'true',
    ]);
  });

  it('writes a column without present values as Unknown', () => {
    const empty = new DatasetProfile(['nothing']);
    empty.addRow(['']);
    const [feature] = toStatistics(empty).features;
    assert.equal(feature!.inferred_type, 'Unknown');
    assert.deepEqual(feature!.string_statistics!.common, { num_present: 0, num_missing: 1 });
  });

  it('reads back what it writes, sketch included', () => {
    const text = formatModelMonitorJson(statistics);
    const parsed = parseStatistics(text, 'statistics.json');
    assert.deepEqual(parsed, statistics);
    const sketch = KllSketch.fromJSON(parsed.features[0]!.numerical_statistics!.distribution!.kll!.sketch!);
    assert.deepEqual(sketch.toJSON(), profile.column('normal')!.sketch.toJSON());
  });

  it('reads a file written by Model Monitor (from the SageMaker Python SDK tests)', () => {
    const text = `{
  "version": 0.0,
  "dataset": { "item_count": 418 },
  "features": [ { "name": "message", "inferred_type": "String",
      "string_statistics": { "common": { "num_present": 418, "num_missing": 0 }, "distinct_count": 1.0,
        "distribution": { "categorical": { "buckets": [ { "value": "preproc-not-YET-supported-for-csv-json", "count": 418 } ] } } } } ]
}`;
    const parsed = parseStatistics(text, 'statistics.json');
    assert.equal(parsed.dataset.item_count, 418);
    assert.equal(parsed.features[0]!.string_statistics!.distinct_count, 1);
  });

  it('reports JSON syntax errors with file, line and column', () => {
    const cases: [text: string, line: number, column: number, problem: string][] = [
      ['{\n  "version": 0,\n  "features": [,]\n}', 3, 16, "expected a JSON value, found ','"],
      ['{"features": [', 1, 15, 'expected a JSON value, found the end of the document'],
      ['{"dataset": {"item_count": Infinity}, "features": []}', 1, 28, "expected a JSON value, found 'Infinity'"],
      ['\uFEFF{"features": x}', 1, 14, "expected a JSON value, found 'x'"],
    ];
    for (const [text, line, column, problem] of cases) {
      throwsDataError(
        () => parseStatistics(text, 'baseline/statistics.json'),
        (error) => {
          assert.deepEqual(error.location, { file: 'baseline/statistics.json', line, column });
          assert.equal(error.message, `baseline/statistics.json:${line}:${column}: invalid JSON: ${problem}`);
        },
      );
    }
  });

  it('reports a wrong shape with the file and the JSON path', () => {
    throwsDataError(
      () => parseStatistics('{"features": [{"name": "a", "inferred_type": "Decimal"}]}', 'stats.json'),
      (error) => {
        assert.equal(error.location.file, 'stats.json');
        assert.match(
          error.detail,
          /^\$\.features\[0\]\.inferred_type: expected one of Integral, Fractional, String, Unknown/,
        );
      },
    );
    throwsDataError(
      () =>
        parseStatistics(
          JSON.stringify({
            features: [
              {
                name: 'x',
                inferred_type: 'Fractional',
                numerical_statistics: {
                  distribution: { kll: { sketch: { parameters: { c: 0.64, k: 2048 }, data: [[1, 'two']] } } },
                },
              },
            ],
          }),
          'stats.json',
        ),
      (error) =>
        assert.match(
          error.detail,
          /^\$\.features\[0\]\.numerical_statistics\.distribution\.kll\.sketch\.data\[0\]\[1\]: expected a number, got "two"/,
        ),
    );
    throwsDataError(
      () => parseStatistics('[1, 2]', 'stats.json'),
      (error) => assert.equal(error.detail, '$: expected an object, got an array'),
    );
    throwsDataError(
      () => parseStatistics('{}', 'stats.json'),
      (error) => assert.equal(error.detail, '$.features: expected an array, got nothing'),
    );
  });
});

describe('constraints.json', () => {
  const constraints = suggestConstraints(profile);

  it('suggests types, completeness, non-negativity and low-cardinality domains', () => {
    const byName = Object.fromEntries(constraints.features.map((feature) => [feature.name, feature]));
    assert.deepEqual(byName.normal, {
      name: 'normal',
      inferred_type: 'Fractional',
      completeness: 1,
      num_constraints: { is_non_negative: true },
    });
    assert.deepEqual(byName.with_missing, {
      name: 'with_missing',
      inferred_type: 'Fractional',
      completeness: 0.8978,
      num_constraints: { is_non_negative: false },
    });
    assert.deepEqual(byName.category, {
      name: 'category',
      inferred_type: 'String',
      completeness: 1,
      string_constraints: { domains: ['red', 'green', 'blue', 'yellow'] },
    });
    assert.deepEqual(byName.flag!.string_constraints, { domains: ['false', 'true'] });
    assert.equal(byName.id!.inferred_type, 'Integral');
  });

  it("writes the monitoring_config Model Monitor's container writes", () => {
    assert.deepEqual(constraints.monitoring_config, {
      evaluate_constraints: 'Enabled',
      emit_metrics: 'Enabled',
      datatype_check_threshold: 1.0,
      domain_content_threshold: 1.0,
      distribution_constraints: {
        perform_comparison: 'Enabled',
        comparison_threshold: 0.1,
        comparison_method: 'Robust',
        categorical_comparison_threshold: 0.1,
        categorical_drift_method: 'LInfinity',
      },
    });
  });

  it('leaves out domains for high-cardinality or mostly one-off text columns', () => {
    const data = new DatasetProfile(['many', 'oneoffs', 'few']);
    for (let i = 0; i < 1000; i++) {
      data.addRow([`v${i % 200}`, i < 20 ? `unique-${i}` : `common-${i % 5}`, `k${i % 3}`]);
    }
    const byName = Object.fromEntries(suggestConstraints(data).features.map((feature) => [feature.name, feature]));
    assert.equal(byName.many!.string_constraints, undefined, '200 distinct values exceed the 120 limit');
    assert.equal(byName.oneoffs!.string_constraints, undefined, '20 of 25 values occur once');
    assert.deepEqual(byName.few!.string_constraints, { domains: ['k0', 'k1', 'k2'] });
    assert.equal(suggestConstraints(data, { domainCardinalityLimit: 2 }).features[2]!.string_constraints, undefined);
  });

  it('applies monitoring config overrides', () => {
    const custom = suggestConstraints(profile, {
      monitoringConfig: { emit_metrics: 'Disabled', distribution_constraints: { comparison_method: 'Simple' } },
    });
    assert.equal(custom.monitoring_config.emit_metrics, 'Disabled');
    assert.equal(custom.monitoring_config.distribution_constraints.comparison_method, 'Simple');
    assert.equal(custom.monitoring_config.distribution_constraints.comparison_threshold, 0.1);
    assert.equal(DEFAULT_MONITORING_CONFIG.emit_metrics, 'Enabled', 'the defaults are not modified');
  });

  it('reads back what it writes', () => {
    assert.deepEqual(parseConstraints(formatModelMonitorJson(constraints), 'constraints.json'), constraints);
  });

  it('reads documented spellings leniently', () => {
    const parsed = parseConstraints(
      JSON.stringify({
        version: 0,
        features: [
          {
            name: 'a',
            inferred_type: 'integral',
            completeness: '0.5',
            monitoring_config_overrides: { distribution_constraints: { comparison_threshold: 0.3 } },
          },
          { name: 'b', inferred_type: 'String', string_constraints: { domains: ['x', 1, true] } },
          { name: 'c', inferred_type: 'Fractional', monitoringConfigOverrides: {} },
        ],
        monitoring_config: {
          evaluate_constraints: 'enabled',
          emit_metrics: false,
          distribution_constraints: {
            enable_comparisons: true,
            comparion_method: 'linf_simple',
            comparison_threshold: 0.2,
          },
        },
      }),
      'constraints.json',
    );
    assert.equal(parsed.features[0]!.inferred_type, 'Integral');
    assert.equal(parsed.features[0]!.completeness, 0.5);
    assert.deepEqual(parsed.features[0]!.monitoringConfigOverrides, {
      distribution_constraints: { comparison_threshold: 0.3 },
    });
    assert.deepEqual(parsed.features[1]!.string_constraints, { domains: ['x', '1', 'true'] });
    assert.equal(parsed.features[2]!.monitoringConfigOverrides, undefined);
    assert.deepEqual(parsed.monitoring_config, {
      evaluate_constraints: 'Enabled',
      emit_metrics: 'Disabled',
      datatype_check_threshold: 0.1,
      domain_content_threshold: 0.1,
      distribution_constraints: {
        perform_comparison: 'Enabled',
        comparison_threshold: 0.2,
        comparison_method: 'Simple',
        categorical_comparison_threshold: 0.2,
        categorical_drift_method: 'LInfinity',
      },
    });
    const robust = parseConstraints(
      '{"features": [], "monitoring_config": {"distribution_constraints": {"comparison_method": "linf_robust", "categorical_drift_method": "ChiSquared"}}}',
      'c.json',
    );
    assert.equal(robust.monitoring_config.distribution_constraints.comparison_method, 'Robust');
    assert.equal(robust.monitoring_config.distribution_constraints.categorical_drift_method, 'ChiSquared');
    assert.deepEqual(parseConstraints('{}', 'c.json').features, []);
  });

  it('rejects values it cannot use, naming the file and the path', () => {
    throwsDataError(
      () =>
        parseConstraints('{"monitoring_config": {"distribution_constraints": {"comparison_method": "KS"}}}', 'c.json'),
      (error) => {
        assert.equal(error.location.file, 'c.json');
        assert.equal(
          error.detail,
          '$.monitoring_config.distribution_constraints.comparison_method: expected one of Simple, Robust, got "KS"',
        );
      },
    );
    throwsDataError(
      () => parseConstraints('{"features": [{"name": "a", "inferred_type": "String", "completeness": 1.5}]}', 'c.json'),
      (error) => assert.match(error.detail, /^\$\.features\[0\]\.completeness: expected a fraction between 0 and 1/),
    );
    throwsDataError(
      () => parseConstraints('{"monitoring_config": {"datatype_check_threshold": -1}}', 'c.json'),
      (error) => assert.match(error.detail, /datatype_check_threshold: expected a threshold ≥ 0/),
    );
    throwsDataError(
      () => parseConstraints('{"features": [{"inferred_type": "String"}]}', 'c.json'),
      (error) => assert.equal(error.detail, '$.features[0].name: expected a string, got nothing'),
    );
  });
});

describe('constraint_violations.json', () => {
  it('reads the violations file', () => {
    const text = formatModelMonitorJson({
      violations: [{ feature_name: 'a', constraint_check_type: 'data_type_check', description: 'x' }],
    });
    assert.deepEqual(parseViolations(text, 'v.json').violations, [
      { feature_name: 'a', constraint_check_type: 'data_type_check', description: 'x' },
    ]);
    throwsDataError(
      () => parseViolations('{"violations": [{"feature_name": 1}]}', 'v.json'),
      (error) => assert.match(error.detail, /^\$\.violations\[0\]\.feature_name: expected a string/),
    );
  });
});

describe('number formatting', () => {
  it("prints doubles as Java's Double.toString", () => {
    assert.equal(javaDouble(100), '100.0');
    assert.equal(javaDouble(0), '0.0');
    assert.equal(javaDouble(0.1), '0.1');
    assert.equal(javaDouble(0.2711598746081505), '0.2711598746081505');
    assert.equal(javaDouble(99.71751412429379), '99.71751412429379');
    assert.equal(javaDouble(1e-4), '1.0E-4');
    assert.equal(javaDouble(1.5e-7), '1.5E-7');
    assert.equal(javaDouble(12345678), '1.2345678E7');
    assert.equal(javaDouble(-2.5), '-2.5');
    assert.equal(percentOf(1202, 2000), '60.1');
    assert.equal(percentOf(0, 7), '0.0');
  });
});

describe('JSON error location', () => {
  it('finds the error wherever JSON.parse rejects a truncated or corrupted document (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', 'x'), (value, cut, noise) => {
        const valid = JSON.stringify(value, null, 1);
        const position = cut % (valid.length + 1);
        const broken = valid.slice(0, position) + noise + valid.slice(position + 1);
        let parses = true;
        try {
          JSON.parse(broken);
        } catch {
          parses = false;
        }
        if (parses) return;
        const { offset, problem } = locateJsonError(broken);
        assert.notEqual(problem, 'not valid JSON', broken);
        assert.ok(offset >= 0 && offset <= broken.length);
      }),
      { numRuns: 500 },
    );
  });

  it('describes common mistakes', () => {
    assert.deepEqual(locateJsonError('{"a": 1,}'), {
      offset: 8,
      problem: "expected a double-quoted property name, found '}'",
    });
    assert.deepEqual(locateJsonError("{'a': 1}"), {
      offset: 1,
      problem: "expected a double-quoted property name, found '''",
    });
    assert.deepEqual(locateJsonError('[1 2]'), {
      offset: 3,
      problem: "expected ',' or ']' after an array element, found '2'",
    });
    assert.deepEqual(locateJsonError('{"a": tru}'), { offset: 6, problem: "expected a JSON value, found 'tru'" });
    // The opening quote says which string was left open; the end of the file would not.
    assert.deepEqual(locateJsonError('"abc'), { offset: 0, problem: 'unterminated string' });
  });

  it('reads NaN and Infinity as JSON.parse does: not JSON', () => {
    assert.deepEqual(locateJsonError('{"mean": NaN}'), { offset: 9, problem: "expected a JSON value, found 'NaN'" });
    assert.deepEqual(locateJsonError('[-Infinity]'), { offset: 2, problem: "expected a digit, found 'I'" });
  });

  it('keeps the last of two equal keys, as JSON.parse does', () => {
    const parsed = parseStatistics(
      '{"version": 0, "dataset": {"item_count": 1, "item_count": 418}, "features": []}',
      'statistics.json',
    );
    assert.equal(parsed.dataset.item_count, 418);
  });
});
