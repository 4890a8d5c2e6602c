// train's bundle, run as the runner runs it: the local backend training a real model on a real dataset, SIGINT ending a
// training's whole process tree, bad inputs as one line each, and SageMaker jobs against moto_server.
//
// What moto_server cannot show (see test/integration/sagemaker-jobs for the details): its jobs are Completed the
// moment they are created, so there is no wait to interrupt and no live log; it answers StopTrainingJob with a 500;
// it replaces MetricDefinitions and reports a canned metric (train:progress) and no training or billable seconds.
// The wait, SIGINT -> StopTrainingJob, the post step's stop and failed jobs are covered by the unit tests of the flow
// (test/unit/sagemaker-train) with aws-sdk-client-mock.
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeHyperParameterTuningJobCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsClientConfig, s3Client } from '../../../packages/core/src/aws.js';
import { repoRoot } from '../../../scripts/lib/paths.js';
import { applyEnv, type Moto, motoSkip, startMoto } from '../../harness/moto.js';
import { isRunning } from '../../harness/processes.js';
import { type RunOptions, runActionBundle } from '../../harness/runner.js';
import { readTarWithPython } from '../../unit/sagemaker/helpers.js';

const action = path.join(repoRoot, 'actions', 'train');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'sagemaker');
const penguinsScript = path.join(fixtures, 'penguins');
const penguinsData = path.join(repoRoot, 'node_modules', 'vega-datasets', 'data', 'penguins.json');
const trainScript = path.join(fixtures, 'train_script');
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const VOLUME_KEY = 'arn:aws:kms:us-east-1:123456789012:key/5678efab-12ab-34cd-56ef-1234567890ab';
const OTHER_VOLUME_KEY = 'arn:aws:kms:us-east-1:123456789012:key/90abcdef-12ab-34cd-56ef-1234567890ab';
// The harness runs as octo-org/ml-repo, run 4242, attempt 1.
const JOB = 'ml-repo-4242-1';
const train = (options: RunOptions) => runActionBundle(action, { timeoutMs: 120_000, ...options });

const PENGUIN_METRICS = [
  "train_accuracy: '^epoch=\\d+ .*accuracy=([0-9.]+)'",
  "loss: 'loss=([0-9.]+)'",
  "test_accuracy: 'test_accuracy=([0-9.]+)'",
].join('\n');

interface PenguinModel {
  features: string[];
  classes: string[];
  mean: number[];
  std: number[];
  weights: number[][];
  bias: number[];
}

/** The model's accuracy on every complete row of the dataset, computed here from model.json alone. */
function accuracyOf(model: PenguinModel, records: Record<string, unknown>[]): number {
  const rows = records.filter((r) => model.features.every((f) => typeof r[f] === 'number') && r.Species);
  const correct = rows.filter((r) => {
    const x = model.features.map((f, i) => ((r[f] as number) - model.mean[i]!) / model.std[i]!);
    const scores = model.classes.map(
      (_, c) => model.bias[c]! + x.reduce((sum, v, i) => sum + v * model.weights[i]![c]!, 0),
    );
    return model.classes[scores.indexOf(Math.max(...scores))] === r.Species;
  });
  return correct.length / rows.length;
}

async function unpackModel(archive: string, dir: string): Promise<PenguinModel> {
  const members = readTarWithPython(archive);
  assert.deepEqual(
    members.map((m) => m.name),
    ['model.json'],
  );
  await writeFile(path.join(dir, 'model.json'), members[0]!.text!);
  return JSON.parse(members[0]!.text!) as PenguinModel;
}

describe('train, local backend', () => {
  it('trains a penguin classifier from the real dataset: model.tar.gz at output-path, metrics from the regexes', async () => {
    const output = await mkdtemp(path.join(tmpdir(), 'train-local-'));
    const result = await train({
      inputs: {
        backend: 'local',
        'source-dir': penguinsScript,
        'entry-point': 'train.py',
        inputs: `train: ${penguinsData}`,
        hyperparameters: 'epochs: 300\nlearning-rate: 0.5\nseed: 7',
        'metric-definitions': PENGUIN_METRICS,
        'output-path': output,
      },
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, []);

    const { outputs } = result;
    assert.equal(outputs['job-name'], JOB);
    assert.equal(outputs.status, 'Completed');
    const modelData = path.join(output, JOB, 'output', 'model.tar.gz');
    assert.equal(outputs['model-data'], modelData);
    const metrics = JSON.parse(outputs.metrics!) as Record<string, number>;
    assert.deepEqual(Object.keys(metrics).sort(), ['loss', 'test_accuracy', 'train_accuracy']);
    assert.ok(metrics.test_accuracy! > 0.9, `test accuracy ${metrics.test_accuracy}`);
    assert.ok(metrics.train_accuracy! > 0.9 && metrics.loss! < 0.2, JSON.stringify(metrics));
    assert.match(outputs['training-seconds']!, /^\d+$/);
    // What a local run cannot have is empty, not made up.
    for (const name of ['job-arn', 'billable-seconds', 'spot-savings', 'console-url', 'tuning-job-name']) {
      assert.equal(outputs[name], '', name);
    }

    // The artifact is a real model: read back from the archive, it classifies the dataset.
    const model = await unpackModel(modelData, output);
    assert.deepEqual(model.classes, ['Adelie', 'Chinstrap', 'Gentoo']);
    const records = JSON.parse(await readFile(penguinsData, 'utf8')) as Record<string, unknown>[];
    assert.ok(accuracyOf(model, records) > 0.95, `accuracy ${accuracyOf(model, records)}`);
    // Extra output data goes beside the model, as SageMaker's output.tar.gz.
    const extra = readTarWithPython(path.join(output, JOB, 'output', 'output.tar.gz')).map((m) => m.name);
    assert.deepEqual(extra, ['test_predictions.json']);

    // The script's lines were streamed to the log; the summary holds the outputs and metrics.
    assert.match(result.stdout, /^test_accuracy=0\.9\d+$/m);
    assert.match(result.summary, /Training job ml-repo-4242-1 completed \(local\)/);
    assert.match(result.summary, /\| test\\_accuracy \| 0\.9\d+ \|/);
    assert.equal(result.state['job-name'], undefined, 'nothing for the post step to stop');
  });

  it('fails the step with one sentence from the failure file, the last lines in the summary', async () => {
    const result = await train({
      inputs: {
        backend: 'local',
        'source-dir': trainScript,
        'entry-point': 'train.py',
        hyperparameters: 'mode: failure-file',
      },
    });
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.errors, [`Training job ${JOB} failed: ValueError: learning rate must be positive`]);
    assert.equal(result.outputs.status, 'Failed');
    assert.equal(result.outputs['model-data'], '');
    assert.match(result.summary, /Training job ml-repo-4242-1 failed \(local\)/);
    assert.match(result.summary, /<details open>\n<summary>Last \d+ log lines<\/summary>/);
    assert.match(result.summary, /ValueError: learning rate must be positive/);
  });

  it('trains with volume-kms-key given, warning once that a run on the runner has no volume for it', async () => {
    const result = await train({
      inputs: {
        backend: 'local',
        'source-dir': trainScript,
        'entry-point': 'train.py',
        inputs: ['train', 'test'].map((c) => `${c}: ${path.join(fixtures, 'train_data', `${c}.csv`)}`).join('\n'),
        'output-path': await mkdtemp(path.join(tmpdir(), 'train-local-volume-')),
        'volume-kms-key': VOLUME_KEY,
      },
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(result.outputs.status, 'Completed');
    assert.deepEqual(result.warnings, [
      "Input 'volume-kms-key' is ignored by the local backend: it encrypts a SageMaker training instance's storage " +
        "volume, and a local run uses the runner's disk (kms-key still applies to what it writes to S3)",
    ]);
  });

  it('on SIGINT stops the whole process tree, the script and its child, and exits 1 as cancelled', async () => {
    const workDir = await mkdtemp(path.join(tmpdir(), 'train-cancel-'));
    const result = await train({
      inputs: {
        backend: 'local',
        'source-dir': trainScript,
        'entry-point': 'train.py',
        hyperparameters: 'mode: hang',
        'work-dir': workDir,
      },
      cancel: { signal: 'SIGINT', whenStdoutIncludes: 'started child' },
      timeoutMs: 60_000,
    });
    assert.equal(result.signal, null, 'the action exits on its own');
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.errors, ['Cancelled: Training was cancelled; its processes were stopped']);
    const [, child, parent] = /started child (\d+) from (\d+)/.exec(result.stdout)!;
    for (const pid of [Number(parent), Number(child)]) assert.ok(!isRunning(pid), `process ${pid} is still running`);
    assert.ok(result.durationMs < 20_000, `took ${result.durationMs} ms`);
  });
});

describe('train, bad inputs', () => {
  const valid = {
    framework: 'sklearn',
    'framework-version': '1.2-1',
    'source-dir': trainScript,
    'entry-point': 'train.py',
    'output-path': 's3://models-bucket/out',
    'role-arn': ROLE,
  };
  const cases: [string, Record<string, string>, string, RegExp][] = [
    [
      'no role with the SageMaker backend',
      { ...valid, 'role-arn': '' },
      'role-arn',
      /is required with the SageMaker backend/,
    ],
    [
      'two of image-uri, framework and command',
      { ...valid, 'entry-point': '', command: 'python train.py' },
      'framework',
      /give exactly one of image-uri, framework, command/,
    ],
    [
      'an unknown framework version',
      { ...valid, 'framework-version': '0.99' },
      'framework-version',
      /known versions: .*1\.2-1/,
    ],
    [
      'max-wait not above max-runtime',
      { ...valid, spot: 'true', 'max-runtime': '2h', 'max-wait': '90m' },
      'max-wait',
      /not more than max-runtime \(7200s\).*must exceed max-runtime/,
    ],
    [
      'an invalid instance type',
      { ...valid, 'instance-type': 'ml.m5' },
      'instance-type',
      /expected a SageMaker instance type/,
    ],
    [
      'a job name SageMaker would reject',
      { ...valid, 'job-name': '-nightly_run' },
      'job-name',
      /SageMaker names must match/,
    ],
    [
      'a KMS key with a space in it',
      { ...valid, 'kms-key': 'alias/model key' },
      'kms-key',
      /"alias\/model key": expected a KMS key id, alias or ARN/,
    ],
    [
      'a volume KMS key with a space in it',
      { ...valid, 'volume-kms-key': 'alias/volume key' },
      'volume-kms-key',
      /"alias\/volume key": expected a KMS key id, alias or ARN/,
    ],
    [
      'hyperparameters that are not a map',
      { ...valid, hyperparameters: '[epochs, 3]' },
      'hyperparameters',
      /expected a YAML or JSON mapping/,
    ],
  ];
  for (const [what, inputs, input, expected] of cases) {
    it(`refuses ${what} in one line naming ${input}`, async () => {
      const result = await train({ inputs, env: { AWS_REGION: 'us-east-1' } });
      assert.equal(result.exitCode, 1);
      assert.equal(result.errors.length, 1, result.errors.join('\n'));
      assert.match(result.errors[0]!, new RegExp(`'${input}'`));
      assert.match(result.errors[0]!, expected);
      assert.doesNotMatch(result.stdout, /\n\s+at /, 'no stack trace');
      assert.deepEqual(result.outputs, {}, 'nothing was started');
    });
  }
});

describe('train on SageMaker (moto_server)', { skip: motoSkip() }, () => {
  const BUCKET = 'train-e2e';
  let moto: Moto;
  let restoreEnv: () => void = () => {};
  let s3: S3Client;
  let sagemaker: SageMakerClient;
  let first: Awaited<ReturnType<typeof train>>;

  const scriptMode = {
    framework: 'sklearn',
    'framework-version': '1.2-1',
    'source-dir': trainScript,
    'entry-point': 'train.py',
    inputs: `train: ${path.join(fixtures, 'train_data', 'train.csv')}\ntest:\n  uri: s3://${BUCKET}/data/test/\n  content-type: text/csv`,
    'output-path': `s3://${BUCKET}/models`,
    'role-arn': ROLE,
    'instance-type': 'ml.m5.large',
    'volume-size': '50',
    'max-runtime': '2h',
    spot: 'true',
    'max-wait': '3h',
    'checkpoint-uri': `s3://${BUCKET}/checkpoints/churn`,
    hyperparameters: 'epochs: 60\nlearning-rate: 0.5\noptimizer: gd',
    'metric-definitions': "accuracy: 'accuracy=([0-9.]+)'",
    tags: 'team: churn',
    timeout: '30m',
  };
  const onMoto = (options: RunOptions) => train({ ...options, env: { ...moto.env, ...options.env } });
  /** [key, ServerSideEncryption, SSEKMSKeyId] of each object. */
  const encryptionOf = (keys: string[]) =>
    Promise.all(
      keys.map(async (Key) => {
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key }));
        return [Key, head.ServerSideEncryption, head.SSEKMSKeyId];
      }),
    );

  before(async () => {
    moto = await startMoto();
    restoreEnv = applyEnv(moto.env);
    s3 = s3Client({ action: 'train-e2e', version: '0.0.0' });
    sagemaker = new SageMakerClient(awsClientConfig({ action: 'train-e2e', version: '0.0.0' }));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/test/test.csv', Body: 'x1,x2,label\n0,1,0\n' }));
    first = await onMoto({ inputs: scriptMode });
  });

  after(async () => {
    restoreEnv();
    await moto?.stop();
  });

  it('creates the script-mode job with the resolved image, channels, resources, limits, hyperparameters and tags', async () => {
    assert.equal(first.exitCode, 0, first.stdout + first.stderr);
    assert.deepEqual(first.errors, []);
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: JOB }));
    assert.deepEqual(
      { image: job.AlgorithmSpecification?.TrainingImage, mode: job.AlgorithmSpecification?.TrainingInputMode },
      { image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', mode: 'File' },
    );
    assert.equal(job.RoleArn, ROLE);
    const sourceUri = `s3://${BUCKET}/models/${JOB}/source/sourcedir.tar.gz`;
    assert.deepEqual(job.HyperParameters, {
      epochs: '60',
      'learning-rate': '0.5',
      optimizer: '"gd"',
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: JSON.stringify(sourceUri),
      sagemaker_container_log_level: '20',
      sagemaker_job_name: `"${JOB}"`,
      sagemaker_region: '"us-east-1"',
    });
    assert.deepEqual(job.InputDataConfig, [
      {
        ChannelName: 'train',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: `s3://${BUCKET}/models/${JOB}/input/train/`,
            S3DataDistributionType: 'FullyReplicated',
          },
        },
      },
      {
        ChannelName: 'test',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: `s3://${BUCKET}/data/test/`,
            S3DataDistributionType: 'FullyReplicated',
          },
        },
        ContentType: 'text/csv',
      },
    ]);
    assert.deepEqual(job.OutputDataConfig, { S3OutputPath: `s3://${BUCKET}/models` });
    assert.deepEqual(job.ResourceConfig, { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 50 });
    assert.deepEqual(job.StoppingCondition, { MaxRuntimeInSeconds: 7_200, MaxWaitTimeInSeconds: 10_800 });
    assert.equal(job.EnableManagedSpotTraining, true);
    assert.deepEqual(job.CheckpointConfig, {
      S3Uri: `s3://${BUCKET}/checkpoints/churn`,
      LocalPath: '/opt/ml/checkpoints',
    });

    const { Tags } = await sagemaker.send(new ListTagsCommand({ ResourceArn: job.TrainingJobArn }));
    assert.deepEqual(Tags, [
      { Key: 'mlops-actions:repo', Value: 'octo-org/ml-repo' },
      { Key: 'mlops-actions:sha', Value: '0123456789abcdef0123456789abcdef01234567' },
      { Key: 'mlops-actions:run', Value: 'https://github.com/octo-org/ml-repo/actions/runs/4242' },
      { Key: 'mlops-actions:action', Value: 'train' },
      { Key: 'team', Value: 'churn' },
    ]);
  });

  it('uploads sourcedir.tar.gz where sagemaker_submit_directory points, without the ignored files, and the local data', async () => {
    const archive = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `models/${JOB}/source/sourcedir.tar.gz` }),
    );
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'train-archive-')), 'sourcedir.tar.gz');
    await writeFile(file, await archive.Body!.transformToByteArray());
    // .sagemakerignore leaves out notes/ and *.tmp; the entries are at the archive root.
    assert.deepEqual(
      readTarWithPython(file).map((m) => m.name),
      ['.sagemakerignore', 'train.py'],
    );
    const data = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `models/${JOB}/input/train/train.csv` }));
    assert.equal(
      await data.Body!.transformToString(),
      await readFile(path.join(fixtures, 'train_data', 'train.csv'), 'utf8'),
    );
  });

  it('sets every output and writes the job summary', () => {
    assert.deepEqual(first.outputs, {
      'job-name': JOB,
      'job-arn': `arn:aws:sagemaker:us-east-1:123456789012:training-job/${JOB}`,
      status: 'Completed',
      'model-data': `s3://${BUCKET}/models/${JOB}/output/model.tar.gz`,
      // moto's canned final metric; it reports no training or billable time.
      metrics: '{"train:progress":100}',
      'training-seconds': '',
      'billable-seconds': '',
      'spot-savings': '',
      'console-url': `https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/${JOB}`,
      'tuning-job-name': '',
    });
    assert.match(first.summary, /Training job ml-repo-4242-1 completed/);
    assert.match(first.summary, /\| instances \| 1 × ml\.m5\.large \(spot\) \|/);
    assert.match(first.stdout, /Started training job ml-repo-4242-1/);
    assert.deepEqual(first.state, {
      'job-kind': 'training',
      'job-name': JOB,
      region: 'us-east-1',
      'stop-in-post': 'false',
    });
  });

  it('its post step has nothing to stop once the job ended', async () => {
    const post = await onMoto({ stage: 'post', state: first.state });
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);
    assert.deepEqual(post.warnings, []);
  });

  it('its post step, when armed, looks at the job and leaves a job that ended alone', async () => {
    const post = await onMoto({ stage: 'post', state: { ...first.state, 'stop-in-post': 'true' } });
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);
    assert.match(post.stdout, /Training job ml-repo-4242-1 is Completed: nothing to stop/);
    assert.deepEqual(post.warnings, []);
  });

  it('runs a command in image-uri, the code uploaded as files for the code channel', async () => {
    const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-trainer:3';
    const result = await onMoto({
      inputs: {
        'image-uri': image,
        command: 'python train.py --mode train',
        'source-dir': trainScript,
        inputs: `train: s3://${BUCKET}/data/test/`,
        'output-path': `s3://${BUCKET}/models`,
        'role-arn': ROLE,
        hyperparameters: 'epochs: 5',
        timeout: '30m',
      },
      env: { GITHUB_RUN_ID: '4245' },
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const jobName = 'ml-repo-4245-1';
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    assert.equal(job.AlgorithmSpecification?.TrainingImage, image);
    assert.deepEqual(job.AlgorithmSpecification?.ContainerEntrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(job.AlgorithmSpecification?.ContainerArguments, [
      'cd /opt/ml/input/data/code && python train.py --mode train',
    ]);
    assert.deepEqual(
      job.InputDataConfig?.map((c) => [c.ChannelName, c.DataSource?.S3DataSource?.S3Uri, c.InputMode]),
      [
        ['train', `s3://${BUCKET}/data/test/`, undefined],
        ['code', `s3://${BUCKET}/models/${jobName}/source/code/`, 'File'],
      ],
    );
    assert.deepEqual(job.HyperParameters, { epochs: '5' });
    for (const [file, present] of [
      ['train.py', true],
      ['.sagemakerignore', true],
      ['scratch.tmp', false],
      ['notes/todo.md', false],
    ] as const) {
      const key = `models/${jobName}/source/code/${file}`;
      const found = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
        () => true,
        () => false,
      );
      assert.equal(found, present, key);
    }
  });

  it('with kms-key encrypts the code and local data it stages with the key the job output gets', async () => {
    const withoutKey = await encryptionOf([`models/${JOB}/source/sourcedir.tar.gz`]);
    assert.notEqual(withoutKey[0]![1], 'aws:kms', 'the first run gave no key');

    const script = await onMoto({ inputs: { ...scriptMode, 'kms-key': KMS_KEY }, env: { GITHUB_RUN_ID: '4246' } });
    assert.equal(script.exitCode, 0, script.stdout + script.stderr);
    const scriptJob = 'ml-repo-4246-1';
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: scriptJob }));
    assert.equal(job.OutputDataConfig?.KmsKeyId, KMS_KEY);
    const scriptKeys = [`models/${scriptJob}/source/sourcedir.tar.gz`, `models/${scriptJob}/input/train/train.csv`];
    assert.deepEqual(
      await encryptionOf(scriptKeys),
      scriptKeys.map((key) => [key, 'aws:kms', KMS_KEY]),
    );

    // A command's code goes up file by file, and so does a folder channel.
    const command = await onMoto({
      inputs: {
        'image-uri': '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-trainer:3',
        command: 'python train.py',
        'source-dir': trainScript,
        inputs: `train: ${path.join(fixtures, 'train_data')}`,
        'output-path': `s3://${BUCKET}/models`,
        'role-arn': ROLE,
        'kms-key': KMS_KEY,
        timeout: '30m',
      },
      env: { GITHUB_RUN_ID: '4247' },
    });
    assert.equal(command.exitCode, 0, command.stdout + command.stderr);
    const commandKeys = [
      'source/code/train.py',
      'source/code/.sagemakerignore',
      'input/train/train.csv',
      'input/train/test.csv',
    ].map((key) => `models/ml-repo-4247-1/${key}`);
    assert.deepEqual(
      await encryptionOf(commandKeys),
      commandKeys.map((key) => [key, 'aws:kms', KMS_KEY]),
    );
  });

  it("with volume-kms-key encrypts the instances' volume; the same key re-run attaches, another key is refused", async () => {
    const env = { GITHUB_RUN_ID: '4249' };
    const jobName = 'ml-repo-4249-1';
    const keyed = { ...scriptMode, 'kms-key': KMS_KEY, 'volume-kms-key': VOLUME_KEY };
    const result = await onMoto({ inputs: keyed, env });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.deepEqual(result.warnings, []);
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    assert.deepEqual(job.ResourceConfig, {
      InstanceType: 'ml.m5.large',
      InstanceCount: 1,
      VolumeSizeInGB: 50,
      VolumeKmsKeyId: VOLUME_KEY,
    });
    // The S3 output keeps its own key; the volume key is not used for S3.
    assert.equal(job.OutputDataConfig?.KmsKeyId, KMS_KEY);
    const staged = [`models/${jobName}/source/sourcedir.tar.gz`];
    assert.deepEqual(await encryptionOf(staged), [[staged[0], 'aws:kms', KMS_KEY]]);

    const same = await onMoto({ inputs: keyed, env });
    assert.equal(same.exitCode, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /Training job ml-repo-4249-1 already exists \(status Completed\); attaching to it/);

    for (const [key, here] of [
      [OTHER_VOLUME_KEY, JSON.stringify(OTHER_VOLUME_KEY)],
      ['', '(none)'],
    ] as const) {
      const other = await onMoto({ inputs: { ...keyed, 'volume-kms-key': key }, env });
      assert.equal(other.exitCode, 1);
      assert.deepEqual(other.errors, [
        `Training job ${jobName} already exists but was created from a different request (volume KMS key ${here} here, ${JSON.stringify(VOLUME_KEY)} in the existing job); give another job-name, or re-run the workflow, which gives a new attempt and a new name`,
      ]);
      assert.doesNotMatch(other.stdout, /Started training job|Uploaded/);
    }
    const after = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    assert.equal(after.ResourceConfig?.VolumeKmsKeyId, VOLUME_KEY, 'the refused runs changed nothing');
  });

  it('with tuning, puts volume-kms-key on the training job definition; another key on a re-run is refused', async () => {
    const env = { GITHUB_RUN_ID: '4250' };
    const tuned = {
      ...scriptMode,
      spot: 'false',
      'max-wait': '',
      'volume-kms-key': VOLUME_KEY,
      tuning:
        'objective: { metric: accuracy, type: Maximize }\nparameters:\n  learning-rate: { type: continuous, min: 0.01, max: 1 }\nmax-jobs: 2',
      // moto's tuning job names a best training job that does not exist, so the outcome is read without waiting.
      wait: 'false',
    };
    const result = await onMoto({ inputs: tuned, env });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(result.outputs['tuning-job-name'], 'ml-repo-4250-1');
    const tuning = await sagemaker.send(
      new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'ml-repo-4250-1' }),
    );
    assert.deepEqual(tuning.TrainingJobDefinition?.ResourceConfig, {
      InstanceType: 'ml.m5.large',
      InstanceCount: 1,
      VolumeSizeInGB: 50,
      VolumeKmsKeyId: VOLUME_KEY,
    });

    const same = await onMoto({ inputs: tuned, env });
    assert.equal(same.exitCode, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /Tuning job ml-repo-4250-1 already exists \(status Completed\); attaching to it/);

    const other = await onMoto({ inputs: { ...tuned, 'volume-kms-key': OTHER_VOLUME_KEY }, env });
    assert.equal(other.exitCode, 1);
    assert.deepEqual(other.errors, [
      'Tuning job ml-repo-4250-1 already exists but was created from a different request (volume KMS key differs); give another job-name, or re-run the workflow for a new name',
    ]);
  });

  it('a re-run with the same run id attaches to the job instead of creating or uploading again', async () => {
    const key = { Bucket: BUCKET, Key: `models/${JOB}/source/sourcedir.tar.gz` };
    const uploaded = (await s3.send(new HeadObjectCommand(key))).LastModified;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // S3 times have whole seconds
    const again = await onMoto({ inputs: scriptMode });
    assert.equal(again.exitCode, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /Training job ml-repo-4242-1 already exists \(status Completed\); attaching to it/);
    assert.doesNotMatch(again.stdout, /Started training job/);
    assert.doesNotMatch(again.stdout, /Uploaded/);
    assert.deepEqual((await s3.send(new HeadObjectCommand(key))).LastModified, uploaded);
    assert.equal(again.outputs['model-data'], first.outputs['model-data']);
  });

  it('with wait: false returns right after the start with the job name, leaving the job to the post step', async () => {
    const result = await onMoto({ inputs: { ...scriptMode, wait: 'false' }, env: { GITHUB_RUN_ID: '4243' } });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(result.outputs['job-name'], 'ml-repo-4243-1');
    assert.match(result.stdout, /Not waiting for training job ml-repo-4243-1/);
    assert.equal(result.state['stop-in-post'], 'false', 'wait: false means the job is meant to outlive the step');
  });

  it('attach follows an existing job by its name alone', async () => {
    const result = await onMoto({ inputs: { attach: JOB } });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Attaching to training job ml-repo-4242-1 \(status Completed\)/);
    assert.equal(result.outputs['job-name'], JOB);
    assert.equal(result.outputs.status, 'Completed');
    assert.equal(result.outputs['model-data'], first.outputs['model-data']);
    assert.equal(result.state['stop-in-post'], 'false', 'this run did not start the job');

    const missing = await onMoto({ inputs: { attach: 'no-such-job' } });
    assert.equal(missing.exitCode, 1);
    assert.deepEqual(missing.errors, [
      `Input 'attach' names "no-such-job", but there is no training or tuning job of that name in us-east-1`,
    ]);
  });

  it('the local backend reads an S3 channel and puts the model in S3, at the same key SageMaker would', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'datasets/penguins/penguins.json',
        Body: await readFile(penguinsData),
      }),
    );
    const result = await onMoto({
      inputs: {
        backend: 'local',
        'source-dir': penguinsScript,
        'entry-point': 'train.py',
        inputs: `train: s3://${BUCKET}/datasets/penguins/`,
        'metric-definitions': PENGUIN_METRICS,
        'output-path': `s3://${BUCKET}/local-models`,
      },
      env: { GITHUB_RUN_ID: '4244' },
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const key = 'local-models/ml-repo-4244-1/output/model.tar.gz';
    assert.equal(result.outputs['model-data'], `s3://${BUCKET}/${key}`);
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const dir = await mkdtemp(path.join(tmpdir(), 'train-s3-model-'));
    await writeFile(path.join(dir, 'model.tar.gz'), await object.Body!.transformToByteArray());
    const model = await unpackModel(path.join(dir, 'model.tar.gz'), dir);
    assert.equal(model.classes.length, 3);
    assert.ok(JSON.parse(result.outputs.metrics!).test_accuracy > 0.9);
    assert.ok(existsSync(path.join(dir, 'model.json')));
  });

  it('the local backend encrypts the model and output data it puts in S3 with kms-key', async () => {
    const result = await onMoto({
      inputs: {
        backend: 'local',
        'source-dir': trainScript,
        'entry-point': 'train.py',
        inputs: ['train', 'test'].map((c) => `${c}: ${path.join(fixtures, 'train_data', `${c}.csv`)}`).join('\n'),
        'output-path': `s3://${BUCKET}/local-models`,
        'kms-key': KMS_KEY,
      },
      env: { GITHUB_RUN_ID: '4248' },
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const keys = ['model.tar.gz', 'output.tar.gz'].map((file) => `local-models/ml-repo-4248-1/output/${file}`);
    assert.equal(result.outputs['model-data'], `s3://${BUCKET}/${keys[0]}`);
    assert.deepEqual(
      await encryptionOf(keys),
      keys.map((key) => [key, 'aws:kms', KMS_KEY]),
    );
  });
});
