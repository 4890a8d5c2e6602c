import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import {
  assertResourceName,
  resourceName,
  runContext,
  SAGEMAKER_NAME_PATTERN,
  standardTags,
  type RunContext,
} from '../../../packages/core/src/context.js';

const ACTIONS_ENV = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/churn-model',
  GITHUB_REPOSITORY_OWNER: 'acme',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_REF: 'refs/pull/7/merge',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_WORKFLOW: 'CI',
  GITHUB_JOB: 'train',
  GITHUB_ACTOR: 'octocat',
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_WORKSPACE: '/home/runner/work/churn-model/churn-model',
  RUNNER_TEMP: '/home/runner/work/_temp',
};

let tempDir: string;
let eventFileCount = 0;

before(() => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'context-test-'));
});
after(() => rmSync(tempDir, { recursive: true, force: true }));

function eventFile(content: unknown): string {
  const file = path.join(tempDir, `event-${++eventFileCount}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function contextWith(overrides: Partial<RunContext> = {}): RunContext {
  return { ...runContext(ACTIONS_ENV), ...overrides };
}

describe('runContext', () => {
  it('reads the runner environment', () => {
    const ctx = runContext({ ...ACTIONS_ENV, GITHUB_EVENT_PATH: eventFile({ pull_request: { number: 7 } }) });
    assert.deepEqual(ctx, {
      repository: 'acme/churn-model',
      owner: 'acme',
      repo: 'churn-model',
      sha: '0123456789abcdef0123456789abcdef01234567',
      ref: 'refs/pull/7/merge',
      runId: '9876543210',
      runAttempt: 1,
      runUrl: 'https://github.com/acme/churn-model/actions/runs/9876543210',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      workflow: 'CI',
      job: 'train',
      actor: 'octocat',
      eventName: 'pull_request',
      prNumber: 7,
      workspace: '/home/runner/work/churn-model/churn-model',
      runnerTemp: '/home/runner/work/_temp',
    });
  });

  it('links to the attempt after a re-run, on any GitHub server', () => {
    const ctx = runContext({ ...ACTIONS_ENV, GITHUB_RUN_ATTEMPT: '3', GITHUB_SERVER_URL: 'https://ghe.example.com/' });
    assert.equal(ctx.runAttempt, 3);
    assert.equal(ctx.runUrl, 'https://ghe.example.com/acme/churn-model/actions/runs/9876543210/attempts/3');
  });

  it('falls back to local values off Actions', () => {
    const ctx = runContext({});
    assert.equal(ctx.repository, 'local/local');
    assert.equal(ctx.owner, 'local');
    assert.equal(ctx.repo, 'local');
    assert.equal(ctx.runId, 'local');
    assert.equal(ctx.runAttempt, 1);
    assert.equal(ctx.runUrl, '');
    assert.equal(ctx.sha, 'unknown');
    assert.equal(ctx.serverUrl, 'https://github.com');
    assert.equal(ctx.runnerTemp, os.tmpdir());
    assert.equal(ctx.workspace, process.cwd());
    assert.equal(ctx.prNumber, undefined);
    assert.ok(!('prNumber' in ctx));
  });

  it('keeps a commit given outside Actions, and ignores a nonsense attempt', () => {
    const ctx = runContext({ GITHUB_SHA: 'abc123', GITHUB_RUN_ATTEMPT: 'x' });
    assert.equal(ctx.sha, 'abc123');
    assert.equal(ctx.runAttempt, 1);
  });

  const prCases: [string, unknown, number | undefined][] = [
    ['pull_request.number', { pull_request: { number: 12 } }, 12],
    ['issue.number of an issue that is a PR', { issue: { number: 34, pull_request: { url: 'x' } } }, 34],
    ['no number for a plain issue', { issue: { number: 56 } }, undefined],
    ['workflow_run.pull_requests[0].number', { workflow_run: { pull_requests: [{ number: 78 }] } }, 78],
    ['no number for a push', { ref: 'refs/heads/main' }, undefined],
    ['no number when it is not a positive integer', { pull_request: { number: '12' } }, undefined],
    ['no number from invalid JSON', '{ not json', undefined],
    ['no number from a JSON null', 'null', undefined],
  ];
  for (const [title, payload, expected] of prCases) {
    it(`finds ${title}`, () => {
      const ctx = runContext({ ...ACTIONS_ENV, GITHUB_EVENT_PATH: eventFile(payload) });
      assert.equal(ctx.prNumber, expected);
    });
  }

  it('tolerates a missing event file', () => {
    const ctx = runContext({ ...ACTIONS_ENV, GITHUB_EVENT_PATH: path.join(tempDir, 'does-not-exist.json') });
    assert.equal(ctx.prNumber, undefined);
  });

  it('reads process.env by default', () => {
    assert.equal(typeof runContext().repository, 'string');
  });
});

describe('standardTags', () => {
  it('tags the repository, commit and run', () => {
    assert.deepEqual(standardTags(contextWith(), { action: 'train' }), [
      { Key: 'mlops-actions:repo', Value: 'acme/churn-model' },
      { Key: 'mlops-actions:sha', Value: '0123456789abcdef0123456789abcdef01234567' },
      { Key: 'mlops-actions:run', Value: 'https://github.com/acme/churn-model/actions/runs/9876543210' },
      { Key: 'mlops-actions:action', Value: 'train' },
    ]);
  });

  it('uses the run id when there is no run URL, and leaves out the action when not given', () => {
    const tags = standardTags(runContext({}));
    assert.deepEqual(
      tags.map((t) => t.Key),
      ['mlops-actions:repo', 'mlops-actions:sha', 'mlops-actions:run'],
    );
    assert.equal(tags[2]!.Value, 'local');
  });

  it("sanitizes values to AWS's charset and length", () => {
    const tags = standardTags(contextWith({ repository: 'acme/model#1 (β)', sha: 'x'.repeat(300) }), { action: 'a*b' });
    assert.equal(tags[0]!.Value, 'acme/model_1 _β_');
    assert.equal(tags[1]!.Value.length, 256);
    assert.equal(tags[3]!.Value, 'a_b');
    for (const tag of tags) assert.match(tag.Value, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
  });

  it('appends user tags', () => {
    const tags = standardTags(contextWith(), { tags: { team: 'ml', 'cost center': 'R+D 42' } });
    assert.deepEqual(tags.slice(3), [
      { Key: 'team', Value: 'ml' },
      { Key: 'cost center', Value: 'R+D 42' },
    ]);
  });

  const refused: [string, Record<string, string>, string][] = [
    ['the aws: prefix', { 'aws:cloudformation:stack': 'x' }, "the 'aws:' prefix is reserved by AWS"],
    ['the aws: prefix in any case', { 'AWS:x': 'x' }, "the 'aws:' prefix is reserved by AWS"],
    ['our own prefix', { 'mlops-actions:repo': 'x' }, "the 'mlops-actions:' prefix is reserved"],
    ['a key over 128 characters', { ['k'.repeat(129)]: 'x' }, 'a key has 1 to 128 characters'],
    ['an empty key', { '': 'x' }, 'a key has 1 to 128 characters'],
    ['a value over 256 characters', { k: 'v'.repeat(257) }, 'a value has at most 256 characters'],
    ['characters AWS refuses', { owner: 'a&b' }, 'may hold only letters, digits, spaces and _ . : / = + - @'],
  ];
  for (const [title, tags, reason] of refused) {
    it(`refuses user tags with ${title}, naming the input`, () => {
      assert.throws(
        () => standardTags(contextWith(), { tags }),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          error.input === 'tags' &&
          error.message.startsWith(`Input 'tags' has an invalid tag`) &&
          error.message.includes(reason),
      );
    });
  }

  it('refuses more tags than AWS allows on a resource', () => {
    const tags = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`k${i}`, 'v']));
    assert.throws(() => standardTags(contextWith(), { tags, action: 'train' }), /too many tags \(47\)/);
    assert.equal(standardTags(contextWith(), { tags }).length, 50);
  });
});

describe('resourceName', () => {
  it('is <prefix>-<runId>-<attempt>', () => {
    assert.equal(resourceName('train', contextWith()), 'train-9876543210-1');
    assert.equal(resourceName('train', contextWith({ runAttempt: 2 })), 'train-9876543210-2');
    assert.equal(resourceName('train', runContext({})), 'train-local-1');
  });

  it('appends the unique discriminator', () => {
    assert.equal(
      resourceName('endpoint-config', contextWith(), { unique: 'blue' }),
      'endpoint-config-9876543210-1-blue',
    );
  });

  it('sanitizes the prefix', () => {
    assert.equal(resourceName('my_model v2!!', contextWith()), 'my-model-v2-9876543210-1');
    assert.equal(resourceName('--x--', contextWith()), 'x-9876543210-1');
    assert.equal(resourceName('___', contextWith()), '9876543210-1');
    assert.equal(resourceName('a', contextWith(), { unique: 'Var_A' }), 'a-9876543210-1-Var-A');
  });

  it('shortens the prefix of a long name, keeps the run part and ends with a stable hash', () => {
    const prefix = 'a-very-long-prefix-that-describes-the-model-in-far-too-much-detail';
    const name = resourceName(prefix, contextWith(), { unique: 'blue' });
    // 63 unless the cut lands on a dash, which is dropped.
    assert.ok(name.length >= 62 && name.length <= 63, name);
    assert.match(name, /^a-very-long-prefix-.*[a-z]-9876543210-1-blue-[0-9a-f]{6}$/);
    assert.equal(resourceName(prefix, contextWith(), { unique: 'blue' }), name);
    assert.notEqual(resourceName(prefix, contextWith(), { unique: 'green' }), name);
  });

  it('honours a shorter maximum', () => {
    const name = resourceName('hyperparameter-tuning', contextWith(), { maxLength: 32 });
    assert.ok(name.length <= 32, name);
    assert.match(name, SAGEMAKER_NAME_PATTERN);
    assert.throws(() => resourceName('x', contextWith(), { maxLength: 64 }), RangeError);
  });

  it('always gives a valid, deterministic name', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 120, unit: 'grapheme' }),
        fc.oneof(fc.stringMatching(/^\d{1,20}$/), fc.string({ maxLength: 40 })),
        fc.integer({ min: 1, max: 1000 }),
        fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
        fc.integer({ min: 12, max: 63 }),
        (prefix, runId, runAttempt, unique, maxLength) => {
          const ctx = contextWith({ runId, runAttempt });
          const name = resourceName(prefix, ctx, { unique, maxLength });
          assert.match(name, SAGEMAKER_NAME_PATTERN);
          assert.ok(name.length <= maxLength, `${name} is longer than ${maxLength}`);
          assert.ok(!name.endsWith('-'));
          assert.equal(resourceName(prefix, { ...ctx }, { unique, maxLength }), name);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('assertResourceName', () => {
  for (const name of ['a', 'model-1', 'A--b', 'x'.repeat(63)]) {
    it(`accepts ${JSON.stringify(name)}`, () => assert.doesNotThrow(() => assertResourceName(name, 'job-name')));
  }

  for (const name of ['', '-a', 'a-', 'a_b', 'a.b', 'mödel', 'x'.repeat(64)]) {
    it(`refuses ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…` : name)}, quoting the pattern`, () => {
      assert.throws(
        () => assertResourceName(name, 'job-name'),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          error.input === 'job-name' &&
          error.message.startsWith(`Input 'job-name' has an invalid value ${JSON.stringify(name)}`) &&
          error.message.includes('^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$'),
      );
    });
  }

  it('honours a shorter maximum', () => {
    assert.throws(() => assertResourceName('x'.repeat(33), 'tuning-job-name', 32), /at most 32 characters/);
  });
});
