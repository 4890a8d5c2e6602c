// The job summary: markdown appended to the file the runner names in GITHUB_STEP_SUMMARY. The runner refuses a
// summary over 1 MiB for the whole step (the step then gets an error and nothing is shown), so we count what the file
// already holds and truncate our part to fit.
import { appendFile, stat } from 'node:fs/promises';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { truncateMarkdown } from '../markdown.js';

/** The runner's limit for one step's summary, in bytes. */
export const JOB_SUMMARY_LIMIT_BYTES = 1024 * 1024;

export interface WriteJobSummaryOptions {
  logger: Logger;
  /**
   * Markdown saying where the untruncated report is (e.g. a link to the run's artifacts), used in the truncation note.
   */
  fullReport?: string;
  /** Defaults to process.env.GITHUB_STEP_SUMMARY. */
  path?: string;
  /** For tests; defaults to JOB_SUMMARY_LIMIT_BYTES. */
  limitBytes?: number;
}

export function summaryTruncationNote(fullReport: string | undefined, limit: string): string {
  const where = fullReport ? ` The full report: ${fullReport}.` : ' The full report is in the step log and artifacts.';
  return `> ⚠️ **This report was truncated** to fit the ${limit} job summary limit.${where}`;
}

/** Largest truncation of `markdown` whose UTF-8 encoding fits `budget` bytes (truncateMarkdown counts characters). */
function fitBytes(markdown: string, budget: number, note: string): string {
  let maxChars = Math.min(markdown.length, budget);
  for (;;) {
    const candidate = truncateMarkdown(markdown, maxChars, note);
    const bytes = Buffer.byteLength(candidate);
    if (bytes <= budget || maxChars <= 0) return bytes <= budget ? candidate : '';
    // Each UTF-16 unit is at most 3 UTF-8 bytes, so this converges in a few rounds.
    maxChars = Math.min(maxChars - 1, Math.floor((maxChars * budget) / bytes));
  }
}

/**
 * Appends markdown to the job summary. Returns false when there is no summary file (a local run) or nothing could
 * be written; never throws, since the summary is a report about work that is already done.
 */
export async function writeJobSummary(markdown: string, options: WriteJobSummaryOptions): Promise<boolean> {
  const { logger } = options;
  const file = options.path ?? process.env.GITHUB_STEP_SUMMARY;
  if (!file) {
    logger.debug('GITHUB_STEP_SUMMARY is not set (not running on GitHub Actions); the job summary was not written');
    return false;
  }
  const limit = options.limitBytes ?? JOB_SUMMARY_LIMIT_BYTES;
  try {
    const existing = await stat(file).then(
      (s) => s.size,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return 0;
        throw error;
      },
    );
    // A blank line keeps our first block from merging into what an earlier step or action wrote.
    const separator = existing > 0 ? '\n' : '';
    const budget = limit - existing - Buffer.byteLength(separator) - 1; // and the trailing newline
    let text = markdown.trimEnd();
    if (Buffer.byteLength(text) > budget) {
      const note = summaryTruncationNote(
        options.fullReport,
        limit === JOB_SUMMARY_LIMIT_BYTES ? '1 MiB' : `${limit}-byte`,
      );
      // Without room for the note, a cut report would not say it was cut: leave it out entirely.
      text = Buffer.byteLength(note) + 2 <= budget ? fitBytes(text, budget, note) : '';
      if (!text) {
        logger.warning(
          `The job summary already holds ${existing} of its ${limit} bytes; this report was left out of it`,
        );
        return false;
      }
      logger.warning(
        `The report is larger than the job summary allows and was truncated to ${Buffer.byteLength(text)} bytes`,
      );
    }
    await appendFile(file, `${separator}${text}\n`, 'utf8');
    return true;
  } catch (error) {
    logger.warning(`Could not write the job summary: ${errorMessage(error)}`);
    return false;
  }
}
