// The local workflow runner on small workflows (test/e2e/workflows/fixtures): expressions and the environment, step
// outputs and results, needs and matrices, post steps, masking, cancellation, and the workflows it refuses.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../../scripts/lib/paths.js';
import { WorkflowFileError } from '../../../scripts/workflow/run-workflow.js';
import { isRunning } from '../../harness/processes.js';
import { fixtures, fixtureWorkspace, runLogged, stepOutputs } from './helpers.js';

const fixture = (name: string) => path.join(fixtures, name);

/** Runs the CLI as a user would (one node process, so a signal reaches the runner alone). */
function runCli(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/workflow/cli.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('workflow runner: expressions and environment', () => {
  it('evaluates contexts, applies env precedence and file commands, honours working-directory and shells', async () => {
    const workspace = await fixtureWorkspace();
    await writeFile(path.join(workspace, 'data', 'a.txt'), 'first\n');
    await writeFile(path.join(workspace, 'data', 'b.txt'), 'second\n');
    const { result, log } = await runLogged({
      workflowFile: fixture('contexts.yml'),
      workspace,
      event: 'workflow_dispatch',
      inputs: { greeting: 'hello' },
      vars: { REGION: 'eu-west-1' },
    });
    assert.equal(result.conclusion, 'success', log);
    assert.equal(result.exitCode, 0);

    const first = stepOutputs(result, 'show', 'first');
    assert.equal(first.level, 'job', 'job env overrides workflow env');
    assert.equal(first.cwd, 'data');
    assert.equal(first.multi, 'line 1\nline 2');
    // Step env beats GITHUB_ENV, which beats job env; the env context agrees with the process environment.
    assert.equal(stepOutputs(result, 'show', 'second').values, 'step|step|set-by-step|w-hello|tool-on-path');
    assert.equal(stepOutputs(result, 'show', 'third').level, 'from-github-env');

    const expressions = stepOutputs(result, 'show', 'expressions');
    assert.equal(expressions.format, 'workflow_dispatch-hello-false', 'boolean input default is false');
    assert.equal(expressions.vars, 'eu-west-1');
    assert.equal(expressions.json, '2');
    assert.equal(expressions.multi, 'true');
    assert.equal(expressions.event, 'hello');
    assert.equal(expressions.workspace, 'true');
    assert.equal(expressions.nothing, '');
    // hashFiles: SHA-256 over the files' SHA-256 digests, in path order.
    const combined = createHash('sha256');
    for (const name of ['a.txt', 'b.txt']) {
      combined.update(
        createHash('sha256')
          .update(readFileSync(path.join(workspace, 'data', name)))
          .digest(),
      );
    }
    assert.equal(expressions.hash, combined.digest('hex'));
    assert.equal(stepOutputs(result, 'show', 'python').shell, 'python', 'a custom shell command with {0}');
  });

  it('refuses dispatch inputs the workflow does not declare', async () => {
    const workspace = await fixtureWorkspace();
    await assert.rejects(
      runLogged({ workflowFile: fixture('contexts.yml'), workspace, event: 'workflow_dispatch', inputs: { x: '1' } }),
      /unexpected input 'x'/,
    );
    await assert.rejects(
      runLogged({ workflowFile: fixture('contexts.yml'), workspace, event: 'push' }),
      /contexts does not run on push; it runs on: workflow_dispatch/,
    );
  });
});

describe('workflow runner: step and job results', () => {
  it('runs failure() handlers, honours continue-on-error and skips success() steps after a failure', async () => {
    const { result, log } = await runLogged({
      workflowFile: fixture('status.yml'),
      workspace: await fixtureWorkspace(),
    });
    assert.equal(result.conclusion, 'failure');
    assert.equal(result.exitCode, 1);
    const steps = Object.fromEntries(result.runs[0]!.steps.map((s) => [s.id, s]));
    assert.deepEqual(Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, `${s.outcome}/${s.conclusion}`])), {
      soft: 'failure/success',
      'after-soft': 'success/success',
      hard: 'failure/failure',
      skipped: 'skipped/skipped',
      'on-failure': 'success/success',
      'on-success': 'skipped/skipped',
      always: 'success/success',
    });
    assert.equal(steps['after-soft']!.outputs.soft, 'failure/success');
    assert.equal(steps['on-failure']!.outputs.handled, 'failure');
    assert.equal(steps.always!.outputs.status, 'failure');
    assert.match(log, /Error: Process completed with exit code 3\.\n\s+✗ failure, continuing \(continue-on-error\)/);
    assert.match(log, /○ Run echo never \(skipped: if success\(\)\)/);
  });

  it('orders jobs by needs, passes job outputs, expands a matrix, and reports needs results', async () => {
    const { result, log } = await runLogged({ workflowFile: fixture('jobs.yml'), workspace: await fixtureWorkspace() });
    assert.equal(result.conclusion, 'failure', 'flaky failed');
    assert.deepEqual(
      result.runs.map((run) => run.name),
      [
        'build',
        'test (3.10, linux)',
        'test (3.11, linux, true)',
        'test (3.11, mac, true)',
        'test (3.12, linux)',
        'flaky (1)',
        'report',
        'on-failure',
      ],
      'fail-fast cancels flaky (2); after-flaky is skipped',
    );
    assert.match(log, /^ {4}matrix 3\.10 linux false model-v1 0\/4$/m);
    assert.match(log, /^ {4}matrix 3\.11 linux true model-v1 1\/4$/m);
    assert.match(log, /^ {4}matrix 3\.11 mac true model-v1 2\/4$/m);
    assert.match(log, /^ {4}matrix 3\.12 linux false model-v1 3\/4$/m);
    assert.match(log, /⊘ Job flaky \(2\): cancelled \(fail-fast: another combination failed\)/);
    assert.match(log, /^ {4}results success failure skipped$/m);
    assert.deepEqual(Object.fromEntries(Object.entries(result.jobs).map(([id, job]) => [id, job.result])), {
      build: 'success',
      test: 'success',
      flaky: 'failure',
      'after-flaky': 'skipped',
      report: 'success',
      'on-failure': 'success',
    });
    assert.deepEqual(result.jobs.build!.outputs, { artifact: 'model-v1' });
  });
});

describe('workflow runner: actions and post steps', () => {
  it('runs post steps in reverse order with their state, after a failure, honouring post-if', async () => {
    const { result, log } = await runLogged({ workflowFile: fixture('post.yml'), workspace: await fixtureWorkspace() });
    assert.equal(result.conclusion, 'failure');
    const lines = log.split('\n').map((line) => line.trim());
    const at = (text: string) => lines.findIndex((line) => line === text);
    assert.match(log, /main first repository=local\/workflow-test-\w+ extra=undeclared/, 'default from ${{ }}');
    assert.match(log, /main second repository=given\/explicitly extra=/);
    assert.match(
      log,
      /Warning: Unexpected input\(s\) 'extra-input', valid inputs are \['name', 'repository', 'fail'\]/,
    );
    assert.match(log, /outputs hello first \/ hello second/);
    const postSecond = at('post second input=second');
    const postFirst = at('post first input=first');
    assert.ok(postSecond > 0 && postFirst > postSecond, `post steps out of order:\n${log}`);
    assert.ok(at('▶ Post Run ./actions/recorder') < postSecond);
    assert.match(log, /○ Post Run \.\/actions\/tidy \(skipped: post-if success\(\)\)/);
    assert.doesNotMatch(log, /post never/, 'a skipped main step registers no post step');
    assert.deepEqual(
      result.runs[0]!.steps.filter((s) => s.id.startsWith('post-')).map((s) => `${s.name}: ${s.outcome}`),
      [
        'Post Run ./actions/recorder: success',
        'Post Run ./actions/recorder: success',
        'Post Run ./actions/tidy: skipped',
      ],
    );
  });
});

describe('workflow runner: masking', () => {
  it('masks secrets and ::add-mask:: values in the log, the summary and result.json, and drops such job outputs', async () => {
    const secret = 'sk-live-0123456789abcdef';
    const { result, log, summary, resultJson } = await runLogged({
      workflowFile: fixture('secrets.yml'),
      workspace: await fixtureWorkspace(),
      secrets: { API_TOKEN: secret },
    });
    assert.equal(result.conclusion, 'success', log);
    assert.match(log, /^ {4}token is \*\*\*$/m);
    assert.match(log, /^ {4}the password is \*\*\*$/m);
    assert.match(log, /^ {4}expression \*\*\*$/m);
    assert.doesNotMatch(log, /add-mask/);
    assert.match(summary, /summary shows \*\*\* and \*\*\*/);
    const logFile = await readFile(result.logFile, 'utf8');
    for (const [name, text] of Object.entries({ log, summary, resultJson, logFile })) {
      assert.ok(!text.includes(secret) && !text.includes('generated-password-42'), `${name} leaks a secret`);
    }
    assert.deepEqual(result.jobs.leak!.outputs, { safe: 'ok' });
    assert.match(log, /Warning: Skip output 'token' since it may contain secret\./);
  });
});

describe('workflow runner: cancellation', () => {
  it('stops the running step on cancel, then runs always() steps and post steps; the run is cancelled', async () => {
    const workspace = await fixtureWorkspace();
    const cancel = new AbortController();
    let printed = '';
    const running = runLogged({
      workflowFile: fixture('cancel.yml'),
      workspace,
      signal: cancel.signal,
      write: (text) => {
        printed += text;
        if (/^ {4}step started$/m.test(printed)) cancel.abort();
      },
    });
    const { result, log } = await running;
    // The step traps both signals: SIGINT alone must stop it, before the SIGTERM the runner sends 7.5 s later.
    assert.match(log, /stopped by SIGINT/);
    assert.doesNotMatch(log, /stopped by SIGTERM/);
    assert.equal(result.conclusion, 'cancelled');
    assert.equal(result.exitCode, 130);
    const steps = result.runs[0]!.steps.map((s) => `${s.name}: ${s.outcome}`);
    assert.deepEqual(steps, [
      'Run ./actions/recorder: success',
      'Run echo "starting a child process" …: cancelled',
      'Run echo never: skipped',
      'Run echo "cleanup after ${{ job.status }}": success',
      'Post Run ./actions/recorder: success',
    ]);
    assert.match(log, /cleanup after cancelled/);
    const child = Number(await readFile(path.join(result.runs[0]!.runnerTemp, 'child.pid'), 'utf8'));
    assert.equal(isRunning(child), false, 'SIGINT reaches the whole process group of a run step');
  });

  it('forwards Ctrl+C to a local training: its process tree stops, the post step runs, exit code 130', async () => {
    const { prepareDemoWorkspace } = await import('../../../scripts/workflow/demo-workspace.js');
    const workspace = await fixtureWorkspace();
    await prepareDemoWorkspace(repoRoot, workspace);
    await writeFile(
      path.join(workspace, 'slow.py'),
      [
        'import os, subprocess, time',
        'child = subprocess.Popen(["sleep", "300"])',
        'open(os.environ["PIDS_FILE"], "w").write(f"{os.getpid()} {child.pid}")',
        'print("training started", flush=True)',
        'time.sleep(300)',
      ].join('\n'),
    );
    const workflow = path.join(workspace, 'train.yml');
    await writeFile(
      workflow,
      [
        'on: push',
        'jobs:',
        '  train:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: ./actions/train',
        '        with:',
        '          backend: local',
        '          command: python3 slow.py',
        `          environment: "PIDS_FILE: ${path.join(workspace, 'pids.txt')}"`,
      ].join('\n'),
    );
    let signalled = false;
    const run = await runCli([workflow, '--workspace', workspace], (stdout, child) => {
      if (!signalled && stdout.includes('training started')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    assert.equal(run.code, 130, run.stdout + run.stderr);
    assert.match(run.stderr, /SIGINT: cancelling the run/);
    assert.match(run.stdout, /Cancelled: Training was cancelled; its processes were stopped/);
    assert.match(run.stdout, /▶ Post Run \.\/actions\/train\n {4}✓ success/);
    const pids = (await readFile(path.join(workspace, 'pids.txt'), 'utf8')).split(' ').map(Number);
    for (const pid of pids) assert.equal(isRunning(pid), false, `training process ${pid} still runs`);
  });
});

describe('workflow runner: what it refuses', () => {
  it('reports every parse error of an invalid workflow with its line and column, and runs nothing', async () => {
    const workspace = await fixtureWorkspace();
    const error = await runLogged({ workflowFile: fixture('invalid.yml'), workspace }).then(
      () => assert.fail('an invalid workflow ran'),
      (e: unknown) => e as WorkflowFileError,
    );
    assert.ok(error instanceof WorkflowFileError);
    assert.equal(error.kind, 'invalid');
    assert.deepEqual(
      error.problems.map((p) => [p.line, p.column, p.message]),
      [
        [
          7,
          14,
          'The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found.',
        ],
        [9, 9, "Unexpected value 'bogus'"],
        [10, 14, "Unrecognized named-value: 'unknown'"],
      ],
    );
    const payload = await runCli([fixture('contexts.yml'), '--workspace', workspace, '--payload', 'missing.json']);
    assert.equal(payload.code, 2, 'a wrong --payload is a wrong option');
    assert.match(payload.stderr, /^--payload missing\.json: ENOENT/);
    const cli = await runCli([fixture('invalid.yml'), '--workspace', workspace]);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /The workflow is invalid:\n.*invalid\.yml:7:14: The expression is not closed/);
    assert.equal(cli.stdout, '', 'nothing ran');
  });

  it('refuses services, containers, composite and Docker actions, reusable workflows and unknown shells by name', async () => {
    const workspace = await fixtureWorkspace();
    const error = await runLogged({ workflowFile: fixture('unsupported.yml'), workspace }).then(
      () => assert.fail('an unsupported workflow ran'),
      (e: unknown) => e as WorkflowFileError,
    );
    assert.ok(error instanceof WorkflowFileError);
    assert.equal(error.kind, 'unsupported');
    const messages = error.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    assert.deepEqual(messages, [
      '6:5 jobs.db.services is not supported locally: service containers need Docker and a job container network; run this workflow on GitHub',
      "11:16 jobs.db.steps[0].shell: pwsh is not supported locally: use bash, sh, python or a '... {0}' command",
      "15:15 jobs.composite.steps[0].uses: ./actions/composite runs with 'using: composite', which is not supported locally (composite actions)",
      '16:15 jobs.composite.steps[1].uses: docker://alpine:3.20 is not supported locally: Docker actions need Docker',
      '18:5 jobs.reuse.uses is not supported locally: reusable workflows (jobs.<id>.uses) are not run locally; run this workflow on GitHub',
    ]);
    const defaults = await runLogged({ workflowFile: fixture('unsupported-defaults.yml'), workspace }).then(
      () => assert.fail('a workflow with an unsupported default shell ran'),
      (e: unknown) => e as WorkflowFileError,
    );
    assert.ok(defaults instanceof WorkflowFileError);
    assert.deepEqual(
      defaults.problems.map((p) => `${p.line}:${p.column} ${p.message}`),
      [
        "5:12 defaults.run.shell: cmd is not supported locally: use bash, sh, python or a '... {0}' command",
        "11:16 jobs.build.defaults.run.shell: pwsh is not supported locally: use bash, sh, python or a '... {0}' command",
      ],
    );
    const cli = await runCli([fixture('unsupported.yml'), '--workspace', workspace]);
    assert.equal(cli.code, 2);
    assert.match(
      cli.stderr,
      /The workflow cannot run locally:\n.*unsupported\.yml:6:5: jobs\.db\.services is not supported/,
    );
  });
});
