// The validation report: verdict and violations first, then the dataset and a row per column.
import { Markdown, escapeCell, inlineCode, link, raw, statusIcon, type RunContext } from '@mlops-actions/core';
import type { ConstraintViolation, ModelMonitorStatistics } from '@mlops-actions/data';
import type { ProfileSourcesResult } from '@mlops-actions/data/readers';

export interface ValidationReport {
  result: ProfileSourcesResult;
  statistics: ModelMonitorStatistics;
  violations: readonly ConstraintViolation[];
  /** True when checked against a given baseline, false when a baseline was suggested. */
  checkedAgainstBaseline: boolean;
  rulesChecked: boolean;
  outputLocation: string;
  context: RunContext;
}

const MiB = 1024 * 1024;
/** Columns drawn as distribution charts at most, so a report with many violating columns stays readable. */
const MAX_CHARTS = 5;
const TOP_VALUES = 3;

function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e9)) return value.toExponential(3);
  return Number(value.toPrecision(6)).toString();
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(2)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

export function renderValidationReport(report: ValidationReport): Markdown {
  const { result, statistics, violations } = report;
  const profile = result.profile;
  const md = new Markdown();
  const passed = violations.length === 0;
  md.heading(
    passed
      ? `${statusIcon(true)} Data validation passed`
      : `${statusIcon(false)} Data validation found ${violations.length} violation${violations.length === 1 ? '' : 's'}`,
    2,
  );
  const speed = result.seconds > 0 ? result.bytes / MiB / result.seconds : 0;
  const against = report.checkedAgainstBaseline
    ? 'checked against the given baseline'
    : 'no baseline given: a baseline was suggested from this data';
  md.paragraph(
    raw(
      `**${result.rows.toLocaleString('en-US')} rows**, ${profile.columns.length} columns, ` +
        `${result.files.length} file${result.files.length === 1 ? '' : 's'}, ${formatBytes(result.bytes)} ` +
        `read in ${result.seconds.toFixed(2)} s (${speed.toFixed(1)} MiB/s` +
        `${result.reads > 1 ? `, read twice to count the numbers of a column that turned out String` : ''}); ${against}` +
        `${report.rulesChecked ? ', plus the rules file' : ''}.`,
    ),
  );

  if (!passed) {
    md.heading('Violations', 3);
    md.table(
      ['column', 'check', 'description'],
      violations.map((v) => [v.feature_name, v.constraint_check_type, v.description]),
    );
  }

  md.heading('Columns', 3);
  md.table(
    ['column', 'type', 'missing', 'mean', 'std', 'min', 'median', 'max', 'top values'],
    statistics.features.map((feature) => {
      const column = profile.column(feature.name);
      const common = feature.numerical_statistics?.common ?? feature.string_statistics?.common;
      const total = (common?.num_present ?? 0) + (common?.num_missing ?? 0);
      const missing = total === 0 ? '' : `${(((common?.num_missing ?? 0) / total) * 100).toFixed(1)}%`;
      const numeric = feature.numerical_statistics;
      if (numeric) {
        const median = column && column.sketch.count > 0 ? column.sketch.quantile(0.5) : undefined;
        return [
          feature.name,
          feature.inferred_type,
          missing,
          formatNumber(numeric.mean),
          formatNumber(numeric.std_dev),
          formatNumber(numeric.min),
          formatNumber(median),
          formatNumber(numeric.max),
          '',
        ];
      }
      const buckets = feature.string_statistics?.distribution?.categorical?.buckets ?? [];
      // toStatistics lists buckets most frequent first.
      const top = buckets
        .slice(0, TOP_VALUES)
        .map((b) => `${escapeCell(String(b.value))} (${b.count})`)
        .join(', ');
      return [feature.name, feature.inferred_type, missing, '', '', '', '', '', raw(top)];
    }),
    { align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] },
  );

  const violating = [...new Set(violations.map((v) => v.feature_name))].filter((name) => profile.column(name));
  for (const name of violating.slice(0, MAX_CHARTS)) chartColumn(md, statistics, name);
  if (violating.length > MAX_CHARTS)
    md.paragraph(`Charts of ${violating.length - MAX_CHARTS} more violating columns left out.`);

  if (result.warnings.length > 0) md.details('Warnings', new Markdown().list(result.warnings).toString());
  md.details(
    `Files (${result.files.length})`,
    new Markdown()
      .table(
        ['file', 'format', 'size', 'rows'],
        result.files.map((f) => [f.uri, f.format, formatBytes(f.bytes), f.rows]),
      )
      .toString(),
  );
  md.paragraph(raw(`Model Monitor files: ${inlineCode(report.outputLocation)}`));
  if (report.context.runUrl) md.paragraph(raw(link('Workflow run', report.context.runUrl)));
  return md;
}

/** A bar chart of the column's distribution: the KLL buckets of a number, the top values of a string. */
function chartColumn(md: Markdown, statistics: ModelMonitorStatistics, name: string): void {
  const feature = statistics.features.find((f) => f.name === name);
  if (!feature) return;
  const buckets = feature.numerical_statistics?.distribution?.kll?.buckets;
  if (buckets && buckets.length > 0) {
    md.barChart({
      title: `${name}: distribution`,
      labels: buckets.map((b) => formatNumber(b.lower_bound)),
      values: buckets.map((b) => b.count),
      xLabel: 'bucket lower bound',
      yLabel: 'rows',
    });
    return;
  }
  const categories = feature.string_statistics?.distribution?.categorical?.buckets;
  if (categories && categories.length > 0) {
    const top = categories.slice(0, 10);
    md.barChart({
      title: `${name}: top values`,
      labels: top.map((b) => String(b.value)),
      values: top.map((b) => b.count),
      yLabel: 'rows',
    });
  }
}
