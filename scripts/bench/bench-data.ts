// Synthetic benchmark inputs for scripts/bench/data-bench.ts, generated once and cached under .bench/ (gitignored).
//
// The CSV has the shape the performance budget names (ARCHITECTURE.md §7): 10 numeric and 5 string columns, about
// 110 bytes a row. The numbers mix what real exports hold — identifiers, small counts, negative integers, money with two
// decimals, measurements with up to six — and the strings cover a low-cardinality category, a ~1000-value city, a
// unique hexadecimal id, a quoted "Last, First" name (every row needs RFC 4180 quoting) and an ISO date. About 1 % of
// the numeric cells are empty (missing). A seeded generator makes the files identical on every machine.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';

export const BENCH_COLUMNS = [
  'id',
  'count',
  'delta',
  'year',
  'flag',
  'price',
  'score',
  'latitude',
  'ratio',
  'measurement',
  'category',
  'city',
  'token',
  'name',
  'day',
] as const;

/** Mulberry32: small, fast and good enough to make benchmark data look random. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
const LAST_NAMES = ['Smith', 'Jones', 'Garcia', 'Müller', 'Nguyen', 'Kowalski', 'Rossi', 'Dubois', 'Tanaka', 'Silva'];
const FIRST_NAMES = ['Ana', 'Ben', 'Chloé', 'Dev', 'Eva', 'Femi', 'Gus', 'Hana', 'Ivan', 'Jo', 'Kim', 'Lu'];

/** One CSV row of the benchmark shape, ending with '\n'. */
export function benchRow(index: number, random: () => number): string {
  const missing = () => random() < 0.01;
  const cell = (text: string) => (missing() ? '' : text);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const id = String(index + 1);
  const count = cell(String(Math.floor(random() * 100)));
  const delta = cell(String(Math.floor(normal() * 5000)));
  const year = cell(String(1990 + Math.floor(random() * 35)));
  const flag = cell(random() < 0.5 ? '0' : '1');
  const price = cell((random() * 1000).toFixed(2));
  const score = cell((50 + 15 * normal()).toFixed(4));
  const latitude = cell((random() * 180 - 90).toFixed(6));
  const ratio = cell(random().toFixed(5));
  const measurement = cell((1000 * normal()).toFixed(3));
  const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)]!;
  const city = `city_${Math.floor(random() * 1000)}`;
  const token = `u${Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0')}`;
  const name = `"${LAST_NAMES[Math.floor(random() * LAST_NAMES.length)]}, ${FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)]}"`;
  const day = `20${String(10 + Math.floor(random() * 15))}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
  return `${id},${count},${delta},${year},${flag},${price},${score},${latitude},${ratio},${measurement},${category},${city},${token},${name},${day}\n`;
}

/**
 * Writes a CSV of at least `targetBytes` to `file` unless it already exists with that size or more; returns its
 * size. Written beside the target and renamed, so an interrupted run leaves no truncated cache behind.
 */
export async function ensureBenchCsv(file: string, targetBytes: number, seed = 42): Promise<number> {
  if (existsSync(file)) {
    const { size } = await stat(file);
    if (size >= targetBytes) return size;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.partial`;
  const out = createWriteStream(temp);
  const random = seededRandom(seed);
  let written = 0;
  let row = 0;
  const header = BENCH_COLUMNS.join(',') + '\n';
  out.write(header);
  written += Buffer.byteLength(header);
  while (written < targetBytes) {
    // Batches of rows per write keep the stream overhead out of the generation time.
    let batch = '';
    for (let i = 0; i < 2000; i++) batch += benchRow(row++, random);
    written += Buffer.byteLength(batch);
    if (!out.write(batch)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(temp, file);
  return written;
}
