// Stopping a whole process tree. Training runs as the leader of its own process group (spawn with detached: true),
// so one signal to the negative pid reaches the script and everything it started that did not leave the group.
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from '@mlops-actions/core';

/** Pids of the group's members that are still running (zombies excluded), where /proc can tell; else undefined. */
function livingGroupMembers(pgid: number): number[] | undefined {
  if (process.platform !== 'linux') return undefined;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so read after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/** Whether any process of the group still runs. */
function groupIsAlive(pgid: number): boolean {
  const members = livingGroupMembers(pgid);
  if (members) return members.length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * SIGTERM to the group, then SIGKILL to whatever still runs after `graceMs`. Resolves with the number of processes
 * that were running when it started (0 when the group was already gone).
 */
export async function stopProcessGroup(pgid: number, graceMs: number): Promise<number> {
  const running = livingGroupMembers(pgid)?.length ?? (groupIsAlive(pgid) ? 1 : 0);
  if (running === 0) return 0;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupIsAlive(pgid)) await sleep(50);
  if (groupIsAlive(pgid)) {
    signalGroup(pgid, 'SIGKILL');
    const killDeadline = Date.now() + 2000;
    while (Date.now() < killDeadline && groupIsAlive(pgid)) await sleep(20);
  }
  return running;
}
