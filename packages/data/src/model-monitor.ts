import { DataError } from '@mlops-actions/core';
import { parseJsonFile } from './json.js';
import { KLL_BUCKET_COUNT, KllSketch, type KllBucket, type KllSketchJson } from './kll.js';
import type { ColumnProfile, DatasetProfile, InferredType } from './profile.js';

/**
 * SageMaker Model Monitor's data-quality files: `statistics.json` and `constraints.json` written from a profile, both
 * read back leniently, and the shape of `constraint_violations.json`. Field names and nesting follow the Model
 * Monitor developer guide ("Schema for Statistics", "Schema for Constraints", "Schema for Violations") and files the
 * service wrote.
 */

/** Model Monitor's types: it has no Boolean, and writes Boolean columns as String. */
export type ModelMonitorType = 'Integral' | 'Fractional' | 'String' | 'Unknown';

export function modelMonitorType(type: InferredType): ModelMonitorType {
  return type === 'Boolean' ? 'String' : type;
}

export interface CommonStatistics {
  num_present: number;
  num_missing: number;
}

export interface NumericalStatistics {
  common?: CommonStatistics;
  mean?: number;
  sum?: number;
  /** Population standard deviation (ddof = 0), as Deequ's `StandardDeviation` analyzer computes it. */
  std_dev?: number;
  min?: number;
  max?: number;
  distribution?: { kll?: { buckets?: KllBucket[]; sketch?: KllSketchJson } };
}

export interface CategoricalBucket {
  value: string;
  count: number;
}

export interface StringStatistics {
  common?: CommonStatistics;
  distinct_count?: number;
  distribution?: { categorical?: { buckets?: CategoricalBucket[] } };
}

export interface FeatureStatistics {
  name: string;
  inferred_type: ModelMonitorType;
  numerical_statistics?: NumericalStatistics;
  string_statistics?: StringStatistics;
}

export interface ModelMonitorStatistics {
  version: number;
  dataset: { item_count: number };
  features: FeatureStatistics[];
}

export type Toggle = 'Enabled' | 'Disabled';

export interface DistributionConstraints {
  perform_comparison: Toggle;
  comparison_threshold: number;
  comparison_method: 'Simple' | 'Robust';
  categorical_comparison_threshold: number;
  categorical_drift_method: 'LInfinity' | 'ChiSquared';
}

export interface MonitoringConfig {
  evaluate_constraints: Toggle;
  emit_metrics: Toggle;
  datatype_check_threshold: number;
  domain_content_threshold: number;
  distribution_constraints: DistributionConstraints;
}

export interface MonitoringConfigOverrides extends Partial<Omit<MonitoringConfig, 'distribution_constraints'>> {
  distribution_constraints?: Partial<DistributionConstraints>;
}

export interface FeatureConstraints {
  name: string;
  inferred_type: ModelMonitorType;
  /** Fraction of values present in the baseline (0–1). */
  completeness?: number;
  num_constraints?: { is_non_negative?: boolean };
  string_constraints?: { domains?: string[] };
  monitoringConfigOverrides?: MonitoringConfigOverrides;
}

export interface ModelMonitorConstraints {
  version: number;
  features: FeatureConstraints[];
  monitoring_config: MonitoringConfig;
}

export type ConstraintCheckType =
  | 'data_type_check'
  | 'completeness_check'
  | 'baseline_drift_check'
  | 'missing_column_check'
  | 'extra_column_check'
  | 'categorical_values_check'
  | 'non_negative_check'
  | 'value_range_check'
  | 'regex_check'
  | 'uniqueness_check'
  | 'row_count_check';

export interface ConstraintViolation {
  feature_name: string;
  constraint_check_type: ConstraintCheckType;
  description: string;
}

export interface ConstraintViolations {
  violations: ConstraintViolation[];
}

/** What the Model Monitor container writes into a suggested `constraints.json`. */
export const DEFAULT_MONITORING_CONFIG: MonitoringConfig = {
  evaluate_constraints: 'Enabled',
  emit_metrics: 'Enabled',
  datatype_check_threshold: 1.0,
  domain_content_threshold: 1.0,
  distribution_constraints: {
    perform_comparison: 'Enabled',
    comparison_threshold: 0.1,
    comparison_method: 'Robust',
    categorical_comparison_threshold: 0.1,
    categorical_drift_method: 'LInfinity',
  },
};

/**
 * Most distinct values for which a String column gets a `domains` constraint: Deequ's profiler only builds the
 * histogram its `CategoricalRangeRule` needs for columns at or below 120 distinct values (its default
 * `lowCardinalityHistogramThreshold`).
 */
export const DOMAIN_CARDINALITY_LIMIT = 120;

/**
 * Largest share of a column's distinct values that may occur only once for it to get a `domains` constraint
 * (Deequ's `CategoricalRangeRule`): a column where most values are one-offs is not categorical.
 */
export const DOMAIN_MAX_SINGLETON_RATIO = 0.1;

/** Pretty-printed JSON with a final newline, as the files are written. */
export function formatModelMonitorJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `statistics.json` for a profile: numeric columns with KLL distribution, the others with categorical frequencies. */
export function toStatistics(profile: DatasetProfile): ModelMonitorStatistics {
  return {
    version: 0,
    dataset: { item_count: profile.rowCount },
    features: profile.columns.map((column) => featureStatistics(column, profile.missingCount(column))),
  };
}

function featureStatistics(column: ColumnProfile, missing: number): FeatureStatistics {
  const type = modelMonitorType(column.inferredType);
  const common = { num_present: column.present, num_missing: missing };
  if (type === 'Integral' || type === 'Fractional') {
    return {
      name: column.name,
      inferred_type: type,
      numerical_statistics: {
        common,
        mean: column.mean,
        sum: column.sum,
        std_dev: column.populationStdDev,
        min: column.min,
        max: column.max,
        distribution: {
          kll: {
            buckets: column.sketch.buckets(column.min, column.max, KLL_BUCKET_COUNT),
            sketch: column.sketch.toJSON(),
          },
        },
      },
    };
  }
  return {
    name: column.name,
    inferred_type: type,
    string_statistics: {
      common,
      distinct_count: column.frequencies.distinctCount(),
      distribution: {
        categorical: {
          buckets: column.frequencies.entries().map(({ value, count }) => ({ value: String(value), count })),
        },
      },
    },
  };
}

export interface SuggestOptions {
  /** Replaces parts of the default `monitoring_config`. */
  monitoringConfig?: MonitoringConfigOverrides;
  /** Most distinct values for a `domains` constraint (default `DOMAIN_CARDINALITY_LIMIT`). */
  domainCardinalityLimit?: number;
}

/**
 * `constraints.json` suggested from a (baseline) profile, as Model Monitor's baselining job does: per feature its type
 * and observed completeness, `is_non_negative` for numbers (min ≥ 0), and for low-cardinality String columns the
 * observed values as `domains`. A String column qualifies when its frequencies are exact, it has at most
 * `domainCardinalityLimit` (120) distinct values, and at most 10 % of them occur only once.
 */
export function suggestConstraints(profile: DatasetProfile, options: SuggestOptions = {}): ModelMonitorConstraints {
  const domainLimit = options.domainCardinalityLimit ?? DOMAIN_CARDINALITY_LIMIT;
  const features = profile.columns.map((column): FeatureConstraints => {
    const type = modelMonitorType(column.inferredType);
    const feature: FeatureConstraints = {
      name: column.name,
      inferred_type: type,
      completeness: profile.rowCount === 0 ? 1 : column.present / profile.rowCount,
    };
    if (type === 'Integral' || type === 'Fractional') {
      feature.num_constraints = { is_non_negative: column.min >= 0 };
    } else if (type === 'String') {
      const domain = lowCardinalityDomain(column, domainLimit);
      if (domain !== undefined) feature.string_constraints = { domains: domain };
    }
    return feature;
  });
  return {
    version: 0,
    features,
    monitoring_config: applyOverrides(DEFAULT_MONITORING_CONFIG, options.monitoringConfig),
  };
}

function lowCardinalityDomain(column: ColumnProfile, limit: number): string[] | undefined {
  const frequencies = column.frequencies;
  if (!frequencies.isExact || frequencies.size === 0 || frequencies.size > limit) return undefined;
  const entries = frequencies.entries();
  const singletons = entries.filter((entry) => entry.count === 1).length;
  if (singletons / entries.length > DOMAIN_MAX_SINGLETON_RATIO) return undefined;
  return entries.map((entry) => String(entry.value));
}

/** A monitoring config with a feature's or the caller's overrides applied. */
export function applyOverrides(config: MonitoringConfig, overrides?: MonitoringConfigOverrides): MonitoringConfig {
  if (overrides === undefined) return structuredClone(config);
  const { distribution_constraints: distribution, ...rest } = overrides;
  return {
    ...config,
    ...rest,
    distribution_constraints: { ...config.distribution_constraints, ...distribution },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lenient readers. They accept what Model Monitor and its documentation have written over the years and report
// anything else as a DataError naming the file and the JSON path of the bad value.
// ---------------------------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

/** Walks parsed JSON, naming the path of whatever does not have the expected shape. */
class ShapeReader {
  constructor(readonly file: string) {}

  fail(path: string, problem: string): never {
    throw new DataError(`${path}: ${problem}`, { file: this.file });
  }

  object(value: unknown, path: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, `expected an object, got ${describe(value)}`);
    }
    return value as JsonObject;
  }

  optionalObject(value: unknown, path: string): JsonObject | undefined {
    return value === undefined || value === null ? undefined : this.object(value, path);
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, `expected an array, got ${describe(value)}`);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, `expected a string, got ${describe(value)}`);
    return value;
  }

  /** A finite number; numeric strings are accepted, as some writers quote numbers. */
  number(value: unknown, path: string): number {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      this.fail(path, `expected a number, got ${describe(value)}`);
    }
    return number;
  }

  optionalNumber(value: unknown, path: string): number | undefined {
    return value === undefined || value === null ? undefined : this.number(value, path);
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.fail(path, `expected true or false, got ${describe(value)}`);
  }

  /** One of `choices`, compared ignoring case and anything but letters and digits, so `linf_robust` matches. */
  choice<T extends string>(value: unknown, path: string, choices: Readonly<Record<string, T>>): T {
    if (typeof value === 'string') {
      const match = choices[normalizeWord(value)];
      if (match !== undefined) return match;
    }
    const accepted = [...new Set(Object.values(choices))].join(', ');
    this.fail(path, `expected one of ${accepted}, got ${describe(value)}`);
  }
}

function normalizeWord(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const TYPE_CHOICES: Record<string, ModelMonitorType> = {
  integral: 'Integral',
  fractional: 'Fractional',
  string: 'String',
  boolean: 'String',
  unknown: 'Unknown',
};

const TOGGLE_CHOICES: Record<string, Toggle> = { enabled: 'Enabled', disabled: 'Disabled' };

const COMPARISON_METHOD_CHOICES: Record<string, 'Simple' | 'Robust'> = {
  simple: 'Simple',
  robust: 'Robust',
  linfsimple: 'Simple',
  linfrobust: 'Robust',
};

const CATEGORICAL_METHOD_CHOICES: Record<string, 'LInfinity' | 'ChiSquared'> = {
  linfinity: 'LInfinity',
  linf: 'LInfinity',
  chisquared: 'ChiSquared',
  chisquare: 'ChiSquared',
};

/** Reads `statistics.json`. Sketches are checked to be well-formed, so `KllSketch.fromJSON` accepts them. */
export function parseStatistics(text: string, file: string): ModelMonitorStatistics {
  const read = new ShapeReader(file);
  const root = read.object(parseJsonFile(text, file), '$');
  const dataset = read.optionalObject(root.dataset, '$.dataset');
  const features = read.array(root.features, '$.features').map((value, i) => {
    const path = `$.features[${i}]`;
    const feature = read.object(value, path);
    const parsed: FeatureStatistics = {
      name: read.string(feature.name, `${path}.name`),
      inferred_type: read.choice(feature.inferred_type, `${path}.inferred_type`, TYPE_CHOICES),
    };
    const numerical = read.optionalObject(feature.numerical_statistics, `${path}.numerical_statistics`);
    if (numerical) parsed.numerical_statistics = readNumerical(read, numerical, `${path}.numerical_statistics`);
    const strings = read.optionalObject(feature.string_statistics, `${path}.string_statistics`);
    if (strings) parsed.string_statistics = readStringStatistics(read, strings, `${path}.string_statistics`);
    return parsed;
  });
  return {
    version: read.optionalNumber(root.version, '$.version') ?? 0,
    dataset: { item_count: read.optionalNumber(dataset?.item_count, '$.dataset.item_count') ?? 0 },
    features,
  };
}

function readCommon(read: ShapeReader, value: unknown, path: string): CommonStatistics | undefined {
  const common = read.optionalObject(value, path);
  if (!common) return undefined;
  return {
    num_present: read.optionalNumber(common.num_present, `${path}.num_present`) ?? 0,
    num_missing: read.optionalNumber(common.num_missing, `${path}.num_missing`) ?? 0,
  };
}

function readNumerical(read: ShapeReader, numerical: JsonObject, path: string): NumericalStatistics {
  const result: NumericalStatistics = {};
  const common = readCommon(read, numerical.common, `${path}.common`);
  if (common) result.common = common;
  for (const key of ['mean', 'sum', 'std_dev', 'min', 'max'] as const) {
    const value = read.optionalNumber(numerical[key], `${path}.${key}`);
    if (value !== undefined) result[key] = value;
  }
  const distribution = read.optionalObject(numerical.distribution, `${path}.distribution`);
  const kll = read.optionalObject(distribution?.kll, `${path}.distribution.kll`);
  if (kll) {
    const kllPath = `${path}.distribution.kll`;
    const parsedKll: { buckets?: KllBucket[]; sketch?: KllSketchJson } = {};
    if (kll.buckets !== undefined && kll.buckets !== null) {
      parsedKll.buckets = read.array(kll.buckets, `${kllPath}.buckets`).map((value, i) => {
        const bucketPath = `${kllPath}.buckets[${i}]`;
        const bucket = read.object(value, bucketPath);
        return {
          lower_bound: read.number(bucket.lower_bound, `${bucketPath}.lower_bound`),
          upper_bound: read.number(bucket.upper_bound, `${bucketPath}.upper_bound`),
          count: read.number(bucket.count, `${bucketPath}.count`),
        };
      });
    }
    const sketch = read.optionalObject(kll.sketch, `${kllPath}.sketch`);
    if (sketch) parsedKll.sketch = readSketch(read, sketch, `${kllPath}.sketch`);
    result.distribution = { kll: parsedKll };
  }
  return result;
}

function readSketch(read: ShapeReader, sketch: JsonObject, path: string): KllSketchJson {
  const parameters = read.object(sketch.parameters, `${path}.parameters`);
  const c = read.number(parameters.c, `${path}.parameters.c`);
  const k = read.number(parameters.k, `${path}.parameters.k`);
  if (!(c > 0 && c < 1)) read.fail(`${path}.parameters.c`, `expected a shrinking factor between 0 and 1, got ${c}`);
  if (!Number.isInteger(k) || k < 2) read.fail(`${path}.parameters.k`, `expected an integer sketch size ≥ 2, got ${k}`);
  const data = read
    .array(sketch.data, `${path}.data`)
    .map((level, i) =>
      read.array(level, `${path}.data[${i}]`).map((item, j) => read.number(item, `${path}.data[${i}][${j}]`)),
    );
  return { parameters: { c, k }, data };
}

function readStringStatistics(read: ShapeReader, strings: JsonObject, path: string): StringStatistics {
  const result: StringStatistics = {};
  const common = readCommon(read, strings.common, `${path}.common`);
  if (common) result.common = common;
  const distinct = read.optionalNumber(strings.distinct_count, `${path}.distinct_count`);
  if (distinct !== undefined) result.distinct_count = distinct;
  const distribution = read.optionalObject(strings.distribution, `${path}.distribution`);
  const categorical = read.optionalObject(distribution?.categorical, `${path}.distribution.categorical`);
  if (categorical) {
    const bucketsPath = `${path}.distribution.categorical.buckets`;
    const buckets =
      categorical.buckets === undefined || categorical.buckets === null
        ? []
        : read.array(categorical.buckets, bucketsPath).map((value, i) => {
            const bucket = read.object(value, `${bucketsPath}[${i}]`);
            return {
              value: categoryText(read, bucket.value, `${bucketsPath}[${i}].value`),
              count: read.number(bucket.count, `${bucketsPath}[${i}].count`),
            };
          });
    result.distribution = { categorical: { buckets } };
  }
  return result;
}

/** A category value: text, or a number or Boolean some writers leave unquoted. */
function categoryText(read: ShapeReader, value: unknown, path: string): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return read.string(value, path);
}

/**
 * Reads `constraints.json`. Missing settings take the documented defaults (thresholds 0.1, comparison `Robust` as
 * this package suggests, categorical method `LInfinity`, categorical threshold = `comparison_threshold`). Accepted
 * spellings: `Simple`/`Robust` or `linf_simple`/`linf_robust`; the misspelled key `comparion_method`; the old
 * `enable_comparisons` flag; feature overrides as `monitoringConfigOverrides` or `monitoring_config_overrides`.
 */
export function parseConstraints(text: string, file: string): ModelMonitorConstraints {
  const read = new ShapeReader(file);
  const root = read.object(parseJsonFile(text, file), '$');
  const featureList = root.features === undefined || root.features === null ? [] : root.features;
  const features = read.array(featureList, '$.features').map((value, i) => {
    const path = `$.features[${i}]`;
    const feature = read.object(value, path);
    const parsed: FeatureConstraints = {
      name: read.string(feature.name, `${path}.name`),
      inferred_type: read.choice(feature.inferred_type, `${path}.inferred_type`, TYPE_CHOICES),
    };
    const completeness = read.optionalNumber(feature.completeness, `${path}.completeness`);
    if (completeness !== undefined) {
      if (completeness < 0 || completeness > 1) {
        read.fail(`${path}.completeness`, `expected a fraction between 0 and 1, got ${completeness}`);
      }
      parsed.completeness = completeness;
    }
    const numeric = read.optionalObject(feature.num_constraints, `${path}.num_constraints`);
    if (numeric && numeric.is_non_negative !== undefined && numeric.is_non_negative !== null) {
      parsed.num_constraints = {
        is_non_negative: read.boolean(numeric.is_non_negative, `${path}.num_constraints.is_non_negative`),
      };
    }
    const strings = read.optionalObject(feature.string_constraints, `${path}.string_constraints`);
    if (strings && strings.domains !== undefined && strings.domains !== null) {
      const domainsPath = `${path}.string_constraints.domains`;
      parsed.string_constraints = {
        domains: read.array(strings.domains, domainsPath).map((v, j) => categoryText(read, v, `${domainsPath}[${j}]`)),
      };
    }
    const overridesKey =
      feature.monitoringConfigOverrides !== undefined ? 'monitoringConfigOverrides' : 'monitoring_config_overrides';
    const overrides = read.optionalObject(feature[overridesKey], `${path}.${overridesKey}`);
    if (overrides && Object.keys(overrides).length > 0) {
      parsed.monitoringConfigOverrides = readConfig(read, overrides, `${path}.${overridesKey}`);
    }
    return parsed;
  });
  const configValue = read.optionalObject(root.monitoring_config, '$.monitoring_config') ?? {};
  const config = readConfig(read, configValue, '$.monitoring_config');
  const documentedDefaults: MonitoringConfig = {
    ...DEFAULT_MONITORING_CONFIG,
    datatype_check_threshold: 0.1,
    domain_content_threshold: 0.1,
  };
  const monitoring = applyOverrides(documentedDefaults, config);
  if (config.distribution_constraints?.categorical_comparison_threshold === undefined) {
    monitoring.distribution_constraints.categorical_comparison_threshold =
      monitoring.distribution_constraints.comparison_threshold;
  }
  return { version: read.optionalNumber(root.version, '$.version') ?? 0, features, monitoring_config: monitoring };
}

function readConfig(read: ShapeReader, config: JsonObject, path: string): MonitoringConfigOverrides {
  const result: MonitoringConfigOverrides = {};
  for (const key of ['evaluate_constraints', 'emit_metrics'] as const) {
    if (config[key] !== undefined && config[key] !== null)
      result[key] = readToggle(read, config[key], `${path}.${key}`);
  }
  for (const key of ['datatype_check_threshold', 'domain_content_threshold'] as const) {
    const value = readThreshold(read, config[key], `${path}.${key}`);
    if (value !== undefined) result[key] = value;
  }
  const distributionValue = read.optionalObject(config.distribution_constraints, `${path}.distribution_constraints`);
  if (distributionValue) {
    const distributionPath = `${path}.distribution_constraints`;
    const distribution: Partial<DistributionConstraints> = {};
    const perform = distributionValue.perform_comparison ?? distributionValue.enable_comparisons;
    if (perform !== undefined && perform !== null) {
      const key = distributionValue.perform_comparison !== undefined ? 'perform_comparison' : 'enable_comparisons';
      distribution.perform_comparison = readToggle(read, perform, `${distributionPath}.${key}`);
    }
    for (const key of ['comparison_threshold', 'categorical_comparison_threshold'] as const) {
      const value = readThreshold(read, distributionValue[key], `${distributionPath}.${key}`);
      if (value !== undefined) distribution[key] = value;
    }
    const methodKey = distributionValue.comparison_method !== undefined ? 'comparison_method' : 'comparion_method';
    const method = distributionValue[methodKey];
    if (method !== undefined && method !== null) {
      distribution.comparison_method = read.choice(
        method,
        `${distributionPath}.${methodKey}`,
        COMPARISON_METHOD_CHOICES,
      );
    }
    const categoricalMethod = distributionValue.categorical_drift_method;
    if (categoricalMethod !== undefined && categoricalMethod !== null) {
      distribution.categorical_drift_method = read.choice(
        categoricalMethod,
        `${distributionPath}.categorical_drift_method`,
        CATEGORICAL_METHOD_CHOICES,
      );
    }
    result.distribution_constraints = distribution;
  }
  return result;
}

function readToggle(read: ShapeReader, value: unknown, path: string): Toggle {
  if (typeof value === 'boolean') return value ? 'Enabled' : 'Disabled';
  return read.choice(value, path, TOGGLE_CHOICES);
}

function readThreshold(read: ShapeReader, value: unknown, path: string): number | undefined {
  const threshold = read.optionalNumber(value, path);
  if (threshold !== undefined && threshold < 0) read.fail(path, `expected a threshold ≥ 0, got ${threshold}`);
  return threshold;
}

/** Reads `constraint_violations.json` (for reports that show a previous run's violations). */
export function parseViolations(text: string, file: string): ConstraintViolations {
  const read = new ShapeReader(file);
  const root = read.object(parseJsonFile(text, file), '$');
  const violations = read.array(root.violations ?? [], '$.violations').map((value, i) => {
    const path = `$.violations[${i}]`;
    const violation = read.object(value, path);
    return {
      feature_name: read.string(violation.feature_name, `${path}.feature_name`),
      constraint_check_type: read.string(
        violation.constraint_check_type,
        `${path}.constraint_check_type`,
      ) as ConstraintCheckType,
      description: read.string(violation.description, `${path}.description`),
    };
  });
  return { violations };
}

/** The baseline's KLL sketch of a feature, when its statistics carry one. */
export function baselineSketch(feature: FeatureStatistics): KllSketch | undefined {
  const sketch = feature.numerical_statistics?.distribution?.kll?.sketch;
  return sketch ? KllSketch.fromJSON(sketch) : undefined;
}
