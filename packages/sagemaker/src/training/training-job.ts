// A SageMaker training job from plain options: the CreateTrainingJob request (pure, checked against the API's limits
// before anything is created) and an idempotent start that attaches to a job of the same name instead of failing, so
// a step that is re-run, or restarted after the runner died, follows the job it already started.
import {
  type AlgorithmSpecification,
  type Channel,
  type CreateTrainingJobRequest,
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobResponse,
  type SageMakerClient,
  type TrainingInstanceType,
} from '@aws-sdk/client-sagemaker';
import {
  ConfigurationError,
  type Logger,
  type RunContext,
  SAGEMAKER_NAME_PATTERN,
  silentLogger,
  standardTags,
} from '@mlops-actions/core';
import { createError, isNotFoundError, isResourceInUseError, operationError, sdkAttempts } from './shared.js';

/**
 * Input names used in error messages: the train action's inputs. The container entrypoint override is what the
 * `command` input becomes.
 */
export const TRAINING_JOB_INPUTS = {
  jobName: 'job-name',
  role: 'role-arn',
  image: 'image-uri',
  command: 'command',
  metricDefinitions: 'metric-definitions',
  hyperparameters: 'hyperparameters',
  channels: 'inputs',
  outputPath: 'output-path',
  outputKmsKey: 'kms-key',
  instanceType: 'instance-type',
  instanceCount: 'instance-count',
  volumeSize: 'volume-size',
  volumeKmsKey: 'volume-kms-key',
  maxRuntime: 'max-runtime',
  maxWait: 'max-wait',
  checkpoint: 'checkpoint-uri',
  subnets: 'subnets',
  securityGroups: 'security-group-ids',
  environment: 'environment',
} as const;

/** CreateTrainingJob's limits (botocore's sagemaker service model). */
const TRAINING_JOB_LIMITS = {
  maxChannels: 20,
  maxMetricDefinitions: 40,
  maxHyperparameters: 100,
  maxHyperparameterKeyLength: 256,
  maxHyperparameterValueLength: 2_500,
  maxEnvironmentEntries: 100,
  maxEnvironmentLength: 512,
  maxContainerArgs: 100,
  maxContainerArgLength: 256,
  maxImageLength: 255,
  maxS3UriLength: 1_024,
  maxKmsKeyLength: 2_048,
  maxSubnets: 16,
  maxSecurityGroups: 5,
  /** 28 days. */
  maxRuntimeSeconds: 28 * 24 * 3_600,
} as const;

const TRAINING_JOB_DEFAULTS = {
  instanceCount: 1,
  /** SageMaker's own default when VolumeSizeInGB is left out of a console job; the API requires a value. */
  volumeSizeGb: 30,
  /** SageMaker's default MaxRuntimeInSeconds: one day. */
  maxRuntimeSeconds: 86_400,
  checkpointLocalPath: '/opt/ml/checkpoints',
} as const;

export type TrainingInputModeName = 'File' | 'FastFile' | 'Pipe';
export type S3DistributionName = 'FullyReplicated' | 'ShardedByS3Key';

export interface TrainingChannel {
  /** `train`, `validation`, `code`...: the container sees it at /opt/ml/input/data/<name>. */
  name: string;
  /** `s3://bucket/prefix` (or a manifest file with `s3DataType`). */
  s3Uri: string;
  s3DataType?: 'S3Prefix' | 'ManifestFile' | 'AugmentedManifestFile';
  contentType?: string;
  compression?: 'None' | 'Gzip';
  /** Overrides the algorithm's TrainingInputMode for this channel. */
  inputMode?: TrainingInputModeName;
  /** FullyReplicated (default): every host gets all the data; ShardedByS3Key: each host a share of the objects. */
  distribution?: S3DistributionName;
}

export interface SpotTrainingOptions {
  /** Spot capacity wait plus runtime; more than the max runtime (StoppingCondition.MaxWaitTimeInSeconds). */
  maxWaitSeconds: number;
  /** Where checkpoints survive an interruption; strongly advised, since a reclaimed instance restarts the job. */
  checkpointS3Uri?: string;
  checkpointLocalPath?: string;
}

/** CheckpointConfig for a job that is not (only) spot: a long job that saves its progress to resume later. */
export interface CheckpointOptions {
  s3Uri: string;
  localPath?: string;
}

export interface TrainingJobRequestOptions {
  jobName: string;
  roleArn: string;
  /**
   * Built by the caller (image resolution, script-mode entry point): TrainingImage, TrainingInputMode,
   * MetricDefinitions and the optional ContainerEntrypoint / ContainerArguments go through unchanged.
   */
  algorithm: AlgorithmSpecification;
  /** Already encoded for the image (JSON-encoded for script mode, raw for algorithm images). */
  hyperparameters?: Record<string, string>;
  channels?: readonly TrainingChannel[];
  outputPath: string;
  outputKmsKeyId?: string;
  instanceType: string;
  instanceCount?: number;
  volumeSizeGb?: number;
  volumeKmsKeyId?: string;
  maxRuntimeSeconds?: number;
  spot?: SpotTrainingOptions;
  /** Checkpoints without spot; with spot, `spot.checkpointS3Uri` is the same thing (this one wins when both are set). */
  checkpoint?: CheckpointOptions;
  vpc?: { subnets: readonly string[]; securityGroupIds: readonly string[] };
  networkIsolation?: boolean;
  environment?: Record<string, string>;
  /** For the standard `mlops-actions:*` tags. */
  runContext: RunContext;
  /** The action creating the job, for the `mlops-actions:action` tag. */
  action?: string;
  /** The user's tags, added after the standard ones. */
  tags?: Record<string, string>;
}

const CHANNEL_NAME = /^[A-Za-z0-9.\-_]{1,64}$/;
const ENVIRONMENT_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const INSTANCE_TYPE = /^ml\.[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const KMS_KEY = /^[a-zA-Z0-9:/_-]*$/;

/**
 * The CreateTrainingJob request for `options`. Pure. Every problem SageMaker would refuse with a ValidationException
 * is reported up front, all at once, as a ConfigurationError naming the input (see TRAINING_JOB_INPUTS).
 */
export function buildCreateTrainingJobRequest(options: TrainingJobRequestOptions): CreateTrainingJobRequest {
  const problems = new Problems();
  const I = TRAINING_JOB_INPUTS;
  const L = TRAINING_JOB_LIMITS;
  const instanceCount = options.instanceCount ?? TRAINING_JOB_DEFAULTS.instanceCount;
  const volumeSizeGb = options.volumeSizeGb ?? TRAINING_JOB_DEFAULTS.volumeSizeGb;
  const maxRuntimeSeconds = options.maxRuntimeSeconds ?? TRAINING_JOB_DEFAULTS.maxRuntimeSeconds;

  if (options.jobName.length > 63 || !SAGEMAKER_NAME_PATTERN.test(options.jobName)) {
    problems.add(
      I.jobName,
      `has an invalid value ${JSON.stringify(options.jobName)}: training job names are 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit`,
    );
  }
  if (!ROLE_ARN.test(options.roleArn)) {
    problems.add(
      I.role,
      `has an invalid value ${JSON.stringify(options.roleArn)}: expected an IAM role ARN such as arn:aws:iam::123456789012:role/SageMakerExecution`,
    );
  }
  checkAlgorithm(options.algorithm, problems);
  checkHyperparameters(options.hyperparameters ?? {}, problems);
  const channels = (options.channels ?? []).map((channel) => toChannel(channel, problems));
  if (channels.length > L.maxChannels) {
    problems.add(I.channels, `has ${channels.length} channels; SageMaker accepts at most ${L.maxChannels}`);
  }
  const duplicates = duplicated((options.channels ?? []).map((c) => c.name));
  if (duplicates.length) problems.add(I.channels, `names the channel(s) ${duplicates.join(', ')} more than once`);
  checkS3Uri(options.outputPath, I.outputPath, problems);
  checkKmsKey(options.outputKmsKeyId, I.outputKmsKey, problems);
  checkKmsKey(options.volumeKmsKeyId, I.volumeKmsKey, problems);
  if (!INSTANCE_TYPE.test(options.instanceType)) {
    problems.add(
      I.instanceType,
      `has an invalid value ${JSON.stringify(options.instanceType)}: expected a SageMaker instance type such as ml.m5.xlarge`,
    );
  }
  checkWholeNumber(instanceCount, I.instanceCount, 1, Number.MAX_SAFE_INTEGER, problems);
  checkWholeNumber(volumeSizeGb, I.volumeSize, 1, Number.MAX_SAFE_INTEGER, problems);
  checkWholeNumber(maxRuntimeSeconds, I.maxRuntime, 1, L.maxRuntimeSeconds, problems);
  if (options.spot) {
    const { maxWaitSeconds, checkpointS3Uri } = options.spot;
    // The API accepts MaxWaitTimeInSeconds equal to MaxRuntimeInSeconds, but that leaves no time at all to wait for
    // spot capacity or to resume after an interruption, so the job would be stopped by the first reclaim: refused.
    if (checkWholeNumber(maxWaitSeconds, I.maxWait, 1, Number.MAX_SAFE_INTEGER, problems)) {
      if (maxWaitSeconds <= maxRuntimeSeconds) {
        problems.add(
          I.maxWait,
          `is ${maxWaitSeconds}s, not more than max-runtime (${maxRuntimeSeconds}s): for spot training it covers the wait for capacity plus the runtime, so it must exceed max-runtime`,
        );
      }
    }
    if (checkpointS3Uri !== undefined) checkS3Uri(checkpointS3Uri, I.checkpoint, problems);
  }
  if (options.checkpoint) checkS3Uri(options.checkpoint.s3Uri, I.checkpoint, problems);
  if (options.vpc) {
    const { subnets, securityGroupIds } = options.vpc;
    if (subnets.length < 1 || subnets.length > L.maxSubnets) {
      problems.add(I.subnets, `has ${subnets.length} subnets; a VPC configuration takes 1 to ${L.maxSubnets}`);
    }
    if (securityGroupIds.length < 1 || securityGroupIds.length > L.maxSecurityGroups) {
      problems.add(
        I.securityGroups,
        `has ${securityGroupIds.length} security groups; a VPC configuration takes 1 to ${L.maxSecurityGroups}`,
      );
    }
  }
  checkEnvironment(options.environment ?? {}, problems);
  let tags: ReturnType<typeof standardTags> = [];
  try {
    tags = standardTags(options.runContext, { action: options.action, tags: options.tags });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    problems.merge(error);
  }
  problems.throwIfAny();

  const request: CreateTrainingJobRequest = {
    TrainingJobName: options.jobName,
    RoleArn: options.roleArn,
    AlgorithmSpecification: { ...options.algorithm, TrainingInputMode: options.algorithm.TrainingInputMode ?? 'File' },
    HyperParameters: { ...options.hyperparameters },
    OutputDataConfig: {
      S3OutputPath: options.outputPath,
      ...(options.outputKmsKeyId ? { KmsKeyId: options.outputKmsKeyId } : {}),
    },
    ResourceConfig: {
      InstanceType: options.instanceType as TrainingInstanceType,
      InstanceCount: instanceCount,
      VolumeSizeInGB: volumeSizeGb,
      ...(options.volumeKmsKeyId ? { VolumeKmsKeyId: options.volumeKmsKeyId } : {}),
    },
    StoppingCondition: {
      MaxRuntimeInSeconds: maxRuntimeSeconds,
      ...(options.spot ? { MaxWaitTimeInSeconds: options.spot.maxWaitSeconds } : {}),
    },
    Tags: tags,
  };
  if (channels.length) request.InputDataConfig = channels;
  if (options.spot) request.EnableManagedSpotTraining = true;
  const checkpoint =
    options.checkpoint ??
    (options.spot?.checkpointS3Uri
      ? { s3Uri: options.spot.checkpointS3Uri, localPath: options.spot.checkpointLocalPath }
      : undefined);
  if (checkpoint) {
    request.CheckpointConfig = {
      S3Uri: checkpoint.s3Uri,
      LocalPath: checkpoint.localPath ?? TRAINING_JOB_DEFAULTS.checkpointLocalPath,
    };
  }
  if (options.vpc) {
    request.VpcConfig = { Subnets: [...options.vpc.subnets], SecurityGroupIds: [...options.vpc.securityGroupIds] };
  }
  if (options.networkIsolation) request.EnableNetworkIsolation = true;
  if (options.environment && Object.keys(options.environment).length) request.Environment = { ...options.environment };
  return request;
}

function toChannel(channel: TrainingChannel, problems: Problems): Channel {
  const I = TRAINING_JOB_INPUTS;
  if (!CHANNEL_NAME.test(channel.name)) {
    problems.add(
      I.channels,
      `has the channel name ${JSON.stringify(channel.name)}: names are 1 to 64 letters, digits, '.', '-' or '_'`,
    );
  }
  checkS3Uri(channel.s3Uri, I.channels, problems, `channel ${channel.name}`);
  return {
    ChannelName: channel.name,
    DataSource: {
      S3DataSource: {
        S3DataType: channel.s3DataType ?? 'S3Prefix',
        S3Uri: channel.s3Uri,
        S3DataDistributionType: channel.distribution ?? 'FullyReplicated',
      },
    },
    ...(channel.contentType ? { ContentType: channel.contentType } : {}),
    ...(channel.compression ? { CompressionType: channel.compression } : {}),
    ...(channel.inputMode ? { InputMode: channel.inputMode } : {}),
  };
}

function checkAlgorithm(algorithm: AlgorithmSpecification, problems: Problems): void {
  const I = TRAINING_JOB_INPUTS;
  const L = TRAINING_JOB_LIMITS;
  if (!algorithm.TrainingImage && !algorithm.AlgorithmName) {
    problems.add(I.image, 'is empty: a training job needs a training image');
  } else if (algorithm.TrainingImage && algorithm.TrainingImage.length > L.maxImageLength) {
    problems.add(
      I.image,
      `is ${algorithm.TrainingImage.length} characters long; SageMaker accepts ${L.maxImageLength}`,
    );
  }
  const metrics = algorithm.MetricDefinitions ?? [];
  if (metrics.length > L.maxMetricDefinitions) {
    problems.add(
      I.metricDefinitions,
      `has ${metrics.length} metric definitions; SageMaker accepts at most ${L.maxMetricDefinitions}`,
    );
  }
  const repeated = duplicated(metrics.map((m) => m.Name ?? ''));
  if (repeated.length) problems.add(I.metricDefinitions, `defines ${repeated.join(', ')} more than once`);
  for (const [field, list] of [
    ['ContainerEntrypoint', algorithm.ContainerEntrypoint],
    ['ContainerArguments', algorithm.ContainerArguments],
  ] as const) {
    if (list === undefined) continue;
    if (list.length < 1 || list.length > L.maxContainerArgs) {
      problems.add(I.command, `gives ${field} ${list.length} items; SageMaker accepts 1 to ${L.maxContainerArgs}`);
    }
    const long = list.find((item) => item.length > L.maxContainerArgLength);
    if (long !== undefined) {
      problems.add(
        I.command,
        `gives ${field} an item of ${long.length} characters; SageMaker accepts ${L.maxContainerArgLength}`,
      );
    }
  }
}

function checkHyperparameters(hyperparameters: Record<string, string>, problems: Problems): void {
  const L = TRAINING_JOB_LIMITS;
  const input = TRAINING_JOB_INPUTS.hyperparameters;
  const entries = Object.entries(hyperparameters);
  if (entries.length > L.maxHyperparameters) {
    problems.add(input, `has ${entries.length} entries; SageMaker accepts at most ${L.maxHyperparameters}`);
  }
  for (const [key, value] of entries) {
    if (key.length > L.maxHyperparameterKeyLength) {
      problems.add(input, `has a name of ${key.length} characters; SageMaker accepts ${L.maxHyperparameterKeyLength}`);
    }
    if (value.length > L.maxHyperparameterValueLength) {
      problems.add(
        input,
        `has ${key} with ${value.length} characters once encoded; SageMaker accepts ${L.maxHyperparameterValueLength}`,
      );
    }
  }
}

function checkEnvironment(environment: Record<string, string>, problems: Problems): void {
  const L = TRAINING_JOB_LIMITS;
  const input = TRAINING_JOB_INPUTS.environment;
  const entries = Object.entries(environment);
  if (entries.length > L.maxEnvironmentEntries) {
    problems.add(input, `has ${entries.length} variables; SageMaker accepts at most ${L.maxEnvironmentEntries}`);
  }
  for (const [key, value] of entries) {
    if (!ENVIRONMENT_KEY.test(key) || key.length > L.maxEnvironmentLength) {
      problems.add(
        input,
        `has the name ${JSON.stringify(key)}: names are letters, digits and '_', not starting with a digit`,
      );
    }
    if (value.length > L.maxEnvironmentLength) {
      problems.add(input, `has ${key} with ${value.length} characters; SageMaker accepts ${L.maxEnvironmentLength}`);
    }
  }
}

function checkS3Uri(uri: string, input: string, problems: Problems, what?: string): void {
  const label = what ? `${what}: ` : '';
  if (!/^s3:\/\/[^/]+/.test(uri)) {
    problems.add(input, `has ${label}${JSON.stringify(uri)}, which is not an s3://bucket/prefix URI`);
  } else if (uri.length > TRAINING_JOB_LIMITS.maxS3UriLength) {
    problems.add(input, `has ${label}a URI of ${uri.length} characters; SageMaker accepts 1024`);
  }
}

function checkKmsKey(key: string | undefined, input: string, problems: Problems): void {
  if (key === undefined || key === '') return;
  if (!KMS_KEY.test(key) || key.length > TRAINING_JOB_LIMITS.maxKmsKeyLength) {
    problems.add(input, `has an invalid value ${JSON.stringify(key)}: expected a KMS key id, alias or ARN`);
  }
}

function checkWholeNumber(value: number, input: string, min: number, max: number, problems: Problems): boolean {
  if (Number.isInteger(value) && value >= min && value <= max) return true;
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
  problems.add(input, `has an invalid value ${value}: expected a whole number ${range}`);
  return false;
}

function duplicated(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) (seen.has(name) ? repeated : seen).add(name);
  return [...repeated];
}

/** Problems collected across inputs, thrown together so the user fixes them in one go. */
class Problems {
  private readonly list: { input: string; sentence: string }[] = [];
  add(input: string, text: string): void {
    this.list.push({ input, sentence: `Input '${input}' ${text}` });
  }
  merge(error: ConfigurationError): void {
    for (const sentence of error.problems) this.list.push({ input: error.input ?? '', sentence });
  }
  throwIfAny(): void {
    if (this.list.length === 0) return;
    throw new ConfigurationError(
      this.list.map((p) => p.sentence),
      { input: this.list[0]!.input },
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Start or attach

export interface StartTrainingJobOptions {
  client: SageMakerClient;
  request: CreateTrainingJobRequest;
  logger?: Logger;
  signal?: AbortSignal;
  /**
   * What to do when a job of that name exists but was created from a request that differs in image, input mode,
   * hyperparameters, instances, data or output path: 'error' (default) refuses, since its results would be reported
   * as this run's; 'warn' attaches anyway.
   */
  onMismatch?: 'error' | 'warn';
  /**
   * Runs when the Describe found no job, right before CreateTrainingJob: the place to stage what the job reads and to
   * record the job for a cleanup, since an abort during the Create may leave a job SageMaker already accepted.
   */
  beforeCreate?: () => Promise<void>;
}

export interface StartedTrainingJob {
  jobName: string;
  jobArn: string;
  /** False when the job already existed: this run did not start it, so it must not stop it on cancel. */
  createdByThisRun: boolean;
}

/**
 * Starts the job, or attaches to the job of that name when it already exists (a re-run, or a step restarted with the
 * same deterministic name). DescribeTrainingJob comes first; a ResourceInUse answer to CreateTrainingJob (another
 * process won the race) is an attach too. An attach compares the existing job with `request` (see `onMismatch`).
 */
export async function startOrAttachTrainingJob(options: StartTrainingJobOptions): Promise<StartedTrainingJob> {
  const { client, request, logger = silentLogger, signal } = options;
  const jobName = request.TrainingJobName!;
  const existing = await describeTrainingJobIfExists(client, jobName, signal);
  if (existing) return attach(existing, options, 'already exists');
  await options.beforeCreate?.();

  try {
    const created = await client.send(new CreateTrainingJobCommand(request), { abortSignal: signal });
    logger.info(`Started training job ${jobName}`);
    return { jobName, jobArn: created.TrainingJobArn ?? '', createdByThisRun: true };
  } catch (error) {
    if (!isResourceInUseError(error)) throw createError(error, `Creating training job ${jobName}`, signal);
    const raced = await describeTrainingJobIfExists(client, jobName, signal);
    if (!raced) throw operationError(error, `Creating training job ${jobName}`, signal);
    // The SDK retries a create whose answer was lost (timeout, 5xx); the job it then finds is the one it created.
    const ours = sdkAttempts(error) > 1;
    return attach(
      raced,
      options,
      ours ? 'was created by an earlier attempt of this call' : 'was created concurrently',
      ours,
    );
  }
}

function attach(
  existing: DescribeTrainingJobResponse,
  options: StartTrainingJobOptions,
  how: string,
  createdByThisRun = false,
): StartedTrainingJob {
  const { request, logger = silentLogger, onMismatch = 'error' } = options;
  const jobName = request.TrainingJobName!;
  const differences = trainingRequestDifferences(request, existing);
  if (differences.length) {
    const sentence = `Training job ${jobName} ${how} but was created from a different request (${differences.join('; ')})`;
    if (onMismatch === 'error') {
      throw new ConfigurationError(
        `${sentence}; give another ${TRAINING_JOB_INPUTS.jobName}, or re-run the workflow, which gives a new attempt and a new name`,
        { input: TRAINING_JOB_INPUTS.jobName },
      );
    }
    logger.warning(`${sentence}; attaching to it anyway`);
  }
  logger.info(`Training job ${jobName} ${how} (status ${existing.TrainingJobStatus}); attaching to it`);
  return { jobName, jobArn: existing.TrainingJobArn ?? '', createdByThisRun };
}

/** DescribeTrainingJob, or undefined when there is no job of that name. */
export async function describeTrainingJobIfExists(
  client: SageMakerClient,
  jobName: string,
  signal?: AbortSignal,
): Promise<DescribeTrainingJobResponse | undefined> {
  try {
    return await client.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }), { abortSignal: signal });
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw operationError(error, `Describing training job ${jobName}`, signal);
  }
}

/**
 * What differs between a request and an existing job, in the fields that decide what is trained: image, input mode,
 * hyperparameters, instance type and count, channels and output path; and the volume key, which does not change the
 * model but does decide whether the job meets the encryption it was asked for, so a job with another key (or none)
 * is not this request's. Metric definitions, tags, role and stopping conditions are left out: they do not change the
 * model, and SageMaker (or an emulator) may rewrite some of them.
 */
export function trainingRequestDifferences(
  request: CreateTrainingJobRequest,
  existing: DescribeTrainingJobResponse,
): string[] {
  const differences: string[] = [];
  const compare = (what: string, ours: unknown, theirs: unknown) => {
    if (ours !== theirs) differences.push(`${what} ${show(ours)} here, ${show(theirs)} in the existing job`);
  };
  compare('image', request.AlgorithmSpecification?.TrainingImage, existing.AlgorithmSpecification?.TrainingImage);
  compare(
    'input mode',
    request.AlgorithmSpecification?.TrainingInputMode,
    existing.AlgorithmSpecification?.TrainingInputMode,
  );
  const ours = request.HyperParameters ?? {};
  const theirs = existing.HyperParameters ?? {};
  const changed = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])]
    .filter((key) => ours[key] !== theirs[key])
    .sort();
  if (changed.length) {
    const listed = changed.slice(0, 5).map((key) => `${key} ${show(ours[key])} vs ${show(theirs[key])}`);
    differences.push(
      `hyperparameters ${listed.join(', ')}${changed.length > 5 ? ` and ${changed.length - 5} more` : ''}`,
    );
  }
  compare('instance type', request.ResourceConfig?.InstanceType, existing.ResourceConfig?.InstanceType);
  compare('instance count', request.ResourceConfig?.InstanceCount, existing.ResourceConfig?.InstanceCount);
  compare('channels', channelSummary(request.InputDataConfig), channelSummary(existing.InputDataConfig));
  compare('output path', request.OutputDataConfig?.S3OutputPath, existing.OutputDataConfig?.S3OutputPath);
  // A description may give an unset key as "" rather than leave it out.
  compare(
    'volume KMS key',
    request.ResourceConfig?.VolumeKmsKeyId || undefined,
    existing.ResourceConfig?.VolumeKmsKeyId || undefined,
  );
  compare(
    'output KMS key',
    request.OutputDataConfig?.KmsKeyId || undefined,
    existing.OutputDataConfig?.KmsKeyId || undefined,
  );
  return differences;
}

function channelSummary(channels: readonly Channel[] | undefined): string {
  return (channels ?? [])
    .map((c) => `${c.ChannelName}=${c.DataSource?.S3DataSource?.S3Uri ?? '?'}`)
    .sort()
    .join(' ');
}

function show(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}
