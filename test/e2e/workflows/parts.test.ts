// The local workflow runner's parts on their own: matrix expansion (GitHub's documented examples), masking, the log's
// reading of workflow commands, status functions, hashFiles, dispatch inputs and the run's identity.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { evaluateCondition, hashFiles, statusFunctions, type Scope } from '../../../scripts/workflow/expressions.js';
import { shellCommand } from '../../../scripts/workflow/job.js';
import { Log, Masker } from '../../../scripts/workflow/log.js';
import { combinationLabel, expandMatrix } from '../../../scripts/workflow/matrix.js';
import { dispatchInputs, repositoryFromRemote } from '../../../scripts/workflow/run-context.js';

describe('expandMatrix', () => {
  it('adds include entries as GitHub documents it', () => {
    // https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
    const matrix = {
      fruit: ['apple', 'pear'],
      animal: ['cat', 'dog'],
      include: [
        { color: 'green' },
        { color: 'pink', animal: 'cat' },
        { fruit: 'apple', shape: 'circle' },
        { fruit: 'banana' },
        { fruit: 'banana', animal: 'cat' },
      ],
    };
    assert.deepEqual(expandMatrix(matrix), [
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
  });

  it('removes every combination an exclude entry matches, partially or wholly', () => {
    const combinations = expandMatrix({
      os: ['macos-latest', 'windows-latest'],
      version: [12, 14, 16],
      environment: ['staging', 'production'],
      exclude: [
        { os: 'macos-latest', version: 12, environment: 'production' },
        { os: 'windows-latest', version: 16 },
      ],
    });
    assert.equal(combinations.length, 9);
    assert.ok(!combinations.some((c) => c.os === 'windows-latest' && c.version === 16));
  });

  it('treats no matrix as one job, an include-only matrix as its entries, and refuses what GitHub refuses', () => {
    assert.deepEqual(expandMatrix(undefined), [{}]);
    assert.deepEqual(expandMatrix({ include: [{ a: 1 }, { a: 2, b: 'x' }] }), [{ a: 1 }, { a: 2, b: 'x' }]);
    assert.throws(() => expandMatrix({ os: [] }), /strategy\.matrix\.os must be a non-empty list/);
    assert.throws(() => expandMatrix({ os: 'linux' }), /must be a non-empty list, got "linux"/);
    assert.throws(() => expandMatrix({ os: ['a'], exclude: [{ os: 'a' }] }), /expands to no combination/);
    assert.throws(
      () => expandMatrix({ a: [...Array(17).keys()], b: [...Array(16).keys()] }),
      /272 jobs; GitHub allows 256/,
    );
    assert.equal(combinationLabel({ python: '3.12', os: { name: 'linux' } }), '(3.12, {"name":"linux"})');
  });
});

describe('Masker and the step log', () => {
  function capture(debug = false) {
    let text = '';
    const masker = new Masker();
    const log = new Log([{ write: (t) => (text += t), color: false }], masker, debug);
    return { log, masker, text: () => text };
  }

  it('masks a value and each line of a multi-line value, longest first', () => {
    const masker = new Masker();
    masker.add('first line\nsecond line');
    masker.add('line');
    assert.equal(masker.apply('a first line\nsecond line b'), 'a *** b');
    assert.equal(masker.apply('second line alone'), '*** alone', 'a line printed on its own is masked too');
    assert.equal(masker.apply('just a line'), 'just a ***');
    assert.equal(masker.reveals('the second line'), true);
    assert.equal(masker.reveals('nothing here'), false);
  });

  it('shows groups, annotations and debug lines as GitHub does, and obeys stop-commands', () => {
    const { log, text } = capture();
    const output = log.stepOutput('job / step', '  ');
    output.write('::group::Install\ninside\n::endgroup::\noutside\n', 'stdout');
    output.write('::warning file=a.py,line=3::look%0Ahere\n::debug::hidden\n', 'stdout');
    output.write('::add-mask::hunter2\npassword hunter2\n::stop-commands::pause\n::error::not a command\n', 'stderr');
    output.write('::pause::\n::error::a command again\npartial', 'stdout');
    output.flush();
    assert.equal(
      text(),
      [
        '  ▸ Install',
        '    inside',
        '  outside',
        '  Warning: look\nhere (a.py:3)',
        '  password ***',
        '  ::error::not a command',
        '  Error: a command again',
        '  partial',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      log.annotations.map((a) => [a.level, a.message, a.where]),
      [
        ['warning', 'look\nhere', 'job / step'],
        ['error', 'a command again', 'job / step'],
      ],
    );
  });

  it('shows ::debug:: lines with --debug', () => {
    const { log, text } = capture(true);
    const output = log.stepOutput('j', '');
    output.write('::debug::details\n', 'stdout');
    assert.equal(text(), 'Debug: details\n');
  });
});

describe('expressions', () => {
  const scope = (status: Scope['status']): Scope => ({
    contexts: { steps: { a: { outputs: { x: '1' } } } },
    status,
    workspace: os.tmpdir(),
  });

  it('answers success(), failure(), cancelled() and always() from the status', () => {
    const failed = scope(statusFunctions('failure'));
    assert.equal(evaluateCondition('success()', failed), false);
    assert.equal(evaluateCondition('failure()', failed), true);
    assert.equal(evaluateCondition("failure() && steps.a.outputs.x == '1'", failed), true);
    assert.equal(evaluateCondition('always()', scope(statusFunctions('cancelled'))), true);
    assert.equal(evaluateCondition('cancelled()', scope(statusFunctions('cancelled'))), true);
    // A job whose needed job was skipped: neither success() nor failure().
    const skippedNeeds = scope({ success: false, failure: false, cancelled: false });
    assert.equal(evaluateCondition('success() || failure()', skippedNeeds), false);
  });

  it('hashes files as hashFiles() does, with exclusions, and gives an empty string for no match', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'hash-files-'));
    await mkdir(path.join(root, 'src'));
    await writeFile(path.join(root, 'src', 'a.txt'), 'a');
    await writeFile(path.join(root, 'src', 'b.txt'), 'b');
    const both = hashFiles(root, ['src/*.txt']);
    // GitHub's scheme: the SHA-256 of the files' raw SHA-256 digests, in path order.
    const digest = (content: string) => createHash('sha256').update(content).digest();
    const expected = createHash('sha256').update(digest('a')).update(digest('b')).digest('hex');
    assert.equal(both, expected);
    assert.notEqual(hashFiles(root, ['src/*.txt', '!src/b.txt']), both);
    assert.equal(hashFiles(root, ['src/a.txt', 'src/b.txt']), both);
    assert.equal(hashFiles(root, ['*.none']), '');
  });
});

describe('shellCommand', () => {
  it('puts the script where {0} is and refuses a shell that would not receive it', () => {
    assert.deepEqual(shellCommand(undefined, '/tmp/s.sh'), { command: 'bash', args: ['-e', '/tmp/s.sh'] });
    assert.deepEqual(shellCommand('python', '/tmp/s.py'), { command: 'python', args: ['/tmp/s.py'] });
    assert.deepEqual(shellCommand('node {0}', '/tmp/s.js'), { command: 'node', args: ['/tmp/s.js'] });
    assert.throws(() => shellCommand('pwsh', '/tmp/s.sh'), /shell: pwsh is not supported locally/);
  });
});

describe('run context', () => {
  it('checks workflow_dispatch inputs as GitHub does and applies defaults', () => {
    const events = {
      workflow_dispatch: {
        inputs: {
          backend: { type: 'choice', options: ['local', 'sagemaker'], default: 'local' },
          dry: { type: 'boolean', default: false },
          data: { type: 'string', required: true },
        },
      },
    } as unknown as Parameters<typeof dispatchInputs>[0];
    assert.deepEqual(dispatchInputs(events, { data: 'x.csv', dry: 'true' }), {
      backend: 'local',
      dry: true,
      data: 'x.csv',
    });
    assert.throws(
      () => dispatchInputs(events, { backend: 'gpu', dry: 'yes', extra: '1' }),
      /unexpected input 'extra'; input 'backend' must be one of local, sagemaker, got 'gpu'; input 'dry' must be true or false, got 'yes'; input 'data' is required/,
    );
  });

  it('reads owner/name from GitHub remotes', () => {
    assert.equal(repositoryFromRemote('https://github.com/octo-org/ml-repo.git'), 'octo-org/ml-repo');
    assert.equal(repositoryFromRemote('git@github.com:octo-org/ml-repo.git'), 'octo-org/ml-repo');
    assert.equal(repositoryFromRemote('https://gitlab.com/a/b.git'), undefined);
    assert.equal(repositoryFromRemote(undefined), undefined);
  });
});
