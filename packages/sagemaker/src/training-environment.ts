// The container contract of the SageMaker training toolkit (sagemaker_training.environment / mapping / params),
// computed for a local run: the /opt/ml layout under a work folder, and the SM_* variables and `--key value`
// arguments the toolkit derives from hyperparameters.json, inputdataconfig.json and resourceconfig.json.
import path from 'node:path';
import { comparePythonStrings, parsePythonJson, pythonJsonDumps, pythonStr, type PyValue } from './python-values.js';

export interface ContainerPaths {
  /** `<workDir>/opt/ml`, what SAGEMAKER_BASE_DIR points the toolkit at. */
  base: string;
  input: string;
  inputConfig: string;
  inputData: string;
  model: string;
  output: string;
  outputData: string;
  outputIntermediate: string;
  checkpoints: string;
  /** Where the source directory is copied, like the toolkit extracts sourcedir.tar.gz to /opt/ml/code. */
  code: string;
  failureFile: string;
  hyperparametersFile: string;
  inputDataConfigFile: string;
  resourceConfigFile: string;
}

export function containerPaths(workDir: string): ContainerPaths {
  const base = path.join(path.resolve(workDir), 'opt', 'ml');
  const input = path.join(base, 'input');
  const inputConfig = path.join(input, 'config');
  const output = path.join(base, 'output');
  return {
    base,
    input,
    inputConfig,
    inputData: path.join(input, 'data'),
    model: path.join(base, 'model'),
    output,
    outputData: path.join(output, 'data'),
    outputIntermediate: path.join(output, 'intermediate'),
    checkpoints: path.join(base, 'checkpoints'),
    code: path.join(base, 'code'),
    failureFile: path.join(output, 'failure'),
    hyperparametersFile: path.join(inputConfig, 'hyperparameters.json'),
    inputDataConfigFile: path.join(inputConfig, 'inputdataconfig.json'),
    resourceConfigFile: path.join(inputConfig, 'resourceconfig.json'),
  };
}

export const CURRENT_HOST = 'algo-1';
export const INSTANCE_GROUP = 'homogeneousCluster';

/** resourceconfig.json of a one-instance job, in the format SageMaker writes. */
export function resourceConfig(instanceType: string): Record<string, unknown> {
  return {
    current_host: CURRENT_HOST,
    current_instance_type: instanceType,
    current_group_name: INSTANCE_GROUP,
    hosts: [CURRENT_HOST],
    instance_groups: [{ instance_group_name: INSTANCE_GROUP, instance_type: instanceType, hosts: [CURRENT_HOST] }],
    network_interface_name: 'eth0',
  };
}

/** inputdataconfig.json: one File-mode channel each. */
export function inputDataConfig(channels: readonly string[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    channels.map((name) => [
      name,
      { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
    ]),
  );
}

// params.SAGEMAKER_HYPERPARAMETERS: split out of the user's hyperparameters even without the sagemaker_ prefix.
const TOOLKIT_HYPERPARAMETERS = new Set([
  'sagemaker_program',
  'sagemaker_submit_directory',
  'sagemaker_enable_cloudwatch_metrics',
  'sagemaker_region',
  'sagemaker_container_log_level',
  'sagemaker_job_name',
  'default_user_module_name',
  '_tuning_objective_metric',
  'sagemaker_s3_output',
]);

/** environment.read_hyperparameters: json.loads each value, keeping the text when it is not JSON. */
function decodeHyperparameters(encoded: Record<string, string>): [string, PyValue][] {
  return Object.entries(encoded).map(([key, text]) => {
    try {
      return [key, parsePythonJson(text)];
    } catch {
      return [key, { kind: 'str', value: text }];
    }
  });
}

/** mapping.to_cmd_args: sorted keys, `--key` (or `-k` for one letter), str(value); maps become `k=v,k2=v2`. */
function toCommandArguments(hyperparameters: [string, PyValue][]): string[] {
  const sorted = [...hyperparameters].sort(([a], [b]) => comparePythonStrings(a, b));
  return sorted.flatMap(([key, value]) => {
    const name = key ? (key.length > 1 ? `--${key}` : `-${key}`) : '';
    const text =
      value.kind === 'dict'
        ? [...value.entries]
            .sort(([a], [b]) => comparePythonStrings(a, b))
            .map(([k, v]) => `${k}=${pythonStr(v)}`)
            .join(',')
        : value.kind === 'none'
          ? ''
          : pythonStr(value);
    return [name, text];
  });
}

export interface ToolkitEnvironmentOptions {
  paths: ContainerPaths;
  /** hyperparameters.json as written (every value a string). */
  hyperparameters: Record<string, string>;
  inputDataConfig: Record<string, Record<string, string>>;
  resourceConfig: Record<string, unknown>;
  jobName: string;
  numCpus: number;
  numGpus: number;
}

export interface ToolkitEnvironment {
  /** SM_* and the other variables the toolkit exports. */
  variables: Record<string, string>;
  /** What the toolkit passes the entry point, also in SM_USER_ARGS. */
  userArgs: string[];
}

function fromJson(value: unknown): PyValue {
  return parsePythonJson(JSON.stringify(value));
}

/** Environment(...).to_env_vars() plus the variables Environment.__init__ sets, for a local run. */
export function toolkitEnvironment(options: ToolkitEnvironmentOptions): ToolkitEnvironment {
  const { paths, jobName } = options;
  const decoded = decodeHyperparameters(options.hyperparameters);
  const isToolkitKey = (key: string) => TOOLKIT_HYPERPARAMETERS.has(key) || key.startsWith('sagemaker_');
  const userHyperparameters = decoded.filter(([key]) => !isToolkitKey(key));
  const toolkitSettings = new Map(decoded.filter(([key]) => isToolkitKey(key)));
  const frameworkParameters = decoded.filter(([key]) => isToolkitKey(key) && !TOOLKIT_HYPERPARAMETERS.has(key));

  const setting = (key: string): PyValue | undefined => toolkitSettings.get(key);
  const program = setting('sagemaker_program');
  const userEntryPoint: PyValue = program ?? { kind: 'none' };
  const moduleName: PyValue =
    program?.kind === 'str'
      ? { kind: 'str', value: program.value.replace(/\.py$/, '') }
      : { kind: 'str', value: 'None' };
  const submitDirectory = setting('sagemaker_submit_directory');
  const moduleDir: PyValue = { kind: 'str', value: submitDirectory ? pythonStr(submitDirectory) : paths.code };
  const logLevel = setting('sagemaker_container_log_level') ?? { kind: 'int', digits: '20' };
  const channels = Object.keys(options.inputDataConfig);
  const channelDirs: [string, PyValue][] = channels.map((name) => [
    name,
    { kind: 'str', value: path.join(paths.inputData, name) },
  ]);
  const hosts = fromJson(options.resourceConfig.hosts ?? [options.resourceConfig.current_host]);
  const currentHost = fromJson(options.resourceConfig.current_host);
  const firstHost = hosts.kind === 'list' && hosts.items[0] ? hosts.items[0] : currentHost;
  const text = (value: string): PyValue => ({ kind: 'str', value });
  const int = (value: number): PyValue => ({ kind: 'int', digits: String(value) });
  const userArgs = toCommandArguments(userHyperparameters);

  // The properties of Environment, which dict(self) serialises into SM_TRAINING_ENV.
  const trainingEnv: [string, PyValue][] = [
    ['additional_framework_parameters', { kind: 'dict', entries: frameworkParameters }],
    ['channel_input_dirs', { kind: 'dict', entries: channelDirs }],
    ['current_host', currentHost],
    ['framework_module', { kind: 'none' }],
    ['hosts', hosts],
    ['hyperparameters', { kind: 'dict', entries: userHyperparameters }],
    ['input_config_dir', text(paths.inputConfig)],
    ['input_data_config', fromJson(options.inputDataConfig)],
    ['input_dir', text(paths.input)],
    ['is_master', { kind: 'bool', value: pythonJsonDumps(currentHost) === pythonJsonDumps(firstHost) }],
    ['job_name', text(jobName)],
    ['log_level', logLevel],
    ['master_hostname', firstHost],
    ['model_dir', text(paths.model)],
    ['module_dir', moduleDir],
    ['module_name', moduleName],
    ['network_interface_name', fromJson(options.resourceConfig.network_interface_name ?? 'eth0')],
    ['num_cpus', int(options.numCpus)],
    ['num_gpus', int(options.numGpus)],
    ['output_data_dir', text(paths.outputData)],
    ['output_dir', text(paths.output)],
    ['output_intermediate_dir', text(paths.outputIntermediate)],
    ['resource_config', fromJson(options.resourceConfig)],
    ['user_entry_point', userEntryPoint],
  ];
  const property = (name: string) => trainingEnv.find(([key]) => key === name)![1];

  const env: [string, PyValue][] = [
    ['hosts', hosts],
    ['network_interface_name', property('network_interface_name')],
    ['hps', { kind: 'dict', entries: userHyperparameters }],
    ['user_entry_point', userEntryPoint],
    ['framework_params', { kind: 'dict', entries: frameworkParameters }],
    ['resource_config', property('resource_config')],
    ['input_data_config', property('input_data_config')],
    ['output_data_dir', text(paths.outputData)],
    ['channels', { kind: 'list', items: [...channels].sort(comparePythonStrings).map(text) }],
    ['current_host', currentHost],
    ['module_name', moduleName],
    ['log_level', logLevel],
    ['framework_module', { kind: 'none' }],
    ['input_dir', text(paths.input)],
    ['input_config_dir', text(paths.inputConfig)],
    ['output_dir', text(paths.output)],
    ['num_cpus', int(options.numCpus)],
    ['num_gpus', int(options.numGpus)],
    ['model_dir', text(paths.model)],
    ['module_dir', moduleDir],
    ['training_env', { kind: 'dict', entries: trainingEnv }],
    ['user_args', { kind: 'list', items: userArgs.map(text) }],
    ['output_intermediate_dir', text(paths.outputIntermediate)],
    ...channelDirs.map(([name, dir]): [string, PyValue] => [`channel_${name}`, dir]),
    ...userHyperparameters.map(([key, value]): [string, PyValue] => [`hp_${key}`, value]),
  ];

  // mapping.to_env_vars: SM_ + upper-cased key; text as is, None as "", anything else as compact sorted JSON.
  const variables: Record<string, string> = {};
  for (const [key, value] of env) {
    variables[`SM_${key.toUpperCase()}`] =
      value.kind === 'str'
        ? value.value
        : value.kind === 'none'
          ? ''
          : pythonJsonDumps(value, { sortKeys: true, compact: true });
  }
  // Set by Environment.__init__ (params.JOB_NAME_ENV, CURRENT_HOST_ENV, REGION_NAME_ENV) and by the platform.
  const region = setting('sagemaker_region');
  variables.SAGEMAKER_JOB_NAME = pythonStr(setting('sagemaker_job_name') ?? text(''));
  variables.CURRENT_HOST = pythonStr(currentHost);
  variables.SAGEMAKER_REGION = region ? pythonStr(region) : '';
  variables.TRAINING_JOB_NAME = jobName;
  variables.SAGEMAKER_BASE_DIR = paths.base;
  return { variables, userArgs };
}

/** The SM_* variables that name paths, channels and hyperparameters: the same on every host of a job. */
const HOST_INDEPENDENT_VARIABLE =
  /^SM_(MODEL_DIR|OUTPUT_DIR|OUTPUT_DATA_DIR|OUTPUT_INTERMEDIATE_DIR|INPUT_DIR|INPUT_CONFIG_DIR|CHANNELS|CHANNEL_.+|HPS|HP_.+|USER_ARGS)$/;

/**
 * For a container that does not run the training toolkit (a `command` on SageMaker): the toolkit's SM_* variables
 * that do not depend on the host, computed for /opt/ml exactly as a local run computes them for its work folder, so a
 * command reading SM_MODEL_DIR or SM_CHANNEL_TRAIN works in both places. Host-specific ones (SM_CURRENT_HOST,
 * SM_HOSTS, SM_NUM_CPUS, SM_NUM_GPUS, SM_TRAINING_ENV) cannot be known before the job runs and are left out.
 */
export function hostIndependentToolkitVariables(options: {
  hyperparameters: Record<string, string>;
  channels: readonly string[];
  jobName: string;
}): Record<string, string> {
  const { variables } = toolkitEnvironment({
    paths: containerPaths('/'),
    hyperparameters: options.hyperparameters,
    inputDataConfig: inputDataConfig(options.channels),
    resourceConfig: resourceConfig('unknown'),
    jobName: options.jobName,
    numCpus: 0,
    numGpus: 0,
  });
  return Object.fromEntries(Object.entries(variables).filter(([name]) => HOST_INDEPENDENT_VARIABLE.test(name)));
}
