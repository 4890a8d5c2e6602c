import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import { Markdown } from '../../../packages/core/src/markdown.js';
import {
  COMMENT_LIMIT_CHARS,
  commentMarker,
  publishReport,
  upsertPullRequestComment,
  type UpsertCommentOptions,
} from '../../../packages/core/src/action/comment.js';
import { startGitHubApi, type GitHubApi } from '../../harness/github-api.js';

const TOKEN = 'ghs_testtoken0123456789abcdefghijklmnop';
const RUN_URL = 'https://github.com/octo/repo/actions/runs/42/attempts/1';
const MARKER = { action: 'evaluate', key: 'churn-model' };

let api: GitHubApi;
let dir: string;
let summaryFile: string;
const savedEnv = { GITHUB_STEP_SUMMARY: process.env.GITHUB_STEP_SUMMARY, GITHUB_API_URL: process.env.GITHUB_API_URL };

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'comment-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});
beforeEach(async () => {
  api = await startGitHubApi();
  summaryFile = path.join(dir, `summary-${Math.random().toString(36).slice(2)}`);
  await writeFile(summaryFile, '');
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
});
afterEach(async () => {
  await api.stop();
});

function options(overrides: Partial<UpsertCommentOptions> = {}): UpsertCommentOptions {
  return {
    token: TOKEN,
    owner: 'octo',
    repo: 'repo',
    issueNumber: 7,
    marker: MARKER,
    body: '## Evaluation\n\naccuracy 0.91',
    runUrl: RUN_URL,
    logger: recordingLogger(),
    apiUrl: api.url,
    ...overrides,
  };
}

const marked = () => api.comments.filter((c) => c.body.includes(commentMarker(MARKER)));
const calls = () => api.requests.map((r) => `${r.method} ${r.status}`);

describe('upsertPullRequestComment', () => {
  it('creates the comment, then updates the same one', async () => {
    const logger = recordingLogger();
    const first = await upsertPullRequestComment(options({ logger }));
    assert.ok(first.outcome === 'created');
    assert.match(first.url, /^https:\/\/github\.com\/octo\/repo\/pull\/7#issuecomment-\d+$/);

    const second = await upsertPullRequestComment(options({ logger, body: '## Evaluation\n\naccuracy 0.93' }));
    assert.deepEqual(second, { ...first, outcome: 'updated' });
    assert.equal(marked().length, 1);
    assert.equal(marked()[0]?.body, `${commentMarker(MARKER)}\n## Evaluation\n\naccuracy 0.93`);
    assert.deepEqual(calls(), ['GET 200', 'POST 201', 'GET 200', 'PATCH 200']);

    for (const request of api.requests) assert.equal(request.headers.authorization, `token ${TOKEN}`);
    assert.ok(api.requests.every((r) => r.query.per_page === undefined || r.query.per_page === '100'));
    assert.ok(
      logger.lines.every((l) => !l.message.includes(TOKEN)),
      'the token is never logged',
    );
  });

  it('truncates a body over 65 536 characters, links the run, and GitHub accepts it', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `| feature_${i} | ${i / 7} |`).join('\n');
    const body = `## Drift\n\n| feature | psi |\n| --- | --- |\n${rows}`;
    assert.ok(body.length > COMMENT_LIMIT_CHARS);
    const result = await upsertPullRequestComment(options({ body }));
    assert.equal(result.outcome, 'created');
    const stored = api.comments[0]?.body ?? '';
    assert.ok(stored.length <= COMMENT_LIMIT_CHARS, `${stored.length} characters`);
    assert.ok(stored.length > COMMENT_LIMIT_CHARS - 300, 'uses the room there is');
    assert.ok(stored.startsWith(commentMarker(MARKER)));
    assert.match(stored, /\| feature_\d+ \| [\d.]+ \|\n\n> ⚠️ \*\*This comment was truncated\*\*/);
    assert.ok(stored.endsWith(`[See the full report in the workflow run](${RUN_URL}).`));
  });

  it('leaves comments with other markers alone', async () => {
    const others = [
      api.addComment({
        owner: 'octo',
        repo: 'repo',
        issueNumber: 7,
        body: `${commentMarker({ action: 'evaluate', key: 'other-model' })}\nx`,
      }),
      api.addComment({
        owner: 'octo',
        repo: 'repo',
        issueNumber: 7,
        body: `${commentMarker({ action: 'drift', key: 'churn-model' })}\ny`,
      }),
      api.addComment({ owner: 'octo', repo: 'repo', issueNumber: 8, body: `${commentMarker(MARKER)}\nother PR` }),
      api.addComment({ owner: 'octo', repo: 'repo', issueNumber: 7, body: 'LGTM', login: 'reviewer' }),
    ];
    const before = others.map((c) => c.body);
    const ours = api.addComment({ owner: 'octo', repo: 'repo', issueNumber: 7, body: `${commentMarker(MARKER)}\nold` });
    const result = await upsertPullRequestComment(options());
    assert.deepEqual(result, { outcome: 'updated', id: ours.id, url: ours.html_url });
    assert.deepEqual(
      others.map((c) => c.body),
      before,
    );
    assert.equal(api.comments.length, 5);
  });

  it("does not take over someone else's comment that quotes the marker", async () => {
    const quote = api.addComment({
      owner: 'octo',
      repo: 'repo',
      issueNumber: 7,
      body: `> ${commentMarker(MARKER)}\n> why is accuracy down?`,
      login: 'reviewer',
    });
    const result = await upsertPullRequestComment(options());
    assert.equal(result.outcome, 'created');
    assert.equal(quote.body.includes('why is accuracy down?'), true);
    assert.deepEqual(calls(), ['GET 200', 'PATCH 403', 'POST 201']);
  });

  it('finds the marker on the second page of more than 100 comments', async () => {
    for (let i = 0; i < 150; i++) {
      const body = i === 120 ? `${commentMarker(MARKER)}\nold report` : `comment ${i}`;
      api.addComment({
        owner: 'octo',
        repo: 'repo',
        issueNumber: 7,
        body,
        login: i === 120 ? 'github-actions[bot]' : 'dev',
      });
    }
    const result = await upsertPullRequestComment(options());
    assert.equal(result.outcome, 'updated');
    assert.equal(api.comments.length, 150);
    assert.equal(marked().length, 1);
    assert.deepEqual(
      api.requests.map((r) => [r.method, r.query.page]),
      [
        ['GET', '1'],
        ['GET', '2'],
        ['PATCH', undefined],
      ],
    );
  });

  it('reads GITHUB_API_URL when no apiUrl is given', async () => {
    process.env.GITHUB_API_URL = api.url;
    const { apiUrl: _ignored, ...rest } = options();
    const result = await upsertPullRequestComment(rest);
    assert.equal(result.outcome, 'created');
    assert.equal(api.requests.length, 2);
  });

  it('answers forbidden on 403, with a warning', async () => {
    api.forbidWrites(true);
    const logger = recordingLogger();
    const result = await upsertPullRequestComment(options({ logger }));
    assert.equal(result.outcome, 'forbidden');
    assert.ok(result.outcome === 'forbidden' && result.status === 403);
    const warnings = logger.lines.filter((l) => l.level === 'warning');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.message ?? '', /HTTP 403.*forks get a read-only token/);
  });

  it('answers forbidden on 404 (a PR the token cannot see)', async () => {
    api.failNext(404, 'Not Found', 'GET');
    const result = await upsertPullRequestComment(options());
    assert.equal(result.outcome, 'forbidden');
  });

  it('answers forbidden without a token, making no request', async () => {
    const result = await upsertPullRequestComment(options({ token: '' }));
    assert.equal(result.outcome, 'forbidden');
    assert.equal(api.requests.length, 0);
  });

  it('throws other errors', async () => {
    api.failNext(502, 'Server Error', 'POST');
    await assert.rejects(upsertPullRequestComment(options()), (error: { status?: number }) => error.status === 502);
  });
});

describe('publishReport', () => {
  const report = new Markdown().heading('Evaluation').paragraph('accuracy 0.91');
  const comment = () => {
    const { body: _b, logger: _l, ...rest } = options();
    return rest;
  };

  it('falls back to the job summary on 403, with a warning', async () => {
    api.forbidWrites(true);
    const logger = recordingLogger();
    const result = await publishReport({ markdown: report, summary: false, comment: comment(), logger });
    assert.equal(result.comment?.outcome, 'forbidden');
    assert.equal(result.summary, true);
    assert.equal(await readFile(summaryFile, 'utf8'), report.toString());
    assert.ok(logger.lines.some((l) => l.level === 'warning' && /403/.test(l.message)));
  });

  it('writes the summary once when both were asked for and the comment is forbidden', async () => {
    api.forbidWrites(true);
    const result = await publishReport({
      markdown: report,
      summary: true,
      comment: comment(),
      logger: recordingLogger(),
    });
    assert.equal(result.summary, true);
    assert.equal(await readFile(summaryFile, 'utf8'), report.toString());
  });

  it('writes both when allowed', async () => {
    const result = await publishReport({
      markdown: report,
      summary: true,
      comment: comment(),
      logger: recordingLogger(),
    });
    assert.equal(result.comment?.outcome, 'created');
    assert.equal(result.summary, true);
    assert.equal(api.comments.length, 1);
    assert.equal(await readFile(summaryFile, 'utf8'), report.toString());
  });

  it('comment only: no summary when the comment is written', async () => {
    const result = await publishReport({
      markdown: report,
      summary: false,
      comment: comment(),
      logger: recordingLogger(),
    });
    assert.equal(result.comment?.outcome, 'created');
    assert.equal(result.summary, false);
    assert.equal(await readFile(summaryFile, 'utf8'), '');
  });

  it('falls back to the summary on a server error, with a warning', async () => {
    api.failNext(500, 'Server Error', 'GET');
    const logger = recordingLogger();
    const result = await publishReport({ markdown: report, summary: false, comment: comment(), logger });
    assert.equal(result.summary, true);
    assert.ok(logger.lines.some((l) => l.level === 'warning' && /Could not write the report comment/.test(l.message)));
  });

  it('outside a pull request, the report goes to the summary', async () => {
    const result = await publishReport({
      markdown: report,
      summary: false,
      comment: { ...comment(), issueNumber: undefined },
      logger: recordingLogger(),
    });
    assert.equal(result.summary, true);
    assert.equal(api.requests.length, 0);
  });
});

describe('local GitHub API', () => {
  const post = (route: string, body: unknown, headers: Record<string, string> = { authorization: `token ${TOKEN}` }) =>
    fetch(`${api.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('validates request bodies against the OpenAPI schema', async () => {
    const wrongType = await post('/repos/o/r/issues/1/comments', { body: 123 });
    assert.equal(wrongType.status, 422);
    assert.deepEqual(await wrongType.json(), {
      message: "Invalid request.\n\nFor 'properties/body', 123 is not a string.",
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '422',
    });
    const missing = await post('/repos/o/r/issues/1/comments', {});
    assert.equal(
      ((await missing.json()) as { message: string }).message,
      'Invalid request.\n\n"body" wasn\'t supplied.',
    );
    assert.equal((await post('/repos/o/r/issues/1/comments', '{not json')).status, 400);
    assert.equal((await post('/repos/o/r/issues/x/comments', { body: 'a' })).status, 422);
    assert.equal(api.comments.length, 0);
  });

  it('refuses bodies over 65 536 characters as GitHub does', async () => {
    const response = await post('/repos/o/r/issues/1/comments', { body: 'a'.repeat(65_537) });
    assert.equal(response.status, 422);
    const payload = (await response.json()) as { errors: { message: string }[] };
    assert.equal(payload.errors[0]?.message, 'Body is too long (maximum is 65536 characters)');
    assert.equal((await post('/repos/o/r/issues/1/comments', { body: 'a'.repeat(65_536) })).status, 201);
  });

  it('requires an Authorization header', async () => {
    const response = await post('/repos/o/r/issues/1/comments', { body: 'a' }, {});
    assert.equal(response.status, 401);
  });

  it('takes workflow dispatches', async () => {
    assert.equal(
      (await post('/repos/o/r/actions/workflows/ct.yml/dispatches', { ref: 'main', inputs: { a: '1' } })).status,
      204,
    );
    assert.equal((await post('/repos/o/r/actions/workflows/ct.yml/dispatches', { inputs: {} })).status, 422);
    const detailed = await post('/repos/o/r/actions/workflows/12/dispatches', {
      ref: 'main',
      return_run_details: true,
    });
    assert.equal(detailed.status, 200);
    assert.deepEqual(Object.keys((await detailed.json()) as object).sort(), ['html_url', 'run_url', 'workflow_run_id']);
    assert.deepEqual(
      api.dispatches.map((d) => [d.workflowId, d.ref]),
      [
        ['ct.yml', 'main'],
        ['12', 'main'],
      ],
    );
  });
});
