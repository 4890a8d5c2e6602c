// A fixed set of reader worker threads with a bounded number of chunks in flight, so memory stays at about
// (workers × 2) chunk buffers however fast the file is read.
import { CancelledError } from '@mlops-actions/core';
import type { Worker } from 'node:worker_threads';
import type { DatasetProfileState } from '../profile.js';
import type { ChunkJob, ChunkOutcome } from './chunks.js';
import { type ChunkReply, type ChunkRequest, readerWorkerStarter } from './worker.js';

/** Chunks queued or running per worker: one parsing, one ready, so a worker never waits for the main thread. */
const JOBS_PER_WORKER = 2;

/** A worker thread that could not start or died; the caller falls back to parsing on the main thread. */
export class WorkerUnavailableError extends Error {
  override readonly name = 'WorkerUnavailableError';
}

export type WorkerOutcome = ChunkOutcome<DatasetProfileState> & { buffer: ArrayBuffer };

interface PendingJob {
  resolve(outcome: WorkerOutcome): void;
  reject(error: Error): void;
}

interface PoolMember {
  worker: Worker;
  jobs: Map<number, PendingJob>;
}

export class ChunkWorkerPool {
  readonly size: number;
  private readonly members: PoolMember[] = [];
  private nextId = 0;
  /** Slots handed out by `acquire` and not yet used by `run`. */
  private reserved = 0;
  private readonly waiting: { resolve(): void; reject(error: Error): void }[] = [];
  private failure: Error | null = null;
  private closed = false;

  constructor(size: number) {
    this.size = size;
    for (let i = 0; i < size; i++) this.members.push(this.start());
  }

  /** Waits for a free slot (at most `size × 2` chunks in flight) and reserves it for the next `run`. */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new CancelledError();
    if (this.failure) throw this.failure;
    if (this.inFlight() + this.reserved < this.size * JOBS_PER_WORKER) {
      this.reserved++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiting.indexOf(entry);
        if (index !== -1) this.waiting.splice(index, 1);
        reject(new CancelledError());
      };
      const entry = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  /** Sends a chunk to the least busy worker; `buffer` is transferred (unusable here until it comes back). */
  run(job: ChunkJob, buffer: ArrayBuffer, length: number): Promise<WorkerOutcome> {
    if (this.reserved > 0) this.reserved--;
    if (this.failure) return Promise.reject(this.failure);
    let member = this.members[0]!;
    for (const candidate of this.members) if (candidate.jobs.size < member.jobs.size) member = candidate;
    const id = this.nextId++;
    return new Promise<WorkerOutcome>((resolve, reject) => {
      member.jobs.set(id, { resolve, reject });
      const request: ChunkRequest = { id, job, buffer, length };
      member.worker.postMessage(request, [buffer]);
    });
  }

  /** Stops every worker; chunks still in flight are rejected with a CancelledError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new CancelledError());
    await Promise.all(this.members.map((member) => member.worker.terminate()));
  }

  private inFlight(): number {
    let total = 0;
    for (const member of this.members) total += member.jobs.size;
    return total;
  }

  private start(): PoolMember {
    const worker = readerWorkerStarter.start();
    const member: PoolMember = { worker, jobs: new Map() };
    worker.on('message', (reply: ChunkReply) => {
      const job = member.jobs.get(reply.id);
      if (!job) return;
      member.jobs.delete(reply.id);
      if ('failure' in reply) {
        const error = new Error(`reader worker: ${reply.failure.message}`);
        if (reply.failure.stack) error.stack = reply.failure.stack;
        job.reject(error);
      } else job.resolve({ ...reply.outcome, buffer: reply.buffer });
      // The freed slot goes to the longest waiter, reserved now so a later acquire cannot take it first.
      const next = this.waiting.shift();
      if (next) {
        this.reserved++;
        next.resolve();
      }
    });
    worker.on('error', (error) => {
      this.fail(new WorkerUnavailableError(`a reader worker thread failed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new WorkerUnavailableError(`a reader worker thread exited (code ${code})`));
    });
    return member;
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    for (const member of this.members) {
      for (const job of member.jobs.values()) job.reject(error);
      member.jobs.clear();
    }
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}
