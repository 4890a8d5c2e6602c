// From the action's inputs to what will be done: a local run, an attach, or the complete CreateTrainingJob (and
// CreateHyperParameterTuningJob) request with the uploads it needs. Pure: every input problem is found here, before
// anything is uploaded or created. Storage locations of the staged code and data are deterministic (from the job
// name), so the request can be built, and checked, before the uploads happen.
//
// Decisions:
// - What runs, on SageMaker: `command` runs a shell command in the `image-uri` image, with the code as a `code`
//   channel; `entry-point` runs a script in script mode on the `framework` image (or on `image-uri`, which then
//   overrides it); `image-uri` alone is an algorithm image run as it is. `framework` and `command` are two different
//   ways to run code and cannot be combined.
// - Hyperparameter encoding `auto`: raw strings for an algorithm image, JSON for script mode and commands (the local
//   backend decodes JSON the same way the training toolkit does, so a command sees the same SM_HP_* in both places).
// - Locally: `command` or `entry-point`; the image inputs are not needed and SageMaker-only inputs are ignored.
//   `tuning` and `wait: false` cannot apply to a run inside the step: they are reported as notes, and one training
//   runs with the hyperparameters given. So is `volume-kms-key`: the runner's disk is not encrypted with it, and
//   encryption at rest a user asked for should not lapse without a word where the run is reviewed.
// - `volume-kms-key` goes to SageMaker as given, whatever the instance type: SageMaker refuses it for types with NVMe
//   instance storage (encrypted in hardware), and its refusal is clearer and never out of date, unlike a table here.
// - The default job name is `<job-name-prefix or the repository name>-<run id>-<attempt>`: the same step run again in
//   the same attempt finds and attaches to its job. Two train steps of one run need their own prefixes.
// - Spot without `max-wait` waits up to twice `max-runtime`.
// - Credentials: a session token (aws-actions/configure-aws-credentials) expires after its session, 1 h by default,
//   so a longer wait is warned about; other credentials refresh themselves or do not expire.
import path from 'node:path';
import type {
  CreateHyperParameterTuningJobRequest,
  CreateTrainingJobRequest,
  AlgorithmSpecification,
} from '@aws-sdk/client-sagemaker';
import {
  assertResourceName,
  ConfigurationError,
  joinLocation,
  parseStorageUri,
  type ParsedInputs,
  resolveRegion,
  resourceName,
  type RunContext,
  type StorageUri,
} from '@mlops-actions/core';
import {
  buildCreateHyperParameterTuningJobRequest,
  buildCreateTrainingJobRequest,
  buildHyperparameters,
  compileMetricDefinitions,
  hostIndependentToolkitVariables,
  type HyperparameterEncoding,
  type MetricDefinition,
  resolveImageUri,
  type S3DistributionName,
  type TrainingChannel,
  type TrainingInputModeName,
  validateInstanceType,
} from '@mlops-actions/sagemaker';
import type { inputSpec } from './inputs.js';

export const ACTION = 'train';

export type TrainInputs = ParsedInputs<typeof inputSpec>;

export interface ChannelSpec {
  name: string;
  location: StorageUri;
  contentType?: string;
  inputMode?: TrainingInputModeName;
  distribution?: S3DistributionName;
  compression?: 'None' | 'Gzip';
}

interface Common {
  jobName: string;
  /** Things the user should know, logged as warnings before anything runs. */
  notes: string[];
}

export interface LocalPlan extends Common {
  backend: 'local';
  run: { command: string } | { entryPoint: string };
  sourceDir?: string;
  sourceMaxBytes: number;
  channels: ChannelSpec[];
  hyperparameters: Record<string, unknown>;
  encoding: HyperparameterEncoding;
  environment: Record<string, string>;
  metricDefinitions: MetricDefinition[];
  /** The model goes to `<outputPath>/<job>/output/model.tar.gz`, as SageMaker's does. */
  outputPath: string;
  /** SSE-KMS key for the model and output data when outputPath is in S3. */
  kmsKeyId?: string;
  workDir: string;
  region?: string;
  /** max-runtime: the run is stopped after it, as SageMaker stops a job (status Stopped). */
  maxRuntimeMs: number;
  /** timeout: a local run cannot outlive the step that waits for it, so it is stopped too. */
  timeoutMs: number;
}

export interface WaitSettings {
  wait: boolean;
  timeoutMs: number;
  stopOnCancel: boolean;
  /** See waitForTrainingJob; Infinity when the credentials do not expire with a session. */
  credentialSessionMs: number;
}

export interface AttachPlan extends Common, WaitSettings {
  backend: 'sagemaker';
  action: 'attach';
  region: string;
}

export type CodeUpload =
  | { kind: 'archive'; sourceDir?: string; entryPoint: string; destination: string; maxBytes: number }
  | { kind: 'files'; sourceDir: string; destination: string; maxBytes: number };

export interface ChannelUpload {
  channel: string;
  localPath: string;
  destination: string;
}

export interface StartPlan extends Common, WaitSettings {
  backend: 'sagemaker';
  action: 'start';
  region: string;
  request: CreateTrainingJobRequest;
  tuningRequest?: CreateHyperParameterTuningJobRequest;
  code?: CodeUpload;
  channelUploads: ChannelUpload[];
  /** SSE-KMS key for the staged code and data, the same one the job's output is encrypted with. */
  kmsKeyId?: string;
}

export type TrainingPlan = LocalPlan | AttachPlan | StartPlan;

/** Where the command's code lands in the container: the `code` channel, in File mode. */
export const CODE_CHANNEL = 'code';
const CODE_DIR = `/opt/ml/input/data/${CODE_CHANNEL}`;
const MIB = 1024 * 1024;

export function planTraining(
  input: TrainInputs,
  context: RunContext,
  env: NodeJS.ProcessEnv = process.env,
): TrainingPlan {
  const notes: string[] = [];
  const jobName = chooseJobName(input, context);
  if (input.backend === 'local') return planLocal(input, context, env, jobName, notes);

  const region = resolveRegion(input.region, env);
  const waiting: WaitSettings = {
    wait: input.wait,
    timeoutMs: input.timeout,
    stopOnCancel: input['stop-on-cancel'],
    credentialSessionMs: env.AWS_SESSION_TOKEN ? 60 * 60_000 : Number.POSITIVE_INFINITY,
  };
  if (input.attach !== undefined) {
    assertResourceName(input.attach, 'attach');
    return { backend: 'sagemaker', action: 'attach', region, jobName: input.attach, notes, ...waiting };
  }
  return planStart(input, context, region, jobName, waiting, notes);
}

function chooseJobName(input: TrainInputs, context: RunContext): string {
  if (input['job-name'] !== undefined) {
    assertResourceName(input['job-name'], 'job-name');
    return input['job-name'];
  }
  return resourceName(input['job-name-prefix'] ?? context.repo, context);
}

// ---------------------------------------------------------------------------------------------------------------
// Local

function planLocal(
  input: TrainInputs,
  context: RunContext,
  env: NodeJS.ProcessEnv,
  jobName: string,
  notes: string[],
): LocalPlan {
  if (input.attach !== undefined) {
    throw new ConfigurationError(
      "Input 'attach' needs the SageMaker backend: a local run happens inside the step, there is no job to attach to",
      { input: 'attach' },
    );
  }
  if (input.command !== undefined && input['entry-point'] !== undefined) {
    throw bothGiven('entry-point', 'command');
  }
  if (input.command === undefined && input['entry-point'] === undefined) {
    throw new ConfigurationError(
      "Input required and not supplied: the local backend runs 'command' or the 'entry-point' script; give one",
      { input: 'command' },
    );
  }
  if (input.tuning !== undefined) {
    notes.push("Input 'tuning' is ignored by the local backend: one training runs with the hyperparameters as given");
  }
  if (!input.wait) notes.push("Input 'wait' is ignored by the local backend: training runs inside this step");
  if (input['volume-kms-key'] !== undefined) {
    notes.push(
      "Input 'volume-kms-key' is ignored by the local backend: it encrypts a SageMaker training instance's storage " +
        "volume, and a local run uses the runner's disk (kms-key still applies to what it writes to S3)",
    );
  }
  if (input['network-isolation']) {
    notes.push(
      "Input 'network-isolation' is ignored by the local backend: the training process has the runner's network access",
    );
  }
  if (input['checkpoint-uri'] !== undefined) {
    notes.push(
      "Input 'checkpoint-uri' is ignored by the local backend: checkpoints stay in the work folder's opt/ml/checkpoints",
    );
  }
  if (input['instance-count'] > 1) {
    notes.push("Input 'instance-count' is ignored by the local backend: training runs as one process on this runner");
  }
  if (input.spot) notes.push("Input 'spot' is ignored by the local backend: there is no instance to bid for");

  const channels = parseChannels(input.inputs ?? {});
  const metricDefinitions = metricDefinitionsOf(input['metric-definitions']);
  const workDir = path.resolve(input['work-dir'] ?? path.join(context.runnerTemp, 'mlops-actions', ACTION, jobName));
  const region = input.region ?? (env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined);
  return {
    backend: 'local',
    jobName,
    notes,
    run: input.command !== undefined ? { command: input.command } : { entryPoint: input['entry-point']! },
    ...(input['source-dir'] !== undefined ? { sourceDir: input['source-dir'] } : {}),
    sourceMaxBytes: input['source-dir-size-limit'] * MIB,
    channels,
    hyperparameters: input.hyperparameters ?? {},
    encoding: encodingFor(input, 'script'),
    environment: input.environment ?? {},
    metricDefinitions,
    outputPath: input['output-path']?.uri ?? path.join(context.runnerTemp, 'mlops-actions', ACTION, 'output'),
    ...(input['kms-key'] !== undefined ? { kmsKeyId: input['kms-key'] } : {}),
    workDir,
    ...(region ? { region } : {}),
    maxRuntimeMs: input['max-runtime'],
    timeoutMs: input.timeout,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// SageMaker

type Workload = { kind: 'command'; command: string } | { kind: 'script'; entryPoint: string } | { kind: 'algorithm' };

/** Which of the three ways to say what runs was chosen; see the decisions at the top. */
function chooseWorkload(input: TrainInputs): Workload {
  const { command, framework } = input;
  const entryPoint = input['entry-point'];
  const imageUri = input['image-uri'];
  if (framework !== undefined && command !== undefined) {
    throw new ConfigurationError(
      "Inputs 'framework' and 'command' cannot be used together: give exactly one of image-uri, framework, command " +
        '(framework runs the entry-point script on the framework image; command runs a command on image-uri)',
      { input: 'framework' },
    );
  }
  if (command !== undefined) {
    if (entryPoint !== undefined) throw bothGiven('entry-point', 'command');
    if (imageUri === undefined) {
      throw new ConfigurationError(
        "Input 'image-uri' is required with 'command' on the SageMaker backend: the image the command runs in",
        { input: 'image-uri' },
      );
    }
    return { kind: 'command', command };
  }
  if (entryPoint !== undefined) {
    if (framework === undefined && imageUri === undefined) {
      throw new ConfigurationError(
        "Input 'framework' is required with 'entry-point': the framework image that runs the script " +
          '(sklearn, xgboost, pytorch, tensorflow, huggingface), or give image-uri for an image with the SageMaker training toolkit',
        { input: 'framework' },
      );
    }
    return { kind: 'script', entryPoint };
  }
  if (framework !== undefined) {
    throw new ConfigurationError(
      "Input 'entry-point' is required with 'framework': the script to run, relative to source-dir",
      { input: 'entry-point' },
    );
  }
  if (imageUri === undefined) {
    throw new ConfigurationError('Input required and not supplied: give exactly one of image-uri, framework, command', {
      input: 'image-uri',
    });
  }
  if (input['source-dir'] !== undefined) {
    throw new ConfigurationError(
      "Input 'source-dir' needs 'entry-point' or 'command': an algorithm image (image-uri alone) runs no code of yours",
      { input: 'source-dir' },
    );
  }
  return { kind: 'algorithm' };
}

function planStart(
  input: TrainInputs,
  context: RunContext,
  region: string,
  jobName: string,
  waiting: WaitSettings,
  notes: string[],
): StartPlan {
  const workload = chooseWorkload(input);
  // Everything checkable without the image is reported together; the image lookup and request need these right.
  const problems = new Problems();
  const roleArn = input['role-arn'];
  if (roleArn === undefined) {
    problems.add(
      'role-arn',
      "Input 'role-arn' is required with the SageMaker backend: the IAM role SageMaker runs the job as, " +
        'with access to the data and output locations (or use backend: local)',
    );
  }
  const outputPath = input['output-path'];
  if (outputPath === undefined || outputPath.kind !== 's3') {
    const given =
      outputPath === undefined ? 'is required' : `is ${JSON.stringify(outputPath.uri)}, but must be an s3:// location`;
    problems.add(
      'output-path',
      `Input 'output-path' ${given} with the SageMaker backend: where the model artifact goes`,
    );
  }
  problems.attempt(() => validateInstanceType(input['instance-type'], 'instance-type'), undefined);
  if (input.framework !== undefined && input['image-uri'] === undefined && input['framework-version'] === undefined) {
    problems.add('framework-version', "Input 'framework-version' is required with 'framework'");
  }
  if (input['max-wait'] !== undefined && !input.spot) {
    problems.add('max-wait', "Input 'max-wait' only applies to spot training: set spot to true, or leave max-wait out");
  }
  const channels = problems.attempt(() => parseChannels(input.inputs ?? {}), []);
  if (
    workload.kind === 'command' &&
    input['source-dir'] !== undefined &&
    channels.some((c) => c.name === CODE_CHANNEL)
  ) {
    problems.add(
      'inputs',
      `Input 'inputs' has a channel named ${CODE_CHANNEL}, which is where the command's source-dir goes: rename it`,
    );
  }
  const metricDefinitions = problems.attempt(() => metricDefinitionsOf(input['metric-definitions']), []);
  problems.throwIfAny();

  const image =
    input['image-uri'] ??
    resolveImageUri({
      framework: input.framework!,
      version: input['framework-version']!,
      ...(input['py-version'] !== undefined ? { pyVersion: input['py-version'] } : {}),
      ...(input['base-framework-version'] !== undefined
        ? { baseFrameworkVersion: input['base-framework-version'] }
        : {}),
      region,
      instanceType: input['instance-type'],
    });

  const codeRoot = joinLocation((input['code-location'] ?? outputPath!).uri, jobName, 'source');
  const { algorithm, code, codeChannel } = codeFor(workload, input, image, codeRoot, metricDefinitions);
  const sourceDir = input['source-dir'];

  const hyperparameters = buildHyperparameters(input.hyperparameters ?? {}, {
    encoding: encodingFor(input, workload.kind),
    ...(workload.kind === 'script'
      ? {
          scriptMode: {
            // The toolkit runs the program from the extracted archive, where a lone script sits at the root.
            entryPoint: sourceDir !== undefined ? toPosix(workload.entryPoint) : path.basename(workload.entryPoint),
            submitDirectory: code!.destination,
            region,
            jobName,
          },
        }
      : {}),
  });

  const { trainingChannels, channelUploads } = stagedChannels(channels, outputPath!.uri, jobName);
  if (codeChannel) trainingChannels.push(codeChannel);

  const environment =
    workload.kind === 'command'
      ? commandEnvironment(hyperparameters, channels, jobName, input.environment ?? {}, notes)
      : (input.environment ?? {});

  const maxRuntimeSeconds = Math.ceil(input['max-runtime'] / 1000);
  const request = buildCreateTrainingJobRequest({
    jobName,
    roleArn: roleArn!,
    algorithm,
    hyperparameters,
    channels: trainingChannels,
    outputPath: outputPath!.uri,
    ...(input['kms-key'] !== undefined ? { outputKmsKeyId: input['kms-key'] } : {}),
    instanceType: input['instance-type'],
    instanceCount: input['instance-count'],
    volumeSizeGb: input['volume-size'],
    ...(input['volume-kms-key'] !== undefined ? { volumeKmsKeyId: input['volume-kms-key'] } : {}),
    maxRuntimeSeconds,
    ...(input.spot
      ? {
          spot: {
            maxWaitSeconds:
              input['max-wait'] !== undefined ? Math.ceil(input['max-wait'] / 1000) : 2 * maxRuntimeSeconds,
          },
        }
      : {}),
    ...(input['checkpoint-uri'] !== undefined ? { checkpoint: { s3Uri: input['checkpoint-uri'].uri } } : {}),
    ...vpcOf(input),
    networkIsolation: input['network-isolation'],
    environment,
    runContext: context,
    action: ACTION,
    ...(input.tags !== undefined ? { tags: input.tags } : {}),
  });
  const tuningRequest =
    input.tuning !== undefined
      ? buildCreateHyperParameterTuningJobRequest(input.tuning, request, {
          encoding: encodingFor(input, workload.kind),
        })
      : undefined;

  return {
    backend: 'sagemaker',
    action: 'start',
    region,
    jobName,
    notes,
    request,
    ...(tuningRequest ? { tuningRequest } : {}),
    ...(code ? { code } : {}),
    channelUploads,
    ...(input['kms-key'] !== undefined ? { kmsKeyId: input['kms-key'] } : {}),
    ...waiting,
  };
}

/** The algorithm specification and, for code of the user's, where it is uploaded and how the job receives it. */
function codeFor(
  workload: Workload,
  input: TrainInputs,
  image: string,
  codeRoot: string,
  metricDefinitions: MetricDefinition[],
): { algorithm: AlgorithmSpecification; code?: CodeUpload; codeChannel?: TrainingChannel } {
  const algorithm: AlgorithmSpecification = { TrainingImage: image, TrainingInputMode: 'File' };
  if (metricDefinitions.length) {
    algorithm.MetricDefinitions = metricDefinitions.map(({ name, regex }) => ({ Name: name, Regex: regex }));
  }
  const sourceDir = input['source-dir'];
  const maxBytes = input['source-dir-size-limit'] * MIB;
  if (workload.kind === 'script') {
    const destination = joinLocation(codeRoot, 'sourcedir.tar.gz');
    return {
      algorithm,
      code: {
        kind: 'archive',
        entryPoint: workload.entryPoint,
        destination,
        maxBytes,
        ...(sourceDir ? { sourceDir } : {}),
      },
    };
  }
  if (workload.kind === 'command') {
    algorithm.ContainerEntrypoint = ['/bin/sh', '-c'];
    if (sourceDir === undefined) {
      algorithm.ContainerArguments = [workload.command];
      return { algorithm };
    }
    algorithm.ContainerArguments = [`cd ${CODE_DIR} && ${workload.command}`];
    const destination = joinLocation(codeRoot, `${CODE_CHANNEL}/`);
    return {
      algorithm,
      code: { kind: 'files', sourceDir, destination, maxBytes },
      codeChannel: { name: CODE_CHANNEL, s3Uri: destination, inputMode: 'File' },
    };
  }
  return { algorithm };
}

/** The job's channels: S3 ones as given, local ones at their staging prefix `<output-path>/<job>/input/<channel>/`. */
function stagedChannels(
  channels: readonly ChannelSpec[],
  outputPath: string,
  jobName: string,
): { trainingChannels: TrainingChannel[]; channelUploads: ChannelUpload[] } {
  const channelUploads: ChannelUpload[] = [];
  const trainingChannels = channels.map((channel): TrainingChannel => {
    let s3Uri = channel.location.uri;
    if (channel.location.kind === 'local') {
      s3Uri = joinLocation(outputPath, jobName, 'input', `${channel.name}/`);
      channelUploads.push({ channel: channel.name, localPath: channel.location.path, destination: s3Uri });
    }
    return {
      name: channel.name,
      s3Uri,
      ...(channel.contentType ? { contentType: channel.contentType } : {}),
      ...(channel.inputMode ? { inputMode: channel.inputMode } : {}),
      ...(channel.distribution ? { distribution: channel.distribution } : {}),
      ...(channel.compression ? { compression: channel.compression } : {}),
    };
  });
  return { trainingChannels, channelUploads };
}

function vpcOf(input: TrainInputs): { vpc?: { subnets: string[]; securityGroupIds: string[] } } {
  const subnets = input.subnets ?? [];
  const securityGroupIds = input['security-group-ids'] ?? [];
  if (subnets.length === 0 && securityGroupIds.length === 0) return {};
  // Both or neither: the request builder names whichever list is empty.
  return { vpc: { subnets, securityGroupIds } };
}

/**
 * The command's container gets the host-independent SM_* variables (see hostIndependentToolkitVariables) under the
 * user's own, leaving out any SageMaker's Environment would refuse (a hyperparameter name with a dash cannot be a
 * variable name; values are at most 512 characters; 100 variables in all).
 */
function commandEnvironment(
  hyperparameters: Record<string, string>,
  channels: readonly ChannelSpec[],
  jobName: string,
  user: Record<string, string>,
  notes: string[],
): Record<string, string> {
  const toolkit = hostIndependentToolkitVariables({
    hyperparameters,
    channels: channels.map((c) => c.name),
    jobName,
  });
  const environment: Record<string, string> = {};
  const left: string[] = [];
  for (const [name, value] of Object.entries(toolkit)) {
    if (name in user) continue;
    const fits = /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) && value.length <= 512;
    if (fits && Object.keys(environment).length + Object.keys(user).length < 100) environment[name] = value;
    else left.push(name);
  }
  if (left.length) {
    notes.push(
      `The command's container does not get ${left.join(', ')}: SageMaker's Environment takes names of letters, ` +
        'digits and _, values of at most 512 characters and 100 variables; read /opt/ml/input/config/hyperparameters.json instead',
    );
  }
  return { ...environment, ...user };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared parsing

const CHANNEL_KEYS = ['uri', 'content-type', 'input-mode', 'distribution', 'compression'];
const CHANNEL_MODES = ['File', 'FastFile', 'Pipe'] as const;
const DISTRIBUTIONS = ['FullyReplicated', 'ShardedByS3Key'] as const;
const COMPRESSIONS = ['None', 'Gzip'] as const;

/**
 * The `inputs` map: channel name -> location (s3:// or a local path), or -> { uri, content-type, input-mode,
 * distribution, compression }. Every problem at once, each naming the input and the channel.
 */
export function parseChannels(map: Record<string, unknown>): ChannelSpec[] {
  const problems: string[] = [];
  const channels: ChannelSpec[] = [];
  const problem = (name: string, text: string) =>
    problems.push(`Input 'inputs' channel ${JSON.stringify(name)} ${text}`);
  for (const [name, value] of Object.entries(map)) {
    let spec: Record<string, unknown>;
    if (typeof value === 'string') spec = { uri: value };
    else if (typeof value === 'object' && value !== null && !Array.isArray(value))
      spec = value as Record<string, unknown>;
    else {
      problem(name, `must be a location, or a mapping with the keys ${CHANNEL_KEYS.join(', ')}`);
      continue;
    }
    for (const key of Object.keys(spec)) {
      if (!CHANNEL_KEYS.includes(key))
        problem(name, `has an unknown key ${JSON.stringify(key)}; the keys are ${CHANNEL_KEYS.join(', ')}`);
    }
    const uri = spec.uri;
    if (typeof uri !== 'string' || uri.trim() === '') {
      problem(name, 'has no uri: give an s3:// URI or a local path');
      continue;
    }
    let location: StorageUri;
    try {
      location = parseStorageUri(uri);
    } catch (error) {
      problem(name, `has an invalid uri: ${(error as Error).message}`);
      continue;
    }
    const channel: ChannelSpec = { name, location };
    const text = (key: string) => (spec[key] === undefined ? undefined : String(spec[key]));
    const oneOf = <const V extends string>(key: string, values: readonly V[]): V | undefined => {
      const given = text(key);
      if (given === undefined) return undefined;
      if ((values as readonly string[]).includes(given)) return given as V;
      problem(name, `has ${key} ${JSON.stringify(given)}; expected one of ${values.join(', ')}`);
      return undefined;
    };
    const contentType = text('content-type');
    const inputMode = oneOf('input-mode', CHANNEL_MODES);
    const distribution = oneOf('distribution', DISTRIBUTIONS);
    const compression = oneOf('compression', COMPRESSIONS);
    if (contentType) channel.contentType = contentType;
    if (inputMode) channel.inputMode = inputMode;
    if (distribution) channel.distribution = distribution;
    if (compression) channel.compression = compression;
    channels.push(channel);
  }
  if (problems.length) throw new ConfigurationError(problems, { input: 'inputs' });
  return channels;
}

function metricDefinitionsOf(map: Record<string, string> | undefined): MetricDefinition[] {
  const definitions = Object.entries(map ?? {}).map(([name, regex]) => ({ name, regex }));
  compileMetricDefinitions(definitions, 'metric-definitions');
  return definitions;
}

function encodingFor(input: TrainInputs, workload: Workload['kind']): HyperparameterEncoding {
  const chosen = input['hyperparameter-encoding'];
  if (chosen !== 'auto') return chosen;
  return workload === 'algorithm' ? 'raw' : 'json';
}

function bothGiven(first: string, second: string): ConfigurationError {
  return new ConfigurationError(
    `Inputs '${first}' and '${second}' cannot be used together: give the script to run (entry-point) or a command, not both`,
    { input: first },
  );
}

/** Problems found across inputs, thrown as one ConfigurationError so the user fixes them in one go. */
class Problems {
  private readonly sentences: string[] = [];
  private firstInput: string | undefined;

  add(input: string | undefined, ...sentences: string[]): void {
    this.firstInput ??= input;
    this.sentences.push(...sentences);
  }

  /** The result of `check`, or `fallback` after noting the ConfigurationError it threw. */
  attempt<T>(check: () => T, fallback: T): T {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      this.add(error.input, ...error.problems);
      return fallback;
    }
  }

  throwIfAny(): void {
    if (this.sentences.length) throw new ConfigurationError(this.sentences, { input: this.firstInput });
  }
}

function toPosix(file: string): string {
  return path.posix.normalize(file.split(path.sep).join('/'));
}
