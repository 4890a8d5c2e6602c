// What the main step hands the post step (GITHUB_STATE -> STATE_*), and what the post step does with it: stop the job
// this run started if it is still running, the safety net for a runner that lost the main step before it could.
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { errorMessage, type Logger } from '@mlops-actions/core';
import { type JobKind, stopJobIfRunning } from '@mlops-actions/sagemaker';

export interface JobState {
  kind: JobKind;
  name: string;
  region: string;
  /**
   * True while this run waits on a job it created with stop-on-cancel on. Cleared when the wait ends without a
   * cancellation: after a terminal status there is nothing to stop, and after a timeout (or with wait: false) the job
   * is meant to keep running.
   */
  stopInPost: boolean;
}

const KEYS = { kind: 'job-kind', name: 'job-name', region: 'region', stopInPost: 'stop-in-post' } as const;

/** Saves every field; saving again overwrites (the runner keeps the last value of each name). */
export function saveJobState(state: JobState, save: (name: string, value: string) => void): void {
  save(KEYS.kind, state.kind);
  save(KEYS.name, state.name);
  save(KEYS.region, state.region);
  save(KEYS.stopInPost, String(state.stopInPost));
}

/** The saved state, or undefined when main saved none (it failed before a job existed, or ran locally). */
export function readJobState(read: (name: string) => string): JobState | undefined {
  const name = read(KEYS.name);
  const kind = read(KEYS.kind);
  if (!name || (kind !== 'training' && kind !== 'tuning')) return undefined;
  return { kind, name, region: read(KEYS.region), stopInPost: read(KEYS.stopInPost) === 'true' };
}

/**
 * The post step's work. Never throws: a post step that fails would mark a finished job as failed, and a stop that
 * did not go through is worth a warning the user can act on, not a red job.
 */
export async function stopJobLeftRunning(
  state: JobState | undefined,
  client: () => SageMakerClient,
  logger: Logger,
  signal?: AbortSignal,
): Promise<'stopped' | 'nothing to do' | 'failed'> {
  if (!state?.stopInPost) {
    logger.debug(state ? `Post: ${state.kind} job ${state.name} needs no stop` : 'Post: no job was started');
    return 'nothing to do';
  }
  try {
    const result = await stopJobIfRunning({ client: client(), kind: state.kind, name: state.name, logger, signal });
    return result.outcome === 'stopped' ? 'stopped' : 'nothing to do';
  } catch (error) {
    logger.warning(
      `${errorMessage(error)}. The ${state.kind} job ${state.name} may still be running: stop it in the SageMaker console`,
    );
    return 'failed';
  }
}
