// evaluate-gate: metrics in (given or computed), rules checked against thresholds and the champion, report out.
import path from 'node:path';
import * as core from '@actions/core';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  MLOPS_ACTIONS_VERSION,
  awsClientConfig,
  exactlyOneOf,
  openStorage,
  resolveRegion,
  runContext,
  s3Client,
} from '@mlops-actions/core';
import { publishReport, readInputs, runAction, stickyCommentTarget } from '@mlops-actions/core/action';
import {
  evaluateRules,
  parseMetricsDocument,
  parseRules,
  type ComputedMetrics,
  type MetricSet,
} from '@mlops-actions/data/evaluation';
import { trainingJobConsoleUrl } from '@mlops-actions/sagemaker';
import { loadChampion, parseChampionSource } from './champion.js';
import { readPredictions } from './predictions.js';
import { renderGateReport } from './report.js';
import { inputSpec } from './inputs.js';

const ACTION = 'evaluate-gate';

export function run(): Promise<void> {
  return runAction(async ({ signal, logger }) => {
    const input = readInputs(inputSpec);
    const context = runContext();
    exactlyOneOf(input, ['metrics', 'predictions']);
    // Parsed before any I/O, so a typo in a rule fails in a second rather than after computing metrics.
    const rules = parseRules(input.rules);
    const championSource = parseChampionSource(input.champion);
    const awsOptions = { action: ACTION, version: MLOPS_ACTIONS_VERSION, region: input.region, logger };
    const storage = openStorage({ s3: () => s3Client(awsOptions), logger });

    const notes: string[] = [];
    let metrics: MetricSet;
    let computed: ComputedMetrics | undefined;
    if (input.predictions !== undefined) {
      computed = await readPredictions({
        source: input.predictions,
        labelColumn: input['label-column'],
        predictionColumn: input['prediction-column'],
        scoreColumn: input['score-column'],
        task: input.task === 'auto' ? undefined : input.task,
        positiveLabel: input['positive-label'],
        bootstrapSamples: input['bootstrap-samples'],
        confidence: input.confidence,
        seed: input.seed,
        storage,
        signal,
      });
      metrics = computed.metrics;
    } else {
      const text = input.metrics!.trimStart().startsWith('{')
        ? input.metrics!
        : await storage.readText(input.metrics!, { signal });
      const parsed = parseMetricsDocument(text, { input: 'metrics' });
      metrics = parsed.metrics;
      for (const ignored of parsed.ignored) notes.push(`Ignored metric ${ignored.path}: ${ignored.reason}.`);
    }

    const champion = await loadChampion(championSource, {
      storage,
      sagemaker: () => new SageMakerClient(awsClientConfig(awsOptions)),
      logger,
      signal,
    });
    const outcomes = evaluateRules(rules, metrics, champion?.metrics);
    const passed = outcomes.every((o) => o.passed);
    for (const o of outcomes) {
      logger.info(
        `${o.passed ? 'pass' : 'FAIL'}  ${o.rule}  (value ${o.actual}${o.threshold === undefined ? '' : `, threshold ${o.threshold}`}${o.note ? `; ${o.note}` : ''})`,
      );
    }

    const region = consoleRegion(input.region);
    const report = renderGateReport({
      outcomes,
      metrics,
      computed,
      champion,
      trainingJob: input['training-job'],
      trainingJobUrl:
        input['training-job'] && region ? trainingJobConsoleUrl(region, input['training-job']) : undefined,
      notes,
      context,
    }).toString();

    const reportLocation =
      input.report?.uri ?? path.join(context.runnerTemp, 'mlops-actions', ACTION, input['comment-key'], 'report.md');
    await storage.write(reportLocation, report, { contentType: 'text/markdown', kmsKeyId: input['kms-key'], signal });

    core.setOutput('passed', String(passed));
    core.setOutput('results', JSON.stringify(outcomes));
    core.setOutput('metrics', JSON.stringify(Object.fromEntries(metrics.metrics)));
    core.setOutput(
      'champion',
      JSON.stringify(
        champion ? { id: champion.id, metrics: Object.fromEntries(champion.metrics.metrics) } : { id: 'none' },
      ),
    );
    core.setOutput('report', reportLocation);

    const comment =
      input['pr-comment'] === 'true' || (input['pr-comment'] === 'auto' && context.prNumber !== undefined);
    await publishReport({
      markdown: report,
      summary: input['job-summary'],
      comment: comment
        ? stickyCommentTarget(context, {
            action: ACTION,
            key: input['comment-key'],
            token: input['github-token'],
            signal,
          })
        : false,
      logger,
      summaryOptions: { fullReport: reportLocation },
    });

    const failedCount = outcomes.filter((o) => !o.passed).length;
    if (passed) logger.info(`Gate passed: ${outcomes.length} of ${outcomes.length} rules.`);
    else if (input['fail-on-gate']) {
      core.setFailed(`Evaluation gate failed: ${failedCount} of ${outcomes.length} rules failed (see the report).`);
    } else
      logger.warning(`Evaluation gate failed: ${failedCount} of ${outcomes.length} rules failed; fail-on-gate is off.`);
  });
}

/**
 * The region for the console link, or undefined: without a region the report just leaves the link out. The region
 * becomes part of a host name unescaped, so anything that is not region-shaped is dropped too.
 */
function consoleRegion(input: string | undefined): string | undefined {
  let region: string;
  try {
    region = resolveRegion(input);
  } catch {
    return undefined;
  }
  return /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined;
}
