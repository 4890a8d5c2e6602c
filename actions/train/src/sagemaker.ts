// The SageMaker backend: stage the code and local data, start the job (or tuning job) or attach to it, follow it to
// the end, and read the outputs. Clients, storage and the clock come in as arguments, so the whole flow, cancellation
// included, runs in unit tests against mocked clients.
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  type DescribeHyperParameterTuningJobResponse,
  type DescribeTrainingJobResponse,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ConfigurationError, type Logger, type Storage, WaitTimeoutError } from '@mlops-actions/core';
import {
  describeTrainingJobIfExists,
  describeTuningJobIfExists,
  type JobKind,
  stageLocalChannel,
  startOrAttachTrainingJob,
  startOrAttachTuningJob,
  TrainingJobFailedError,
  trainingJobOutputs,
  TrainingJobStoppedError,
  TuningJobFailedError,
  tuningJobConsoleUrl,
  uploadSourceArchive,
  uploadSourceFiles,
  waitForTrainingJob,
  type WaitForTrainingJobOptions,
  waitForTuningJob,
} from '@mlops-actions/sagemaker';
import { EMPTY_OUTPUTS, type TrainingOutcome } from './outcome.js';
import type { AttachPlan, StartPlan, WaitSettings } from './plan.js';
import type { JobState } from './state.js';

export interface SageMakerDeps {
  sagemaker: SageMakerClient;
  logs: CloudWatchLogsClient;
  /** Uploads the code and local channels. */
  storage: Storage;
  signal: AbortSignal;
  logger: Logger;
  /** Where sourcedir.tar.gz is written before its upload. */
  tempDir: string;
  /** Called when a job is known and again when the wait is over; the action saves it for the post step. */
  onJobState: (state: JobState) => void;
  /** Test seams for the waits: virtual time and short stop waits. */
  waitOptions?: Pick<WaitForTrainingJobOptions, 'sleep' | 'now' | 'random' | 'maxPollIntervalMs' | 'stopWaitMs'>;
}

interface FollowedJob {
  kind: JobKind;
  name: string;
  arn: string;
  createdByThisRun: boolean;
}

export async function trainOnSageMaker(
  plan: StartPlan | AttachPlan,
  dependencies: SageMakerDeps,
): Promise<TrainingOutcome> {
  // The state is saved before the Create too; saving it unchanged again would only repeat the same lines.
  let saved: JobState | undefined;
  const deps: SageMakerDeps = {
    ...dependencies,
    onJobState: (next) => {
      if (saved && isDeepStrictEqual(saved, next)) return;
      saved = next;
      dependencies.onJobState(next);
    },
  };
  const job = plan.action === 'attach' ? await findJobToAttach(plan, deps) : await startJob(plan, deps);
  const state: JobState = {
    kind: job.kind,
    name: job.name,
    region: plan.region,
    stopInPost: job.createdByThisRun && plan.stopOnCancel && plan.wait,
  };
  deps.onJobState(state);
  const facts = plan.action === 'start' ? requestFacts(plan) : [];
  if (!plan.wait) return currentState(job, plan, deps, facts);
  const ended = () => deps.onJobState({ ...state, stopInPost: false });
  try {
    const outcome =
      job.kind === 'training'
        ? await followTrainingJob(job, plan, deps, facts)
        : await followTuningJob(job, plan, deps, facts);
    ended();
    return outcome;
  } catch (error) {
    // A timeout leaves the job running on purpose (the message says how to attach to it again).
    if (error instanceof WaitTimeoutError) ended();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Start or attach

async function startJob(plan: StartPlan, deps: SageMakerDeps): Promise<FollowedJob> {
  const { sagemaker: client, logger, signal } = deps;
  // Only when no job of that name exists (an existing one already has its code and data). The state goes out before
  // the Create: a job SageMaker accepts just before a cancellation would otherwise escape the post step's stop.
  const beforeCreate = (kind: JobKind, name: string) => async () => {
    await stage(plan, deps);
    deps.onJobState({ kind, name, region: plan.region, stopInPost: plan.stopOnCancel && plan.wait });
  };
  if (plan.tuningRequest) {
    const name = plan.tuningRequest.HyperParameterTuningJobName!;
    const started = await startOrAttachTuningJob({
      client,
      request: plan.tuningRequest,
      logger,
      signal,
      beforeCreate: beforeCreate('tuning', name),
    });
    return { kind: 'tuning', name, arn: started.tuningJobArn, createdByThisRun: started.createdByThisRun };
  }
  const started = await startOrAttachTrainingJob({
    client,
    request: plan.request,
    logger,
    signal,
    beforeCreate: beforeCreate('training', plan.jobName),
  });
  return { kind: 'training', name: plan.jobName, arn: started.jobArn, createdByThisRun: started.createdByThisRun };
}

async function stage(plan: StartPlan, deps: SageMakerDeps): Promise<void> {
  const { storage, logger, signal } = deps;
  const { code, kmsKeyId } = plan;
  if (code?.kind === 'archive') {
    await uploadSourceArchive({
      storage,
      entryPoint: code.entryPoint,
      ...(code.sourceDir !== undefined ? { sourceDir: code.sourceDir } : {}),
      destination: code.destination,
      tempPath: path.join(deps.tempDir, 'sourcedir.tar.gz'),
      maxBytes: code.maxBytes,
      kmsKeyId,
      logger,
      signal,
    });
  } else if (code?.kind === 'files') {
    await uploadSourceFiles({
      storage,
      sourceDir: code.sourceDir,
      destination: code.destination,
      maxBytes: code.maxBytes,
      kmsKeyId,
      logger,
      signal,
    });
  }
  for (const upload of plan.channelUploads) {
    await stageLocalChannel({ storage, ...upload, kmsKeyId, logger, signal });
  }
}

/** `attach` names a training job or a tuning job; training jobs are looked for first. */
async function findJobToAttach(plan: AttachPlan, deps: SageMakerDeps): Promise<FollowedJob> {
  const { sagemaker: client, logger, signal } = deps;
  const training = await describeTrainingJobIfExists(client, plan.jobName, signal);
  if (training) {
    logger.info(`Attaching to training job ${plan.jobName} (status ${training.TrainingJobStatus})`);
    return { kind: 'training', name: plan.jobName, arn: training.TrainingJobArn ?? '', createdByThisRun: false };
  }
  const tuning = await describeTuningJobIfExists(client, plan.jobName, signal);
  if (tuning) {
    logger.info(`Attaching to tuning job ${plan.jobName} (status ${tuning.HyperParameterTuningJobStatus})`);
    return {
      kind: 'tuning',
      name: plan.jobName,
      arn: tuning.HyperParameterTuningJobArn ?? '',
      createdByThisRun: false,
    };
  }
  throw new ConfigurationError(
    `Input 'attach' names ${JSON.stringify(plan.jobName)}, but there is no training or tuning job of that name in ${plan.region}`,
    { input: 'attach' },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Follow

function waitSettings(plan: WaitSettings, job: FollowedJob) {
  return {
    timeoutMs: plan.timeoutMs,
    stopOnAbort: plan.stopOnCancel,
    createdByThisRun: job.createdByThisRun,
    credentialSessionMs: plan.credentialSessionMs,
  };
}

async function followTrainingJob(
  job: FollowedJob,
  plan: StartPlan | AttachPlan,
  deps: SageMakerDeps,
  facts: TrainingOutcome['facts'],
): Promise<TrainingOutcome> {
  try {
    const described = await waitForTrainingJob({
      client: deps.sagemaker,
      logsClient: deps.logs,
      jobName: job.name,
      signal: deps.signal,
      logger: deps.logger,
      streamLogs: true,
      ...waitSettings(plan, job),
      ...deps.waitOptions,
    });
    return trainingOutcome(described, plan.region, facts);
  } catch (error) {
    if (error instanceof TrainingJobFailedError || error instanceof TrainingJobStoppedError) {
      return { ...trainingOutcome(error.last, plan.region, facts), logTail: error.logTail, failure: error };
    }
    throw error;
  }
}

async function followTuningJob(
  job: FollowedJob,
  plan: StartPlan | AttachPlan,
  deps: SageMakerDeps,
  facts: TrainingOutcome['facts'],
): Promise<TrainingOutcome> {
  let best: string;
  try {
    const result = await waitForTuningJob({
      client: deps.sagemaker,
      tuningJobName: job.name,
      signal: deps.signal,
      logger: deps.logger,
      ...waitSettings(plan, job),
      ...deps.waitOptions,
    });
    best = result.bestTrainingJobName;
  } catch (error) {
    if (error instanceof TuningJobFailedError) {
      return { ...tuningOutcome(error.last, plan.region, facts), failure: error };
    }
    throw error;
  }
  const described = await describeTrainingJob(best, plan.region, deps);
  return { ...trainingOutcome(described, plan.region, facts), tuningJobName: job.name };
}

/** wait: false, or an attach without waiting: one look at the job. */
async function currentState(
  job: FollowedJob,
  plan: StartPlan | AttachPlan,
  deps: SageMakerDeps,
  facts: TrainingOutcome['facts'],
): Promise<TrainingOutcome> {
  const { logger } = deps;
  if (job.kind === 'training') {
    const described = await describeTrainingJob(job.name, plan.region, deps);
    logger.info(`Not waiting for training job ${job.name} (status ${described.TrainingJobStatus}); attach to it later`);
    return trainingOutcome(described, plan.region, facts);
  }
  const described = await describeTuningJobIfExists(deps.sagemaker, job.name, deps.signal);
  if (!described) throw new Error(`Tuning job ${job.name} was not found in ${plan.region}`);
  logger.info(
    `Not waiting for tuning job ${job.name} (status ${described.HyperParameterTuningJobStatus}); attach to it later`,
  );
  return tuningOutcome(described, plan.region, facts);
}

/** DescribeTrainingJob with its errors in one sentence; the job is known to exist, so its absence is an error too. */
async function describeTrainingJob(
  name: string,
  region: string,
  deps: SageMakerDeps,
): Promise<DescribeTrainingJobResponse> {
  const described = await describeTrainingJobIfExists(deps.sagemaker, name, deps.signal);
  if (!described) throw new Error(`Training job ${name} was not found in ${region}`);
  return described;
}

function trainingOutcome(
  job: DescribeTrainingJobResponse,
  region: string,
  facts: TrainingOutcome['facts'],
): TrainingOutcome {
  const name = job.TrainingJobName ?? '';
  const status = job.TrainingJobStatus ?? 'Unknown';
  const outputs = trainingJobOutputs(job, region);
  return {
    backend: 'sagemaker',
    jobName: name,
    jobArn: job.TrainingJobArn ?? '',
    status,
    // Only a completed job's artifact is a model; a failed or unfinished one's location holds nothing to deploy.
    outputs: { ...outputs, modelData: status === 'Completed' ? outputs.modelData : undefined },
    logTail: [],
    facts: facts.length ? facts : describedFacts(job),
  };
}

/** For an attached job, whose request this run did not build. */
function describedFacts(job: DescribeTrainingJobResponse): TrainingOutcome['facts'] {
  const resources = job.ResourceConfig;
  return [
    ['image', job.AlgorithmSpecification?.TrainingImage ?? ''],
    [
      'instances',
      `${resources?.InstanceCount ?? '?'} × ${resources?.InstanceType ?? '?'}${job.EnableManagedSpotTraining ? ' (spot)' : ''}`,
    ],
  ];
}

/** A tuning job that has no best training job to report (not finished, failed or stopped). */
function tuningOutcome(
  job: DescribeHyperParameterTuningJobResponse,
  region: string,
  facts: TrainingOutcome['facts'],
): TrainingOutcome {
  const name = job.HyperParameterTuningJobName ?? '';
  const best = job.BestTrainingJob?.TrainingJobName;
  return {
    backend: 'sagemaker',
    jobName: best ?? '',
    jobArn: job.BestTrainingJob?.TrainingJobArn ?? '',
    status: job.HyperParameterTuningJobStatus ?? 'Unknown',
    outputs: { ...EMPTY_OUTPUTS, consoleUrl: tuningJobConsoleUrl(region, name) },
    tuningJobName: name,
    logTail: [],
    facts,
  };
}

/** What the summary says about the request: the image, instances, code and data. */
function requestFacts(plan: StartPlan): TrainingOutcome['facts'] {
  const { request } = plan;
  const facts: TrainingOutcome['facts'] = [
    ['image', request.AlgorithmSpecification?.TrainingImage ?? ''],
    [
      'instances',
      `${request.ResourceConfig?.InstanceCount} × ${request.ResourceConfig?.InstanceType}${request.EnableManagedSpotTraining ? ' (spot)' : ''}`,
    ],
  ];
  if (plan.code) facts.push(['code', plan.code.destination]);
  for (const channel of request.InputDataConfig ?? []) {
    facts.push([`channel ${channel.ChannelName}`, channel.DataSource?.S3DataSource?.S3Uri ?? '']);
  }
  if (plan.tuningRequest) facts.push(['tuning job', plan.tuningRequest.HyperParameterTuningJobName ?? '']);
  return facts;
}
