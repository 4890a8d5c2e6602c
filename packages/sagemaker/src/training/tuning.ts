// Hyperparameter tuning from a friendly YAML shape (the `tuning` input, already parsed) and a training job request:
// the CreateHyperParameterTuningJob request, an idempotent start, and a wait that reports the training jobs' progress
// and ends with the best training job's name (the caller describes that job for the outputs).
//
//   objective: { metric: validation:accuracy, type: Maximize }
//   strategy: Bayesian                 # Bayesian | Random | Hyperband | Grid
//   parameters:
//     lr: { type: continuous, min: 0.0001, max: 0.1, scaling: Logarithmic }
//     depth: { type: integer, min: 2, max: 10 }
//     optimizer: { type: categorical, values: [adam, sgd] }
//   max-jobs: 20
//   max-parallel-jobs: 2
//   early-stopping: Off                # Off | Auto
import {
  type CategoricalParameterRange,
  type ContinuousParameterRange,
  CreateHyperParameterTuningJobCommand,
  type CreateHyperParameterTuningJobRequest,
  type CreateTrainingJobRequest,
  DescribeHyperParameterTuningJobCommand,
  type DescribeHyperParameterTuningJobResponse,
  type HyperParameterScalingType,
  type IntegerParameterRange,
  type SageMakerClient,
  StopHyperParameterTuningJobCommand,
} from '@aws-sdk/client-sagemaker';
import {
  CancelledError,
  ConfigurationError,
  describeAwsError,
  type Logger,
  silentLogger,
  waitFor,
  WaitFailedError,
  WaitTimeoutError,
} from '@mlops-actions/core';
import { createHash } from 'node:crypto';
import {
  createError,
  isNotFoundError,
  isResourceInUseError,
  oneLine,
  operationError,
  sdkAttempts,
  type Sleep,
  stopAfterCancel,
} from './shared.js';

const TUNING_INPUT = 'tuning';

/** CreateHyperParameterTuningJob's limits (botocore's sagemaker service model). */
const TUNING_LIMITS = {
  maxNameLength: 32,
  /** Continuous, integer and categorical ranges together. */
  maxParameters: 30,
  maxCategoricalValues: 30,
  maxCategoricalValueLength: 256,
  /** Static and tuned hyperparameters together. */
  maxHyperparameters: 100,
  maxEnvironmentEntries: 48,
} as const;

const STRATEGIES = ['Bayesian', 'Random', 'Hyperband', 'Grid'] as const;
const OBJECTIVE_TYPES = ['Maximize', 'Minimize'] as const;
const EARLY_STOPPING = ['Off', 'Auto'] as const;
const PARAMETER_TYPES = ['continuous', 'integer', 'categorical'] as const;
const SCALINGS = ['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic'] as const;
const TOP_LEVEL_KEYS = ['objective', 'strategy', 'parameters', 'max-jobs', 'max-parallel-jobs', 'early-stopping'];

export type TuningStrategy = (typeof STRATEGIES)[number];

export interface TuningRequestOptions {
  /**
   * How categorical values reach the container, like the training hyperparameters: 'json' (default) for script-mode
   * images, whose toolkit json-decodes every value ("adam" is sent as "\"adam\""), 'raw' for algorithm images.
   */
  encoding?: 'json' | 'raw';
}

/**
 * The tuning job's name for a training job name: the same when it fits the 32 characters tuning job names allow,
 * otherwise its first 25 characters and a hash of the whole name, so two long names that share a beginning (the
 * run id and attempt come last) still differ.
 */
export function tuningJobNameFor(trainingJobName: string): string {
  const max = TUNING_LIMITS.maxNameLength;
  if (trainingJobName.length <= max) return trainingJobName;
  const hash = createHash('sha256').update(trainingJobName).digest('hex').slice(0, 6);
  return `${trainingJobName.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/**
 * The CreateHyperParameterTuningJob request for the `tuning` input (parsed YAML) and the training job it tunes (the
 * request buildCreateTrainingJobRequest made): the training request becomes the job definition, its hyperparameters
 * the static ones (minus the tuned), its tags the tuning job's (SageMaker copies them to every training job).
 * Every problem is reported at once as a ConfigurationError naming the input `tuning` and the key.
 */
export function buildCreateHyperParameterTuningJobRequest(
  tuning: unknown,
  trainingJob: CreateTrainingJobRequest,
  options: TuningRequestOptions = {},
): CreateHyperParameterTuningJobRequest {
  const problems: string[] = [];
  const at = (key: string, text: string) => problems.push(`Input '${TUNING_INPUT}' key '${key}' ${text}`);
  if (!isMapping(tuning)) {
    throw new ConfigurationError(
      `Input '${TUNING_INPUT}' must be a mapping with the keys ${TOP_LEVEL_KEYS.join(', ')}`,
      { input: TUNING_INPUT },
    );
  }
  for (const key of Object.keys(tuning)) {
    if (!TOP_LEVEL_KEYS.includes(key)) at(key, `is not known; the keys are ${TOP_LEVEL_KEYS.join(', ')}`);
  }

  // objective
  let objective: { MetricName: string; Type: (typeof OBJECTIVE_TYPES)[number] } | undefined;
  const metricNames = (trainingJob.AlgorithmSpecification?.MetricDefinitions ?? []).map((m) => m.Name ?? '');
  if (!isMapping(tuning.objective)) {
    at('objective', 'is required: a mapping { metric: <a metric definition name>, type: Maximize | Minimize }');
  } else {
    unknownKeys(tuning.objective, ['metric', 'type'], 'objective', at);
    const metric = tuning.objective.metric;
    const type = enumValue(tuning.objective.type, OBJECTIVE_TYPES, 'objective.type', at);
    if (typeof metric !== 'string' || metric.trim() === '') {
      at('objective.metric', 'is required: the name of one of the metric definitions');
    } else if (!metricNames.includes(metric)) {
      at(
        'objective.metric',
        `is ${JSON.stringify(metric)}, which is not a metric definition; ` +
          (metricNames.length
            ? `the defined metrics are ${metricNames.join(', ')}`
            : 'define it in metric-definitions, with a regex that finds its value in the training log'),
      );
    } else if (type) {
      objective = { MetricName: metric, Type: type };
    }
  }

  const strategy = tuning.strategy === undefined ? 'Bayesian' : enumValue(tuning.strategy, STRATEGIES, 'strategy', at);
  const earlyStopping =
    tuning['early-stopping'] === undefined
      ? 'Off'
      : enumValue(tuning['early-stopping'], EARLY_STOPPING, 'early-stopping', at);
  if (strategy === 'Hyperband' && earlyStopping === 'Auto') {
    at('early-stopping', 'must be Off with the Hyperband strategy, which stops training jobs early by itself');
  }

  // parameters
  const continuous: ContinuousParameterRange[] = [];
  const integer: IntegerParameterRange[] = [];
  const categorical: CategoricalParameterRange[] = [];
  const encoding = options.encoding ?? 'json';
  if (!isMapping(tuning.parameters) || Object.keys(tuning.parameters).length === 0) {
    at('parameters', 'is required: a mapping from hyperparameter name to its range');
  } else {
    for (const [name, spec] of Object.entries(tuning.parameters)) {
      const range = parameterRange(name, spec, encoding, at);
      if (range?.kind === 'continuous') continuous.push(range.range);
      if (range?.kind === 'integer') integer.push(range.range);
      if (range?.kind === 'categorical') categorical.push(range.range);
    }
    const count = Object.keys(tuning.parameters).length;
    if (count > TUNING_LIMITS.maxParameters) {
      at('parameters', `has ${count} hyperparameters; SageMaker tunes at most ${TUNING_LIMITS.maxParameters}`);
    }
    if (strategy === 'Grid' && (continuous.length || integer.length)) {
      const ranged = [...continuous, ...integer].map((r) => r.Name).join(', ');
      at('parameters', `has ranges (${ranged}) but the Grid strategy only searches categorical values`);
    }
  }

  // limits
  const maxJobs = positiveInteger(tuning['max-jobs'], 'max-jobs', at);
  const maxParallel = positiveInteger(tuning['max-parallel-jobs'], 'max-parallel-jobs', at) ?? 1;
  if (maxJobs === undefined && tuning['max-jobs'] === undefined && strategy !== 'Grid') {
    // Grid runs every combination, so only there may SageMaker count the jobs itself.
    at('max-jobs', `is required with the ${strategy} strategy: how many training jobs to run in total`);
  }
  if (maxJobs !== undefined && maxParallel > maxJobs) {
    at('max-parallel-jobs', `is ${maxParallel}, more than max-jobs (${maxJobs})`);
  }

  // the training job definition
  const tunedNames = isMapping(tuning.parameters) ? Object.keys(tuning.parameters) : [];
  const staticHyperparameters = Object.fromEntries(
    Object.entries(trainingJob.HyperParameters ?? {}).filter(([key]) => !tunedNames.includes(key)),
  );
  const total = Object.keys(staticHyperparameters).length + tunedNames.length;
  if (total > TUNING_LIMITS.maxHyperparameters) {
    at(
      'parameters',
      `brings the hyperparameters to ${total} (static and tuned); SageMaker accepts ${TUNING_LIMITS.maxHyperparameters}`,
    );
  }
  const algorithm = trainingJob.AlgorithmSpecification ?? { TrainingInputMode: 'File' };
  if (algorithm.ContainerEntrypoint || algorithm.ContainerArguments) {
    problems.push(
      `Input '${TUNING_INPUT}' cannot be used with a container entrypoint override: tuning jobs launch their training ` +
        'jobs without ContainerEntrypoint/ContainerArguments, so use script mode (entry-point) to tune',
    );
  }
  const environmentSize = Object.keys(trainingJob.Environment ?? {}).length;
  if (environmentSize > TUNING_LIMITS.maxEnvironmentEntries) {
    problems.push(
      `Input 'environment' has ${environmentSize} variables; a tuning job accepts at most ${TUNING_LIMITS.maxEnvironmentEntries}`,
    );
  }
  // The training job name is valid, so its shortened form is too.
  const name = tuningJobNameFor(trainingJob.TrainingJobName ?? '');
  if (problems.length) throw new ConfigurationError(problems, { input: TUNING_INPUT });

  return {
    HyperParameterTuningJobName: name,
    HyperParameterTuningJobConfig: {
      Strategy: strategy!,
      HyperParameterTuningJobObjective: objective!,
      ResourceLimits: {
        MaxParallelTrainingJobs: maxParallel,
        ...(maxJobs !== undefined ? { MaxNumberOfTrainingJobs: maxJobs } : {}),
      },
      ParameterRanges: {
        ContinuousParameterRanges: continuous,
        IntegerParameterRanges: integer,
        CategoricalParameterRanges: categorical,
      },
      TrainingJobEarlyStoppingType: earlyStopping!,
    },
    TrainingJobDefinition: {
      AlgorithmSpecification: {
        TrainingInputMode: algorithm.TrainingInputMode ?? 'File',
        ...(algorithm.TrainingImage ? { TrainingImage: algorithm.TrainingImage } : {}),
        ...(algorithm.AlgorithmName ? { AlgorithmName: algorithm.AlgorithmName } : {}),
        ...(algorithm.MetricDefinitions ? { MetricDefinitions: algorithm.MetricDefinitions } : {}),
      },
      RoleArn: trainingJob.RoleArn,
      StaticHyperParameters: staticHyperparameters,
      OutputDataConfig: trainingJob.OutputDataConfig,
      StoppingCondition: trainingJob.StoppingCondition,
      ...(trainingJob.ResourceConfig ? { ResourceConfig: trainingJob.ResourceConfig } : {}),
      ...(trainingJob.InputDataConfig ? { InputDataConfig: trainingJob.InputDataConfig } : {}),
      ...(trainingJob.VpcConfig ? { VpcConfig: trainingJob.VpcConfig } : {}),
      ...(trainingJob.EnableNetworkIsolation ? { EnableNetworkIsolation: true } : {}),
      ...(trainingJob.EnableManagedSpotTraining ? { EnableManagedSpotTraining: true } : {}),
      ...(trainingJob.CheckpointConfig ? { CheckpointConfig: trainingJob.CheckpointConfig } : {}),
      ...(trainingJob.Environment ? { Environment: trainingJob.Environment } : {}),
    },
    ...(trainingJob.Tags ? { Tags: trainingJob.Tags } : {}),
  };
}

type At = (key: string, text: string) => void;

type ParsedRange =
  | { kind: 'continuous'; range: ContinuousParameterRange }
  | { kind: 'integer'; range: IntegerParameterRange }
  | { kind: 'categorical'; range: CategoricalParameterRange };

function parameterRange(name: string, spec: unknown, encoding: 'json' | 'raw', at: At): ParsedRange | undefined {
  const key = `parameters.${name}`;
  if (!isMapping(spec)) {
    at(key, 'must be a mapping such as { type: continuous, min: 0.001, max: 0.1 }');
    return undefined;
  }
  const type = enumValue(spec.type, PARAMETER_TYPES, `${key}.type`, at);
  if (type === undefined) return undefined;

  if (type === 'categorical') {
    unknownKeys(spec, ['type', 'values'], key, at);
    const values = spec.values;
    if (!Array.isArray(values) || values.length === 0) {
      at(`${key}.values`, 'is required: a list of the values to try');
      return undefined;
    }
    if (values.length > TUNING_LIMITS.maxCategoricalValues) {
      at(
        `${key}.values`,
        `has ${values.length} values; SageMaker accepts at most ${TUNING_LIMITS.maxCategoricalValues}`,
      );
    }
    const encoded: string[] = [];
    for (const value of values) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        at(`${key}.values`, `has ${JSON.stringify(value)}; values are strings, numbers or booleans`);
        continue;
      }
      const text = encodeCategorical(value as string | number | boolean, encoding);
      if (text.length > TUNING_LIMITS.maxCategoricalValueLength) {
        at(
          `${key}.values`,
          `has a value of ${text.length} characters; SageMaker accepts ${TUNING_LIMITS.maxCategoricalValueLength}`,
        );
      }
      if (encoded.includes(text)) at(`${key}.values`, `lists ${JSON.stringify(value)} twice`);
      encoded.push(text);
    }
    return { kind: 'categorical', range: { Name: name, Values: encoded } };
  }

  unknownKeys(spec, ['type', 'min', 'max', 'scaling'], key, at);
  const whole = type === 'integer';
  const min = numberValue(spec.min, `${key}.min`, whole, at);
  const max = numberValue(spec.max, `${key}.max`, whole, at);
  const scaling = spec.scaling === undefined ? 'Auto' : enumValue(spec.scaling, SCALINGS, `${key}.scaling`, at);
  if (min === undefined || max === undefined || scaling === undefined) return undefined;
  if (min >= max) at(key, `has min ${min} not below max ${max}`);
  if (scaling === 'Logarithmic' && min <= 0) {
    at(`${key}.scaling`, `is Logarithmic, which needs a range above 0 (min is ${min})`);
  }
  if (scaling === 'ReverseLogarithmic' && (whole || min < 0 || max >= 1)) {
    at(`${key}.scaling`, 'is ReverseLogarithmic, which only applies to continuous ranges within 0 <= x < 1');
  }
  const range = {
    Name: name,
    MinValue: String(min),
    MaxValue: String(max),
    ScalingType: scaling as HyperParameterScalingType,
  };
  return whole ? { kind: 'integer', range } : { kind: 'continuous', range };
}

function encodeCategorical(value: string | number | boolean, encoding: 'json' | 'raw'): string {
  if (encoding === 'json') return JSON.stringify(value);
  // Python's str(), which is what algorithm images were written against.
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

function enumValue<const V extends string>(value: unknown, allowed: readonly V[], key: string, at: At): V | undefined {
  // YAML authors write `maximize` as often as `Maximize`; the API wants its own spelling.
  const match =
    typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase()) : undefined;
  if (match === undefined) {
    at(
      key,
      `${value === undefined ? 'is required' : `has an invalid value ${JSON.stringify(value)}`}: expected ${allowed.join(', ')}`,
    );
  }
  return match;
}

function numberValue(value: unknown, key: string, whole: boolean, at: At): number | undefined {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(number) || (whole && !Number.isInteger(number))) {
    at(
      key,
      `${value === undefined ? 'is required' : `has an invalid value ${JSON.stringify(value)}`}: expected ${whole ? 'a whole number' : 'a number'}`,
    );
    return undefined;
  }
  return number;
}

function positiveInteger(value: unknown, key: string, at: At): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    at(key, `has an invalid value ${JSON.stringify(value)}: expected a whole number of at least 1`);
    return undefined;
  }
  return value;
}

function unknownKeys(spec: Record<string, unknown>, known: string[], key: string, at: At): void {
  for (const name of Object.keys(spec)) {
    if (!known.includes(name)) at(`${key}.${name}`, `is not known here; the keys are ${known.join(', ')}`);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Start or attach

export interface StartTuningJobOptions {
  client: SageMakerClient;
  request: CreateHyperParameterTuningJobRequest;
  logger?: Logger;
  signal?: AbortSignal;
  /** As for training jobs: 'error' (default) refuses to attach to a tuning job created from a different request. */
  onMismatch?: 'error' | 'warn';
  /** As for training jobs: runs when the Describe found no tuning job, right before the Create. */
  beforeCreate?: () => Promise<void>;
}

export interface StartedTuningJob {
  tuningJobName: string;
  tuningJobArn: string;
  createdByThisRun: boolean;
}

/** Like startOrAttachTrainingJob: describe first, create otherwise, and a ResourceInUse race is an attach. */
export async function startOrAttachTuningJob(options: StartTuningJobOptions): Promise<StartedTuningJob> {
  const { client, request, logger = silentLogger, signal } = options;
  const name = request.HyperParameterTuningJobName!;
  const existing = await describeTuningJobIfExists(client, name, signal);
  if (existing) return attachTuning(existing, options, 'already exists');
  await options.beforeCreate?.();
  try {
    const created = await client.send(new CreateHyperParameterTuningJobCommand(request), { abortSignal: signal });
    logger.info(`Started hyperparameter tuning job ${name}`);
    return { tuningJobName: name, tuningJobArn: created.HyperParameterTuningJobArn ?? '', createdByThisRun: true };
  } catch (error) {
    const failure = () => operationError(error, `Creating tuning job ${name}`, signal);
    if (!isResourceInUseError(error)) throw createError(error, `Creating tuning job ${name}`, signal);
    const raced = await describeTuningJobIfExists(client, name, signal);
    if (!raced) throw failure();
    const ours = sdkAttempts(error) > 1;
    return attachTuning(
      raced,
      options,
      ours ? 'was created by an earlier attempt of this call' : 'was created concurrently',
      ours,
    );
  }
}

function attachTuning(
  existing: DescribeHyperParameterTuningJobResponse,
  options: StartTuningJobOptions,
  how: string,
  createdByThisRun = false,
): StartedTuningJob {
  const { request, logger = silentLogger, onMismatch = 'error' } = options;
  const name = request.HyperParameterTuningJobName!;
  const differences = tuningRequestDifferences(request, existing);
  if (differences.length) {
    const sentence = `Tuning job ${name} ${how} but was created from a different request (${differences.join('; ')})`;
    if (onMismatch === 'error') {
      throw new ConfigurationError(`${sentence}; give another job-name, or re-run the workflow for a new name`, {
        input: 'job-name',
      });
    }
    logger.warning(`${sentence}; attaching to it anyway`);
  }
  logger.info(`Tuning job ${name} ${how} (status ${existing.HyperParameterTuningJobStatus}); attaching to it`);
  return { tuningJobName: name, tuningJobArn: existing.HyperParameterTuningJobArn ?? '', createdByThisRun };
}

/**
 * What differs in the fields that decide the search: objective, strategy, ranges, static hyperparameters, image; and
 * the volume key of its training jobs, for the reason trainingRequestDifferences gives.
 */
export function tuningRequestDifferences(
  request: CreateHyperParameterTuningJobRequest,
  existing: DescribeHyperParameterTuningJobResponse,
): string[] {
  const ours = request.HyperParameterTuningJobConfig;
  const theirs = existing.HyperParameterTuningJobConfig;
  const fields: [string, unknown, unknown][] = [
    ['objective', ours?.HyperParameterTuningJobObjective, theirs?.HyperParameterTuningJobObjective],
    ['strategy', ours?.Strategy, theirs?.Strategy],
    ['parameter ranges', ours?.ParameterRanges, theirs?.ParameterRanges],
    [
      'static hyperparameters',
      request.TrainingJobDefinition?.StaticHyperParameters,
      existing.TrainingJobDefinition?.StaticHyperParameters,
    ],
    [
      'image',
      request.TrainingJobDefinition?.AlgorithmSpecification?.TrainingImage,
      existing.TrainingJobDefinition?.AlgorithmSpecification?.TrainingImage,
    ],
    [
      'volume KMS key',
      request.TrainingJobDefinition?.ResourceConfig?.VolumeKmsKeyId || undefined,
      existing.TrainingJobDefinition?.ResourceConfig?.VolumeKmsKeyId || undefined,
    ],
    [
      'output KMS key',
      request.TrainingJobDefinition?.OutputDataConfig?.KmsKeyId || undefined,
      existing.TrainingJobDefinition?.OutputDataConfig?.KmsKeyId || undefined,
    ],
  ];
  return fields
    .filter(([, a, b]) => canonical(a) !== canonical(b))
    .map(([what]) => `${what} differ${what.endsWith('s') ? '' : 's'}`);
}

/** JSON with sorted keys and empty lists dropped, so field order and omitted-vs-empty do not count as differences. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (isMapping(v)) {
        return Object.fromEntries(
          Object.keys(v)
            .sort()
            .filter((k) => !(Array.isArray(v[k]) && (v[k] as unknown[]).length === 0))
            .map((k) => [k, v[k]]),
        );
      }
      return v;
    }) ?? 'undefined'
  );
}

export async function describeTuningJobIfExists(
  client: SageMakerClient,
  name: string,
  signal?: AbortSignal,
): Promise<DescribeHyperParameterTuningJobResponse | undefined> {
  try {
    return await client.send(new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }), {
      abortSignal: signal,
    });
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw operationError(error, `Describing tuning job ${name}`, signal);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Wait

const TUNING_TERMINAL_STATUSES = ['Completed', 'Failed', 'Stopped'] as const;

export interface WaitForTuningJobOptions {
  client: SageMakerClient;
  tuningJobName: string;
  timeoutMs: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** Stop the tuning job (and with it its training jobs) on abort; only together with `createdByThisRun`. */
  stopOnAbort: boolean;
  createdByThisRun: boolean;
  sleep?: Sleep;
  now?: () => number;
  random?: () => number;
  maxPollIntervalMs?: number;
  stopWaitMs?: number;
  /**
   * How long the credentials last (core's waitFor warns when the timeout is longer; default 1 h, an OIDC session).
   * Pass Infinity for credentials that refresh themselves.
   */
  credentialSessionMs?: number;
}

export interface TuningResult {
  /** Describe this training job for the outputs (model-data, metrics...). */
  bestTrainingJobName: string;
  tuningJob: DescribeHyperParameterTuningJobResponse;
}

/** The tuning job ended in Failed or Stopped, or completed without a best training job. */
export class TuningJobFailedError extends WaitFailedError<DescribeHyperParameterTuningJobResponse> {}

/**
 * Waits for the tuning job, logging its status and its training jobs' counts whenever they change, and returns the
 * best training job. Timeout, abort and stop-on-abort behave as in waitForTrainingJob.
 */
export async function waitForTuningJob(options: WaitForTuningJobOptions): Promise<TuningResult> {
  const { client, tuningJobName, logger = silentLogger } = options;
  const what = `tuning job ${tuningJobName}`;
  let tuningJob: DescribeHyperParameterTuningJobResponse;
  try {
    tuningJob = await waitFor({
      what,
      describe: async (signal) => {
        const described = await client.send(
          new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: tuningJobName }),
          { abortSignal: signal },
        );
        // An answer that arrived just as the run was cancelled: waitFor must not go on to sleep with an aborted signal.
        if (signal.aborted) throw new CancelledError(`Cancelled while waiting for ${what}`);
        return described;
      },
      // Counts are part of the status, so each finished training job gives a line.
      status: (t) => `${t.HyperParameterTuningJobStatus} ${progress(t)}`,
      describeStatus: (t) => `${t.HyperParameterTuningJobStatus}; training jobs: ${progress(t)}${bestSoFar(t)}`,
      isTerminal: (t) =>
        (TUNING_TERMINAL_STATUSES as readonly string[]).includes(t.HyperParameterTuningJobStatus ?? ''),
      isSuccess: (t) => t.HyperParameterTuningJobStatus === 'Completed',
      failureMessage: (t) =>
        t.HyperParameterTuningJobStatus === 'Stopped'
          ? `Tuning job ${tuningJobName} was stopped`
          : `Tuning job ${tuningJobName} failed${t.FailureReason ? `: ${oneLine(t.FailureReason)}` : ' without a reason from SageMaker'}`,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      logger,
      ...(options.maxPollIntervalMs !== undefined ? { maxDelayMs: options.maxPollIntervalMs } : {}),
      ...(options.credentialSessionMs !== undefined ? { credentialSessionMs: options.credentialSessionMs } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
  } catch (error) {
    if (error instanceof CancelledError) throw await cancelledTuning(options, what);
    if (error instanceof WaitTimeoutError) {
      throw new WaitTimeoutError(
        `${error.message}. The tuning job keeps running on SageMaker: to follow it again, run the action with attach set to ${tuningJobName}`,
        error.what,
        error.timeoutMs,
        error.lastStatus,
      );
    }
    if (error instanceof WaitFailedError) {
      throw new TuningJobFailedError(error.message, error.last as DescribeHyperParameterTuningJobResponse);
    }
    throw new Error(describeAwsError(error, `Describing ${what}`), { cause: error });
  }
  const best = tuningJob.BestTrainingJob?.TrainingJobName;
  if (!best) {
    const counters = tuningJob.TrainingJobStatusCounters ?? {};
    const failed = (counters.NonRetryableError ?? 0) + (counters.RetryableError ?? 0);
    throw new TuningJobFailedError(
      `Tuning job ${tuningJobName} completed without a best training job: ${counters.Completed ?? 0} completed and ${failed} failed, and none reported the objective metric ${tuningJob.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective?.MetricName ?? ''}`.trim(),
      tuningJob,
    );
  }
  const metric = tuningJob.BestTrainingJob?.FinalHyperParameterTuningJobObjectiveMetric;
  logger.info(`Best training job of ${what}: ${best}${metric ? ` (${metric.MetricName} = ${metric.Value})` : ''}`);
  return { bestTrainingJobName: best, tuningJob };
}

async function cancelledTuning(options: WaitForTuningJobOptions, what: string): Promise<CancelledError> {
  const { client, tuningJobName, logger = silentLogger } = options;
  if (!options.stopOnAbort || !options.createdByThisRun) {
    return new CancelledError(
      `Cancelled while waiting for ${what}, which keeps running on SageMaker; run the action with attach set to ${tuningJobName} to follow it again`,
    );
  }
  return stopAfterCancel({
    what,
    logger,
    stop: async (signal) => {
      await client.send(new StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: tuningJobName }), {
        abortSignal: signal,
      });
    },
    status: async (signal) =>
      (
        await client.send(new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: tuningJobName }), {
          abortSignal: signal,
        })
      ).HyperParameterTuningJobStatus,
    settled: TUNING_TERMINAL_STATUSES,
    ...(options.stopWaitMs !== undefined ? { stopWaitMs: options.stopWaitMs } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** "3 completed, 2 in progress, 1 failed, 0 stopped of 20". */
function progress(t: DescribeHyperParameterTuningJobResponse): string {
  const c = t.TrainingJobStatusCounters ?? {};
  const failed = (c.NonRetryableError ?? 0) + (c.RetryableError ?? 0);
  const planned = t.HyperParameterTuningJobConfig?.ResourceLimits?.MaxNumberOfTrainingJobs;
  return (
    `${c.Completed ?? 0} completed, ${c.InProgress ?? 0} in progress, ${failed} failed, ${c.Stopped ?? 0} stopped` +
    (planned ? ` of ${planned}` : '')
  );
}

function bestSoFar(t: DescribeHyperParameterTuningJobResponse): string {
  const best = t.BestTrainingJob;
  const metric = best?.FinalHyperParameterTuningJobObjectiveMetric;
  if (!best?.TrainingJobName || !metric) return '';
  return `; best so far ${best.TrainingJobName} (${metric.MetricName} = ${metric.Value})`;
}
