// validate-data's bundle, run as the runner runs it, on stored fixtures, real public data and moto_server S3.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { motoEnv, motoSkip, startMoto, type Moto } from '../../harness/moto.js';
import { runActionBundle, type RunResult } from '../../harness/runner.js';
import { repoRoot } from '../../../scripts/lib/paths.js';

const action = path.join(repoRoot, 'actions', 'validate-data');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'data');
const vega = path.join(repoRoot, 'node_modules', 'vega-datasets', 'data');
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'validate-data-'));
}

async function validate(inputs: Record<string, string>, env?: Record<string, string>): Promise<RunResult> {
  return runActionBundle(action, { inputs, env, timeoutMs: 240_000 });
}

interface Violation {
  feature_name: string;
  constraint_check_type: string;
  description: string;
}

async function violationsOf(result: RunResult): Promise<Violation[]> {
  return (JSON.parse(await readFile(result.outputs.violations!, 'utf8')) as { violations: Violation[] }).violations;
}

describe('validate-data: baselines in Model Monitor format', () => {
  let baselineDir: string;
  before(async () => {
    baselineDir = await tempDir();
  });

  it('suggests a baseline from a dataset and writes the four files', async () => {
    const result = await validate({ data: path.join(fixtures, 'baseline.csv'), output: baselineDir });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.deepEqual((await readdir(baselineDir)).sort(), [
      'constraint_violations.json',
      'constraints.json',
      'report.md',
      'statistics.json',
    ]);
    assert.equal(result.outputs['row-count'], '5000');
    assert.equal(result.outputs['violation-count'], '0');
    assert.equal(result.outputs.passed, 'true');
    const statistics = JSON.parse(await readFile(result.outputs.statistics!, 'utf8'));
    assert.equal(statistics.dataset.item_count, 5000);
    const normal = statistics.features.find((f: { name: string }) => f.name === 'normal');
    assert.equal(normal.inferred_type, 'Fractional');
    assert.equal(normal.numerical_statistics.distribution.kll.buckets.length, 10);
    assert.deepEqual(normal.numerical_statistics.distribution.kll.sketch.parameters, { c: 0.64, k: 2048 });
    const constraints = JSON.parse(await readFile(result.outputs.constraints!, 'utf8'));
    assert.equal(constraints.monitoring_config.distribution_constraints.comparison_threshold, 0.1);
    assert.match(result.summary, /Data validation passed/);
    assert.match(result.summary, /5,000 rows/);
  });

  it('finds no violation when a dataset is checked against its own baseline', async () => {
    const result = await validate({
      data: path.join(fixtures, 'baseline.csv'),
      'baseline-statistics': path.join(baselineDir, 'statistics.json'),
      'baseline-constraints': path.join(baselineDir, 'constraints.json'),
      output: await tempDir(),
    });
    assert.equal(result.exitCode, 0, result.stdout);
    assert.deepEqual(await violationsOf(result), []);
  });

  it('reports the expected violations for a shifted and broken dataset, after writing every file', async () => {
    const output = await tempDir();
    const result = await validate({
      data: path.join(fixtures, 'current-broken.csv'),
      'baseline-statistics': path.join(baselineDir, 'statistics.json'),
      'baseline-constraints': path.join(baselineDir, 'constraints.json'),
      output,
    });
    assert.equal(result.exitCode, 1);
    const violations = await violationsOf(result);
    const kinds = new Set(violations.map((v) => `${v.feature_name}:${v.constraint_check_type}`));
    for (const expected of [
      'integers:data_type_check',
      'with_missing:completeness_check',
      'normal:baseline_drift_check',
      'flag:missing_column_check',
      'extra:extra_column_check',
      'category:categorical_values_check',
    ]) {
      assert.ok(kinds.has(expected), `missing ${expected} in ${[...kinds].join(', ')}`);
    }
    assert.equal(result.outputs['violation-count'], String(violations.length));
    assert.equal(result.outputs.passed, 'false');
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0]!, /violation\(s\) in .*current-broken\.csv/);
    assert.equal((await readdir(output)).length, 4);
    assert.match(await readFile(result.outputs.report!, 'utf8'), /```mermaid/);
  });

  it('counts the numbers of a column the baseline says is String, though the current data holds only numbers', async () => {
    // The CSV reader leaves numbers out of the value frequencies of numeric columns, unless a check needs them.
    const dir = await tempDir();
    const rows = (cell: (row: number) => string) =>
      ['x,code', ...Array.from({ length: 300 }, (_, row) => `${row},${cell(row)}`)].join('\n') + '\n';
    await writeFile(
      path.join(dir, 'baseline.csv'),
      rows((row) => ['red', 'green', 'blue'][row % 3]!),
    );
    await writeFile(
      path.join(dir, 'current.csv'),
      rows((row) => String(row % 2)),
    );
    const baseline = path.join(dir, 'baseline');
    assert.equal((await validate({ data: path.join(dir, 'baseline.csv'), output: baseline })).exitCode, 0);
    const result = await validate({
      data: path.join(dir, 'current.csv'),
      'baseline-statistics': path.join(baseline, 'statistics.json'),
      'baseline-constraints': path.join(baseline, 'constraints.json'),
      output: path.join(dir, 'current'),
    });
    assert.equal(result.exitCode, 1);
    const domain = (await violationsOf(result)).find((v) => v.constraint_check_type === 'categorical_values_check');
    assert.ok(domain, 'no categorical_values_check');
    assert.match(domain.description, /Values outside the baseline domain: 0 \(150\), 1 \(150\)\./);
  });

  it('checks a rules file and only warns when fail-on-violation is false', async () => {
    const dir = await tempDir();
    const rules = path.join(dir, 'rules.yml');
    await writeFile(rules, 'row_count: { min: 10000 }\ncolumns:\n  category:\n    allowed_values: [red, blue]\n');
    const result = await validate({
      data: path.join(fixtures, 'baseline.csv'),
      rules,
      'fail-on-violation': 'false',
      output: path.join(dir, 'out'),
    });
    assert.equal(result.exitCode, 0, result.stdout);
    const violations = await violationsOf(result);
    assert.ok(
      violations.some((v) => v.constraint_check_type === 'row_count_check'),
      JSON.stringify(violations),
    );
    assert.ok(
      violations.some((v) => v.feature_name === 'category'),
      JSON.stringify(violations),
    );
    assert.match(result.warnings.join('\n'), /fail-on-violation is off/);
  });
});

describe('validate-data: real public data (vega-datasets)', () => {
  it('profiles seattle-weather.csv', async () => {
    const result = await validate({ data: path.join(vega, 'seattle-weather.csv'), output: await tempDir() });
    assert.equal(result.exitCode, 0, result.stdout);
    assert.equal(result.outputs['row-count'], '1461');
    const statistics = JSON.parse(await readFile(result.outputs.statistics!, 'utf8'));
    const names = statistics.features.map((f: { name: string }) => f.name);
    assert.deepEqual(names, ['date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather']);
  });

  it('profiles flights-3m.parquet', async () => {
    const result = await validate({ data: path.join(vega, 'flights-3m.parquet'), output: await tempDir() });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(result.outputs['row-count'], '3000000');
  });

  // The delimiter input has no default, so a .tsv is split on tabs, not read as one comma-less column.
  it('reads a .tsv with tabs under the default inputs', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'weather.tsv');
    await writeFile(file, 'date\tweather\ttemp_max\n2012-01-01\tdrizzle\t12.8\n2012-01-02\train\t10.6\n');
    const result = await validate({ data: file, output: path.join(dir, 'out') });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const statistics = JSON.parse(await readFile(result.outputs.statistics!, 'utf8'));
    const names = statistics.features.map((f: { name: string }) => f.name);
    assert.deepEqual(names, ['date', 'weather', 'temp_max']);
  });
});

describe('validate-data: bad input gets one clear error and leaves no files', () => {
  const cases: [string, string, string | Buffer, RegExp][] = [
    [
      'an unclosed quote',
      'unclosed.csv',
      'a,b\n1,"open\n2,3\n',
      /unclosed\.csv:2:3: unclosed quote opened at line 2, column 3/,
    ],
    ['an empty file', 'empty.csv', '', /empty\.csv: is empty/],
    ['a header-only file', 'header.csv', 'a,b,c\n', /header\.csv: has a header but no rows/],
    [
      'invalid UTF-8',
      'latin1.csv',
      Buffer.from([0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]),
      /latin1\.csv:2:4: .*UTF-8/,
    ],
    [
      'a corrupt .gz',
      'broken.csv.gz',
      gzipSync('a,b\n1,2\n').subarray(0, 12),
      /broken\.csv\.gz: is not a valid gzip file/,
    ],
  ];
  for (const [what, name, content, expected] of cases) {
    it(`reports ${what} with file, line and column`, async () => {
      const dir = await tempDir();
      await writeFile(path.join(dir, name), content);
      const output = path.join(dir, 'out');
      const result = await validate({ data: path.join(dir, name), output });
      assert.equal(result.exitCode, 1);
      assert.equal(result.errors.length, 1, result.errors.join('\n'));
      assert.match(result.errors[0]!, expected);
      assert.doesNotMatch(result.stdout, /\n\s+at /);
      assert.deepEqual(await readdir(output).catch(() => []), []);
    });
  }

  it('reports a missing file', async () => {
    const result = await validate({ data: '/nonexistent/data.csv', output: await tempDir() });
    assert.equal(result.exitCode, 1);
    assert.match(result.errors[0]!, /\/nonexistent\/data\.csv/);
  });

  it('reports an unreadable baseline with its line and column', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'constraints.json'), '{"version": 0,\n "features": [}\n');
    const result = await validate({
      data: path.join(fixtures, 'baseline.csv'),
      'baseline-constraints': path.join(dir, 'constraints.json'),
      output: path.join(dir, 'out'),
    });
    assert.equal(result.exitCode, 1);
    assert.match(result.errors[0]!, /constraints\.json:2:\d+/);
    assert.deepEqual(await readdir(path.join(dir, 'out')).catch(() => []), []);
  });

  it('rejects an invalid delimiter naming the input', async () => {
    const result = await validate({ data: path.join(fixtures, 'baseline.csv'), delimiter: ';;' });
    assert.equal(result.exitCode, 1);
    assert.match(result.errors[0]!, /'delimiter'.*";;"/);
  });

  it('rejects a KMS key that is no key id, alias or ARN, before writing anything', async () => {
    const output = path.join(await tempDir(), 'out');
    const result = await validate({ data: path.join(fixtures, 'baseline.csv'), output, 'kms-key': 'alias/my key' });
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.errors, [
      `Input 'kms-key' has an invalid value "alias/my key": expected a KMS key id, alias or ARN`,
    ]);
    assert.deepEqual(await readdir(output).catch(() => []), []);
  });

  it('renders markdown and HTML in column names as text', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'x.csv'), '"<img src=x onerror=alert(1)>","**bold** | pipe"\n1,2\n3,4\n');
    const result = await validate({ data: path.join(dir, 'x.csv'), output: path.join(dir, 'out') });
    assert.equal(result.exitCode, 0, result.stdout);
    assert.doesNotMatch(result.summary, /<img/);
    assert.match(result.summary, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(result.summary, /\\\*\\\*bold\\\*\\\* \\\| pipe/);
  });
});

describe('validate-data on S3 (moto_server)', { skip: motoSkip() }, () => {
  let moto: Moto;
  let s3: S3Client;
  before(async () => {
    moto = await startMoto();
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'data' }));
    const csv = await readFile(path.join(fixtures, 'baseline.csv'), 'utf8');
    const [header, ...rows] = csv.trimEnd().split('\n');
    const half = Math.floor(rows.length / 2);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'data',
        Key: 'train/part-0.csv',
        Body: [header, ...rows.slice(0, half)].join('\n') + '\n',
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: 'data',
        Key: 'train/part-1.csv',
        Body: [header, ...rows.slice(half)].join('\n') + '\n',
      }),
    );
  });
  after(() => moto?.stop());

  it('reads every object under a prefix and writes the files to S3', async () => {
    const result = await validate({ data: 's3://data/train/', output: 's3://data/baseline/' }, motoEnv(moto.endpoint));
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(result.outputs['row-count'], '5000');
    assert.equal(result.outputs.statistics, 's3://data/baseline/statistics.json');
    const object = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'baseline/statistics.json' }));
    const statistics = JSON.parse(await object.Body!.transformToString());
    assert.equal(statistics.dataset.item_count, 5000);
    assert.notEqual(object.ServerSideEncryption, 'aws:kms', 'no kms-key, no SSE-KMS');
  });

  it('encrypts every file it writes to S3 with kms-key', async () => {
    const result = await validate(
      { data: 's3://data/train/', output: 's3://data/encrypted/', 'kms-key': KMS_KEY },
      motoEnv(moto.endpoint),
    );
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const files = ['statistics.json', 'constraints.json', 'constraint_violations.json', 'report.md'];
    const encryption = await Promise.all(
      files.map(async (file) => {
        const head = await s3.send(new HeadObjectCommand({ Bucket: 'data', Key: `encrypted/${file}` }));
        return [file, head.ServerSideEncryption, head.SSEKMSKeyId];
      }),
    );
    assert.deepEqual(
      encryption,
      files.map((file) => [file, 'aws:kms', KMS_KEY]),
    );
  });

  it('names a missing S3 key', async () => {
    const result = await validate({ data: 's3://data/nope.csv', output: await tempDir() }, motoEnv(moto.endpoint));
    assert.equal(result.exitCode, 1);
    assert.match(result.errors[0]!, /s3:\/\/data\/nope\.csv/);
  });
});

describe('validate-data: worker threads from the bundle', () => {
  it('profiles a multi-window file with workers exactly as on the main thread, with no stray output', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'large.csv');
    const lines = ['a,b,c,label'];
    for (let i = 0; i < 400_000; i++)
      lines.push(`${i},${((i * 7919) % 1000) / 10},${Math.sin(i).toFixed(6)},${i % 3 === 0 ? 'x' : 'y'}`);
    await writeFile(file, lines.join('\n') + '\n'); // ~11 MiB: more than one 8 MiB window
    const parallel = await validate({ data: file, workers: '2', output: path.join(dir, 'parallel') });
    const sequential = await validate({ data: file, workers: '0', output: path.join(dir, 'sequential') });
    for (const result of [parallel, sequential]) {
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      assert.deepEqual(result.errors, []);
      assert.equal(result.outputs['row-count'], '400000');
    }
    assert.equal(
      await readFile(parallel.outputs.statistics!, 'utf8'),
      await readFile(sequential.outputs.statistics!, 'utf8'),
    );
  });
});
