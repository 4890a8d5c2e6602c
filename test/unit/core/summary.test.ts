import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import { code } from '../../../packages/core/src/markdown.js';
import { JOB_SUMMARY_LIMIT_BYTES, writeJobSummary } from '../../../packages/core/src/action/summary.js';
import { uploadReportArtifact } from '../../../packages/core/src/action/artifact.js';

let dir: string;
let file: string;
const saved = {
  GITHUB_STEP_SUMMARY: process.env.GITHUB_STEP_SUMMARY,
  ACTIONS_RUNTIME_TOKEN: process.env.ACTIONS_RUNTIME_TOKEN,
  ACTIONS_RESULTS_URL: process.env.ACTIONS_RESULTS_URL,
};

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'summary-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});
beforeEach(async () => {
  file = path.join(dir, `step_summary_${Math.random().toString(36).slice(2)}`);
  // The runner creates an empty file per step.
  await writeFile(file, '');
  process.env.GITHUB_STEP_SUMMARY = file;
});

describe('writeJobSummary', () => {
  it('appends, separating reports by a blank line', async () => {
    const logger = recordingLogger();
    assert.equal(await writeJobSummary('## One\n\n', { logger }), true);
    assert.equal(await writeJobSummary('## Two', { logger }), true);
    assert.equal(await readFile(file, 'utf8'), '## One\n\n## Two\n');
    assert.deepEqual(logger.lines, []);
  });

  it('keeps within 1 MiB counting what the file already holds, with a note', async () => {
    const existing = 'x'.repeat(600_000) + '\n';
    await writeFile(file, existing);
    // Multi-byte text inside a fence: bytes, not characters, must be counted, and the fence must stay closed.
    const report = `## Drift\n\n${code(Array.from({ length: 40_000 }, (_, i) => `ü row ${i} ✓`).join('\n'))}\n\ntail`;
    assert.ok(Buffer.byteLength(report) > JOB_SUMMARY_LIMIT_BYTES - existing.length);
    const logger = recordingLogger();
    const written = await writeJobSummary(report, {
      logger,
      fullReport: '[the report artifact](https://example.com/a)',
    });
    assert.equal(written, true);
    const content = await readFile(file);
    assert.ok(content.length <= JOB_SUMMARY_LIMIT_BYTES, `${content.length} bytes`);
    assert.ok(content.length > JOB_SUMMARY_LIMIT_BYTES - 200, 'uses the room there is');
    const text = content.toString('utf8');
    assert.ok(text.startsWith(existing));
    assert.match(
      text,
      /✓\n```\n\n> ⚠️ \*\*This report was truncated\*\* to fit the 1 MiB job summary limit\. The full report: \[the report artifact\]\(https:\/\/example\.com\/a\)\.\n$/,
    );
    assert.ok(logger.lines.some((l) => l.level === 'warning' && /truncated/.test(l.message)));
  });

  it('writes nothing when the file is already full', async () => {
    await writeFile(file, 'x'.repeat(JOB_SUMMARY_LIMIT_BYTES - 10));
    const logger = recordingLogger();
    assert.equal(await writeJobSummary('a report that does not fit in ten bytes', { logger }), false);
    assert.equal((await readFile(file)).length, JOB_SUMMARY_LIMIT_BYTES - 10);
    assert.ok(logger.lines.some((l) => l.level === 'warning' && /left out/.test(l.message)));
  });

  it('returns false with a debug line when GITHUB_STEP_SUMMARY is unset', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    const logger = recordingLogger();
    assert.equal(await writeJobSummary('## Report', { logger }), false);
    assert.deepEqual(
      logger.lines.map((l) => l.level),
      ['debug'],
    );
  });

  it('turns a write error into a warning', async () => {
    const logger = recordingLogger();
    assert.equal(await writeJobSummary('## Report', { logger, path: path.join(dir, 'missing-dir', 'x') }), false);
    assert.ok(logger.lines.some((l) => l.level === 'warning' && /Could not write the job summary/.test(l.message)));
  });
});

describe('uploadReportArtifact', () => {
  it('skips outside the Actions runtime', async () => {
    delete process.env.ACTIONS_RUNTIME_TOKEN;
    delete process.env.ACTIONS_RESULTS_URL;
    const logger = recordingLogger();
    const result = await uploadReportArtifact({ name: 'report', files: [file], rootDirectory: dir, logger });
    assert.equal(result, undefined);
    assert.deepEqual(logger.lines, [
      { level: 'info', message: 'skipped artifact upload: not running on GitHub Actions' },
    ]);
  });

  it('turns an upload error into a warning', async () => {
    const logger = recordingLogger();
    const calls: unknown[][] = [];
    const result = await uploadReportArtifact({
      name: 'drift: report',
      files: [file],
      rootDirectory: dir,
      retentionDays: 5,
      logger,
      client: {
        uploadArtifact: async (...args: unknown[]) => {
          calls.push(args);
          throw new Error('Failed to CreateArtifact: Received non-retryable error');
        },
      },
    });
    assert.equal(result, undefined);
    assert.deepEqual(calls, [['drift- report', [file], dir, { retentionDays: 5 }]]);
    assert.ok(logger.lines.some((l) => l.level === 'warning' && /non-retryable/.test(l.message)));
  });

  it('passes an upload through when the client succeeds', async () => {
    const logger = recordingLogger();
    const result = await uploadReportArtifact({
      name: 'report',
      files: [file],
      rootDirectory: dir,
      logger,
      client: { uploadArtifact: async () => ({ id: 7, size: 12 }) },
    });
    assert.deepEqual(result, { id: 7, size: 12 });
  });
});
