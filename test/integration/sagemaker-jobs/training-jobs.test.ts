// Training and tuning jobs against a real moto_server (SageMaker, S3, CloudWatch Logs) with the real SDK clients.
//
// What moto 5.2.1 emulates, and what it does not (checked in moto/sagemaker/models.py and by these tests):
// - CreateTrainingJob stores the request; DescribeTrainingJob returns it with status Completed at once (no
//   InProgress, no real SecondaryStatusTransitions: one canned "Starting" entry), a canned FinalMetricDataList
//   (train:progress = 100) and ModelArtifacts at <output>/<job>/output/model.tar.gz. No TrainingTimeInSeconds or
//   BillableTimeInSeconds. It REPLACES AlgorithmSpecification.MetricDefinitions with its own, and leaves Environment
//   out of the description. A second CreateTrainingJob with the same name silently overwrites (real SageMaker answers
//   ResourceInUse), so only the describe-first path of the attach is exercised here; the race is unit-tested.
// - ListTags returns the tags given at creation.
// - StopTrainingJob is not implemented (moto answers 500 with an HTML page); the stop path is unit-tested.
// - CreateHyperParameterTuningJob stores the request and answers ResourceInUse for a duplicate; the description is
//   Completed at once, with a canned BestTrainingJob named "FakeTrainingJobName".
// - CloudWatch Logs: DescribeLogStreams (prefix, nextToken) and GetLogEvents (forward tokens that repeat at the end
//   of a stream) behave like the service; nothing writes training logs, so the tests write them.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeHyperParameterTuningJobCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { awsClientConfig, s3Client } from '../../../packages/core/src/aws.js';
import { runContext } from '../../../packages/core/src/context.js';
import { CancelledError, ConfigurationError } from '../../../packages/core/src/errors.js';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import {
  buildCreateHyperParameterTuningJobRequest,
  buildCreateTrainingJobRequest,
  startOrAttachTrainingJob,
  startOrAttachTuningJob,
  trainingActionOutputs,
  trainingJobOutputs,
  type TrainingJobRequestOptions,
  TRAINING_LOG_GROUP,
  waitForTrainingJob,
  waitForTuningJob,
} from '../../../packages/sagemaker/src/training/index.js';
import { applyEnv, type Moto, motoSkip, startMoto } from '../../harness/moto.js';

const BUCKET = 'training-jobs-test';
const REGION = 'us-east-1';
const ctx = runContext({
  GITHUB_REPOSITORY: 'acme/models',
  GITHUB_SHA: '0123abcd',
  GITHUB_RUN_ID: '987',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SERVER_URL: 'https://github.com',
});

/** A script-mode job as the train action builds it: framework image, JSON-encoded hyperparameters, code in S3. */
function scriptModeOptions(
  jobName: string,
  overrides: Partial<TrainingJobRequestOptions> = {},
): TrainingJobRequestOptions {
  const submitDirectory = `s3://${BUCKET}/mlops/${jobName}/source/sourcedir.tar.gz`;
  return {
    jobName,
    roleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
    algorithm: {
      TrainingImage: `683313688378.dkr.ecr.${REGION}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3`,
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'validation:accuracy', Regex: 'val_acc=([0-9.]+)' }],
    },
    hyperparameters: {
      epochs: '3',
      optimizer: '"adam"',
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: JSON.stringify(submitDirectory),
      sagemaker_region: JSON.stringify(REGION),
      sagemaker_job_name: JSON.stringify(jobName),
      sagemaker_container_log_level: '20',
    },
    channels: [
      { name: 'train', s3Uri: `s3://${BUCKET}/data/train/`, contentType: 'text/csv' },
      { name: 'validation', s3Uri: `s3://${BUCKET}/data/validation/`, contentType: 'text/csv', inputMode: 'FastFile' },
    ],
    outputPath: `s3://${BUCKET}/output`,
    instanceType: 'ml.m5.large',
    instanceCount: 2,
    volumeSizeGb: 50,
    maxRuntimeSeconds: 3_600,
    spot: { maxWaitSeconds: 7_200, checkpointS3Uri: `s3://${BUCKET}/checkpoints/${jobName}` },
    runContext: ctx,
    action: 'train',
    tags: { team: 'forecasting' },
    ...overrides,
  };
}

describe('training jobs on moto_server', { skip: motoSkip() }, () => {
  let moto: Moto;
  let restoreEnv: () => void = () => {};
  let sagemaker: SageMakerClient;
  let logs: CloudWatchLogsClient;
  let s3: S3Client;
  const calls: Record<string, number> = {};

  before(async () => {
    moto = await startMoto();
    restoreEnv = applyEnv(moto.env);
    // No endpoint in code: the clients find moto through AWS_ENDPOINT_URL, as the action's clients would.
    const config = awsClientConfig({ action: 'train', version: '0.0.0-test', maxAttempts: 2 });
    sagemaker = new SageMakerClient(config);
    logs = new CloudWatchLogsClient(config);
    s3 = s3Client({ action: 'train', version: '0.0.0-test' });
    sagemaker.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? 'unknown';
        calls[name] = (calls[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const key of ['data/train/part-0.csv', 'data/validation/part-0.csv']) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x,y\n1,2\n' }));
    }
  });

  after(async () => {
    restoreEnv();
    await moto?.stop();
  });

  it('creates a script-mode job whose description holds the request: image, channels, resources, limits, hyperparameters, tags', async () => {
    const options = scriptModeOptions('sklearn-987-2');
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'mlops/sklearn-987-2/source/sourcedir.tar.gz', Body: 'archive' }),
    );
    const request = buildCreateTrainingJobRequest(options);
    const started = await startOrAttachTrainingJob({ client: sagemaker, request });
    assert.deepEqual(started, {
      jobName: 'sklearn-987-2',
      jobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/sklearn-987-2',
      createdByThisRun: true,
    });

    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'sklearn-987-2' }));
    assert.equal(job.AlgorithmSpecification?.TrainingImage, options.algorithm.TrainingImage);
    assert.equal(job.AlgorithmSpecification?.TrainingInputMode, 'File');
    assert.equal(job.RoleArn, options.roleArn);
    assert.deepEqual(job.HyperParameters, options.hyperparameters);
    assert.deepEqual(job.InputDataConfig, [
      {
        ChannelName: 'train',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: `s3://${BUCKET}/data/train/`,
            S3DataDistributionType: 'FullyReplicated',
          },
        },
        ContentType: 'text/csv',
      },
      {
        ChannelName: 'validation',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: `s3://${BUCKET}/data/validation/`,
            S3DataDistributionType: 'FullyReplicated',
          },
        },
        ContentType: 'text/csv',
        InputMode: 'FastFile',
      },
    ]);
    assert.deepEqual(job.OutputDataConfig, { S3OutputPath: `s3://${BUCKET}/output` });
    assert.deepEqual(job.ResourceConfig, { InstanceType: 'ml.m5.large', InstanceCount: 2, VolumeSizeInGB: 50 });
    assert.deepEqual(job.StoppingCondition, { MaxRuntimeInSeconds: 3_600, MaxWaitTimeInSeconds: 7_200 });
    assert.equal(job.EnableManagedSpotTraining, true);
    assert.deepEqual(job.CheckpointConfig, {
      S3Uri: `s3://${BUCKET}/checkpoints/sklearn-987-2`,
      LocalPath: '/opt/ml/checkpoints',
    });

    const { Tags } = await sagemaker.send(new ListTagsCommand({ ResourceArn: started.jobArn }));
    assert.deepEqual(Tags, [
      { Key: 'mlops-actions:repo', Value: 'acme/models' },
      { Key: 'mlops-actions:sha', Value: '0123abcd' },
      { Key: 'mlops-actions:run', Value: 'https://github.com/acme/models/actions/runs/987/attempts/2' },
      { Key: 'mlops-actions:action', Value: 'train' },
      { Key: 'team', Value: 'forecasting' },
    ]);

    // The code the hyperparameters point at, and the channels, are real objects.
    const submitDirectory = JSON.parse(job.HyperParameters!.sagemaker_submit_directory!) as string;
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(submitDirectory)!;
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  });

  it('attaches on a second start: no second CreateTrainingJob, the same job', async () => {
    const request = buildCreateTrainingJobRequest(scriptModeOptions('attach-987-2'));
    const first = await startOrAttachTrainingJob({ client: sagemaker, request });
    const before = calls.CreateTrainingJobCommand ?? 0;
    const logger = recordingLogger();
    const second = await startOrAttachTrainingJob({ client: sagemaker, request, logger });
    assert.equal(calls.CreateTrainingJobCommand ?? 0, before, 'CreateTrainingJob not called again');
    assert.equal(first.createdByThisRun, true);
    assert.deepEqual(second, { ...first, createdByThisRun: false });
    assert.deepEqual(
      logger.lines.filter((l) => l.level === 'info').map((l) => l.message),
      ['Training job attach-987-2 already exists (status Completed); attaching to it'],
    );
  });

  it('refuses to attach to an existing job created with other hyperparameters', async () => {
    const options = scriptModeOptions('clash-987-2');
    await startOrAttachTrainingJob({ client: sagemaker, request: buildCreateTrainingJobRequest(options) });
    const changed = buildCreateTrainingJobRequest({
      ...options,
      hyperparameters: { ...options.hyperparameters, epochs: '30' },
    });
    await assert.rejects(startOrAttachTrainingJob({ client: sagemaker, request: changed }), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.match(error.message, /hyperparameters epochs "30" vs "3"/);
      return true;
    });
  });

  it('waits for the job, streams both hosts\u2019 logs from CloudWatch Logs, and reads the outputs', async () => {
    const jobName = 'logs-987-2';
    await startOrAttachTrainingJob({
      client: sagemaker,
      request: buildCreateTrainingJobRequest(scriptModeOptions(jobName)),
    });
    await logs.send(new CreateLogGroupCommand({ logGroupName: TRAINING_LOG_GROUP }));
    const t = Date.now();
    const put = async (stream: string, messages: string[]) => {
      await logs.send(new CreateLogStreamCommand({ logGroupName: TRAINING_LOG_GROUP, logStreamName: stream }));
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: TRAINING_LOG_GROUP,
          logStreamName: stream,
          logEvents: messages.map((message, i) => ({
            timestamp: t + i * 2 + (stream.includes('algo-2') ? 1 : 0),
            message,
          })),
        }),
      );
    };
    await put(`${jobName}/algo-1-1700000000`, ['Invoking script train.py', 'val_acc=0.91']);
    await put(`${jobName}/algo-2-1700000000`, ['Invoking script train.py', 'val_acc=0.90']);
    // Another job's stream in the same group stays out.
    await put(`${jobName}0/algo-1-1700000000`, ['not this job']);

    const lines: string[] = [];
    const logger = recordingLogger();
    const job = await waitForTrainingJob({
      client: sagemaker,
      logsClient: logs,
      jobName,
      timeoutMs: 60_000,
      logger,
      stopOnAbort: true,
      createdByThisRun: true,
      streamLogs: true,
      logs: { onLine: (line) => lines.push(line) },
    });
    assert.equal(job.TrainingJobStatus, 'Completed');
    assert.deepEqual(lines, [
      '[algo-1] Invoking script train.py',
      '[algo-2] Invoking script train.py',
      '[algo-1] val_acc=0.91',
      '[algo-2] val_acc=0.90',
    ]);
    assert.ok(
      logger.lines.some((l) => l.message === 'Starting: Preparing the instances for training'),
      'the (canned) secondary transition is printed',
    );

    const outputs = trainingActionOutputs(trainingJobOutputs(job));
    assert.deepEqual(outputs, {
      'model-data': `s3://${BUCKET}/output/${jobName}/output/model.tar.gz`,
      metrics: '{"train:progress":100}',
      'training-seconds': '',
      'billable-seconds': '',
      'spot-savings': '',
      'console-url': `https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/${jobName}`,
    });
  });

  it('StopTrainingJob is not emulated: moto answers 500 (update the stop tests here once it does)', async () => {
    await startOrAttachTrainingJob({
      client: sagemaker,
      request: buildCreateTrainingJobRequest(scriptModeOptions('stop-987-2')),
    });
    await assert.rejects(
      sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'stop-987-2' })),
      (error: unknown) => {
        assert.equal((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 500);
        return true;
      },
    );
  });

  it('a cancelled wait tries to stop the job it started and reports the job\u2019s real state when the stop fails', async () => {
    const jobName = 'cancel-987-2';
    await startOrAttachTrainingJob({
      client: sagemaker,
      request: buildCreateTrainingJobRequest(scriptModeOptions(jobName)),
    });
    const controller = new AbortController();
    controller.abort();
    const logger = recordingLogger();
    await assert.rejects(
      waitForTrainingJob({
        client: sagemaker,
        jobName,
        timeoutMs: 60_000,
        signal: controller.signal,
        logger,
        stopOnAbort: true,
        createdByThisRun: true,
        streamLogs: false,
      }),
      (error: unknown) => {
        assert.ok(error instanceof CancelledError);
        // moto refused the stop (500), and its job is already Completed: that is what the user is told.
        assert.equal(error.message, `Cancelled; training job ${jobName} had already ended with status Completed`);
        return true;
      },
    );
    assert.ok((calls.StopTrainingJobCommand ?? 0) >= 1, 'StopTrainingJob was sent');
  });

  it('creates a tuning job from the YAML shape, attaches on a second start, and returns the best job', async () => {
    const training = buildCreateTrainingJobRequest(scriptModeOptions('tune-987-2', { spot: undefined }));
    const request = buildCreateHyperParameterTuningJobRequest(
      {
        objective: { metric: 'validation:accuracy', type: 'Maximize' },
        strategy: 'Random',
        parameters: {
          lr: { type: 'continuous', min: 0.001, max: 0.1, scaling: 'Logarithmic' },
          depth: { type: 'integer', min: 2, max: 8 },
          optimizer: { type: 'categorical', values: ['adam', 'sgd'] },
        },
        'max-jobs': 6,
        'max-parallel-jobs': 2,
      },
      training,
    );
    const started = await startOrAttachTuningJob({ client: sagemaker, request });
    assert.equal(started.createdByThisRun, true);
    const again = await startOrAttachTuningJob({ client: sagemaker, request });
    assert.deepEqual(again, { ...started, createdByThisRun: false });

    const described = await sagemaker.send(
      new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'tune-987-2' }),
    );
    assert.deepEqual(described.HyperParameterTuningJobConfig?.ParameterRanges, {
      ContinuousParameterRanges: [{ Name: 'lr', MinValue: '0.001', MaxValue: '0.1', ScalingType: 'Logarithmic' }],
      IntegerParameterRanges: [{ Name: 'depth', MinValue: '2', MaxValue: '8', ScalingType: 'Auto' }],
      CategoricalParameterRanges: [{ Name: 'optimizer', Values: ['"adam"', '"sgd"'] }],
    });
    assert.deepEqual(described.TrainingJobDefinition?.StaticHyperParameters, {
      epochs: '3',
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: JSON.stringify(`s3://${BUCKET}/mlops/tune-987-2/source/sourcedir.tar.gz`),
      sagemaker_region: '"us-east-1"',
      sagemaker_job_name: '"tune-987-2"',
      sagemaker_container_log_level: '20',
    });
    const { Tags } = await sagemaker.send(new ListTagsCommand({ ResourceArn: started.tuningJobArn }));
    assert.deepEqual(Tags?.at(-1), { Key: 'team', Value: 'forecasting' });

    const result = await waitForTuningJob({
      client: sagemaker,
      tuningJobName: 'tune-987-2',
      timeoutMs: 60_000,
      stopOnAbort: true,
      createdByThisRun: true,
    });
    // moto's canned best job.
    assert.equal(result.bestTrainingJobName, 'FakeTrainingJobName');
    assert.equal(calls.CreateHyperParameterTuningJobCommand, 1, 'the second start attached');
  });
});
