import { categoricalDistance, chiSquareTest, numericalDistance } from './distance.js';
import { javaDouble, javaPercent, percentOf, quoteValue } from './format.js';
import {
  applyOverrides,
  baselineSketch,
  type ConstraintViolation,
  DEFAULT_MONITORING_CONFIG,
  type FeatureConstraints,
  type FeatureStatistics,
  type ModelMonitorConstraints,
  type ModelMonitorStatistics,
  type MonitoringConfig,
} from './model-monitor.js';
import type { ColumnProfile, DatasetProfile } from './profile.js';
import { canonicalKey } from './values.js';

/** A current profile and the baseline files to check it against. */
export interface BaselineCheckInput {
  current: DatasetProfile;
  /** The baseline `constraints.json`; without it only column presence and drift are checked. */
  constraints?: ModelMonitorConstraints;
  /** The baseline `statistics.json`; without it drift is not checked. */
  statistics?: ModelMonitorStatistics;
}

/**
 * Columns whose checks read the current data's value frequencies whatever its type: those the baseline says are
 * String (categorical drift, domains). Give them as the profile's `countNumbersOf`, so that their numbers are counted
 * in the first read of the data (see `profileSources`).
 */
export function baselineCategoricalColumns({ constraints, statistics }: Omit<BaselineCheckInput, 'current'>): string[] {
  const names = new Set<string>();
  for (const feature of [...(constraints?.features ?? []), ...(statistics?.features ?? [])]) {
    if (feature.inferred_type === 'String') names.add(feature.name);
  }
  return [...names];
}

/**
 * Model Monitor's data-quality checks of a current profile against a baseline (`constraints.json` and/or
 * `statistics.json`), producing the entries of `constraint_violations.json`.
 *
 * - `missing_column_check` / `extra_column_check`: one violation per baseline feature absent from the current data,
 *   and per current column the baseline does not have.
 * - `data_type_check` (Integral and Fractional features): the share of present values of the expected type
 *   (Fractional accepts Integral values) must reach `datatype_check_threshold`.
 * - `completeness_check`: the share of present values must reach the feature's baseline `completeness`.
 * - `non_negative_check` (not one of Model Monitor's six types): a feature whose constraints say `is_non_negative`
 *   must have no negative number; left unchecked, the constraint would be silently ignored.
 * - `categorical_values_check`: the share of present values inside the baseline `domains` must reach
 *   `domain_content_threshold`.
 * - `baseline_drift_check`: numeric features compare KLL sketches (Deequ's L∞ between CDFs, `Simple` or `Robust`
 *   per `comparison_method`) against `comparison_threshold`; String features compare value frequencies against
 *   `categorical_comparison_threshold`, by L∞ (with the same `comparison_method`) or, for `ChiSquared`, by the
 *   chi-squared goodness-of-fit p-value (a violation when it is below the threshold).
 *
 * A violation is raised when the observed share is below its threshold or the distance above it. `evaluate_constraints:
 * Disabled` skips the type, completeness, non-negative and domain checks; `perform_comparison: Disabled` skips drift;
 * column presence is always checked. Feature-level `monitoringConfigOverrides` apply to their feature.
 *
 * Descriptions follow Model Monitor's wording where it is known ("Data type match requirement is not met. Expected
 * data type: Integral, Expected match: 100.0%. Observed: Only 0.0% of data is Integral." and "Numerical distance:
 * 0.27 exceeds numerical threshold: 0.1"); the other checks are worded in the same style, with numbers printed as
 * Java prints doubles.
 */
export function checkAgainstBaseline({ current, constraints, statistics }: BaselineCheckInput): ConstraintViolation[] {
  const baselineFeatures: readonly { name: string }[] = constraints?.features ?? statistics?.features ?? [];
  const baselineNames = new Set(baselineFeatures.map((feature) => feature.name));
  const currentNames = current.columnNames;
  const violations: ConstraintViolation[] = [];

  const columnCounts =
    `Number of columns in current dataset: ${currentNames.length}, ` +
    `Number of columns in baseline constraints: ${baselineNames.size}`;
  for (const name of baselineNames) {
    if (current.column(name) === undefined) {
      violations.push({
        feature_name: name,
        constraint_check_type: 'missing_column_check',
        description: `There are missing columns in current dataset. ${columnCounts}. Missing column: '${name}'.`,
      });
    }
  }
  for (const name of currentNames) {
    if (!baselineNames.has(name)) {
      violations.push({
        feature_name: name,
        constraint_check_type: 'extra_column_check',
        description: `There are extra columns in current dataset. ${columnCounts}. Extra column: '${name}'.`,
      });
    }
  }

  const statisticsByName = new Map((statistics?.features ?? []).map((feature) => [feature.name, feature]));
  const constraintsByName = new Map((constraints?.features ?? []).map((feature) => [feature.name, feature]));
  const globalConfig = constraints?.monitoring_config;
  for (const name of baselineNames) {
    const column = current.column(name);
    if (column === undefined) continue;
    const featureConstraints = constraintsByName.get(name);
    const config = globalConfig
      ? applyOverrides(globalConfig, featureConstraints?.monitoringConfigOverrides)
      : undefined;
    if (featureConstraints && config?.evaluate_constraints === 'Enabled') {
      violations.push(...constraintViolations(column, featureConstraints, config, current.rowCount));
    }
    const featureStatistics = statisticsByName.get(name);
    // Without constraints, drift is compared with the settings Model Monitor suggests.
    const comparisonConfig = config ?? DEFAULT_MONITORING_CONFIG;
    if (featureStatistics && comparisonConfig.distribution_constraints.perform_comparison === 'Enabled') {
      const drift = driftViolation(column, featureStatistics, comparisonConfig);
      if (drift) violations.push(drift);
    }
  }
  return violations;
}

function constraintViolations(
  column: ColumnProfile,
  feature: FeatureConstraints,
  config: MonitoringConfig,
  rowCount: number,
): ConstraintViolation[] {
  const violations: ConstraintViolation[] = [];
  const name = feature.name;
  const expectedType = feature.inferred_type;
  if ((expectedType === 'Integral' || expectedType === 'Fractional') && column.present > 0) {
    const matching = expectedType === 'Integral' ? column.integral : column.numericCount;
    const observed = matching / column.present;
    if (observed < config.datatype_check_threshold) {
      violations.push({
        feature_name: name,
        constraint_check_type: 'data_type_check',
        description:
          `Data type match requirement is not met. Expected data type: ${expectedType}, ` +
          `Expected match: ${javaPercent(config.datatype_check_threshold)}%. ` +
          `Observed: Only ${percentOf(matching, column.present)}% of data is ${expectedType}.`,
      });
    }
  }
  if (feature.completeness !== undefined && rowCount > 0) {
    const observed = column.present / rowCount;
    if (observed < feature.completeness) {
      violations.push({
        feature_name: name,
        constraint_check_type: 'completeness_check',
        description:
          `Data completeness requirement is not met. Expected completeness: ${javaPercent(feature.completeness)}%. ` +
          `Observed: Only ${percentOf(column.present, rowCount)}% of data is non-null.`,
      });
    }
  }
  if (feature.num_constraints?.is_non_negative && column.numericCount > 0 && column.min < 0) {
    violations.push({
      feature_name: name,
      constraint_check_type: 'non_negative_check',
      description: `Non-negative requirement is not met. Observed: minimum value ${javaDouble(column.min)} is negative.`,
    });
  }
  const domains = feature.string_constraints?.domains;
  if (domains && domains.length > 0 && column.present > 0) {
    const violation = domainViolation(column, domains, config.domain_content_threshold);
    if (violation) violations.push(violation);
  }
  return violations;
}

function domainViolation(column: ColumnProfile, domains: string[], threshold: number): ConstraintViolation | undefined {
  const domain = new Set(domains.map((value) => canonicalKey(value)));
  let inDomain = 0;
  const outside: { value: string | number; count: number }[] = [];
  for (const entry of column.frequencies.entries()) {
    if (domain.has(entry.value)) inDomain += entry.count;
    else outside.push(entry);
  }
  inDomain = Math.min(inDomain, column.present);
  if (inDomain / column.present >= threshold) return undefined;
  const exact = column.frequencies.isExact;
  const shown = outside.slice(0, 5).map((entry) => `${quoteValue(entry.value)} (${entry.count})`);
  const more = outside.length > shown.length ? ` and ${outside.length - shown.length} more` : '';
  const examples = shown.length > 0 ? ` Values outside the baseline domain: ${shown.join(', ')}${more}.` : '';
  const approximate = exact
    ? ''
    : column.frequencies.uncountedNumbers > 0
      ? ` (${column.frequencies.uncountedNumbers} numbers of the column were not counted, so the observed share is ` +
        `a lower bound.)`
      : ` (The column has more than ${column.frequencies.capacity} distinct values, so the observed share is a lower bound.)`;
  return {
    feature_name: column.name,
    constraint_check_type: 'categorical_values_check',
    description:
      `Categorical values requirement is not met. Expected match: ${javaPercent(threshold)}%. ` +
      `Observed: Only ${percentOf(inDomain, column.present)}% of data is within the baseline domain.` +
      `${examples}${approximate}`,
  };
}

function driftViolation(
  column: ColumnProfile,
  feature: FeatureStatistics,
  config: MonitoringConfig,
): ConstraintViolation | undefined {
  const settings = config.distribution_constraints;
  if (feature.inferred_type === 'Integral' || feature.inferred_type === 'Fractional') {
    const sketch = baselineSketch(feature);
    if (sketch === undefined || sketch.count === 0 || column.sketch.count === 0) return undefined;
    const { distance } = numericalDistance(sketch, column.sketch, settings.comparison_method);
    if (!(distance > settings.comparison_threshold)) return undefined;
    return {
      feature_name: column.name,
      constraint_check_type: 'baseline_drift_check',
      description:
        `Numerical distance: ${javaDouble(distance)} exceeds numerical threshold: ` +
        `${javaDouble(settings.comparison_threshold)}`,
    };
  }
  const buckets = feature.string_statistics?.distribution?.categorical?.buckets;
  if (feature.inferred_type !== 'String' || !buckets || buckets.length === 0 || column.present === 0) return undefined;
  const baseline = new Map<string | number, number>();
  for (const bucket of buckets) {
    const key = canonicalKey(bucket.value);
    if (key !== undefined) baseline.set(key, (baseline.get(key) ?? 0) + bucket.count);
  }
  const current = new Map<string | number, number>();
  for (const { value, count } of column.frequencies.entries()) current.set(value, count);
  const threshold = settings.categorical_comparison_threshold;
  if (settings.categorical_drift_method === 'ChiSquared') {
    const test = chiSquareTest(current, baseline);
    if (test === null || !(test.pValue < threshold)) return undefined;
    return {
      feature_name: column.name,
      constraint_check_type: 'baseline_drift_check',
      description:
        `Categorical chi-squared p-value: ${javaDouble(test.pValue)} is below categorical threshold: ` +
        `${javaDouble(threshold)}`,
    };
  }
  const { distance } = categoricalDistance(baseline, current, settings.comparison_method);
  if (!(distance > threshold)) return undefined;
  return {
    feature_name: column.name,
    constraint_check_type: 'baseline_drift_check',
    description: `Categorical distance: ${javaDouble(distance)} exceeds categorical threshold: ${javaDouble(threshold)}`,
  };
}
