import { HyperLogLog } from './hyperloglog.js';

/** Distinct values counted exactly per column before the summary turns approximate. */
export const DEFAULT_FREQUENT_VALUE_CAPACITY = 1000;

/** A value and how often it was seen; numbers are the parsed values of numeric text. */
export interface ValueCount {
  value: string | number;
  count: number;
}

export interface FrequentValuesState {
  capacity: number;
  strings: [string, number][];
  numberKeys: Float64Array;
  numberCounts: Float64Array;
  undercount: number;
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
 *
 * The distinct count is exact while the summary is exact (the number of counters). At the first overflow a
 * HyperLogLog (precision 14, ±0.81 %) is seeded with every value seen so far — the counters hold exactly those — and
 * then sees every value, so the estimate covers the whole column. Columns that never overflow never pay for hashing.
 */
export class FrequentValues {
  readonly capacity: number;
  private strings = new Map<string, number>();
  private numbers: NumberCounts;
  private undercountTotal = 0;
  private distinct: HyperLogLog | null = null;

  constructor(capacity: number = DEFAULT_FREQUENT_VALUE_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`frequent-value capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.numbers = new NumberCounts(capacity);
  }

  /** True while every count is exact and the column has at most `capacity` distinct values. */
  get isExact(): boolean {
    return this.undercountTotal === 0;
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
    this.distinct?.addString(value);
    const count = this.strings.get(value);
    if (count !== undefined) this.strings.set(value, count + 1);
    else if (this.size < this.capacity) this.strings.set(value, 1);
    else this.decrementAll();
  }

  addNumber(value: number): void {
    this.distinct?.addNumber(value);
    if (!this.numbers.add(value, 1, this.size < this.capacity)) this.decrementAll();
  }

  /** Estimated count of a value (a lower bound, at most `undercount` short; exact when `isExact`). */
  countOf(value: string | number): number {
    return typeof value === 'number' ? this.numbers.get(value) : (this.strings.get(value) ?? 0);
  }

  /** Exact distinct count while exact, else the HyperLogLog estimate. */
  distinctCount(): number {
    return this.distinct === null ? this.size : this.distinct.estimate();
  }

  /** Counted values, most frequent first; ties by value (numbers before text, each ascending) for stable output. */
  entries(): ValueCount[] {
    const result: ValueCount[] = [];
    for (const [value, count] of this.strings) result.push({ value, count });
    this.numbers.forEach((value, count) => result.push({ value, count }));
    return result.sort(compareValueCounts);
  }

  merge(other: FrequentValues): this {
    if (other.capacity !== this.capacity) {
      throw new RangeError(`cannot merge frequent values with capacities ${this.capacity} and ${other.capacity}`);
    }
    if (other === this) return this.merge(FrequentValues.fromState(this.toState()));
    if (this.distinct !== null || other.distinct !== null) {
      // Every value of an exact side is one of its counters, so adding them is the HyperLogLog of that side.
      const distinct = this.distinct ?? this.seededDistinct();
      if (other.distinct !== null) distinct.merge(other.distinct);
      else
        other.forEachKey((value) =>
          typeof value === 'number' ? distinct.addNumber(value) : distinct.addString(value),
        );
      this.distinct = distinct;
    }
    for (const [value, count] of other.strings) this.strings.set(value, (this.strings.get(value) ?? 0) + count);
    other.numbers.forEach((value, count) => this.numbers.add(value, count, true));
    this.undercountTotal += other.undercountTotal;
    if (this.size > this.capacity) {
      if (this.distinct === null) this.distinct = this.seededDistinct();
      const counts = [...this.strings.values()];
      this.numbers.forEach((_, count) => counts.push(count));
      counts.sort((a, b) => b - a);
      this.subtract(counts[this.capacity]!);
    }
    return this;
  }

  toState(): FrequentValuesState {
    const numberKeys: number[] = [];
    const numberCounts: number[] = [];
    this.numbers.forEach((value, count) => {
      numberKeys.push(value);
      numberCounts.push(count);
    });
    return {
      capacity: this.capacity,
      strings: [...this.strings],
      numberKeys: Float64Array.from(numberKeys),
      numberCounts: Float64Array.from(numberCounts),
      undercount: this.undercountTotal,
      distinct: this.distinct === null ? null : Uint8Array.from(this.distinct.registers),
    };
  }

  static fromState(state: FrequentValuesState): FrequentValues {
    const summary = new FrequentValues(state.capacity);
    summary.strings = new Map(state.strings);
    state.numberKeys.forEach((value, i) => summary.numbers.add(value, state.numberCounts[i]!, true));
    summary.undercountTotal = state.undercount;
    summary.distinct = state.distinct === null ? null : new HyperLogLog(state.distinct);
    return summary;
  }

  private decrementAll(): void {
    if (this.distinct === null) this.distinct = this.seededDistinct();
    this.subtract(1);
  }

  /** Lowers every count by `amount`, dropping those that reach zero, and records the added undercount. */
  private subtract(amount: number): void {
    for (const [value, count] of this.strings) {
      if (count <= amount) this.strings.delete(value);
      else this.strings.set(value, count - amount);
    }
    this.numbers.subtract(amount);
    this.undercountTotal += amount;
  }

  private seededDistinct(): HyperLogLog {
    const distinct = new HyperLogLog();
    this.forEachKey((value) => (typeof value === 'number' ? distinct.addNumber(value) : distinct.addString(value)));
    return distinct;
  }

  private forEachKey(visit: (value: string | number) => void): void {
    for (const value of this.strings.keys()) visit(value);
    this.numbers.forEach((value) => visit(value));
  }
}

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
  private keys: Float64Array;
  private counts: Float64Array;
  private stamps: Uint32Array;
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
    this.keys = new Float64Array(slots);
    this.counts = new Float64Array(slots);
    this.stamps = new Uint32Array(slots);
    this.used = new Int32Array(slots / 2);
    this.survivorKeys = new Float64Array(slots / 2);
    this.survivorCounts = new Float64Array(slots / 2);
    this.mask = slots - 1;
  }

  get(value: number): number {
    const slot = this.find(value);
    return slot < 0 ? 0 : this.counts[slot]!;
  }

  /**
   * Adds `count` to the value's entry, creating it if absent and `mayInsert`; false when the value had no entry and
   * none was created. One probe serves both the lookup and the insertion.
   */
  add(value: number, count: number, mayInsert: boolean): boolean {
    value += 0; // -0 and 0 are one key
    let slot = this.slotOf(value);
    while (this.stamps[slot] === this.generation) {
      if (this.keys[slot] === value) {
        this.counts[slot]! += count;
        return true;
      }
      slot = (slot + 1) & this.mask;
    }
    if (!mayInsert) return false;
    if (this.size === this.used.length) {
      this.resize(this.keys.length * 2);
      return this.add(value, count, true);
    }
    this.keys[slot] = value;
    this.counts[slot] = count;
    this.stamps[slot] = this.generation;
    this.used[this.size++] = slot;
    return true;
  }

  /** Lowers every count by `amount`, dropping those that reach zero. */
  subtract(amount: number): void {
    let survivors = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = this.used[i]!;
      const count = this.counts[slot]!;
      if (count > amount) {
        this.survivorKeys[survivors] = this.keys[slot]!;
        this.survivorCounts[survivors++] = count - amount;
      }
    }
    this.clear();
    for (let i = 0; i < survivors; i++) this.add(this.survivorKeys[i]!, this.survivorCounts[i]!, true);
  }

  forEach(visit: (value: number, count: number) => void): void {
    for (let i = 0; i < this.size; i++) {
      const slot = this.used[i]!;
      visit(this.keys[slot]!, this.counts[slot]!);
    }
  }

  private find(value: number): number {
    value += 0;
    let slot = this.slotOf(value);
    while (this.stamps[slot] === this.generation) {
      if (this.keys[slot] === value) return slot;
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }

  private slotOf(value: number): number {
    this.scratch[0] = value;
    const mixed = Math.imul(this.scratchWords[0]! ^ Math.imul(this.scratchWords[1]!, 0x9e3779b1), 0x85ebca6b);
    return (mixed ^ (mixed >>> 15)) & this.mask;
  }

  private clear(): void {
    this.size = 0;
    if (++this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  private resize(slots: number): void {
    const entries: [number, number][] = [];
    this.forEach((value, count) => entries.push([value, count]));
    this.keys = new Float64Array(slots);
    this.counts = new Float64Array(slots);
    this.stamps = new Uint32Array(slots);
    this.used = new Int32Array(slots / 2);
    this.survivorKeys = new Float64Array(slots / 2);
    this.survivorCounts = new Float64Array(slots / 2);
    this.mask = slots - 1;
    this.generation = 1;
    this.size = 0;
    for (const [value, count] of entries) this.add(value, count, true);
  }
}
