import { ConfigurationError, DataError } from '@mlops-actions/core';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { javaDouble, javaPercent, percentOf, quoteValue } from './format.js';
import { HyperLogLog } from './hyperloglog.js';
import type { ConstraintViolation } from './model-monitor.js';
import type { ColumnProfile, DatasetProfile, ProfileOptions } from './profile.js';
import type { OffenderTally, ValueCheckSpec } from './value-checks.js';
import { canonicalKey } from './values.js';

/**
 * Extra data rules from a YAML document, checked next to the baseline:
 *
 * ```yaml
 * row_count: { min: 1000, max: 5000000 }
 * columns:
 *   age:
 *     type: Integral            # Integral | Fractional | Numeric | String | Boolean
 *     not_null: true
 *     min: 0
 *     max: 130
 *   country:
 *     required: false           # default true: a listed column must exist
 *     max_missing_fraction: 0.05
 *     allowed_values: [DE, FR, US]
 *     regex: '^[A-Z]{2}$'       # JavaScript syntax, searched: anchor with ^ and $ to match whole values
 *   id:
 *     unique: true
 * ```
 *
 * `type` holds when every present value has the type (`Fractional` and `Numeric` accept Integral values too); for
 * `String` the column's inferred type must be String (it fails for a column of only numbers or Booleans). `min`, `max`,
 * `allowed_values` (compared as `canonicalKey`: 1 matches "1.0"), `regex` and `unique` look at every present value,
 * so they are tallied while profiling: build the profile with `profileOptionsForRules(rules)`. `unique` is exact up
 * to `UNIQUE_EXACT_LIMIT` distinct values (by 64-bit hash); beyond, it also fails when the distinct-count estimate is
 * more than three standard errors below the number of present values, and the message says it is approximate.
 */
export type RuleType = 'Integral' | 'Fractional' | 'Numeric' | 'String' | 'Boolean';

export interface ColumnRules {
  name: string;
  /** The column must exist (default true). */
  required: boolean;
  type?: RuleType;
  notNull?: boolean;
  maxMissingFraction?: number;
  min?: number;
  max?: number;
  allowedValues?: (string | number | boolean)[];
  regex?: string;
  unique?: boolean;
}

export interface DataRules {
  /** The file the rules came from, for messages. */
  file: string;
  rowCount?: { min?: number; max?: number };
  columns: ColumnRules[];
}

/** Feature name of violations about the whole dataset (row count). */
export const DATASET_FEATURE_NAME = '(dataset)';

const RULE_TYPES: readonly RuleType[] = ['Integral', 'Fractional', 'Numeric', 'String', 'Boolean'];
const TOP_LEVEL_KEYS = ['row_count', 'columns', 'version'];
const COLUMN_KEYS = [
  'required',
  'type',
  'not_null',
  'max_missing_fraction',
  'min',
  'max',
  'allowed_values',
  'regex',
  'unique',
];

/**
 * Parses a rules document. YAML syntax errors are a DataError at their line and column; rules that do not make sense
 * are one ConfigurationError listing every problem as `file:line:column: path: problem`.
 */
export function parseRules(text: string, file: string): DataRules {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = lineCounter.linePos(syntaxError.pos[0]);
    const detail = syntaxError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new DataError(`invalid YAML: ${detail}`, { file, line: position.line, column: position.col });
  }

  const problems: string[] = [];
  const problem = (node: Node | null | undefined, path: string, message: string): void => {
    const offset = node?.range?.[0];
    const where =
      offset === undefined ? file : `${file}:${lineCounter.linePos(offset).line}:${lineCounter.linePos(offset).col}`;
    problems.push(`${where}: ${path}: ${message}`);
  };

  const rules: DataRules = { file, columns: [] };
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) return rules;
  if (!isMap(root)) {
    problem(root, '(document)', 'expected a mapping with row_count and/or columns');
    throw new ConfigurationError(problems);
  }

  for (const pair of (root as YAMLMap<unknown, unknown>).items) {
    const key = keyText(pair.key);
    const value = pair.value as Node | null;
    if (key === 'row_count') {
      const bounds = readRowBounds(value, problem);
      if (bounds) rules.rowCount = bounds;
    } else if (key === 'columns') {
      if (!isMap(value)) {
        problem(value, 'columns', 'expected a mapping from column name to its rules');
        continue;
      }
      for (const columnPair of value.items) {
        const name = keyText(columnPair.key);
        const columnNode = columnPair.value as Node | null;
        if (name === undefined || name === '') {
          problem(columnPair.key as Node, 'columns', 'expected a column name');
          continue;
        }
        const column = readColumnRules(name, columnNode, problem);
        if (column) rules.columns.push(column);
      }
    } else if (key !== 'version') {
      problem(pair.key as Node, String(key), `unknown key; expected one of ${TOP_LEVEL_KEYS.join(', ')}`);
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return rules;
}

type Problem = (node: Node | null | undefined, path: string, message: string) => void;

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null ? undefined : String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function scalar(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : node === null || node === undefined ? null : node;
}

function readNumber(node: Node | null | undefined, path: string, problem: Problem): number | undefined {
  const value = scalar(node);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  problem(node, path, `expected a number, got ${describeNode(node)}`);
  return undefined;
}

function readFlag(node: Node | null | undefined, path: string, problem: Problem): boolean | undefined {
  const value = scalar(node);
  if (typeof value === 'boolean') return value;
  problem(node, path, `expected true or false, got ${describeNode(node)}`);
  return undefined;
}

function describeNode(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  const value = isScalar(node) ? node.value : node;
  return value === null ? 'null' : JSON.stringify(value);
}

function readRowBounds(node: Node | null | undefined, problem: Problem): { min?: number; max?: number } | undefined {
  if (!isMap(node)) {
    problem(node, 'row_count', 'expected a mapping with min and/or max');
    return undefined;
  }
  const bounds: { min?: number; max?: number } = {};
  for (const pair of node.items) {
    const key = keyText(pair.key);
    const value = pair.value as Node | null;
    if (key === 'min' || key === 'max') {
      const rows = readNumber(value, `row_count.${key}`, problem);
      if (rows !== undefined && (!Number.isInteger(rows) || rows < 0)) {
        problem(value, `row_count.${key}`, `expected a whole number of rows, got ${rows}`);
      } else if (rows !== undefined) {
        bounds[key] = rows;
      }
    } else {
      problem(pair.key as Node, `row_count.${String(key)}`, 'unknown key; expected min or max');
    }
  }
  if (bounds.min !== undefined && bounds.max !== undefined && bounds.min > bounds.max) {
    problem(node, 'row_count', `min ${bounds.min} is greater than max ${bounds.max}`);
  }
  return bounds;
}

function readColumnRules(name: string, node: Node | null, problem: Problem): ColumnRules | undefined {
  const path = `columns.${name}`;
  if (node === null || (isScalar(node) && node.value === null)) return { name, required: true };
  if (!isMap(node)) {
    problem(node, path, 'expected a mapping of rules');
    return undefined;
  }
  const rules: ColumnRules = { name, required: true };
  for (const pair of node.items) {
    const key = keyText(pair.key);
    const value = pair.value as Node | null;
    const rulePath = `${path}.${String(key)}`;
    switch (key) {
      case 'required':
      case 'not_null':
      case 'unique': {
        const flag = readFlag(value, rulePath, problem);
        if (flag !== undefined) {
          if (key === 'required') rules.required = flag;
          else if (key === 'not_null') rules.notNull = flag;
          else rules.unique = flag;
        }
        break;
      }
      case 'type': {
        const text = scalar(value);
        const type = RULE_TYPES.find(
          (candidate) => typeof text === 'string' && candidate.toLowerCase() === text.toLowerCase(),
        );
        if (type) rules.type = type;
        else problem(value, rulePath, `expected one of ${RULE_TYPES.join(', ')}, got ${describeNode(value)}`);
        break;
      }
      case 'max_missing_fraction': {
        const fraction = readNumber(value, rulePath, problem);
        if (fraction !== undefined && (fraction < 0 || fraction > 1)) {
          problem(value, rulePath, `expected a fraction between 0 and 1, got ${fraction}`);
        } else if (fraction !== undefined) {
          rules.maxMissingFraction = fraction;
        }
        break;
      }
      case 'min':
      case 'max': {
        const bound = readNumber(value, rulePath, problem);
        if (bound !== undefined) rules[key] = bound;
        break;
      }
      case 'allowed_values': {
        if (!isSeq(value) || value.items.length === 0) {
          problem(value, rulePath, 'expected a non-empty list of values');
          break;
        }
        const allowed: (string | number | boolean)[] = [];
        value.items.forEach((item, i) => {
          const entry = scalar(item as Node);
          const usable =
            (typeof entry === 'string' || typeof entry === 'number' || typeof entry === 'boolean') &&
            canonicalKey(entry) !== undefined;
          if (usable) allowed.push(entry);
          else
            problem(
              item as Node,
              `${rulePath}[${i}]`,
              `expected a text, number or Boolean value, got ${describeNode(item as Node)}`,
            );
        });
        rules.allowedValues = allowed;
        break;
      }
      case 'regex': {
        const source = scalar(value);
        if (typeof source !== 'string') {
          problem(value, rulePath, `expected a regular expression as text, got ${describeNode(value)}`);
          break;
        }
        try {
          new RegExp(source);
          rules.regex = source;
        } catch (error) {
          problem(
            value,
            rulePath,
            `invalid regular expression: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        break;
      }
      default:
        problem(pair.key as Node, rulePath, `unknown rule; expected one of ${COLUMN_KEYS.join(', ')}`);
    }
  }
  if (rules.min !== undefined && rules.max !== undefined && rules.min > rules.max) {
    problem(node, path, `min ${rules.min} is greater than max ${rules.max}`);
  }
  return rules;
}

/** The per-value tallies the rules need, to pass to `new DatasetProfile(columns, options)`. */
export function profileOptionsForRules(rules: DataRules, base: ProfileOptions = {}): ProfileOptions {
  const valueChecks: Record<string, ValueCheckSpec> = { ...base.valueChecks };
  for (const column of rules.columns) {
    const spec = valueCheckSpec(column);
    if (spec) valueChecks[column.name] = spec;
  }
  return { ...base, valueChecks };
}

function valueCheckSpec(column: ColumnRules): ValueCheckSpec | undefined {
  const spec: ValueCheckSpec = {};
  if (column.allowedValues) spec.allowedValues = column.allowedValues;
  if (column.regex !== undefined) spec.pattern = column.regex;
  if (column.unique) spec.unique = true;
  if (column.min !== undefined) spec.min = column.min;
  if (column.max !== undefined) spec.max = column.max;
  return Object.keys(spec).length > 0 ? spec : undefined;
}

/** Checks a profile against the rules; each broken rule is one violation. */
export function checkRules(profile: DatasetProfile, rules: DataRules): ConstraintViolation[] {
  const violations: ConstraintViolation[] = [];
  const rows = profile.rowCount;
  const { min: minRows, max: maxRows } = rules.rowCount ?? {};
  if ((minRows !== undefined && rows < minRows) || (maxRows !== undefined && rows > maxRows)) {
    const expected =
      minRows !== undefined && maxRows !== undefined
        ? `between ${minRows} and ${maxRows} rows`
        : minRows !== undefined
          ? `at least ${minRows} rows`
          : `at most ${maxRows} rows`;
    violations.push({
      feature_name: DATASET_FEATURE_NAME,
      constraint_check_type: 'row_count_check',
      description: `Row count requirement is not met. Expected ${expected}. Observed: ${rows} rows.`,
    });
  }

  for (const rule of rules.columns) {
    const column = profile.column(rule.name);
    if (column === undefined) {
      if (rule.required) {
        violations.push({
          feature_name: rule.name,
          constraint_check_type: 'missing_column_check',
          description: `Required column requirement is not met. Column '${rule.name}' is not present in the current dataset.`,
        });
      }
      continue;
    }
    const spec = valueCheckSpec(rule);
    if (spec && JSON.stringify(column.checks?.spec) !== JSON.stringify(spec)) {
      throw new Error(
        `column '${rule.name}' was profiled without the value checks its rules need; ` +
          'build the profile with profileOptionsForRules(rules)',
      );
    }
    violations.push(...columnRuleViolations(profile, column, rule));
  }
  return violations;
}

function columnRuleViolations(
  profile: DatasetProfile,
  column: ColumnProfile,
  rule: ColumnRules,
): ConstraintViolation[] {
  const violations: ConstraintViolation[] = [];
  const add = (constraint_check_type: ConstraintViolation['constraint_check_type'], description: string): void => {
    violations.push({ feature_name: rule.name, constraint_check_type, description });
  };
  const present = column.present;
  const rows = profile.rowCount;
  const missing = profile.missingCount(column);
  const ofPresent = (count: number): string => `${count} of ${present} present values (${percentOf(count, present)}%)`;

  if (rule.type !== undefined && present > 0) {
    const inferred = column.inferredType;
    if (rule.type === 'String') {
      if (inferred !== 'String') {
        add(
          'data_type_check',
          `Column type requirement is not met. Expected data type: String. Observed: every present value is ` +
            `${inferred === 'Boolean' ? 'Boolean' : 'numeric'} (inferred type ${inferred}).`,
        );
      }
    } else {
      const matching =
        rule.type === 'Integral' ? column.integral : rule.type === 'Boolean' ? column.boolean : column.numericCount;
      if (matching < present) {
        add(
          'data_type_check',
          `Column type requirement is not met. Expected data type: ${rule.type}. ` +
            `Observed: ${ofPresent(present - matching)} are not ${rule.type} (inferred type ${inferred}).`,
        );
      }
    }
  }
  if (rule.notNull && missing > 0) {
    add(
      'completeness_check',
      `Not-null requirement is not met. Observed: ${missing} of ${rows} values (${percentOf(missing, rows)}%) are missing.`,
    );
  }
  if (rule.maxMissingFraction !== undefined && rows > 0 && missing / rows > rule.maxMissingFraction) {
    add(
      'completeness_check',
      `Missing-value requirement is not met. Expected at most ${javaPercent(rule.maxMissingFraction)}% missing. ` +
        `Observed: ${percentOf(missing, rows)}% (${missing} of ${rows} values) missing.`,
    );
  }
  const checks = column.checks;
  if ((rule.min !== undefined || rule.max !== undefined) && present > 0 && column.numericCount === 0) {
    add(
      'value_range_check',
      `Value range requirement cannot be met. Observed: none of the ${present} present values is numeric.`,
    );
  }
  if (checks && rule.min !== undefined && checks.belowMin.total > 0) {
    add(
      'value_range_check',
      `Minimum value requirement is not met. Expected values ≥ ${javaDouble(rule.min)}. ` +
        `Observed: ${ofPresent(checks.belowMin.total)} are below, the lowest ${javaDouble(column.min)}${examples(checks.belowMin)}.`,
    );
  }
  if (checks && rule.max !== undefined && checks.aboveMax.total > 0) {
    add(
      'value_range_check',
      `Maximum value requirement is not met. Expected values ≤ ${javaDouble(rule.max)}. ` +
        `Observed: ${ofPresent(checks.aboveMax.total)} are above, the highest ${javaDouble(column.max)}${examples(checks.aboveMax)}.`,
    );
  }
  if (checks && rule.allowedValues && checks.disallowed.total > 0) {
    add(
      'categorical_values_check',
      `Allowed values requirement is not met. Expected one of ${rule.allowedValues.map((v) => quoteValue(typeof v === 'boolean' ? String(v) : v)).join(', ')}. ` +
        `Observed: ${ofPresent(checks.disallowed.total)} are not allowed${examples(checks.disallowed)}.`,
    );
  }
  if (checks && rule.regex !== undefined && checks.patternMismatches.total > 0) {
    add(
      'regex_check',
      `Pattern requirement is not met. Expected every value to match /${rule.regex}/. ` +
        `Observed: ${ofPresent(checks.patternMismatches.total)} do not match${examples(checks.patternMismatches)}.`,
    );
  }
  if (checks?.unique && rule.unique && present > 0) {
    const description = uniquenessProblem(column, checks.unique.duplicates, checks.unique.overflowed);
    if (description) add('uniqueness_check', description);
  }
  return violations;
}

function uniquenessProblem(column: ColumnProfile, duplicates: number, overflowed: boolean): string | undefined {
  const repeated = column.frequencies
    .entries()
    .filter((entry) => entry.count > 1)
    .slice(0, 5)
    .map((entry) => `${quoteValue(entry.value)} (${entry.count} times)`);
  const shown = repeated.length > 0 ? `, e.g. ${repeated.join(', ')}` : '';
  if (duplicates > 0) {
    const bound = overflowed ? 'at least ' : '';
    return (
      `Uniqueness requirement is not met. Observed: ${bound}${duplicates} of ${column.present} present values ` +
      `repeat an earlier value${shown}.`
    );
  }
  if (!overflowed) return undefined;
  const estimate = column.frequencies.distinctCount();
  const tolerance = 3 * HyperLogLog.RELATIVE_STANDARD_ERROR;
  if (estimate >= column.present * (1 - tolerance)) return undefined;
  return (
    `Uniqueness requirement is not met (approximately: the column has more distinct values than are checked exactly). ` +
    `Observed: about ${estimate} distinct values among ${column.present} present values.`
  );
}

function examples(tally: OffenderTally): string {
  if (tally.examples.size === 0) return '';
  const shown = [...tally.examples].slice(0, 5).map(([value, count]) => `${quoteValue(value)} (${count})`);
  const more = tally.examples.size > shown.length ? ', ...' : '';
  return `, e.g. ${shown.join(', ')}${more}`;
}
