// Runs an action's bundle the way the GitHub runner does: INPUT_* with action.yml defaults, fresh file-command files,
// an event payload, STATE_* for post, and optional cancellation signals. Used by every e2e test of a bundle.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { statusFunctions } from '../../scripts/workflow/expressions.js';
import {
  createFileCommandFiles,
  type WorkflowCommand,
  inputVariables,
  loadActionMetadata,
  parseFileCommand,
  parseWorkflowCommands,
  resolveInputs,
} from '../../scripts/workflow/runner-protocol.js';

// The protocol's shared parts live with the local workflow runner; harness.test.ts reads file commands through here.
export { parseFileCommand } from '../../scripts/workflow/runner-protocol.js';

export interface CancelPlan {
  signal: NodeJS.Signals;
  /** Send once stdout contains this text, or after `afterMs`. */
  whenStdoutIncludes?: string;
  afterMs?: number;
  /** Follow with SIGTERM after this long, as the runner does 7.5 s after SIGINT. */
  thenSigtermAfterMs?: number;
}

export interface RunOptions {
  stage?: 'main' | 'post';
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
  event?: { name: string; payload: unknown };
  /** STATE_* values, usually `previous.state` from the main stage. */
  state?: Record<string, string>;
  workspace?: string;
  cancel?: CancelPlan;
  timeoutMs?: number;
  /** Extra `github` context values for expressions in input defaults. */
  github?: Record<string, unknown>;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  env: Record<string, string>;
  state: Record<string, string>;
  path: string[];
  summary: string;
  commands: WorkflowCommand[];
  errors: string[];
  warnings: string[];
  workspace: string;
  runnerTemp: string;
  durationMs: number;
}

const TOKEN = 'ghs_harnessTokenNotASecretOfAnyRealRepo000';

export async function runActionBundle(actionDir: string, options: RunOptions = {}): Promise<RunResult> {
  const meta = await loadActionMetadata(actionDir);
  const stage = options.stage ?? 'main';
  const entry = stage === 'main' ? meta.runs.main : meta.runs.post;
  if (!entry) throw new Error(`${meta.name} has no runs.${stage}`);
  const script = path.resolve(actionDir, entry);
  if (!existsSync(script)) throw new Error(`runs.${stage} points at ${script}, which does not exist (build first)`);

  const root = await mkdtemp(path.join(os.tmpdir(), 'mlops-harness-'));
  const runnerTemp = path.join(root, 'runner-temp');
  const workspace = options.workspace ?? path.join(root, 'workspace');
  await Promise.all([runnerTemp, workspace].map((dir) => mkdir(dir, { recursive: true })));
  const files = await createFileCommandFiles(path.join(root, 'file-commands'));
  const event = options.event ?? { name: 'push', payload: {} };
  const eventPath = path.join(root, 'event.json');
  await writeFile(eventPath, JSON.stringify(event.payload));

  const githubEnv: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/ml-repo',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_WORKFLOW: 'harness',
    GITHUB_JOB: 'test',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_WORKSPACE: workspace,
    GITHUB_ACTION: meta.name,
    GITHUB_ACTION_PATH: actionDir,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'harness',
    ...files,
  };
  const env: Record<string, string> = {};
  // Only what a runner would pass: the host's PATH and HOME, no stray INPUT_/STATE_/GITHUB_ values from the test process.
  for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT'])
    if (process.env[key]) env[key] = process.env[key]!;
  Object.assign(env, githubEnv);
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }

  const context = {
    token: TOKEN,
    repository: env.GITHUB_REPOSITORY,
    sha: env.GITHUB_SHA,
    run_id: env.GITHUB_RUN_ID,
    event_name: event.name,
    workspace,
    ...options.github,
  };
  const scope = { contexts: { github: context }, status: statusFunctions('success'), workspace };
  Object.assign(env, inputVariables(resolveInputs(meta, options.inputs ?? {}, scope)));
  if (stage === 'post') for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;

  const started = Date.now();
  const child = spawn(process.execPath, [script], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const timers: NodeJS.Timeout[] = [];
  let cancelSent = false;
  const sendCancel = () => {
    if (cancelSent || !options.cancel) return;
    cancelSent = true;
    child.kill(options.cancel.signal);
    if (options.cancel.thenSigtermAfterMs !== undefined) {
      timers.push(setTimeout(() => child.kill('SIGTERM'), options.cancel.thenSigtermAfterMs));
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (options.cancel?.whenStdoutIncludes && stdout.includes(options.cancel.whenStdoutIncludes)) sendCancel();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  if (options.cancel?.afterMs !== undefined) timers.push(setTimeout(sendCancel, options.cancel.afterMs));
  const timeoutMs = options.timeoutMs ?? 120_000;
  timers.push(setTimeout(() => child.kill('SIGKILL'), timeoutMs));
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  });
  timers.forEach(clearTimeout);

  const commands = parseWorkflowCommands(stdout);
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    outputs: parseFileCommand(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    env: parseFileCommand(await readFile(files.GITHUB_ENV, 'utf8')),
    state: parseFileCommand(await readFile(files.GITHUB_STATE, 'utf8')),
    path: (await readFile(files.GITHUB_PATH, 'utf8')).split('\n').filter(Boolean),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    commands,
    errors: commands.filter((c) => c.command === 'error').map((c) => c.message),
    warnings: commands.filter((c) => c.command === 'warning').map((c) => c.message),
    workspace,
    runnerTemp,
    durationMs: Date.now() - started,
  };
}
