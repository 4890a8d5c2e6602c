// Metric definitions as SageMaker applies them to training logs: each regex is tried on every log line and its first
// capture group, read as a number, is one observation of the metric. Limits are the CreateTrainingJob API's
// (MetricDefinitionList at most 40, Name 1-255 characters, Regex 1-500).
import { ConfigurationError } from '@mlops-actions/core';

export interface MetricDefinition {
  name: string;
  regex: string;
}

export interface MetricObservation {
  value: number;
  /** Milliseconds since the training process started. */
  atMs: number;
}

const METRIC_LIMITS = { maxDefinitions: 40, maxNameLength: 255, maxRegexLength: 500 } as const;

interface CompiledMetric {
  name: string;
  regex: RegExp;
}

/** Validates and compiles definitions, reporting every problem at once against `input`. */
export function compileMetricDefinitions(
  definitions: readonly MetricDefinition[],
  input = 'metric-definitions',
): CompiledMetric[] {
  const problems: string[] = [];
  const { maxDefinitions, maxNameLength, maxRegexLength } = METRIC_LIMITS;
  if (definitions.length > maxDefinitions) {
    problems.push(
      `Input '${input}' has ${definitions.length} metric definitions; SageMaker accepts at most ${maxDefinitions}`,
    );
  }
  const compiled: CompiledMetric[] = [];
  for (const { name, regex } of definitions) {
    const label = JSON.stringify(name);
    if (name.length === 0 || name.length > maxNameLength) {
      problems.push(
        `Input '${input}' has a metric name of ${name.length} characters; names take 1 to ${maxNameLength}`,
      );
    }
    if (regex.length === 0 || regex.length > maxRegexLength) {
      problems.push(
        `Input '${input}' has a regex of ${regex.length} characters for ${label}; regexes take 1 to ${maxRegexLength}`,
      );
      continue;
    }
    let pattern: RegExp;
    try {
      pattern = new RegExp(regex);
    } catch (error) {
      problems.push(`Input '${input}' has an invalid regex for ${label}: ${(error as Error).message}`);
      continue;
    }
    // The number of groups, without needing a matching line: an alternation with the empty string always matches.
    const groups = new RegExp(`${regex}|`).exec('')!.length - 1;
    if (groups < 1) {
      problems.push(
        `Input '${input}' has a regex for ${label} without a capture group: the value is the first group, e.g. accuracy=([0-9.]+)`,
      );
      continue;
    }
    compiled.push({ name, regex: pattern });
  }
  if (problems.length) throw new ConfigurationError(problems, { input });
  return compiled;
}

/** Collects observations from log lines: the last value of each metric, and every value in order. */
export class MetricCollector {
  readonly series: Record<string, MetricObservation[]> = {};
  private readonly metrics: CompiledMetric[];

  constructor(
    definitions: readonly MetricDefinition[],
    private readonly startedAt: number = Date.now(),
    input?: string,
  ) {
    this.metrics = compileMetricDefinitions(definitions, input);
  }

  /** Observations found in one line (also recorded). */
  observe(line: string, now: number = Date.now()): { name: string; value: number }[] {
    const found: { name: string; value: number }[] = [];
    for (const { name, regex } of this.metrics) {
      const captured = regex.exec(line)?.[1];
      if (captured === undefined) continue;
      const value = Number(captured.trim());
      if (captured.trim() === '' || !Number.isFinite(value)) continue;
      (this.series[name] ??= []).push({ value, atMs: now - this.startedAt });
      found.push({ name, value });
    }
    return found;
  }

  /** The last value of each metric seen at least once. */
  get last(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.series).map(([name, values]) => [name, values.at(-1)!.value]));
  }
}
