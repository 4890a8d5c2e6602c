import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigurationError, DataError } from '@mlops-actions/core';
import {
  classKey,
  computeMetrics,
  detectTask,
  evaluateRules,
  parseMetricsDocument,
  sortClasses,
  toEvaluationReport,
} from '../../../packages/data/src/evaluation/index.js';
import type {
  ComputeOptions,
  ComputedMetrics,
  PredictionColumns,
} from '../../../packages/data/src/evaluation/index.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/evaluation');

interface Expected {
  task: 'classification' | 'regression';
  rows: number;
  classes?: string[];
  positiveClass?: string;
  confusionMatrix?: number[][];
  metrics: Record<string, number>;
}

/** The fixture CSVs are plain (no quoting), written by scripts/fixtures/evaluation-reference.py. */
function readFixture(name: string): { columns: PredictionColumns; expected: Expected } {
  const [header, ...lines] = readFileSync(path.join(FIXTURES, `${name}.csv`), 'utf8')
    .trimEnd()
    .split('\n');
  const names = header!.split(',');
  const rows = lines.map((line) => line.split(','));
  const column = (columnName: string): string[] => rows.map((row) => row[names.indexOf(columnName)]!);
  const scoreColumns = names.filter((columnName) => columnName.startsWith('score_'));
  const columns: PredictionColumns = {
    labels: column('label'),
    predictions: column('prediction'),
    ...(names.includes('score') ? { scores: column('score').map(Number) } : {}),
    ...(scoreColumns.length > 0
      ? {
          classScores: new Map(
            scoreColumns.map((columnName) => [columnName.slice('score_'.length), column(columnName).map(Number)]),
          ),
        }
      : {}),
  };
  const expected = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')) as Expected;
  return { columns, expected };
}

function assertClose(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined, `${what} is missing`);
  // 1e-9, relative for values beyond 1 (MSE is in the hundreds).
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} differs from the reference ${expected}`,
  );
}

function dataError(action: () => unknown): DataError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a DataError, nothing was thrown');
}

function configurationError(action: () => unknown): ConfigurationError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigurationError, nothing was thrown');
}

const value = (result: ComputedMetrics, name: string): number | undefined => result.metrics.metrics.get(name)?.value;

const FIXTURE_NAMES = ['binary', 'multiclass', 'regression'];

describe('computeMetrics against the numpy / scipy references', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: every metric within 1e-9, and no other metric`, () => {
      const { columns, expected } = readFixture(name);
      const result = computeMetrics(columns, { bootstrapSamples: 0 });
      assert.equal(result.task, expected.task);
      assert.equal(result.rowCount, expected.rows);
      assert.deepEqual([...result.metrics.metrics.keys()].sort(), Object.keys(expected.metrics).sort());
      for (const [metric, reference] of Object.entries(expected.metrics))
        assertClose(value(result, metric), reference, metric);
      assert.deepEqual(result.notes, []);
      assert.equal(result.bootstrap, undefined);
      if (expected.confusionMatrix) {
        assert.deepEqual(result.confusionMatrix, { classes: expected.classes, counts: expected.confusionMatrix });
      }
      assert.equal(result.positiveClass, expected.positiveClass);
    });
  }

  it('binary: the positive class column of classScores serves like the score column', () => {
    const { columns, expected } = readFixture('binary');
    const result = computeMetrics(
      { labels: columns.labels, predictions: columns.predictions, classScores: { '1': columns.scores! } },
      { bootstrapSamples: 0 },
    );
    assertClose(value(result, 'roc_auc'), expected.metrics.roc_auc!, 'roc_auc');
    assertClose(value(result, 'log_loss'), expected.metrics.log_loss!, 'log_loss');
  });
});

describe('computeMetrics: bootstrap intervals', () => {
  const settings: ComputeOptions = { bootstrapSamples: 1000, confidence: 0.95, seed: 20240611 };

  for (const name of FIXTURE_NAMES) {
    it(`${name}: reproducible for a seed, containing the point estimate`, () => {
      const { columns } = readFixture(name);
      const first = computeMetrics(columns, settings);
      const second = computeMetrics(columns, settings);
      assert.deepEqual(first.metrics, second.metrics);
      assert.deepEqual(first.bootstrap, { samples: 1000, confidence: 0.95, seed: 20240611 });
      for (const [metric, { value: point, lower, upper, standardDeviation }] of first.metrics.metrics) {
        assert.ok(
          lower !== undefined && upper !== undefined && standardDeviation !== undefined,
          `${metric} has no interval`,
        );
        assert.ok(lower <= point && point <= upper, `${metric}: ${point} outside [${lower}, ${upper}]`);
        assert.ok(standardDeviation >= 0);
      }
      // Bootstrap samples only move weights: the point estimates are the plain ones.
      const plain = computeMetrics(columns, { bootstrapSamples: 0 });
      for (const [metric, { value: point }] of plain.metrics.metrics) assert.equal(value(first, metric), point);
    });

    it(`${name}: another seed gives slightly different intervals`, () => {
      const { columns } = readFixture(name);
      const first = computeMetrics(columns, settings);
      const other = computeMetrics(columns, { ...settings, seed: 7 });
      let differing = 0;
      for (const [metric, interval] of first.metrics.metrics) {
        const otherInterval = other.metrics.metrics.get(metric)!;
        if (interval.lower !== otherInterval.lower || interval.upper !== otherInterval.upper) differing++;
        // Monte Carlo noise only: bounds move by a fraction of the interval's width.
        const width = interval.upper! - interval.lower!;
        assert.ok(
          Math.abs(interval.lower! - otherInterval.lower!) <= 0.25 * width,
          `${metric} lower bound moved too far`,
        );
        assert.ok(
          Math.abs(interval.upper! - otherInterval.upper!) <= 0.25 * width,
          `${metric} upper bound moved too far`,
        );
      }
      assert.ok(differing >= first.metrics.metrics.size * 0.8, `only ${differing} intervals differ`);
    });
  }

  it('a wider confidence gives a wider interval', () => {
    const { columns } = readFixture('regression');
    const narrow = computeMetrics(columns, { ...settings, confidence: 0.5 }).metrics.metrics.get('rmse')!;
    const wide = computeMetrics(columns, { ...settings, confidence: 0.99 }).metrics.metrics.get('rmse')!;
    assert.ok(wide.lower! < narrow.lower! && narrow.upper! < wide.upper!);
  });

  it('notes replicates where a metric is undefined', () => {
    const labels = Array.from({ length: 20 }, (_, row) => (row === 0 ? '1' : '0'));
    const scores = Array.from({ length: 20 }, (_, row) => row / 20);
    const result = computeMetrics({ labels, predictions: labels, scores }, { bootstrapSamples: 200, seed: 3 });
    const note = result.notes.find((text) => text.startsWith('roc_auc: '));
    assert.match(
      note ?? '',
      /^roc_auc: \d+ of 200 bootstrap samples left it undefined; its interval uses the other \d+$/,
    );
  });
});

describe('computeMetrics: classification conventions', () => {
  it('computes per-class and macro scores with zero division as 0', () => {
    const result = computeMetrics(
      { labels: ['a', 'a', 'b', 'c'], predictions: ['a', 'b', 'b', 'b'] },
      { bootstrapSamples: 0 },
    );
    const expected: Record<string, number> = {
      accuracy: 0.5,
      'precision.class.a': 1,
      'precision.class.b': 1 / 3,
      'precision.class.c': 0, // never predicted
      'recall.class.a': 0.5,
      'recall.class.b': 1,
      'recall.class.c': 0,
      'f1.class.a': 2 / 3,
      'f1.class.b': 0.5,
      'f1.class.c': 0,
      'precision.macro': 4 / 9,
      'recall.macro': 0.5,
      'f1.macro': 7 / 18,
    };
    for (const [metric, reference] of Object.entries(expected)) assertClose(value(result, metric), reference, metric);
    assert.deepEqual(result.confusionMatrix, {
      classes: ['a', 'b', 'c'],
      counts: [
        [1, 1, 0],
        [0, 1, 0],
        [0, 1, 0],
      ],
    });
    assert.deepEqual(result.notes, [
      'roc_auc omitted: one-vs-rest ROC AUC needs a score column for each class; none for a, b, c',
      'log_loss omitted: multi-class log loss needs a score column for every class; none for a, b, c',
    ]);
  });

  it('counts classes that appear only among predictions in the macro means', () => {
    const result = computeMetrics({ labels: ['a', 'a', 'b'], predictions: ['a', 'c', 'b'] }, { bootstrapSamples: 0 });
    assert.deepEqual(result.confusionMatrix?.classes, ['a', 'b', 'c']);
    assertClose(value(result, 'precision.macro'), 2 / 3, 'precision.macro');
    assertClose(value(result, 'recall.macro'), 0.5, 'recall.macro');
  });

  it('matches numeric labels written differently', () => {
    const result = computeMetrics(
      { labels: ['1', '0', '1', '0'], predictions: [1.0, 0, '1.0', ' 1 '], scores: [0.9, 0.2, 0.7, 0.6] },
      { bootstrapSamples: 0 },
    );
    assert.deepEqual(result.confusionMatrix, {
      classes: ['0', '1'],
      counts: [
        [1, 1],
        [0, 2],
      ],
    });
    assert.equal(result.positiveClass, '1');
  });

  describe('binary: positive class, ROC AUC and log loss', () => {
    const columns: PredictionColumns = {
      labels: ['no', 'yes', 'yes', 'no'],
      predictions: ['no', 'yes', 'no', 'no'],
      scores: [0.1, 0.8, 0.4, 0.3],
    };

    it('takes the last class as positive by default', () => {
      const result = computeMetrics(columns, { bootstrapSamples: 0 });
      assert.equal(result.positiveClass, 'yes');
      assert.equal(value(result, 'precision'), 1);
      assert.equal(value(result, 'recall'), 0.5);
      assert.equal(value(result, 'roc_auc'), 1);
      const logLoss = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.7)) / 4;
      assertClose(value(result, 'log_loss'), logLoss, 'log_loss');
    });

    it('follows positiveLabel', () => {
      const result = computeMetrics(columns, { bootstrapSamples: 0, positiveLabel: 'no' });
      assert.equal(result.positiveClass, 'no');
      assertClose(value(result, 'precision'), 2 / 3, 'precision');
      assert.equal(value(result, 'recall'), 1);
      assert.equal(value(result, 'roc_auc'), 0); // the scores now rank the wrong class first
    });

    it('refuses a positiveLabel that is no class', () => {
      const error = configurationError(() => computeMetrics(columns, { positiveLabel: 'maybe' }));
      assert.equal(error.input, 'positive-label');
      assert.equal(
        error.message,
        `Input 'positive-label' is 'maybe', which is neither a label nor a prediction; the classes are no, yes`,
      );
    });

    it('counts tied scores as one half', () => {
      const result = computeMetrics(
        { labels: ['0', '1', '0', '1'], predictions: ['0', '1', '0', '0'], scores: [0.5, 0.5, 0.2, 0.9] },
        { bootstrapSamples: 0 },
      );
      // Pairs (positive, negative): (0.5, 0.5) ½, (0.5, 0.2) 1, (0.9, 0.5) 1, (0.9, 0.2) 1.
      assert.equal(value(result, 'roc_auc'), 3.5 / 4);
    });

    it('clips probabilities of 0 and 1 at the epsilon', () => {
      // Certain and wrong both times: p = 0 for a positive, p = 1 for a negative. 1 − ε rounds in doubles, hence
      // the second term is computed rather than written as −log ε.
      const clippedLoss = (epsilon: number): number => (-Math.log(epsilon) - Math.log(1 - (1 - epsilon))) / 2;
      const columns = { labels: ['1', '0'], predictions: ['0', '1'], scores: [0, 1] };
      const strict = computeMetrics(columns, { bootstrapSamples: 0 });
      assertClose(value(strict, 'log_loss'), clippedLoss(1e-15), 'log_loss');
      assert.ok(Math.abs(value(strict, 'log_loss')! - 34.5388) < 1e-3);
      const looser = computeMetrics(columns, { bootstrapSamples: 0, logLossEpsilon: 1e-7 });
      assertClose(value(looser, 'log_loss'), clippedLoss(1e-7), 'log_loss');
    });

    it('omits log loss, not ROC AUC, for scores that are not probabilities', () => {
      const result = computeMetrics({ ...columns, scores: [-2, 3, 1, 0.5] }, { bootstrapSamples: 0 });
      assert.equal(value(result, 'roc_auc'), 1);
      assert.equal(value(result, 'log_loss'), undefined);
      assert.deepEqual(result.notes, [
        'log_loss omitted: some scores lie outside [0, 1], so they are not probabilities',
      ]);
    });

    it('omits ROC AUC and log loss without scores, and says so', () => {
      const result = computeMetrics(
        { labels: columns.labels, predictions: columns.predictions },
        { bootstrapSamples: 0 },
      );
      assert.deepEqual(result.notes, [
        'roc_auc omitted: no score column was given',
        'log_loss omitted: no score column was given',
      ]);
    });

    it('omits ROC AUC when the labels hold one class', () => {
      const result = computeMetrics(
        { labels: ['yes', 'yes', 'yes'], predictions: ['yes', 'no', 'yes'], scores: [0.9, 0.4, 0.8] },
        { bootstrapSamples: 0 },
      );
      assert.equal(value(result, 'roc_auc'), undefined);
      assert.deepEqual(result.notes, ["roc_auc omitted: the labels hold only class 'yes'"]);
    });
  });

  describe('multi-class scores', () => {
    it('ignores a single score column and notes it', () => {
      const result = computeMetrics(
        { labels: ['a', 'b', 'c'], predictions: ['a', 'b', 'b'], scores: [0.1, 0.2, 0.3] },
        { bootstrapSamples: 0 },
      );
      assert.equal(
        result.notes[0],
        'the single score column was not used: a multi-class ROC AUC needs one score column per class',
      );
    });

    it('omits ROC AUC when a label class has no score column, and ignores unknown columns', () => {
      const result = computeMetrics(
        {
          labels: ['a', 'b', 'c', 'a'],
          predictions: ['a', 'b', 'b', 'a'],
          classScores: { a: [0.8, 0.1, 0.1, 0.6], b: [0.1, 0.8, 0.5, 0.2], z: [0, 0, 0, 0] },
        },
        { bootstrapSamples: 0 },
      );
      assert.deepEqual(result.notes, [
        'score columns of classes found in neither labels nor predictions were ignored: z',
        'roc_auc omitted: one-vs-rest ROC AUC needs a score column for each class; none for c',
        'log_loss omitted: multi-class log loss needs a score column for every class; none for c',
      ]);
    });
  });
});

describe('computeMetrics: regression conventions', () => {
  it('computes MAE, MSE, RMSE, R² and MAPE (skipping zero labels)', () => {
    const result = computeMetrics(
      { labels: ['0', '2.0', '4'], predictions: ['1', '2', '5.0'] },
      { task: 'regression', bootstrapSamples: 0 },
    );
    assert.equal(result.taskReason, 'set explicitly');
    assertClose(value(result, 'mae'), 2 / 3, 'mae');
    assertClose(value(result, 'mse'), 2 / 3, 'mse');
    assertClose(value(result, 'rmse'), Math.sqrt(2 / 3), 'rmse');
    assertClose(value(result, 'r2'), 0.75, 'r2');
    assertClose(value(result, 'mape'), (0 / 2 + 1 / 4) / 2, 'mape');
  });

  it('omits R² when every label is equal', () => {
    const result = computeMetrics({ labels: [2.5, 2.5, 2.5], predictions: [2, 3, 2.5] }, { bootstrapSamples: 50 });
    assert.equal(result.task, 'regression');
    assert.equal(value(result, 'r2'), undefined);
    assert.ok(result.notes.includes('r2 omitted: every label is 2.5, so R² is undefined'));
  });

  it('omits MAPE when every label is 0', () => {
    const result = computeMetrics({ labels: [0, 0, 0], predictions: [0.5, 0, -1] }, { bootstrapSamples: 0 });
    assert.equal(result.task, 'regression');
    assert.equal(value(result, 'mape'), undefined);
    assert.deepEqual(result.notes, [
      'r2 omitted: every label is 0, so R² is undefined',
      'mape omitted: every label is 0, so no row has a percentage error',
    ]);
  });

  it('keeps R² accurate for labels far from zero', () => {
    const labels = [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4];
    const predictions = [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 5];
    const result = computeMetrics({ labels, predictions }, { task: 'regression', bootstrapSamples: 0 });
    assertClose(value(result, 'r2'), 1 - 1 / 5, 'r2');
  });
});

describe('detectTask', () => {
  const cases: {
    name: string;
    labels: (string | number)[];
    predictions?: (string | number)[];
    task: string;
    reason: RegExp;
  }[] = [
    {
      name: '0/1 labels',
      labels: ['0', '1', '1'],
      task: 'classification',
      reason: /^the labels are 2 distinct integers \(at most 20\)$/,
    },
    {
      name: 'text labels',
      labels: ['cat', 'dog', 'cat'],
      task: 'classification',
      reason: /^the labels are text \(e\.g\. 'cat'\), 2 distinct values$/,
    },
    {
      name: 'integers written as floats',
      labels: ['1.0', '2.0', '3'],
      task: 'classification',
      reason: /3 distinct integers/,
    },
    {
      name: 'fractional labels',
      labels: ['1.5', '2.25'],
      task: 'regression',
      reason: /^the labels are numbers with fractions \(e\.g\. 1\.5\)$/,
    },
    {
      name: 'many distinct integers',
      labels: Array.from({ length: 25 }, (_, index) => index),
      task: 'regression',
      reason: /^the labels are more than 20 distinct integers \(classification allows 20\)$/,
    },
    {
      name: 'few integers predicted with fractions',
      labels: [1, 2, 3, 4, 5],
      predictions: [1.2, 2, 3.7, 4, 5],
      task: 'regression',
      reason: /^the labels are 5 distinct integers but the predictions have fractions \(e\.g\. 1\.2\)$/,
    },
    {
      name: 'missing cells are not counted',
      labels: ['0', '', '1', ' '],
      task: 'classification',
      reason: /2 distinct/,
    },
  ];
  for (const { name, labels, predictions, task, reason } of cases) {
    it(name, () => {
      const detection = detectTask(labels, predictions);
      assert.equal(detection.task, task);
      assert.match(detection.reason, reason);
    });
  }

  it('honours maxClasses', () => {
    assert.equal(detectTask([1, 2, 3, 4], undefined, { maxClasses: 3 }).task, 'regression');
    assert.equal(detectTask([1, 2, 3], undefined, { maxClasses: 3 }).task, 'classification');
  });

  it('refuses many distinct text labels', () => {
    const error = dataError(() => detectTask(Array.from({ length: 30 }, (_, index) => `id-${index}`)));
    assert.match(error.message, /^the labels hold more than 20 distinct values, some not numbers \(e\.g\. 'id-0'\)/);
  });

  it('names classes by number when numeric, and orders them', () => {
    assert.equal(classKey('1.0'), '1');
    assert.equal(classKey(' 01 '), '1');
    assert.equal(classKey(' cat '), 'cat');
    assert.equal(classKey(2.5), '2.5');
    assert.deepEqual(sortClasses(['10', '9', '1', '9']), ['1', '9', '10']);
    assert.deepEqual(sortClasses(['b', 'B', 'a', '10', '9']), ['10', '9', 'B', 'a', 'b']);
  });
});

describe('computeMetrics: unusable data and options', () => {
  const dataCases: {
    name: string;
    columns: PredictionColumns;
    options?: ComputeOptions;
    message: string;
    line?: number;
  }[] = [
    { name: 'no rows', columns: { labels: [], predictions: [] }, message: 'there are no rows to evaluate' },
    {
      name: 'columns of different lengths',
      columns: { labels: ['1', '0', '1'], predictions: ['1', '0'] },
      message: 'the predictions have 2 rows but the labels have 3',
    },
    {
      name: 'score column of another length',
      columns: { labels: ['1', '0'], predictions: ['1', '0'], scores: [0.5] },
      message: 'the scores have 1 rows but the labels have 2',
    },
    {
      name: 'missing label',
      columns: { labels: ['1', ' ', '0'], predictions: ['1', '0', '0'] },
      message: 'row 2: the label is missing',
    },
    {
      name: 'missing label, located in a file',
      columns: { labels: ['1', null, '0'], predictions: ['1', '0', '0'] },
      options: { location: { file: 'predictions.csv' } },
      message: 'predictions.csv:3: the label is missing',
      line: 3,
    },
    {
      name: 'missing prediction, with a custom first data line',
      columns: { labels: ['1', '0'], predictions: ['1', undefined] },
      options: { location: { file: 'p.csv', firstDataLine: 10 } },
      message: 'p.csv:11: the prediction is missing',
      line: 11,
    },
    {
      name: 'text in a regression',
      columns: { labels: ['1.5', 'abc'], predictions: ['1', '2'] },
      options: { task: 'regression' },
      message: "row 2: the label 'abc' is not a number, and a regression needs numbers",
    },
    {
      name: 'non-finite score',
      columns: { labels: ['1', '0'], predictions: ['1', '0'], scores: [0.5, Number.NaN] },
      message: 'row 2: the score is NaN, not a finite number',
    },
  ];
  for (const { name, columns, options, message, line } of dataCases) {
    it(name, () => {
      const error = dataError(() => computeMetrics(columns, { bootstrapSamples: 0, ...options }));
      assert.equal(error.message, message);
      assert.equal(error.location.line, line);
    });
  }

  const optionCases: { options: ComputeOptions; input: string; message: string }[] = [
    {
      options: { bootstrapSamples: -1 },
      input: 'bootstrap-samples',
      message: "Input 'bootstrap-samples' must be an integer from 0 to 100000, got -1",
    },
    {
      options: { bootstrapSamples: 2.5 },
      input: 'bootstrap-samples',
      message: "Input 'bootstrap-samples' must be an integer from 0 to 100000, got 2.5",
    },
    {
      options: { confidence: 1 },
      input: 'confidence',
      message: "Input 'confidence' must be a number between 0 and 1 (exclusive), got 1",
    },
    {
      options: { confidence: 95 },
      input: 'confidence',
      message: "Input 'confidence' must be a number between 0 and 1 (exclusive), got 95",
    },
    { options: { seed: 0.5 }, input: 'seed', message: "Input 'seed' must be an integer, got 0.5" },
    {
      options: { maxClasses: 1 },
      input: 'max-classes',
      message: "Input 'max-classes' must be an integer of at least 2, got 1",
    },
    {
      options: { logLossEpsilon: 0 },
      input: 'log-loss-epsilon',
      message: "Input 'log-loss-epsilon' must be a number in (0, 0.5), got 0",
    },
  ];
  for (const { options, input, message } of optionCases) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      const error = configurationError(() => computeMetrics({ labels: ['1', '0'], predictions: ['1', '0'] }, options));
      assert.equal(error.input, input);
      assert.equal(error.message, message);
    });
  }
});

describe('computed metrics through the gate', () => {
  it('gates a challenger against a champion report written by toEvaluationReport', () => {
    const { columns } = readFixture('multiclass');
    const challenger = computeMetrics(columns, { bootstrapSamples: 100, seed: 1 });
    const championReport = JSON.stringify(toEvaluationReport(challenger.metrics, 'multiclass_classification_metrics'));
    const champion = parseMetricsDocument(championReport).metrics;
    const outcomes = evaluateRules(
      [
        'f1.macro >= champion.f1.macro',
        'roc_auc > 0.8',
        'log_loss <= champion.log_loss * 1.01',
        'accuracy > champion.accuracy',
      ].join('\n'),
      challenger.metrics,
      champion,
    );
    assert.deepEqual(
      outcomes.map(({ passed }) => passed),
      [true, true, true, false],
    );
  });
});
