// The one way an action entry point runs: cancellation wired to an AbortSignal, user errors as one clean line each,
// internal errors with their stack in debug output.
import { isMainThread } from 'node:worker_threads';
import * as core from '@actions/core';
import { errorMessage, isAbortError, isUserError } from '../errors.js';
import { WaitFailedError, WaitTimeoutError } from '../wait.js';
import type { Logger } from '../logger.js';

export interface ActionRun {
  /** Aborted on SIGINT/SIGTERM; every wait and child process of the action honours it. */
  signal: AbortSignal;
  logger: Logger;
}

export const actionsLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  error: (message) => core.error(message),
};

const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `main`, then sets the exit code. Never throws: what went wrong is reported through workflow commands, so the
 * runner shows one readable line instead of a Node stack trace.
 */
export async function runAction(main: (run: ActionRun) => Promise<void>): Promise<void> {
  // Worker threads of a bundle start the bundle's own entry again (ncc cannot emit a separate worker file); the
  // action runs only on the main thread.
  if (!isMainThread) return;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      core.info(`Received ${signal} again; still stopping.`);
      return;
    }
    core.info(`Received ${signal}: cancelling, and stopping what this run started.`);
    controller.abort(new Error(`cancelled by ${signal}`));
  };
  for (const signal of CANCEL_SIGNALS) process.on(signal, onSignal);
  try {
    await main({ signal: controller.signal, logger: actionsLogger });
  } catch (error) {
    reportFailure(error, controller.signal);
  } finally {
    for (const signal of CANCEL_SIGNALS) process.off(signal, onSignal);
  }
}

export function reportFailure(error: unknown, signal?: AbortSignal): void {
  process.exitCode = 1;
  if (isUserError(error)) {
    const problems = 'problems' in error ? error.problems : [error.message];
    for (const problem of problems) core.error(problem);
    return;
  }
  // A cloud job that failed or outlived its timeout is the user's news, not our bug: one sentence, no stack.
  if (error instanceof WaitFailedError || error instanceof WaitTimeoutError) {
    core.error(error.message);
    return;
  }
  if (isAbortError(error) || signal?.aborted) {
    core.error(`Cancelled: ${errorMessage(error)}`);
    return;
  }
  core.error(`Internal error: ${errorMessage(error)}. Re-run with debug logging (ACTIONS_STEP_DEBUG) for details.`);
  if (error instanceof Error && error.stack) core.debug(error.stack);
}
