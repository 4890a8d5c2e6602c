// Ctrl+C for a local run, as on GitHub: the first SIGINT (or SIGTERM) cancels the run, which forwards SIGINT to the
// running step and still runs post steps and `always()` steps; a second one ends every running step's process group
// at once and exits with 130.
import { runningProcessGroups } from './step-process.js';

export function cancelOnSignals(): { signal: AbortSignal } {
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!cancel.signal.aborted) {
      process.stderr.write(`\n${signal}: cancelling the run (post steps still run); again to stop at once\n`);
      cancel.abort();
      return;
    }
    for (const group of runningProcessGroups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: cancel.signal };
}
