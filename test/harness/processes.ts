// Whether a process a test started has ended, for the tests that check a cancellation or a timeout left nothing behind.
import { existsSync, readFileSync } from 'node:fs';

/**
 * Whether a process runs. An orphan that ended lingers as a zombie until PID 1 reaps it, so /proc's state decides where
 * there is a /proc; elsewhere signal 0 does, so the answer is never "ended" merely because /proc cannot be read.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
  } catch {
    // With /proc present, a missing entry means it ended between the two checks.
    return !existsSync('/proc/self');
  }
}
