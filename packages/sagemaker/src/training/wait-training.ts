// Waiting for a training job: core's waitFor polls DescribeTrainingJob (backoff up to 15 s, so the end is noticed
// within 15 s), each secondary status transition is printed once, the hosts' CloudWatch logs are streamed between
// polls, and the end becomes one sentence: success returns the final description, failure and stop throw.
import {
  DescribeTrainingJobCommand,
  type DescribeTrainingJobResponse,
  type SageMakerClient,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  CancelledError,
  describeAwsError,
  type Logger,
  silentLogger,
  waitFor,
  WaitFailedError,
  WaitTimeoutError,
} from '@mlops-actions/core';
import { TrainingLogStreamer, type TrainingLogStreamerOptions } from './log-stream.js';
import { oneLine, type Sleep, stopAfterCancel } from './shared.js';

const TRAINING_TERMINAL_STATUSES = ['Completed', 'Failed', 'Stopped'] as const;

export interface WaitForTrainingJobOptions {
  client: SageMakerClient;
  /** Needed when `streamLogs` is true. */
  logsClient?: CloudWatchLogsClient;
  jobName: string;
  timeoutMs: number;
  /** The run's cancellation (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * Send StopTrainingJob when `signal` aborts. Takes effect only together with `createdByThisRun`: a run stops only
   * the job it started, never one it attached to.
   */
  stopOnAbort: boolean;
  /** StartedTrainingJob.createdByThisRun. */
  createdByThisRun: boolean;
  streamLogs: boolean;
  /** Injected for tests; `sleep` must honour its signal or at least return (waitFor races it against the signal). */
  sleep?: Sleep;
  now?: () => number;
  random?: () => number;
  /** The longest pause between two DescribeTrainingJob calls, hence the longest a terminal state goes unnoticed. */
  maxPollIntervalMs?: number;
  /** How long to watch the job settle after a stop request (default 5 s; see CANCEL_DEFAULTS). */
  stopWaitMs?: number;
  /**
   * How long the credentials last (core's waitFor warns when the timeout is longer; default 1 h, an OIDC session).
   * Pass Infinity for credentials that refresh themselves.
   */
  credentialSessionMs?: number;
  /** Streamer settings (discovery interval, tail length, where lines go). */
  logs?: Pick<
    TrainingLogStreamerOptions,
    'discoveryIntervalMs' | 'maxPagesPerPoll' | 'tailLines' | 'onLine' | 'logGroupName'
  >;
}

/** The job ended in Failed. `last` is its final description; `logTail` the last log lines printed. */
export class TrainingJobFailedError extends WaitFailedError<DescribeTrainingJobResponse> {
  constructor(
    message: string,
    last: DescribeTrainingJobResponse,
    readonly logTail: string[],
  ) {
    super(message, last);
  }
}

/** The job ended in Stopped, and not because this run stopped it on cancel (that is a CancelledError). */
export class TrainingJobStoppedError extends WaitFailedError<DescribeTrainingJobResponse> {
  constructor(
    message: string,
    last: DescribeTrainingJobResponse,
    readonly logTail: string[],
  ) {
    super(message, last);
  }
}

/**
 * Waits for the training job to end and returns its final DescribeTrainingJob answer when it Completed.
 * - Failed: TrainingJobFailedError, "Training job X failed: <FailureReason>".
 * - Stopped: TrainingJobStoppedError, "Training job X was stopped[: why]".
 * - Timeout: core's WaitTimeoutError, its sentence plus how to attach to the job later; the job keeps running.
 * - Abort: CancelledError. With `stopOnAbort` and `createdByThisRun`, StopTrainingJob is sent at once, then the job is
 *   watched for at most `stopWaitMs` (5 s): the runner kills the step 10 s after SIGINT, and SageMaker finishes a
 *   stop on its own, so that short wait only decides what the last log line says.
 */
export async function waitForTrainingJob(options: WaitForTrainingJobOptions): Promise<DescribeTrainingJobResponse> {
  const { client, jobName, signal, logger = silentLogger } = options;
  const what = `training job ${jobName}`;
  const streamer =
    options.streamLogs && options.logsClient
      ? new TrainingLogStreamer({
          client: options.logsClient,
          jobName,
          logger,
          now: options.now,
          sleep: options.sleep,
          ...options.logs,
        })
      : undefined;
  if (options.streamLogs && !options.logsClient) logger.debug(`No CloudWatch Logs client: not streaming ${what}`);
  const transitions = new TransitionPrinter(logger);
  let hosts = 1;

  const describe = async (pollSignal: AbortSignal): Promise<DescribeTrainingJobResponse> => {
    const job = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }), {
      abortSignal: pollSignal,
    });
    transitions.print(job);
    hosts = hostCount(job);
    // Before the terminal check, so the lines that led up to a failure come before the failure.
    await streamer?.poll({ signal: pollSignal, hosts });
    // The streamer returns quietly on abort; waitFor must not go on to sleep with an aborted signal.
    if (pollSignal.aborted) throw new CancelledError(`Cancelled while waiting for ${what}`);
    return job;
  };

  let job: DescribeTrainingJobResponse;
  try {
    job = await waitFor({
      what,
      describe,
      status: (t) => t.TrainingJobStatus ?? 'Unknown',
      isTerminal: (t) => (TRAINING_TERMINAL_STATUSES as readonly string[]).includes(t.TrainingJobStatus ?? ''),
      isSuccess: (t) => t.TrainingJobStatus === 'Completed',
      timeoutMs: options.timeoutMs,
      signal,
      logger,
      ...(options.maxPollIntervalMs !== undefined ? { maxDelayMs: options.maxPollIntervalMs } : {}),
      ...(options.credentialSessionMs !== undefined ? { credentialSessionMs: options.credentialSessionMs } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
  } catch (error) {
    if (error instanceof CancelledError) throw await cancelled(options, what);
    if (error instanceof WaitTimeoutError) {
      throw new WaitTimeoutError(
        `${error.message}. The job keeps running on SageMaker: to follow it again, run the action with attach set to ${jobName}`,
        error.what,
        error.timeoutMs,
        error.lastStatus,
      );
    }
    if (error instanceof WaitFailedError) {
      const last = error.last as DescribeTrainingJobResponse;
      await streamer?.flush({ signal, hosts });
      const tail = streamer?.tail ?? [];
      if (last.TrainingJobStatus === 'Stopped') throw new TrainingJobStoppedError(stoppedMessage(last), last, tail);
      throw new TrainingJobFailedError(failedMessage(last), last, tail);
    }
    throw new Error(describeAwsError(error, `Describing ${what}`), { cause: error });
  }
  await streamer?.flush({ signal, hosts });
  return job;
}

async function cancelled(options: WaitForTrainingJobOptions, what: string): Promise<CancelledError> {
  const { client, jobName, logger = silentLogger } = options;
  if (!options.stopOnAbort || !options.createdByThisRun) {
    const why = options.stopOnAbort ? 'this run did not start it' : 'stopping on cancel is off';
    return new CancelledError(
      `Cancelled while waiting for ${what}, which keeps running on SageMaker (${why}); run the action with attach set to ${jobName} to follow it again`,
    );
  }
  return stopAfterCancel({
    what,
    logger,
    stop: async (signal) => {
      await client.send(new StopTrainingJobCommand({ TrainingJobName: jobName }), { abortSignal: signal });
    },
    status: async (signal) =>
      (await client.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }), { abortSignal: signal }))
        .TrainingJobStatus,
    settled: TRAINING_TERMINAL_STATUSES,
    ...(options.stopWaitMs !== undefined ? { stopWaitMs: options.stopWaitMs } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** "Training job X failed: AlgorithmError: ...", on one line whatever SageMaker put in FailureReason. */
function failedMessage(job: DescribeTrainingJobResponse): string {
  const name = job.TrainingJobName ?? 'unknown';
  const reason = job.FailureReason?.trim();
  if (!reason) return `Training job ${name} failed without a reason from SageMaker`;
  return `Training job ${name} failed: ${oneLine(reason)}`;
}

/** "Training job X was stopped", with the limit it hit when SageMaker stopped it itself. */
function stoppedMessage(job: DescribeTrainingJobResponse): string {
  const name = job.TrainingJobName ?? 'unknown';
  const stopping = job.StoppingCondition ?? {};
  switch (job.SecondaryStatus) {
    case 'MaxRuntimeExceeded':
      return `Training job ${name} was stopped: it reached its maximum runtime of ${stopping.MaxRuntimeInSeconds ?? '?'}s`;
    case 'MaxWaitTimeExceeded':
      return `Training job ${name} was stopped: waiting for spot capacity plus training exceeded its maximum wait of ${stopping.MaxWaitTimeInSeconds ?? '?'}s`;
    default:
      return `Training job ${name} was stopped`;
  }
}

function hostCount(job: DescribeTrainingJobResponse): number {
  const resources = job.ResourceConfig;
  if (resources?.InstanceCount) return resources.InstanceCount;
  // Heterogeneous clusters describe their hosts per instance group.
  const grouped = (resources?.InstanceGroups ?? []).reduce((sum, group) => sum + (group.InstanceCount ?? 0), 0);
  return grouped || 1;
}

/**
 * Prints each SecondaryStatusTransition once, as "Starting: Preparing the instances for training". SageMaker updates
 * the message of the current transition in place ("Downloading the training image" -> "Training in progress"), so a
 * transition is known by its status, start time and message, and an update is printed as a line of its own.
 */
class TransitionPrinter {
  private readonly printed = new Set<string>();
  constructor(private readonly logger: Logger) {}

  print(job: DescribeTrainingJobResponse): void {
    for (const transition of job.SecondaryStatusTransitions ?? []) {
      const start = transition.StartTime ? new Date(transition.StartTime).getTime() : '';
      const message = transition.StatusMessage?.trim();
      const key = `${transition.Status}\u0000${start}\u0000${message ?? ''}`;
      if (this.printed.has(key)) continue;
      this.printed.add(key);
      this.logger.info(message ? `${transition.Status}: ${message}` : `${transition.Status}`);
    }
  }
}
