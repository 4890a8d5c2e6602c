// Waiting on long AWS operations (training jobs, endpoints) the same way everywhere: cheap polling that still notices
// the end quickly, quiet logs, an explicit timeout, prompt cancellation and a sentence rather than a status dump.
import { isTransientError } from './aws.js';
import { CancelledError, errorMessage, isAbortError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';

export interface WaitForOptions<T> {
  /** What is waited on, in the middle of a sentence: "training job my-job-12-1". */
  what: string;
  /** One Describe call; pass the signal on to the SDK (`{ abortSignal }`). */
  describe: (signal: AbortSignal) => Promise<T>;
  /** The status string; a line is logged only when it changes. */
  status: (t: T) => string;
  isTerminal: (t: T) => boolean;
  /** Whether a terminal state is a success; every terminal state is, by default. */
  isSuccess?: (t: T) => boolean;
  /** The sentence for a terminal failure, e.g. `Training job X failed: ${t.FailureReason}`. */
  failureMessage?: (t: T) => string;
  /** The text logged on a status change (defaults to the status). */
  describeStatus?: (t: T) => string;
  timeoutMs: number;
  signal?: AbortSignal;
  logger?: Logger;
  initialDelayMs?: number;
  /** Also the longest a terminal state can go unnoticed. */
  maxDelayMs?: number;
  heartbeatMs?: number;
  /** How long the credentials last; a longer timeout gets a warning up front. */
  credentialSessionMs?: number;
  /** Which describe errors are worth another poll; by default throttling, 5xx and network errors. */
  isTransient?: (error: unknown) => boolean;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export const WAIT_DEFAULTS = {
  initialDelayMs: 2_000,
  maxDelayMs: 15_000,
  heartbeatMs: 5 * 60_000,
  credentialSessionMs: 60 * 60_000,
};

/** The timeout elapsed before a terminal state; the operation itself is still running. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    message: string,
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastStatus: string | undefined,
  ) {
    super(message);
  }
}

/** The operation reached a terminal state that is not a success; `last` is its final description. */
export class WaitFailedError<T = unknown> extends Error {
  override readonly name = 'WaitFailedError';
  constructor(
    message: string,
    readonly last: T,
  ) {
    super(message);
  }
}

/**
 * Polls `describe` until a terminal state and returns that description; throws WaitFailedError for a terminal
 * failure, WaitTimeoutError after `timeoutMs`, CancelledError when `signal` aborts.
 */
export async function waitFor<T>(options: WaitForOptions<T>): Promise<T> {
  const {
    what,
    describe,
    status,
    isTerminal,
    isSuccess = () => true,
    describeStatus = status,
    timeoutMs,
    signal = new AbortController().signal,
    logger = silentLogger,
    initialDelayMs = WAIT_DEFAULTS.initialDelayMs,
    maxDelayMs = WAIT_DEFAULTS.maxDelayMs,
    heartbeatMs = WAIT_DEFAULTS.heartbeatMs,
    credentialSessionMs = WAIT_DEFAULTS.credentialSessionMs,
    isTransient = isTransientError,
    sleep: sleepFor = sleep,
    now = Date.now,
    random = Math.random,
  } = options;
  const What = capitalize(what);
  const failureMessage = options.failureMessage ?? ((t: T) => `${What} ended with status ${status(t)}`);
  const cancelled = () => new CancelledError(`Cancelled while waiting for ${what}`);

  if (timeoutMs > credentialSessionMs) {
    logger.warning(
      `Waiting up to ${formatDuration(timeoutMs)} for ${what} may outlive the ${formatDuration(credentialSessionMs)} ` +
        'credentials of an OIDC session; raise role-duration-seconds or use attach',
    );
  }

  const start = now();
  const deadline = start + timeoutMs;
  let attempt = 0;
  let lastStatus: string | undefined;
  let lastLogAt = start;
  let lastError: unknown;

  for (;;) {
    if (signal.aborted) throw cancelled();
    let described: { t: T } | undefined;
    try {
      described = { t: await describe(signal) };
    } catch (error) {
      if (signal.aborted || error instanceof CancelledError) throw cancelled();
      if (!isTransient(error) || isAbortError(error)) throw error;
      lastError = error;
      logger.debug(`Describing ${what} failed, will retry: ${errorMessage(error)}`);
    }

    if (described) {
      const { t } = described;
      lastError = undefined;
      const current = status(t);
      if (current !== lastStatus) {
        logger.info(`${What}: ${describeStatus(t)}`);
        lastStatus = current;
        lastLogAt = now();
        // A new status means progress; poll briskly again so the next transition is seen soon.
        attempt = 0;
      } else if (now() - lastLogAt >= heartbeatMs) {
        logger.info(`${What} is still ${current} after ${formatDuration(now() - start)}`);
        lastLogAt = now();
      }
      if (isTerminal(t)) {
        if (isSuccess(t)) return t;
        throw new WaitFailedError(failureMessage(t), t);
      }
    }

    const remaining = deadline - now();
    if (remaining <= 0) {
      const state =
        lastStatus === undefined
          ? `its status could not be read (${errorMessage(lastError)})`
          : `it is still ${lastStatus}`;
      throw new WaitTimeoutError(
        `Gave up waiting for ${what} after ${formatDuration(timeoutMs)}; ${state}`,
        what,
        timeoutMs,
        lastStatus,
      );
    }
    const delay = Math.min(backoffDelay(attempt++, { initialDelayMs, maxDelayMs, random }), remaining);
    // Raced against the signal so an injected sleep that ignores it still cannot hold up a cancellation.
    await abortable(sleepFor(delay, signal), signal).catch((error: unknown) => {
      throw signal.aborted || isAbortError(error) ? cancelled() : error;
    });
  }
}

/**
 * Exponential backoff with full jitter, kept between the initial and the max delay: attempt n waits a uniformly random
 * time in [initial, min(max, initial * 2^n)].
 */
export function backoffDelay(
  attempt: number,
  {
    initialDelayMs,
    maxDelayMs,
    random = Math.random,
  }: { initialDelayMs: number; maxDelayMs: number; random?: () => number },
): number {
  const floor = Math.min(initialDelayMs, maxDelayMs);
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 30));
  return floor + random() * Math.max(0, ceiling - floor);
}

/** Resolves after `ms`; rejects with CancelledError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledBy(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledBy(signal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelledBy(signal: AbortSignal | undefined): CancelledError {
  return signal?.reason instanceof CancelledError ? signal.reason : new CancelledError();
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The promise (an abort-aware sleep) rejects too; nobody else awaits it, and an unhandled rejection ends the process.
    promise.catch(() => {});
    return Promise.reject(cancelledBy(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledBy(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** "45s", "12m", "1h 2m", "2d 3h": the largest unit and the next one when it is not zero. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const total = Math.round(ms / 1000);
  const units: [number, string][] = [
    [Math.floor(total / 86_400), 'd'],
    [Math.floor(total / 3_600) % 24, 'h'],
    [Math.floor(total / 60) % 60, 'm'],
    [total % 60, 's'],
  ];
  const first = units.findIndex(([value]) => value > 0);
  const [value, unit] = units[first]!;
  const next = units[first + 1];
  return next && next[0] > 0 ? `${value}${unit} ${next[0]}${next[1]}` : `${value}${unit}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
