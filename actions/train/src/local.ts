// The local backend: S3 channels downloaded, the training run on this machine under SageMaker's container contract
// (runLocalTraining), and model.tar.gz put where SageMaker would put it: `<output-path>/<job>/output/model.tar.gz`.
//
// Decisions:
// - The outputs a local run cannot have are empty: job-arn, billable-seconds, spot-savings and console-url.
//   training-seconds is the wall time of the training process, rounded to whole seconds as SageMaker reports it.
// - A failure is one sentence naming the job and SageMaker's kind of reason (the failure file, else the exit); the
//   last lines of output go to the summary, and were streamed to the log as they came.
// - max-runtime and timeout stop the run, reported as status Stopped: max-runtime as SageMaker reports a job that
//   reached it, timeout as a WaitTimeoutError, since a local run cannot keep running after its step as a job can.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  CancelledError,
  DataError,
  formatDuration,
  joinLocation,
  type Logger,
  type Storage,
  WaitTimeoutError,
} from '@mlops-actions/core';
import { downloadChannel, oneLine, runLocalTraining, TrainingFailedError } from '@mlops-actions/sagemaker';
import { EMPTY_OUTPUTS, type TrainingOutcome } from './outcome.js';
import type { LocalPlan } from './plan.js';

/** Last lines of output kept for the summary of a stopped run. */
const TAIL_LINES = 20;

export interface LocalDeps {
  /** Downloads S3 channels and writes the model to output-path (local or s3://). */
  storage: Storage;
  signal: AbortSignal;
  logger: Logger;
}

export async function trainLocally(plan: LocalPlan, deps: LocalDeps): Promise<TrainingOutcome> {
  const { storage, signal, logger } = deps;
  const channels: Record<string, string> = {};
  for (const channel of plan.channels) {
    if (channel.location.kind === 'local') {
      channels[channel.name] = path.resolve(channel.location.path);
      continue;
    }
    const directory = path.join(plan.workDir, 'channels', channel.name);
    // A leftover from an earlier run of the same job would mix old objects into this run's data.
    await rm(directory, { recursive: true, force: true });
    await downloadChannel({ storage, source: channel.location, directory, channel: channel.name, logger, signal });
    channels[channel.name] = directory;
  }

  const facts: TrainingOutcome['facts'] = [
    ['run', 'command' in plan.run ? plan.run.command : plan.run.entryPoint],
    ['work folder', plan.workDir],
    ...Object.entries(channels).map(([name, where]): [string, string] => [`channel ${name}`, where]),
  ];
  const base = { backend: 'local' as const, jobName: plan.jobName, jobArn: '', facts };

  const limitMs = Math.min(plan.maxRuntimeMs, plan.timeoutMs);
  const limit = AbortSignal.timeout(limitMs);
  const tail: string[] = [];
  const startedAt = Date.now();
  let result;
  try {
    result = await runLocalTraining({
      ...('command' in plan.run ? { command: plan.run.command } : { entryPoint: plan.run.entryPoint }),
      ...(plan.sourceDir !== undefined ? { sourceDir: plan.sourceDir } : {}),
      workDir: plan.workDir,
      channels,
      hyperparameters: plan.hyperparameters,
      hyperparameterEncoding: plan.encoding,
      environment: plan.environment,
      metricDefinitions: plan.metricDefinitions,
      signal: AbortSignal.any([signal, limit]),
      logger,
      onLine: (line) => {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
      },
      jobName: plan.jobName,
      ...(plan.region !== undefined ? { region: plan.region } : {}),
      sourceMaxBytes: plan.sourceMaxBytes,
    });
  } catch (error) {
    if (error instanceof CancelledError && limit.aborted && !signal.aborted) {
      return {
        ...base,
        status: 'Stopped',
        outputs: { ...EMPTY_OUTPUTS, trainingSeconds: Math.round((Date.now() - startedAt) / 1000) },
        logTail: [...tail],
        failure: limitFailure(plan, limitMs),
      };
    }
    if (!(error instanceof TrainingFailedError)) throw error;
    const how =
      error.failureReason ?? (error.signal ? `killed by ${error.signal}` : `exited with code ${error.exitCode}`);
    return {
      ...base,
      status: 'Failed',
      outputs: { ...EMPTY_OUTPUTS, metrics: error.metrics, trainingSeconds: Math.round(error.durationMs / 1000) },
      logTail: error.lastLines,
      failure: new DataError(`Training job ${plan.jobName} failed: ${oneLine(how)}`),
    };
  }

  const outputFolder = joinLocation(plan.outputPath, plan.jobName, 'output');
  const modelData = joinLocation(outputFolder, 'model.tar.gz');
  await storage.write(modelData, createReadStream(result.modelArchive.path), {
    contentType: 'application/gzip',
    kmsKeyId: plan.kmsKeyId,
    signal,
  });
  logger.info(`Model: ${modelData}`);
  if (result.outputArchive) {
    const outputData = joinLocation(outputFolder, 'output.tar.gz');
    await storage.write(outputData, createReadStream(result.outputArchive.path), { kmsKeyId: plan.kmsKeyId, signal });
    facts.push(['output data', outputData]);
  }
  return {
    ...base,
    status: 'Completed',
    outputs: {
      ...EMPTY_OUTPUTS,
      modelData,
      metrics: result.metrics,
      trainingSeconds: Math.round(result.durationMs / 1000),
    },
    logTail: [],
  };
}

function limitFailure(plan: LocalPlan, limitMs: number): Error {
  if (plan.maxRuntimeMs <= plan.timeoutMs) {
    return new DataError(
      `Training job ${plan.jobName} was stopped: it reached its maximum runtime of ${Math.ceil(limitMs / 1000)}s`,
    );
  }
  return new WaitTimeoutError(
    `Training job ${plan.jobName} was stopped after the timeout of ${formatDuration(limitMs)}: a local run cannot ` +
      'outlive its step; raise timeout to give it longer',
    `training job ${plan.jobName}`,
    limitMs,
    'InProgress',
  );
}
