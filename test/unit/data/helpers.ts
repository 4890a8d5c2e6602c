// Shared test helpers: a seeded PRNG, the CSV fixtures (simple comma split: the fixtures quote nothing) and rank error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetProfile, type ProfileOptions } from '@mlops-actions/data';

export const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/data');

export function readFixture(name: string): string {
  return readFileSync(path.join(fixturesDir, name), 'utf8');
}

export function readFixtureJson<T>(name: string): T {
  return JSON.parse(readFixture(name)) as T;
}

/** mulberry32: a small seeded generator of uniform doubles in [0, 1). */
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

/** Standard normal draws by Box–Muller from a seeded uniform generator. */
export function seededNormal(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Rows of a fixture CSV (header first), split on commas. */
export function readCsv(name: string): { header: string[]; rows: string[][] } {
  const lines = readFixture(name)
    .split('\n')
    .filter((line) => line.length > 0);
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((line) => line.split(',')) };
}

/** Profiles rows[start, end) of a fixture the way a CSV reader would: header columns, one text cell at a time. */
export function profileRows(
  header: string[],
  rows: string[][],
  options: ProfileOptions = {},
  start = 0,
  end = rows.length,
): DatasetProfile {
  const profile = new DatasetProfile(header, options);
  for (let r = start; r < end; r++) {
    const row = rows[r]!;
    for (let c = 0; c < row.length; c++) profile.addText(c, row[c]!);
    profile.endRow();
  }
  return profile;
}

/**
 * How far `fraction` lies outside the true normalized rank interval of `value` in `sorted`, i.e. the rank error of
 * claiming `value` is the `fraction`-quantile (0 when some position of `value` has exactly that rank).
 */
export function rankError(sorted: Float64Array, value: number, fraction: number): number {
  const n = sorted.length;
  const below = firstIndex(sorted, (x) => x >= value) / n;
  const atOrBelow = firstIndex(sorted, (x) => x > value) / n;
  if (fraction < below) return below - fraction;
  if (fraction > atOrBelow) return fraction - atOrBelow;
  return 0;
}

/** The first index whose element satisfies a predicate that is monotone over the sorted array. */
function firstIndex(sorted: Float64Array, satisfies: (x: number) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (satisfies(sorted[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

export function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}
