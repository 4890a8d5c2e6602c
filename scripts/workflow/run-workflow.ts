// Runs a workflow file on this machine: validated and converted by @actions/workflow-parser, jobs in `needs` order,
// matrix combinations expanded, each job's steps through the runner protocol (job.ts), and one summary file, one
// result file and one log file for the run.
//
// Decisions:
// - Jobs run one at a time, in the file's order as far as `needs` allows; matrix combinations one after another.
//   `fail-fast` (default true) cancels the combinations not yet started once one fails.
// - A job's success()/failure() follow its needs, transitively: success() when every job it depends on succeeded,
//   failure() when one failed, both false when one was skipped; cancelled() after Ctrl+C.
// - A matrix job's outputs are merged in combination order (on GitHub the last one to finish wins).
// - `continue-on-error` on a job (per combination, it may use `matrix`) keeps its failure from failing the run and from
//   triggering fail-fast; its dependents still see `needs.<id>.result == 'failure'`.
import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { evaluateCondition, evaluateFlag, evaluateText, evaluateToken, type Scope } from './expressions.js';
import { JobRun, seconds, type JobRecord, type JobResult, type RunShared } from './job.js';
import { Log, Masker, type Annotation, type LogSink } from './log.js';
import { combinationLabel, expandMatrix, type Combination } from './matrix.js';
import {
  dispatchInputs,
  eventPayload,
  githubContext,
  githubVariables,
  resolveIdentity,
  runnerContext,
  runnerVariables,
  RunSetupError,
  type IdentityOptions,
} from './run-context.js';
import { displayPath, loadWorkflow, type Workflow, type WorkflowJob } from './workflow-file.js';

export interface RunWorkflowOptions extends IdentityOptions {
  workflowFile: string;
  /** GITHUB_WORKSPACE: where steps run and `uses: ./...` resolves. */
  workspace: string;
  event: string;
  /** The event payload; by default a minimal one for the event. */
  payload?: Record<string, unknown>;
  /** workflow_dispatch inputs. */
  inputs?: Record<string, string>;
  vars?: Record<string, string>;
  /** The secrets context; every value is masked in the log and the summary. GITHUB_TOKEN is also github.token. */
  secrets?: Record<string, string>;
  /** GITHUB_API_URL, where a PR comment goes: default https://api.github.com; a local stand-in in tests. */
  apiUrl?: string;
  /** Where the run's files go (runner temp folders, summary.md, result.json, log.txt); default a new temp folder. */
  runDir?: string;
  /** The environment steps start from; default this process's, without INPUT_/STATE_/GITHUB_/RUNNER_/ACTIONS_ values. */
  baseEnv?: Record<string, string>;
  debug?: boolean;
  /** Where the log goes besides log.txt; default stdout. */
  write?: (text: string) => void;
  color?: boolean;
  /** Aborting cancels the run: SIGINT to the running step, then post steps and `always()` steps. */
  signal?: AbortSignal;
}

export interface JobSummary {
  result: JobResult;
  outputs: Record<string, string>;
}

export interface WorkflowRunResult {
  conclusion: 'success' | 'failure' | 'cancelled';
  /** 0 success, 1 failure, 130 cancelled. */
  exitCode: number;
  /** Every job run (one per matrix combination), in the order they ran. */
  runs: JobRecord[];
  /** Per job id, as `needs.<id>` sees it. */
  jobs: Record<string, JobSummary>;
  annotations: Annotation[];
  runDir: string;
  summaryFile: string;
  resultFile: string;
  logFile: string;
  durationMs: number;
}

/** The process environment a step starts from: this process's, minus what the runner itself sets per step. */
export function cleanEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || /^(INPUT_|STATE_|GITHUB_|RUNNER_|ACTIONS_)/.test(key)) continue;
    clean[key] = value;
  }
  return clean;
}

/** Jobs in file order, each after the jobs it needs (the parser has already refused cycles and unknown needs). */
function jobOrder(jobs: WorkflowJob[]): WorkflowJob[] {
  const done = new Set<string>();
  const order: WorkflowJob[] = [];
  while (order.length < jobs.length) {
    const next = jobs.find((job) => !done.has(job.id) && job.needs.every((need) => done.has(need)))!;
    order.push(next);
    done.add(next.id);
  }
  return order;
}

function ancestors(job: WorkflowJob, byId: Map<string, WorkflowJob>): Set<string> {
  const found = new Set<string>();
  const visit = (id: string) => {
    for (const need of byId.get(id)?.needs ?? []) {
      if (!found.has(need)) {
        found.add(need);
        visit(need);
      }
    }
  };
  visit(job.id);
  return found;
}

/** A job's `continue-on-error` for one combination (it may use `matrix`); an expression that fails counts as false. */
function continuesOnError(job: WorkflowJob, scope: Scope, log: Log): boolean {
  if (!job.continueOnError) return false;
  try {
    return evaluateFlag(evaluateToken(job.continueOnError, scope));
  } catch (error) {
    log.annotate({ level: 'error', message: (error as Error).message, where: job.id }, '  ');
    return false;
  }
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
  const started = Date.now();
  const workspace = path.resolve(options.workspace);
  const workflow = await loadWorkflow(path.resolve(options.workflowFile), workspace);
  if (!(options.event in workflow.events)) {
    throw new RunSetupError(
      `${workflow.name} does not run on ${options.event}; it runs on: ${Object.keys(workflow.events).join(', ')}`,
    );
  }
  if (options.inputs && Object.keys(options.inputs).length > 0 && options.event !== 'workflow_dispatch') {
    throw new RunSetupError('inputs are given to workflow_dispatch runs only (use --event workflow_dispatch)');
  }
  const inputs = options.event === 'workflow_dispatch' ? dispatchInputs(workflow.events, options.inputs ?? {}) : {};

  const runDir = path.resolve(options.runDir ?? (await mkdtemp(path.join(os.tmpdir(), 'workflow-run-'))));
  await mkdir(runDir, { recursive: true });
  const summaryFile = path.join(runDir, 'summary.md');
  const resultFile = path.join(runDir, 'result.json');
  const logFile = path.join(runDir, 'log.txt');
  await Promise.all([writeFile(summaryFile, ''), writeFile(logFile, '')]);

  const identity = resolveIdentity(workspace, options);
  const payload = eventPayload(
    options.event,
    workflow.events,
    identity,
    Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])),
    options.payload,
  );
  const eventPath = path.join(runDir, 'event.json');
  await writeFile(eventPath, JSON.stringify(payload, null, 2));

  const masker = new Masker();
  const secrets = options.secrets ?? {};
  for (const value of Object.values(secrets)) masker.add(value);
  const sinks: LogSink[] = [
    { write: options.write ?? ((text) => process.stdout.write(text)), color: options.color ?? false },
    { write: (text) => appendFileSync(logFile, text), color: false },
  ];
  const log = new Log(sinks, masker, options.debug ?? false);
  const signal = options.signal ?? new AbortController().signal;
  const shared: RunShared = {
    workflow,
    workspace,
    log,
    signal,
    baseEnv: options.baseEnv ?? cleanEnvironment(),
    summaryFile,
    runContexts: { inputs, vars: options.vars ?? {}, secrets },
  };
  const setup = {
    identity,
    event: options.event,
    payload,
    eventPath,
    workflowName: workflow.name,
    workflowFile: path.relative(workspace, workflow.file),
    workspace,
    token: secrets.GITHUB_TOKEN ?? '',
    apiUrl: (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
  };

  const file = displayPath(workflow.file);
  log.emit(
    { text: `Workflow ${workflow.name}`, color: 'bold' },
    `${workflow.name === file ? '' : ` (${file})`} on ${options.event}, run ${identity.runId}`,
  );
  log.line(`Workspace ${workspace}`);
  log.line(`Run folder ${runDir}`);
  if (workflow.notApplied.length > 0) {
    log.line(`Not applied locally (they matter on GitHub only): ${workflow.notApplied.join(', ')}`, 'gray');
  }

  const byId = new Map(workflow.jobs.map((job) => [job.id, job]));
  const jobs: Record<string, JobSummary> = {};
  const runs: JobRecord[] = [];
  let failsRun = false; // a job failed without continue-on-error
  for (const job of jobOrder(workflow.jobs)) {
    log.line('');
    const jobDirName = (suffix: string) => `${job.id}${suffix}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
    const upstream = [...ancestors(job, byId)].map((id) => jobs[id]!.result);
    const needs = Object.fromEntries(job.needs.map((id) => [id, jobs[id]!]));
    const github = githubContext(setup, job.id);
    const scope: Scope = {
      contexts: { ...shared.runContexts, github, needs },
      status: {
        success: !signal.aborted && upstream.every((r) => r === 'success'),
        failure: !signal.aborted && upstream.some((r) => r === 'failure'),
        cancelled: signal.aborted,
      },
      workspace,
    };

    let runIt: boolean;
    let strategy: Record<string, unknown> = {};
    let combinations: Combination[] = [{}];
    try {
      runIt = evaluateCondition(job.condition, scope);
      if (runIt && job.strategy) {
        strategy = (evaluateToken(job.strategy, scope) as Record<string, unknown> | null) ?? {};
        combinations = expandMatrix(strategy.matrix);
      }
    } catch (error) {
      log.annotate({ level: 'error', message: (error as Error).message, where: job.id }, '  ');
      log.emit({ text: `✗ Job ${job.id}: failure`, color: 'red' });
      jobs[job.id] = { result: 'failure', outputs: {} };
      failsRun = true;
      continue;
    }
    if (!runIt) {
      log.emit({ text: `○ Job ${job.id}: skipped (if ${job.condition})`, color: 'gray' });
      jobs[job.id] = { result: 'skipped', outputs: {} };
      continue;
    }

    const failFast = strategy['fail-fast'] === undefined ? true : evaluateFlag(strategy['fail-fast']);
    const results: JobResult[] = [];
    const outputs: Record<string, string> = {};
    let blockingFailure = false; // a combination failed without continue-on-error: fail-fast applies
    for (const [index, matrix] of combinations.entries()) {
      const label = combinationLabel(matrix);
      const jobDir = path.join(runDir, 'jobs', jobDirName(label ? `-${index + 1}` : ''));
      const contexts = {
        github,
        needs,
        matrix,
        strategy: {
          'fail-fast': failFast,
          'job-index': index,
          'job-total': combinations.length,
          'max-parallel': combinations.length,
        },
        runner: runnerContext(path.join(jobDir, 'temp'), path.join(runDir, 'tool-cache'), options.debug ?? false),
      };
      const jobScope: Scope = { ...scope, contexts: { ...scope.contexts, ...contexts } };
      let displayName = job.id;
      if (job.name) {
        try {
          displayName = evaluateText(job.name, jobScope);
        } catch {
          // The id stands in for a name that cannot be evaluated; the steps report their own errors.
        }
      }
      if (label && !(job.name && Object.values(matrix).some((v) => displayName.includes(String(v))))) {
        displayName = `${displayName} ${label}`;
      }
      if (failFast && blockingFailure) {
        log.emit({ text: `⊘ Job ${displayName}: cancelled (fail-fast: another combination failed)`, color: 'gray' });
        results.push('cancelled');
        continue;
      }
      const run = new JobRun(shared, {
        job,
        displayName,
        contexts,
        variables: { ...githubVariables(github), ...runnerVariables(contexts.runner) },
        matrix,
        jobDir,
      });
      const record = await run.run();
      runs.push(record);
      results.push(record.result);
      Object.assign(outputs, record.outputs);
      if (record.result === 'failure' && !continuesOnError(job, jobScope, log)) blockingFailure = true;
    }
    const result: JobResult = results.includes('failure')
      ? 'failure'
      : results.includes('cancelled')
        ? 'cancelled'
        : 'success';
    jobs[job.id] = { result, outputs };
    if (blockingFailure) failsRun = true;
  }

  const conclusion = signal.aborted ? 'cancelled' : failsRun ? 'failure' : 'success';
  const durationMs = Date.now() - started;
  log.line('');
  log.emit(
    {
      text: `Workflow ${workflow.name}: ${conclusion}`,
      color: conclusion === 'success' ? 'green' : conclusion === 'failure' ? 'red' : 'yellow',
    },
    ` in ${seconds(durationMs)}`,
  );
  for (const [id, job] of Object.entries(jobs)) log.line(`  ${id}: ${job.result}`);
  const counted = (level: string) => {
    const count = log.annotations.filter((a) => a.level === level).length;
    return `${count} ${level}${count === 1 ? '' : 's'}`;
  };
  if (log.annotations.length > 0) {
    log.line(`Annotations: ${counted('error')}, ${counted('warning')}, ${counted('notice')}`);
    for (const a of log.annotations.filter((a) => a.level !== 'notice'))
      log.line(`  ${a.level}: ${a.where}: ${a.message}`);
  }
  log.line(`Step summaries: ${summaryFile}`);
  log.line(`Jobs, steps and outputs: ${resultFile}`);

  const result: WorkflowRunResult = {
    conclusion,
    exitCode: { success: 0, failure: 1, cancelled: 130 }[conclusion],
    runs,
    jobs,
    annotations: log.annotations,
    runDir,
    summaryFile,
    resultFile,
    logFile,
    durationMs,
  };
  // Outputs are masked here too: result.json is a file a user may share.
  const masked = (_key: string, value: unknown) => (typeof value === 'string' ? masker.apply(value) : value);
  await writeFile(
    resultFile,
    JSON.stringify({ workflow: workflow.file, event: options.event, ...result }, masked, 2) + '\n',
  );
  return result;
}

export { RunSetupError } from './run-context.js';
export { WorkflowFileError } from './workflow-file.js';
export type { Workflow };
