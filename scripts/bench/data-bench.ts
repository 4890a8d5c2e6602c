// Benchmark of the data readers end to end (read → parse → DatasetProfile), against the budget of ARCHITECTURE.md §7:
// ≥ 100 MiB/s for a CSV of 10 numeric + 5 string columns on a 2-core machine, peak RSS under 300 MB and flat from
// 100 MB to 1 GB.
//
//   npx tsx scripts/bench/data-bench.ts [--runs 3] [--workers 2] [--small]
//
// Inputs, generated once and cached under .bench/ (gitignored): bench-100mb.csv and bench-1gb.csv (see bench-data.ts)
// and, for Parquet, vega-datasets' flights-3m.parquet (3 M rows, 5 columns, ZSTD, 11 row groups; written by Polars).
// No Parquet writer is installed (hyparquet-writer would be one), so no synthetic Parquet file of the CSV's shape.
//
// Each measurement runs in a child process from an ncc bundle of data-bench-entry.ts — the code the action runs, with
// its worker threads started from the bundle — and reports its own peak RSS (VmHWM, worker threads included). Each
// is repeated `--runs` times and the median reported, beside the median time of `cat FILE > /dev/null` in the same run
// (the cost of only reading the bytes, page cache warm). `--small` skips the 1 GB file.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { bundleAction } from '../lib/bundle.js';
import { repoRoot } from '../lib/paths.js';
import { ensureBenchCsv } from './bench-data.js';

const MiB = 1024 * 1024;
const benchDir = path.join(repoRoot, '.bench');

interface Measurement {
  rows: number;
  bytes: number;
  seconds: number;
  /** CPU time of the measuring process, all threads. */
  cpuSeconds: number;
  peakRssMb: number;
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const runs = option('runs', 3);
const workers = option('workers', 2);
const small = process.argv.includes('--small');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Bundles data-bench-entry.ts as an action entry would be; returns the bundle's path. */
async function bundleEntry(): Promise<string> {
  const action = path.join(benchDir, 'bench-action');
  await mkdir(path.join(action, 'src'), { recursive: true });
  const entry = path.relative(path.join(action, 'src'), path.join(repoRoot, 'scripts', 'bench', 'data-bench-entry.js'));
  await writeFile(path.join(action, 'src', 'index.ts'), `import '${entry.split(path.sep).join('/')}';\n`);
  // Compile only what the bundle holds (ncc type-checks with the nearest tsconfig).
  await writeFile(
    path.join(action, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { rootDir: repoRoot },
      include: ['src/**/*.ts'],
    }),
  );
  const out = path.join(benchDir, 'bench-bundle');
  await bundleAction(action, out);
  return path.join(out, 'index.js');
}

function measure(bundle: string, args: string[]): Measurement {
  const child = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', maxBuffer: 16 * MiB });
  if (child.status !== 0) throw new Error(`measurement ${args.join(' ')} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Measurement;
}

/**
 * Share of the machine's CPU time used by other processes over `seconds`, from /proc/stat (0 to 1; undefined off
 * Linux). The benchmark machine may be shared: a busy neighbour slows every number here, so it is reported.
 */
async function backgroundLoad(seconds = 2): Promise<number | undefined> {
  const sample = async () => {
    const { readFile } = await import('node:fs/promises');
    const fields = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + fields[4]!;
    return { idle, total: fields.reduce((sum, value) => sum + value, 0) };
  };
  try {
    const before = await sample();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const after = await sample();
    const total = after.total - before.total;
    return total > 0 ? 1 - (after.idle - before.idle) / total : undefined;
  } catch {
    return undefined;
  }
}

function catSeconds(file: string): number {
  const started = performance.now();
  const child = spawnSync('sh', ['-c', 'cat "$1" > /dev/null', 'cat', file]);
  if (child.status !== 0) throw new Error(`cat ${file} failed`);
  return (performance.now() - started) / 1000;
}

interface Row {
  label: string;
  file: string;
  args: string[];
}

async function main(): Promise<void> {
  console.log('Preparing inputs (cached under .bench/)...');
  const csv100 = path.join(benchDir, 'bench-100mb.csv');
  const csv1g = path.join(benchDir, 'bench-1gb.csv');
  await ensureBenchCsv(csv100, 100 * MiB);
  if (!small) await ensureBenchCsv(csv1g, 1024 * MiB);
  const parquet = path.join(repoRoot, 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet');
  const bundle = await bundleEntry();

  const rows: Row[] = [
    { label: `CSV 100 MB, ${workers} workers`, file: csv100, args: ['profile', csv100, String(workers)] },
    ...(small
      ? []
      : [
          { label: `CSV 1 GB, ${workers} workers`, file: csv1g, args: ['profile', csv1g, String(workers)] },
          { label: 'CSV 1 GB, main thread only', file: csv1g, args: ['profile', csv1g, '0'] },
          { label: 'CSV 1 GB, parse+decode, no profile', file: csv1g, args: ['parse', csv1g] },
        ]),
    { label: 'Parquet flights-3m (13 MB)', file: parquet, args: ['profile', parquet, String(workers)] },
  ];

  const loadBefore = await backgroundLoad();
  console.log(`${runs} run(s) each, median; node ${process.version}`);
  console.log(`CPU busy with other processes before the runs: ${describeLoad(loadBefore)}\n`);
  // MiB per CPU second is the throughput per core, less sensitive to a busy machine than wall-clock MiB/s.
  const header = [
    'measurement',
    'MiB',
    'rows',
    'seconds',
    'MiB/s',
    'rows/s',
    'MiB/CPU-s',
    'peak RSS MB',
    'cat s',
    'cat MiB/s',
  ];
  const table: string[][] = [];
  for (const row of rows) {
    const mib = statSync(row.file).size / MiB;
    const measurements: Measurement[] = [];
    const cats: number[] = [];
    for (let run = 0; run < runs; run++) {
      cats.push(catSeconds(row.file));
      measurements.push(measure(bundle, row.args));
    }
    const seconds = median(measurements.map((m) => m.seconds));
    const cpu = median(measurements.map((m) => m.cpuSeconds));
    const cat = median(cats);
    const line = [
      row.label,
      mib.toFixed(0),
      String(measurements[0]!.rows),
      seconds.toFixed(2),
      (mib / seconds).toFixed(1),
      Math.round(measurements[0]!.rows / seconds).toLocaleString('en-US'),
      (mib / cpu).toFixed(1),
      Math.max(...measurements.map((m) => m.peakRssMb)).toFixed(0),
      cat.toFixed(2),
      (mib / cat).toFixed(0),
    ];
    table.push(line);
    console.log(line.join(' | '));
  }
  const widths = header.map((title, i) => Math.max(title.length, ...table.map((line) => line[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${format(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const line of table) console.log(format(line));
  console.log(`\nCPU busy with other processes after the runs: ${describeLoad(await backgroundLoad())}`);
}

function describeLoad(load: number | undefined): string {
  return load === undefined
    ? 'unknown'
    : `${(load * 100).toFixed(0)} % of the machine's ${availableParallelism()} CPUs`;
}

await main();
