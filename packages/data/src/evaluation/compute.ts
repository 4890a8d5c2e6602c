// Metrics computed from predictions: task detection, classification and regression metrics, each with a percentile
// bootstrap interval. Every metric is a function of per-row integer weights (see bootstrap.ts), so the point estimate
// and all replicates share one code path and no replicate allocates.
import { ConfigurationError, DataError } from '@mlops-actions/core';
import type { DataLocation } from '@mlops-actions/core';
import { bootstrap } from './bootstrap.js';
import type { BootstrapSettings, WeightedStatistics } from './bootstrap.js';
import { createMetricSet } from './metrics.js';
import type { MetricSet, MetricValue } from './metrics.js';

export type EvaluationTask = 'classification' | 'regression';

/** One cell of a label or prediction column as read from a file; null, undefined and blank strings are missing. */
export type Cell = string | number | null | undefined;

export interface PredictionColumns {
  /** The true label (classification) or target value (regression) of each row. */
  readonly labels: ArrayLike<Cell>;
  /** The predicted class or value of each row. */
  readonly predictions: ArrayLike<Cell>;
  /** Binary classification: each row's score for the positive class (a probability for log loss). */
  readonly scores?: ArrayLike<number>;
  /** Per-class scores (probabilities), keyed by class label; needed for multi-class ROC AUC and log loss. */
  readonly classScores?: ReadonlyMap<string, ArrayLike<number>> | Readonly<Record<string, ArrayLike<number>>>;
}

export const DEFAULT_MAX_CLASSES = 20;
export const DEFAULT_BOOTSTRAP_SAMPLES = 1000;
export const DEFAULT_CONFIDENCE = 0.95;
export const DEFAULT_SEED = 0;
/** Probabilities are clipped to [ε, 1 − ε] before the logarithm; 1e-15 is scikit-learn's long-standing default. */
export const DEFAULT_LOG_LOSS_EPSILON = 1e-15;

export interface ComputeOptions {
  /** Skips detection. */
  readonly task?: EvaluationTask;
  /** Detection: most distinct integer labels still read as classes. Default {@link DEFAULT_MAX_CLASSES}. */
  readonly maxClasses?: number;
  /** Binary classification: the positive class. Default: the last class in class order (`1` of 0/1). */
  readonly positiveLabel?: string | number;
  /** Bootstrap replicates; 0 computes point estimates only. Default {@link DEFAULT_BOOTSTRAP_SAMPLES}. */
  readonly bootstrapSamples?: number;
  /** Coverage of the percentile interval, in (0, 1). Default 0.95. */
  readonly confidence?: number;
  /** Seed of the bootstrap's generator: the same seed and data give the same intervals. Default 0. */
  readonly seed?: number;
  /** Log-loss clipping. Default {@link DEFAULT_LOG_LOSS_EPSILON}. */
  readonly logLossEpsilon?: number;
  /** Where the rows came from, so data errors can name the file and line. */
  readonly location?: RowsLocation;
}

export interface RowsLocation {
  readonly file: string;
  /** The file's line holding the first row; default 2 (a header line first). */
  readonly firstDataLine?: number;
}

export interface ConfusionMatrix {
  /** Class order of rows (true class) and columns (predicted class). */
  readonly classes: readonly string[];
  /** counts[true][predicted]. */
  readonly counts: readonly (readonly number[])[];
}

export interface ComputedMetrics {
  readonly task: EvaluationTask;
  /** Why this task: detection's explanation, or that it was set. */
  readonly taskReason: string;
  readonly rowCount: number;
  /** Point values with `lower` / `upper` / `standardDeviation` from the bootstrap when it ran. */
  readonly metrics: MetricSet;
  /** Classification only. */
  readonly confusionMatrix?: ConfusionMatrix;
  /** Binary classification only. */
  readonly positiveClass?: string;
  /** Omitted metrics and other things worth telling the user, one sentence each. */
  readonly notes: readonly string[];
  /** The bootstrap's settings, when it ran. */
  readonly bootstrap?: BootstrapSettings;
}

// ---------------------------------------------------------------------------------------------------------------
// Cells and task detection

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from a cell: JS numbers, or strings in plain decimal notation (no hex, no "Infinity"). */
function numberOf(cell: Cell): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string') return undefined;
  const text = cell.trim();
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function isMissing(cell: Cell): boolean {
  return cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '') || Number.isNaN(cell);
}

/**
 * A class's name: numeric cells by their number (`1`, `1.0` and `01` are one class, `1`), other cells trimmed. So
 * labels read as text from a CSV match integer predictions a model wrote as floats.
 */
export function classKey(cell: Exclude<Cell, null | undefined>): string {
  const number = numberOf(cell);
  return number === undefined ? String(cell).trim() : String(number);
}

/** Numeric classes in numeric order; otherwise by UTF-16 code units (locale-independent, so stable across machines). */
export function sortClasses(classes: Iterable<string>): string[] {
  const list = [...new Set(classes)];
  const numbers = list.map((name) => numberOf(name));
  if (numbers.every((number) => number !== undefined)) return list.sort((a, b) => Number(a) - Number(b));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface TaskDetection {
  readonly task: EvaluationTask;
  readonly reason: string;
}

/**
 * Classification or regression, from the labels (and predictions):
 *
 * 1. Any non-numeric label → classification, as long as there are at most `maxClasses` distinct labels; more is a
 *    DataError (text cannot be a regression target, and so many classes usually means the wrong column — set the
 *    task explicitly if it is right).
 * 2. All labels integers, at most `maxClasses` distinct → classification, unless some prediction is a fractional
 *    number: integer targets predicted as 2.37 are a regression (counts, ratings).
 * 3. Otherwise (fractional labels, or many distinct integers) → regression.
 *
 * Missing cells are not counted.
 */
export function detectTask(
  labels: ArrayLike<Cell>,
  predictions?: ArrayLike<Cell>,
  options: { readonly maxClasses?: number } = {},
): TaskDetection {
  const maxClasses = options.maxClasses ?? DEFAULT_MAX_CLASSES;
  const distinct = new Set<string>();
  let textLabel: string | undefined;
  let fractionalLabel: number | undefined;
  for (let row = 0; row < labels.length; row++) {
    const cell = labels[row];
    if (isMissing(cell)) continue;
    const number = numberOf(cell);
    if (number === undefined) textLabel ??= String(cell).trim();
    else if (!Number.isInteger(number)) fractionalLabel ??= number;
    // Past maxClasses the exact count no longer matters; stop growing the set.
    if (distinct.size <= maxClasses) distinct.add(classKey(cell!));
  }
  const count = distinct.size > maxClasses ? `more than ${maxClasses}` : String(distinct.size);

  if (textLabel !== undefined) {
    if (distinct.size > maxClasses) {
      throw new DataError(
        `the labels hold ${count} distinct values, some not numbers (e.g. '${textLabel}'): too many classes for a classification, and text cannot be a regression target; check the label column, or set the task to classification explicitly`,
      );
    }
    return { task: 'classification', reason: `the labels are text (e.g. '${textLabel}'), ${count} distinct values` };
  }
  if (fractionalLabel !== undefined) {
    return { task: 'regression', reason: `the labels are numbers with fractions (e.g. ${fractionalLabel})` };
  }
  if (distinct.size > maxClasses) {
    return {
      task: 'regression',
      reason: `the labels are ${count} distinct integers (classification allows ${maxClasses})`,
    };
  }
  if (predictions !== undefined) {
    for (let row = 0; row < predictions.length; row++) {
      const number = numberOf(predictions[row]);
      if (number !== undefined && !Number.isInteger(number)) {
        return {
          task: 'regression',
          reason: `the labels are ${count} distinct integers but the predictions have fractions (e.g. ${number})`,
        };
      }
    }
  }
  return { task: 'classification', reason: `the labels are ${count} distinct integers (at most ${maxClasses})` };
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point

interface PreparedTask {
  readonly statistics: WeightedStatistics;
  /** Why a metric is undefined on these rows, for the notes. */
  readonly undefinedReasons: ReadonlyMap<string, string>;
  readonly notes: string[];
  readonly confusionMatrix?: ConfusionMatrix;
  readonly positiveClass?: string;
}

/**
 * Computes the evaluation metrics of predictions; the task comes from {@link detectTask} unless set.
 *
 * Classification metrics (class order: {@link sortClasses} over the union of labels and predictions, like
 * scikit-learn's default `labels=None`):
 *
 * - `accuracy`.
 * - `precision.class.<c>`, `recall.class.<c>`, `f1.class.<c>` per class, and their unweighted means
 *   `precision.macro`, `recall.macro`, `f1.macro`. A zero denominator gives 0 (scikit-learn's `zero_division=0`):
 *   a class never predicted has precision 0, a class never true recall 0, and both make F1 0. F1 = 2·TP / (2·TP + FP +
 *   FN), equal to the harmonic mean of precision and recall. Classes that appear only among predictions count in the
 *   macro means (with recall 0), as in scikit-learn.
 * - Binary (exactly two classes): also `precision`, `recall`, `f1` of the positive class (SageMaker's names).
 * - `roc_auc`: binary from `scores` (or the positive class's column of `classScores`); multi-class as the one-vs-rest
 *   macro mean over the classes present in the labels, only when `classScores` has a column for each of them (with
 *   `roc_auc.class.<c>` per class). Ties count one half. Omitted, with a note, without scores or when the labels hold
 *   a single class.
 * - `log_loss` (natural log, mean over rows): probabilities clipped to [ε, 1 − ε] (ε = `logLossEpsilon`, 1e-15); binary
 *   from the positive-class score p: −log p for positives, −log(1 − p) otherwise; multi-class needs a column for every
 *   class, each row clipped then divided by its sum. Omitted, with a note, when a score lies outside [0, 1] (scores
 *   that are not probabilities still serve ROC AUC).
 *
 * Class labels that are not paths of the rule grammar (spaces, quotes) still appear in the metrics, but rules cannot
 * reference them.
 *
 * Regression metrics, from residuals e = prediction − label:
 *
 * - `mae` = mean |e|, `mse` = mean e², `rmse` = √mse.
 * - `r2` = 1 − Σe² / Σ(label − mean label)²; omitted when every label is equal (scikit-learn would report 1 or 0
 *   there, which says nothing about the model).
 * - `mape` = mean |e| / |label| over the rows whose label is not 0 (rows with label 0 are skipped, not infinite), a
 *   fraction (0.05 = 5 %, scikit-learn's scale); omitted when every label is 0.
 *
 * Bootstrap: `bootstrapSamples` replicates, each drawing n rows with replacement (seeded xoshiro128**), and the
 * percentile interval at `confidence`; `standardDeviation` is the replicates' standard deviation. Replicates where a
 * metric is undefined (e.g. no positive row for ROC AUC) are left out of that metric's interval, with a note. The
 * interval is not forced around the point estimate. Time is O(n · bootstrapSamples), memory O(n).
 *
 * Throws DataError for unusable rows (missing cells, non-numeric regression values, non-finite scores, columns of
 * different lengths, no rows) and ConfigurationError for invalid options.
 */
export function computeMetrics(columns: PredictionColumns, options: ComputeOptions = {}): ComputedMetrics {
  const settings = readBootstrapSettings(options);
  const maxClasses = readMaxClasses(options);
  const rowCount = columns.labels.length;
  const locate = locator(options.location);
  checkColumns(columns, rowCount, options.location?.file);
  for (let row = 0; row < rowCount; row++) {
    if (isMissing(columns.labels[row])) {
      throw new DataError(`${rowName(row, options.location)}the label is missing`, locate(row));
    }
    if (isMissing(columns.predictions[row])) {
      throw new DataError(`${rowName(row, options.location)}the prediction is missing`, locate(row));
    }
  }

  const detection: TaskDetection =
    options.task === undefined
      ? detectTask(columns.labels, columns.predictions, { maxClasses })
      : { task: options.task, reason: 'set explicitly' };
  const prepared =
    detection.task === 'classification'
      ? prepareClassification(columns, rowCount, options)
      : prepareRegression(columns, rowCount, options);

  const { estimates, intervals } = bootstrap(rowCount, prepared.statistics, settings);
  const notes = [...prepared.notes];
  const entries: [string, MetricValue][] = [];
  prepared.statistics.names.forEach((name, index) => {
    const value = estimates[index]!;
    if (Number.isNaN(value)) {
      notes.push(`${name} omitted: ${prepared.undefinedReasons.get(name) ?? 'undefined for these rows'}`);
      return;
    }
    const interval = intervals[index];
    if (settings.samples > 0 && interval === undefined) {
      notes.push(`${name}: no bootstrap sample defined it, so it has no interval`);
    } else if (interval !== undefined && interval.definedSamples < settings.samples) {
      const left = settings.samples - interval.definedSamples;
      notes.push(
        `${name}: ${left} of ${settings.samples} bootstrap samples left it undefined; its interval uses the other ${interval.definedSamples}`,
      );
    }
    entries.push([
      name,
      interval === undefined
        ? { value }
        : { value, lower: interval.lower, upper: interval.upper, standardDeviation: interval.standardDeviation },
    ]);
  });

  return {
    task: detection.task,
    taskReason: detection.reason,
    rowCount,
    metrics: createMetricSet(entries),
    ...(prepared.confusionMatrix ? { confusionMatrix: prepared.confusionMatrix } : {}),
    ...(prepared.positiveClass !== undefined ? { positiveClass: prepared.positiveClass } : {}),
    notes,
    ...(settings.samples > 0 ? { bootstrap: settings } : {}),
  };
}

function readBootstrapSettings(options: ComputeOptions): BootstrapSettings {
  const samples = options.bootstrapSamples ?? DEFAULT_BOOTSTRAP_SAMPLES;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const seed = options.seed ?? DEFAULT_SEED;
  const epsilon = options.logLossEpsilon ?? DEFAULT_LOG_LOSS_EPSILON;
  const problems: { input: string; message: string }[] = [];
  // The replicate matrix holds samples × metrics doubles; 100 000 samples is far past any useful precision.
  if (!Number.isInteger(samples) || samples < 0 || samples > 100_000) {
    problems.push({ input: 'bootstrap-samples', message: `must be an integer from 0 to 100000, got ${samples}` });
  }
  if (!(confidence > 0 && confidence < 1)) {
    problems.push({ input: 'confidence', message: `must be a number between 0 and 1 (exclusive), got ${confidence}` });
  }
  if (!Number.isSafeInteger(seed)) problems.push({ input: 'seed', message: `must be an integer, got ${seed}` });
  if (!(epsilon > 0 && epsilon < 0.5)) {
    problems.push({ input: 'log-loss-epsilon', message: `must be a number in (0, 0.5), got ${epsilon}` });
  }
  if (problems.length > 0) {
    throw new ConfigurationError(
      problems.map(({ input, message }) => `Input '${input}' ${message}`),
      { input: problems[0]!.input },
    );
  }
  return { samples, confidence, seed };
}

function readMaxClasses(options: ComputeOptions): number {
  const maxClasses = options.maxClasses ?? DEFAULT_MAX_CLASSES;
  if (!Number.isInteger(maxClasses) || maxClasses < 2) {
    throw new ConfigurationError(`Input 'max-classes' must be an integer of at least 2, got ${maxClasses}`, {
      input: 'max-classes',
    });
  }
  return maxClasses;
}

function checkColumns(columns: PredictionColumns, rowCount: number, file: string | undefined): void {
  const where = file === undefined ? {} : { file };
  if (rowCount === 0) throw new DataError('there are no rows to evaluate', where);
  const lengths: [string, number | undefined][] = [
    ['predictions', columns.predictions.length],
    ['scores', columns.scores?.length],
    ...classScoreEntries(columns.classScores).map(([name, scores]): [string, number] => [
      `scores of class '${name}'`,
      scores.length,
    ]),
  ];
  for (const [name, length] of lengths) {
    if (length !== undefined && length !== rowCount) {
      throw new DataError(`the ${name} have ${length} rows but the labels have ${rowCount}`, where);
    }
  }
}

function classScoreEntries(classScores: PredictionColumns['classScores']): [string, ArrayLike<number>][] {
  if (classScores === undefined) return [];
  return classScores instanceof Map ? [...classScores] : Object.entries(classScores);
}

function locator(location: RowsLocation | undefined): (row: number) => DataLocation {
  if (location === undefined) return () => ({});
  const firstDataLine = location.firstDataLine ?? 2;
  return (row) => ({ file: location.file, line: firstDataLine + row });
}

/** Without a file the message itself must say which row: `row 17: `. */
function rowName(row: number, location: RowsLocation | undefined): string {
  return location === undefined ? `row ${row + 1}: ` : '';
}

/** Scores as a Float64Array, every one finite. */
function readScores(scores: ArrayLike<number>, what: string, location: RowsLocation | undefined): Float64Array {
  const values = new Float64Array(scores.length);
  for (let row = 0; row < values.length; row++) values[row] = scores[row]!;
  const locate = locator(location);
  for (let row = 0; row < values.length; row++) {
    if (!Number.isFinite(values[row]!)) {
      throw new DataError(
        `${rowName(row, location)}the ${what} is ${String(scores[row])}, not a finite number`,
        locate(row),
      );
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------------------------------
// Ranking, for ROC AUC

interface RankedScores {
  /** Rows in ascending score order; null when the rows are already in that order. */
  readonly order: Int32Array | null;
  /** 1 where a new score begins in that order (ties share a group). */
  readonly groupStarts: Uint8Array;
  /** 1 where the row at that position of the order is a positive. */
  readonly positive: Uint8Array;
}

/** Which 32-bit word of a Float64Array element holds the sign and exponent (1 on little-endian machines). */
const HIGH_WORD = new Uint32Array(new Float64Array([1]).buffer)[1] === 0x3ff00000 ? 1 : 0;
const RADIX_BITS = 16;
const RADIX = 2 ** RADIX_BITS;

/**
 * Rows in ascending score order, and where each run of equal scores starts. A least-significant-digit radix sort over
 * the scores' IEEE-754 bits in four 16-bit passes (about half a second for 3 million rows, where a comparator sort of
 * row indices takes seconds and a native sort of the values loses the rows). The bits are mapped so unsigned order is
 * numeric order: negative numbers have every bit flipped, others only the sign bit; -0 counts as 0.
 */
function orderByScore(scores: Float64Array): { order: Int32Array; groupStarts: Uint8Array } {
  const rowCount = scores.length;
  let high = new Uint32Array(rowCount);
  let low = new Uint32Array(rowCount);
  let order = new Int32Array(rowCount);
  const value = new Float64Array(1);
  const words = new Uint32Array(value.buffer);
  for (let row = 0; row < rowCount; row++) {
    const score = scores[row]!;
    value[0] = score === 0 ? 0 : score;
    const highWord = words[HIGH_WORD]!;
    const lowWord = words[1 - HIGH_WORD]!;
    const negative = highWord >>> 31 === 1;
    high[row] = negative ? ~highWord : highWord | 0x80000000;
    low[row] = negative ? ~lowWord : lowWord;
    order[row] = row;
  }

  let nextHigh = new Uint32Array(rowCount);
  let nextLow = new Uint32Array(rowCount);
  let nextOrder = new Int32Array(rowCount);
  const slots = new Int32Array(RADIX);
  for (let pass = 0; pass < 4; pass++) {
    const keys = pass < 2 ? low : high;
    const shift = (pass % 2) * RADIX_BITS;
    slots.fill(0);
    for (let position = 0; position < rowCount; position++) slots[(keys[position]! >>> shift) & (RADIX - 1)]!++;
    // A digit every row shares (common in the low bits of rounded scores) leaves the order as it is.
    if (slots.includes(rowCount)) continue;
    let start = 0;
    for (let digit = 0; digit < RADIX; digit++) {
      const count = slots[digit]!;
      slots[digit] = start;
      start += count;
    }
    for (let position = 0; position < rowCount; position++) {
      const slot = slots[(keys[position]! >>> shift) & (RADIX - 1)]!++;
      nextHigh[slot] = high[position]!;
      nextLow[slot] = low[position]!;
      nextOrder[slot] = order[position]!;
    }
    [high, nextHigh] = [nextHigh, high];
    [low, nextLow] = [nextLow, low];
    [order, nextOrder] = [nextOrder, order];
  }

  const groupStarts = new Uint8Array(rowCount);
  for (let position = 0; position < rowCount; position++) {
    const sameAsPrevious = position > 0 && high[position] === high[position - 1] && low[position] === low[position - 1];
    groupStarts[position] = sameAsPrevious ? 0 : 1;
  }
  return { order, groupStarts };
}

/**
 * ROC AUC as the Mann–Whitney statistic with per-row weights: the weighted share of (positive, negative) pairs where
 * the positive scores higher, ties counting one half. NaN without a positive or a negative. The pair counts are
 * integers (or halves) below 2^53 for any realistic n, so the sums are exact.
 */
function weightedAuc(weights: Int32Array, ranked: RankedScores): number {
  const { order, groupStarts, positive } = ranked;
  let negativesBelow = 0;
  let positivesTotal = 0;
  let pairs = 0;
  let groupPositives = 0;
  let groupNegatives = 0;
  for (let position = 0; position < positive.length; position++) {
    if (groupStarts[position] === 1) {
      pairs += groupPositives * (negativesBelow + 0.5 * groupNegatives);
      negativesBelow += groupNegatives;
      positivesTotal += groupPositives;
      groupPositives = 0;
      groupNegatives = 0;
    }
    const weight = weights[order === null ? position : order[position]!]!;
    const isPositive = positive[position]!;
    groupPositives += weight * isPositive;
    groupNegatives += weight - weight * isPositive;
  }
  pairs += groupPositives * (negativesBelow + 0.5 * groupNegatives);
  negativesBelow += groupNegatives;
  positivesTotal += groupPositives;
  return positivesTotal > 0 && negativesBelow > 0 ? pairs / (positivesTotal * negativesBelow) : Number.NaN;
}

// ---------------------------------------------------------------------------------------------------------------
// Classification

function prepareClassification(columns: PredictionColumns, rowCount: number, options: ComputeOptions): PreparedTask {
  const notes: string[] = [];
  const undefinedReasons = new Map<string, string>();
  const epsilon = options.logLossEpsilon ?? DEFAULT_LOG_LOSS_EPSILON;
  const encoded = encodeClasses(columns, rowCount);
  const { classes, classIndex } = encoded;
  const binary = classes.length === 2;

  let positiveIndex = binary ? 1 : -1;
  if (options.positiveLabel !== undefined) {
    const key = classKey(options.positiveLabel);
    if (!classIndex.has(key)) {
      throw new ConfigurationError(
        `Input 'positive-label' is '${key}', which is neither a label nor a prediction; the classes are ${classes.join(', ')}`,
        { input: 'positive-label' },
      );
    }
    if (binary) positiveIndex = classIndex.get(key)!;
    else notes.push(`positive-label '${key}' was not used: it only applies to binary classification`);
  }
  if (classes.length < 2) notes.push(`only one class ('${classes[0]}') appears in labels and predictions`);

  const scoreColumns = new Map<string, Float64Array>();
  for (const [name, scores] of classScoreEntries(columns.classScores)) {
    scoreColumns.set(classKey(name), readScores(scores, `score of class '${name}'`, options.location));
  }
  const unknownScoreClasses = [...scoreColumns.keys()].filter((name) => !classIndex.has(name));
  if (unknownScoreClasses.length > 0) {
    notes.push(
      `score columns of classes found in neither labels nor predictions were ignored: ${unknownScoreClasses.join(', ')}`,
    );
  }

  let scoring: ScoreBasedMetrics = { rankings: [] };
  if (binary) {
    const scores =
      columns.scores !== undefined
        ? readScores(columns.scores, 'score', options.location)
        : scoreColumns.get(classes[positiveIndex]!);
    scoring = binaryScoreMetrics(scores, encoded, positiveIndex, epsilon, undefinedReasons);
  } else if (classes.length > 2) {
    if (columns.scores !== undefined) {
      notes.push('the single score column was not used: a multi-class ROC AUC needs one score column per class');
    }
    scoring = multiclassScoreMetrics(scoreColumns, encoded, epsilon, undefinedReasons);
  }

  const statistics = classificationStatistics(encoded, positiveIndex, scoring, undefinedReasons);
  return {
    statistics,
    undefinedReasons,
    notes,
    confusionMatrix: statistics.confusionMatrix(),
    ...(binary ? { positiveClass: classes[positiveIndex]! } : {}),
  };
}

interface EncodedClasses {
  /** Class order: {@link sortClasses} over labels and predictions. */
  readonly classes: readonly string[];
  readonly classIndex: ReadonlyMap<string, number>;
  /** Per row, the index of its label's class. */
  readonly trueClass: Int32Array;
  /** Per row, the index of its prediction's class. */
  readonly predictedClass: Int32Array;
  /** Indices of the classes that occur among the labels. */
  readonly presentInLabels: ReadonlySet<number>;
}

function encodeClasses(columns: PredictionColumns, rowCount: number): EncodedClasses {
  // Cells repeat heavily in a classification: each distinct spelling is named once and rows keep a provisional code,
  // renumbered into class order afterwards.
  const codeOfSpelling = new Map<string | number, number>();
  const codeOfKey = new Map<string, number>();
  const codeKeys: string[] = [];
  const encode = (cells: ArrayLike<Cell>): Int32Array => {
    const codes = new Int32Array(rowCount);
    for (let row = 0; row < rowCount; row++) {
      const spelling = cells[row] as string | number;
      let code = codeOfSpelling.get(spelling);
      if (code === undefined) {
        const key = classKey(spelling);
        code = codeOfKey.get(key);
        if (code === undefined) {
          code = codeKeys.push(key) - 1;
          codeOfKey.set(key, code);
        }
        codeOfSpelling.set(spelling, code);
      }
      codes[row] = code;
    }
    return codes;
  };
  const trueClass = encode(columns.labels);
  const predictedClass = encode(columns.predictions);
  const classes = sortClasses(codeKeys);
  const classIndex = new Map(classes.map((name, index) => [name, index]));
  const classOfCode = Int32Array.from(codeKeys, (key) => classIndex.get(key)!);
  for (let row = 0; row < rowCount; row++) {
    trueClass[row] = classOfCode[trueClass[row]!]!;
    predictedClass[row] = classOfCode[predictedClass[row]!]!;
  }
  const presentInLabels = new Set<number>();
  for (let row = 0; row < rowCount && presentInLabels.size < classes.length; row++)
    presentInLabels.add(trueClass[row]!);
  return { classes, classIndex, trueClass, predictedClass, presentInLabels };
}

/** What the scores contribute: per-row log loss and rankings for ROC AUC. */
interface ScoreBasedMetrics {
  /** −log of each row's clipped probability for its true class, in processing order; undefined without log loss. */
  readonly rowLoss?: Float64Array;
  /** Binary: the rows are processed in ascending score order, so the ROC AUC pass reads weights sequentially. */
  readonly rowOrder?: Int32Array;
  /** Binary: one ranking named `roc_auc`; multi-class: one per label class, `roc_auc.class.<c>`. */
  readonly rankings: readonly { readonly name: string; readonly ranked: RankedScores }[];
}

const NOT_PROBABILITIES = 'some scores lie outside [0, 1], so they are not probabilities';

function binaryScoreMetrics(
  scores: Float64Array | undefined,
  { classes, trueClass, presentInLabels }: EncodedClasses,
  positiveIndex: number,
  epsilon: number,
  undefinedReasons: Map<string, string>,
): ScoreBasedMetrics {
  if (scores === undefined) {
    undefinedReasons.set('roc_auc', 'no score column was given');
    undefinedReasons.set('log_loss', 'no score column was given');
    return { rankings: [] };
  }
  const { order, groupStarts } = orderByScore(scores);
  const positive = positivesInOrder(order, trueClass, positiveIndex);
  if (presentInLabels.size < 2) {
    undefinedReasons.set('roc_auc', `the labels hold only class '${classes[trueClass[0]!]}'`);
  }
  const rankings = [{ name: 'roc_auc', ranked: { order: null, groupStarts, positive } }];
  if (!scores.every((score) => score >= 0 && score <= 1)) {
    undefinedReasons.set('log_loss', NOT_PROBABILITIES);
    return { rowOrder: order, rankings };
  }
  const rowLoss = new Float64Array(scores.length);
  for (let position = 0; position < scores.length; position++) {
    const probability = Math.min(Math.max(scores[order[position]!]!, epsilon), 1 - epsilon);
    rowLoss[position] = positive[position] === 1 ? -Math.log(probability) : -Math.log(1 - probability);
  }
  return { rowLoss, rowOrder: order, rankings };
}

function multiclassScoreMetrics(
  scoreColumns: ReadonlyMap<string, Float64Array>,
  { classes, trueClass, presentInLabels }: EncodedClasses,
  epsilon: number,
  undefinedReasons: Map<string, string>,
): ScoreBasedMetrics {
  const rankings: { name: string; ranked: RankedScores }[] = [];
  const labelClasses = [...presentInLabels].sort((a, b) => a - b);
  const missingForAuc = labelClasses.filter((index) => !scoreColumns.has(classes[index]!));
  if (missingForAuc.length > 0) {
    const missing = missingForAuc.map((index) => classes[index]!).join(', ');
    undefinedReasons.set('roc_auc', `one-vs-rest ROC AUC needs a score column for each class; none for ${missing}`);
  } else if (labelClasses.length < 2) {
    undefinedReasons.set('roc_auc', `the labels hold only class '${classes[labelClasses[0]!]}'`);
  } else {
    for (const index of labelClasses) {
      const { order, groupStarts } = orderByScore(scoreColumns.get(classes[index]!)!);
      const positive = positivesInOrder(order, trueClass, index);
      rankings.push({ name: `roc_auc.class.${classes[index]}`, ranked: { order, groupStarts, positive } });
    }
  }

  const missingForLoss = classes.filter((name) => !scoreColumns.has(name));
  if (missingForLoss.length > 0) {
    const missing = missingForLoss.join(', ');
    undefinedReasons.set('log_loss', `multi-class log loss needs a score column for every class; none for ${missing}`);
    return { rankings };
  }
  const probabilities = classes.map((name) => scoreColumns.get(name)!);
  if (probabilities.some((column) => column.some((score) => score < 0 || score > 1))) {
    undefinedReasons.set('log_loss', NOT_PROBABILITIES);
    return { rankings };
  }
  const rowLoss = new Float64Array(trueClass.length);
  for (let row = 0; row < trueClass.length; row++) {
    let sum = 0;
    for (const column of probabilities) sum += Math.min(Math.max(column[row]!, epsilon), 1 - epsilon);
    const own = Math.min(Math.max(probabilities[trueClass[row]!]![row]!, epsilon), 1 - epsilon);
    rowLoss[row] = -Math.log(own / sum);
  }
  return { rowLoss, rankings };
}

/** The classification metrics as weighted statistics, plus the confusion matrix of the unweighted rows. */
function classificationStatistics(
  { classes, trueClass, predictedClass }: EncodedClasses,
  positiveIndex: number,
  { rowLoss, rowOrder, rankings }: ScoreBasedMetrics,
  undefinedReasons: ReadonlyMap<string, string>,
): WeightedStatistics & { confusionMatrix(): ConfusionMatrix } {
  const rowCount = trueClass.length;
  const classCount = classes.length;
  const binary = classCount === 2;
  const perClass = (metric: string): string[] => classes.map((name) => `${metric}.class.${name}`);
  const hasAuc = binary || undefinedReasons.has('roc_auc') || rankings.length > 0;
  const names = [
    'accuracy',
    ...(binary ? ['precision', 'recall', 'f1'] : []),
    'precision.macro',
    'recall.macro',
    'f1.macro',
    ...perClass('precision'),
    ...perClass('recall'),
    ...perClass('f1'),
    ...(hasAuc ? ['roc_auc'] : []),
    ...(binary ? [] : rankings.map(({ name }) => name)),
    ...(rowLoss !== undefined || undefinedReasons.has('log_loss') ? ['log_loss'] : []),
  ];

  // Per-row cell of the confusion matrix, in processing order.
  const cellOfRow = new Int32Array(rowCount);
  for (let position = 0; position < rowCount; position++) {
    const row = rowOrder === undefined ? position : rowOrder[position]!;
    cellOfRow[position] = trueClass[row]! * classCount + predictedClass[row]!;
  }
  const cells = new Float64Array(classCount * classCount);
  /** Fills `cells` with the weighted confusion matrix; returns the weighted log-loss sum. */
  const accumulateCells = (weights: Int32Array): number => {
    cells.fill(0);
    let lossSum = 0;
    if (rowLoss === undefined) {
      for (let position = 0; position < rowCount; position++) cells[cellOfRow[position]!]! += weights[position]!;
    } else {
      for (let position = 0; position < rowCount; position++) {
        const weight = weights[position]!;
        cells[cellOfRow[position]!]! += weight;
        lossSum += weight * rowLoss[position]!;
      }
    }
    return lossSum;
  };

  const precision = new Float64Array(classCount);
  const recall = new Float64Array(classCount);
  const f1 = new Float64Array(classCount);
  return {
    names,
    confusionMatrix() {
      accumulateCells(new Int32Array(rowCount).fill(1));
      const counts = classes.map((_, trueIndex) =>
        Array.from(cells.subarray(trueIndex * classCount, (trueIndex + 1) * classCount)),
      );
      return { classes, counts };
    },
    evaluate(weights, out) {
      const lossSum = accumulateCells(weights);
      let total = 0;
      let correct = 0;
      for (let index = 0; index < classCount; index++) {
        let predicted = 0;
        let actual = 0;
        for (let other = 0; other < classCount; other++) {
          predicted += cells[other * classCount + index]!;
          actual += cells[index * classCount + other]!;
        }
        const truePositives = cells[index * classCount + index]!;
        total += actual;
        correct += truePositives;
        precision[index] = predicted > 0 ? truePositives / predicted : 0;
        recall[index] = actual > 0 ? truePositives / actual : 0;
        f1[index] = predicted + actual > 0 ? (2 * truePositives) / (predicted + actual) : 0;
      }
      let slot = 0;
      out[slot++] = correct / total;
      if (binary) {
        out[slot++] = precision[positiveIndex]!;
        out[slot++] = recall[positiveIndex]!;
        out[slot++] = f1[positiveIndex]!;
      }
      out[slot++] = mean(precision);
      out[slot++] = mean(recall);
      out[slot++] = mean(f1);
      for (const values of [precision, recall, f1]) for (const value of values) out[slot++] = value;
      if (hasAuc) {
        if (binary) {
          out[slot++] = rankings.length > 0 ? weightedAuc(weights, rankings[0]!.ranked) : Number.NaN;
        } else {
          // The macro mean comes first in the names, the per-class values after it.
          const macroSlot = slot++;
          let sum = 0;
          for (const { ranked } of rankings) {
            const auc = weightedAuc(weights, ranked);
            out[slot++] = auc;
            sum += auc;
          }
          out[macroSlot] = rankings.length > 0 ? sum / rankings.length : Number.NaN;
        }
      }
      if (slot < names.length) out[slot] = rowLoss === undefined ? Number.NaN : lossSum / total;
    },
  };
}

/** 1 at each position of `order` whose row belongs to `positiveClass`. */
function positivesInOrder(order: Int32Array, trueClass: Int32Array, positiveClass: number): Uint8Array {
  const positive = new Uint8Array(order.length);
  for (let position = 0; position < order.length; position++) {
    positive[position] = trueClass[order[position]!] === positiveClass ? 1 : 0;
  }
  return positive;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Regression

/** Below this share of the (offset) label energy, a resample's label variance counts as zero: only rounding is left. */
const CONSTANT_LABELS_RELATIVE_TOLERANCE = 1e-12;

function prepareRegression(columns: PredictionColumns, rowCount: number, options: ComputeOptions): PreparedTask {
  const locate = locator(options.location);
  const read = (cells: ArrayLike<Cell>, what: string): Float64Array => {
    const values = new Float64Array(rowCount);
    for (let row = 0; row < rowCount; row++) {
      const number = numberOf(cells[row]);
      if (number === undefined) {
        throw new DataError(
          `${rowName(row, options.location)}the ${what} '${String(cells[row])}' is not a number, and a regression needs numbers`,
          locate(row),
        );
      }
      values[row] = number;
    }
    return values;
  };
  const labels = read(columns.labels, 'label');
  const predictions = read(columns.predictions, 'prediction');
  const notes: string[] = [];
  if (columns.scores !== undefined || columns.classScores !== undefined) {
    notes.push('score columns were not used: they only serve classification metrics');
  }

  let labelSum = 0;
  for (const label of labels) labelSum += label;
  const labelMean = labelSum / rowCount;
  // Only what the weighted pass cannot derive cheaply is stored: every replicate streams these arrays once, so their
  // size, not arithmetic, bounds the pass.
  const absoluteError = new Float64Array(rowCount);
  // Labels centred on their mean, so the total sum of squares below does not cancel catastrophically.
  const centredLabel = new Float64Array(rowCount);
  const absolutePercentageError = new Float64Array(rowCount);
  const nonZeroLabel = new Uint8Array(rowCount);
  let allEqual = true;
  let allZero = true;
  for (let row = 0; row < rowCount; row++) {
    const label = labels[row]!;
    const error = predictions[row]! - label;
    absoluteError[row] = Math.abs(error);
    centredLabel[row] = label - labelMean;
    if (label !== 0) {
      absolutePercentageError[row] = Math.abs(error) / Math.abs(label);
      nonZeroLabel[row] = 1;
      allZero = false;
    }
    if (label !== labels[0]) allEqual = false;
  }
  const undefinedReasons = new Map<string, string>();
  if (allEqual) undefinedReasons.set('r2', `every label is ${labels[0]}, so R² is undefined`);
  if (allZero) undefinedReasons.set('mape', 'every label is 0, so no row has a percentage error');

  const statistics: WeightedStatistics = {
    names: ['mae', 'mse', 'rmse', 'r2', 'mape'],
    evaluate(weights, out) {
      let weightSum = 0;
      let absoluteSum = 0;
      let squaredSum = 0;
      let centredSum = 0;
      let centredSquaredSum = 0;
      let percentageSum = 0;
      let nonZeroWeight = 0;
      for (let row = 0; row < rowCount; row++) {
        const weight = weights[row]!;
        const centred = centredLabel[row]!;
        const absolute = absoluteError[row]!;
        weightSum += weight;
        absoluteSum += weight * absolute;
        squaredSum += weight * absolute * absolute;
        centredSum += weight * centred;
        centredSquaredSum += weight * centred * centred;
        percentageSum += weight * absolutePercentageError[row]!;
        nonZeroWeight += weight * nonZeroLabel[row]!;
      }
      const mse = squaredSum / weightSum;
      const totalSquares = centredSquaredSum - (centredSum * centredSum) / weightSum;
      out[0] = absoluteSum / weightSum;
      out[1] = mse;
      out[2] = Math.sqrt(mse);
      out[3] =
        totalSquares > CONSTANT_LABELS_RELATIVE_TOLERANCE * centredSquaredSum
          ? 1 - squaredSum / totalSquares
          : Number.NaN;
      out[4] = nonZeroWeight > 0 ? percentageSum / nonZeroWeight : Number.NaN;
    },
  };
  return { statistics, undefinedReasons, notes };
}
