import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '@mlops-actions/core';
import { compileMetricDefinitions, MetricCollector } from '@mlops-actions/sagemaker';

describe('MetricCollector', () => {
  it('takes the first group of every matching line, keeps the series and reports the last value', () => {
    const collector = new MetricCollector(
      [
        { name: 'validation:auc', regex: 'val_auc: ([-0-9.e]+)' },
        { name: 'loss', regex: '(?:train_)?loss=([0-9.]+)' },
      ],
      1000,
    );
    assert.deepEqual(collector.observe('epoch 1 train_loss=0.9 val_auc: 0.71', 1500), [
      { name: 'validation:auc', value: 0.71 },
      { name: 'loss', value: 0.9 },
    ]);
    assert.deepEqual(collector.observe('nothing to see', 1600), []);
    collector.observe('val_auc: nan', 1700); // not a number: ignored, like SageMaker
    collector.observe('epoch 2 train_loss=0.5 val_auc: 7.5e-1', 2000);
    assert.deepEqual(collector.last, { 'validation:auc': 0.75, loss: 0.5 });
    assert.deepEqual(collector.series.loss, [
      { value: 0.9, atMs: 500 },
      { value: 0.5, atMs: 1000 },
    ]);
  });

  it('refuses definitions SageMaker would refuse, all problems at once, naming the input', () => {
    try {
      compileMetricDefinitions([
        { name: 'ok', regex: 'ok=([0-9.]+)' },
        { name: 'no-group', regex: 'acc=[0-9.]+' },
        { name: 'broken', regex: 'acc=([0-9.]+' },
        { name: '', regex: 'x=(1)' },
        { name: 'long', regex: `(${'a'.repeat(500)})` },
      ]);
      assert.fail('expected a ConfigurationError');
    } catch (error) {
      assert.ok(error instanceof ConfigurationError);
      assert.equal(error.input, 'metric-definitions');
      assert.equal(error.problems.length, 4);
      assert.match(error.problems[0]!, /"no-group" without a capture group/);
      assert.match(error.problems[1]!, /invalid regex for "broken"/);
      assert.match(error.problems[2]!, /a metric name of 0 characters/);
      assert.match(error.problems[3]!, /a regex of 502 characters for "long"/);
    }
    const tooMany = Array.from({ length: 41 }, (_, i) => ({ name: `m${i}`, regex: `m${i}=(\\d+)` }));
    assert.throws(() => compileMetricDefinitions(tooMany), /41 metric definitions; SageMaker accepts at most 40/);
    assert.equal(compileMetricDefinitions(tooMany.slice(0, 40)).length, 40);
  });
});
