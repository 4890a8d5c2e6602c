/**
 * The chunk-profiling worker thread: the module that runs in it and the function that starts one.
 *
 * How a worker is started, so that it works from the TypeScript sources and from an ncc bundle alike:
 * - ncc does not bundle `new Worker(new URL('./worker.js', import.meta.url))` as a second entry: its asset relocator
 *   copies the file as it is (a .ts source, unrunnable). So the worker is self-re-executing instead: it starts the
 *   very module graph it belongs to — `import.meta.url`, which ncc leaves as the URL of the bundle file at run time —
 *   with a marker in `workerData`, and this module, evaluated in the new thread, sees the marker and serves jobs.
 * - In a bundle that module graph is the whole action, so **the action's entry must not run the action in a worker
 *   thread**: write it as `if (!isReaderWorkerThread()) await run();` (or `if (isMainThread) ...`), or have the run
 *   wrapper return at once when `!isMainThread`. The readers import nothing of the Actions toolkit; loading it in the
 *   worker is harmless (it only reads the environment).
 * - Run from source under tsx, `import.meta.url` ends in `.ts` and worker threads do not inherit tsx's loader
 *   (`--import` hooks do not reach workers on Node 20), so the worker is started from a small bootstrap that
 *   registers tsx first and then imports this module.
 * - Compiled by tsc to plain .js files, `import.meta.url` is this module's .js file and the worker starts it directly.
 */
import { fileURLToPath } from 'node:url';
import { isMainThread, type MessagePort, parentPort, Worker, workerData } from 'node:worker_threads';
import type { DatasetProfileState } from '../profile.js';
import { type ChunkJob, type ChunkOutcome, ChunkScratch, outcomeState, runChunkJob } from './chunks.js';

/** The `workerData` key that makes a thread serve chunk jobs. */
export const READER_WORKER_MARK = 'mlopsActionsDataReaderWorker';

export interface ChunkRequest {
  id: number;
  job: ChunkJob;
  /** Transferred in, and transferred back in the reply for reuse. */
  buffer: ArrayBuffer;
  length: number;
}

export type ChunkReply =
  | { id: number; outcome: ChunkOutcome<DatasetProfileState>; buffer: ArrayBuffer }
  | { id: number; failure: { message: string; stack?: string } };

/** True in a worker thread started by `startReaderWorker`: an action entry must then not run the action. */
export function isReaderWorkerThread(): boolean {
  return !isMainThread && (workerData as Record<string, unknown> | null)?.[READER_WORKER_MARK] === true;
}

// The URL of the running module graph: this file from source or tsc output, the bundle file inside an ncc bundle.
const selfUrl = import.meta.url;

// Evaluated as CommonJS inside the worker: finds tsx's ESM API through tsx's own exports map (its CommonJS build
// cannot register the ESM hooks), registers it, then loads this module.
const TSX_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const path = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');
const manifestPath = createRequire(fileURLToPath(workerData.selfUrl)).resolve('tsx/package.json');
const target = require(manifestPath).exports['./esm/api'].import;
const entry = path.join(path.dirname(manifestPath), typeof target === 'string' ? target : target.default);
import(pathToFileURL(entry).href)
  .then((api) => { api.register(); return import(workerData.selfUrl); })
  .catch((error) => process.nextTick(() => { throw error; }));
`;

// A smaller young generation than V8's default for workers (16 MB semi-spaces): a chunk's garbage is short-lived
// strings, and with 4 MB two workers peak ~10 MB lower on the benchmark, at no speed difference we could measure.
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 4 };

/** Starts a worker thread that serves `ChunkRequest`s (see the module comment for how it finds its code). */
export function startReaderWorker(): Worker {
  const data = { [READER_WORKER_MARK]: true, selfUrl };
  if (selfUrl.endsWith('.ts')) {
    return new Worker(TSX_BOOTSTRAP, { eval: true, workerData: data, resourceLimits: RESOURCE_LIMITS });
  }
  return new Worker(fileURLToPath(selfUrl), { workerData: data, resourceLimits: RESOURCE_LIMITS });
}

/**
 * The buffers of the typed arrays in a profile state (sketch levels, counts, registers), moved to the main thread
 * instead of copied: the state is discarded here right after, and every copy is memory allocated on one thread and
 * freed on another, which makes malloc hold on to more memory over a long run.
 */
function ownBuffers(state: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    if (ArrayBuffer.isView(value)) {
      // Only arrays that own their whole buffer: a view into a shared one (Node's Buffer pool) must stay here.
      const { buffer } = value;
      if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) {
        buffers.add(buffer);
      }
      return;
    }
    for (const item of Array.isArray(value) ? value : Object.values(value)) visit(item);
  };
  visit(state);
  return [...buffers];
}

function serve(port: MessagePort): void {
  // The chunk's profile is turned into its state at once, so the next chunk can reuse it.
  const scratch = new ChunkScratch();
  port.on('message', (request: ChunkRequest) => {
    try {
      const bytes = Buffer.from(request.buffer, 0, request.length);
      const outcome = outcomeState(runChunkJob(request.job, bytes, request.length, scratch));
      const reply: ChunkReply = { id: request.id, outcome, buffer: request.buffer };
      port.postMessage(reply, [request.buffer, ...ownBuffers(outcome.profile)]);
    } catch (error) {
      const failure =
        error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
      const reply: ChunkReply = { id: request.id, failure };
      port.postMessage(reply);
    }
  });
}

/** How the pool starts its workers; tests swap `start` to simulate threads that fail. */
export const readerWorkerStarter = { start: startReaderWorker };

if (isReaderWorkerThread()) serve(parentPort!);
