// Stopping a job that is still running after the step that started it has ended: the safety net behind the train
// action's post step, for a runner that died or a cancellation whose stop request did not get through.
import {
  DescribeHyperParameterTuningJobCommand,
  DescribeTrainingJobCommand,
  type SageMakerClient,
  StopHyperParameterTuningJobCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { type Logger, silentLogger } from '@mlops-actions/core';
import { isNotFoundError, operationError } from './shared.js';

export type JobKind = 'training' | 'tuning';

export interface StopIfRunningOptions {
  client: SageMakerClient;
  kind: JobKind;
  name: string;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface StopIfRunningResult {
  /** `stopped`: a stop request was sent; `not-running`: nothing to do; `not-found`: no such job. */
  outcome: 'stopped' | 'not-running' | 'not-found';
  /** The status the job had when it was looked at. */
  status?: string;
}

/**
 * Sends StopTrainingJob / StopHyperParameterTuningJob when the job is InProgress, and nothing otherwise (Stopping,
 * Completed, Failed, Stopped). Stopping a tuning job stops its training jobs too. Throws an Error whose message is
 * one sentence when a call fails.
 */
export async function stopJobIfRunning(options: StopIfRunningOptions): Promise<StopIfRunningResult> {
  const { client, kind, name, logger = silentLogger, signal } = options;
  const what = `${kind} job ${name}`;
  let status: string | undefined;
  try {
    status =
      kind === 'training'
        ? (await client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }), { abortSignal: signal }))
            .TrainingJobStatus
        : (
            await client.send(new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }), {
              abortSignal: signal,
            })
          ).HyperParameterTuningJobStatus;
  } catch (error) {
    if (isNotFoundError(error)) return { outcome: 'not-found' };
    throw operationError(error, `Describing ${what}`, signal);
  }
  if (status !== 'InProgress') {
    logger.info(`${kind === 'training' ? 'Training' : 'Tuning'} job ${name} is ${status}: nothing to stop`);
    return { outcome: 'not-running', status };
  }
  try {
    if (kind === 'training') {
      await client.send(new StopTrainingJobCommand({ TrainingJobName: name }), { abortSignal: signal });
    } else {
      await client.send(new StopHyperParameterTuningJobCommand({ HyperParameterTuningJobName: name }), {
        abortSignal: signal,
      });
    }
  } catch (error) {
    throw operationError(error, `Stopping ${what}`, signal);
  }
  logger.info(`Asked SageMaker to stop ${what}, which this run started and which was still running`);
  return { outcome: 'stopped', status };
}
