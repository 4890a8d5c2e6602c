// One job (one matrix combination) on this machine: its steps in order, then the post steps of the actions that ran,
// in reverse order, with the state their main step saved; then the job's outputs.
//
// Decisions, each following the runner:
// - Environment precedence: workflow env < job env < GITHUB_ENV < step env; GITHUB_* and RUNNER_* come last and
//   cannot be overridden; GITHUB_PATH entries are prepended, the latest first. NODE_OPTIONS cannot be set through
//   GITHUB_ENV.
// - A `run:` step without a shell runs `bash -e {0}`; `shell: bash` runs `bash --noprofile --norc -eo pipefail {0}`
//   (the runner's two bash lines differ; a workflow that wants pipefail everywhere sets `defaults.run.shell: bash`).
// - An action runs `node <runs.main>` with this machine's node, the workspace as working directory, every declared
//   input as INPUT_* (action.yml defaults evaluated), undeclared ones too, with the runner's warning.
// - A post step runs when its main step ran, if `post-if` (default `always()`) holds, with the same inputs and
//   STATE_* from the main step's GITHUB_STATE. A cancelled run still runs them, without forwarding the cancellation.
// - Steps that start after a cancellation (`if: always()` / `cancelled()`) run to the end, as on GitHub.
// - A job output that would reveal a masked value is dropped with a warning.
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isBasicExpression, isBoolean, isNumber, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import {
  evaluateCondition,
  evaluateFlag,
  evaluateText,
  evaluateTextMap,
  evaluateToken,
  statusFunctions,
  type JobStatus,
  type Scope,
} from './expressions.js';
import type { Log } from './log.js';
import type { Combination } from './matrix.js';
import {
  createFileCommandFiles,
  inputVariables,
  parseFileCommand,
  resolveInputs,
  type ActionMetadata,
} from './runner-protocol.js';
import { runStepProcess, type StepProcessResult } from './step-process.js';
import type { RunDefaults, Workflow, WorkflowJob, WorkflowStep } from './workflow-file.js';

export type StepResult = 'success' | 'failure' | 'cancelled' | 'skipped';
export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepRecord {
  id: string;
  name: string;
  outcome: StepResult;
  conclusion: StepResult;
  outputs: Record<string, string>;
  durationMs: number;
}

export interface JobRecord {
  id: string;
  name: string;
  matrix: Combination;
  result: JobResult;
  outputs: Record<string, string>;
  steps: StepRecord[];
  durationMs: number;
  /** The job's RUNNER_TEMP: the actions' default output folders are under it. */
  runnerTemp: string;
}

/** What every job of a run shares. */
export interface RunShared {
  workflow: Workflow;
  workspace: string;
  log: Log;
  /** The run's cancellation (Ctrl+C). */
  signal: AbortSignal;
  /** The process environment steps start from: this process's, without stray INPUT_/STATE_/GITHUB_/RUNNER_ values. */
  baseEnv: Record<string, string>;
  summaryFile: string;
  /** Contexts fixed for the whole run: inputs, vars, secrets. */
  runContexts: Record<string, unknown>;
}

export interface JobSetup {
  job: WorkflowJob;
  displayName: string;
  /** github (for this job), needs, matrix, strategy, runner. */
  contexts: Record<string, unknown> & { github: Record<string, unknown>; runner: Record<string, string> };
  /** GITHUB_*, RUNNER_* for the steps. */
  variables: Record<string, string>;
  matrix: Combination;
  jobDir: string;
}

const SUMMARY_LIMIT = 1024 * 1024;
const INDENT = '    ';

interface PostStep {
  step: WorkflowStep & { action: { kind: 'local'; metadata: ActionMetadata; directory: string } };
  name: string;
  inputs: Record<string, string>;
  /** The main step's `env`, as evaluated then. */
  env: Record<string, string>;
  state: Record<string, string>;
}

/** bash, sh, python or a custom `cmd {0}` as a command line; `undefined` for the runner's default bash. */
export function shellCommand(shell: string | undefined, script: string): { command: string; args: string[] } {
  const template =
    shell === undefined || shell === ''
      ? 'bash -e {0}'
      : ({
          bash: 'bash --noprofile --norc -eo pipefail {0}',
          sh: 'sh -e {0}',
          python: 'python {0}',
        }[shell] ?? shell);
  // Without {0} the script would never reach the shell, and the step could succeed having run nothing.
  if (!template.includes('{0}')) {
    throw new Error(`shell: ${shell} is not supported locally: use bash, sh, python or a '... {0}' command`);
  }
  const [command, ...args] = template.split(/\s+/).filter(Boolean);
  return { command: command!, args: args.map((arg) => arg.replace('{0}', script)) };
}

export class JobRun {
  private status: JobStatus = 'success';
  private readonly runtimeEnv: Record<string, string> = {};
  private readonly pathAdditions: string[] = [];
  private readonly steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  private readonly records: StepRecord[] = [];
  private readonly posts: PostStep[] = [];
  private workflowEnv: Record<string, string> = {};
  private jobEnv: Record<string, string> = {};
  private summaryStarted = false;
  private stepCounter = 0;
  private readonly runnerTemp: string;

  constructor(
    private readonly shared: RunShared,
    private readonly setup: JobSetup,
  ) {
    this.runnerTemp = setup.contexts.runner.temp!;
  }

  private get log(): Log {
    return this.shared.log;
  }

  private scope(extraEnv: Record<string, string> = {}, status = statusFunctions(this.status)): Scope {
    return {
      contexts: {
        ...this.shared.runContexts,
        ...this.setup.contexts,
        env: { ...this.workflowEnv, ...this.jobEnv, ...this.runtimeEnv, ...extraEnv },
        steps: this.steps,
        job: { status: this.status },
      },
      status,
      workspace: this.shared.workspace,
    };
  }

  async run(): Promise<JobRecord> {
    const started = Date.now();
    const { job } = this.setup;
    await mkdir(this.runnerTemp, { recursive: true });
    this.log.emit({ text: `▶ Job ${this.setup.displayName}`, color: 'bold' });

    try {
      this.workflowEnv = evaluateTextMap(this.shared.workflow.env, this.scope());
      this.jobEnv = evaluateTextMap(job.env, this.scope());
    } catch (error) {
      this.fail((error as Error).message, '  ');
    }

    const timeoutMinutes = this.number(job.timeoutMinutes, 360, 'timeout-minutes');
    // The job's steps stop on the run's cancellation or at the job's timeout. Linked by hand: a signal made by
    // AbortSignal.any() can be garbage-collected with its listeners on Node 20, and the cancellation then never comes.
    const stopJob = new AbortController();
    let timedOut = false;
    const cancelJob = () => stopJob.abort();
    this.shared.signal.addEventListener('abort', cancelJob, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      stopJob.abort();
    }, timeoutMinutes * 60_000);
    try {
      for (const step of job.steps) await this.runStep(step, stopJob.signal);
    } finally {
      clearTimeout(timer);
      this.shared.signal.removeEventListener('abort', cancelJob);
    }
    if (timedOut) {
      this.fail(`The job has exceeded its maximum execution time of ${timeoutMinutes} minutes.`, '  ');
    }
    for (const post of [...this.posts].reverse()) await this.runPost(post);

    const outputs = this.jobOutputs();
    const result: JobResult = this.shared.signal.aborted ? 'cancelled' : this.status;
    const mark = { success: '✓', failure: '✗', cancelled: '⊘', skipped: '○' }[result];
    const color = result === 'success' ? 'green' : result === 'failure' ? 'red' : 'gray';
    this.log.emit(
      { text: `${mark} Job ${this.setup.displayName}: ${result}`, color },
      ` in ${seconds(Date.now() - started)}`,
    );
    return {
      id: job.id,
      name: this.setup.displayName,
      matrix: this.setup.matrix,
      result,
      outputs,
      steps: this.records,
      durationMs: Date.now() - started,
      runnerTemp: this.runnerTemp,
    };
  }

  private fail(message: string, indent: string): void {
    this.log.annotate({ level: 'error', message, where: this.setup.displayName }, indent);
    if (this.status === 'success') this.status = 'failure';
  }

  private number(
    token: TemplateToken | undefined,
    fallback: number,
    key: string,
    scope = this.scope(),
    indent = '  ',
  ): number {
    if (!token) return fallback;
    let value: number;
    try {
      value = Number(evaluateToken(token, scope));
    } catch (error) {
      value = NaN;
      this.fail((error as Error).message, indent);
    }
    if (!Number.isFinite(value) || value <= 0) {
      this.fail(`${key} must be a positive number of minutes`, indent);
      return fallback;
    }
    return value;
  }

  private async runStep(step: WorkflowStep, signal: AbortSignal): Promise<void> {
    if (signal.aborted) this.status = 'cancelled';
    const index = ++this.stepCounter;
    const record: StepRecord = {
      id: step.id,
      name: defaultStepName(step),
      outcome: 'skipped',
      conclusion: 'skipped',
      outputs: {},
      durationMs: 0,
    };
    this.records.push(record);
    const publish = () => {
      this.steps[step.id] = { outputs: record.outputs, outcome: record.outcome, conclusion: record.conclusion };
    };

    let shouldRun: boolean;
    let stepEnv: Record<string, string>;
    try {
      if (step.name) record.name = evaluateText(step.name, this.scope());
      shouldRun = evaluateCondition(step.condition, this.scope());
    } catch (error) {
      this.log.emit({ text: `  ✗ ${record.name}`, color: 'red' });
      this.fail(`The step's condition could not be evaluated: ${(error as Error).message}`, INDENT);
      record.outcome = record.conclusion = 'failure';
      publish();
      return;
    }
    if (!shouldRun) {
      this.log.emit(
        { text: `  ○ ${record.name}`, color: 'gray' },
        { text: ` (skipped: if ${step.condition})`, color: 'gray' },
      );
      publish();
      return;
    }

    const cancelledBeforeStart = signal.aborted;
    const started = Date.now();
    this.log.emit({ text: `  ▶ ${record.name}`, color: 'bold' });
    let outcome: StepResult;
    let continueOnError = false;
    try {
      stepEnv = evaluateTextMap(step.env, this.scope());
      if (step.continueOnError !== undefined) {
        const value =
          typeof step.continueOnError === 'boolean'
            ? step.continueOnError
            : evaluateToken(step.continueOnError, this.scope(stepEnv));
        continueOnError = evaluateFlag(value);
      }
      // A step chosen to run before the cancellation is cancelled with the run, even if it comes while it starts; one
      // that runs because of it (always(), cancelled()) runs to its end, as on GitHub.
      outcome = await this.execute(step, index, stepEnv, record, cancelledBeforeStart ? undefined : signal);
    } catch (error) {
      this.log.annotate({ level: 'error', message: (error as Error).message, where: this.where(record) }, INDENT);
      outcome = 'failure';
    }
    record.outcome = outcome;
    record.conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
    record.durationMs = Date.now() - started;
    publish();
    if (record.conclusion === 'failure' && this.status === 'success') this.status = 'failure';
    if (record.conclusion === 'cancelled') this.status = 'cancelled';
    this.footer(record, continueOnError);
  }

  private footer(record: StepRecord, continueOnError: boolean): void {
    const took = ` in ${seconds(record.durationMs)}`;
    if (record.outcome === 'success') this.log.emit(INDENT, { text: '✓ success', color: 'green' }, took);
    else if (record.outcome === 'cancelled') this.log.emit(INDENT, { text: '⊘ cancelled', color: 'yellow' }, took);
    else if (continueOnError) {
      this.log.emit(INDENT, { text: '✗ failure, continuing (continue-on-error)', color: 'yellow' }, took);
    } else this.log.emit(INDENT, { text: '✗ failure', color: 'red' }, took);
  }

  private where(record: StepRecord): string {
    return `${this.setup.displayName} / ${record.name}`;
  }

  private async execute(
    step: WorkflowStep,
    index: number,
    stepEnv: Record<string, string>,
    record: StepRecord,
    signal: AbortSignal | undefined,
  ): Promise<StepResult> {
    const { action } = step;
    if (action.kind === 'third-party') {
      const why = /^actions\/checkout@/.test(action.uses)
        ? 'the workspace already holds the files'
        : 'third-party actions do not run locally';
      this.log.annotate(
        { level: 'notice', message: `Skipped ${action.uses}: ${why}`, where: this.where(record) },
        INDENT,
      );
      return 'success';
    }

    const scope = this.scope(stepEnv);
    const timeoutMinutes = step.timeoutMinutes
      ? this.number(step.timeoutMinutes, 360, 'timeout-minutes', scope, INDENT)
      : undefined;
    const files = await createFileCommandFiles(path.join(this.setup.jobDir, 'steps', String(index)));
    const github = { ...this.setup.contexts.github, action: step.id };
    const env: Record<string, string> = {
      ...this.environment(stepEnv),
      ...files,
      GITHUB_ACTION: step.id,
    };

    let launch: { command: string; args: string[]; cwd: string; interruptGroup: boolean };
    let inputs: Record<string, string> = {};
    if (action.kind === 'run') {
      const shell = this.pick(step.shell, 'shell', scope);
      const script = evaluateText(action.script, scope);
      const extension = shell === 'python' ? '.py' : '.sh';
      const scriptFile = path.join(this.runnerTemp, `${randomUUID()}${extension}`);
      await writeFile(scriptFile, script);
      const directory = this.pick(step.workingDirectory, 'workingDirectory', scope);
      const cwd = path.resolve(this.shared.workspace, directory ?? '.');
      if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
        throw new Error(`working-directory ${directory} does not exist in the workspace (${cwd})`);
      }
      launch = { ...shellCommand(shell, scriptFile), cwd, interruptGroup: true };
      // The script with its expressions evaluated, as GitHub shows it in the step's collapsed header.
      if (this.log.debug)
        for (const line of script.trimEnd().split('\n')) this.log.emit(INDENT, { text: `$ ${line}`, color: 'gray' });
    } else {
      inputs = this.actionInputs(action.metadata, step, { ...scope, contexts: { ...scope.contexts, github } }, record);
      Object.assign(env, inputVariables(inputs), { GITHUB_ACTION_PATH: action.directory });
      const main = path.resolve(action.directory, action.metadata.runs.main);
      launch = { command: process.execPath, args: [main], cwd: this.shared.workspace, interruptGroup: false };
    }

    const output = this.log.stepOutput(this.where(record), INDENT);
    const result = await runStepProcess({
      ...launch,
      env,
      onOutput: (chunk, stream) => output.write(chunk, stream),
      ...(signal ? { signal } : {}),
      ...(timeoutMinutes !== undefined ? { timeoutMs: timeoutMinutes * 60_000 } : {}),
    });
    output.flush();

    const state = await this.applyFileCommands(files, record);
    if (action.kind === 'local' && action.metadata.runs.post) {
      this.posts.push({ step: { ...step, action }, name: record.name, inputs, env: stepEnv, state });
    }
    return this.outcomeOf(result, record, timeoutMinutes);
  }

  private outcomeOf(result: StepProcessResult, record: StepRecord, timeoutMinutes?: number): StepResult {
    const where = this.where(record);
    if (result.startError) {
      this.log.annotate(
        { level: 'error', message: `Could not start the step: ${result.startError.message}`, where },
        INDENT,
      );
      return 'failure';
    }
    if (result.timedOut) {
      this.log.annotate(
        { level: 'error', message: `The step has timed out after ${timeoutMinutes} minutes.`, where },
        INDENT,
      );
      return 'failure';
    }
    if (result.cancelled) return 'cancelled';
    if (result.exitCode === 0) return 'success';
    const how =
      result.exitCode === null ? `was ended by ${result.signal}` : `completed with exit code ${result.exitCode}`;
    this.log.annotate({ level: 'error', message: `Process ${how}.`, where }, INDENT);
    return 'failure';
  }

  /** A step's value for `shell` or `working-directory`, else the job's default, else the workflow's. */
  private pick(token: TemplateToken | undefined, key: keyof RunDefaults, scope: Scope): string | undefined {
    const chosen = token ?? this.setup.job.defaults[key] ?? this.shared.workflow.defaults[key];
    return chosen ? evaluateText(chosen, scope) : undefined;
  }

  private environment(stepEnv: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = {
      ...this.shared.baseEnv,
      ...this.workflowEnv,
      ...this.jobEnv,
      ...this.runtimeEnv,
      ...stepEnv,
      ...this.setup.variables,
    };
    if (this.pathAdditions.length > 0) {
      env.PATH = [...this.pathAdditions].reverse().join(path.delimiter) + path.delimiter + (env.PATH ?? '');
    }
    return env;
  }

  private actionInputs(
    metadata: ActionMetadata,
    step: WorkflowStep,
    scope: Scope,
    record: StepRecord,
  ): Record<string, string> {
    const given = evaluateTextMap(step.with, scope);
    const declared = metadata.inputs ?? {};
    const unexpected = Object.keys(given).filter((name) => !(name in declared));
    if (unexpected.length > 0) {
      this.log.annotate(
        {
          level: 'warning',
          message: `Unexpected input(s) ${unexpected.map((n) => `'${n}'`).join(', ')}, valid inputs are [${Object.keys(
            declared,
          )
            .map((n) => `'${n}'`)
            .join(', ')}]`,
          where: this.where(record),
        },
        INDENT,
      );
    }
    return resolveInputs(metadata, given, scope);
  }

  /** Reads the step's file commands into the job; returns its saved state. Runs even when the step failed. */
  private async applyFileCommands(
    files: Awaited<ReturnType<typeof createFileCommandFiles>>,
    record: StepRecord,
  ): Promise<Record<string, string>> {
    const where = this.where(record);
    const read = async (file: string) => parseFileCommand(await readFile(file, 'utf8'));
    try {
      record.outputs = await read(files.GITHUB_OUTPUT);
      for (const [name, value] of Object.entries(await read(files.GITHUB_ENV))) {
        if (name === 'NODE_OPTIONS') {
          this.log.annotate(
            { level: 'warning', message: 'NODE_OPTIONS cannot be set through GITHUB_ENV', where },
            INDENT,
          );
        } else this.runtimeEnv[name] = value;
      }
      const added = (await readFile(files.GITHUB_PATH, 'utf8')).split(/\r?\n/).filter(Boolean);
      this.pathAdditions.push(...added);
      await this.appendSummary(await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'), record);
      return await read(files.GITHUB_STATE);
    } catch (error) {
      this.log.annotate({ level: 'error', message: (error as Error).message, where }, INDENT);
      if (this.status === 'success') this.status = 'failure';
      return {};
    }
  }

  private async appendSummary(summary: string, record: StepRecord): Promise<void> {
    if (summary.trim() === '') return;
    if (Buffer.byteLength(summary) > SUMMARY_LIMIT) {
      this.log.annotate(
        {
          level: 'error',
          message: `The step summary is ${Buffer.byteLength(summary)} bytes, over GitHub's 1 MiB limit: it would not be shown`,
          where: this.where(record),
        },
        INDENT,
      );
      return;
    }
    const heading = this.summaryStarted ? '' : `<!-- job: ${this.setup.displayName} -->\n`;
    this.summaryStarted = true;
    await appendFile(this.shared.summaryFile, heading + this.log.masker.apply(summary).replace(/\n*$/, '\n\n'));
  }

  private async runPost(post: PostStep): Promise<void> {
    const { step } = post;
    const { metadata, directory } = step.action;
    const name = `Post ${post.name}`;
    const condition = (metadata.runs['post-if'] ?? 'always()').replace(/^\$\{\{([\s\S]*)\}\}$/, '$1').trim();
    const record: StepRecord = {
      id: `post-${step.id}`,
      name,
      outcome: 'skipped',
      conclusion: 'skipped',
      outputs: {},
      durationMs: 0,
    };
    this.records.push(record);
    let shouldRun: boolean;
    try {
      shouldRun = evaluateCondition(condition, this.scope());
    } catch (error) {
      this.fail(`post-if of ${step.action.uses} could not be evaluated: ${(error as Error).message}`, INDENT);
      return;
    }
    if (!shouldRun) {
      this.log.emit({ text: `  ○ ${name} (skipped: post-if ${condition})`, color: 'gray' });
      return;
    }
    const started = Date.now();
    this.log.emit({ text: `  ▶ ${name}`, color: 'bold' });
    const files = await createFileCommandFiles(path.join(this.setup.jobDir, 'steps', `post-${++this.stepCounter}`));
    const env: Record<string, string> = {
      ...this.environment(post.env),
      ...files,
      ...inputVariables(post.inputs),
      ...Object.fromEntries(Object.entries(post.state).map(([key, value]) => [`STATE_${key}`, value])),
      GITHUB_ACTION: step.id,
      GITHUB_ACTION_PATH: directory,
    };
    const output = this.log.stepOutput(this.where(record), INDENT);
    // No cancellation forwarded: a post step is what cleans up after a cancelled run.
    const result = await runStepProcess({
      command: process.execPath,
      args: [path.resolve(directory, metadata.runs.post!)],
      cwd: this.shared.workspace,
      env,
      onOutput: (chunk, stream) => output.write(chunk, stream),
      interruptGroup: false,
    });
    output.flush();
    await this.applyFileCommands(files, record);
    record.outcome = record.conclusion = this.outcomeOf(result, record);
    record.durationMs = Date.now() - started;
    if (record.outcome === 'failure' && this.status === 'success') this.status = 'failure';
    this.footer(record, false);
  }

  private jobOutputs(): Record<string, string> {
    if (!this.setup.job.outputs) return {};
    let outputs: Record<string, string>;
    try {
      outputs = evaluateTextMap(this.setup.job.outputs, this.scope());
    } catch (error) {
      this.fail(`The job's outputs could not be evaluated: ${(error as Error).message}`, '  ');
      return {};
    }
    for (const [name, value] of Object.entries(outputs)) {
      if (this.log.masker.reveals(value)) {
        this.log.annotate(
          {
            level: 'warning',
            message: `Skip output '${name}' since it may contain secret.`,
            where: this.setup.displayName,
          },
          '  ',
        );
        delete outputs[name];
      }
    }
    return outputs;
  }
}

function firstLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[0]! + (lines.length > 1 ? ' …' : '');
}

/** The runner's name for an unnamed step: `Run <first line of the script as written>` or `Run <uses>`. */
function defaultStepName(step: WorkflowStep): string {
  const { action } = step;
  if (action.kind !== 'run') return `Run ${action.uses}`;
  const { script } = action;
  const text = isBasicExpression(script)
    ? (script.source ?? `\${{ ${script.expression} }}`)
    : String(evaluateLiteral(script));
  return `Run ${firstLine(text)}`;
}

function evaluateLiteral(token: TemplateToken): unknown {
  return isString(token) || isNumber(token) || isBoolean(token) ? token.value : '';
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
