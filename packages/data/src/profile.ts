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

  // Welford's running mean and sum of squared deviations, merged with Chan et al.'s pairwise update.
  private runningMean = 0;
  private squaredDeviations = 0;
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
    return n === 0 ? NaN : this.squaredDeviations / n;
  }

  /** Sample variance (ddof = 1; NaN below two values). */
  get sampleVariance(): number {
    const n = this.numericCount;
    return n < 2 ? NaN : this.squaredDeviations / (n - 1);
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

  addBoolean(value: boolean): void {
    this.addBooleanValue(value, value ? 'true' : 'false');
  }

  addMissing(): void {
    this.missing++;
  }

  /** Folds `other` (a profile of the same column over other rows) into this one. */
  merge(other: ColumnProfile): this {
    const n1 = this.numericCount;
    const n2 = other.numericCount;
    if (n2 > 0) {
      const n = n1 + n2;
      const delta = other.runningMean - this.runningMean;
      this.squaredDeviations += other.squaredDeviations + (delta * delta * n1 * n2) / n;
      this.runningMean += (delta * n2) / n;
      this.addToSum(other.sumValue);
      this.addToSum(other.sumCompensation);
    }
    this.present += other.present;
    this.missing += other.missing;
    this.integral += other.integral;
    this.fractional += other.fractional;
    this.boolean += other.boolean;
    this.string += other.string;
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

  toState(): ColumnProfileState {
    return {
      name: this.name,
      counts: [this.present, this.missing, this.integral, this.fractional, this.boolean, this.string],
      moments: [this.min, this.max, this.runningMean, this.squaredDeviations, this.sumValue, this.sumCompensation],
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
    return column;
  }

  private addNumeric(value: number, text: string | undefined): void {
    this.present++;
    const n = this.integral + this.fractional;
    const delta = value - this.runningMean;
    this.runningMean += delta / n;
    this.squaredDeviations += delta * (value - this.runningMean);
    this.addToSum(value);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sketch.update(value);
    this.frequencies.addNumber(value);
    this.checks?.observeNumber(value, text);
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
 * Profiles of all columns of a dataset, fed cell by cell by a reader.
 *
 * A reader resolves each column once (`columnIndex(name)`, or the header passed to the constructor), then for every
 * row calls `addText`/`addValue` per cell and `endRow()`. Nothing is allocated per row. A column's missing count is
 * `rowCount − present`, so rows that never mention a column (a JSON line without the key, a short CSV row) count as
 * missing for it without the reader having to say so.
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
