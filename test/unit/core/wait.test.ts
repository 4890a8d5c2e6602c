import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError } from '../../../packages/core/src/errors.js';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import {
  backoffDelay,
  formatDuration,
  sleep,
  waitFor,
  WaitFailedError,
  WaitTimeoutError,
  type WaitForOptions,
} from '../../../packages/core/src/wait.js';

interface Job {
  TrainingJobStatus: string;
  FailureReason?: string;
}

const MIN = 60_000;

/** Virtual time: sleeping advances the clock instantly, and every sleep is recorded. */
function fakeClock() {
  let t = 1_700_000_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    get elapsed() {
      return t - 1_700_000_000_000;
    },
  };
}

/** A describe that walks through `statuses`, repeating the last one. */
function sequence(statuses: (string | Job | Error)[]) {
  let calls = 0;
  const describe = async (): Promise<Job> => {
    const next = statuses[Math.min(calls++, statuses.length - 1)]!;
    if (next instanceof Error) throw next;
    return typeof next === 'string' ? { TrainingJobStatus: next } : next;
  };
  return { describe, calls: () => calls };
}

function options(
  statuses: (string | Job | Error)[],
  overrides: Partial<WaitForOptions<Job>> = {},
): {
  opts: WaitForOptions<Job>;
  clock: ReturnType<typeof fakeClock>;
  logger: ReturnType<typeof recordingLogger>;
  calls: () => number;
} {
  const clock = fakeClock();
  const logger = recordingLogger();
  const { describe, calls } = sequence(statuses);
  const opts: WaitForOptions<Job> = {
    what: 'training job X',
    describe,
    status: (j) => j.TrainingJobStatus,
    isTerminal: (j) => ['Completed', 'Failed', 'Stopped'].includes(j.TrainingJobStatus),
    isSuccess: (j) => j.TrainingJobStatus === 'Completed',
    failureMessage: (j) => `Training job X failed: ${j.FailureReason}`,
    timeoutMs: 30 * MIN,
    logger,
    initialDelayMs: 1_000,
    maxDelayMs: 10_000,
    heartbeatMs: 1_000 * MIN,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    ...overrides,
  };
  return { opts, clock, logger, calls };
}

const infos = (logger: ReturnType<typeof recordingLogger>) =>
  logger.lines.filter((l) => l.level === 'info').map((l) => l.message);

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

describe('waitFor', () => {
  it('logs only when the status changes and returns the terminal description', async () => {
    const { opts, logger, calls } = options([
      'Pending',
      'Pending',
      'InProgress',
      'InProgress',
      'InProgress',
      'Completed',
    ]);
    const job = await waitFor(opts);
    assert.equal(job.TrainingJobStatus, 'Completed');
    assert.equal(calls(), 6);
    assert.deepEqual(infos(logger), [
      'Training job X: Pending',
      'Training job X: InProgress',
      'Training job X: Completed',
    ]);
  });

  it('logs describeStatus on a change', async () => {
    const { opts, logger } = options(['InProgress', 'Completed'], {
      describeStatus: (j) => `${j.TrainingJobStatus} (secondary: Training)`,
    });
    await waitFor(opts);
    assert.deepEqual(infos(logger), [
      'Training job X: InProgress (secondary: Training)',
      'Training job X: Completed (secondary: Training)',
    ]);
  });

  it('writes a heartbeat line every heartbeatMs while the status stays the same', async () => {
    // Polls every 10 s (initial = max), 20 polls in progress: heartbeats at 1m, 2m, 3m.
    const statuses = [...Array<string>(20).fill('InProgress'), 'Completed'];
    const { opts, logger } = options(statuses, { initialDelayMs: 10_000, maxDelayMs: 10_000, heartbeatMs: MIN });
    await waitFor(opts);
    assert.deepEqual(infos(logger), [
      'Training job X: InProgress',
      'Training job X is still InProgress after 1m',
      'Training job X is still InProgress after 2m',
      'Training job X is still InProgress after 3m',
      'Training job X: Completed',
    ]);
  });

  it('gives up after timeoutMs with a sentence, checking one last time at the deadline', async () => {
    const { opts, clock } = options(['InProgress']);
    await assert.rejects(waitFor(opts), (error: unknown) => {
      assert.ok(error instanceof WaitTimeoutError);
      assert.equal(error.message, 'Gave up waiting for training job X after 30m; it is still InProgress');
      assert.equal(error.lastStatus, 'InProgress');
      return true;
    });
    // The last sleep is cut short so the final describe happens exactly at the deadline, not up to maxDelay after.
    assert.equal(clock.elapsed, 30 * MIN);
  });

  it('says so when the status could never be read before the timeout', async () => {
    const { opts } = options([awsError('ThrottlingException', 400)], { timeoutMs: MIN });
    await assert.rejects(
      waitFor(opts),
      /^WaitTimeoutError: Gave up waiting for training job X after 1m; its status could not be read \(ThrottlingException happened\)$/,
    );
  });

  it('turns a terminal failure into the failure sentence', async () => {
    const failed: Job = { TrainingJobStatus: 'Failed', FailureReason: 'AlgorithmError: out of memory' };
    const { opts } = options(['InProgress', failed]);
    await assert.rejects(waitFor(opts), (error: unknown) => {
      assert.ok(error instanceof WaitFailedError);
      assert.equal(error.message, 'Training job X failed: AlgorithmError: out of memory');
      assert.deepEqual(error.last, failed);
      return true;
    });
  });

  it('has a default failure sentence naming the status', async () => {
    const { opts } = options(['Stopped'], { failureMessage: undefined });
    await assert.rejects(waitFor(opts), /^WaitFailedError: Training job X ended with status Stopped$/);
  });

  it('retries transient describe errors with the same backoff', async () => {
    const { opts, calls, clock, logger } = options([
      awsError('ThrottlingException', 400),
      awsError('InternalFailure', 500),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      'Completed',
    ]);
    const job = await waitFor(opts);
    assert.equal(job.TrainingJobStatus, 'Completed');
    assert.equal(calls(), 4);
    assert.equal(clock.sleeps.length, 3);
    assert.ok(clock.sleeps[2]! > clock.sleeps[0]!, 'backoff grows across failed attempts too');
    assert.equal(logger.lines.filter((l) => l.level === 'debug').length, 3);
  });

  it('rethrows a describe error that is not transient, at once', async () => {
    const denied = awsError('AccessDeniedException', 400);
    const { opts, calls } = options(['InProgress', denied, 'Completed']);
    await assert.rejects(waitFor(opts), (error: unknown) => error === denied);
    assert.equal(calls(), 2);
  });

  it('warns up front when the timeout may outlive the credentials', async () => {
    const long = options(['Completed'], { timeoutMs: 2 * 60 * MIN });
    await waitFor(long.opts);
    assert.deepEqual(
      long.logger.lines.filter((l) => l.level === 'warning').map((l) => l.message),
      [
        'Waiting up to 2h for training job X may outlive the 1h credentials of an OIDC session; ' +
          'raise role-duration-seconds or use attach',
      ],
    );
    const short = options(['Completed'], { timeoutMs: 60 * MIN });
    await waitFor(short.opts);
    assert.equal(short.logger.lines.filter((l) => l.level === 'warning').length, 0);
    const custom = options(['Completed'], { timeoutMs: 60 * MIN, credentialSessionMs: 15 * MIN });
    await waitFor(custom.opts);
    assert.match(custom.logger.lines[0]!.message, /outlive the 15m credentials/);
  });

  it('backs off exponentially, within [initial, max], and starts over when the status changes', async () => {
    const statuses = [...Array<string>(7).fill('InProgress'), ...Array<string>(3).fill('Training'), 'Completed'];
    const { opts, clock } = options(statuses, { random: () => 1 });
    await waitFor(opts);
    assert.deepEqual(clock.sleeps, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 1_000, 2_000, 4_000]);

    const low = options(Array<string>(6).fill('InProgress').concat('Completed'), { random: () => 0 });
    await waitFor(low.opts);
    assert.deepEqual(low.clock.sleeps, Array(6).fill(1_000));
  });

  it('cancels promptly when the signal aborts during a sleep', async () => {
    const controller = new AbortController();
    const { opts } = options(['InProgress'], {
      signal: controller.signal,
      sleep: undefined, // the real sleep
      now: undefined,
      initialDelayMs: 60_000,
      maxDelayMs: 60_000,
    });
    const started = Date.now();
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(waitFor(opts), CancelledError);
    assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
  });

  it('cancels promptly even when an injected sleep ignores the signal', async () => {
    const controller = new AbortController();
    const { opts } = options(['InProgress'], {
      signal: controller.signal,
      sleep: () => new Promise<void>(() => {}),
    });
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(waitFor(opts), /^CancelledError: Cancelled while waiting for training job X$/);
  });

  it('treats a describe aborted by the signal as a cancellation', async () => {
    const controller = new AbortController();
    const { opts } = options([], {
      signal: controller.signal,
      describe: async (signal) => {
        controller.abort();
        throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError', aborted: signal.aborted });
      },
    });
    await assert.rejects(waitFor(opts), CancelledError);
  });

  it('does not describe at all when already cancelled', async () => {
    const { opts, calls } = options(['InProgress'], { signal: AbortSignal.abort() });
    await assert.rejects(waitFor(opts), CancelledError);
    assert.equal(calls(), 0);
  });
});

describe('backoffDelay', () => {
  it('stays within [initial, max] and never shrinks as attempts grow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.integer({ min: 0, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (initialDelayMs, maxDelayMs, attempt, r) => {
          const random = () => r;
          const delay = backoffDelay(attempt, { initialDelayMs, maxDelayMs, random });
          const floor = Math.min(initialDelayMs, maxDelayMs);
          assert.ok(delay >= floor && delay <= maxDelayMs, `${delay} outside [${floor}, ${maxDelayMs}]`);
          assert.ok(backoffDelay(attempt + 1, { initialDelayMs, maxDelayMs, random }) >= delay);
        },
      ),
    );
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const started = Date.now();
    await sleep(20);
    assert.ok(Date.now() - started >= 15);
  });

  it('rejects with CancelledError as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(sleep(60_000, controller.signal), CancelledError);
    assert.ok(Date.now() - started < 1_000);
    await assert.rejects(sleep(10, AbortSignal.abort()), CancelledError);
  });
});

describe('formatDuration', () => {
  it('prints the largest unit and the next one when it is not zero', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [250, '250ms'],
      [45_000, '45s'],
      [90_000, '1m 30s'],
      [12 * MIN, '12m'],
      [30 * MIN + 4_000, '30m 4s'],
      [62 * MIN, '1h 2m'],
      [60 * MIN + 5_000, '1h'],
      [2 * 60 * MIN, '2h'],
      [27 * 60 * MIN, '1d 3h'],
      [59_600, '1m'],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms} ms`);
  });
});

describe('cancellation while a describe answer arrives', () => {
  it('rejects with CancelledError and leaves no unhandled rejection behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const controller = new AbortController();
      const wait = waitFor({
        what: 'job x',
        describe: async () => {
          controller.abort(); // SIGINT lands while the answer is on its way
          return 'InProgress';
        },
        status: (s) => s,
        isTerminal: () => false,
        timeoutMs: 60_000,
        signal: controller.signal,
        logger: recordingLogger(),
      });
      await assert.rejects(wait, CancelledError);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
