/**
 * In-place ascending sort of the first `length` doubles of a Float64Array, in `Float64Array.prototype.sort`'s order
 * (-0 before +0). There must be no NaN.
 *
 * The KLL sketch sorts about two items per update (a level of ~2000 every ~1000 updates), and V8's
 * `TypedArray.prototype.sort` spends ~60 ns per item on random data (branch mispredictions), which made it the
 * largest cost of profiling a numeric column. Three paths, chosen per call:
 * - Inputs that are a few ascending runs (the levels above 0 of a KLL sketch: each compaction appends a sorted run
 *   to the level above, and merges append whole levels) are merged run by run: linear, ~3–5 ns per item.
 * - Other finite inputs are bucketed by value: `floor((x − min) · scale)` is monotone in x, so a counting scatter into
 *   about one bucket per item leaves only the few items within each bucket to order, by insertion (~10 ns per item,
 *   against ~35 for the radix sort below). Buckets that end up large (skewed data) are sorted by the radix sort.
 * - The rest (infinities, ranges that overflow) goes to a branch-free LSD radix sort by the high 32 bits of an
 *   order-preserving key (sign, exponent, top 20 mantissa bits), skipping byte positions equal across all items, then
 *   ordering the few runs with equal high bits by value.
 * The fast paths compare with `<` and `>`, for which -0 equals +0; zeros are put in order afterwards.
 */
export function sortDoubles(values: Float64Array, length: number): void {
  if (length < 2) return;
  if (length <= 32) {
    insertionSort(values, 0, length);
    return;
  }
  ensureCapacity(length);
  // A few ascending runs are merged; the count stops at the limit, so random data costs only a few items here. KLL
  // level 0 looks for runs too: a sorted column (ids, timestamps) fills it with one.
  let descents = 0;
  for (let i = 1; i < length; i++) {
    if (values[i]! < values[i - 1]! && ++descents >= MAX_RUNS) break;
  }
  if (descents < MAX_RUNS) {
    if (descents > 0) mergeRuns(values, length, descents + 1);
    orderZeros(values, 0, length);
    return;
  }
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < length; i++) {
    const value = values[i]!;
    if (value < min) min = value;
    else if (value > max) max = value;
  }
  if (max - min < length && countingSort(values, length, min, max)) return;
  bucketSort(values, 0, length, min, max);
  orderZeros(values, 0, length);
}

/**
 * Sorts integers of a range smaller than their number (counts, codes, years, flags) by counting each value; false,
 * leaving the values as they were, when one is not an integer or is -0 (which counting would turn into 0).
 */
function countingSort(values: Float64Array, length: number, min: number, max: number): boolean {
  const range = max - min + 1;
  if (bucketCounts.length < range) bucketCounts = new Int32Array(Math.max(range, 2 * bucketCounts.length));
  const counts = bucketCounts;
  counts.fill(0, 0, range);
  for (let i = 0; i < length; i++) {
    const value = values[i]!;
    const offset = value - min;
    if (offset !== Math.floor(offset) || (value === 0 && 1 / value < 0) || value !== offset + min) return false;
    counts[offset]!++;
  }
  let at = 0;
  for (let offset = 0; offset < range; offset++) {
    const count = counts[offset]!;
    if (count > 0) {
      values.fill(min + offset, at, at + count);
      at += count;
    }
  }
  return true;
}

/** Runs merged directly; more than this and the bucket sort is cheaper. */
const MAX_RUNS = 5;
/** Buckets larger than this are radix sorted rather than sorted by insertion. */
const MAX_INSERTION_BUCKET = 48;

/** Merges the `runs` ascending runs of values[0, length) pairwise until one remains. */
function mergeRuns(values: Float64Array, length: number, runs: number): void {
  const starts = runStartScratch;
  let found = 1;
  starts[0] = 0;
  for (let i = 1; i < length; i++) if (values[i]! < values[i - 1]!) starts[found++] = i;
  let from: Float64Array = values;
  let to: Float64Array = scratchA;
  starts[runs] = length;
  while (runs > 1) {
    let merged = 0;
    for (let run = 0; run < runs; run += 2) {
      const start = starts[run]!;
      const middle = starts[run + 1]!;
      starts[merged++] = start;
      if (run + 1 >= runs) {
        to.set(from.subarray(start, middle), start);
        continue;
      }
      const end = starts[run + 2]!;
      let i = start;
      let j = middle;
      let out = start;
      while (i < middle && j < end) {
        const left = from[i]!;
        const right = from[j]!;
        if (right < left) {
          to[out++] = right;
          j++;
        } else {
          to[out++] = left;
          i++;
        }
      }
      while (i < middle) to[out++] = from[i++]!;
      while (j < end) to[out++] = from[j++]!;
    }
    runs = merged;
    starts[runs] = length;
    [from, to] = [to, from];
  }
  if (from !== values) values.set(from.subarray(0, length));
}

/** Sorts values[start, end), whose extremes are `min` and `max`, by bucket (see the module comment). */
function bucketSort(values: Float64Array, start: number, end: number, min: number, max: number): void {
  const length = end - start;
  const range = max - min;
  if (!Number.isFinite(range)) {
    radixSort(values, start, end);
    return;
  }
  let buckets = 64;
  while (buckets < length) buckets *= 2;
  if (bucketCounts.length < buckets + 1) bucketCounts = new Int32Array(buckets + 1);
  const counts = bucketCounts;
  counts.fill(0, 0, buckets + 1);
  // (x − min)·scale lies in [0, buckets − 1] up to rounding, floor included; both steps are monotone in x.
  const scale = range === 0 ? 0 : (buckets - 1) / range;
  const keys = bucketKeys;
  for (let i = 0; i < length; i++) {
    const bucket = ((values[start + i]! - min) * scale) | 0;
    keys[i] = bucket;
    counts[bucket]!++;
  }
  let running = 0;
  let largest = 0;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const count = counts[bucket]!;
    if (count > largest) largest = count;
    counts[bucket] = running;
    running += count;
  }
  if (largest > length >>> 2) {
    // Skewed data, most items in a few buckets (or few distinct values): the radix sort does better.
    radixSort(values, start, end);
    return;
  }
  const out = scratchA;
  for (let i = 0; i < length; i++) out[counts[keys[i]!]!++] = values[start + i]!;
  // counts[b] is now the end of bucket b (and the start of b + 1).
  if (largest <= MAX_INSERTION_BUCKET) {
    // Items are out of order only within their bucket: one insertion pass over the whole range.
    for (let i = 1; i < length; i++) {
      const value = out[i]!;
      let j = i - 1;
      if (out[j]! <= value) continue;
      do {
        out[j + 1] = out[j]!;
        j--;
      } while (j >= 0 && out[j]! > value);
      out[j + 1] = value;
    }
    values.set(out.subarray(0, length), start);
    return;
  }
  values.set(out.subarray(0, length), start);
  // Small buckets by insertion; large ones (skewed data, or many equal values) by the radix sort unless all equal.
  let from = 0;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const to = counts[bucket]!;
    const size = to - from;
    if (size > MAX_INSERTION_BUCKET) {
      if (!allEqual(values, start + from, start + to)) radixSort(values, start + from, start + to);
    } else if (size > 1) insertionSort(values, start + from, start + to);
    from = to;
  }
}

function allEqual(values: Float64Array, start: number, end: number): boolean {
  const first = values[start]!;
  for (let i = start + 1; i < end; i++) if (values[i] !== first) return false;
  return true;
}

/** Puts the zeros of sorted values[start, end) (-0 and +0 compare equal) in order: -0 first. */
function orderZeros(values: Float64Array, start: number, end: number): void {
  let low = start;
  let high = end;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < 0) low = middle + 1;
    else high = middle;
  }
  if (low >= end || values[low] !== 0) return;
  let zeros = low;
  let negative = 0;
  while (zeros < end && values[zeros] === 0) {
    if (Object.is(values[zeros], -0)) negative++;
    zeros++;
  }
  if (negative === 0 || negative === zeros - low) return;
  values.fill(-0, low, low + negative);
  values.fill(0, low + negative, zeros);
}

/** The radix sort of values[start, end) (see the module comment); handles any doubles but NaN. */
function radixSort(values: Float64Array, start: number, end: number): void {
  const length = end - start;
  if (length <= 32) {
    insertionSort(values, start, end);
    return;
  }
  ensureCapacity(length);
  scratchA.set(values.subarray(start, end));

  // Histograms of the four bytes of each item's order-preserving high key (sign, exponent and the top 20 mantissa
  // bits): negative numbers have all bits flipped, non-negative ones only the sign bit.
  const counts = histogram.fill(0);
  const words = scratchWordsA;
  for (let i = 0; i < length; i++) {
    const high = words[2 * i + HIGH]!;
    const key = high ^ ((high >> 31) | 0x80000000);
    counts[key & 0xff]!++;
    counts[256 + ((key >>> 8) & 0xff)]!++;
    counts[512 + ((key >>> 16) & 0xff)]!++;
    counts[768 + (key >>> 24)]!++;
  }

  let from = scratchA;
  let fromWords = scratchWordsA;
  let to = scratchB;
  let toWords = scratchWordsB;
  for (let digit = 0; digit < 4; digit++) {
    const base = digit * 256;
    let first = 0;
    while (counts[base + first] === 0) first++;
    if (counts[base + first] === length) continue; // every item has the same byte here
    scatterByByte(counts, base, digit * 8, from, fromWords, to, length);
    [from, to] = [to, from];
    [fromWords, toWords] = [toWords, fromWords];
  }

  // Items with equal high words are now adjacent, in input order; order each such run by value. Runs are short
  // unless values differ only in their last 32 mantissa bits.
  let runStart = 0;
  while (runStart < length) {
    const high = fromWords[2 * runStart + HIGH]!;
    let runEnd = runStart + 1;
    while (runEnd < length && fromWords[2 * runEnd + HIGH] === high) runEnd++;
    if (runEnd - runStart > 16) {
      if (!allEqual(from, runStart, runEnd)) from.subarray(runStart, runEnd).sort();
    } else if (runEnd - runStart > 1) insertionSort(from, runStart, runEnd);
    runStart = runEnd;
  }
  values.set(from.subarray(0, length), start);
}

/** One stable counting-sort pass by a byte of the high key; turns that byte's histogram into bucket offsets. */
function scatterByByte(
  counts: Uint32Array,
  base: number,
  shift: number,
  from: Float64Array,
  fromWords: Uint32Array,
  to: Float64Array,
  length: number,
): void {
  let running = 0;
  for (let bucket = 0; bucket < 256; bucket++) {
    const count = counts[base + bucket]!;
    counts[base + bucket] = running;
    running += count;
  }
  for (let i = 0; i < length; i++) {
    const high = fromWords[2 * i + HIGH]!;
    const key = high ^ ((high >> 31) | 0x80000000);
    to[counts[base + ((key >>> shift) & 0xff)]!++] = from[i]!;
  }
}

/** Sorts values[start, end); -0 goes before +0 (1/+0 is +Infinity, 1/-0 is -Infinity). */
function insertionSort(values: Float64Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const value = values[i]!;
    let j = i - 1;
    while (j >= start && sortsAfter(values[j]!, value)) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = value;
  }
}

function sortsAfter(a: number, b: number): boolean {
  return a > b || (a === 0 && b === 0 && 1 / a > 1 / b);
}

// Which 32-bit half of a double is the low one depends on the platform's byte order.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LOW = LITTLE_ENDIAN ? 0 : 1;
const HIGH = 1 - LOW;

const histogram = new Uint32Array(4 * 256);
const runStartScratch = new Int32Array(MAX_RUNS + 2);
let bucketCounts = new Int32Array(0);
let bucketKeys = new Int32Array(0);
let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);
let scratchWordsA = new Uint32Array(0);
let scratchWordsB = new Uint32Array(0);

function ensureCapacity(length: number): void {
  if (scratchA.length >= length) return;
  const size = Math.max(length, scratchA.length * 2, 4096);
  scratchA = new Float64Array(size);
  scratchB = new Float64Array(size);
  scratchWordsA = new Uint32Array(scratchA.buffer);
  scratchWordsB = new Uint32Array(scratchB.buffer);
  bucketKeys = new Int32Array(size);
}
