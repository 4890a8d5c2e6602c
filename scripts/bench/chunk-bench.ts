// Micro-benchmark of the two halves of a parallel CSV profile, without threads: the chunk job a worker runs per
// window (parse + profile), and the main thread's share (state round trip and in-order merge).
//   npx tsx scripts/bench/chunk-bench.ts [--mib 256] [--runs 3] [--file .bench/bench-1gb.csv]
// CPU time of this process is reported (not wall time), as MiB per CPU second: less sensitive to a shared machine.
// The best of `--runs` is reported.
import { openSync, readSync, closeSync } from 'node:fs';
import path from 'node:path';
import { DatasetProfile } from '../../packages/data/src/profile.js';
import { type ChunkJob, ChunkScratch, outcomeState, runChunkJob } from '../../packages/data/src/readers/chunks.js';
import { CollectingSink, CsvParser } from '../../packages/data/src/readers/csv.js';
import { DEFAULT_WINDOW_BYTES, lastRecordBoundary } from '../../packages/data/src/readers/windows.js';
import { repoRoot } from '../lib/paths.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1]!;
}

const MiB = 1024 * 1024;
const file = path.resolve(repoRoot, option('file', '.bench/bench-1gb.csv'));
const mib = Number(option('mib', '256'));
const runs = Number(option('runs', '3'));
const windowBytes = Number(option('window', String(DEFAULT_WINDOW_BYTES)));

// Load the first `mib` MiB and cut it into windows at record boundaries, as the reader does.
const fd = openSync(file, 'r');
const all = Buffer.allocUnsafeSlow(mib * MiB);
const loaded = readSync(fd, all, 0, all.length, 0);
closeSync(fd);
const headerSink = new CollectingSink();
const headerParser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: MiB });
headerParser.parse(all, 0, loaded, false, headerSink, 1);
const columnNames = headerSink.rows[0]!;
const windows: Buffer[] = [];
for (let at = headerParser.consumed; at < loaded;) {
  const end = Math.min(loaded, at + windowBytes);
  const cut = lastRecordBoundary(all, at, end);
  if (cut <= at) break;
  windows.push(Buffer.from(all.subarray(at, cut)));
  at = cut;
}
const bytes = windows.reduce((sum, window) => sum + window.length, 0);
const job: ChunkJob = {
  kind: 'csv',
  delimiter: 0x2c,
  maxFieldBytes: MiB,
  strict: false,
  columnNames,
  profileOptions: {},
  atEof: false,
};

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

let bestChunk = Infinity;
let bestMerge = Infinity;
let rows = 0;
for (let run = 0; run < runs; run++) {
  const states = [];
  let started = cpu();
  rows = 0;
  const scratch = new ChunkScratch(); // as a worker thread keeps one
  for (const window of windows) {
    const outcome = runChunkJob(job, window, window.length, scratch);
    if (outcome.problem || outcome.consumed !== window.length) throw new Error('bad window');
    rows += outcome.rows;
    states.push(structuredClone(outcomeState(outcome).profile));
  }
  bestChunk = Math.min(bestChunk, cpu() - started);
  started = cpu();
  const merged = new DatasetProfile(columnNames);
  for (const state of states) merged.mergeState(state);
  bestMerge = Math.min(bestMerge, cpu() - started);
}
const size = bytes / MiB;
console.log(
  `${windows.length} windows, ${size.toFixed(0)} MiB, ${rows} rows: chunk jobs ${bestChunk.toFixed(2)} CPU-s ` +
    `(${(size / bestChunk).toFixed(1)} MiB/CPU-s, ${((bestChunk / rows) * 1e9).toFixed(0)} ns/row); ` +
    `clone+merge ${bestMerge.toFixed(2)} CPU-s (${((bestMerge / windows.length) * 1e3).toFixed(1)} ms/window)`,
);
