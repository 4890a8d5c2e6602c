// Small pieces the training-job and tuning-job lifecycles share: how SageMaker says "no such job" and "already
// exists", one-line messages, and stopping what this run started after a cancellation without outliving the runner.
import {
  awsErrorCode,
  CancelledError,
  ConfigurationError,
  describeAwsError,
  errorMessage,
  formatDuration,
  isAbortError,
  type Logger,
  sleep as defaultSleep,
} from '@mlops-actions/core';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * DescribeTrainingJob declares ResourceNotFound, but SageMaker answers a missing training job with
 * `ValidationException: Requested resource not found` (and moto with "Could not find training job"), so both count.
 */
export function isNotFoundError(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code === 'ResourceNotFound' || code === 'ResourceNotFoundException') return true;
  return code === 'ValidationException' && /not found|could not find|does not exist/i.test(errorMessage(error));
}

/** CreateTrainingJob / CreateHyperParameterTuningJob when the name is taken. */
export function isResourceInUseError(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code === 'ResourceInUse' || code === 'ResourceInUseException';
}

/**
 * The error to throw for a failed SDK call: a CancelledError when the run was cancelled meanwhile (the SDK's own
 * AbortError is no news to the user), otherwise an Error whose message is describeAwsError's sentence.
 */
export function operationError(error: unknown, operation: string, signal?: AbortSignal): Error {
  if (signal?.aborted || isAbortError(error)) return new CancelledError(`Cancelled while ${lowerFirst(operation)}`);
  return new Error(describeAwsError(error, operation), { cause: error });
}

/**
 * operationError for a Create* call. SageMaker answers a request it will not take (a volume key on an instance type
 * with NVMe instance storage, a role it cannot assume) with a ValidationException. The request was built from the
 * inputs and checked against every limit known up front, so what is left is the user's to fix: a ConfigurationError,
 * reported as SageMaker's own sentence, not as an internal error.
 */
export function createError(error: unknown, operation: string, signal?: AbortSignal): Error {
  const failure = operationError(error, operation, signal);
  if (failure instanceof CancelledError || awsErrorCode(error) !== 'ValidationException') return failure;
  return new ConfigurationError(failure.message);
}

/** Whitespace collapsed, without a final period, at most `max` characters: text that fits inside one sentence. */
export function oneLine(text: string, max = 1_000): string {
  const line = text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** The SDK's attempt count for a failed call (1 when it was not retried). */
export function sdkAttempts(error: unknown): number {
  return (error as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts ?? 1;
}

/**
 * The runner sends SIGINT, SIGTERM 7.5 s later and kills the process tree 2.5 s after that. The stop request goes out
 * at once; the wait for the job to settle is short and only informs the log line: SageMaker needs tens of seconds to
 * minutes to stop a job and finishes it on its own once asked.
 */
const CANCEL_DEFAULTS = { stopCallTimeoutMs: 4_000, stopWaitMs: 5_000, stopPollMs: 1_000 } as const;

export interface StopAfterCancelOptions {
  /** "training job my-job", for log lines. */
  what: string;
  /** Sends the Stop* call; given a signal that is NOT the cancelled run's (that one has already fired). */
  stop: (signal: AbortSignal) => Promise<void>;
  /** One Describe call returning the status. */
  status: (signal: AbortSignal) => Promise<string | undefined>;
  /** Statuses after which nothing is left to stop (Stopped, Completed, Failed). */
  settled: readonly string[];
  logger: Logger;
  stopWaitMs?: number;
  stopPollMs?: number;
  stopCallTimeoutMs?: number;
  sleep?: Sleep;
  now?: () => number;
}

/**
 * Sends the stop request immediately, waits up to `stopWaitMs` for the job to settle, and returns the CancelledError
 * to throw, whose message says what became of the job. Never throws itself: a failed stop is a warning, since the
 * run is ending either way and the post step gets another chance.
 */
export async function stopAfterCancel(options: StopAfterCancelOptions): Promise<CancelledError> {
  const {
    what,
    logger,
    stopWaitMs = CANCEL_DEFAULTS.stopWaitMs,
    stopPollMs = CANCEL_DEFAULTS.stopPollMs,
    stopCallTimeoutMs = CANCEL_DEFAULTS.stopCallTimeoutMs,
    sleep = defaultSleep,
    now = Date.now,
  } = options;
  logger.info(`The run was cancelled: stopping ${what}`);
  const describe = async (): Promise<string | undefined> => {
    try {
      return await options.status(AbortSignal.timeout(stopCallTimeoutMs));
    } catch (error) {
      logger.debug(`Describing ${what} after the stop request failed: ${errorMessage(error)}`);
      return undefined;
    }
  };
  const ended = (status: string | undefined) =>
    new CancelledError(`Cancelled; ${what} had already ended with status ${status}`);

  try {
    await options.stop(AbortSignal.timeout(stopCallTimeoutMs));
  } catch (error) {
    // SageMaker refuses to stop a job that has just ended (ValidationException); that is no reason to warn.
    const status = await describe();
    if (status !== undefined && options.settled.includes(status)) return ended(status);
    const sentence = describeAwsError(error, `Stopping ${what}`);
    logger.warning(sentence);
    return new CancelledError(`Cancelled; ${what} may still be running: ${lowerFirst(sentence)}`);
  }

  const start = now();
  let status: string | undefined;
  for (;;) {
    status = (await describe()) ?? status;
    if (status !== undefined && options.settled.includes(status)) break;
    if (now() - start + stopPollMs > stopWaitMs) break;
    await sleep(stopPollMs);
  }
  if (status === 'Stopped') return new CancelledError(`Cancelled; ${what} was stopped`);
  if (status !== undefined && options.settled.includes(status)) return ended(status);
  return new CancelledError(
    `Cancelled; SageMaker was asked to stop ${what} and finishes stopping it on its own` +
      ` (status ${status ?? 'unknown'} after ${formatDuration(now() - start)})`,
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
