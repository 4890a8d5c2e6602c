// Live CloudWatch logs of a SageMaker training job. Each host writes its own stream `<job>/algo-N-<epoch>` in the group
// /aws/sagemaker/TrainingJobs (a host restarted after a spot interruption gets a new stream). The streamer finds the
// streams with DescribeLogStreams, which is limited to 5 requests a second per account and so is asked at most every
// `discoveryIntervalMs`, then pages each stream forward with GetLogEvents. Errors never fail the wait: the group not
// existing yet is normal early in a job, throttling backs off, and a missing permission turns streaming off with one
// warning.
import {
  type CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  awsErrorCode,
  describeAwsError,
  errorMessage,
  isAbortError,
  isThrottlingError,
  isTransientError,
  type Logger,
  silentLogger,
  sleep as defaultSleep,
} from '@mlops-actions/core';
import type { Sleep } from './shared.js';

export const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';

const LOG_STREAM_DEFAULTS = {
  /** DescribeLogStreams is limited to 5 TPS per account, shared with every other job polling its logs. */
  discoveryIntervalMs: 10_000,
  /** Pages read per stream per poll, so a chatty job cannot hold up noticing the end of the job. */
  maxPagesPerPoll: 10,
  /** Pages per stream for the final flush, which has nothing else to wait for. */
  maxPagesFinal: 100,
  /** Kept for a failure summary. */
  tailLines: 100,
  /** Event keys remembered per stream for de-duplication (older events are covered by a timestamp watermark). */
  seenEventsPerStream: 10_000,
  throttleBackoffMs: 5_000,
  maxThrottleBackoffMs: 60_000,
  /** Pause between DescribeLogStreams pages (more than 50 streams) to stay under 5 TPS. */
  discoveryPagePauseMs: 250,
} as const;

export interface TrainingLogStreamerOptions {
  client: CloudWatchLogsClient;
  jobName: string;
  /** Where lines go (`info`), and where debug notes and the one warning of a permission problem go. */
  logger?: Logger;
  /** Called for each printed line instead of `logger.info`. */
  onLine?: (line: string) => void;
  logGroupName?: string;
  discoveryIntervalMs?: number;
  maxPagesPerPoll?: number;
  maxPagesFinal?: number;
  tailLines?: number;
  seenEventsPerStream?: number;
  now?: () => number;
  sleep?: Sleep;
}

export interface LogPollOptions {
  signal?: AbortSignal;
  /** The job's instance count: with more than one host, lines carry a `[algo-N]` prefix from the start. */
  hosts?: number;
  /** The final flush after the terminal status: look for streams whatever the interval, and read them to the end. */
  final?: boolean;
}

interface StreamState {
  name: string;
  host: string;
  /** The nextForwardToken to continue from; undefined reads from the head. */
  token: string | undefined;
  seen: SeenEvents;
}

interface PendingEvent {
  stream: StreamState;
  event: OutputLogEvent;
  order: number;
}

/**
 * Follows every host's log stream of one training job. Call `poll` on each tick of the wait and `flush` once after
 * the terminal status; neither throws (an aborted signal just ends the call early).
 */
export class TrainingLogStreamer {
  private readonly client: CloudWatchLogsClient;
  private readonly jobName: string;
  private readonly logger: Logger;
  private readonly onLine: (line: string) => void;
  private readonly logGroupName: string;
  private readonly discoveryIntervalMs: number;
  private readonly maxPagesPerPoll: number;
  private readonly maxPagesFinal: number;
  private readonly tailLimit: number;
  private readonly seenLimit: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;

  private readonly streams = new Map<string, StreamState>();
  private readonly tailBuffer: string[] = [];
  private lastDiscoveryAt = Number.NEGATIVE_INFINITY;
  private throttledUntil = Number.NEGATIVE_INFINITY;
  private consecutiveThrottles = 0;
  private disabled = false;
  private readonly warnedCodes = new Set<string>();
  private printed = 0;

  constructor(options: TrainingLogStreamerOptions) {
    this.client = options.client;
    this.jobName = options.jobName;
    this.logger = options.logger ?? silentLogger;
    this.onLine = options.onLine ?? ((line) => this.logger.info(line));
    this.logGroupName = options.logGroupName ?? TRAINING_LOG_GROUP;
    this.discoveryIntervalMs = options.discoveryIntervalMs ?? LOG_STREAM_DEFAULTS.discoveryIntervalMs;
    this.maxPagesPerPoll = options.maxPagesPerPoll ?? LOG_STREAM_DEFAULTS.maxPagesPerPoll;
    this.maxPagesFinal = options.maxPagesFinal ?? LOG_STREAM_DEFAULTS.maxPagesFinal;
    this.tailLimit = options.tailLines ?? LOG_STREAM_DEFAULTS.tailLines;
    this.seenLimit = options.seenEventsPerStream ?? LOG_STREAM_DEFAULTS.seenEventsPerStream;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The last printed lines (host prefix included), oldest first. */
  get tail(): string[] {
    return [...this.tailBuffer];
  }

  get linesPrinted(): number {
    return this.printed;
  }

  get streamNames(): string[] {
    return [...this.streams.keys()];
  }

  async poll(options: LogPollOptions = {}): Promise<void> {
    const { signal, final = false } = options;
    if (this.disabled || signal?.aborted) return;
    if (this.now() < this.throttledUntil) {
      if (!final) return;
      // The final flush is the last chance for the closing lines; a short throttle is worth waiting out.
      const wait = this.throttledUntil - this.now();
      if (wait > LOG_STREAM_DEFAULTS.maxThrottleBackoffMs / 4) return;
      await this.sleep(wait, signal).catch(() => undefined);
      if (signal?.aborted) return;
    }

    if (final || this.now() - this.lastDiscoveryAt >= this.discoveryIntervalMs) {
      this.lastDiscoveryAt = this.now();
      const error = await this.discover(signal);
      if (error !== undefined && this.handleError(error, 'Listing the log streams')) return;
    }

    const pending: PendingEvent[] = [];
    let firstError: unknown;
    for (const stream of this.streams.values()) {
      if (signal?.aborted) break;
      const error = await this.readStream(stream, pending, final ? this.maxPagesFinal : this.maxPagesPerPoll, signal);
      if (error !== undefined) {
        firstError ??= error;
        // Throttled: the other streams would be throttled too.
        if (isThrottlingError(error)) break;
      }
    }
    // Printed even when a later stream failed: these events are marked seen, and would otherwise be lost.
    this.print(pending, options.hosts ?? 1);
    if (firstError !== undefined) this.handleError(firstError, 'Reading the log events');
    else this.consecutiveThrottles = 0;
  }

  /** One last poll after the terminal status, reading every stream to its end. */
  async flush(options: Omit<LogPollOptions, 'final'> = {}): Promise<void> {
    await this.poll({ ...options, final: true });
    if (!this.disabled && this.streams.size === 0) {
      this.logger.info(
        `No CloudWatch logs were found for training job ${this.jobName} (log group ${this.logGroupName})`,
      );
    }
  }

  /** Finds new streams; returns the error that ended the listing, if any. */
  private async discover(signal: AbortSignal | undefined): Promise<unknown> {
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new DescribeLogStreamsCommand({
            logGroupName: this.logGroupName,
            logStreamNamePrefix: `${this.jobName}/`,
            nextToken,
            limit: 50,
          }),
          { abortSignal: signal },
        );
        for (const stream of page.logStreams ?? []) {
          const name = stream.logStreamName;
          if (!name || this.streams.has(name)) continue;
          this.streams.set(name, {
            name,
            host: hostOf(name, this.jobName),
            token: undefined,
            seen: new SeenEvents(this.seenLimit),
          });
          this.logger.debug(`Following log stream ${name}`);
        }
        nextToken = page.nextToken;
        if (nextToken) await this.sleep(LOG_STREAM_DEFAULTS.discoveryPagePauseMs, signal);
      } while (nextToken);
      return undefined;
    } catch (error) {
      return error;
    }
  }

  /**
   * Pages one stream forward until the token repeats (CloudWatch's "no more events for now") or the page budget is
   * spent; new events are marked seen and queued. Returns the error that stopped the paging, if any.
   */
  private async readStream(
    stream: StreamState,
    pending: PendingEvent[],
    maxPages: number,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    for (let page = 0; page < maxPages; page++) {
      let answer;
      try {
        answer = await this.client.send(
          new GetLogEventsCommand({
            logGroupName: this.logGroupName,
            logStreamName: stream.name,
            startFromHead: true,
            ...(stream.token ? { nextToken: stream.token } : {}),
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        if (awsErrorCode(error) === 'InvalidParameterException' && stream.token) {
          // Tokens expire after 24 hours; read again from the head and let the seen-set drop what was printed.
          this.logger.debug(`Restarting ${stream.name} from its head: ${errorMessage(error)}`);
          stream.token = undefined;
          continue;
        }
        return error;
      }
      for (const event of answer.events ?? []) {
        if (stream.seen.checkAndAdd(event)) continue;
        pending.push({ stream, event, order: pending.length });
      }
      const previous = stream.token;
      if (answer.nextForwardToken) stream.token = answer.nextForwardToken;
      if (!answer.nextForwardToken || answer.nextForwardToken === previous) return undefined;
    }
    return undefined;
  }

  private print(pending: PendingEvent[], hosts: number): void {
    if (pending.length === 0) return;
    const hostNames = new Set([...this.streams.values()].map((s) => s.host));
    const prefixed = hosts > 1 || hostNames.size > 1;
    // Several hosts read in one poll: merged by time, so a line from algo-2 is not printed minutes after algo-1's.
    pending.sort((a, b) => (a.event.timestamp ?? 0) - (b.event.timestamp ?? 0) || a.order - b.order);
    for (const { stream, event } of pending) {
      const text = (event.message ?? '').replace(/\r?\n$/, '');
      for (const part of text.split(/\r?\n/)) {
        const line = prefixed ? `[${stream.host}] ${part}` : part;
        this.onLine(line);
        this.printed++;
        this.tailBuffer.push(line);
        if (this.tailBuffer.length > this.tailLimit) this.tailBuffer.shift();
      }
    }
  }

  /**
   * Logs an error at the level it deserves and adjusts the streaming (backoff, off). Returns true when the rest of
   * the poll is pointless: cancelled, no log group yet, throttled, or turned off. After other errors (a network blip,
   * a 5xx) the streams already known are still worth reading.
   */
  private handleError(error: unknown, doing: string): boolean {
    if (isAbortError(error)) return true;
    const code = awsErrorCode(error) ?? 'Error';
    if (code === 'ResourceNotFoundException') {
      // The group (or a stream) does not exist until the first host writes to it.
      this.logger.debug(`${doing} for ${this.jobName}: ${errorMessage(error)}`);
      return true;
    }
    if (isThrottlingError(error)) {
      this.consecutiveThrottles++;
      const backoff = Math.min(
        LOG_STREAM_DEFAULTS.maxThrottleBackoffMs,
        LOG_STREAM_DEFAULTS.throttleBackoffMs * 2 ** (this.consecutiveThrottles - 1),
      );
      this.throttledUntil = this.now() + backoff;
      this.logger.debug(`${doing} was throttled; trying again in ${Math.round(backoff / 1000)}s`);
      return true;
    }
    if (isTransientError(error)) {
      this.logger.debug(`${doing} failed, will retry: ${errorMessage(error)}`);
      return false;
    }
    const sentence = describeAwsError(error, `${doing} of training job ${this.jobName}`);
    if (PERMISSION_CODES.test(code) || httpStatus(error) === 403) {
      this.disabled = true;
      this.logger.warning(`${sentence}; the training logs are not shown, the wait goes on without them`);
      return true;
    }
    if (!this.warnedCodes.has(code)) {
      this.warnedCodes.add(code);
      this.logger.warning(`${sentence}; will keep trying`);
    } else {
      this.logger.debug(sentence);
    }
    return false;
  }
}

// Retrying these cannot help until someone changes the role or the credentials.
const PERMISSION_CODES =
  /AccessDenied|Forbidden|Unauthorized|ExpiredToken|InvalidClientTokenId|UnrecognizedClient|CredentialsProviderError/;

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** `<job>/algo-2-1700000000` -> `algo-2`: a host keeps its name across the streams of its restarts. */
export function hostOf(streamName: string, jobName: string): string {
  const rest = streamName.startsWith(`${jobName}/`) ? streamName.slice(jobName.length + 1) : streamName;
  return rest.replace(/-\d+$/, '') || rest;
}

/**
 * The events of one stream already printed, by timestamp + ingestion time + message. Bounded: once `limit` keys are
 * held the oldest are dropped and their timestamp becomes a watermark, and anything at or before it counts as seen.
 * Events come in timestamp order, so only a re-read of old pages (an expired token) meets the watermark.
 */
export class SeenEvents {
  private readonly keys = new Set<string>();
  /** Remembered keys, oldest first, from `head` on (a queue without shifting the array on every event). */
  private queue: { key: string; timestamp: number }[] = [];
  private head = 0;
  private watermark = Number.NEGATIVE_INFINITY;

  constructor(private readonly limit: number) {}

  /** True when the event was seen before; otherwise remembers it and returns false. */
  checkAndAdd(event: OutputLogEvent): boolean {
    const timestamp = event.timestamp ?? 0;
    if (timestamp <= this.watermark) return true;
    const key = `${timestamp}\u0000${event.ingestionTime ?? ''}\u0000${event.message ?? ''}`;
    if (this.keys.has(key)) return true;
    this.keys.add(key);
    this.queue.push({ key, timestamp });
    while (this.queue.length - this.head > this.limit) {
      const oldest = this.queue[this.head++]!;
      this.keys.delete(oldest.key);
      this.watermark = Math.max(this.watermark, oldest.timestamp);
    }
    if (this.head > this.limit) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return false;
  }
}
