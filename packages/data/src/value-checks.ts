import { HASH, hashNumber, hashString } from './hash.js';
import { canonicalKey } from './values.js';

/**
 * Per-value rules a column is checked against while it is profiled, because a profile's summaries cannot answer them
 * afterwards (a regular expression needs every value; an exact allowed-value count needs every value). Build them
 * from the user's rules (`profileOptionsForRules`) before profiling.
 */
export interface ValueCheckSpec {
  /** Values the column may hold; compared by canonical key (numbers by value, so 1 matches "1" and "1.0"). */
  allowedValues?: readonly (string | number | boolean)[];
  /** A JavaScript regular expression every present value must match (searched, as Python's `re.search`). */
  pattern?: string;
  /** Every present value must be distinct. */
  unique?: boolean;
  /** Inclusive bounds for numeric values. */
  min?: number;
  max?: number;
}

/** How many offending values a check keeps as examples for its violation message. */
export const EXAMPLE_LIMIT = 10;

/**
 * Distinct values the uniqueness check remembers (as 64-bit hashes, 9 bytes each in a half-full table, about 19 MB
 * at most). Below this the check is exact but for a hash collision (probability about n²/2^65, 3·10⁻⁸ at a million
 * values); past it, values beyond the first million are only checked against those, and `DatasetProfile` falls back
 * to the distinct-count sketch.
 */
export const UNIQUE_EXACT_LIMIT = 1_000_000;

/** A count of offending values with the first few distinct ones as examples. */
export class OffenderTally {
  total = 0;
  readonly examples = new Map<string, number>();

  add(example: string, count = 1): void {
    this.total += count;
    const seen = this.examples.get(example);
    if (seen !== undefined) this.examples.set(example, seen + count);
    else if (this.examples.size < EXAMPLE_LIMIT) this.examples.set(example, count);
  }

  merge(other: OffenderTally): void {
    this.total += other.total - sumOf(other.examples.values());
    for (const [example, count] of other.examples) this.add(example, count);
  }
}

function sumOf(counts: Iterable<number>): number {
  let total = 0;
  for (const count of counts) total += count;
  return total;
}

export interface ValueChecksState {
  spec: ValueCheckSpec;
  disallowed: [number, [string, number][]];
  patternMismatches: [number, [string, number][]];
  belowMin: [number, [string, number][]];
  aboveMax: [number, [string, number][]];
  unique: { high: Uint32Array; low: Uint32Array; duplicates: number; overflowed: boolean } | null;
}

/** The streaming tallies behind a column's `ValueCheckSpec`. */
export class ValueChecks {
  readonly spec: ValueCheckSpec;
  readonly disallowed = new OffenderTally();
  readonly patternMismatches = new OffenderTally();
  readonly belowMin = new OffenderTally();
  readonly aboveMax = new OffenderTally();
  readonly unique: UniqueValues | null;
  private readonly allowed: Set<string | number> | null;
  private readonly regex: RegExp | null;

  constructor(spec: ValueCheckSpec) {
    this.spec = spec;
    this.allowed = spec.allowedValues ? new Set(spec.allowedValues.map((value) => canonicalKey(value)!)) : null;
    this.regex = spec.pattern === undefined ? null : new RegExp(spec.pattern);
    this.unique = spec.unique ? new UniqueValues() : null;
  }

  /** A present numeric value; `text` is how it was written, when it came from text. */
  observeNumber(value: number, text: string | undefined): void {
    if (this.allowed !== null && !this.allowed.has(value + 0)) this.disallowed.add(text ?? String(value));
    if (this.regex !== null) {
      const written = text ?? String(value);
      if (!this.regex.test(written)) this.patternMismatches.add(written);
    }
    if (this.spec.min !== undefined && value < this.spec.min) this.belowMin.add(text ?? String(value));
    if (this.spec.max !== undefined && value > this.spec.max) this.aboveMax.add(text ?? String(value));
    if (this.unique !== null) {
      hashNumber(value);
      this.unique.add(HASH[0]!, HASH[1]!);
    }
  }

  /** A present non-numeric value; Booleans arrive as their canonical `true`/`false`. */
  observeText(key: string, text: string): void {
    if (this.allowed !== null && !this.allowed.has(key)) this.disallowed.add(text);
    if (this.regex !== null && !this.regex.test(text)) this.patternMismatches.add(text);
    if (this.unique !== null) {
      hashString(key);
      this.unique.add(HASH[0]!, HASH[1]!);
    }
  }

  merge(other: ValueChecks): void {
    if (JSON.stringify(other.spec) !== JSON.stringify(this.spec)) {
      throw new RangeError('cannot merge value checks built from different rules');
    }
    this.disallowed.merge(other.disallowed);
    this.patternMismatches.merge(other.patternMismatches);
    this.belowMin.merge(other.belowMin);
    this.aboveMax.merge(other.aboveMax);
    if (this.unique !== null && other.unique !== null) this.unique.merge(other.unique);
  }

  toState(): ValueChecksState {
    const tally = (t: OffenderTally): [number, [string, number][]] => [t.total, [...t.examples]];
    return {
      spec: this.spec,
      disallowed: tally(this.disallowed),
      patternMismatches: tally(this.patternMismatches),
      belowMin: tally(this.belowMin),
      aboveMax: tally(this.aboveMax),
      unique: this.unique === null ? null : this.unique.toState(),
    };
  }

  static fromState(state: ValueChecksState): ValueChecks {
    const checks = new ValueChecks(state.spec);
    const restore = (target: OffenderTally, [total, examples]: [number, [string, number][]]): void => {
      for (const [example, count] of examples) target.add(example, count);
      target.total = total;
    };
    restore(checks.disallowed, state.disallowed);
    restore(checks.patternMismatches, state.patternMismatches);
    restore(checks.belowMin, state.belowMin);
    restore(checks.aboveMax, state.aboveMax);
    if (checks.unique !== null && state.unique !== null) checks.unique.restore(state.unique);
    return checks;
  }
}

/**
 * A set of 64-bit value hashes in an open-addressing table, counting repeats. `duplicates` is the number of values
 * that repeat an earlier one (present − distinct while not overflowed; a lower bound after).
 */
export class UniqueValues {
  private high = new Uint32Array(1024);
  private low = new Uint32Array(1024);
  private used = new Uint8Array(1024);
  private size = 0;
  duplicates = 0;
  /** Set once more than `UNIQUE_EXACT_LIMIT` distinct values arrived; later new values were not remembered. */
  overflowed = false;

  add(high: number, low: number): void {
    const mask = this.used.length - 1;
    let slot = (high ^ Math.imul(low, 0x9e3779b1)) & mask;
    while (this.used[slot] === 1) {
      if (this.high[slot] === high && this.low[slot] === low) {
        this.duplicates++;
        return;
      }
      slot = (slot + 1) & mask;
    }
    if (this.size >= UNIQUE_EXACT_LIMIT) {
      this.overflowed = true;
      return;
    }
    this.high[slot] = high;
    this.low[slot] = low;
    this.used[slot] = 1;
    if (++this.size * 2 > this.used.length) this.grow();
  }

  merge(other: UniqueValues): void {
    this.duplicates += other.duplicates;
    this.overflowed ||= other.overflowed;
    other.forEach((high, low) => this.add(high, low));
  }

  toState(): { high: Uint32Array; low: Uint32Array; duplicates: number; overflowed: boolean } {
    const high: number[] = [];
    const low: number[] = [];
    this.forEach((h, l) => {
      high.push(h);
      low.push(l);
    });
    return {
      high: Uint32Array.from(high),
      low: Uint32Array.from(low),
      duplicates: this.duplicates,
      overflowed: this.overflowed,
    };
  }

  restore(state: { high: Uint32Array; low: Uint32Array; duplicates: number; overflowed: boolean }): void {
    state.high.forEach((high, i) => this.add(high, state.low[i]!));
    this.duplicates = state.duplicates;
    this.overflowed = state.overflowed;
  }

  private forEach(visit: (high: number, low: number) => void): void {
    for (let slot = 0; slot < this.used.length; slot++) {
      if (this.used[slot] === 1) visit(this.high[slot]!, this.low[slot]!);
    }
  }

  private grow(): void {
    const oldHigh = this.high;
    const oldLow = this.low;
    const oldUsed = this.used;
    this.high = new Uint32Array(oldUsed.length * 2);
    this.low = new Uint32Array(oldUsed.length * 2);
    this.used = new Uint8Array(oldUsed.length * 2);
    this.size = 0;
    for (let slot = 0; slot < oldUsed.length; slot++) {
      if (oldUsed[slot] === 1) this.add(oldHigh[slot]!, oldLow[slot]!);
    }
  }
}
