// evaluate-gate's bundle, run as the runner runs it: metrics given or computed, champions from SageMaker Model
// Registry (moto_server) and the file registry, reports in the job summary and a sticky comment (local GitHub API).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3Client, CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelPackageCommand, CreateModelPackageGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { openStorage } from '@mlops-actions/core';
import { FileRegistry } from '@mlops-actions/sagemaker';
import { startGitHubApi, type GitHubApi } from '../../harness/github-api.js';
import { motoEnv, motoSkip, startMoto, type Moto } from '../../harness/moto.js';
import { runActionBundle, type RunOptions } from '../../harness/runner.js';
import { repoRoot } from '../../../scripts/lib/paths.js';

const action = path.join(repoRoot, 'actions', 'evaluate-gate');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'evaluation');
const gate = (options: RunOptions) => runActionBundle(action, options);
const pullRequest = (number: number) => ({
  name: 'pull_request',
  payload: { action: 'synchronize', number, pull_request: { number, head: { ref: 'feature' } } },
});

describe('evaluate-gate with given metrics', () => {
  it('passes, sets every output and writes the report to the summary and a file', async () => {
    const result = await gate({
      inputs: { metrics: '{"accuracy": 0.91, "f1": 0.88}', rules: 'accuracy >= 0.9\nf1 > 0.85 # macro F1' },
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(result.outputs.passed, 'true');
    const results = JSON.parse(result.outputs.results!) as { rule: string; passed: boolean; actual: number }[];
    assert.deepEqual(
      results.map((r) => [r.rule, r.passed, r.actual]),
      [
        ['accuracy >= 0.9', true, 0.91],
        ['f1 > 0.85', true, 0.88],
      ],
    );
    assert.deepEqual(JSON.parse(result.outputs.champion!), { id: 'none' });
    assert.equal(JSON.parse(result.outputs.metrics!).accuracy.value, 0.91);
    const report = await readFile(result.outputs.report!, 'utf8');
    assert.match(report, /Evaluation gate passed: 2 of 2 rules/);
    assert.match(result.summary, /Evaluation gate passed: 2 of 2 rules/);
  });

  it('fails the step after writing outputs and report when a rule fails', async () => {
    const result = await gate({ inputs: { metrics: '{"rmse": 3.2}', rules: 'rmse <= 3' } });
    assert.equal(result.exitCode, 1);
    assert.equal(result.outputs.passed, 'false');
    assert.deepEqual(result.errors, ['Evaluation gate failed: 1 of 1 rules failed (see the report).']);
    assert.match(await readFile(result.outputs.report!, 'utf8'), /Evaluation gate failed: 1 of 1 rules failed/);
  });

  it("links the training job to its partition's console", async () => {
    const result = await gate({
      inputs: { metrics: '{"a": 1}', rules: 'a > 0', 'training-job': 'churn-1', region: 'cn-north-1' },
    });
    assert.equal(result.exitCode, 0, result.stdout);
    assert.match(
      await readFile(result.outputs.report!, 'utf8'),
      /https:\/\/cn-north-1\.console\.amazonaws\.cn\/sagemaker\/home\?region=cn-north-1#\/jobs\/churn-1/,
    );
  });

  it('only warns when fail-on-gate is false', async () => {
    const result = await gate({ inputs: { metrics: '{"rmse": 3.2}', rules: 'rmse <= 3', 'fail-on-gate': 'false' } });
    assert.equal(result.exitCode, 0);
    assert.equal(result.outputs.passed, 'false');
    assert.match(result.warnings.join('\n'), /fail-on-gate is off/);
  });

  it('reads an evaluation.json in SageMaker Pipelines style and a metrics-file champion', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gate-'));
    const challenger = path.join(dir, 'evaluation.json');
    const champion = path.join(dir, 'champion.json');
    await writeFile(
      challenger,
      JSON.stringify({ regression_metrics: { mse: { value: 4.0, standard_deviation: 0.2 } } }),
    );
    await writeFile(champion, JSON.stringify({ regression_metrics: { mse: { value: 4.1 } } }));
    const result = await gate({ inputs: { metrics: challenger, champion, rules: 'mse <= champion.mse * 1.02' } });
    assert.equal(result.exitCode, 0, result.stdout);
    const [outcome] = JSON.parse(result.outputs.results!) as { threshold: number; championValue: number }[];
    assert.equal(outcome!.championValue, 4.1);
    assert.ok(Math.abs(outcome!.threshold - 4.182) < 1e-12);
  });

  const badInputs: [string, Record<string, string>, RegExp][] = [
    [
      'metrics that are not JSON',
      { metrics: '{"accuracy": 0.9,,}', rules: 'accuracy > 0.5' },
      /'metrics'.*line 1, column/,
    ],
    [
      'a rule without an operator',
      { metrics: '{"accuracy": 0.9}', rules: 'accuracy 0.5' },
      /'rules' line 1, column 10/,
    ],
    ['an unknown metric', { metrics: '{"accuracy": 0.9}', rules: 'acuracy > 0.5' }, /acuracy.*accuracy/],
    [
      'both metrics and predictions',
      { metrics: '{"a": 1}', predictions: 'p.csv', rules: 'a > 0' },
      /cannot be used together/,
    ],
    [
      'an invalid champion',
      { metrics: '{"a": 1}', rules: 'a > 0', champion: 'file-registry:./reg' },
      /'champion'.*file-registry:<location>#<group>/,
    ],
    [
      'an invalid bootstrap-samples',
      { metrics: '{"a": 1}', rules: 'a > 0', 'bootstrap-samples': 'many' },
      /'bootstrap-samples'.*"many"/,
    ],
    [
      'a KMS key that is no key id, alias or ARN',
      { metrics: '{"a": 1}', rules: 'a > 0', 'kms-key': 'alias/my key' },
      /^Input 'kms-key' has an invalid value "alias\/my key": expected a KMS key id, alias or ARN$/,
    ],
  ];
  for (const [what, inputs, expected] of badInputs) {
    it(`rejects ${what} with one line naming the input`, async () => {
      const result = await gate({ inputs });
      assert.equal(result.exitCode, 1);
      assert.equal(result.errors.length, 1, result.errors.join('\n'));
      assert.match(result.errors[0]!, expected);
      assert.doesNotMatch(result.stdout, /\n\s+at /);
    });
  }
});

describe('evaluate-gate with computed metrics', () => {
  it('computes binary metrics with intervals from a predictions file, matching the reference values', async () => {
    const expected = JSON.parse(await readFile(path.join(fixtures, 'binary.expected.json'), 'utf8')) as {
      metrics: Record<string, number>;
      confusionMatrix: number[][];
    };
    const result = await gate({
      inputs: {
        predictions: path.join(fixtures, 'binary.csv'),
        'score-column': 'score',
        rules: 'accuracy >= 0.8\nroc_auc > 0.85\nf1 >= 0.9',
        'fail-on-gate': 'false',
      },
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const metrics = JSON.parse(result.outputs.metrics!) as Record<
      string,
      { value: number; lower?: number; upper?: number }
    >;
    for (const name of ['accuracy', 'f1', 'roc_auc', 'log_loss']) {
      assert.ok(Math.abs(metrics[name]!.value - expected.metrics[name]!) < 1e-9, `${name}: ${metrics[name]!.value}`);
      assert.ok(metrics[name]!.lower! <= metrics[name]!.value && metrics[name]!.value <= metrics[name]!.upper!, name);
    }
    assert.deepEqual(
      (JSON.parse(result.outputs.results!) as { passed: boolean }[]).map((r) => r.passed),
      [true, true, false],
    );
    const report = await readFile(result.outputs.report!, 'utf8');
    assert.match(report, /Confusion matrix/);
    assert.match(
      report,
      new RegExp(`\\| ${expected.confusionMatrix[0]![0]} \\| ${expected.confusionMatrix[0]![1]} \\|`),
    );
    assert.match(report, /95% interval/);
  });

  it('heads the interval column with the confidence asked for, unrounded', async () => {
    const result = await gate({
      inputs: { predictions: path.join(fixtures, 'regression.csv'), rules: 'rmse < 100', confidence: '0.975' },
    });
    assert.equal(result.exitCode, 0, result.stdout);
    assert.match(await readFile(result.outputs.report!, 'utf8'), /97\.5% interval/);
  });

  it('gives the same intervals for the same seed', async () => {
    const inputs = { predictions: path.join(fixtures, 'regression.csv'), rules: 'rmse < 100', seed: '7' };
    const [a, b] = await Promise.all([gate({ inputs }), gate({ inputs })]);
    assert.equal(a.exitCode, 0, a.stdout);
    assert.equal(a.outputs.metrics, b.outputs.metrics);
  });

  it('names the input and the file when a predictions column is missing', async () => {
    const result = await gate({
      inputs: { predictions: path.join(fixtures, 'binary.csv'), 'label-column': 'target', rules: 'accuracy > 0.5' },
    });
    assert.equal(result.exitCode, 1);
    assert.equal(result.errors.length, 1);
    assert.match(
      result.errors[0]!,
      /binary\.csv: has no column 'target' \(input 'label-column'\); its columns are: label, prediction, score/,
    );
  });
});

describe('evaluate-gate: lines of bad scores', () => {
  // JSON Lines have no header and skip blank lines, CSV records may span lines: a row's index is not its line.
  const cases: [string, string, string, RegExp][] = [
    [
      'JSON Lines',
      'scores.jsonl',
      '{"label": 1, "prediction": 1, "score": 0.9}\n{"label": 0, "prediction": 0, "score": "high"}\n',
      /scores\.jsonl:2: score column 'score' holds "high", not a number/,
    ],
    [
      'JSON Lines after a blank line',
      'blank.jsonl',
      '{"label": 1, "prediction": 1, "score": 0.9}\n\n{"label": 0, "prediction": 0, "score": null}\n',
      /blank\.jsonl:3: score column 'score' holds null/,
    ],
    [
      'CSV after a record spanning two lines',
      'multiline.csv',
      'label,prediction,score,comment\n1,1,0.9,"two\nlines"\n0,0,,plain\n',
      /multiline\.csv:4: score column 'score' holds "", not a number/,
    ],
  ];
  for (const [what, name, text, expected] of cases) {
    it(`names the line of a bad score in ${what}`, async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'predictions-'));
      const file = path.join(dir, name);
      await writeFile(file, text);
      const result = await gate({ inputs: { predictions: file, 'score-column': 'score', rules: 'accuracy > 0.5' } });
      assert.equal(result.exitCode, 1);
      assert.equal(result.errors.length, 1, result.errors.join('\n'));
      assert.match(result.errors[0]!, expected);
    });
  }
});

describe('evaluate-gate champions', () => {
  it('finds the latest Approved version in a file registry', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'registry-'));
    const registry = new FileRegistry(openStorage({}), root);
    await registry.register({ group: 'churn', status: 'Approved', metrics: { f1: 0.7 } });
    await registry.register({ group: 'churn', status: 'Approved', metrics: { f1: 0.8 } });
    await registry.register({ group: 'churn', status: 'Rejected', metrics: { f1: 0.95 } });
    await registry.register({ group: 'churn', status: 'PendingManualApproval', metrics: { f1: 0.99 } });
    const result = await gate({
      inputs: { metrics: '{"f1": 0.81}', rules: 'f1 >= champion.f1 - 0.5%', champion: `file-registry:${root}#churn` },
    });
    assert.equal(result.exitCode, 0, result.stdout);
    assert.equal(JSON.parse(result.outputs.champion!).id, `${root}#churn/v2`);
    assert.equal(JSON.parse(result.outputs.results!)[0].championValue, 0.8);
  });

  it('treats an empty file registry as the first model', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'registry-'));
    const result = await gate({
      inputs: { metrics: '{"f1": 0.5}', rules: 'f1 >= champion.f1', champion: `file-registry:${root}#churn` },
    });
    assert.equal(result.exitCode, 0, result.stdout);
    assert.match(result.outputs.results!, /no champion yet: this is the first model/);
  });
});

describe('evaluate-gate against SageMaker Model Registry (moto_server)', { skip: motoSkip() }, () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
  });
  after(() => moto?.stop());

  it('takes the latest Approved package as champion, ignoring Pending and Rejected ones', async () => {
    const config = {
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const sagemaker = new SageMakerClient(config);
    await s3.send(new CreateBucketCommand({ Bucket: 'models' }));
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }));
    const versions: [string, number][] = [
      ['Approved', 0.8],
      ['Approved', 0.85],
      ['PendingManualApproval', 0.99],
      ['Rejected', 0.97],
    ];
    for (const [index, [status, accuracy]] of versions.entries()) {
      const key = `churn/v${index + 1}/evaluation.json`;
      const body = JSON.stringify({ binary_classification_metrics: { accuracy: { value: accuracy } } });
      await s3.send(new PutObjectCommand({ Bucket: 'models', Key: key, Body: body }));
      await sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'churn',
          ModelApprovalStatus: status as 'Approved',
          InferenceSpecification: {
            Containers: [
              {
                Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1',
                ModelDataUrl: 's3://models/churn/model.tar.gz',
              },
            ],
            SupportedContentTypes: ['text/csv'],
            SupportedResponseMIMETypes: ['text/csv'],
          },
          ModelMetrics: {
            ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://models/${key}` } },
          },
        }),
      );
    }
    const result = await gate({
      env: motoEnv(moto.endpoint),
      inputs: {
        metrics: '{"accuracy": 0.86}',
        rules: 'accuracy >= champion.accuracy',
        champion: 'model-package-group:churn',
      },
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const champion = JSON.parse(result.outputs.champion!) as { id: string; metrics: Record<string, { value: number }> };
    assert.match(champion.id, /model-package\/churn\/2$/);
    assert.equal(champion.metrics['binary_classification_metrics.accuracy']!.value, 0.85);
  });

  it('writes a report to S3 encrypted with kms-key', async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'gate-reports' }));
    const kmsKey = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const run = (report: string, extra: Record<string, string> = {}) =>
      gate({ env: motoEnv(moto.endpoint), inputs: { metrics: '{"f1": 0.9}', rules: 'f1 >= 0.8', report, ...extra } });

    const encrypted = await run('s3://gate-reports/pr-7/report.md', { 'kms-key': kmsKey });
    assert.equal(encrypted.exitCode, 0, encrypted.stdout + encrypted.stderr);
    assert.equal(encrypted.outputs.report, 's3://gate-reports/pr-7/report.md');
    const object = await s3.send(new GetObjectCommand({ Bucket: 'gate-reports', Key: 'pr-7/report.md' }));
    assert.match(await object.Body!.transformToString(), /Evaluation gate passed: 1 of 1 rules/);
    assert.deepEqual([object.ServerSideEncryption, object.SSEKMSKeyId], ['aws:kms', kmsKey]);

    // Whitespace only is no key, as for every optional input.
    const plain = await run('s3://gate-reports/pr-8/report.md', { 'kms-key': '  ' });
    assert.equal(plain.exitCode, 0, plain.stdout + plain.stderr);
    const plainObject = await s3.send(new GetObjectCommand({ Bucket: 'gate-reports', Key: 'pr-8/report.md' }));
    assert.notEqual(plainObject.ServerSideEncryption, 'aws:kms');
    assert.equal(plainObject.SSEKMSKeyId, undefined);
  });

  it('fails with one line naming the input when the group does not exist', async () => {
    const result = await gate({
      env: motoEnv(moto.endpoint),
      inputs: {
        metrics: '{"accuracy": 0.86}',
        rules: 'accuracy >= champion.accuracy',
        champion: 'model-package-group:nope',
      },
    });
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.errors, [
      `Input 'champion': model package group "nope" does not exist in this account and region`,
    ]);
  });
});

describe('evaluate-gate pull request comments (local GitHub API)', () => {
  let api: GitHubApi;
  before(async () => {
    api = await startGitHubApi();
  });
  after(() => api?.stop());
  const onPullRequest = (inputs: Record<string, string>, number = 7) =>
    gate({ inputs, event: pullRequest(number), env: { GITHUB_API_URL: api.url } });

  it('creates the comment on the first run and updates it on the second', async () => {
    const first = await onPullRequest({ metrics: '{"accuracy": 0.9}', rules: 'accuracy >= 0.8' });
    assert.equal(first.exitCode, 0, first.stdout);
    assert.equal(api.comments.length, 1);
    const second = await onPullRequest({ metrics: '{"accuracy": 0.95}', rules: 'accuracy >= 0.8' });
    assert.equal(second.exitCode, 0, second.stdout);
    assert.equal(api.comments.length, 1, 'a second run must update, not add');
    assert.match(api.comments[0]!.body, /0\.9500/);
    assert.match(api.comments[0]!.body, /<!-- mlops-actions:evaluate-gate:harness\/default -->/);
  });

  it('comments by default from a workflow_run that follows a pull request', async () => {
    const result = await gate({
      inputs: { metrics: '{"accuracy": 0.9}', rules: 'accuracy >= 0.8', 'comment-key': 'after-pr' },
      event: { name: 'workflow_run', payload: { workflow_run: { pull_requests: [{ number: 12 }] } } },
      env: { GITHUB_API_URL: api.url },
    });
    assert.equal(result.exitCode, 0, result.stdout);
    assert.equal(api.comments.filter((c) => c.issueNumber === 12).length, 1);
  });

  it('keeps one comment per workflow on the same pull request', async () => {
    const inputs = { metrics: '{"accuracy": 0.9}', rules: 'accuracy >= 0.8' };
    const event = pullRequest(11);
    await gate({ inputs, event, env: { GITHUB_API_URL: api.url, GITHUB_WORKFLOW: 'ci' } });
    await gate({ inputs, event, env: { GITHUB_API_URL: api.url, GITHUB_WORKFLOW: 'nightly' } });
    await gate({ inputs, event, env: { GITHUB_API_URL: api.url, GITHUB_WORKFLOW: 'ci' } });
    assert.equal(api.comments.filter((c) => c.issueNumber === 11).length, 2);
  });

  it('renders an HTML-looking metric name as text', async () => {
    const metrics = JSON.stringify({ '<img src=x onerror=alert(1)>': 1, a: 1 });
    const result = await onPullRequest({ metrics, rules: 'a > 0', 'comment-key': 'xss' }, 8);
    assert.equal(result.exitCode, 0, result.stdout);
    const comment = api.comments.find((c) => c.issueNumber === 8)!;
    assert.doesNotMatch(comment.body, /<img/);
    assert.match(comment.body, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  it('truncates a report over 65 536 characters cleanly', async () => {
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`metric_with_a_long_name_${i}`, i / 3]));
    // Through a file: an environment variable this large would exceed the OS limit for one argument.
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'gate-')), 'metrics.json');
    await writeFile(file, JSON.stringify(many));
    const result = await onPullRequest(
      { metrics: file, rules: 'metric_with_a_long_name_1 > 0', 'comment-key': 'big' },
      9,
    );
    assert.equal(result.exitCode, 0, result.stdout);
    const comment = api.comments.find((c) => c.issueNumber === 9)!;
    assert.ok(comment.body.length <= 65_536, `${comment.body.length} characters`);
    assert.match(comment.body, /truncated/i);
    assert.match(comment.body, /actions\/runs\/4242/);
  });

  it('falls back to the job summary with a warning when the token cannot write (fork PR)', async () => {
    api.forbidWrites(true);
    try {
      const result = await onPullRequest(
        { metrics: '{"a": 1}', rules: 'a > 0', 'job-summary': 'false', 'comment-key': 'fork' },
        10,
      );
      assert.equal(result.exitCode, 0, result.stdout);
      assert.ok(result.warnings.length >= 1, 'expected a warning');
      assert.match(result.summary, /Evaluation gate passed/);
    } finally {
      api.forbidWrites(false);
    }
  });
});
