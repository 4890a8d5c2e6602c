// The worker pool when threads fail, and profileSources falling back to the main thread.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { after, afterEach, before, describe, it } from 'node:test';
import { CancelledError, openStorage } from '@mlops-actions/core';
import { ChunkWorkerPool, WorkerUnavailableError } from '../../../packages/data/src/readers/pool.js';
import {
  READER_WORKER_MARK,
  readerWorkerStarter,
  startReaderWorker,
} from '../../../packages/data/src/readers/worker.js';
import { profileSources } from '../../../packages/data/src/readers/index.js';
import type { ChunkJob } from '../../../packages/data/src/readers/chunks.js';
import { scratchDir, writeFiles } from './helpers.js';

const crashingWorker = () => new Worker('throw new Error("no worker today")', { eval: true });
const job: ChunkJob = { kind: 'jsonl', maxLineBytes: 100, profileOptions: {}, atEof: true };

describe('ChunkWorkerPool', () => {
  afterEach(() => {
    readerWorkerStarter.start = startReaderWorker;
  });

  it('rejects the chunks of a worker that fails, and every later request', async () => {
    readerWorkerStarter.start = crashingWorker;
    const pool = new ChunkWorkerPool(1);
    await pool.acquire();
    await assert.rejects(pool.run(job, new ArrayBuffer(8), 0), WorkerUnavailableError);
    await assert.rejects(pool.acquire(), WorkerUnavailableError);
    await pool.close();
  });

  it('profiles a chunk, and cancels what is in flight when closed', async () => {
    const pool = new ChunkWorkerPool(1);
    await pool.acquire();
    const bytes = Buffer.from('{"a": 1}\n{"a": 2}\n');
    const buffer = new ArrayBuffer(64);
    bytes.copy(Buffer.from(buffer));
    const outcome = await pool.run(job, buffer, bytes.length);
    assert.equal(outcome.rows, 2);
    assert.equal(outcome.buffer.byteLength, 64, 'the buffer comes back');
    await pool.acquire();
    const pending = assert.rejects(pool.run(job, new ArrayBuffer(8), 0), CancelledError);
    await pool.close();
    await pending;
  });

  it('bounds the chunks in flight and lets a waiter abort', async () => {
    const pool = new ChunkWorkerPool(1);
    await pool.acquire();
    await pool.acquire();
    const controller = new AbortController();
    const third = pool.acquire(controller.signal);
    controller.abort();
    await assert.rejects(third, CancelledError);
    await pool.close();
  });
});

describe('profileSources without working threads', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  before(async () => ({ dir, cleanup } = await scratchDir()));
  after(() => cleanup());

  it('falls back to the main thread with a warning, and the same profile', async () => {
    let text = 'a,b\n';
    for (let i = 0; i < 5000; i++) text += `${i},${i % 7}\n`;
    const [file] = await writeFiles(dir, { 'data.csv': text });
    const storage = openStorage();
    const inline = await profileSources({ spec: file!, storage, workers: 0, windowBytes: 4096 });
    readerWorkerStarter.start = crashingWorker;
    try {
      const fallback = await profileSources({ spec: file!, storage, workers: 2, windowBytes: 4096 });
      assert.deepEqual(fallback.profile.toState(), inline.profile.toState());
      assert.equal(fallback.warnings.length, 1);
      assert.match(
        fallback.warnings[0]!,
        /^worker threads unavailable \(a reader worker thread failed: no worker today\); profiled on the main thread$/,
      );
    } finally {
      readerWorkerStarter.start = startReaderWorker;
    }
  });
});

describe('profileSources in a reader worker thread', () => {
  it('refuses to run, so an unguarded bundled entry cannot start workers of its own', async () => {
    const module = new URL('../../../packages/data/src/readers/profile-sources.ts', import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import('tsx/esm/api')
        .then((api) => { api.register(); return import(workerData.module); })
        .then((readers) => readers.profileSources({ spec: 'x.csv', storage: {} }))
        .then(() => parentPort.postMessage('ran'), (error) => parentPort.postMessage(error.message));
    `;
    const worker = new Worker(code, { eval: true, workerData: { [READER_WORKER_MARK]: true, module } });
    try {
      const [message] = (await once(worker, 'message')) as [string];
      assert.match(message, /^profileSources was called in a reader worker thread/);
    } finally {
      await worker.terminate();
    }
  });
});
