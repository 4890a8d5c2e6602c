import { HASH, hashString, mix } from './hash.js';
import { HyperLogLog } from './hyperloglog.js';

/** Distinct values counted exactly per column before the summary turns approximate. */
export const DEFAULT_FREQUENT_VALUE_CAPACITY = 1000;

/** A value and how often it was seen; numbers are the parsed values of numeric text. */
export interface ValueCount {
  value: string | number;
  count: number;
}

/**
 * The counted texts of a `FrequentValuesState`, in typed arrays (transferable, and no string to make or hash again):
 * key i is the code units `units[at, at + lengths[i])`, `at` the sum of the lengths before it, counted `counts[i]`
 * times; `hashes[i]` is the high half of its `hashString`.
 */
export interface StringCountsState {
  units: Uint16Array;
  lengths: Int32Array;
  counts: Float64Array;
  hashes: Int32Array;
}

export interface FrequentValuesState {
  capacity: number;
  strings: StringCountsState;
  numberKeys: Float64Array;
  numberCounts: Float64Array;
  undercount: number;
  uncountedNumbers: number;
  distinct: Uint8Array | null;
}

/**
 * Value frequencies of one column, and its distinct count.
 *
 * Exact while the column has at most `capacity` distinct values (default 1000). Past that it is a Misra–Gries summary
 * with `capacity` counters: when a new value finds no free counter, every counter drops by one (and the new value is
 * not recorded). Each reported count then underestimates the true count by at most `undercount`, which is at most
 * n/(capacity+1) for n values, and any value with a true count above `undercount` is still present. Merging follows
 * Agarwal et al. ("Mergeable summaries", 2012): counts are added, and if more than `capacity` values remain, the
 * (capacity+1)-th largest count is subtracted from all; the merged undercount (the parts' plus that count) stays
 * within n/(capacity+1) of the merged total.
 *
 * Text values and numbers are keyed apart: numbers by value (so "1", "1.0" and 1 are one value), text as written.
 * Both live in open-addressing tables of typed arrays (see `NumberCounts`, `StringCounts`), and text can be counted
 * straight from ASCII bytes (`addAscii`), so a reader makes a string only for a value not counted yet — and not even
 * then: the table keeps the code units and makes the string when the entries are read.
 *
 * The distinct count is exact while the summary is exact (the number of counters). At the first overflow a
 * HyperLogLog (precision 14, ±0.81 %) is seeded with every value seen so far — the counters hold exactly those — and
 * then sees every value, so the estimate covers the whole column. Columns that never overflow never pay for it, and a
 * value found in the table skips it: it is in the sketch already (every counted value is, once the sketch exists).
 *
 * Every value added is counted, numbers included, whatever the column's type turns out to be: a column is String as
 * soon as one text value appears, and its categorical buckets then count its numbers too. A reader may instead leave
 * numbers uncounted (`skipNumbers`, see the CSV reader's `ProfileSink`): a chunk of a numeric column spends a third of
 * its profiling time counting numbers that no output uses unless the column turns out String. `uncountedNumbers`
 * says how many were left out; while it is above 0 the summary is not exact and its counts, entries and distinct
 * count cover only the values counted (`profileSources` reads a file again when a column needs them).
 * Batches (`addNumbers`) and text counted from bytes give exactly the summary of the same values added one by one.
 */
export class FrequentValues {
  readonly capacity: number;
  private strings: StringCounts;
  private numbers: NumberCounts;
  private undercountTotal = 0;
  private uncounted = 0;
  private distinct: HyperLogLog | null = null;
  /** The sketch of a `reset` summary, reused when one is needed again. */
  private spareDistinct: HyperLogLog | null = null;

  constructor(capacity: number = DEFAULT_FREQUENT_VALUE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`frequent-value capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.numbers = new NumberCounts(capacity);
    // The string table starts small and grows as keys come (its slots hold a JS array): numeric columns need none.
    this.strings = new StringCounts(8);
  }

  /** True while every count is exact, the column has at most `capacity` distinct values and none was left out. */
  get isExact(): boolean {
    return this.undercountTotal === 0 && this.uncounted === 0;
  }

  /** Numbers left uncounted (`skipNumbers`): the summary covers the column's other values only. */
  get uncountedNumbers(): number {
    return this.uncounted;
  }

  /** Records that `count` numbers of the column were not added (see the class comment). */
  skipNumbers(count: number): void {
    this.uncounted += count;
  }

  /** The most any reported count can fall short of the true count (0 when exact). */
  get undercount(): number {
    return this.undercountTotal;
  }

  /** Number of values currently counted. */
  get size(): number {
    return this.strings.size + this.numbers.size;
  }

  addString(value: string): void {
    const strings = this.strings;
    const found = strings.addText(value, 1, this.size < this.capacity);
    if (found === HIT) return;
    if (found === ABSENT) this.distinct ??= this.seededDistinct();
    this.distinct?.addHash(strings.lastHigh, strings.lastLow());
    if (found === ABSENT) this.decrementAll();
  }

  /** `addString` of the text that ASCII bytes[start, end) spell (every byte below 0x80). */
  addAscii(bytes: Uint8Array, start: number, end: number): void {
    const strings = this.strings;
    const found = strings.addAscii(bytes, start, end, this.size < this.capacity);
    if (found === HIT) return;
    if (found === ABSENT) this.distinct ??= this.seededDistinct();
    this.distinct?.addHash(strings.lastHigh, strings.lastLow());
    if (found === ABSENT) this.decrementAll();
  }

  addNumber(value: number): void {
    const found = this.numbers.add(value, 1, this.size < this.capacity);
    if (found === HIT) return;
    if (found === ABSENT) this.distinct ??= this.seededDistinct();
    this.distinct?.addNumber(value);
    if (found === ABSENT) this.decrementAll();
  }

  /**
   * `addNumber` of values[0, count), in order. The values the sketch must see are gathered and hashed after the
   * counting loop (a HyperLogLog does not depend on the order of its values).
   */
  addNumbers(values: Float64Array, count: number): void {
    const numbers = this.numbers;
    if (missed.length < count) {
      missed = new Float64Array(Math.max(count, 2 * missed.length));
      missedWords = new Uint32Array(missed.buffer);
    }
    // The values' IEEE-754 words, hashed straight from their own buffer.
    const words = new Uint32Array(values.buffer, values.byteOffset, 2 * count);
    let misses = 0;
    for (let i = 0; i < count; i++) {
      const found = numbers.addAt(values, words, i, this.strings.size + numbers.size < this.capacity);
      if (found === HIT) continue;
      if (found === ABSENT) this.distinct ??= this.seededDistinct();
      if (this.distinct !== null) missed[misses++] = values[i]! + 0; // -0 is 0
      if (found === ABSENT) this.decrementAll();
    }
    if (misses > 0) this.distinct!.addNumberWords(missedWords, misses);
  }

  /** Estimated count of a value (a lower bound, at most `undercount` short; exact when `isExact`). */
  countOf(value: string | number): number {
    return typeof value === 'number' ? this.numbers.get(value) : this.strings.get(value);
  }

  /** Exact distinct count while exact, else the HyperLogLog estimate. */
  distinctCount(): number {
    return this.distinct === null ? this.size : this.distinct.estimate();
  }

  /** Counted values, most frequent first; ties by value (numbers before text, each ascending) for stable output. */
  entries(): ValueCount[] {
    const result: ValueCount[] = [];
    this.strings.forEach((value, count) => result.push({ value, count }));
    this.numbers.forEach((value, count) => result.push({ value, count }));
    return result.sort(compareValueCounts);
  }

  merge(other: FrequentValues): this {
    // toState copies, so merging a summary into itself is safe.
    return this.mergeState(other.toState());
  }

  /** `merge` of a summary given by its state (as a worker thread posts it), without making the summary first. */
  mergeState(state: FrequentValuesState): this {
    if (state.capacity !== this.capacity) {
      throw new RangeError(`cannot merge frequent values with capacities ${this.capacity} and ${state.capacity}`);
    }
    if (this.distinct !== null || state.distinct !== null) {
      // Every value of an exact side is one of its counters, so adding them is the HyperLogLog of that side.
      const distinct = this.distinct ?? this.seededDistinct();
      if (state.distinct !== null) distinct.mergeRegisters(state.distinct);
      else {
        const { units, lengths } = state.strings;
        for (let i = 0, at = 0; i < lengths.length; at += lengths[i++]!) distinct.addUnits(units, at, at + lengths[i]!);
        for (const value of state.numberKeys) distinct.addNumber(value);
      }
      this.distinct = distinct;
    }
    this.strings.addAll(state.strings);
    for (let i = 0; i < state.numberKeys.length; i++)
      this.numbers.add(state.numberKeys[i]!, state.numberCounts[i]!, true);
    this.undercountTotal += state.undercount;
    this.uncounted += state.uncountedNumbers;
    if (this.size > this.capacity) {
      if (this.distinct === null) this.distinct = this.seededDistinct();
      // The (capacity + 1)-th largest count, from a native ascending sort of all counts.
      const counts = new Float64Array(this.size);
      let at = 0;
      this.strings.forEachCount((count) => (counts[at++] = count));
      this.numbers.forEach((_, count) => (counts[at++] = count));
      counts.sort();
      this.subtract(counts[counts.length - 1 - this.capacity]!);
    }
    return this;
  }

  toState(): FrequentValuesState {
    const numberKeys = new Float64Array(this.numbers.size);
    const numberCounts = new Float64Array(this.numbers.size);
    let at = 0;
    this.numbers.forEach((value, count) => {
      numberKeys[at] = value;
      numberCounts[at++] = count;
    });
    return {
      capacity: this.capacity,
      strings: this.strings.toState(),
      numberKeys,
      numberCounts,
      undercount: this.undercountTotal,
      uncountedNumbers: this.uncounted,
      distinct: this.distinct === null ? null : this.distinct.registers.slice(),
    };
  }

  static fromState(state: FrequentValuesState): FrequentValues {
    const summary = new FrequentValues(state.capacity);
    summary.strings.addAll(state.strings);
    for (let i = 0; i < state.numberKeys.length; i++)
      summary.numbers.add(state.numberKeys[i]!, state.numberCounts[i]!, true);
    summary.undercountTotal = state.undercount;
    summary.uncounted = state.uncountedNumbers;
    summary.distinct = state.distinct === null ? null : new HyperLogLog(state.distinct);
    return summary;
  }

  /** Callers have seeded `distinct` already: a new value is never counted by the table alone. */
  private decrementAll(): void {
    this.subtract(1);
  }

  /** Lowers every count by `amount`, dropping those that reach zero, and records the added undercount. */
  private subtract(amount: number): void {
    this.strings.subtract(amount);
    this.numbers.subtract(amount);
    this.undercountTotal += amount;
  }

  /** Empties the summary, as new, keeping its tables for reuse (a worker thread profiles chunk after chunk). */
  reset(): void {
    this.strings.clear();
    this.numbers.clear();
    this.undercountTotal = 0;
    this.uncounted = 0;
    if (this.distinct !== null) this.spareDistinct = this.distinct;
    this.distinct = null;
  }

  private seededDistinct(): HyperLogLog {
    const distinct = this.spareDistinct ?? new HyperLogLog();
    this.spareDistinct = null;
    distinct.registers.fill(0);
    this.strings.addKeysTo(distinct);
    this.numbers.addKeysTo(distinct);
    return distinct;
  }
}

// Which 32-bit half of a double is the low one depends on the platform's byte order.
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH_WORD = 1 - LOW_WORD;

/** Scratch of `addNumbers`: the values that were not in the table, and their IEEE-754 words. */
let missed = new Float64Array(1024);
let missedWords = new Uint32Array(missed.buffer);

/** What a table's `add` found: the key counted, a new entry made for it, or neither (the table was full). */
const ABSENT = 0;
const HIT = 1;
const INSERTED = 2;
type Found = typeof ABSENT | typeof HIT | typeof INSERTED;

function compareValueCounts(a: ValueCount, b: ValueCount): number {
  if (a.count !== b.count) return b.count - a.count;
  if (typeof a.value === 'number') return typeof b.value === 'number' ? a.value - b.value : -1;
  if (typeof b.value === 'number') return 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/**
 * Counts keyed by number in an open-addressing table of typed arrays, so counting a fractional value does not box
 * it into a heap number as a `Map` key would. A slot is in use when its stamp equals the current generation, so
 * emptying the table (which the Misra–Gries step does every `capacity` values on a column of distinct numbers) is a
 * generation bump plus re-inserting the survivors, O(entries) rather than O(slots). The load stays at or below one
 * half; the table doubles when a merge briefly holds more.
 */
class NumberCounts {
  /**
   * Per slot, the generation that filled it (the slot is in use when it is the current one): 4 KiB for 2048 slots, so
   * a probe that finds a free slot, the common case when most values are new, stays in the L1 cache.
   */
  private stamps: Uint16Array;
  /** Per slot, side by side: key, count. */
  private entries: Float64Array;
  /** Slots in use, in insertion order, so that visiting entries does not scan the table. */
  private used: Int32Array;
  /** Where `subtract` keeps the surviving entries while the table is emptied. */
  private survivorKeys: Float64Array;
  private survivorCounts: Float64Array;
  private generation = 1;
  private mask: number;
  size = 0;
  private readonly scratch = new Float64Array(1);
  private readonly scratchWords = new Uint32Array(this.scratch.buffer);

  constructor(expectedEntries: number) {
    let slots = 16;
    while (slots < expectedEntries * 2) slots *= 2;
    this.stamps = new Uint16Array(slots);
    this.entries = new Float64Array(2 * slots);
    this.used = new Int32Array(slots / 2);
    this.survivorKeys = new Float64Array(slots / 2);
    this.survivorCounts = new Float64Array(slots / 2);
    this.mask = slots - 1;
  }

  get(value: number): number {
    const slot = this.find(value);
    return slot < 0 ? 0 : this.entries[2 * slot + 1]!;
  }

  /**
   * Adds `count` to the value's entry, creating it if absent and `mayInsert`: HIT when it had one, INSERTED, or ABSENT
   * when it had none and none was made. One probe serves both the lookup and the insertion.
   */
  add(value: number, count: number, mayInsert: boolean): Found {
    value += 0; // -0 and 0 are one key
    const stamps = this.stamps;
    const entries = this.entries;
    const generation = this.generation;
    let slot = this.slotOf(value);
    while (stamps[slot] === generation) {
      if (entries[2 * slot] === value) {
        entries[2 * slot + 1]! += count;
        return HIT;
      }
      slot = (slot + 1) & this.mask;
    }
    if (!mayInsert) return ABSENT;
    if (this.size === this.used.length) {
      this.resize(2 * (this.mask + 1));
      return this.add(value, count, true);
    }
    stamps[slot] = generation;
    entries[2 * slot] = value;
    entries[2 * slot + 1] = count;
    this.used[this.size++] = slot;
    return INSERTED;
  }

  /** `add(values[i], 1, mayInsert)`, hashing the value from `words`, a Uint32Array over the buffer of `values`. */
  addAt(values: Float64Array, words: Uint32Array, i: number, mayInsert: boolean): Found {
    let value = values[i]!;
    let low = words[2 * i + LOW_WORD]!;
    let high = words[2 * i + HIGH_WORD]!;
    if (value === 0) value = low = high = 0; // -0 and 0 are one key
    const stamps = this.stamps;
    const entries = this.entries;
    const generation = this.generation;
    const mixed = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
    let slot = (mixed ^ (mixed >>> 15)) & this.mask;
    while (stamps[slot] === generation) {
      if (entries[2 * slot] === value) {
        entries[2 * slot + 1]!++;
        return HIT;
      }
      slot = (slot + 1) & this.mask;
    }
    if (!mayInsert) return ABSENT;
    if (this.size === this.used.length) return this.add(value, 1, true);
    stamps[slot] = generation;
    entries[2 * slot] = value;
    entries[2 * slot + 1] = 1;
    this.used[this.size++] = slot;
    return INSERTED;
  }

  /** Lowers every count by `amount`, dropping those that reach zero. */
  subtract(amount: number): void {
    let survivors = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = this.used[i]!;
      const count = this.entries[2 * slot + 1]!;
      if (count > amount) {
        this.survivorKeys[survivors] = this.entries[2 * slot]!;
        this.survivorCounts[survivors++] = count - amount;
      }
    }
    this.clear();
    for (let i = 0; i < survivors; i++) this.add(this.survivorKeys[i]!, this.survivorCounts[i]!, true);
  }

  forEach(visit: (value: number, count: number) => void): void {
    for (let i = 0; i < this.size; i++) {
      const slot = this.used[i]!;
      visit(this.entries[2 * slot]!, this.entries[2 * slot + 1]!);
    }
  }

  addKeysTo(distinct: HyperLogLog): void {
    for (let i = 0; i < this.size; i++) distinct.addNumber(this.entries[2 * this.used[i]!]!);
  }

  private find(value: number): number {
    value += 0;
    let slot = this.slotOf(value);
    while (this.stamps[slot] === this.generation) {
      if (this.entries[2 * slot] === value) return slot;
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }

  private slotOf(value: number): number {
    this.scratch[0] = value;
    const mixed = Math.imul(
      this.scratchWords[LOW_WORD]! ^ Math.imul(this.scratchWords[HIGH_WORD]!, 0x9e3779b1),
      0x85ebca6b,
    );
    return (mixed ^ (mixed >>> 15)) & this.mask;
  }

  clear(): void {
    this.size = 0;
    if (++this.generation === 0x10000) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  private resize(slots: number): void {
    const keys = new Float64Array(this.size);
    const counts = new Float64Array(this.size);
    const size = this.size;
    for (let i = 0; i < size; i++) {
      const slot = this.used[i]!;
      keys[i] = this.entries[2 * slot]!;
      counts[i] = this.entries[2 * slot + 1]!;
    }
    this.stamps = new Uint16Array(slots);
    this.entries = new Float64Array(2 * slots);
    this.used = new Int32Array(slots / 2);
    this.survivorKeys = new Float64Array(slots / 2);
    this.survivorCounts = new Float64Array(slots / 2);
    this.mask = slots - 1;
    this.generation = 1;
    this.size = 0;
    for (let i = 0; i < size; i++) this.add(keys[i]!, counts[i]!, true);
  }
}

/**
 * Counts keyed by text, in an open-addressing table of typed arrays: each key's UTF-16 code units are kept in one
 * `Uint16Array` arena, so a key counted from ASCII bytes (`addAscii`, code unit = byte) is compared and stored
 * without a string ever being made; `forEach` makes the strings (and keeps them) when the entries are read. Keys
 * added as strings keep their string. A slot's stamp, hash, length and arena offset sit side by side (one cache line
 * per probe). The hash is the HyperLogLog's (`hashString`), computed once: after a lookup that found no entry,
 * `lastHigh`/`lastLow()` give it for the sketch. Emptying the table is a generation bump, as in `NumberCounts`;
 * `subtract` copies the surviving keys into a fresh arena, so the arena holds the live keys only.
 */
class StringCounts {
  /** Per slot, side by side (one cache line per probe): stamp (the generation that filled it), hash, length, offset. */
  private meta: Int32Array;
  private counts: Float64Array;
  /** The key of a slot as a string, once made (or as given). */
  private texts: (string | undefined)[];
  /** Slots in use, in insertion order. */
  private used: Int32Array;
  private arena = new Uint16Array(1024);
  private arenaUsed = 0;
  private spareArena = new Uint16Array(0);
  private generation = 1;
  private mask: number;
  size = 0;
  /** The high half of the 64-bit hash of the key of the last `addText`/`addAscii`/`get`; see `lastLow()`. */
  lastHigh = 0;
  private low = 0;
  /** Whether `low` is computed; `addAscii` leaves it to `lastLow()` (a hit, the most common case, needs none). */
  private lowKnown = false;
  private lane = 0;

  constructor(expectedEntries: number) {
    let slots = 16;
    while (slots < expectedEntries * 2) slots *= 2;
    this.mask = slots - 1;
    this.meta = new Int32Array(4 * slots);
    this.counts = new Float64Array(slots);
    this.texts = new Array<string | undefined>(slots).fill(undefined);
    this.used = new Int32Array(slots / 2);
  }

  get(text: string): number {
    this.hashText(text);
    const slot = this.findText(text);
    return this.meta[4 * slot] === this.generation ? this.counts[slot]! : 0;
  }

  addText(text: string, count: number, mayInsert: boolean): Found {
    this.hashText(text);
    const slot = this.findText(text);
    if (this.meta[4 * slot] === this.generation) {
      this.counts[slot]! += count;
      return HIT;
    }
    if (!mayInsert) return ABSENT;
    if (this.size === this.used.length) {
      this.resize(2 * (this.mask + 1));
      return this.addText(text, count, true);
    }
    const length = text.length;
    const offset = this.reserve(length);
    const arena = this.arena;
    for (let i = 0; i < length; i++) arena[offset + i] = text.charCodeAt(i);
    this.insert(slot, this.lastHigh, offset, length, count, text);
    return INSERTED;
  }

  /** `addText` with a count of 1 for the text that ASCII bytes[start, end) spell. */
  addAscii(bytes: Uint8Array, start: number, end: number, mayInsert: boolean): Found {
    // hashString of the text, inline (see hash.ts): code units two at a time in two multiply-rotate lanes.
    let a = 0x811c9dc5 ^ (end - start);
    let b = 0x1b873593;
    let i = start;
    for (; i + 1 < end; i += 2) {
      const pair = bytes[i]! | (bytes[i + 1]! << 16);
      a = Math.imul(a ^ pair, 0x9e3779b1);
      a = (a << 13) | (a >>> 19);
      b = Math.imul(b ^ pair, 0x85ebca77);
      b = (b << 17) | (b >>> 15);
    }
    if (i < end) {
      const unit = bytes[i]!;
      a = Math.imul(a ^ unit, 0x9e3779b1);
      a = (a << 13) | (a >>> 19);
      b = Math.imul(b ^ unit, 0x85ebca77);
      b = (b << 17) | (b >>> 15);
    }
    const high = mix(a ^ Math.imul(b, 0xc2b2ae3d));
    this.lastHigh = high;
    this.lane = b;
    this.lowKnown = false;
    const length = end - start;
    const meta = this.meta;
    const arena = this.arena;
    const generation = this.generation;
    let slot = high & this.mask;
    probe: for (; meta[4 * slot] === generation; slot = (slot + 1) & this.mask) {
      if (meta[4 * slot + 1] === high && meta[4 * slot + 2] === length) {
        const offset = meta[4 * slot + 3]! - start;
        for (let j = start; j < end; j++) if (arena[offset + j] !== bytes[j]) continue probe;
        this.counts[slot]!++;
        return HIT;
      }
    }
    if (!mayInsert) return ABSENT;
    if (this.size === this.used.length) {
      this.resize(2 * (this.mask + 1));
      return this.addAscii(bytes, start, end, true);
    }
    const offset = this.reserve(length);
    const target = this.arena;
    for (let i = 0; i < length; i++) target[offset + i] = bytes[start + i]!;
    this.insert(slot, high, offset, length, 1, undefined);
    return INSERTED;
  }

  /** Lowers every count by `amount`, dropping those that reach zero. */
  subtract(amount: number): void {
    this.rebuild(amount, this.mask + 1);
  }

  /** Drops every entry. */
  clear(): void {
    this.rebuild(Infinity, this.mask + 1);
  }

  forEach(visit: (value: string, count: number) => void): void {
    for (let i = 0; i < this.size; i++) {
      const slot = this.used[i]!;
      visit(this.textOf(slot), this.counts[slot]!);
    }
  }

  forEachCount(visit: (count: number) => void): void {
    for (let i = 0; i < this.size; i++) visit(this.counts[this.used[i]!]!);
  }

  /** The entries in insertion order (see `StringCountsState`). */
  toState(): StringCountsState {
    const size = this.size;
    const lengths = new Int32Array(size);
    const counts = new Float64Array(size);
    const hashes = new Int32Array(size);
    let total = 0;
    for (let i = 0; i < size; i++) total += this.meta[4 * this.used[i]! + 2]!;
    const units = new Uint16Array(total);
    let at = 0;
    for (let i = 0; i < size; i++) {
      const slot = this.used[i]!;
      const length = this.meta[4 * slot + 2]!;
      const offset = this.meta[4 * slot + 3]!;
      for (let j = 0; j < length; j++) units[at + j] = this.arena[offset + j]!;
      at += length;
      lengths[i] = length;
      counts[i] = this.counts[slot]!;
      hashes[i] = this.meta[4 * slot + 1]!;
    }
    return { units, lengths, counts, hashes };
  }

  /** Adds the entries of a state (another table's), creating those that are new. */
  addAll(state: StringCountsState): void {
    const { units, lengths, counts, hashes } = state;
    let at = 0;
    for (let i = 0; i < lengths.length; i++) {
      const length = lengths[i]!;
      this.addUnits(hashes[i]!, units, at, length, counts[i]!);
      at += length;
    }
  }

  /** Adds `count` for the key units[start, start + length) whose hash is `hash`, creating its entry if new. */
  private addUnits(hash: number, units: Uint16Array, start: number, length: number, count: number): void {
    const meta = this.meta;
    let slot = hash & this.mask;
    probe: for (; this.meta[4 * slot] === this.generation; slot = (slot + 1) & this.mask) {
      if (meta[4 * slot + 1] === hash && meta[4 * slot + 2] === length) {
        const offset = meta[4 * slot + 3]!;
        for (let j = 0; j < length; j++) if (this.arena[offset + j] !== units[start + j]) continue probe;
        this.counts[slot]! += count;
        return;
      }
    }
    if (this.size === this.used.length) {
      this.resize(2 * (this.mask + 1));
      this.addUnits(hash, units, start, length, count);
      return;
    }
    const offset = this.reserve(length);
    const arena = this.arena;
    for (let j = 0; j < length; j++) arena[offset + j] = units[start + j]!;
    this.insert(slot, hash, offset, length, count, undefined);
  }

  /** Adds every key to `distinct` (hashed from the code units: no string is made). */
  addKeysTo(distinct: HyperLogLog): void {
    for (let i = 0; i < this.size; i++) {
      const slot = this.used[i]!;
      const offset = this.meta[4 * slot + 3]!;
      distinct.addUnits(this.arena, offset, offset + this.meta[4 * slot + 2]!);
    }
  }

  /** The low half of the hash of the last key (see `lastHigh`). */
  lastLow(): number {
    if (!this.lowKnown) {
      this.low = mix(this.lane ^ this.lastHigh ^ 0x27d4eb2f);
      this.lowKnown = true;
    }
    return this.low;
  }

  /** hashString of `text` into `lastHigh` and the low half. */
  private hashText(text: string): void {
    hashString(text);
    this.lastHigh = HASH[0]! | 0;
    this.low = HASH[1]! | 0;
    this.lowKnown = true;
  }

  /** The slot holding `text` (hashed by `hashText` just before), or the empty slot where it would go. */
  private findText(text: string): number {
    const meta = this.meta;
    const length = text.length;
    let slot = this.lastHigh & this.mask;
    for (; this.meta[4 * slot] === this.generation; slot = (slot + 1) & this.mask) {
      if (meta[4 * slot + 1] === this.lastHigh && meta[4 * slot + 2] === length && this.equalsText(slot, text)) break;
    }
    return slot;
  }

  private textOf(slot: number): string {
    let text = this.texts[slot];
    if (text === undefined) {
      const offset = this.meta[4 * slot + 3]!;
      text = unitsToString(this.arena, offset, offset + this.meta[4 * slot + 2]!);
      this.texts[slot] = text;
    }
    return text;
  }

  private equalsText(slot: number, text: string): boolean {
    const known = this.texts[slot];
    if (known !== undefined) return known === text;
    const arena = this.arena;
    const offset = this.meta[4 * slot + 3]!;
    for (let i = 0; i < text.length; i++) if (arena[offset + i] !== text.charCodeAt(i)) return false;
    return true;
  }

  private insert(
    slot: number,
    hash: number,
    offset: number,
    length: number,
    count: number,
    text: string | undefined,
  ): void {
    const meta = this.meta;
    meta[4 * slot] = this.generation;
    meta[4 * slot + 1] = hash;
    meta[4 * slot + 2] = length;
    meta[4 * slot + 3] = offset;
    this.counts[slot] = count;
    this.texts[slot] = text;
    this.used[this.size++] = slot;
  }

  /** Room for `length` more code units in the arena; returns where they go. */
  private reserve(length: number): number {
    const offset = this.arenaUsed;
    if (offset + length > this.arena.length) {
      const grown = new Uint16Array(Math.max(offset + length, this.arena.length * 2));
      grown.set(this.arena.subarray(0, offset));
      this.arena = grown;
    }
    this.arenaUsed = offset + length;
    return offset;
  }

  private resize(slots: number): void {
    this.rebuild(0, slots);
  }

  /**
   * Keeps the entries whose count exceeds `amount`, lowered by it, in a table of `slots` slots and a new generation;
   * their keys move to a fresh arena (the old one is kept as the next spare).
   */
  private rebuild(amount: number, slots: number): void {
    // The survivors' fields go aside first: the new table may reuse the same arrays.
    const size = this.size;
    const aside = survivorScratch(size);
    const oldMeta = this.meta;
    let kept = 0;
    let units = 0;
    for (let i = 0; i < size; i++) {
      const slot = this.used[i]!;
      const count = this.counts[slot]!;
      if (count <= amount) continue;
      aside.meta[3 * kept] = oldMeta[4 * slot + 1]!;
      aside.meta[3 * kept + 1] = oldMeta[4 * slot + 2]!;
      aside.meta[3 * kept + 2] = oldMeta[4 * slot + 3]!;
      aside.counts[kept] = count - amount;
      aside.texts[kept] = this.texts[slot];
      units += oldMeta[4 * slot + 2]!;
      kept++;
    }
    if (slots !== this.mask + 1) {
      this.mask = slots - 1;
      this.meta = new Int32Array(4 * slots);
      this.counts = new Float64Array(slots);
      this.texts = new Array<string | undefined>(slots).fill(undefined);
      this.used = new Int32Array(slots / 2);
      this.generation = 0;
    }
    this.size = 0;
    if (++this.generation === 0x7fffffff) {
      for (let slot = 0; slot <= this.mask; slot++) this.meta[4 * slot] = 0;
      this.generation = 1;
    }
    if (kept === 0) {
      this.arenaUsed = 0;
      return;
    }
    const oldArena = this.arena;
    let arena = this.spareArena;
    if (arena.length < units) arena = new Uint16Array(Math.max(units, oldArena.length));
    this.spareArena = oldArena;
    this.arena = arena;
    let at = 0;
    for (let i = 0; i < kept; i++) {
      const hash = aside.meta[3 * i]!;
      const length = aside.meta[3 * i + 1]!;
      const offset = aside.meta[3 * i + 2]!;
      for (let j = 0; j < length; j++) arena[at + j] = oldArena[offset + j]!;
      let slot = hash & this.mask;
      while (this.meta[4 * slot] === this.generation) slot = (slot + 1) & this.mask;
      this.insert(slot, hash, at, length, aside.counts[i]!, aside.texts[i]);
      aside.texts[i] = undefined;
      at += length;
    }
    this.arenaUsed = at;
  }
}

/** Where `StringCounts.rebuild` keeps the surviving entries (hash, length, offset; count; string) meanwhile. */
const aside = { meta: new Int32Array(0), counts: new Float64Array(0), texts: [] as (string | undefined)[] };

function survivorScratch(size: number): typeof aside {
  if (aside.counts.length < size) {
    const length = Math.max(size, 2 * aside.counts.length);
    aside.meta = new Int32Array(3 * length);
    aside.counts = new Float64Array(length);
  }
  return aside;
}

/** The string of code units units[start, end), in pieces small enough for `String.fromCharCode`'s arguments. */
function unitsToString(units: Uint16Array, start: number, end: number): string {
  let text = '';
  for (let at = start; at < end; at += 4096) {
    const piece = units.subarray(at, Math.min(end, at + 4096));
    text += String.fromCharCode.apply(null, piece as unknown as number[]);
  }
  return text;
}
