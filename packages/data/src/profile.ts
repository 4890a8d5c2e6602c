import { DEFAULT_FREQUENT_VALUE_CAPACITY, FrequentValues, type FrequentValuesState } from './frequent-values.js';
import { KllSketch, type KllSketchState } from './kll.js';
import { type ValueCheckSpec, ValueChecks, type ValueChecksState } from './value-checks.js';
import { classifyText, classifyValue, lastParsed, type RawValue, ValueKind } from './values.js';

/**
 * Deequ's data types. `Unknown` is a column with no present value. Model Monitor's files have no `Boolean`: they
 * write such columns as `String` (see `modelMonitorType`).
 */
export type InferredType = 'Integral' | 'Fractional' | 'String' | 'Boolean' | 'Unknown';

export interface ProfileOptions {
  /** Distinct values counted exactly per column before frequencies turn approximate (default 1000). */
  frequentValueCapacity?: number;
  /** Per-value rules to tally while profiling, by column name (see `profileOptionsForRules`). */
  valueChecks?: Readonly<Record<string, ValueCheckSpec>>;
  /**
   * Columns whose numbers the CSV reader must always count in the value frequencies, or `all`. Elsewhere it leaves
   * them uncounted in a chunk where the column holds no text (see `ProfileSink`); name the columns a baseline says
   * are String, whose checks read the frequencies whatever the current data holds.
   */
  countNumbersOf?: readonly string[] | 'all';
}

/** The running statistics of one column. All of it merges: see `merge`. */
export class ColumnProfile {
  readonly name: string;
  /** Values that were present (not missing). */
  present = 0;
  /** Values recorded as missing through this profile (a `DatasetProfile` also counts rows that never set the column). */
  missing = 0;
  integral = 0;
  fractional = 0;
  boolean = 0;
  string = 0;
  /** Smallest and largest numeric value (±Infinity while there is none). */
  min = Infinity;
  max = -Infinity;
  /** Quantile sketch of the numeric values (Deequ-compatible KLL, k = 2048, c = 0.64). */
  readonly sketch: KllSketch;
  /** Value frequencies and distinct count of all present values. */
  readonly frequencies: FrequentValues;
  /** Tallies of the user's per-value rules for this column, when any were configured. */
  readonly checks: ValueChecks | null;

  // Mean and sum of squared deviations of the numeric values, kept in blocks: the values of the current block wait in
  // `block`; every full block of MOMENT_BLOCK values (a two-pass mean and deviations) is folded into the running
  // ones with Chan et al.'s pairwise update, as merges are. The blocks depend only on how many numbers came since the
  // last merge or restore, not on how they were fed (one by one, or in batches), so both give identical results; and
  // the getters combine the pending block without folding it, so reading changes nothing.
  private runningMean = 0;
  private squaredDeviations = 0;
  /** Numbers folded into `runningMean` and `squaredDeviations`. */
  private foldedCount = 0;
  private block: Float64Array | null = null;
  private blockCount = 0;
  // Neumaier's compensated sum: `sumCompensation` holds the low-order bits that `sumValue` lost.
  private sumValue = 0;
  private sumCompensation = 0;

  constructor(
    name: string,
    options: { frequentValueCapacity?: number; valueChecks?: ValueCheckSpec } = {},
    restored?: { sketch: KllSketch; frequencies: FrequentValues; checks: ValueChecks | null },
  ) {
    this.name = name;
    this.sketch = restored?.sketch ?? new KllSketch();
    this.frequencies =
      restored?.frequencies ?? new FrequentValues(options.frequentValueCapacity ?? DEFAULT_FREQUENT_VALUE_CAPACITY);
    this.checks = restored ? restored.checks : options.valueChecks ? new ValueChecks(options.valueChecks) : null;
  }

  /**
   * Empties the profile, as new, keeping its sketch's and tables' buffers for reuse (a worker thread profiles chunk
   * after chunk). Not for profiles with value checks (their tallies are made anew).
   */
  reset(): void {
    if (this.checks !== null) throw new Error(`column '${this.name}': a profile with value checks cannot be reset`);
    this.present = this.missing = this.integral = this.fractional = this.boolean = this.string = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.runningMean = this.squaredDeviations = this.foldedCount = this.blockCount = 0;
    this.sumValue = this.sumCompensation = 0;
    this.sketch.reset();
    this.frequencies.reset();
  }

  /** Values seen through this profile, present or missing. */
  get count(): number {
    return this.present + this.missing;
  }

  /** Present values that are numbers (Integral or Fractional). */
  get numericCount(): number {
    return this.integral + this.fractional;
  }

  /** Compensated sum of the numeric values: within an ulp or two of the exactly rounded sum (`math.fsum`). */
  get sum(): number {
    return this.sumValue + this.sumCompensation;
  }

  /** Mean of the numeric values, from the compensated sum (NaN when there is none). */
  get mean(): number {
    const n = this.numericCount;
    return n === 0 ? NaN : this.sum / n;
  }

  /** Population variance (ddof = 0). */
  get populationVariance(): number {
    const n = this.numericCount;
    return n === 0 ? NaN : this.moments()[1] / n;
  }

  /** Sample variance (ddof = 1; NaN below two values). */
  get sampleVariance(): number {
    const n = this.numericCount;
    return n < 2 ? NaN : this.moments()[1] / (n - 1);
  }

  /** Population standard deviation: what Deequ's `StandardDeviation` and Model Monitor's `std_dev` report. */
  get populationStdDev(): number {
    return Math.sqrt(this.populationVariance);
  }

  get sampleStdDev(): number {
    return Math.sqrt(this.sampleVariance);
  }

  /**
   * Deequ's `DataTypeHistogram.determineType`: Unknown when nothing is present; String as soon as one value is text,
   * or Booleans mix with numbers; else Boolean if any Boolean; else Fractional if any Fractional; else Integral.
   */
  get inferredType(): InferredType {
    if (this.present === 0) return 'Unknown';
    if (this.string > 0 || (this.boolean > 0 && this.numericCount > 0)) return 'String';
    if (this.boolean > 0) return 'Boolean';
    if (this.fractional > 0) return 'Fractional';
    return 'Integral';
  }

  /** Adds a raw cell: text is classified (see `values.ts`), numbers and Booleans are taken as they are. */
  add(value: RawValue): void {
    if (typeof value === 'string') this.addText(value);
    else if (typeof value === 'number') this.addNumber(value);
    else if (typeof value === 'boolean') this.addBoolean(value);
    else this.missing++;
  }

  /** Adds a cell read as text, as from CSV. */
  addText(text: string): void {
    switch (classifyText(text)) {
      case ValueKind.Missing:
        this.missing++;
        return;
      case ValueKind.Integral:
        this.integral++;
        this.addNumeric(lastParsed.number, text);
        return;
      case ValueKind.Fractional:
        this.fractional++;
        this.addNumeric(lastParsed.number, text);
        return;
      case ValueKind.Boolean:
        this.addBooleanValue(lastParsed.boolean, text);
        return;
      default:
        this.addString(text);
    }
  }

  /** Adds a typed number, as from Parquet or JSON. NaN is missing; ±Infinity is text. */
  addNumber(value: number): void {
    switch (classifyValue(value)) {
      case ValueKind.Missing:
        this.missing++;
        return;
      case ValueKind.Integral:
        this.integral++;
        this.addNumeric(value, undefined);
        return;
      case ValueKind.Fractional:
        this.fractional++;
        this.addNumeric(value, undefined);
        return;
      default:
        this.addString(String(value));
    }
  }

  /**
   * Adds values[0, count) as numbers already classified: `fractional` of them Fractional, the rest Integral (so text
   * like `2.0` keeps its Fractional vote though its value is whole). They must be finite. The readers' fast path:
   * loops over the batch for the sum and extremes, the moments' blocks, the sketch (`updateMany`) and the frequencies
   * (`addNumbers`), with exactly the result of adding the same values one by one. With `countFrequencies` false the
   * frequencies do not see them: the caller counts them later or records them as skipped (see `ProfileSink`).
   */
  addNumbers(values: Float64Array, count: number, fractional: number, countFrequencies = true): void {
    if (count === 0) return;
    this.present += count;
    this.fractional += fractional;
    this.integral += count - fractional;
    let min = this.min;
    let max = this.max;
    let sum = this.sumValue;
    let compensation = this.sumCompensation;
    for (let i = 0; i < count; i++) {
      const value = values[i]!;
      if (value < min) min = value;
      if (value > max) max = value;
      // Knuth's TwoSum: the exact rounding error of sum + value, the very term Neumaier's branches compute.
      const total = sum + value;
      const virtual = total - sum;
      compensation += sum - (total - virtual) + (value - virtual);
      sum = total;
    }
    this.min = min;
    this.max = max;
    this.sumValue = sum;
    this.sumCompensation = compensation;
    let block = this.block ?? this.newBlock();
    for (let at = 0; at < count;) {
      const take = Math.min(count - at, MOMENT_BLOCK - this.blockCount);
      if (take === MOMENT_BLOCK) this.foldBlock(values, at);
      else {
        const blockCount = this.blockCount;
        for (let i = 0; i < take; i++) block[blockCount + i] = values[at + i]!;
        this.blockCount = blockCount + take;
        if (this.blockCount === MOMENT_BLOCK) {
          this.foldBlock(block, 0);
          block = this.block!;
        }
      }
      at += take;
    }
    this.sketch.updateMany(values, 0, count);
    if (countFrequencies) this.frequencies.addNumbers(values, count);
    if (this.checks !== null) for (let i = 0; i < count; i++) this.checks.observeNumber(values[i]!, undefined);
  }

  /** `addAsciiString` of the texts bytes[starts[i], ends[i]) for i < count, in order. */
  addAsciiStrings(bytes: Uint8Array, starts: Int32Array, ends: Int32Array, count: number): void {
    if (this.checks !== null) {
      for (let i = 0; i < count; i++) this.addAsciiString(bytes, starts[i]!, ends[i]!);
      return;
    }
    this.present += count;
    this.string += count;
    const frequencies = this.frequencies;
    for (let i = 0; i < count; i++) frequencies.addAscii(bytes, starts[i]!, ends[i]!);
  }

  /** Adds a text value that ASCII bytes[start, end) spell and that `classifyAscii` found to be a String. */
  addAsciiString(bytes: Uint8Array, start: number, end: number): void {
    if (this.checks !== null) {
      let text = '';
      for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
      this.addString(text);
      return;
    }
    this.present++;
    this.string++;
    this.frequencies.addAscii(bytes, start, end);
  }

  addBoolean(value: boolean): void {
    this.addBooleanValue(value, value ? 'true' : 'false');
  }

  addMissing(count = 1): void {
    this.missing += count;
  }

  /** Folds `other` (a profile of the same column over other rows) into this one. */
  merge(other: ColumnProfile): this {
    const n2 = other.numericCount;
    if (n2 > 0) {
      const [mean2, deviations2] = other.moments();
      this.mergeMoments(n2, mean2, deviations2, other.sumValue, other.sumCompensation);
    }
    this.mergeCounts(other.present, other.missing, other.integral, other.fractional, other.boolean, other.string);
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.sketch.merge(other.sketch);
    this.frequencies.merge(other.frequencies);
    if ((this.checks === null) !== (other.checks === null)) {
      throw new RangeError(`column '${this.name}': cannot merge a profile with value checks into one without`);
    }
    this.checks?.merge(other.checks!);
    return this;
  }

  /** `merge` of a profile given by its state (as a worker thread posts it), without making the profile first. */
  mergeState(state: ColumnProfileState): this {
    const [present, missing, integral, fractional, boolean, string] = state.counts;
    const [min, max, mean, deviations, sum, compensation] = state.moments;
    if (integral + fractional > 0) this.mergeMoments(integral + fractional, mean, deviations, sum, compensation);
    this.mergeCounts(present, missing, integral, fractional, boolean, string);
    this.min = Math.min(this.min, min);
    this.max = Math.max(this.max, max);
    this.sketch.mergeState(state.sketch);
    this.frequencies.mergeState(state.frequencies);
    if ((this.checks === null) !== (state.checks === null)) {
      throw new RangeError(`column '${this.name}': cannot merge a profile with value checks into one without`);
    }
    if (state.checks !== null) this.checks!.merge(ValueChecks.fromState(state.checks));
    return this;
  }

  /** Folds n2 more numbers, of mean `mean2`, squared deviations `deviations2` and compensated sum, into this one. */
  private mergeMoments(n2: number, mean2: number, deviations2: number, sum: number, compensation: number): void {
    const n1 = this.numericCount;
    const [mean1, deviations1] = this.moments();
    [this.runningMean, this.squaredDeviations] = chan(mean1, deviations1, n1, mean2, deviations2, n2);
    this.foldedCount = n1 + n2;
    this.blockCount = 0;
    this.addToSum(sum);
    this.addToSum(compensation);
  }

  private mergeCounts(
    present: number,
    missing: number,
    integral: number,
    fractional: number,
    boolean: number,
    string: number,
  ): void {
    this.present += present;
    this.missing += missing;
    this.integral += integral;
    this.fractional += fractional;
    this.boolean += boolean;
    this.string += string;
  }

  toState(): ColumnProfileState {
    return {
      name: this.name,
      counts: [this.present, this.missing, this.integral, this.fractional, this.boolean, this.string],
      moments: [this.min, this.max, ...this.moments(), this.sumValue, this.sumCompensation],
      sketch: this.sketch.toState(),
      frequencies: this.frequencies.toState(),
      checks: this.checks === null ? null : this.checks.toState(),
    };
  }

  static fromState(state: ColumnProfileState): ColumnProfile {
    const column = new ColumnProfile(state.name, undefined, {
      sketch: KllSketch.fromState(state.sketch),
      frequencies: FrequentValues.fromState(state.frequencies),
      checks: state.checks === null ? null : ValueChecks.fromState(state.checks),
    });
    [column.present, column.missing, column.integral, column.fractional, column.boolean, column.string] = state.counts;
    [column.min, column.max, column.runningMean, column.squaredDeviations, column.sumValue, column.sumCompensation] =
      state.moments;
    column.foldedCount = column.integral + column.fractional;
    return column;
  }

  private addNumeric(value: number, text: string | undefined): void {
    this.present++;
    this.addToSum(value);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const block = this.block ?? this.newBlock();
    block[this.blockCount++] = value;
    if (this.blockCount === MOMENT_BLOCK) this.foldBlock(block, 0);
    this.sketch.update(value);
    this.frequencies.addNumber(value);
    this.checks?.observeNumber(value, text);
  }

  private newBlock(): Float64Array {
    this.block = new Float64Array(MOMENT_BLOCK);
    return this.block;
  }

  /**
   * Folds the full block values[from, from + MOMENT_BLOCK) into the running moments and empties the pending block
   * (these values are the numbers that came after the running ones, in order).
   */
  private foldBlock(values: Float64Array, from: number): void {
    const [mean, deviations] = blockMoments(values, from, from + MOMENT_BLOCK);
    const merged = chan(this.runningMean, this.squaredDeviations, this.foldedCount, mean, deviations, MOMENT_BLOCK);
    this.runningMean = merged[0];
    this.squaredDeviations = merged[1];
    this.foldedCount += MOMENT_BLOCK;
    this.blockCount = 0;
  }

  /** The mean and squared deviations of all numeric values: the running ones with the pending block. */
  private moments(): [number, number] {
    if (this.blockCount === 0) return [this.runningMean, this.squaredDeviations];
    const [mean, deviations] = blockMoments(this.block!, 0, this.blockCount);
    return chan(this.runningMean, this.squaredDeviations, this.foldedCount, mean, deviations, this.blockCount);
  }

  private addToSum(value: number): void {
    const total = this.sumValue + value;
    if (Math.abs(this.sumValue) >= Math.abs(value)) this.sumCompensation += this.sumValue - total + value;
    else this.sumCompensation += value - total + this.sumValue;
    this.sumValue = total;
  }

  private addBooleanValue(value: boolean, text: string): void {
    this.present++;
    this.boolean++;
    const key = value ? 'true' : 'false';
    this.frequencies.addString(key);
    this.checks?.observeText(key, text);
  }

  private addString(text: string): void {
    this.present++;
    this.string++;
    this.frequencies.addString(text);
    this.checks?.observeText(text, text);
  }
}

/** Numbers per block of the moments (see `ColumnProfile`). */
const MOMENT_BLOCK = 1024;

/** Mean and sum of squared deviations of values[from, to) (not empty), in two passes. */
function blockMoments(values: Float64Array, from: number, to: number): [number, number] {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]!;
  const mean = sum / (to - from);
  let deviations = 0;
  for (let i = from; i < to; i++) {
    const deviation = values[i]! - mean;
    deviations += deviation * deviation;
  }
  return [mean, deviations];
}

/** Chan et al.'s pairwise update: the mean and squared deviations of two groups of n1 and n2 values together. */
function chan(
  mean1: number,
  deviations1: number,
  n1: number,
  mean2: number,
  deviations2: number,
  n2: number,
): [number, number] {
  if (n1 === 0) return [mean2, deviations2];
  const n = n1 + n2;
  const delta = mean2 - mean1;
  return [mean1 + (delta * n2) / n, deviations1 + deviations2 + (delta * delta * n1 * n2) / n];
}

/** A structured-clone-friendly copy of a column profile, to hand partial profiles between worker threads. */
export interface ColumnProfileState {
  name: string;
  counts: [number, number, number, number, number, number];
  moments: [number, number, number, number, number, number];
  sketch: KllSketchState;
  frequencies: FrequentValuesState;
  checks: ValueChecksState | null;
}

export interface DatasetProfileState {
  rows: number;
  options: ProfileOptions;
  columns: ColumnProfileState[];
}

/**
 * Profiles of all columns of a dataset, fed by a reader.
 *
 * A reader resolves each column once (`columnIndex(name)`, or the header passed to the constructor), then for every
 * row calls `addText`/`addValue` per cell and `endRow()` — or, column at a time, hands a column its values in batches
 * (`ColumnProfile.addNumbers`, `addAsciiStrings`, `addMissing`) and counts the rows with `endRows` (the CSV reader).
 * Nothing is allocated per row. A column's missing count is `rowCount − present`, so rows that never mention a column
 * (a JSON line without the key, a short CSV row) count as missing for it without the reader having to say so.
 *
 * `merge` is associative: the merge of profiles of N parts is the profile of the whole, exactly for counts, type
 * votes, min, max and frequencies below the capacity, to rounding for mean and variance, and within the KLL error for
 * the sketch (whose items depend on the order of merges, as in Deequ).
 */
export class DatasetProfile {
  readonly options: ProfileOptions;
  private readonly columnList: ColumnProfile[] = [];
  private readonly indexByName = new Map<string, number>();
  private rows = 0;

  constructor(columnNames: readonly string[] = [], options: ProfileOptions = {}) {
    this.options = options;
    for (const name of columnNames) this.columnIndex(name);
  }

  get rowCount(): number {
    return this.rows;
  }

  get columns(): readonly ColumnProfile[] {
    return this.columnList;
  }

  get columnNames(): string[] {
    return this.columnList.map((column) => column.name);
  }

  /** The index of a column, added (with no values so far) when new. */
  columnIndex(name: string): number {
    let index = this.indexByName.get(name);
    if (index === undefined) {
      index = this.columnList.length;
      this.columnList.push(
        new ColumnProfile(name, {
          frequentValueCapacity: this.options.frequentValueCapacity,
          valueChecks: this.options.valueChecks?.[name],
        }),
      );
      this.indexByName.set(name, index);
    }
    return index;
  }

  column(name: string): ColumnProfile | undefined {
    const index = this.indexByName.get(name);
    return index === undefined ? undefined : this.columnList[index];
  }

  /** Missing values of a column: the rows in which it was not present. */
  missingCount(column: ColumnProfile): number {
    return this.rows - column.present;
  }

  addText(columnIndex: number, text: string): void {
    this.columnList[columnIndex]!.addText(text);
  }

  addValue(columnIndex: number, value: RawValue): void {
    this.columnList[columnIndex]!.add(value);
  }

  /** Ends the current row. */
  endRow(): void {
    this.rows++;
  }

  /** Empties every column (see `ColumnProfile.reset`); the columns stay. */
  reset(): void {
    for (const column of this.columnList) column.reset();
    this.rows = 0;
  }

  /** Ends `count` rows at once (for readers that feed whole columns of a batch of rows). */
  endRows(count: number): void {
    this.rows += count;
  }

  /**
   * Adds a whole row, cell i to column i. Cells past the known columns get Spark's header-less names `_c<i>`, as Model
   * Monitor names the columns of a CSV without header.
   */
  addRow(values: readonly RawValue[]): void {
    for (let i = 0; i < values.length; i++) {
      const index = i < this.columnList.length ? i : this.columnIndex(`_c${i}`);
      this.columnList[index]!.add(values[i]);
    }
    this.rows++;
  }

  /** Folds another profile of the same dataset (other rows) into this one; columns are matched by name. */
  merge(other: DatasetProfile): this {
    if (other === this) return this.merge(DatasetProfile.fromState(this.toState()));
    for (const column of other.columnList) {
      this.columnList[this.columnIndex(column.name)]!.merge(column);
    }
    this.rows += other.rows;
    return this;
  }

  /**
   * `merge` of a profile given by its state, as a worker thread posts it: the same result as merging
   * `DatasetProfile.fromState(state)`, without making that profile (and its sketches and tables) first.
   */
  mergeState(state: DatasetProfileState): this {
    for (const column of state.columns) this.columnList[this.columnIndex(column.name)]!.mergeState(column);
    this.rows += state.rows;
    return this;
  }

  toState(): DatasetProfileState {
    return { rows: this.rows, options: this.options, columns: this.columnList.map((column) => column.toState()) };
  }

  static fromState(state: DatasetProfileState): DatasetProfile {
    const profile = new DatasetProfile([], state.options);
    for (const columnState of state.columns) {
      profile.indexByName.set(columnState.name, profile.columnList.length);
      profile.columnList.push(ColumnProfile.fromState(columnState));
    }
    profile.rows = state.rows;
    return profile;
  }
}
