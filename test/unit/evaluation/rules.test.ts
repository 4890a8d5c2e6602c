import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConfigurationError } from '@mlops-actions/core';
import {
  FIRST_MODEL_NOTE,
  createMetricSet,
  evaluateRules,
  formatRule,
  parseRules,
} from '../../../packages/data/src/evaluation/index.js';
import type { MetricSet, Rule, Threshold } from '../../../packages/data/src/evaluation/index.js';

function configurationError(action: () => unknown): ConfigurationError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigurationError, nothing was thrown');
}

function metrics(values: Record<string, number>): MetricSet {
  return createMetricSet(Object.entries(values).map(([path, value]) => [path, { value }]));
}

describe('parseRules: valid rules', () => {
  const cases: { source: string; metric: string; op: string; threshold: Threshold }[] = [
    { source: 'accuracy >= 0.9', metric: 'accuracy', op: '>=', threshold: { kind: 'number', value: 0.9 } },
    { source: 'f1.macro > 0.8', metric: 'f1.macro', op: '>', threshold: { kind: 'number', value: 0.8 } },
    { source: 'rmse <= 3', metric: 'rmse', op: '<=', threshold: { kind: 'number', value: 3 } },
    { source: 'mae < 1e-3', metric: 'mae', op: '<', threshold: { kind: 'number', value: 0.001 } },
    {
      source: 'validation:rmse == 3.25',
      metric: 'validation:rmse',
      op: '==',
      threshold: { kind: 'number', value: 3.25 },
    },
    { source: 'loss != -1.5E+2', metric: 'loss', op: '!=', threshold: { kind: 'number', value: -150 } },
    { source: 'x >= .5', metric: 'x', op: '>=', threshold: { kind: 'number', value: 0.5 } },
    { source: 'x >= 5.', metric: 'x', op: '>=', threshold: { kind: 'number', value: 5 } },
    { source: 'x >= 2e3', metric: 'x', op: '>=', threshold: { kind: 'number', value: 2000 } },
    { source: 'x >= - 2', metric: 'x', op: '>=', threshold: { kind: 'number', value: -2 } },
    { source: 'x>=-2.5e-1', metric: 'x', op: '>=', threshold: { kind: 'number', value: -0.25 } },
    { source: 'error@0.7 <= 0.1', metric: 'error@0.7', op: '<=', threshold: { kind: 'number', value: 0.1 } },
    { source: 'val/loss <= 0.3', metric: 'val/loss', op: '<=', threshold: { kind: 'number', value: 0.3 } },
    { source: 'f1 >= champion.f1', metric: 'f1', op: '>=', threshold: { kind: 'champion', metric: 'f1', column: 7 } },
    {
      source: 'f1 >= champion.f1 - 0.01',
      metric: 'f1',
      op: '>=',
      threshold: { kind: 'champion', metric: 'f1', column: 7, adjustment: { kind: 'offset', amount: -0.01 } },
    },
    {
      source: 'f1 >= champion.f1 + 1e-2',
      metric: 'f1',
      op: '>=',
      threshold: { kind: 'champion', metric: 'f1', column: 7, adjustment: { kind: 'offset', amount: 0.01 } },
    },
    {
      source: 'f1.macro >= champion.f1.macro - 0.5%',
      metric: 'f1.macro',
      op: '>=',
      threshold: { kind: 'champion', metric: 'f1.macro', column: 13, adjustment: { kind: 'percent', percent: -0.5 } },
    },
    {
      source: 'auc > champion.auc + 2 %',
      metric: 'auc',
      op: '>',
      threshold: { kind: 'champion', metric: 'auc', column: 7, adjustment: { kind: 'percent', percent: 2 } },
    },
    {
      source: 'rmse <= champion.rmse * 1.02',
      metric: 'rmse',
      op: '<=',
      threshold: { kind: 'champion', metric: 'rmse', column: 9, adjustment: { kind: 'factor', factor: 1.02 } },
    },
    {
      source: 'rmse<=champion.rmse*1.02',
      metric: 'rmse',
      op: '<=',
      threshold: { kind: 'champion', metric: 'rmse', column: 7, adjustment: { kind: 'factor', factor: 1.02 } },
    },
    {
      // '-' stays inside a path before a letter, and ends it before a digit.
      source: 'train-rmse <= champion.train-rmse-0.5',
      metric: 'train-rmse',
      op: '<=',
      threshold: { kind: 'champion', metric: 'train-rmse', column: 15, adjustment: { kind: 'offset', amount: -0.5 } },
    },
    {
      source: 'regression_metrics.mse < champion.regression_metrics.mse',
      metric: 'regression_metrics.mse',
      op: '<',
      threshold: { kind: 'champion', metric: 'regression_metrics.mse', column: 26 },
    },
  ];
  for (const { source, metric, op, threshold } of cases) {
    it(source, () => {
      const [rule, ...rest] = parseRules(source);
      assert.equal(rest.length, 0);
      assert.deepEqual(rule, { source, line: 1, metric, column: 1, op, threshold });
    });
  }

  it('skips blank lines and comments, keeps line numbers and strips trailing comments', () => {
    const text = [
      '# quality gate',
      '',
      '  accuracy >= 0.9   # absolute floor',
      '\t',
      'rmse <= champion.rmse * 1.02',
      '   # indented comment',
      'f1 >= champion.f1 - 0.5%\r',
    ].join('\n');
    const rules = parseRules(text);
    assert.deepEqual(
      rules.map(({ line, source, column }) => ({ line, source, column })),
      [
        { line: 3, source: 'accuracy >= 0.9', column: 3 },
        { line: 5, source: 'rmse <= champion.rmse * 1.02', column: 1 },
        { line: 7, source: 'f1 >= champion.f1 - 0.5%', column: 1 },
      ],
    );
  });
});

describe('parseRules: malformed rules name the line, the column and what was expected', () => {
  const ops = '>=, >, <=, <, ==, !=';
  const cases: { name: string; text: string; message: string }[] = [
    {
      name: 'missing operator at the end of the line',
      text: 'accuracy >= 0.9\n       f1',
      message: `Input 'rules' line 2, column 10: expected one of ${ops} after 'f1'`,
    },
    {
      name: 'missing operator before a number',
      text: 'f1 0.8',
      message: `Input 'rules' line 1, column 4: expected one of ${ops} after 'f1', found '0.8'`,
    },
    {
      name: 'single = sign',
      text: 'f1 = 0.8',
      message: `Input 'rules' line 1, column 4: expected one of ${ops} after 'f1', found '=' (use '==' for equality)`,
    },
    {
      name: 'missing right side',
      text: 'f1 >=',
      message: `Input 'rules' line 1, column 6: expected a number or champion.<metric path> after '>='`,
    },
    {
      name: 'missing right side before a comment',
      text: '# gate\nf1 >=   # TODO',
      message: `Input 'rules' line 2, column 6: expected a number or champion.<metric path> after '>='`,
    },
    {
      name: 'number with two decimal points',
      text: 'f1 >= 0.8.1',
      message: `Input 'rules' line 1, column 7: '0.8.1' is not a number`,
    },
    {
      name: 'exponent without digits',
      text: 'f1 >= 1e',
      message: `Input 'rules' line 1, column 7: '1e' is not a number`,
    },
    {
      name: 'number with trailing letters',
      text: 'f1 >= 0.5x',
      message: `Input 'rules' line 1, column 7: '0.5x' is not a number`,
    },
    {
      name: 'bad number after champion arithmetic',
      text: 'rmse <= champion.rmse * 1..02',
      message: `Input 'rules' line 1, column 25: '1..02' is not a number`,
    },
    {
      name: 'unknown reference',
      text: 'f1 >= challenger.f1',
      message: `Input 'rules' line 1, column 7: unknown reference 'challenger.f1': the right side is a number or champion.<metric path>`,
    },
    {
      name: 'champion without a metric',
      text: 'f1 >= champion',
      message: `Input 'rules' line 1, column 15: expected '.' and a metric path after 'champion'`,
    },
    {
      name: 'champion with an empty metric',
      text: 'f1 >= champion.',
      message: `Input 'rules' line 1, column 16: expected a metric path after 'champion.'`,
    },
    {
      name: 'empty path segment',
      text: 'f1..macro >= 0.8',
      message: `Input 'rules' line 1, column 4: expected a path segment between the dots of 'f1..macro'`,
    },
    {
      name: 'trailing garbage after a number',
      text: 'f1 >= 0.8 extra',
      message: `Input 'rules' line 1, column 11: expected the end of the rule after '0.8', found 'extra'`,
    },
    {
      name: 'trailing garbage after a champion reference',
      text: 'f1 >= champion.f1 0.5',
      message: `Input 'rules' line 1, column 19: expected '+', '-', '*' or the end of the rule after 'champion.f1', found '0.5'`,
    },
    {
      name: 'percentage after a factor',
      text: 'f1 >= champion.f1 * 2%',
      message: `Input 'rules' line 1, column 22: expected the end of the rule after '2', found '%'`,
    },
    {
      name: 'percentage after a plain number',
      text: 'accuracy >= 90%',
      message: `Input 'rules' line 1, column 15: expected the end of the rule after '90', found '%'`,
    },
    {
      name: 'dangling minus',
      text: 'f1 >= champion.f1 -',
      message: `Input 'rules' line 1, column 20: expected a number after '-'`,
    },
    {
      name: 'factor that is not a number',
      text: 'f1 >= champion.f1 * x',
      message: `Input 'rules' line 1, column 21: expected a number after '*', found 'x'`,
    },
    {
      name: 'no metric on the left',
      text: '>= 0.8',
      message: `Input 'rules' line 1, column 1: expected a metric path, found '>='`,
    },
    {
      name: 'champion on the left',
      text: 'champion.f1 >= 0.8',
      message: `Input 'rules' line 1, column 1: the left side is a challenger metric; 'champion.f1' belongs on the right side (e.g. f1 >= champion.f1)`,
    },
    {
      name: 'stray character',
      text: 'f1 >= $x',
      message: `Input 'rules' line 1, column 7: expected a number or champion.<metric path> after '>=', found '$'`,
    },
  ];
  for (const { name, text, message } of cases) {
    it(name, () => {
      const error = configurationError(() => parseRules(text));
      assert.equal(error.message, message);
      assert.equal(error.input, 'rules');
    });
  }

  it('reports every malformed line at once', () => {
    const error = configurationError(() => parseRules('f1 >= 0.8\nf1 0.8\nrmse <=\naccuracy > 0.5'));
    assert.deepEqual(error.problems, [
      `Input 'rules' line 2, column 4: expected one of >=, >, <=, <, ==, != after 'f1', found '0.8'`,
      `Input 'rules' line 3, column 8: expected a number or champion.<metric path> after '<='`,
    ]);
  });

  for (const text of ['', '\n\n', '# only a comment\n   # and another']) {
    it(`refuses a rules input without rules: ${JSON.stringify(text)}`, () => {
      const error = configurationError(() => parseRules(text));
      assert.match(error.message, /^Input 'rules' holds no rule/);
    });
  }

  it('throws nothing but ConfigurationError for any text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'f1 .>=<!*%+-#champion0123456789eE\n\t$'.split('')) }),
        (text) => {
          try {
            parseRules(text);
          } catch (error) {
            return error instanceof ConfigurationError && /^Input 'rules' /.test(error.message);
          }
          return true;
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('formatRule', () => {
  const segment = fc.stringMatching(/^[a-z_][a-z0-9_:@]{0,6}$/);
  const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join('.'));
  const unsigned = fc
    .double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true })
    .filter((n) => !Object.is(n, -0));
  const signed = fc
    .double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })
    .filter((n) => !Object.is(n, -0));
  const threshold: fc.Arbitrary<Threshold> = fc.oneof(
    signed.map((value) => ({ kind: 'number' as const, value })),
    fc.record({
      kind: fc.constant('champion' as const),
      metric: path,
      column: fc.constant(0),
      adjustment: fc.option(
        fc.oneof(
          signed.filter((n) => n !== 0).map((amount) => ({ kind: 'offset' as const, amount })),
          signed.filter((n) => n !== 0).map((percent) => ({ kind: 'percent' as const, percent })),
          unsigned.map((factor) => ({ kind: 'factor' as const, factor })),
        ),
        { nil: undefined },
      ),
    }),
  );
  const rule = fc.record({
    metric: path.filter((p) => p !== 'champion' && !p.startsWith('champion.')),
    op: fc.constantFrom('>=' as const, '>' as const, '<=' as const, '<' as const, '==' as const, '!=' as const),
    threshold,
  });

  it('parses back to the same rule', () => {
    fc.assert(
      fc.property(rule, (original) => {
        const text = formatRule(original);
        const [parsed] = parseRules(text);
        const expected: Threshold =
          original.threshold.kind === 'champion'
            ? {
                kind: 'champion',
                metric: original.threshold.metric,
                column: original.metric.length + original.op.length + 3,
                ...(original.threshold.adjustment ? { adjustment: original.threshold.adjustment } : {}),
              }
            : original.threshold;
        assert.deepEqual(
          { metric: parsed!.metric, op: parsed!.op, threshold: parsed!.threshold },
          {
            metric: original.metric,
            op: original.op,
            threshold: expected,
          },
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('evaluateRules', () => {
  const challenger = metrics({ accuracy: 0.9, 'f1.macro': 0.8, rmse: 3, loss: -2, 'validation:rmse': 3.5 });

  const constantCases: { rule: string; passed: boolean }[] = [
    { rule: 'accuracy >= 0.9', passed: true },
    { rule: 'accuracy > 0.9', passed: false },
    { rule: 'accuracy <= 0.9', passed: true },
    { rule: 'accuracy < 0.9', passed: false },
    { rule: 'accuracy == 0.9', passed: true },
    { rule: 'accuracy != 0.9', passed: false },
    { rule: 'accuracy >= 0.95', passed: false },
    { rule: 'accuracy != 0.95', passed: true },
    { rule: 'rmse < 3.0000000000000004', passed: true }, // the next double above 3
    { rule: 'rmse == 3.0000000000000004', passed: false }, // exact comparison, no tolerance
    { rule: 'accuracy == 0.90000000000000001', passed: true }, // the literal rounds to the double 0.9
    { rule: 'loss >= -2', passed: true },
    { rule: 'loss > -2e0', passed: false },
    { rule: 'validation:rmse <= 3.5', passed: true },
  ];
  for (const { rule, passed } of constantCases) {
    it(`${rule} → ${passed ? 'pass' : 'fail'}`, () => {
      const [outcome] = evaluateRules(rule, challenger, undefined);
      assert.equal(outcome!.passed, passed);
      assert.equal(outcome!.rule, rule);
      assert.equal(outcome!.championValue, undefined);
      assert.equal(outcome!.delta, undefined);
    });
  }

  const champion = metrics({ accuracy: 0.88, 'f1.macro': 0.82, rmse: 2.95, loss: -2.1, 'validation:rmse': 3.5 });
  const championCases: { rule: string; threshold: number; championValue: number; delta: number; passed: boolean }[] = [
    { rule: 'accuracy >= champion.accuracy', threshold: 0.88, championValue: 0.88, delta: 0.9 - 0.88, passed: true },
    { rule: 'f1.macro >= champion.f1.macro', threshold: 0.82, championValue: 0.82, delta: 0.8 - 0.82, passed: false },
    {
      rule: 'f1.macro >= champion.f1.macro - 0.05',
      threshold: 0.82 - 0.05,
      championValue: 0.82,
      delta: 0.8 - 0.82,
      passed: true,
    },
    {
      rule: 'f1.macro >= champion.f1.macro - 2%',
      threshold: 0.82 - (0.82 * 2) / 100,
      championValue: 0.82,
      delta: 0.8 - 0.82,
      passed: false,
    },
    {
      rule: 'f1.macro >= champion.f1.macro - 2.5%',
      threshold: 0.82 - (0.82 * 2.5) / 100,
      championValue: 0.82,
      delta: 0.8 - 0.82,
      passed: true,
    },
    {
      rule: 'accuracy > champion.accuracy + 1%',
      threshold: 0.88 + (0.88 * 1) / 100,
      championValue: 0.88,
      delta: 0.9 - 0.88,
      passed: true,
    },
    {
      rule: 'rmse <= champion.rmse * 1.02',
      threshold: 2.95 * 1.02,
      championValue: 2.95,
      delta: 3 - 2.95,
      passed: true,
    },
    {
      rule: 'rmse <= champion.rmse * 1.01',
      threshold: 2.95 * 1.01,
      championValue: 2.95,
      delta: 3 - 2.95,
      passed: false,
    },
    {
      // A percentage moves by |champion|: '-' lowers the bar even for a negative champion value.
      rule: 'loss >= champion.loss - 10%',
      threshold: -2.1 - 0.21,
      championValue: -2.1,
      delta: -2 - -2.1,
      passed: true,
    },
    {
      rule: 'loss >= champion.loss + 10%',
      threshold: -2.1 + 0.21,
      championValue: -2.1,
      delta: -2 - -2.1,
      passed: false,
    },
    {
      rule: 'validation:rmse == champion.validation:rmse',
      threshold: 3.5,
      championValue: 3.5,
      delta: 0,
      passed: true,
    },
  ];
  for (const { rule, threshold, championValue, delta, passed } of championCases) {
    it(`${rule} → ${passed ? 'pass' : 'fail'}`, () => {
      const [outcome] = evaluateRules(rule, challenger, champion);
      assert.ok(Math.abs(outcome!.threshold! - threshold) < 1e-12, `threshold ${outcome!.threshold} ≠ ${threshold}`);
      assert.equal(outcome!.championValue, championValue);
      assert.ok(Math.abs(outcome!.delta! - delta) < 1e-12);
      assert.equal(outcome!.passed, passed);
      assert.equal(outcome!.note, undefined);
    });
  }

  it('computes thresholds in doubles and compares exactly', () => {
    // 0.2 + 0.1 is 0.30000000000000004 in IEEE-754, so a challenger at exactly 0.3 does not reach it.
    const [outcome] = evaluateRules('x >= champion.x + 0.1', metrics({ x: 0.3 }), metrics({ x: 0.2 }));
    assert.equal(outcome!.threshold, 0.30000000000000004);
    assert.equal(outcome!.passed, false);
  });

  it('reports the full outcome', () => {
    const outcomes = evaluateRules(
      'accuracy >= 0.85\n\nrmse <= champion.rmse * 1.02 # 2 % slack',
      challenger,
      champion,
    );
    assert.deepEqual(outcomes, [
      { rule: 'accuracy >= 0.85', line: 1, metric: 'accuracy', op: '>=', actual: 0.9, threshold: 0.85, passed: true },
      {
        rule: 'rmse <= champion.rmse * 1.02',
        line: 3,
        metric: 'rmse',
        op: '<=',
        actual: 3,
        threshold: 2.95 * 1.02,
        championValue: 2.95,
        delta: 3 - 2.95,
        passed: true,
      },
    ]);
  });

  it('passes champion rules for the first model, with a note', () => {
    const outcomes = evaluateRules('f1.macro >= champion.f1.macro\naccuracy >= 0.95', challenger, undefined);
    assert.deepEqual(outcomes[0], {
      rule: 'f1.macro >= champion.f1.macro',
      line: 1,
      metric: 'f1.macro',
      op: '>=',
      actual: 0.8,
      threshold: undefined,
      passed: true,
      note: FIRST_MODEL_NOTE,
    });
    assert.equal(FIRST_MODEL_NOTE, 'no champion yet: this is the first model');
    assert.equal(outcomes[1]!.passed, false, 'constant rules still apply to the first model');
  });

  it('fails closed when the champion lacks the metric', () => {
    const [outcome] = evaluateRules('accuracy >= champion.balanced_accuracy', challenger, champion);
    assert.equal(outcome!.passed, false);
    assert.equal(outcome!.threshold, undefined);
    assert.equal(outcome!.championValue, undefined);
    assert.match(
      outcome!.note!,
      /^the champion has no metric 'balanced_accuracy', so the rule cannot be checked \(failing closed\)/,
    );
    assert.match(outcome!.note!, /the champion has: accuracy, f1\.macro, rmse/);
  });

  it('fails closed when the champion metric is an ambiguous alias', () => {
    const ambiguousChampion = createMetricSet([
      ['binary_classification_metrics.accuracy', { value: 0.8 }],
      ['multiclass_classification_metrics.accuracy', { value: 0.7 }],
    ]);
    const [outcome] = evaluateRules('accuracy >= champion.accuracy', challenger, ambiguousChampion);
    assert.equal(outcome!.passed, false);
    assert.match(
      outcome!.note!,
      /ambiguous \(binary_classification_metrics\.accuracy, multiclass_classification_metrics\.accuracy\)/,
    );
  });

  it('resolves aliases on both sides', () => {
    const report = createMetricSet([['regression_metrics.mse', { value: 4, standardDeviation: 0.1 }]]);
    const championReport = createMetricSet([['regression_metrics.mse', { value: 5 }]]);
    const [outcome] = evaluateRules('mse <= champion.mse', report, championReport);
    assert.equal(outcome!.actual, 4);
    assert.equal(outcome!.championValue, 5);
    assert.equal(outcome!.passed, true);
  });

  it('names unknown challenger metrics with the available paths, closest first', () => {
    const error = configurationError(() =>
      evaluateRules('accuracy >= 0.5\n  f1 >= 0.5\nrsme <= 4', challenger, undefined),
    );
    assert.equal(error.input, 'rules');
    assert.deepEqual(error.problems, [
      `Input 'rules' line 2, column 3: unknown metric 'f1'; available (closest first): f1.macro, rmse, loss, accuracy, validation:rmse`,
      `Input 'rules' line 3, column 1: unknown metric 'rsme'; available (closest first): rmse, loss, accuracy, f1.macro, validation:rmse`,
    ]);
  });

  it('refuses an ambiguous challenger alias', () => {
    const ambiguous = createMetricSet([
      ['train_metrics.rmse', { value: 1 }],
      ['validation_metrics.rmse', { value: 2 }],
    ]);
    const error = configurationError(() => evaluateRules('rmse <= 3', ambiguous, undefined));
    assert.equal(
      error.message,
      `Input 'rules' line 1, column 1: metric 'rmse' is ambiguous (train_metrics.rmse, validation_metrics.rmse); write the full path`,
    );
  });

  it('accepts parsed rules as well as text', () => {
    const rules: Rule[] = parseRules('accuracy >= 0.5');
    assert.equal(evaluateRules(rules, challenger, champion)[0]!.passed, true);
  });
});
