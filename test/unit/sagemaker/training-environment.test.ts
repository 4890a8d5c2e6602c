import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildHyperparameters,
  containerPaths,
  inputDataConfig,
  resourceConfig,
  toolkitEnvironment,
} from '@mlops-actions/sagemaker';
import { python } from './helpers.js';

// The toolkit's own logic (environment.read_hyperparameters, the split by params.SAGEMAKER_HYPERPARAMETERS and the
// sagemaker_ prefix, mapping.to_cmd_args and mapping.to_env_vars) run by CPython, so its json and str decide.
const TOOLKIT_REFERENCE = `
import json, sys
hyperparameters = json.load(sys.stdin)
SAGEMAKER_HYPERPARAMETERS = ("sagemaker_program", "sagemaker_submit_directory", "sagemaker_enable_cloudwatch_metrics",
    "sagemaker_region", "sagemaker_container_log_level", "sagemaker_job_name", "default_user_module_name",
    "_tuning_objective_metric", "sagemaker_s3_output")
decoded = {}
for k, v in hyperparameters.items():
    try:
        v = json.loads(v)
    except (ValueError, TypeError):
        pass
    decoded[k] = v
included = {k: v for k, v in decoded.items() if k in SAGEMAKER_HYPERPARAMETERS or k.startswith("sagemaker_")}
user = {k: v for k, v in decoded.items() if k not in included}
framework = {k: v for k, v in included.items() if k not in SAGEMAKER_HYPERPARAMETERS}

def arg_value(value):
    if hasattr(value, "items"):
        return ",".join("%s=%s" % (k, v) for k, v in sorted(value.items()))
    return "" if value is None else str(value)

args = []
for key in sorted(user):
    args += ["--%s" % key if len(key) > 1 else "-%s" % key, arg_value(user[key])]

def env_value(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)

env = {"SM_HPS": env_value(user), "SM_USER_ARGS": env_value(args), "SM_FRAMEWORK_PARAMS": env_value(framework)}
for key, value in user.items():
    env["SM_HP_%s" % key.upper()] = env_value(value)
print(json.dumps(env))
`;

describe('toolkitEnvironment', () => {
  const paths = containerPaths('/work');

  function environmentFor(hyperparameters: Record<string, string>, channels = ['train', 'validation']) {
    return toolkitEnvironment({
      paths,
      hyperparameters,
      inputDataConfig: inputDataConfig(channels),
      resourceConfig: resourceConfig('local'),
      jobName: 'job-7',
      numCpus: 4,
      numGpus: 0,
    });
  }

  it('derives SM_HPS, SM_HP_*, SM_USER_ARGS and SM_FRAMEWORK_PARAMS exactly as the toolkit does', () => {
    const hyperparameters = {
      ...buildHyperparameters(
        {
          epochs: 10,
          'learning-rate': 1e-5,
          ratio: 1.0,
          optimizer: 'adam',
          verbose: true,
          layers: [64, 32.5],
          schedule: { warmup: 2, decay: 'cosine' },
          nothing: null,
          b: 'one letter',
          label: 'café ☀',
        },
        {
          scriptMode: {
            entryPoint: 'train.py',
            submitDirectory: 's3://b/k/sourcedir.tar.gz',
            jobName: 'job-7',
            region: 'eu-west-1',
          },
        },
      ),
      plain: 'not json at all', // what an algorithm-style value looks like to the toolkit
      whole: '2.0', // a float that JavaScript would print as 2
      sagemaker_mpi_enabled: 'true', // sagemaker_ but not a toolkit setting: a framework parameter
      _tuning_objective_metric: '"accuracy"',
    };
    const expected = python<Record<string, string>>(TOOLKIT_REFERENCE, hyperparameters);
    const { variables, userArgs } = environmentFor(hyperparameters);
    for (const [name, value] of Object.entries(expected)) assert.equal(variables[name], value, name);
    assert.deepEqual(JSON.parse(variables.SM_USER_ARGS!), userArgs);
    assert.ok(userArgs.includes('-b'), 'a one-letter name becomes -b');
    assert.ok(!('SM_HP__TUNING_OBJECTIVE_METRIC' in variables));
    assert.equal(variables.SM_FRAMEWORK_PARAMS, '{"sagemaker_mpi_enabled":true}');
  });

  it('describes the container layout, channels and host like the toolkit', () => {
    const { variables } = environmentFor(
      buildHyperparameters(
        { epochs: 3 },
        { scriptMode: { entryPoint: 'train.py', submitDirectory: '/work/opt/ml/code', jobName: 'job-7' } },
      ),
    );
    assert.equal(variables.SM_MODEL_DIR, '/work/opt/ml/model');
    assert.equal(variables.SM_CHANNELS, '["train","validation"]');
    assert.equal(variables.SM_CHANNEL_TRAIN, '/work/opt/ml/input/data/train');
    assert.equal(variables.SM_CHANNEL_VALIDATION, '/work/opt/ml/input/data/validation');
    assert.equal(variables.SM_OUTPUT_DIR, '/work/opt/ml/output');
    assert.equal(variables.SM_OUTPUT_DATA_DIR, '/work/opt/ml/output/data');
    assert.equal(variables.SM_INPUT_DIR, '/work/opt/ml/input');
    assert.equal(variables.SM_INPUT_CONFIG_DIR, '/work/opt/ml/input/config');
    assert.equal(variables.SM_CURRENT_HOST, 'algo-1');
    assert.equal(variables.SM_HOSTS, '["algo-1"]');
    assert.equal(variables.SM_NUM_CPUS, '4');
    assert.equal(variables.SM_NUM_GPUS, '0');
    assert.equal(variables.SM_MODULE_NAME, 'train');
    assert.equal(variables.SM_USER_ENTRY_POINT, 'train.py');
    assert.equal(variables.SM_MODULE_DIR, '/work/opt/ml/code');
    assert.equal(variables.SM_LOG_LEVEL, '20');
    assert.equal(variables.SM_FRAMEWORK_MODULE, '');
    assert.equal(variables.SM_NETWORK_INTERFACE_NAME, 'eth0');
    assert.equal(variables.SAGEMAKER_JOB_NAME, 'job-7');
    assert.equal(variables.TRAINING_JOB_NAME, 'job-7');
    const trainingEnv = JSON.parse(variables.SM_TRAINING_ENV!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(trainingEnv), [...Object.keys(trainingEnv)].sort(), 'sort_keys');
    assert.deepEqual(trainingEnv.hyperparameters, { epochs: 3 });
    assert.equal(trainingEnv.is_master, true);
    assert.equal(trainingEnv.master_hostname, 'algo-1');
    assert.equal(trainingEnv.job_name, 'job-7');
    assert.deepEqual(trainingEnv.channel_input_dirs, {
      train: '/work/opt/ml/input/data/train',
      validation: '/work/opt/ml/input/data/validation',
    });
    assert.deepEqual((trainingEnv.resource_config as { hosts: string[] }).hosts, ['algo-1']);
  });
});
