// Micro-benchmark of the profile hot path: feeds 10 million numeric values into one column profile and prints values/s.
//   npx tsx scripts/bench/profile-bench.ts [count]
// Three feeds: typed numbers one by one (`addNumber`, as the JSON reader does), the same in batches (`addNumbers`, as
// the CSV reader hands over the numbers it decoded from the bytes), and numeric text (`addText`). The text is made in
// chunks of 16 384 values just before each chunk is timed, so string creation stays outside the timing while the
// strings are as fresh in cache as a reader's would be. Each feed runs three times; the best run is reported, as the
// machine may be shared.
import { ColumnProfile } from '@mlops-actions/data';

const count = Number(process.argv[2] ?? 10_000_000);

function seededNormal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function report(label: string, column: ColumnProfile, seconds: number): void {
  const rate = count / seconds;
  console.log(
    `${label.padEnd(26)} ${(rate / 1e6).toFixed(1).padStart(6)} M values/s  (${seconds.toFixed(2)} s; ` +
      `mean ${column.mean.toFixed(4)}, median ${column.sketch.quantile(0.5).toFixed(4)}, ` +
      `${column.sketch.retainedItems} sketch items, ~${column.frequencies.distinctCount()} distinct)`,
  );
}

const normal = seededNormal(1);
const numbers = Float64Array.from({ length: count }, () => 100 + 15 * normal());
const CHUNK = 16_384;
const texts = new Array<string>(CHUNK);

function feedNumbers(column: ColumnProfile): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) column.addNumber(numbers[i]!);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function feedText(column: ColumnProfile): number {
  let elapsed = 0n;
  for (let offset = 0; offset < count; offset += CHUNK) {
    const size = Math.min(CHUNK, count - offset);
    for (let i = 0; i < size; i++) texts[i] = numbers[offset + i]!.toFixed(6);
    const start = process.hrtime.bigint();
    for (let i = 0; i < size; i++) column.addText(texts[i]!);
    elapsed += process.hrtime.bigint() - start;
  }
  return Number(elapsed) / 1e9;
}

function best(label: string, feed: (column: ColumnProfile) => number): void {
  let fastest = Infinity;
  let column = new ColumnProfile(label);
  for (let run = 0; run < 3; run++) {
    column = new ColumnProfile(label);
    fastest = Math.min(fastest, feed(column));
  }
  report(label, column, fastest);
}

/** The CSV reader's path: numbers already classified, handed over 8192 at a time (see ProfileSink). */
function feedBatches(column: ColumnProfile): number {
  const start = process.hrtime.bigint();
  for (let offset = 0; offset < count; offset += 8192) {
    const batch = numbers.subarray(offset, Math.min(count, offset + 8192));
    column.addNumbers(batch, batch.length, batch.length);
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

best('addNumber (typed numbers)', feedNumbers);
best('addNumbers (batches)', feedBatches);
best('addText (numeric text)', feedText);
