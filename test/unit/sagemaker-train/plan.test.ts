// The train action's plan: which of the three ways to run was chosen, the CreateTrainingJob request built from the
// inputs before anything is uploaded, and one sentence naming the input for each mistake.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runContext } from '../../../packages/core/src/context.js';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import { parseInputs } from '../../../packages/core/src/inputs.js';
import { inputSpec } from '../../../actions/train/src/inputs.js';
import { planTraining, type StartPlan, type TrainingPlan } from '../../../actions/train/src/plan.js';

const context = runContext({
  GITHUB_REPOSITORY: 'acme/churn-model',
  GITHUB_SHA: 'abc123',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SERVER_URL: 'https://github.com',
  RUNNER_TEMP: '/runner/temp',
});
const ENV = { AWS_REGION: 'us-east-1' };
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerExecution';
const SCRIPT_MODE = {
  framework: 'sklearn',
  'framework-version': '1.2-1',
  'entry-point': 'train.py',
  'source-dir': 'src',
  'output-path': 's3://models/out',
  'role-arn': ROLE,
};

function plan(raw: Record<string, string>, env: NodeJS.ProcessEnv = ENV): TrainingPlan {
  return planTraining(
    parseInputs(inputSpec, (name) => raw[name]),
    context,
    env,
  );
}

function start(raw: Record<string, string>, env?: NodeJS.ProcessEnv): StartPlan {
  const planned = plan(raw, env);
  assert.equal(planned.backend === 'sagemaker' && planned.action, 'start');
  return planned as StartPlan;
}

function problems(raw: Record<string, string>, env?: NodeJS.ProcessEnv): { input?: string; problems: string[] } {
  try {
    plan(raw, env);
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, String(error));
    return { input: error.input, problems: error.problems };
  }
  assert.fail('expected a ConfigurationError');
}

describe('train plan: script mode on a framework image', () => {
  it('resolves the image, stages the code under the job, and adds the script-mode hyperparameters JSON-encoded', () => {
    const p = start({
      ...SCRIPT_MODE,
      hyperparameters: 'epochs: 30\noptimizer: adam\nlayers: [64, 32]',
      'metric-definitions': "accuracy: 'accuracy=([0-9.]+)'",
      inputs: 'train: s3://data/train/\ntest:\n  uri: data/test.csv\n  content-type: text/csv\n  input-mode: FastFile',
      tags: 'team: churn',
    });
    assert.equal(p.jobName, 'churn-model-4242-2');
    const { request } = p;
    assert.deepEqual(request.AlgorithmSpecification, {
      TrainingImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
      TrainingInputMode: 'File',
      MetricDefinitions: [{ Name: 'accuracy', Regex: 'accuracy=([0-9.]+)' }],
    });
    assert.deepEqual(p.code, {
      kind: 'archive',
      entryPoint: 'train.py',
      sourceDir: 'src',
      destination: 's3://models/out/churn-model-4242-2/source/sourcedir.tar.gz',
      maxBytes: 100 * 1024 * 1024,
    });
    assert.deepEqual(request.HyperParameters, {
      epochs: '30',
      optimizer: '"adam"',
      layers: '[64, 32]',
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: '"s3://models/out/churn-model-4242-2/source/sourcedir.tar.gz"',
      sagemaker_container_log_level: '20',
      sagemaker_job_name: '"churn-model-4242-2"',
      sagemaker_region: '"us-east-1"',
    });
    // The local channel is uploaded under the output path; the S3 one is used where it is.
    assert.deepEqual(p.channelUploads, [
      { channel: 'test', localPath: 'data/test.csv', destination: 's3://models/out/churn-model-4242-2/input/test/' },
    ]);
    assert.deepEqual(
      request.InputDataConfig?.map((c) => [
        c.ChannelName,
        c.DataSource?.S3DataSource?.S3Uri,
        c.ContentType,
        c.InputMode,
      ]),
      [
        ['train', 's3://data/train/', undefined, undefined],
        ['test', 's3://models/out/churn-model-4242-2/input/test/', 'text/csv', 'FastFile'],
      ],
    );
    assert.deepEqual(request.ResourceConfig, { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 });
    assert.deepEqual(request.StoppingCondition, { MaxRuntimeInSeconds: 86_400 });
    assert.deepEqual(request.Tags?.at(-1), { Key: 'team', Value: 'churn' });
    assert.equal(request.Tags?.find((t) => t.Key === 'mlops-actions:action')?.Value, 'train');
    assert.equal(p.tuningRequest, undefined);
    assert.equal(p.wait, true);
    assert.equal(p.timeoutMs, 6 * 3_600_000);
  });

  it('uses image-uri over the framework image, code-location for the code, and a GPU image on a GPU instance', () => {
    const override = start({ ...SCRIPT_MODE, 'image-uri': 'my.registry/sklearn:custom' });
    assert.equal(override.request.AlgorithmSpecification?.TrainingImage, 'my.registry/sklearn:custom');
    const gpu = start({
      ...SCRIPT_MODE,
      framework: 'pytorch',
      'framework-version': '2.1',
      'py-version': 'py310',
      'instance-type': 'ml.g5.xlarge',
      'code-location': 's3://code-bucket/jobs',
    });
    assert.match(gpu.request.AlgorithmSpecification!.TrainingImage!, /pytorch-training:2\.1-gpu-py310$/);
    assert.equal(gpu.code?.destination, 's3://code-bucket/jobs/churn-model-4242-2/source/sourcedir.tar.gz');
  });

  it('archives a lone script (no source-dir) under its own name', () => {
    const p = start({ ...SCRIPT_MODE, 'source-dir': '', 'entry-point': 'scripts/train.py' });
    assert.equal(p.code?.kind, 'archive');
    assert.equal(p.code && 'sourceDir' in p.code, false);
    assert.equal(p.request.HyperParameters?.sagemaker_program, '"train.py"');
  });

  it('sets spot with a default max wait of twice the runtime, checkpoints, VPC, KMS and isolation', () => {
    const p = start({
      ...SCRIPT_MODE,
      spot: 'true',
      'max-runtime': '2h',
      'checkpoint-uri': 's3://models/checkpoints/churn',
      subnets: 'subnet-1, subnet-2',
      'security-group-ids': 'sg-1',
      'kms-key': 'alias/models',
      'network-isolation': 'true',
      'instance-count': '2',
      'volume-size': '100',
    });
    const { request } = p;
    assert.deepEqual(request.StoppingCondition, { MaxRuntimeInSeconds: 7_200, MaxWaitTimeInSeconds: 14_400 });
    assert.equal(request.EnableManagedSpotTraining, true);
    assert.deepEqual(request.CheckpointConfig, {
      S3Uri: 's3://models/checkpoints/churn',
      LocalPath: '/opt/ml/checkpoints',
    });
    assert.deepEqual(request.VpcConfig, { Subnets: ['subnet-1', 'subnet-2'], SecurityGroupIds: ['sg-1'] });
    assert.deepEqual(request.OutputDataConfig, { S3OutputPath: 's3://models/out', KmsKeyId: 'alias/models' });
    // The code and data the action stages get the same key as the job's output.
    assert.equal(p.kmsKeyId, 'alias/models');
    assert.equal(start(SCRIPT_MODE).kmsKeyId, undefined);
    assert.equal(request.EnableNetworkIsolation, true);
    assert.deepEqual(request.ResourceConfig, { InstanceType: 'ml.m5.xlarge', InstanceCount: 2, VolumeSizeInGB: 100 });
  });

  it("puts volume-kms-key on the instances' storage volume, apart from kms-key, for training and tuning jobs", () => {
    const VOLUME_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const p = start({
      ...SCRIPT_MODE,
      'kms-key': 'alias/models',
      'volume-kms-key': VOLUME_KEY,
      'metric-definitions': "accuracy: 'accuracy=([0-9.]+)'",
      tuning:
        'objective: { metric: accuracy, type: Maximize }\nparameters:\n  lr: { type: continuous, min: 0.01, max: 0.1 }\nmax-jobs: 2',
    });
    const resources = {
      InstanceType: 'ml.m5.xlarge',
      InstanceCount: 1,
      VolumeSizeInGB: 30,
      VolumeKmsKeyId: VOLUME_KEY,
    };
    assert.deepEqual(p.request.ResourceConfig, resources);
    assert.deepEqual(p.tuningRequest?.TrainingJobDefinition?.ResourceConfig, resources);
    // Each key stays where it was given: the S3 output and the staged uploads get kms-key only.
    assert.deepEqual(p.request.OutputDataConfig, { S3OutputPath: 's3://models/out', KmsKeyId: 'alias/models' });
    assert.equal(p.kmsKeyId, 'alias/models');
    const volumeOnly = start({ ...SCRIPT_MODE, 'volume-kms-key': VOLUME_KEY });
    assert.deepEqual(volumeOnly.request.OutputDataConfig, { S3OutputPath: 's3://models/out' });
    assert.equal(volumeOnly.kmsKeyId, undefined);
    assert.equal(volumeOnly.request.ResourceConfig?.VolumeKmsKeyId, VOLUME_KEY);
    assert.equal('VolumeKmsKeyId' in start(SCRIPT_MODE).request.ResourceConfig!, false);
    // Passed on whatever the instance type: SageMaker, not a table here, says which types have NVMe storage.
    const nvme = start({
      ...SCRIPT_MODE,
      framework: 'pytorch',
      'framework-version': '2.1',
      'py-version': 'py310',
      'instance-type': 'ml.g5.xlarge',
      'volume-kms-key': VOLUME_KEY,
    });
    assert.equal(nvme.request.ResourceConfig?.VolumeKmsKeyId, VOLUME_KEY);
    assert.deepEqual(nvme.notes, []);
  });

  it('builds the tuning job from the tuning input, with JSON-encoded categorical values', () => {
    const p = start({
      ...SCRIPT_MODE,
      'metric-definitions': "accuracy: 'accuracy=([0-9.]+)'",
      hyperparameters: 'epochs: 30\noptimizer: adam',
      tuning: [
        'objective: { metric: accuracy, type: Maximize }',
        'strategy: Random',
        'parameters:',
        '  optimizer: { type: categorical, values: [adam, sgd] }',
        'max-jobs: 4',
        'max-parallel-jobs: 2',
      ].join('\n'),
    });
    assert.equal(p.tuningRequest?.HyperParameterTuningJobName, 'churn-model-4242-2');
    assert.deepEqual(p.tuningRequest?.HyperParameterTuningJobConfig?.ParameterRanges?.CategoricalParameterRanges, [
      { Name: 'optimizer', Values: ['"adam"', '"sgd"'] },
    ]);
    assert.equal(p.tuningRequest?.TrainingJobDefinition?.StaticHyperParameters?.optimizer, undefined);
  });
});

describe('train plan: command and algorithm images', () => {
  it('runs a command through /bin/sh in image-uri, with the code as the code channel and SM_* paths', () => {
    const p = start({
      'image-uri': '123456789012.dkr.ecr.us-east-1.amazonaws.com/trainer:1',
      command: 'python train.py --fast',
      'source-dir': 'src',
      inputs: 'train: s3://data/train/',
      hyperparameters: 'epochs: 3\nlearning-rate: 0.1',
      environment: 'SM_MODEL_DIR: /custom\nDEBUG: "1"',
      'output-path': 's3://models/out',
      'role-arn': ROLE,
    });
    const { request } = p;
    assert.deepEqual(request.AlgorithmSpecification?.ContainerEntrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(request.AlgorithmSpecification?.ContainerArguments, [
      'cd /opt/ml/input/data/code && python train.py --fast',
    ]);
    assert.deepEqual(p.code, {
      kind: 'files',
      sourceDir: 'src',
      destination: 's3://models/out/churn-model-4242-2/source/code/',
      maxBytes: 100 * 1024 * 1024,
    });
    assert.deepEqual(request.InputDataConfig?.at(-1), {
      ChannelName: 'code',
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: 's3://models/out/churn-model-4242-2/source/code/',
          S3DataDistributionType: 'FullyReplicated',
        },
      },
      InputMode: 'File',
    });
    // JSON-encoded like script mode, and no sagemaker_* entries: nothing in the container reads them.
    assert.deepEqual(request.HyperParameters, { epochs: '3', 'learning-rate': '0.1' });
    const environment = request.Environment!;
    assert.equal(environment.SM_MODEL_DIR, '/custom', "the user's own value wins");
    assert.equal(environment.DEBUG, '1');
    assert.equal(environment.SM_CHANNEL_TRAIN, '/opt/ml/input/data/train');
    assert.equal(environment.SM_OUTPUT_DATA_DIR, '/opt/ml/output/data');
    assert.equal(environment.SM_HP_EPOCHS, '3');
    assert.equal(environment.SM_CHANNELS, '["train"]');
    // A name SageMaker's Environment cannot hold is left out, and said so.
    assert.equal(environment['SM_HP_LEARNING-RATE'], undefined);
    assert.match(p.notes.join('\n'), /does not get SM_HP_LEARNING-RATE/);
  });

  it('passes an algorithm image raw strings and no code', () => {
    const p = start({
      'image-uri': '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
      hyperparameters: 'objective: binary:logistic\nnum_round: 100\nverbosity: true',
      inputs: 'train: s3://data/train/',
      'output-path': 's3://models/out',
      'role-arn': ROLE,
    });
    assert.equal(p.code, undefined);
    assert.deepEqual(p.request.HyperParameters, { objective: 'binary:logistic', num_round: '100', verbosity: 'True' });
    assert.equal(p.request.AlgorithmSpecification?.ContainerEntrypoint, undefined);
    const json = start({
      'image-uri': 'img:1',
      hyperparameters: 'objective: binary:logistic',
      'hyperparameter-encoding': 'json',
      'output-path': 's3://models/out',
      'role-arn': ROLE,
    });
    assert.deepEqual(json.request.HyperParameters, { objective: '"binary:logistic"' });
  });
});

describe('train plan: attach, names and credentials', () => {
  it('attaches to a named job without needing anything else, and takes job-name and job-name-prefix', () => {
    const attached = plan({ attach: 'churn-model-4242-1' });
    assert.equal(attached.backend === 'sagemaker' && attached.action, 'attach');
    assert.equal(attached.jobName, 'churn-model-4242-1');
    assert.equal(start({ ...SCRIPT_MODE, 'job-name': 'nightly-7' }).jobName, 'nightly-7');
    assert.equal(start({ ...SCRIPT_MODE, 'job-name-prefix': 'churn xgb' }).jobName, 'churn-xgb-4242-2');
  });

  it('warns about a long wait only with session credentials, which expire', () => {
    assert.equal(start(SCRIPT_MODE, { ...ENV, AWS_SESSION_TOKEN: 'token' }).credentialSessionMs, 3_600_000);
    assert.equal(start(SCRIPT_MODE, ENV).credentialSessionMs, Number.POSITIVE_INFINITY);
  });
});

describe('train plan: local backend', () => {
  it('runs the entry point with the same inputs, under RUNNER_TEMP by default, ignoring SageMaker-only ones', () => {
    const p = plan({
      backend: 'local',
      ...SCRIPT_MODE,
      'role-arn': '',
      'output-path': '',
      hyperparameters: 'epochs: 3',
      inputs: 'train: data/train.csv\nextra: s3://data/extra/',
      tuning: 'objective: { metric: accuracy, type: Maximize }',
      wait: 'false',
      'kms-key': 'alias/models',
    });
    assert.equal(p.backend, 'local');
    if (p.backend !== 'local') return;
    // Not SageMaker-only: the model goes to output-path with it when that is in S3.
    assert.equal(p.kmsKeyId, 'alias/models');
    assert.deepEqual(p.run, { entryPoint: 'train.py' });
    assert.equal(p.sourceDir, 'src');
    assert.equal(p.encoding, 'json');
    assert.equal(p.workDir, '/runner/temp/mlops-actions/train/churn-model-4242-2');
    assert.equal(p.outputPath, '/runner/temp/mlops-actions/train/output');
    assert.deepEqual(
      p.channels.map((c) => [c.name, c.location.kind]),
      [
        ['train', 'local'],
        ['extra', 's3'],
      ],
    );
    assert.equal(p.region, 'us-east-1');
    assert.equal(p.notes.length, 2);
    assert.match(p.notes[0]!, /'tuning' is ignored by the local backend/);
    assert.match(p.notes[1]!, /'wait' is ignored by the local backend/);
  });

  it('warns that volume-kms-key does not apply to a run on the runner', () => {
    const p = plan({
      backend: 'local',
      ...SCRIPT_MODE,
      'volume-kms-key': 'arn:aws:kms:us-east-1:123456789012:key/abcd',
      'kms-key': 'alias/models',
    });
    assert.equal(p.backend, 'local');
    assert.deepEqual(p.notes, [
      "Input 'volume-kms-key' is ignored by the local backend: it encrypts a SageMaker training instance's storage " +
        "volume, and a local run uses the runner's disk (kms-key still applies to what it writes to S3)",
    ]);
    assert.equal(p.backend === 'local' && p.kmsKeyId, 'alias/models');
  });

  it('warns about the SageMaker-only inputs set away from their defaults, and keeps the time limits', () => {
    const p = plan({
      backend: 'local',
      ...SCRIPT_MODE,
      'network-isolation': 'true',
      'checkpoint-uri': 's3://models/checkpoints/',
      'instance-count': '2',
      spot: 'true',
      'max-runtime': '2h',
      timeout: '30m',
    });
    assert.equal(p.backend, 'local');
    if (p.backend !== 'local') return;
    assert.deepEqual(
      p.notes.map((note) => /^Input '([^']+)' is ignored by the local backend/.exec(note)?.[1]),
      ['network-isolation', 'checkpoint-uri', 'instance-count', 'spot'],
    );
    assert.equal(p.maxRuntimeMs, 2 * 3_600_000);
    assert.equal(p.timeoutMs, 30 * 60_000);
    const defaults = plan({ backend: 'local', ...SCRIPT_MODE });
    assert.deepEqual(defaults.notes, [], 'nothing to warn about with the defaults');
  });

  it('needs command or entry-point, not attach', () => {
    assert.equal(problems({ backend: 'local', 'image-uri': 'img:1' }).input, 'command');
    assert.equal(problems({ backend: 'local', command: 'true', 'entry-point': 'x.py' }).input, 'entry-point');
    assert.equal(problems({ backend: 'local', attach: 'job-1' }).input, 'attach');
  });
});

describe('train plan: mistakes are one sentence naming the input', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    [
      'no role with the SageMaker backend',
      { ...SCRIPT_MODE, 'role-arn': '' },
      'role-arn',
      /is required with the SageMaker backend/,
    ],
    [
      'framework and command together',
      { ...SCRIPT_MODE, 'entry-point': '', command: 'python x.py' },
      'framework',
      /'framework' and 'command' cannot be used together/,
    ],
    [
      'entry-point and command together',
      { ...SCRIPT_MODE, framework: '', 'image-uri': 'img:1', command: 'x' },
      'entry-point',
      /cannot be used together/,
    ],
    [
      'nothing to run',
      { 'output-path': 's3://models/out', 'role-arn': ROLE },
      'image-uri',
      /give exactly one of image-uri, framework, command/,
    ],
    [
      'a command without an image',
      { command: 'python x.py', 'output-path': 's3://models/out', 'role-arn': ROLE },
      'image-uri',
      /required with 'command'/,
    ],
    ['a framework without a script', { ...SCRIPT_MODE, 'entry-point': '' }, 'entry-point', /required with 'framework'/],
    [
      'a framework without a version',
      { ...SCRIPT_MODE, 'framework-version': '' },
      'framework-version',
      /required with 'framework'/,
    ],
    [
      'an unknown framework version',
      { ...SCRIPT_MODE, 'framework-version': '9.9' },
      'framework-version',
      /"9\.9".*known versions: .*1\.2-1/,
    ],
    [
      'max-wait equal to max-runtime',
      { ...SCRIPT_MODE, spot: 'true', 'max-runtime': '1h', 'max-wait': '60m' },
      'max-wait',
      /must exceed max-runtime/,
    ],
    ['max-wait without spot', { ...SCRIPT_MODE, 'max-wait': '2h' }, 'max-wait', /only applies to spot training/],
    [
      'an invalid instance type',
      { ...SCRIPT_MODE, 'instance-type': 'm5.xlarge' },
      'instance-type',
      /"m5\.xlarge".*ml\.<family>\.<size>/,
    ],
    [
      'a job name SageMaker would reject',
      { ...SCRIPT_MODE, 'job-name': 'nightly_run!' },
      'job-name',
      /SageMaker names must match/,
    ],
    [
      'hyperparameters that are not a map',
      { ...SCRIPT_MODE, hyperparameters: '- 1\n- 2' },
      'hyperparameters',
      /expected a YAML or JSON mapping/,
    ],
    [
      'a local output path with SageMaker',
      { ...SCRIPT_MODE, 'output-path': './out' },
      'output-path',
      /must be an s3:\/\/ location/,
    ],
    [
      'a channel with an unknown input mode',
      { ...SCRIPT_MODE, inputs: 'train: { uri: s3://data/t, input-mode: Stream }' },
      'inputs',
      /channel "train" has input-mode "Stream"; expected one of File, FastFile, Pipe/,
    ],
    [
      'a metric regex without a group',
      { ...SCRIPT_MODE, 'metric-definitions': 'acc: accuracy=[0-9.]+' },
      'metric-definitions',
      /without a capture group/,
    ],
    [
      'an invalid role ARN',
      { ...SCRIPT_MODE, 'role-arn': 'SageMakerExecution' },
      'role-arn',
      /expected an IAM role ARN/,
    ],
    [
      'a volume KMS key with a space in it',
      { ...SCRIPT_MODE, 'volume-kms-key': 'alias/volume key' },
      'volume-kms-key',
      /"alias\/volume key": expected a KMS key id, alias or ARN/,
    ],
    ['no region', { ...SCRIPT_MODE }, 'region', /No AWS region is configured/],
  ];
  for (const [what, raw, input, expected] of cases) {
    it(`refuses ${what}`, () => {
      const found = problems(raw, what === 'no region' ? {} : ENV);
      assert.equal(found.problems.length, 1, found.problems.join('\n'));
      assert.equal(found.input, input);
      assert.match(found.problems[0]!, new RegExp(`'${input}'|${expected.source}`));
      assert.match(found.problems[0]!, expected);
      assert.doesNotMatch(found.problems[0]!, /\n/);
    });
  }
});
