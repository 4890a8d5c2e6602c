import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConfigurationError } from '@mlops-actions/core';
import {
  JsonDuplicateKeyError,
  JsonSyntaxError,
  createMetricSet,
  editDistance,
  lookupMetric,
  metricPathsClosestTo,
  parseJson,
  parseMetricsDocument,
  toEvaluationReport,
} from '../../../packages/data/src/evaluation/index.js';
import type { JsonValue, MetricValue } from '../../../packages/data/src/evaluation/index.js';

function configurationError(action: () => unknown): ConfigurationError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigurationError, nothing was thrown');
}

const entries = (text: string): [string, MetricValue][] => [...parseMetricsDocument(text).metrics.metrics];

describe('parseMetricsDocument: document styles', () => {
  it('reads a SageMaker Pipelines evaluation report, with section-free aliases', () => {
    const parsed = parseMetricsDocument(
      JSON.stringify({
        regression_metrics: {
          mse: { value: 1.2, standard_deviation: 0.1 },
          r2: { value: 0.8 },
        },
        binary_classification_metrics: { accuracy: { value: 0.9 } },
      }),
    );
    assert.deepEqual(
      [...parsed.metrics.metrics],
      [
        ['regression_metrics.mse', { value: 1.2, standardDeviation: 0.1 }],
        ['regression_metrics.r2', { value: 0.8 }],
        ['binary_classification_metrics.accuracy', { value: 0.9 }],
      ],
    );
    assert.deepEqual(
      [...parsed.metrics.aliases],
      [
        ['mse', 'regression_metrics.mse'],
        ['r2', 'regression_metrics.r2'],
        ['accuracy', 'binary_classification_metrics.accuracy'],
      ],
    );
    assert.deepEqual(parsed.ignored, []);
    assert.deepEqual(lookupMetric(parsed.metrics, 'mse'), {
      found: true,
      path: 'regression_metrics.mse',
      metric: { value: 1.2, standardDeviation: 0.1 },
    });
  });

  it("keeps a report's confusion matrix cells as metrics and lists its curves as ignored", () => {
    const parsed = parseMetricsDocument(
      JSON.stringify({
        binary_classification_metrics: {
          confusion_matrix: { '0': { '0': 1180, '1': 510 }, '1': { '0': 268, '1': 138 } },
          receiver_operating_characteristic_curve: {
            false_positive_rates: [0, 0.5, 1],
            true_positive_rates: [0, 0.7, 1],
          },
          auc: { value: 0.71, standard_deviation: 'NaN' },
        },
      }),
    );
    assert.deepEqual(
      [...parsed.metrics.metrics.keys()],
      [
        'binary_classification_metrics.confusion_matrix.0.0',
        'binary_classification_metrics.confusion_matrix.0.1',
        'binary_classification_metrics.confusion_matrix.1.0',
        'binary_classification_metrics.confusion_matrix.1.1',
        'binary_classification_metrics.auc',
      ],
    );
    assert.deepEqual(parsed.metrics.metrics.get('binary_classification_metrics.auc'), { value: 0.71 });
    assert.deepEqual(parsed.ignored, [
      {
        path: 'binary_classification_metrics.receiver_operating_characteristic_curve.false_positive_rates',
        reason: 'an array',
      },
      {
        path: 'binary_classification_metrics.receiver_operating_characteristic_curve.true_positive_rates',
        reason: 'an array',
      },
      { path: 'binary_classification_metrics.auc.standard_deviation', reason: 'a string ("NaN")' },
    ]);
  });

  it('reads interval bounds in either spelling', () => {
    assert.deepEqual(
      entries(
        '{"m": {"f1": {"value": 0.8, "lower": 0.7, "upper": 0.9}, "auc": {"value": 0.9, "lower_bound": 0.85, "upper_bound": 0.95, "standardDeviation": 0.02}}}',
      ),
      [
        ['m.f1', { value: 0.8, lower: 0.7, upper: 0.9 }],
        ['m.auc', { value: 0.9, lower: 0.85, upper: 0.95, standardDeviation: 0.02 }],
      ],
    );
  });

  it('reads a flat map of numbers (train output)', () => {
    assert.deepEqual(entries('{"accuracy": 0.91, "validation:rmse": 3.2, "train:rmse": 2.5e0}'), [
      ['accuracy', { value: 0.91 }],
      ['validation:rmse', { value: 3.2 }],
      ['train:rmse', { value: 2.5 }],
    ]);
  });

  it('reads a nested map; dataset prefixes are not dropped for aliases', () => {
    const parsed = parseMetricsDocument(
      '{"f1": {"macro": 0.8, "micro": 0.7}, "train": {"rmse": 1}, "validation": {"rmse": 2}}',
    );
    assert.deepEqual([...parsed.metrics.metrics.keys()], ['f1.macro', 'f1.micro', 'train.rmse', 'validation.rmse']);
    assert.equal(parsed.metrics.aliases.size, 0);
    assert.deepEqual(lookupMetric(parsed.metrics, 'rmse'), { found: false, ambiguous: [] });
  });

  it('keeps document order, integer-like keys included', () => {
    assert.deepEqual(
      entries('{"b": 1, "10": 2, "a": 3, "2": 4}').map(([path]) => path),
      ['b', '10', 'a', '2'],
    );
  });

  it('leaves out aliases that fit several paths, and records them', () => {
    const { metrics } = parseMetricsDocument(
      '{"binary_classification_metrics": {"accuracy": {"value": 0.9}}, "multiclass_classification_metrics": {"accuracy": {"value": 0.7}, "f1": {"value": 0.6}}}',
    );
    assert.equal(metrics.aliases.has('accuracy'), false);
    assert.equal(metrics.aliases.get('f1'), 'multiclass_classification_metrics.f1');
    assert.deepEqual(lookupMetric(metrics, 'accuracy'), {
      found: false,
      ambiguous: ['binary_classification_metrics.accuracy', 'multiclass_classification_metrics.accuracy'],
    });
  });

  it('prefers a real path over an alias', () => {
    const { metrics } = parseMetricsDocument('{"mse": 1, "regression_metrics": {"mse": {"value": 2}}}');
    assert.equal(metrics.aliases.has('mse'), false);
    assert.deepEqual(lookupMetric(metrics, 'mse'), { found: true, path: 'mse', metric: { value: 1 } });
  });

  it('drops every leading section for aliases', () => {
    const { metrics } = parseMetricsDocument('{"metrics": {"regression_metrics": {"mse": {"value": 2}}}}');
    assert.deepEqual(
      [...metrics.aliases],
      [
        ['regression_metrics.mse', 'metrics.regression_metrics.mse'],
        ['mse', 'metrics.regression_metrics.mse'],
      ],
    );
  });

  it('ignores values that are not finite numbers, and says why', () => {
    const parsed = parseMetricsDocument(
      '{"accuracy": 0.9, "model": "xgb", "ok": true, "n": null, "curve": [1, 2], "empty": {}, "auc": NaN, "big": 1e999, "loss": -Infinity, "x": {"value": "0.5"}, "": 3}',
    );
    assert.deepEqual([...parsed.metrics.metrics.keys()], ['accuracy']);
    assert.deepEqual(parsed.ignored, [
      { path: 'model', reason: 'a string ("xgb")' },
      { path: 'ok', reason: 'a boolean (true)' },
      { path: 'n', reason: 'null' },
      { path: 'curve', reason: 'an array' },
      { path: 'empty', reason: 'an empty object' },
      { path: 'auc', reason: 'NaN, not a finite number' },
      { path: 'big', reason: 'Infinity, not a finite number' },
      { path: 'loss', reason: '-Infinity, not a finite number' },
      { path: 'x.value', reason: 'a string ("0.5")' },
      { path: '""', reason: 'an empty key cannot name a metric' },
    ]);
  });
});

describe('parseMetricsDocument: errors', () => {
  it('refuses a document without any numeric metric, listing what it ignored', () => {
    const error = configurationError(() => parseMetricsDocument('{"model": "xgb", "auc": NaN}'));
    assert.equal(
      error.message,
      `Input 'metrics' holds no numeric metric; ignored: model (a string ("xgb")), auc (NaN, not a finite number)`,
    );
    assert.equal(error.input, 'metrics');
  });

  it('refuses an empty object', () => {
    assert.equal(
      configurationError(() => parseMetricsDocument('{}')).message,
      `Input 'metrics' holds no numeric metric (the object is empty)`,
    );
  });

  for (const [text, what] of [
    ['[1, 2]', 'an array'],
    ['0.9', 'a number (0.9)'],
    ['"accuracy"', 'a string ("accuracy")'],
  ]) {
    it(`refuses a document that is ${what}`, () => {
      assert.equal(
        configurationError(() => parseMetricsDocument(text!)).message,
        `Input 'metrics' must be a JSON object of metrics (e.g. {"accuracy": 0.91}), not ${what}`,
      );
    });
  }

  it('refuses a path spelled twice', () => {
    const error = configurationError(() => parseMetricsDocument('{"f1.macro": 1, "f1": {"macro": 2}}'));
    assert.equal(
      error.message,
      `Input 'metrics' spells the metric 'f1.macro' twice (once as a key with dots, once as nested keys)`,
    );
  });

  it('refuses a key written twice in one object, at the second one', () => {
    const error = configurationError(() => parseMetricsDocument('{\n  "accuracy": 0.9,\n  "accuracy": 0.5\n}'));
    assert.equal(
      error.message,
      `Input 'metrics' line 3, column 3: the key 'accuracy' appears twice in one object (first at line 2, column 3)`,
    );
    assert.equal(error.input, 'metrics');
    // Even where the value would be ignored: which of the two was meant cannot be told.
    assert.match(
      configurationError(() => parseMetricsDocument('{"a": 1, "curve": [{"x": 0, "x": 1}]}')).message,
      /^Input 'metrics' line 1, column 29: the key 'x' appears twice/,
    );
    // The same key in two objects is two paths.
    assert.deepEqual(
      entries('{"train": {"loss": 1}, "validation": {"loss": 2}}').map(([path]) => path),
      ['train.loss', 'validation.loss'],
    );
  });

  const badJson: { text: string; where: string }[] = [
    { text: '{"a": 1,}', where: `line 1, column 9: expected a double-quoted property name, found '}'` },
    { text: '{"a" 1}', where: `line 1, column 6: expected ':' after the property name, found '1'` },
    { text: '', where: 'line 1, column 1: expected a JSON value, found an empty document' },
    { text: '  \n ', where: 'line 2, column 2: expected a JSON value, found an empty document' },
    { text: '{"a":\n  tru}', where: `line 2, column 3: expected a JSON value, found 'tru'` },
    {
      text: '{"a": 1',
      where: `line 1, column 8: expected ',' or '}' after a property value, found the end of the document`,
    },
    { text: 'nope', where: `line 1, column 1: expected a JSON value, found 'nope'` },
    { text: "{'a': 1}", where: `line 1, column 2: expected a double-quoted property name, found '''` },
    { text: '{"a": 01}', where: `line 1, column 8: expected ',' or '}' after a property value, found '1'` },
    { text: '{"a": 1.}', where: `line 1, column 9: expected a digit after the decimal point, found '}'` },
    { text: '{"a": 1e}', where: `line 1, column 9: expected a digit in the exponent, found '}'` },
    { text: '{"a": -}', where: `line 1, column 8: expected a digit, found '}'` },
    { text: '{"a": .5}', where: `line 1, column 7: expected a JSON value, found '.'` },
    { text: '{"a": "x\ny"}', where: 'line 1, column 9: control character in a string (escape it, e.g. \\n)' },
    { text: '{"a": "\\q"}', where: `line 1, column 8: invalid escape '\\q' in a string` },
    { text: '{"a": "\\u12g4"}', where: 'line 1, column 8: expected four hexadecimal digits after \\u' },
    { text: '{"a": "abc', where: 'line 1, column 7: unterminated string' },
    { text: '{"a": [1 2]}', where: `line 1, column 10: expected ',' or ']' after an array element, found '2'` },
    { text: '{"a": 1} x', where: `line 1, column 10: expected the end of the document, found 'x'` },
    { text: '{"a": 1}\r\n{"b": 2}', where: `line 2, column 1: expected the end of the document, found '{'` },
  ];
  for (const { text, where } of badJson) {
    it(`reports the position of invalid JSON: ${JSON.stringify(text)}`, () => {
      const error = configurationError(() => parseMetricsDocument(text));
      assert.equal(error.message, `Input 'metrics' is not valid JSON: ${where}`);
      assert.equal(error.input, 'metrics');
    });
  }

  it('names another input when told', () => {
    const error = configurationError(() => parseMetricsDocument('{', { input: 'champion-metrics' }));
    assert.equal(error.input, 'champion-metrics');
    assert.match(error.message, /^Input 'champion-metrics' is not valid JSON: line 1, column 2: /);
  });
});

describe('parseJson', () => {
  const toPlain = (value: JsonValue): unknown =>
    value instanceof Map
      ? Object.fromEntries([...value].map(([key, inner]) => [key, toPlain(inner)]))
      : Array.isArray(value)
        ? value.map(toPlain)
        : value;

  it('agrees with JSON.parse on valid JSON', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        assert.deepEqual(toPlain(parseJson(text)), JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects what JSON.parse rejects', () => {
    const alphabet = fc.constantFrom(...'{}[]",:0123456789.-+eE tfnrulas\\\n'.split(''), 'NaN', 'Infinity');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 20 }), (text) => {
        let nativeFailed = false;
        try {
          JSON.parse(text);
        } catch {
          nativeFailed = true;
        }
        let ownFailed = false;
        try {
          parseJson(text);
        } catch (error) {
          assert.ok(error instanceof JsonSyntaxError);
          ownFailed = true;
        }
        assert.equal(ownFailed, nativeFailed, `disagreement on ${JSON.stringify(text)}`);
      }),
      { numRuns: 5000 },
    );
  });

  it("accepts Python's NaN and Infinity when asked, and skips a byte-order mark", () => {
    const value = parseJson('\uFEFF{"a": NaN, "b": [Infinity, -Infinity]}', { nonFinite: true });
    assert.ok(value instanceof Map);
    assert.ok(Number.isNaN(value.get('a')));
    assert.deepEqual(value.get('b'), [Infinity, -Infinity]);
    for (const [text, column, found] of [
      ['{"a": NaN}', 7, "'NaN'"],
      ['[Infinity]', 2, "'Infinity'"],
      ['[-Infinity]', 3, "'I'"],
    ] as const) {
      assert.throws(() => JSON.parse(text));
      assert.throws(
        () => parseJson(text),
        (error) => error instanceof JsonSyntaxError && error.column === column && error.detail.endsWith(found),
      );
    }
  });

  it('does not count a byte-order mark as a column', () => {
    assert.throws(
      () => parseJson('\uFEFF{x}'),
      (error) => error instanceof JsonSyntaxError && error.line === 1 && error.column === 2 && error.offset === 2,
    );
  });

  it('keeps the last of two equal keys at the place of the first by default, as JSON.parse does', () => {
    const text = '{"b": 1, "a": 2, "b": 3}';
    const value = parseJson(text);
    assert.ok(value instanceof Map);
    assert.deepEqual([...value], [...Object.entries(JSON.parse(text) as object)]);
    assert.deepEqual(
      [...value],
      [
        ['b', 3],
        ['a', 2],
      ],
    );
  });

  it("refuses two equal keys in one object with duplicateKeys: 'reject'", () => {
    assert.throws(
      () => parseJson('{"a": {"b": 1,\n "c": 2, "b": 3}}', { duplicateKeys: 'reject' }),
      (error) => {
        assert.ok(error instanceof JsonDuplicateKeyError);
        assert.ok(error instanceof JsonSyntaxError);
        assert.equal(error.key, 'b');
        assert.deepEqual([error.line, error.column, error.offset], [2, 10, 24]);
        assert.deepEqual(error.first, { line: 1, column: 8 });
        assert.equal(
          error.message,
          "line 2, column 10: the key 'b' appears twice in one object (first at line 1, column 8)",
        );
        return true;
      },
    );
    // Keys are compared decoded: "\u0061" is "a".
    assert.throws(() => parseJson('{"a": 1, "\\u0061": 2}', { duplicateKeys: 'reject' }), JsonDuplicateKeyError);
    const value = parseJson('{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}', { duplicateKeys: 'reject' });
    assert.ok(value instanceof Map);
    assert.deepEqual([...value.keys()], ['a', 'b']);
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    assert.throws(() => parseJson('['.repeat(100_000)), /nesting deeper than 256 levels/);
  });
});

describe('MetricSet helpers', () => {
  it('lists paths closest first: whole segments, then edit distance', () => {
    const set = createMetricSet(
      ['accuracy', 'f1.macro', 'regression_metrics.mse', 'validation:rmse', 'r2'].map((path) => [path, { value: 1 }]),
    );
    assert.deepEqual(metricPathsClosestTo(set, 'f1'), [
      'f1.macro',
      'r2',
      'regression_metrics.mse',
      'accuracy',
      'validation:rmse',
    ]);
    assert.deepEqual(metricPathsClosestTo(set, 'RMSE')[0], 'validation:rmse');
    assert.deepEqual(metricPathsClosestTo(set, 'msee')[0], 'regression_metrics.mse');
  });

  it('computes edit distances', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('rmse', 'rmse'), 0);
  });

  it('refuses duplicate paths and non-finite numbers', () => {
    assert.throws(
      () =>
        createMetricSet([
          ['a', { value: 1 }],
          ['a', { value: 2 }],
        ]),
      RangeError,
    );
    assert.throws(() => createMetricSet([['a', { value: Number.NaN }]]), RangeError);
    assert.throws(() => createMetricSet([['a', { value: 1, upper: Infinity }]]), RangeError);
  });

  it('writes an evaluation report that parses back through aliases', () => {
    const set = createMetricSet([
      ['accuracy', { value: 0.9, lower: 0.85, upper: 0.93, standardDeviation: 0.02 }],
      ['f1', { value: 0.8 }],
      ['f1.macro', { value: 0.7 }],
    ]);
    const report = toEvaluationReport(set, 'binary_classification_metrics');
    assert.deepEqual(report, {
      binary_classification_metrics: {
        accuracy: { value: 0.9, standard_deviation: 0.02, lower: 0.85, upper: 0.93 },
        f1: { value: 0.8 },
        'f1.macro': { value: 0.7 },
      },
    });
    const reparsed = parseMetricsDocument(JSON.stringify(report)).metrics;
    for (const [path, metric] of set.metrics) {
      assert.deepEqual(lookupMetric(reparsed, path), {
        found: true,
        path: `binary_classification_metrics.${path}`,
        metric,
      });
    }
  });
});
