// Shared by the SageMaker job tests: virtual time, AWS-shaped errors and SDK clients that never reach the network.
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  type DescribeLogStreamsCommandInput,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
  type OutputLogEvent,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { CancelledError } from '../../../packages/core/src/errors.js';
import type { recordingLogger } from '../../../packages/core/src/logger.js';

export const START = 1_700_000_000_000;

/**
 * Virtual time: sleeping advances the clock at once. `at(ms, fn)` runs `fn` when the clock first reaches START + ms
 * (during a sleep), which is how a test aborts "in the middle" of a wait. A sleep honours its signal like core's.
 */
export function fakeClock() {
  let t = START;
  const sleeps: number[] = [];
  const timers: { at: number; fn: () => void }[] = [];
  const fire = () => {
    for (const timer of [...timers].sort((a, b) => a.at - b.at)) {
      if (timer.at > t) break;
      timers.splice(timers.indexOf(timer), 1);
      timer.fn();
    }
  };
  return {
    sleeps,
    now: () => t,
    get elapsed() {
      return t - START;
    },
    at(ms: number, fn: () => void) {
      timers.push({ at: START + ms, fn });
    },
    sleep: async (ms: number, signal?: AbortSignal) => {
      // Settle asynchronously, as a real timer does: callers attach their handlers before anything fires.
      await Promise.resolve();
      if (signal?.aborted) throw new CancelledError();
      sleeps.push(ms);
      const until = t + ms;
      // Stop at a pending timer inside this sleep, so an abort lands at its own time, not at the end of the sleep.
      const next = timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      t = next ? Math.max(t, next.at) : until;
      fire();
      if (signal?.aborted) throw new CancelledError();
      t = until;
    },
  };
}

export function awsError(name: string, status = 400, message = `${name} happened`, attempts = 1): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts } });
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export function sageMakerClient(): SageMakerClient {
  return new SageMakerClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
}

export function logsClient(): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
}

export type RecordingLogger = ReturnType<typeof recordingLogger>;

export function messages(logger: RecordingLogger, level: 'debug' | 'info' | 'warning' | 'error' = 'info'): string[] {
  return logger.lines.filter((line) => line.level === level).map((line) => line.message);
}

/**
 * An in-memory /aws/sagemaker/TrainingJobs group behind a mocked CloudWatch Logs client, paginating like the service:
 * DescribeLogStreams pages by `streamPageSize` with a nextToken; GetLogEvents pages forward by `eventPageSize` and
 * answers the token it was given when there is nothing new. `failNext` queues errors per operation; `rewind` makes
 * the next page of a stream start a few events early (overlapping pages, as after a lost answer).
 */
export class FakeLogGroup {
  readonly streams = new Map<string, OutputLogEvent[]>();
  exists = true;
  streamPageSize = 50;
  eventPageSize = 10_000;
  readonly calls = { describe: 0, get: 0 };
  readonly describeTimes: number[] = [];
  readonly failNext: { describe: Error[]; get: Error[] } = { describe: [], get: [] };
  private readonly rewinds = new Map<string, number>();

  constructor(private readonly now: () => number = () => START) {}

  /** Creates the stream if needed and appends one event per message, timestamped now + i ms. */
  append(stream: string, ...messages: string[]): void {
    const events = this.streams.get(stream) ?? [];
    this.streams.set(stream, events);
    const base = this.now();
    messages.forEach((message, i) => {
      events.push({ timestamp: base + i, ingestionTime: base + i + 100, message });
    });
  }

  rewind(stream: string, events: number): void {
    this.rewinds.set(stream, events);
  }

  install(client: CloudWatchLogsClient): void {
    const mock = mockClient(client);
    mock.on(DescribeLogStreamsCommand).callsFake((input: DescribeLogStreamsCommandInput) => {
      this.calls.describe++;
      this.describeTimes.push(this.now());
      const failure = this.failNext.describe.shift();
      if (failure) throw failure;
      if (!this.exists)
        throw new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} });
      const names = [...this.streams.keys()].filter((n) => n.startsWith(input.logStreamNamePrefix ?? '')).sort();
      const start = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
      const size = Math.min(input.limit ?? 50, this.streamPageSize);
      const page = names.slice(start, start + size);
      const next = start + size < names.length ? `s/${start + size}` : undefined;
      return { logStreams: page.map((logStreamName) => ({ logStreamName })), ...(next ? { nextToken: next } : {}) };
    });
    mock.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) => {
      this.calls.get++;
      const failure = this.failNext.get.shift();
      if (failure) throw failure;
      if (!this.exists)
        throw new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} });
      const events = this.streams.get(input.logStreamName ?? '');
      if (!events)
        throw new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} });
      let start = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
      const rewind = this.rewinds.get(input.logStreamName ?? '');
      if (rewind) {
        this.rewinds.delete(input.logStreamName ?? '');
        start = Math.max(0, start - rewind);
      }
      const page = events.slice(start, start + this.eventPageSize);
      const token = page.length ? `f/${start + page.length}` : (input.nextToken ?? `f/${start}`);
      return { events: page, nextForwardToken: token, nextBackwardToken: `b/${start}` };
    });
  }
}
