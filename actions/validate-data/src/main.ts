// validate-data: profile the data on the runner, check it against a baseline and rules, write Model Monitor files.
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import {
  MLOPS_ACTIONS_VERSION,
  openStorage,
  runContext,
  s3Client,
  type Storage,
  type StorageUri,
  type WriteOptions,
} from '@mlops-actions/core';
import {
  publishReport,
  readInputs,
  runAction,
  stickyCommentTarget,
  uploadReportArtifact,
} from '@mlops-actions/core/action';
import {
  checkAgainstBaseline,
  checkRules,
  formatModelMonitorJson,
  parseConstraints,
  parseRules,
  parseStatistics,
  profileOptionsForRules,
  suggestConstraints,
  toStatistics,
  baselineCategoricalColumns,
  type ConstraintViolation,
} from '@mlops-actions/data';
import { profileSources } from '@mlops-actions/data/readers';
import { inputSpec } from './inputs.js';
import { renderValidationReport } from './report.js';

const ACTION = 'validate-data';
const PROGRESS_INTERVAL_MS = 5_000;
const MiB = 1024 * 1024;
const FILE_NAMES = {
  statistics: 'statistics.json',
  constraints: 'constraints.json',
  violations: 'constraint_violations.json',
  report: 'report.md',
} as const;

export function run(): Promise<void> {
  return runAction(async ({ signal, logger }) => {
    const input = readInputs(inputSpec);
    const context = runContext();
    const storage = openStorage({
      s3: () => s3Client({ action: ACTION, version: MLOPS_ACTIONS_VERSION, region: input.region, logger }),
      logger,
    });

    // Baselines and rules are read before the data, so a broken file fails fast instead of after a long profile.
    const readText = (location: StorageUri) => storage.readText(location, { signal });
    const rules = input.rules ? parseRules(await readText(input.rules), input.rules.uri) : undefined;
    const baselineConstraints = input['baseline-constraints']
      ? parseConstraints(await readText(input['baseline-constraints']), input['baseline-constraints'].uri)
      : undefined;
    const baselineStatistics = input['baseline-statistics']
      ? parseStatistics(await readText(input['baseline-statistics']), input['baseline-statistics'].uri)
      : undefined;

    let lastProgress = Date.now();
    const result = await profileSources({
      spec: input.data,
      format: input.format,
      header: input.header,
      delimiter: input.delimiter,
      strict: input.strict,
      maxFieldBytes: input['max-field-size'],
      captureSide: input['capture-side'],
      profileOptions: {
        ...(rules ? profileOptionsForRules(rules) : {}),
        countNumbersOf: baselineCategoricalColumns({
          constraints: baselineConstraints,
          statistics: baselineStatistics,
        }),
      },
      workers: input.workers === 'auto' ? undefined : Number(input.workers),
      storage,
      signal,
      logger,
      onProgress: (p) => {
        if (Date.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = Date.now();
        const share = p.totalBytes > 0 ? ` of ${(p.totalBytes / MiB).toFixed(0)} MiB` : '';
        logger.info(
          `Read ${(p.bytesRead / MiB).toFixed(0)} MiB${share}, ${p.rows.toLocaleString('en-US')} rows, ${p.filesDone}/${p.filesTotal} files`,
        );
      },
    });
    for (const warning of result.warnings) logger.warning(warning);
    logger.info(
      `Profiled ${result.rows.toLocaleString('en-US')} rows in ${result.files.length} file(s), ` +
        `${(result.bytes / MiB).toFixed(1)} MiB in ${result.seconds.toFixed(2)} s`,
    );

    const profile = result.profile;
    const statistics = toStatistics(profile);
    const constraints = baselineConstraints ?? suggestConstraints(profile);
    const checkedAgainstBaseline = baselineConstraints !== undefined || baselineStatistics !== undefined;
    const violations: ConstraintViolation[] = [
      ...(checkedAgainstBaseline
        ? checkAgainstBaseline({ current: profile, constraints: baselineConstraints, statistics: baselineStatistics })
        : []),
      ...(rules ? checkRules(profile, rules) : []),
    ];

    const output = input.output?.uri ?? path.join(context.runnerTemp, 'mlops-actions', ACTION, input['comment-key']);
    const locations = {
      statistics: storage.join(output, FILE_NAMES.statistics),
      constraints: storage.join(output, FILE_NAMES.constraints),
      violations: storage.join(output, FILE_NAMES.violations),
      report: storage.join(output, FILE_NAMES.report),
    };
    const report = renderValidationReport({
      result,
      statistics,
      violations,
      checkedAgainstBaseline,
      rulesChecked: rules !== undefined,
      outputLocation: output,
      context,
    }).toString();
    const files = {
      statistics: formatModelMonitorJson(statistics),
      constraints: formatModelMonitorJson(constraints),
      violations: formatModelMonitorJson({ violations }),
      report,
    };
    await writeAllOrNothing(storage, locations, files, { kmsKeyId: input['kms-key'], signal });

    core.setOutput('statistics', locations.statistics);
    core.setOutput('constraints', locations.constraints);
    core.setOutput('violations', locations.violations);
    core.setOutput('violation-count', String(violations.length));
    core.setOutput('row-count', String(result.rows));
    core.setOutput('passed', String(violations.length === 0));
    core.setOutput('report', locations.report);

    await publishReport({
      markdown: report,
      summary: input['job-summary'],
      comment: input['pr-comment']
        ? stickyCommentTarget(context, {
            action: ACTION,
            key: input['comment-key'],
            token: input['github-token'],
            signal,
          })
        : false,
      logger,
      summaryOptions: { fullReport: locations.report },
    });

    if (input['artifact-name']) await uploadArtifact(input['artifact-name'], files, context.runnerTemp, logger);

    for (const v of violations)
      logger.info(`violation: ${v.feature_name}: ${v.constraint_check_type}: ${v.description}`);
    if (violations.length === 0) logger.info('No violations.');
    else if (input['fail-on-violation']) {
      core.setFailed(
        `${violations.length} violation(s) in ${input.data.split('\n')[0]}${input.data.includes('\n') ? ' and more' : ''}: see ${locations.violations}`,
      );
    } else logger.warning(`${violations.length} violation(s); fail-on-violation is off.`);
  });
}

/**
 * Writes the four files, or none: each write is atomic on its own, and when one fails the ones already written are
 * removed, so a folder never holds a statistics.json without the violations that go with it.
 */
async function writeAllOrNothing(
  storage: Storage,
  locations: Record<string, string>,
  bodies: Record<string, string>,
  options: Omit<WriteOptions, 'contentType'>,
): Promise<void> {
  const written: string[] = [];
  try {
    for (const [name, location] of Object.entries(locations)) {
      const contentType = location.endsWith('.md') ? 'text/markdown' : 'application/json';
      await storage.write(location, bodies[name]!, { ...options, contentType });
      written.push(location);
    }
  } catch (error) {
    await Promise.all(written.map((location) => storage.remove(location).catch(() => undefined)));
    throw error;
  }
}

async function uploadArtifact(
  name: string,
  files: Record<keyof typeof FILE_NAMES, string>,
  runnerTemp: string,
  logger: Parameters<typeof uploadReportArtifact>[0]['logger'],
): Promise<void> {
  // The files may live in S3; the artifact is built from local copies of the same bytes.
  const dir = await mkdtemp(path.join(runnerTemp, 'validate-data-artifact-'));
  const paths: string[] = [];
  for (const [key, fileName] of Object.entries(FILE_NAMES)) {
    const file = path.join(dir, fileName);
    await writeFile(file, files[key as keyof typeof FILE_NAMES]);
    paths.push(file);
  }
  // uploadReportArtifact logs and swallows its own failures: a missing artifact does not fail the validation.
  await uploadReportArtifact({ name, files: paths, rootDirectory: dir, logger });
}
