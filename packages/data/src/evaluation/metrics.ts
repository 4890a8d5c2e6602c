// Metrics documents: the `metrics` input (a SageMaker Pipelines evaluation report or a flat / nested map of numbers)
// normalized to a MetricSet, plus the look-up rules and the report writer shared with computed metrics.
import { ConfigurationError } from '@mlops-actions/core';
import { JsonDuplicateKeyError, JsonSyntaxError, parseJson } from '../json.js';
import type { JsonObject, JsonValue } from '../json.js';

/** One metric: a value and, when known, an interval and a standard deviation. */
export interface MetricValue {
  readonly value: number;
  readonly lower?: number;
  readonly upper?: number;
  readonly standardDeviation?: number;
}

/**
 * Metrics by path. A path joins the keys leading to a value with '.' (`regression_metrics.mse`, `f1.macro`); keys keep
 * their own characters (`validation:rmse` stays one segment).
 *
 * Aliases: a path that starts with report sections — a segment named `metrics` or ending in `_metrics` — is also
 * reachable without them (`mse` for `regression_metrics.mse`), as long as exactly one path shortens to that name and
 * no path is literally that name. Only sections are dropped: leading dataset names such as `train.` or `validation.`
 * stay significant, so `rmse` never silently means `validation.rmse`.
 */
export interface MetricSet {
  /** Path → metric, in document order. */
  readonly metrics: ReadonlyMap<string, MetricValue>;
  /** Alias → path, only for unambiguous aliases. */
  readonly aliases: ReadonlyMap<string, string>;
  /** Alias → the paths it would fit, for aliases left out because they are ambiguous. */
  readonly ambiguousAliases: ReadonlyMap<string, readonly string[]>;
}

/** A value the document holds that is not a usable metric, and why. */
export interface IgnoredMetric {
  readonly path: string;
  readonly reason: string;
}

export interface ParsedMetrics {
  readonly metrics: MetricSet;
  readonly ignored: readonly IgnoredMetric[];
}

const SECTION_SEGMENT = /^(?:metrics|.+_metrics)$/;

/** Builds a MetricSet (and its aliases). Throws a RangeError for a duplicate path or a non-finite number. */
export function createMetricSet(entries: Iterable<readonly [string, MetricValue]>): MetricSet {
  const metrics = new Map<string, MetricValue>();
  for (const [path, metric] of entries) {
    if (metrics.has(path)) throw new RangeError(`duplicate metric path '${path}'`);
    for (const [field, number] of Object.entries(metric)) {
      if (number !== undefined && !Number.isFinite(number)) {
        throw new RangeError(`metric '${path}' has a non-finite ${field}: ${String(number)}`);
      }
    }
    metrics.set(path, metric);
  }

  const candidates = new Map<string, string[]>();
  for (const path of metrics.keys()) {
    for (const alias of sectionFreeAliases(path)) {
      if (metrics.has(alias)) continue; // a real path always wins over an alias
      const paths = candidates.get(alias) ?? [];
      paths.push(path);
      candidates.set(alias, paths);
    }
  }
  const aliases = new Map<string, string>();
  const ambiguousAliases = new Map<string, readonly string[]>();
  for (const [alias, paths] of candidates) {
    if (paths.length === 1) aliases.set(alias, paths[0]!);
    else ambiguousAliases.set(alias, paths);
  }
  return { metrics, aliases, ambiguousAliases };
}

/** `a_metrics.b_metrics.x.y` → `b_metrics.x.y`, `x.y`: each shortening that drops one more leading section. */
function sectionFreeAliases(path: string): string[] {
  const segments = path.split('.');
  const aliases: string[] = [];
  for (let dropped = 1; dropped < segments.length && SECTION_SEGMENT.test(segments[dropped - 1]!); dropped++) {
    aliases.push(segments.slice(dropped).join('.'));
  }
  return aliases;
}

export type MetricLookup =
  | { readonly found: true; readonly path: string; readonly metric: MetricValue }
  | { readonly found: false; readonly ambiguous: readonly string[] };

/** Finds a metric by its path or an unambiguous alias; `ambiguous` lists the paths an ambiguous alias fits. */
export function lookupMetric(set: MetricSet, name: string): MetricLookup {
  const direct = set.metrics.get(name);
  if (direct !== undefined) return { found: true, path: name, metric: direct };
  const aliased = set.aliases.get(name);
  if (aliased !== undefined) return { found: true, path: aliased, metric: set.metrics.get(aliased)! };
  return { found: false, ambiguous: set.ambiguousAliases.get(name) ?? [] };
}

/**
 * Every metric path, closest to `name` first: paths holding `name` as a whole segment (`f1` → `f1.macro`, `mse` →
 * `regression_metrics.mse`, `rmse` → `validation:rmse`), then by case-insensitive edit distance to the path or its
 * closest alias; ties keep document order.
 */
export function metricPathsClosestTo(set: MetricSet, name: string): string[] {
  const query = name.toLowerCase();
  const scored = [...set.metrics.keys()].map((path, order) => {
    const forms = [path, ...sectionFreeAliases(path)].map((form) => form.toLowerCase());
    const segmentMatch = forms.some((form) =>
      SEGMENT_SEPARATORS.some((separator) => hasSegment(form, query, separator)),
    );
    const distance = segmentMatch ? -1 : Math.min(...forms.map((form) => editDistance(query, form)));
    return { path, order, distance };
  });
  scored.sort((a, b) => a.distance - b.distance || a.order - b.order);
  return scored.map(({ path }) => path);
}

/** `.` separates path segments; `:` and `/` separate the parts of one name (`validation:rmse`, `val/loss`). */
const SEGMENT_SEPARATORS = ['.', ':', '/'];

function hasSegment(form: string, query: string, separator: string): boolean {
  return (
    form.startsWith(`${query}${separator}`) ||
    form.endsWith(`${separator}${query}`) ||
    form.includes(`${separator}${query}${separator}`)
  );
}

/** Levenshtein distance (insertions, deletions, substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export interface ParseMetricsOptions {
  /** The input named in errors; `metrics` unless told (e.g. `champion-metrics`). */
  readonly input?: string;
}

/**
 * Parses the text of a metrics document into a MetricSet.
 *
 * - The document is a JSON object. NaN / Infinity tokens (Python's json.dump writes them) are accepted and ignored.
 * - A nested object with a `value` key is one metric (the SageMaker evaluation report style): `value` must be a
 *   number; `standard_deviation` (or `standardDeviation`), `lower` / `lower_bound` and `upper` / `upper_bound` are
 *   taken when numeric. Other keys of such an object are not read.
 * - Any other object nests: its keys extend the path. Numbers are metrics.
 * - Strings (even numeric-looking ones — a quoted number is usually a mistake worth seeing), booleans, null, arrays
 *   (e.g. ROC curve points), empty objects and non-finite numbers are ignored and listed in `ignored`.
 *
 * Throws a ConfigurationError naming the input for text that is not JSON (with its line and column), for a document
 * that is not an object, for two keys that spell the same path (`{"f1.macro": 1, "f1": {"macro": 2}}`, or one key twice
 * in an object: JSON.parse would keep the last silently, and a gate must not pick one of two values), and when no
 * numeric metric remains.
 */
export function parseMetricsDocument(text: string, options: ParseMetricsOptions = {}): ParsedMetrics {
  const input = options.input ?? 'metrics';
  let document: JsonValue;
  try {
    document = parseJson(text, { nonFinite: true, duplicateKeys: 'reject' });
  } catch (error) {
    if (error instanceof JsonDuplicateKeyError) {
      throw new ConfigurationError(`Input '${input}' line ${error.line}, column ${error.column}: ${error.detail}`, {
        input,
      });
    }
    if (error instanceof JsonSyntaxError) {
      throw new ConfigurationError(
        `Input '${input}' is not valid JSON: line ${error.line}, column ${error.column}: ${error.detail}`,
        { input },
      );
    }
    throw error;
  }
  if (!(document instanceof Map)) {
    throw new ConfigurationError(
      `Input '${input}' must be a JSON object of metrics (e.g. {"accuracy": 0.91}), not ${describeJson(document)}`,
      { input },
    );
  }

  const entries = new Map<string, MetricValue>();
  const ignored: IgnoredMetric[] = [];
  const duplicates: string[] = [];
  const add = (path: string, metric: MetricValue): void => {
    if (entries.has(path)) duplicates.push(path);
    else entries.set(path, metric);
  };
  collectMetrics(document, [], add, ignored);

  if (duplicates.length > 0) {
    throw new ConfigurationError(
      duplicates.map(
        (path) => `Input '${input}' spells the metric '${path}' twice (once as a key with dots, once as nested keys)`,
      ),
      { input },
    );
  }
  if (entries.size === 0) {
    const listed = ignored.map(({ path, reason }) => `${path} (${reason})`).join(', ');
    throw new ConfigurationError(
      `Input '${input}' holds no numeric metric${listed ? `; ignored: ${listed}` : ' (the object is empty)'}`,
      { input },
    );
  }
  return { metrics: createMetricSet(entries), ignored };
}

function collectMetrics(
  object: JsonObject,
  parents: readonly string[],
  add: (path: string, metric: MetricValue) => void,
  ignored: IgnoredMetric[],
): void {
  for (const [key, value] of object) {
    const segments = [...parents, key];
    const path = segments.join('.');
    if (key === '') {
      ignored.push({ path: path || '""', reason: 'an empty key cannot name a metric' });
    } else if (typeof value === 'number') {
      if (Number.isFinite(value)) add(path, { value });
      else ignored.push({ path, reason: `${String(value)}, not a finite number` });
    } else if (value instanceof Map) {
      if (value.has('value')) readReportMetric(value, path, add, ignored);
      else if (value.size === 0) ignored.push({ path, reason: 'an empty object' });
      else collectMetrics(value, segments, add, ignored);
    } else {
      ignored.push({ path, reason: describeJson(value) });
    }
  }
}

const OPTIONAL_FIELDS: readonly (readonly [keyof Omit<MetricValue, 'value'>, readonly string[]])[] = [
  ['standardDeviation', ['standard_deviation', 'standardDeviation']],
  ['lower', ['lower', 'lower_bound']],
  ['upper', ['upper', 'upper_bound']],
];

/** `{"value": 0.9, "standard_deviation": 0.01}` → one metric. */
function readReportMetric(
  report: JsonObject,
  path: string,
  add: (path: string, metric: MetricValue) => void,
  ignored: IgnoredMetric[],
): void {
  const value = report.get('value');
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const what = typeof value === 'number' ? `${String(value)}, not a finite number` : describeJson(value ?? null);
    ignored.push({ path: `${path}.value`, reason: what });
    return;
  }
  const metric: { -readonly [K in keyof MetricValue]: MetricValue[K] } = { value };
  for (const [field, keys] of OPTIONAL_FIELDS) {
    for (const key of keys) {
      if (!report.has(key)) continue;
      const number = report.get(key);
      if (typeof number === 'number' && Number.isFinite(number)) metric[field] = number;
      else {
        const what = typeof number === 'number' ? `${String(number)}, not a finite number` : describeJson(number!);
        ignored.push({ path: `${path}.${key}`, reason: what });
      }
    }
  }
  add(path, metric);
}

function describeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Map) return 'an object';
  if (typeof value === 'string') return `a string ("${value.length > 40 ? `${value.slice(0, 40)}…` : value}")`;
  if (typeof value === 'boolean') return `a boolean (${String(value)})`;
  return `a number (${String(value)})`;
}

/** The section names SageMaker's Model Quality / Pipelines reports use. */
export type EvaluationReportSection =
  'binary_classification_metrics' | 'multiclass_classification_metrics' | 'regression_metrics';

/**
 * A MetricSet as a SageMaker-style evaluation report: `{"<section>": {"<path>": {"value", "standard_deviation"?,
 * "lower"?, "upper"?}}}`. Paths stay whole keys (`"f1.macro"`), because `f1` may be a metric itself; parsing the report
 * back gives `<section>.<path>` with `<path>` as its alias.
 */
export function toEvaluationReport(
  set: MetricSet,
  section: EvaluationReportSection,
): Record<string, Record<string, Record<string, number>>> {
  // Object.fromEntries defines own properties, so even a metric named `__proto__` stays a plain key.
  const metrics = Object.fromEntries(
    [...set.metrics].map(([path, metric]) => {
      const entry: Record<string, number> = { value: metric.value };
      if (metric.standardDeviation !== undefined) entry.standard_deviation = metric.standardDeviation;
      if (metric.lower !== undefined) entry.lower = metric.lower;
      if (metric.upper !== undefined) entry.upper = metric.upper;
      return [path, entry];
    }),
  );
  return { [section]: metrics };
}
