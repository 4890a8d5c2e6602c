import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  spotSavingsPercent,
  trainingActionOutputs,
  trainingJobConsoleUrl,
  trainingJobOutputs,
} from '../../../packages/sagemaker/src/training/index.js';

function job(extra: Partial<DescribeTrainingJobResponse> = {}): DescribeTrainingJobResponse {
  return {
    TrainingJobName: 'train-42-1',
    TrainingJobArn: 'arn:aws:sagemaker:eu-west-1:123456789012:training-job/train-42-1',
    TrainingJobStatus: 'Completed',
    SecondaryStatus: 'Completed',
    ModelArtifacts: { S3ModelArtifacts: 's3://bucket/output/train-42-1/output/model.tar.gz' },
    StoppingCondition: { MaxRuntimeInSeconds: 3_600 },
    CreationTime: new Date(0),
    ...extra,
  };
}

describe('trainingJobOutputs', () => {
  it('reads model data, final metrics, times and the console link of a spot job', () => {
    const outputs = trainingJobOutputs(
      job({
        EnableManagedSpotTraining: true,
        TrainingTimeInSeconds: 1_000,
        BillableTimeInSeconds: 312,
        FinalMetricDataList: [
          { MetricName: 'validation:accuracy', Value: 0.91, Timestamp: new Date(2_000) },
          { MetricName: 'train:loss', Value: 0.2, Timestamp: new Date(1_000) },
          // An older value listed later does not win.
          { MetricName: 'validation:accuracy', Value: 0.5, Timestamp: new Date(1_000) },
        ],
      }),
    );
    assert.deepEqual(outputs, {
      modelData: 's3://bucket/output/train-42-1/output/model.tar.gz',
      metrics: { 'validation:accuracy': 0.91, 'train:loss': 0.2 },
      trainingSeconds: 1_000,
      billableSeconds: 312,
      spotSavings: 68.8,
      consoleUrl: 'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/train-42-1',
    });
    assert.deepEqual(trainingActionOutputs(outputs), {
      'model-data': 's3://bucket/output/train-42-1/output/model.tar.gz',
      metrics: '{"validation:accuracy":0.91,"train:loss":0.2}',
      'training-seconds': '1000',
      'billable-seconds': '312',
      'spot-savings': '68.8',
      'console-url': 'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/train-42-1',
    });
  });

  it('leaves spot savings out for on-demand jobs and empty what SageMaker did not report', () => {
    const outputs = trainingJobOutputs(job({ TrainingTimeInSeconds: 100, BillableTimeInSeconds: 100 }));
    assert.equal(outputs.spotSavings, undefined);
    assert.deepEqual(outputs.metrics, {});
    const text = trainingActionOutputs(trainingJobOutputs(job({ TrainingJobArn: 'not-an-arn' })));
    assert.deepEqual(text, {
      'model-data': 's3://bucket/output/train-42-1/output/model.tar.gz',
      metrics: '{}',
      'training-seconds': '',
      'billable-seconds': '',
      'spot-savings': '',
      'console-url': '',
    });
  });

  it('takes an explicit region over the one in the ARN', () => {
    assert.equal(
      trainingJobOutputs(job(), 'us-west-2').consoleUrl,
      'https://us-west-2.console.aws.amazon.com/sagemaker/home?region=us-west-2#/jobs/train-42-1',
    );
  });
});

describe('spotSavingsPercent', () => {
  it('is (1 - billable / training) x 100 to one decimal', () => {
    assert.equal(spotSavingsPercent(3_600, 1_080), 70);
    assert.equal(spotSavingsPercent(3, 2), 33.3);
    assert.equal(spotSavingsPercent(1_000, 1_000), 0);
    assert.equal(Object.is(spotSavingsPercent(100_000, 100_001), -0), false, 'never -0');
    assert.equal(spotSavingsPercent(0, 0), undefined);
    assert.equal(spotSavingsPercent(undefined, 10), undefined);
    assert.equal(spotSavingsPercent(10, undefined), undefined);
  });
});

describe('trainingJobConsoleUrl', () => {
  it('uses each partition’s console domain', () => {
    assert.equal(
      trainingJobConsoleUrl('us-east-1', 'job'),
      'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/job',
    );
    assert.equal(
      trainingJobConsoleUrl('cn-northwest-1', 'job'),
      'https://cn-northwest-1.console.amazonaws.cn/sagemaker/home?region=cn-northwest-1#/jobs/job',
    );
    assert.equal(
      trainingJobConsoleUrl('us-gov-west-1', 'job'),
      'https://console.amazonaws-us-gov.com/sagemaker/home?region=us-gov-west-1#/jobs/job',
    );
  });
});
