// The gate's markdown report: verdict first, then why, then the numbers.
import {
  Markdown,
  escapeCell,
  escapeMarkdown,
  inlineCode,
  link,
  raw,
  statusIcon,
  type RunContext,
} from '@mlops-actions/core';
import type { ComputedMetrics, MetricSet, RuleOutcome } from '@mlops-actions/data/evaluation';
import type { Champion } from './champion.js';

export interface GateReport {
  outcomes: readonly RuleOutcome[];
  metrics: MetricSet;
  computed?: ComputedMetrics;
  champion: Champion | undefined;
  trainingJob?: string;
  trainingJobUrl?: string;
  notes: readonly string[];
  context: RunContext;
}

function number(value: number | undefined): string {
  if (value === undefined) return '';
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6) ? value.toExponential(4) : value.toFixed(4);
}

function signed(value: number | undefined): string {
  if (value === undefined) return '';
  return value > 0 ? `+${number(value)}` : number(value);
}

export function renderGateReport(report: GateReport): Markdown {
  const failed = report.outcomes.filter((o) => !o.passed);
  const passed = failed.length === 0;
  const md = new Markdown();
  md.heading(
    passed
      ? `${statusIcon(true)} Evaluation gate passed: ${report.outcomes.length} of ${report.outcomes.length} rules`
      : `${statusIcon(false)} Evaluation gate failed: ${failed.length} of ${report.outcomes.length} rules failed`,
    2,
  );
  const challenger = report.trainingJob
    ? `training job ${report.trainingJobUrl ? link(report.trainingJob, report.trainingJobUrl) : escapeMarkdown(report.trainingJob)}`
    : 'this run';
  const champion = escapeMarkdown(report.champion ? report.champion.label : 'none yet: this is the first model');
  md.paragraph(raw(`**Challenger:** ${challenger} · **Champion:** ${champion}`));

  md.heading('Rules', 3);
  md.table(
    ['', 'rule', 'value', 'threshold', 'champion', 'delta', 'note'],
    report.outcomes.map((o) => [
      statusIcon(o.passed),
      raw(inlineCode(o.rule)),
      number(o.actual),
      number(o.threshold),
      number(o.championValue),
      signed(o.delta),
      o.note ?? '',
    ]),
    { align: ['center', 'left', 'right', 'right', 'right', 'right', 'left'] },
  );

  md.heading('Metrics', 3);
  const withInterval = [...report.metrics.metrics.values()].some((m) => m.lower !== undefined);
  // Only computed intervals have a known level; bounds read from a metrics document do not say theirs.
  const bootstrap = report.computed?.bootstrap;
  const intervalHeader = bootstrap ? `${+(bootstrap.confidence * 100).toPrecision(4)}% interval` : 'interval';
  md.table(
    withInterval ? ['metric', 'value', intervalHeader] : ['metric', 'value'],
    [...report.metrics.metrics.entries()].map(([path, m]) =>
      withInterval
        ? [path, number(m.value), m.lower === undefined ? '' : `${number(m.lower)} – ${number(m.upper)}`]
        : [path, number(m.value)],
    ),
    { align: withInterval ? ['left', 'right', 'right'] : ['left', 'right'] },
  );

  const matrix = report.computed?.confusionMatrix;
  if (matrix) {
    md.heading('Confusion matrix (rows: true class, columns: predicted)', 3);
    md.table(
      ['', ...matrix.classes],
      matrix.classes.map((name, i) => [raw(`**${escapeCell(name)}**`), ...(matrix.counts[i] ?? [])]),
    );
  }

  const notes = [...report.notes, ...(report.computed?.notes ?? [])];
  if (report.computed) {
    notes.unshift(
      `${report.computed.rowCount} predictions, task ${report.computed.task} (${report.computed.taskReason}).`,
    );
  }
  if (notes.length > 0) md.details('Notes', new Markdown().list(notes).toString());
  if (report.context.runUrl) md.paragraph(raw(link('Workflow run', report.context.runUrl)));
  return md;
}
