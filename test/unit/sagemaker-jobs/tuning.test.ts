import {
  CreateHyperParameterTuningJobCommand,
  type CreateTrainingJobRequest,
  DescribeHyperParameterTuningJobCommand,
  type DescribeHyperParameterTuningJobResponse,
  ResourceInUse,
  ResourceNotFound,
  StopHyperParameterTuningJobCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { runContext } from '../../../packages/core/src/context.js';
import { CancelledError, ConfigurationError } from '../../../packages/core/src/errors.js';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import {
  buildCreateHyperParameterTuningJobRequest,
  buildCreateTrainingJobRequest,
  startOrAttachTuningJob,
  TuningJobFailedError,
  type TrainingJobRequestOptions,
  tuningJobNameFor,
  waitForTuningJob,
} from '../../../packages/sagemaker/src/training/index.js';
import { awsError, fakeClock, messages, sageMakerClient, START } from './helpers.js';

const trainingOptions: TrainingJobRequestOptions = {
  jobName: 'train-42-1',
  roleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
  algorithm: {
    TrainingImage: 'img:1',
    TrainingInputMode: 'File',
    MetricDefinitions: [
      { Name: 'validation:accuracy', Regex: 'val_acc=([0-9.]+)' },
      { Name: 'train:loss', Regex: 'loss=([0-9.]+)' },
    ],
  },
  hyperparameters: { epochs: '10', lr: '0.01', sagemaker_program: '"train.py"' },
  channels: [{ name: 'train', s3Uri: 's3://bucket/train' }],
  outputPath: 's3://bucket/output',
  instanceType: 'ml.m5.xlarge',
  spot: { maxWaitSeconds: 90_000, checkpointS3Uri: 's3://bucket/checkpoints' },
  environment: { MODE: 'tune' },
  runContext: runContext({ GITHUB_REPOSITORY: 'acme/models', GITHUB_RUN_ID: '42' }),
  action: 'train',
};
const trainingRequest: CreateTrainingJobRequest = buildCreateTrainingJobRequest(trainingOptions);

const TUNING_YAML = `
objective: { metric: validation:accuracy, type: maximize }
strategy: Bayesian
parameters:
  lr: { type: continuous, min: 0.0001, max: 0.1, scaling: Logarithmic }
  depth: { type: integer, min: 2, max: 10 }
  optimizer: { type: categorical, values: [adam, sgd, 1] }
max-jobs: 20
max-parallel-jobs: 2
early-stopping: Auto
`;

function problemsOf(tuning: unknown, training = trainingRequest): string[] {
  try {
    buildCreateHyperParameterTuningJobRequest(tuning, training);
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, String(error));
    assert.equal(error.input, 'tuning');
    return error.problems;
  }
  assert.fail('expected a ConfigurationError');
}

describe('buildCreateHyperParameterTuningJobRequest', () => {
  it('maps the friendly YAML onto the request, the training request onto the job definition', () => {
    const request = buildCreateHyperParameterTuningJobRequest(parse(TUNING_YAML), trainingRequest);
    assert.equal(request.HyperParameterTuningJobName, 'train-42-1');
    assert.deepEqual(request.HyperParameterTuningJobConfig, {
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { MetricName: 'validation:accuracy', Type: 'Maximize' },
      ResourceLimits: { MaxParallelTrainingJobs: 2, MaxNumberOfTrainingJobs: 20 },
      ParameterRanges: {
        ContinuousParameterRanges: [{ Name: 'lr', MinValue: '0.0001', MaxValue: '0.1', ScalingType: 'Logarithmic' }],
        IntegerParameterRanges: [{ Name: 'depth', MinValue: '2', MaxValue: '10', ScalingType: 'Auto' }],
        // Script mode: the toolkit json-decodes every value, so strings go JSON-encoded.
        CategoricalParameterRanges: [{ Name: 'optimizer', Values: ['"adam"', '"sgd"', '1'] }],
      },
      TrainingJobEarlyStoppingType: 'Auto',
    });
    const definition = request.TrainingJobDefinition!;
    // The tuned lr is no longer static; the rest stays.
    assert.deepEqual(definition.StaticHyperParameters, { epochs: '10', sagemaker_program: '"train.py"' });
    assert.deepEqual(definition.AlgorithmSpecification, {
      TrainingInputMode: 'File',
      TrainingImage: 'img:1',
      MetricDefinitions: trainingRequest.AlgorithmSpecification!.MetricDefinitions,
    });
    assert.equal(definition.RoleArn, trainingRequest.RoleArn);
    assert.deepEqual(definition.InputDataConfig, trainingRequest.InputDataConfig);
    assert.deepEqual(definition.OutputDataConfig, trainingRequest.OutputDataConfig);
    assert.deepEqual(definition.ResourceConfig, trainingRequest.ResourceConfig);
    assert.deepEqual(definition.StoppingCondition, trainingRequest.StoppingCondition);
    assert.equal(definition.EnableManagedSpotTraining, true);
    assert.deepEqual(definition.CheckpointConfig, trainingRequest.CheckpointConfig);
    assert.deepEqual(definition.Environment, { MODE: 'tune' });
    assert.deepEqual(request.Tags, trainingRequest.Tags);
  });

  it("carries the training request's volume key into the job definition's resources", () => {
    const keyed = buildCreateTrainingJobRequest({
      ...trainingOptions,
      volumeKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd',
    });
    const request = buildCreateHyperParameterTuningJobRequest(parse(TUNING_YAML), keyed);
    assert.deepEqual(request.TrainingJobDefinition?.ResourceConfig, {
      InstanceType: 'ml.m5.xlarge',
      InstanceCount: 1,
      VolumeSizeInGB: 30,
      VolumeKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd',
    });
  });

  it('encodes categorical values raw for algorithm images, as Python str() would', () => {
    const request = buildCreateHyperParameterTuningJobRequest(
      {
        objective: { metric: 'train:loss', type: 'Minimize' },
        parameters: { booster: { type: 'categorical', values: ['gbtree', true, 2.5] } },
        'max-jobs': 4,
      },
      trainingRequest,
      { encoding: 'raw' },
    );
    assert.deepEqual(request.HyperParameterTuningJobConfig?.ParameterRanges?.CategoricalParameterRanges, [
      { Name: 'booster', Values: ['gbtree', 'True', '2.5'] },
    ]);
    // Defaults: Bayesian, one job at a time, no early stopping.
    assert.equal(request.HyperParameterTuningJobConfig?.Strategy, 'Bayesian');
    assert.deepEqual(request.HyperParameterTuningJobConfig?.ResourceLimits, {
      MaxParallelTrainingJobs: 1,
      MaxNumberOfTrainingJobs: 4,
    });
    assert.equal(request.HyperParameterTuningJobConfig?.TrainingJobEarlyStoppingType, 'Off');
  });

  it('lets Grid search leave max-jobs out (SageMaker runs every combination)', () => {
    const request = buildCreateHyperParameterTuningJobRequest(
      {
        objective: { metric: 'train:loss', type: 'Minimize' },
        strategy: 'grid',
        parameters: { optimizer: { type: 'categorical', values: ['adam', 'sgd'] } },
      },
      trainingRequest,
    );
    assert.equal(request.HyperParameterTuningJobConfig?.Strategy, 'Grid');
    assert.deepEqual(request.HyperParameterTuningJobConfig?.ResourceLimits, { MaxParallelTrainingJobs: 1 });
  });

  it('refuses an objective that is not one of the metric definitions, listing those', () => {
    const problems = problemsOf({ ...parse(TUNING_YAML), objective: { metric: 'val_acc', type: 'Maximize' } });
    assert.deepEqual(problems, [
      "Input 'tuning' key 'objective.metric' is \"val_acc\", which is not a metric definition; the defined metrics are validation:accuracy, train:loss",
    ]);
    const none = buildCreateTrainingJobRequest({
      jobName: 'train-42-1',
      roleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
      algorithm: { TrainingImage: 'img:1', TrainingInputMode: 'File' },
      outputPath: 's3://bucket/output',
      instanceType: 'ml.m5.xlarge',
      runContext: runContext({}),
    });
    assert.match(problemsOf(parse(TUNING_YAML), none)[0]!, /define it in metric-definitions/);
  });

  it('names the bad key for every problem, all at once', () => {
    const problems = problemsOf({
      objective: { metric: 'validation:accuracy', type: 'Biggest' },
      strategy: 'Genetic',
      parameters: {
        lr: { type: 'continuous', min: 0.1, max: 0.01 },
        alpha: { type: 'float', min: 0, max: 1 },
        depth: { type: 'integer', min: 2.5, max: 10, scaling: 'ReverseLogarithmic' },
        beta: { type: 'continuous', min: 0, max: 1, scaling: 'Logarithmic' },
        optimizer: { type: 'categorical', values: [] },
        act: { type: 'categorical', values: ['relu', 'relu', { x: 1 }], extra: 1 },
      },
      'max-jobs': 0,
      'max-parallel-jobs': 3,
      max_jobs: 10,
      'early-stopping': 'sometimes',
    });
    assert.deepEqual(problems, [
      "Input 'tuning' key 'max_jobs' is not known; the keys are objective, strategy, parameters, max-jobs, max-parallel-jobs, early-stopping",
      "Input 'tuning' key 'objective.type' has an invalid value \"Biggest\": expected Maximize, Minimize",
      "Input 'tuning' key 'strategy' has an invalid value \"Genetic\": expected Bayesian, Random, Hyperband, Grid",
      "Input 'tuning' key 'early-stopping' has an invalid value \"sometimes\": expected Off, Auto",
      "Input 'tuning' key 'parameters.lr' has min 0.1 not below max 0.01",
      "Input 'tuning' key 'parameters.alpha.type' has an invalid value \"float\": expected continuous, integer, categorical",
      "Input 'tuning' key 'parameters.depth.min' has an invalid value 2.5: expected a whole number",
      "Input 'tuning' key 'parameters.beta.scaling' is Logarithmic, which needs a range above 0 (min is 0)",
      "Input 'tuning' key 'parameters.optimizer.values' is required: a list of the values to try",
      "Input 'tuning' key 'parameters.act.extra' is not known here; the keys are type, values",
      "Input 'tuning' key 'parameters.act.values' lists \"relu\" twice",
      "Input 'tuning' key 'parameters.act.values' has {\"x\":1}; values are strings, numbers or booleans",
      "Input 'tuning' key 'max-jobs' has an invalid value 0: expected a whole number of at least 1",
    ]);
  });

  it('checks the strategy rules: Hyperband without early stopping, Grid with categorical values only', () => {
    const base = { objective: { metric: 'train:loss', type: 'Minimize' }, 'max-jobs': 4 };
    assert.deepEqual(
      problemsOf({
        ...base,
        strategy: 'Hyperband',
        'early-stopping': 'Auto',
        parameters: { lr: { type: 'continuous', min: 0.001, max: 0.1 } },
      }),
      [
        "Input 'tuning' key 'early-stopping' must be Off with the Hyperband strategy, which stops training jobs early by itself",
      ],
    );
    assert.deepEqual(
      problemsOf({ ...base, strategy: 'Grid', parameters: { lr: { type: 'continuous', min: 0.001, max: 0.1 } } }),
      ["Input 'tuning' key 'parameters' has ranges (lr) but the Grid strategy only searches categorical values"],
    );
    assert.deepEqual(
      problemsOf({ objective: base.objective, parameters: { lr: { type: 'continuous', min: 0.001, max: 0.1 } } }),
      ["Input 'tuning' key 'max-jobs' is required with the Bayesian strategy: how many training jobs to run in total"],
    );
    assert.deepEqual(
      problemsOf({
        ...base,
        parameters: { d: { type: 'continuous', min: 0.1, max: 1, scaling: 'ReverseLogarithmic' } },
      }),
      [
        "Input 'tuning' key 'parameters.d.scaling' is ReverseLogarithmic, which only applies to continuous ranges within 0 <= x < 1",
      ],
    );
  });

  it('refuses what a tuning job cannot run: an entrypoint override, too many parameters', () => {
    const overridden = {
      ...trainingRequest,
      AlgorithmSpecification: { ...trainingRequest.AlgorithmSpecification!, ContainerEntrypoint: ['python3'] },
    };
    assert.match(problemsOf(parse(TUNING_YAML), overridden)[0]!, /cannot be used with a container entrypoint override/);
    const parameters = Object.fromEntries(
      Array.from({ length: 31 }, (_, i) => [`p${i}`, { type: 'integer', min: 0, max: 10 }]),
    );
    assert.deepEqual(problemsOf({ ...parse(TUNING_YAML), parameters }), [
      "Input 'tuning' key 'parameters' has 31 hyperparameters; SageMaker tunes at most 30",
    ]);
    assert.match(problemsOf('lr: 0.1')[0]!, /^Input 'tuning' must be a mapping/);
  });
});

describe('tuningJobNameFor', () => {
  it('keeps a name that fits 32 characters and shortens a longer one deterministically, keeping it unique', () => {
    assert.equal(tuningJobNameFor('train-42-1'), 'train-42-1');
    const a = tuningJobNameFor('my-very-long-model-training-prefix-1234567890-1');
    const b = tuningJobNameFor('my-very-long-model-training-prefix-1234567890-2');
    assert.equal(a, tuningJobNameFor('my-very-long-model-training-prefix-1234567890-1'));
    assert.notEqual(a, b);
    for (const name of [a, b]) {
      assert.ok(name.length <= 32, name);
      assert.match(name, /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

const tuningRequest = buildCreateHyperParameterTuningJobRequest(parse(TUNING_YAML), trainingRequest);
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/train-42-1';

function tuningJob(
  status: string,
  counters: { Completed?: number; InProgress?: number; NonRetryableError?: number; Stopped?: number } = {},
  extra: Partial<DescribeHyperParameterTuningJobResponse> = {},
): DescribeHyperParameterTuningJobResponse {
  return {
    HyperParameterTuningJobName: tuningRequest.HyperParameterTuningJobName,
    HyperParameterTuningJobArn: ARN,
    HyperParameterTuningJobConfig: tuningRequest.HyperParameterTuningJobConfig,
    TrainingJobDefinition: tuningRequest.TrainingJobDefinition,
    HyperParameterTuningJobStatus: status as DescribeHyperParameterTuningJobResponse['HyperParameterTuningJobStatus'],
    CreationTime: new Date(),
    TrainingJobStatusCounters: {
      Completed: 0,
      InProgress: 0,
      RetryableError: 0,
      NonRetryableError: 0,
      Stopped: 0,
      ...counters,
    },
    ObjectiveStatusCounters: { Succeeded: 0, Pending: 0, Failed: 0 },
    ...extra,
  };
}

function best(name: string, value: number): Partial<DescribeHyperParameterTuningJobResponse> {
  return {
    BestTrainingJob: {
      TrainingJobName: name,
      TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${name}`,
      CreationTime: new Date(),
      TrainingJobStatus: 'Completed',
      TunedHyperParameters: { lr: '0.01' },
      FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'validation:accuracy', Value: value },
    },
  };
}

describe('startOrAttachTuningJob', () => {
  it('creates the tuning job when none exists', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock
      .on(DescribeHyperParameterTuningJobCommand)
      .rejects(new ResourceNotFound({ message: 'not found', $metadata: {} }));
    mock.on(CreateHyperParameterTuningJobCommand).resolves({ HyperParameterTuningJobArn: ARN });
    const started = await startOrAttachTuningJob({ client, request: tuningRequest });
    assert.deepEqual(started, { tuningJobName: 'train-42-1', tuningJobArn: ARN, createdByThisRun: true });
    assert.deepEqual(mock.commandCalls(CreateHyperParameterTuningJobCommand)[0]!.args[0].input, tuningRequest);
  });

  it('attaches on a re-run without creating', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeHyperParameterTuningJobCommand).resolves(tuningJob('InProgress'));
    const started = await startOrAttachTuningJob({ client, request: tuningRequest });
    assert.equal(started.createdByThisRun, false);
    assert.equal(mock.commandCalls(CreateHyperParameterTuningJobCommand).length, 0);
  });

  it('treats a ResourceInUse race as an attach', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock
      .on(DescribeHyperParameterTuningJobCommand)
      .rejectsOnce(new ResourceNotFound({ message: 'not found', $metadata: {} }))
      .resolves(tuningJob('InProgress'));
    mock
      .on(CreateHyperParameterTuningJobCommand)
      .rejects(new ResourceInUse({ message: 'Resource Already Exists', $metadata: { attempts: 1 } }));
    const logger = recordingLogger();
    const started = await startOrAttachTuningJob({ client, request: tuningRequest, logger });
    assert.equal(started.createdByThisRun, false);
    assert.deepEqual(messages(logger), [
      'Tuning job train-42-1 was created concurrently (status InProgress); attaching to it',
    ]);
  });

  it('refuses to attach to a tuning job searching other ranges', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    const other = buildCreateHyperParameterTuningJobRequest(
      { ...parse(TUNING_YAML), parameters: { lr: { type: 'continuous', min: 0.001, max: 0.5 } } },
      trainingRequest,
    );
    mock.on(DescribeHyperParameterTuningJobCommand).resolves(
      tuningJob(
        'InProgress',
        {},
        {
          HyperParameterTuningJobConfig: other.HyperParameterTuningJobConfig,
          TrainingJobDefinition: other.TrainingJobDefinition,
        },
      ),
    );
    await assert.rejects(
      startOrAttachTuningJob({ client, request: tuningRequest }),
      /Tuning job train-42-1 already exists but was created from a different request \(parameter ranges differ\); give another job-name/,
    );
  });
});

describe('startOrAttachTuningJob: volume key', () => {
  const keyedTraining = (key: string | undefined) =>
    buildCreateTrainingJobRequest({ ...trainingOptions, ...(key ? { volumeKmsKeyId: key } : {}) });
  const keyedTuning = (key: string | undefined) =>
    buildCreateHyperParameterTuningJobRequest(parse(TUNING_YAML), keyedTraining(key));

  it('attaches to a tuning job whose training jobs have the same volume key, refuses another key or none', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    const existing = keyedTuning('key-1');
    mock
      .on(DescribeHyperParameterTuningJobCommand)
      .resolves(tuningJob('InProgress', {}, { TrainingJobDefinition: existing.TrainingJobDefinition }));
    assert.equal((await startOrAttachTuningJob({ client, request: keyedTuning('key-1') })).createdByThisRun, false);
    for (const key of ['key-2', undefined]) {
      await assert.rejects(startOrAttachTuningJob({ client, request: keyedTuning(key) }), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.equal(error.input, 'job-name');
        assert.equal(
          error.message,
          'Tuning job train-42-1 already exists but was created from a different request (volume KMS key differs); give another job-name, or re-run the workflow for a new name',
        );
        return true;
      });
    }
    assert.equal(mock.commandCalls(CreateHyperParameterTuningJobCommand).length, 0);
  });

  it('refuses a tuning job whose training jobs write under another output key', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    const existing = buildCreateHyperParameterTuningJobRequest(
      parse(TUNING_YAML),
      buildCreateTrainingJobRequest({ ...trainingOptions, outputKmsKeyId: 'key-1' }),
    );
    mock
      .on(DescribeHyperParameterTuningJobCommand)
      .resolves(tuningJob('InProgress', {}, { TrainingJobDefinition: existing.TrainingJobDefinition }));
    await assert.rejects(startOrAttachTuningJob({ client, request: keyedTuning(undefined) }), /output KMS key differs/);
    assert.equal(mock.commandCalls(CreateHyperParameterTuningJobCommand).length, 0);
  });

  it('reports a create SageMaker refuses as invalid as a one-line user error', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock
      .on(DescribeHyperParameterTuningJobCommand)
      .rejects(new ResourceNotFound({ message: 'not found', $metadata: {} }));
    mock
      .on(CreateHyperParameterTuningJobCommand)
      .rejects(awsError('ValidationException', 400, 'VolumeKmsKeyId is not supported for this instance type.'));
    await assert.rejects(startOrAttachTuningJob({ client, request: keyedTuning('key-1') }), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, String(error));
      assert.deepEqual(error.problems, [
        'Creating tuning job train-42-1 was rejected as invalid (ValidationException: VolumeKmsKeyId is not supported for this instance type); check the inputs it was built from',
      ]);
      return true;
    });
  });
});

describe('waitForTuningJob', () => {
  it('logs status and training job counts on change and returns the best training job', async () => {
    const clock = fakeClock();
    const client = sageMakerClient();
    const mock = mockClient(client);
    const answers = [
      tuningJob('InProgress', { InProgress: 2 }),
      tuningJob('InProgress', { InProgress: 2 }),
      tuningJob('InProgress', { Completed: 1, InProgress: 2 }, best('train-42-1-001-aaaa', 0.81)),
      tuningJob('InProgress', { Completed: 3, InProgress: 1, NonRetryableError: 1 }, best('train-42-1-003-cccc', 0.9)),
      tuningJob('Completed', { Completed: 19, NonRetryableError: 1 }, best('train-42-1-017-eeee', 0.93)),
    ];
    let call = 0;
    mock.on(DescribeHyperParameterTuningJobCommand).callsFake(() => answers[Math.min(call++, answers.length - 1)]);
    const logger = recordingLogger();
    const result = await waitForTuningJob({
      client,
      tuningJobName: 'train-42-1',
      timeoutMs: 50 * 60_000,
      logger,
      stopOnAbort: true,
      createdByThisRun: true,
      sleep: clock.sleep,
      now: clock.now,
      random: () => 0.5,
    });
    assert.equal(result.bestTrainingJobName, 'train-42-1-017-eeee');
    assert.equal(result.tuningJob.HyperParameterTuningJobStatus, 'Completed');
    assert.deepEqual(messages(logger), [
      'Tuning job train-42-1: InProgress; training jobs: 0 completed, 2 in progress, 0 failed, 0 stopped of 20',
      'Tuning job train-42-1: InProgress; training jobs: 1 completed, 2 in progress, 0 failed, 0 stopped of 20; best so far train-42-1-001-aaaa (validation:accuracy = 0.81)',
      'Tuning job train-42-1: InProgress; training jobs: 3 completed, 1 in progress, 1 failed, 0 stopped of 20; best so far train-42-1-003-cccc (validation:accuracy = 0.9)',
      'Tuning job train-42-1: Completed; training jobs: 19 completed, 0 in progress, 1 failed, 0 stopped of 20; best so far train-42-1-017-eeee (validation:accuracy = 0.93)',
      'Best training job of tuning job train-42-1: train-42-1-017-eeee (validation:accuracy = 0.93)',
    ]);
  });

  it('fails with a sentence when the tuning job fails, or completes without a best training job', async () => {
    for (const [answer, expected] of [
      [
        tuningJob('Failed', { NonRetryableError: 3 }, { FailureReason: 'All training jobs failed.\nSee their logs.' }),
        'Tuning job train-42-1 failed: All training jobs failed. See their logs',
      ],
      [
        tuningJob('Completed', { NonRetryableError: 2, Completed: 1 }),
        'Tuning job train-42-1 completed without a best training job: 1 completed and 2 failed, and none reported the objective metric validation:accuracy',
      ],
      [tuningJob('Stopped', { Stopped: 2 }), 'Tuning job train-42-1 was stopped'],
    ] as const) {
      const clock = fakeClock();
      const client = sageMakerClient();
      mockClient(client).on(DescribeHyperParameterTuningJobCommand).resolves(answer);
      await assert.rejects(
        waitForTuningJob({
          client,
          tuningJobName: 'train-42-1',
          timeoutMs: 60_000,
          stopOnAbort: true,
          createdByThisRun: true,
          sleep: clock.sleep,
          now: clock.now,
        }),
        (error: unknown) => {
          assert.ok(error instanceof TuningJobFailedError);
          assert.equal(error.message, expected);
          return true;
        },
      );
    }
  });

  it('on abort, stops the tuning job it started and ends cancelled', async () => {
    const clock = fakeClock();
    const client = sageMakerClient();
    const mock = mockClient(client);
    let stoppedAt: number | undefined;
    mock
      .on(DescribeHyperParameterTuningJobCommand)
      .callsFake(() => tuningJob(stoppedAt === undefined ? 'InProgress' : 'Stopped', { InProgress: 1 }));
    mock.on(StopHyperParameterTuningJobCommand).callsFake(() => {
      stoppedAt = clock.now();
      return {};
    });
    const controller = new AbortController();
    clock.at(30_000, () => controller.abort());
    await assert.rejects(
      waitForTuningJob({
        client,
        tuningJobName: 'train-42-1',
        timeoutMs: 50 * 60_000,
        signal: controller.signal,
        stopOnAbort: true,
        createdByThisRun: true,
        sleep: clock.sleep,
        now: clock.now,
      }),
      (error: unknown) => {
        assert.ok(error instanceof CancelledError);
        assert.equal(error.message, 'Cancelled; tuning job train-42-1 was stopped');
        return true;
      },
    );
    assert.ok(stoppedAt !== undefined && stoppedAt - START - 30_000 <= 5_000, 'stop sent within 5 s of the abort');
    assert.deepEqual(mock.commandCalls(StopHyperParameterTuningJobCommand)[0]!.args[0].input, {
      HyperParameterTuningJobName: 'train-42-1',
    });
  });
});
