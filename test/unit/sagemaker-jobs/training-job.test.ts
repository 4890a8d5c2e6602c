import {
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobResponse,
  ResourceInUse,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runContext } from '../../../packages/core/src/context.js';
import { CancelledError, ConfigurationError } from '../../../packages/core/src/errors.js';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import {
  buildCreateTrainingJobRequest,
  startOrAttachTrainingJob,
  trainingRequestDifferences,
  type TrainingJobRequestOptions,
} from '../../../packages/sagemaker/src/training/index.js';
import { awsError, messages, sageMakerClient } from './helpers.js';

const ctx = runContext({
  GITHUB_REPOSITORY: 'acme/models',
  GITHUB_SHA: 'abc123',
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
});

function options(overrides: Partial<TrainingJobRequestOptions> = {}): TrainingJobRequestOptions {
  return {
    jobName: 'train-42-1',
    roleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
    algorithm: {
      TrainingImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'accuracy', Regex: 'accuracy=([0-9.]+)' }],
    },
    hyperparameters: { epochs: '3', sagemaker_program: '"train.py"' },
    channels: [{ name: 'train', s3Uri: 's3://bucket/data/train', contentType: 'text/csv' }],
    outputPath: 's3://bucket/output',
    instanceType: 'ml.m5.xlarge',
    runContext: ctx,
    action: 'train',
    ...overrides,
  };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected a ConfigurationError');
}

describe('buildCreateTrainingJobRequest', () => {
  it('maps every option onto the CreateTrainingJob request, with the defaults SageMaker documents', () => {
    const request = buildCreateTrainingJobRequest(options());
    assert.deepEqual(request, {
      TrainingJobName: 'train-42-1',
      RoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
      AlgorithmSpecification: {
        TrainingImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
        TrainingInputMode: 'File',
        MetricDefinitions: [{ Name: 'accuracy', Regex: 'accuracy=([0-9.]+)' }],
      },
      HyperParameters: { epochs: '3', sagemaker_program: '"train.py"' },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: {
              S3DataType: 'S3Prefix',
              S3Uri: 's3://bucket/data/train',
              S3DataDistributionType: 'FullyReplicated',
            },
          },
          ContentType: 'text/csv',
        },
      ],
      OutputDataConfig: { S3OutputPath: 's3://bucket/output' },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86_400 },
      Tags: [
        { Key: 'mlops-actions:repo', Value: 'acme/models' },
        { Key: 'mlops-actions:sha', Value: 'abc123' },
        { Key: 'mlops-actions:run', Value: 'https://github.com/acme/models/actions/runs/42' },
        { Key: 'mlops-actions:action', Value: 'train' },
      ],
    });
  });

  it('sets spot training, checkpoints, VPC, isolation, KMS keys, environment, entrypoint and channel modes', () => {
    const request = buildCreateTrainingJobRequest(
      options({
        algorithm: {
          TrainingImage: 'img:1',
          TrainingInputMode: 'FastFile',
          ContainerEntrypoint: ['python3', '/opt/ml/input/data/code/train.py'],
          ContainerArguments: ['--epochs', '3'],
        },
        channels: [
          { name: 'train', s3Uri: 's3://b/train', inputMode: 'Pipe', distribution: 'ShardedByS3Key' },
          { name: 'code', s3Uri: 's3://b/code/sourcedir.tar.gz', compression: 'Gzip' },
        ],
        outputKmsKeyId: 'alias/models',
        instanceCount: 4,
        volumeSizeGb: 100,
        volumeKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd',
        maxRuntimeSeconds: 3_600,
        spot: { maxWaitSeconds: 7_200, checkpointS3Uri: 's3://b/checkpoints/train-42-1' },
        vpc: { subnets: ['subnet-1', 'subnet-2'], securityGroupIds: ['sg-1'] },
        networkIsolation: true,
        environment: { LOG_LEVEL: 'debug' },
        tags: { team: 'ml' },
      }),
    );
    assert.deepEqual(request.AlgorithmSpecification, {
      TrainingImage: 'img:1',
      TrainingInputMode: 'FastFile',
      ContainerEntrypoint: ['python3', '/opt/ml/input/data/code/train.py'],
      ContainerArguments: ['--epochs', '3'],
    });
    assert.deepEqual(
      request.InputDataConfig?.map((c) => [
        c.ChannelName,
        c.InputMode,
        c.CompressionType,
        c.DataSource?.S3DataSource?.S3DataDistributionType,
      ]),
      [
        ['train', 'Pipe', undefined, 'ShardedByS3Key'],
        ['code', undefined, 'Gzip', 'FullyReplicated'],
      ],
    );
    assert.deepEqual(request.OutputDataConfig, { S3OutputPath: 's3://bucket/output', KmsKeyId: 'alias/models' });
    assert.deepEqual(request.ResourceConfig, {
      InstanceType: 'ml.m5.xlarge',
      InstanceCount: 4,
      VolumeSizeInGB: 100,
      VolumeKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd',
    });
    assert.deepEqual(request.StoppingCondition, { MaxRuntimeInSeconds: 3_600, MaxWaitTimeInSeconds: 7_200 });
    assert.equal(request.EnableManagedSpotTraining, true);
    assert.deepEqual(request.CheckpointConfig, {
      S3Uri: 's3://b/checkpoints/train-42-1',
      LocalPath: '/opt/ml/checkpoints',
    });
    assert.deepEqual(request.VpcConfig, { Subnets: ['subnet-1', 'subnet-2'], SecurityGroupIds: ['sg-1'] });
    assert.equal(request.EnableNetworkIsolation, true);
    assert.deepEqual(request.Environment, { LOG_LEVEL: 'debug' });
    // User tags come after the standard ones.
    assert.deepEqual(request.Tags?.at(-1), { Key: 'team', Value: 'ml' });
    assert.equal(request.Tags?.length, 5);
  });

  it('defaults the input mode to File when the algorithm leaves it out', () => {
    const request = buildCreateTrainingJobRequest(
      options({ algorithm: { TrainingImage: 'img:1', TrainingInputMode: undefined } }),
    );
    assert.equal(request.AlgorithmSpecification?.TrainingInputMode, 'File');
  });

  it('wants a spot max wait above the max runtime, which leaves time to wait for capacity', () => {
    const longer = buildCreateTrainingJobRequest(options({ maxRuntimeSeconds: 600, spot: { maxWaitSeconds: 601 } }));
    assert.equal(longer.StoppingCondition?.MaxWaitTimeInSeconds, 601);
    assert.equal(longer.CheckpointConfig, undefined);
    for (const maxWaitSeconds of [600, 599]) {
      const problems = problemsOf(() =>
        buildCreateTrainingJobRequest(options({ maxRuntimeSeconds: 600, spot: { maxWaitSeconds } })),
      );
      assert.deepEqual(problems, [
        `Input 'max-wait' is ${maxWaitSeconds}s, not more than max-runtime (600s): for spot training it covers the wait for capacity plus the runtime, so it must exceed max-runtime`,
      ]);
    }
  });

  it('sets checkpoints without spot, on-demand jobs resume from them too', () => {
    const request = buildCreateTrainingJobRequest(options({ checkpoint: { s3Uri: 's3://b/checkpoints/x' } }));
    assert.deepEqual(request.CheckpointConfig, { S3Uri: 's3://b/checkpoints/x', LocalPath: '/opt/ml/checkpoints' });
    assert.equal(request.EnableManagedSpotTraining, undefined);
    const problems = problemsOf(() => buildCreateTrainingJobRequest(options({ checkpoint: { s3Uri: 'b/x' } })));
    assert.deepEqual(problems, [`Input 'checkpoint-uri' has "b/x", which is not an s3://bucket/prefix URI`]);
  });

  it('reports every problem at once, each naming its input', () => {
    const problems = problemsOf(() =>
      buildCreateTrainingJobRequest(
        options({
          jobName: 'bad_name',
          roleArn: 'SageMakerExecution',
          algorithm: { TrainingImage: '', TrainingInputMode: 'File' },
          channels: [
            { name: 'train', s3Uri: '/local/path' },
            { name: 'train', s3Uri: 's3://b/x' },
            { name: 'bad name', s3Uri: 's3://b/y' },
          ],
          outputPath: 'bucket/output',
          instanceType: 'm5.xlarge',
          instanceCount: 0,
          volumeSizeGb: 1.5,
          maxRuntimeSeconds: 29 * 24 * 3_600,
          vpc: { subnets: [], securityGroupIds: ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5', 'sg-6'] },
          environment: { '1BAD': 'x' },
          tags: { 'aws:reserved': 'x' },
        }),
      ),
    );
    const inputs = problems.map((p) => /^Input '([^']+)'/.exec(p)?.[1]);
    assert.deepEqual(inputs, [
      'job-name',
      'role-arn',
      'image-uri',
      'inputs',
      'inputs',
      'inputs',
      'output-path',
      'instance-type',
      'instance-count',
      'volume-size',
      'max-runtime',
      'subnets',
      'security-group-ids',
      'environment',
      'tags',
    ]);
    assert.match(problems[3]!, /channel train: "\/local\/path", which is not an s3:\/\/bucket\/prefix URI/);
    assert.match(problems[4]!, /channel name "bad name": names are 1 to 64 letters/);
    assert.match(problems[5]!, /names the channel\(s\) train more than once/);
    assert.match(problems[10]!, /expected a whole number from 1 to 2419200/);
  });

  it('names volume-kms-key, not kms-key, for a volume key SageMaker would refuse', () => {
    const problems = problemsOf(() =>
      buildCreateTrainingJobRequest(options({ outputKmsKeyId: 'alias/models', volumeKmsKeyId: 'key with spaces' })),
    );
    assert.deepEqual(problems, [
      `Input 'volume-kms-key' has an invalid value "key with spaces": expected a KMS key id, alias or ARN`,
    ]);
  });

  it('checks the API limits on hyperparameters, metric definitions, environment and container arguments', () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`hp${i}`, '1']));
    const problems = problemsOf(() =>
      buildCreateTrainingJobRequest(
        options({
          hyperparameters: { ...many, long: 'x'.repeat(2_501) },
          algorithm: {
            TrainingImage: 'img:1',
            TrainingInputMode: 'File',
            MetricDefinitions: [
              { Name: 'loss', Regex: 'loss=(\\S+)' },
              { Name: 'loss', Regex: 'l=(\\S+)' },
            ],
            ContainerArguments: ['a'.repeat(257)],
          },
          environment: { VALUE: 'v'.repeat(513) },
        }),
      ),
    );
    assert.deepEqual(problems, [
      "Input 'metric-definitions' defines loss more than once",
      "Input 'command' gives ContainerArguments an item of 257 characters; SageMaker accepts 256",
      "Input 'hyperparameters' has 102 entries; SageMaker accepts at most 100",
      "Input 'hyperparameters' has long with 2501 characters once encoded; SageMaker accepts 2500",
      "Input 'environment' has VALUE with 513 characters; SageMaker accepts 512",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

function existingJob(request: CreateTrainingJobRequest, overrides: Partial<DescribeTrainingJobResponse> = {}) {
  return {
    TrainingJobName: request.TrainingJobName,
    TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${request.TrainingJobName}`,
    TrainingJobStatus: 'InProgress',
    SecondaryStatus: 'Training',
    AlgorithmSpecification: request.AlgorithmSpecification,
    HyperParameters: request.HyperParameters,
    ResourceConfig: request.ResourceConfig,
    InputDataConfig: request.InputDataConfig,
    OutputDataConfig: request.OutputDataConfig,
    CreationTime: new Date(),
    ModelArtifacts: { S3ModelArtifacts: '' },
    StoppingCondition: request.StoppingCondition,
    ...overrides,
  } satisfies DescribeTrainingJobResponse;
}

const notFound = () => awsError('ValidationException', 400, 'Requested resource not found.');

describe('startOrAttachTrainingJob', () => {
  const request = buildCreateTrainingJobRequest(options());
  const arn = 'arn:aws:sagemaker:us-east-1:123456789012:training-job/train-42-1';

  it('creates the job when DescribeTrainingJob finds none', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).rejects(notFound());
    mock.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: arn });
    const logger = recordingLogger();
    const started = await startOrAttachTrainingJob({ client, request, logger });
    assert.deepEqual(started, { jobName: 'train-42-1', jobArn: arn, createdByThisRun: true });
    assert.deepEqual(mock.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input, request);
    assert.deepEqual(messages(logger), ['Started training job train-42-1']);
  });

  it('also takes ResourceNotFound (the declared error) as "no such job"', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).rejects(awsError('ResourceNotFound'));
    mock.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: arn });
    assert.equal((await startOrAttachTrainingJob({ client, request })).createdByThisRun, true);
  });

  it('attaches on a re-run: the job exists, CreateTrainingJob is never called', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).resolves(existingJob(request));
    const logger = recordingLogger();
    const started = await startOrAttachTrainingJob({ client, request, logger });
    assert.deepEqual(started, { jobName: 'train-42-1', jobArn: arn, createdByThisRun: false });
    assert.equal(mock.commandCalls(CreateTrainingJobCommand).length, 0);
    assert.deepEqual(messages(logger), ['Training job train-42-1 already exists (status InProgress); attaching to it']);
  });

  it('ignores what SageMaker or an emulator rewrites (metric definitions, tags) when comparing', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).resolves(
      existingJob(request, {
        AlgorithmSpecification: { ...request.AlgorithmSpecification!, MetricDefinitions: [{ Name: 'x', Regex: 'y' }] },
      }),
    );
    assert.equal((await startOrAttachTrainingJob({ client, request })).createdByThisRun, false);
  });

  it('refuses to attach to a job created from a different image or hyperparameters', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).resolves(
      existingJob(request, {
        AlgorithmSpecification: { TrainingImage: 'other:2', TrainingInputMode: 'File' },
        HyperParameters: { epochs: '5', sagemaker_program: '"train.py"' },
      }),
    );
    await assert.rejects(startOrAttachTrainingJob({ client, request }), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.equal(error.input, 'job-name');
      assert.match(error.message, /^Training job train-42-1 already exists but was created from a different request/);
      assert.match(error.message, /image "683313688378[^"]*" here, "other:2" in the existing job/);
      assert.match(error.message, /hyperparameters epochs "3" vs "5"/);
      return true;
    });
    assert.equal(mock.commandCalls(CreateTrainingJobCommand).length, 0);
  });

  it('attaches to a job created with the same volume key, and refuses one created with another key or none', async () => {
    const KEY = 'arn:aws:kms:us-east-1:123456789012:key/aaaa';
    const keyed = buildCreateTrainingJobRequest(options({ volumeKmsKeyId: KEY }));
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).resolves(existingJob(keyed));
    assert.equal((await startOrAttachTrainingJob({ client, request: keyed })).createdByThisRun, false);

    const otherKey = buildCreateTrainingJobRequest(
      options({ volumeKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/bbbb' }),
    );
    const noKey = buildCreateTrainingJobRequest(options());
    for (const [request, here] of [
      [otherKey, '"arn:aws:kms:us-east-1:123456789012:key/bbbb"'],
      [noKey, '(none)'],
    ] as const) {
      await assert.rejects(startOrAttachTrainingJob({ client, request }), (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.equal(error.input, 'job-name');
        assert.equal(
          error.message,
          `Training job train-42-1 already exists but was created from a different request (volume KMS key ${here} here, "${KEY}" in the existing job); give another job-name, or re-run the workflow, which gives a new attempt and a new name`,
        );
        return true;
      });
    }
    assert.equal(mock.commandCalls(CreateTrainingJobCommand).length, 0);
  });

  it("attaches with a warning on a mismatch when onMismatch is 'warn'", async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock
      .on(DescribeTrainingJobCommand)
      .resolves(existingJob(request, { ResourceConfig: { ...request.ResourceConfig, InstanceCount: 2 } }));
    const logger = recordingLogger();
    const started = await startOrAttachTrainingJob({ client, request, logger, onMismatch: 'warn' });
    assert.equal(started.createdByThisRun, false);
    assert.deepEqual(messages(logger, 'warning'), [
      'Training job train-42-1 already exists but was created from a different request (instance count 1 here, 2 in the existing job); attaching to it anyway',
    ]);
  });

  it('treats a ResourceInUse race as an attach, not a failure', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock
      .on(DescribeTrainingJobCommand)
      .rejectsOnce(notFound())
      .resolves(existingJob(request, { TrainingJobStatus: 'InProgress' }));
    mock
      .on(CreateTrainingJobCommand)
      .rejects(new ResourceInUse({ message: 'Training job names must be unique', $metadata: { attempts: 1 } }));
    const logger = recordingLogger();
    const started = await startOrAttachTrainingJob({ client, request, logger });
    assert.deepEqual(started, { jobName: 'train-42-1', jobArn: arn, createdByThisRun: false });
    assert.deepEqual(messages(logger), [
      'Training job train-42-1 was created concurrently (status InProgress); attaching to it',
    ]);
  });

  it('owns the job when ResourceInUse answers an SDK retry of its own create (the first answer was lost)', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).rejectsOnce(notFound()).resolves(existingJob(request));
    mock.on(CreateTrainingJobCommand).rejects(awsError('ResourceInUse', 400, 'in use', 2));
    assert.equal((await startOrAttachTrainingJob({ client, request })).createdByThisRun, true);
  });

  it('turns other create failures into one sentence naming the operation', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).rejects(notFound());
    mock.on(CreateTrainingJobCommand).rejects(awsError('AccessDeniedException', 400, 'not authorized: iam:PassRole'));
    await assert.rejects(
      startOrAttachTrainingJob({ client, request }),
      /^Error: Creating training job train-42-1 was denied \(AccessDeniedException: not authorized: iam:PassRole\); check that the role's IAM policy/,
    );
  });

  it('reports a create SageMaker refuses as invalid (a volume key on NVMe storage) as a one-line user error', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).rejects(notFound());
    // The wording is illustrative: what matters is that SageMaker's sentence is passed on.
    mock
      .on(CreateTrainingJobCommand)
      .rejects(
        awsError(
          'ValidationException',
          400,
          'VolumeKmsKeyId is not supported for\ninstance type ml.g5.xlarge, which has local instance storage.',
        ),
      );
    await assert.rejects(
      startOrAttachTrainingJob({
        client,
        request: buildCreateTrainingJobRequest(
          options({ instanceType: 'ml.g5.xlarge', volumeKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd' }),
        ),
      }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError, String(error));
        assert.deepEqual(error.problems, [
          'Creating training job train-42-1 was rejected as invalid (ValidationException: VolumeKmsKeyId is not supported for instance type ml.g5.xlarge, which has local instance storage); check the inputs it was built from',
        ]);
        return true;
      },
    );
  });

  it('ends with a CancelledError, not an AWS failure sentence, when the run is cancelled meanwhile', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    const controller = new AbortController();
    mock.on(DescribeTrainingJobCommand).callsFake(() => {
      controller.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    await assert.rejects(startOrAttachTrainingJob({ client, request, signal: controller.signal }), (error: unknown) => {
      assert.ok(error instanceof CancelledError);
      assert.equal(error.message, 'Cancelled while describing training job train-42-1');
      return true;
    });
    assert.equal(mock.commandCalls(CreateTrainingJobCommand).length, 0);
  });

  it('does not mistake other describe failures for "no such job"', async () => {
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).rejects(awsError('ValidationException', 400, '1 validation error detected'));
    await assert.rejects(
      startOrAttachTrainingJob({ client, request }),
      /Describing training job train-42-1 was rejected/,
    );
    assert.equal(mock.commandCalls(CreateTrainingJobCommand).length, 0);
  });
});

describe('trainingRequestDifferences', () => {
  it('names channel and output changes and finds nothing for an identical job', () => {
    const request = buildCreateTrainingJobRequest(options());
    assert.deepEqual(trainingRequestDifferences(request, existingJob(request)), []);
    const moved = existingJob(request, {
      InputDataConfig: [
        { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://bucket/v2' } } },
      ],
      OutputDataConfig: { S3OutputPath: 's3://bucket/elsewhere' },
    });
    assert.deepEqual(trainingRequestDifferences(request, moved), [
      'channels "train=s3://bucket/data/train" here, "train=s3://bucket/v2" in the existing job',
      'output path "s3://bucket/output" here, "s3://bucket/elsewhere" in the existing job',
    ]);
  });

  it('counts the volume key, an empty one in a description as none', () => {
    const request = buildCreateTrainingJobRequest(options());
    const blank = existingJob(request, { ResourceConfig: { ...request.ResourceConfig!, VolumeKmsKeyId: '' } });
    assert.deepEqual(trainingRequestDifferences(request, blank), []);
    const keyed = existingJob(request, { ResourceConfig: { ...request.ResourceConfig!, VolumeKmsKeyId: 'key-1' } });
    assert.deepEqual(trainingRequestDifferences(request, keyed), [
      'volume KMS key (none) here, "key-1" in the existing job',
    ]);
  });

  it('counts the output key: a rerun must not write its model under another key', () => {
    const request = buildCreateTrainingJobRequest(options());
    const output = request.OutputDataConfig!;
    assert.deepEqual(trainingRequestDifferences(request, existingJob(request, { OutputDataConfig: output })), []);
    const keyed = existingJob(request, { OutputDataConfig: { ...output, KmsKeyId: 'key-2' } });
    assert.deepEqual(trainingRequestDifferences(request, keyed), [
      `output KMS key ${output.KmsKeyId === undefined ? '(none)' : JSON.stringify(output.KmsKeyId)} here, "key-2" in the existing job`,
    ]);
  });
});
