// One step's process, started and stopped the way the runner does it.
//
// Decisions:
// - Every step runs as the leader of its own process group (detached), so a Ctrl+C in the terminal reaches only the
//   local runner, which then forwards it deliberately, like the runner's cancellation: SIGINT, SIGTERM 7.5 s later,
//   SIGKILL to the whole group 2.5 s after that.
// - SIGINT goes to the process alone for an action (the action handles it and stops what it started, e.g. train's
//   training process tree) and to the whole group for a `run:` step, as a terminal's Ctrl+C would, so a long
//   `python train.py` in a run step stops too.
import { spawn } from 'node:child_process';

export const CANCEL_ESCALATION = { sigtermAfterMs: 7_500, sigkillAfterMs: 2_500 };

/** The groups of the steps running now, so a second Ctrl+C can end them at once. */
export const runningProcessGroups = new Set<number>();

export interface StepProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Whether SIGINT goes to the whole process group (run steps) or to the process alone (actions). */
  interruptGroup: boolean;
  /** Aborted when the run is cancelled. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface StepProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the process could not start (no such shell, ...). */
  startError?: Error;
}

function signalProcess(pid: number, signal: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function runStepProcess(options: StepProcessOptions): Promise<StepProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid;
    const result: StepProcessResult = { exitCode: null, signal: null, timedOut: false, cancelled: false };
    const timers: NodeJS.Timeout[] = [];
    let stopping = false;
    const stop = () => {
      if (stopping || pid === undefined) return;
      stopping = true;
      signalProcess(pid, 'SIGINT', options.interruptGroup);
      timers.push(
        setTimeout(() => {
          signalProcess(pid, 'SIGTERM', options.interruptGroup);
          timers.push(setTimeout(() => signalProcess(pid, 'SIGKILL', true), CANCEL_ESCALATION.sigkillAfterMs));
        }, CANCEL_ESCALATION.sigtermAfterMs),
      );
    };
    const onAbort = () => {
      result.cancelled = true;
      stop();
    };
    if (pid !== undefined) runningProcessGroups.add(pid);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          result.timedOut = true;
          stop();
        }, options.timeoutMs),
      );
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => options.onOutput(chunk, 'stdout'));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => options.onOutput(chunk, 'stderr'));
    let finished = false;
    // 'error' (the process could not start) may be followed by 'close': settle once.
    const finish = () => {
      if (finished) return;
      finished = true;
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined) runningProcessGroups.delete(pid);
      resolve(result);
    };
    child.on('error', (error) => {
      result.startError = error;
      finish();
    });
    child.on('close', (code, signal) => {
      result.exitCode = code;
      result.signal = signal;
      finish();
    });
  });
}
