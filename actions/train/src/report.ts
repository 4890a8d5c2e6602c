// The job summary: the verdict, the outputs, what ran, the metrics, and on failure the reason and the last log lines.
import {
  type Cell,
  code,
  formatDuration,
  inlineCode,
  link,
  Markdown,
  raw,
  statusIcon,
  type RunContext,
} from '@mlops-actions/core';
import type { TrainingOutcome } from './outcome.js';

const TAIL_LINES_SHOWN = 50;

export function renderTrainingReport(outcome: TrainingOutcome, context: RunContext): Markdown {
  const md = new Markdown();
  const what = outcome.tuningJobName && !outcome.jobName ? 'Tuning job' : 'Training job';
  const name = outcome.jobName || outcome.tuningJobName || '';
  const where = outcome.backend === 'local' ? ' (local)' : '';
  const verdict =
    outcome.status === 'Completed'
      ? `${statusIcon(true)} ${what} ${name} completed${where}`
      : outcome.failure
        ? `${statusIcon(false)} ${what} ${name} ${outcome.status === 'Stopped' ? 'was stopped' : 'failed'}${where}`
        : `${statusIcon(undefined)} ${what} ${name} is ${outcome.status}: not waiting for it`;
  md.heading(verdict, 2);
  if (outcome.failure) md.paragraph(outcome.failure.message);

  const { outputs } = outcome;
  const seconds = (value: number | undefined) => (value === undefined ? '' : formatDuration(value * 1000));
  const rows: [string, Cell][] = [
    [
      'job name',
      outputs.consoleUrl && outcome.jobName ? raw(link(outcome.jobName, outputs.consoleUrl)) : outcome.jobName,
    ],
    ['status', outcome.status],
  ];
  if (outcome.tuningJobName) rows.push(['tuning job', outcome.tuningJobName]);
  if (outputs.modelData) rows.push(['model data', raw(inlineCode(outputs.modelData))]);
  if (outputs.trainingSeconds !== undefined) rows.push(['training time', seconds(outputs.trainingSeconds)]);
  if (outputs.billableSeconds !== undefined) rows.push(['billable time', seconds(outputs.billableSeconds)]);
  if (outputs.spotSavings !== undefined) rows.push(['spot savings', `${outputs.spotSavings}%`]);
  for (const [label, value] of outcome.facts) rows.push([label, value]);
  md.table(['', ''], rows);

  const metrics = Object.entries(outputs.metrics);
  if (metrics.length) {
    md.heading('Metrics', 3);
    md.table(
      ['metric', 'value'],
      metrics.map(([metric, value]) => [metric, value]),
      { align: ['left', 'right'] },
    );
  }
  if (outcome.logTail.length) {
    const tail = outcome.logTail.slice(-TAIL_LINES_SHOWN);
    md.details(`Last ${tail.length} log lines`, code(tail.join('\n')), { open: Boolean(outcome.failure) });
  }
  if (context.runUrl) md.paragraph(raw(link('Workflow run', context.runUrl)));
  return md;
}
