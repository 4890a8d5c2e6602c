// Reading a workflow file for the local runner: GitHub's own parser and schema (@actions/workflow-parser) validate it,
// its converter gives the jobs, needs, conditions and steps, and the parse tree gives what the converter leaves out
// (`with`, `working-directory`, `shell`, `timeout-minutes`, `defaults`).
//
// Decisions:
// - Errors are `file:line:column: message`, every one the parser found, and nothing runs.
// - What the runner cannot do faithfully is refused up front, naming the key and where it is, rather than run half
//   way: an allowlist of keys, so a key added to the schema later is refused too until someone supports it.
// - Keys that only matter on GitHub's side (runs-on, permissions, concurrency, environment, event filters) are
//   accepted and listed once as not applied.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  convertWorkflowTemplate,
  isBasicExpression,
  isMapping,
  isString,
  NoOperationTraceWriter,
  parseWorkflow,
} from '@actions/workflow-parser';
import type { ActionStep, EventsConfig, RunStep, Step } from '@actions/workflow-parser/model/workflow-template';
import type { TemplateContext } from '@actions/workflow-parser/templates/template-context';
import type { MappingToken, SequenceToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { loadActionMetadata, type ActionMetadata } from './runner-protocol.js';

export interface Problem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export function formatProblem(problem: Problem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return `${where}: ${problem.message}`;
}

/** The workflow cannot be read, is invalid, or uses what the local runner does not support. */
export class WorkflowFileError extends Error {
  constructor(
    readonly kind: 'unreadable' | 'invalid' | 'unsupported',
    readonly problems: Problem[],
  ) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export type StepAction =
  | { kind: 'run'; script: TemplateToken }
  | { kind: 'local'; uses: string; directory: string; metadata: ActionMetadata }
  | { kind: 'third-party'; uses: string };

export interface WorkflowStep {
  /** The `id:` given, or the parser's generated one (`__run`, `__actions_checkout`, ...). */
  id: string;
  name?: TemplateToken;
  condition: string;
  continueOnError?: boolean | TemplateToken;
  env?: TemplateToken;
  action: StepAction;
  with?: TemplateToken;
  workingDirectory?: TemplateToken;
  shell?: TemplateToken;
  timeoutMinutes?: TemplateToken;
}

export interface RunDefaults {
  shell?: TemplateToken;
  workingDirectory?: TemplateToken;
}

export interface WorkflowJob {
  id: string;
  name?: TemplateToken;
  needs: string[];
  condition: string;
  strategy?: TemplateToken;
  env?: TemplateToken;
  outputs?: TemplateToken;
  defaults: RunDefaults;
  timeoutMinutes?: TemplateToken;
  continueOnError?: TemplateToken;
  steps: WorkflowStep[];
}

export interface Workflow {
  file: string;
  name: string;
  events: EventsConfig;
  env?: TemplateToken;
  defaults: RunDefaults;
  jobs: WorkflowJob[];
  /** Keys accepted but not applied locally, for one line in the log. */
  notApplied: string[];
}

const WORKFLOW_KEYS = new Set(['name', 'run-name', 'on', 'env', 'defaults', 'jobs', 'permissions', 'concurrency']);
const JOB_KEYS = new Set([
  'name',
  'needs',
  'if',
  'runs-on',
  'env',
  'outputs',
  'strategy',
  'steps',
  'defaults',
  'timeout-minutes',
  'continue-on-error',
  'permissions',
  'concurrency',
  'environment',
]);
const STEP_KEYS = new Set([
  'id',
  'name',
  'if',
  'uses',
  'run',
  'with',
  'env',
  'shell',
  'working-directory',
  'continue-on-error',
  'timeout-minutes',
]);
const ON_GITHUB_ONLY = new Set(['runs-on', 'permissions', 'concurrency', 'environment']);

/** Why a key is refused, where there is more to say than "not supported". */
const REFUSALS: Record<string, string> = {
  services: 'service containers need Docker and a job container network',
  container: 'running the steps in a container needs Docker',
  uses: 'reusable workflows (jobs.<id>.uses) are not run locally',
  snapshot: 'custom image snapshots are a GitHub-hosted feature',
};

export async function loadWorkflow(file: string, workspace: string): Promise<Workflow> {
  const displayName = displayPath(file);
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new WorkflowFileError('unreadable', [{ file: displayName, message: (error as Error).message }]);
  }
  const parsed = parseWorkflow({ name: displayName, content }, new NoOperationTraceWriter());
  const { context } = parsed;
  if (!parsed.value || context.errors.count > 0) throw invalid(context);
  const template = await convertWorkflowTemplate(context, parsed.value);
  if (context.errors.count > 0 || template.errors?.length) throw invalid(context);

  const root = parsed.value as MappingToken;
  const unsupported: Problem[] = [];
  const notApplied = new Set<string>();
  const refuse = (token: TemplateToken | undefined, message: string) =>
    unsupported.push({ file: displayName, ...position(token), message });
  const checkKeys = (mapping: MappingToken, allowed: Set<string>, where: string) => {
    for (const { key } of mapping) {
      const name = keyName(key);
      if (ON_GITHUB_ONLY.has(name)) notApplied.add(name);
      if (allowed.has(name)) continue;
      const reason = REFUSALS[name] ?? 'the local runner does not support it';
      refuse(key, `${where}${name} is not supported locally: ${reason}; run this workflow on GitHub`);
    }
  };

  // Defaults too: a shell that slips through here would only fail, or do nothing, once its step runs.
  const checkShell = (shell: TemplateToken | undefined, where: string) => {
    if (shell && !isBasicExpression(shell) && isString(shell) && !isSupportedShell(shell.value)) {
      refuse(
        shell,
        `${where}shell: ${shell.value} is not supported locally: use bash, sh, python or a '... {0}' command`,
      );
    }
  };
  const checkDefaults = (defaults: RunDefaults, where: string) => checkShell(defaults.shell, `${where}defaults.run.`);

  checkKeys(root, WORKFLOW_KEYS, '');
  const workflowDefaults = runDefaults(root);
  checkDefaults(workflowDefaults, '');
  const rawJobs = root.find('jobs') as MappingToken;
  const jobs: WorkflowJob[] = [];
  for (const job of template.jobs) {
    const rawJob = rawJobs.find(job.id.value) as MappingToken;
    checkKeys(rawJob, JOB_KEYS, `jobs.${job.id.value}.`);
    if (job.type !== 'job') continue; // a reusable workflow call, refused above by its `uses` key
    const jobDefaults = runDefaults(rawJob);
    checkDefaults(jobDefaults, `jobs.${job.id.value}.`);
    // The converter keeps every step of a valid workflow, in order, so its steps and the parse tree's line up.
    const rawSteps = [...(rawJob.find('steps') as SequenceToken)] as MappingToken[];
    if (rawSteps.length !== job.steps.length) throw new Error(`jobs.${job.id.value}: steps do not line up`);
    const steps: WorkflowStep[] = [];
    for (const [index, step] of job.steps.entries()) {
      const rawStep = rawSteps[index]!;
      const where = `jobs.${job.id.value}.steps[${index}].`;
      checkKeys(rawStep, STEP_KEYS, where);
      const action = await stepAction(step, rawStep, workspace, (token, message) => refuse(token, where + message));
      if (!action) continue;
      const execution = step as RunStep | ActionStep; // a run or uses step, as it has an action
      const shell = rawStep.find('shell');
      checkShell(shell, where);
      steps.push({
        id: execution.id,
        ...optional('name', execution.name),
        condition: execution.if.expression,
        ...optional('continueOnError', execution['continue-on-error']),
        ...optional('env', execution.env),
        action,
        ...optional('with', rawStep.find('with')),
        ...optional('workingDirectory', rawStep.find('working-directory')),
        ...optional('shell', shell),
        ...optional('timeoutMinutes', rawStep.find('timeout-minutes')),
      });
    }
    const strategy = rawJob.find('strategy');
    if (strategy && isMapping(strategy)) {
      for (const { key } of strategy) {
        if (keyName(key) === 'max-parallel') notApplied.add('strategy.max-parallel');
      }
    }
    jobs.push({
      id: job.id.value,
      ...(job.name ? { name: job.name } : {}),
      needs: (job.needs ?? []).map((need) => need.value),
      condition: job.if.expression,
      ...optional('strategy', job.strategy),
      ...optional('env', job.env),
      ...optional('outputs', job.outputs),
      defaults: jobDefaults,
      ...optional('timeoutMinutes', rawJob.find('timeout-minutes')),
      ...optional('continueOnError', rawJob.find('continue-on-error')),
      steps,
    });
  }
  if (unsupported.length > 0) throw new WorkflowFileError('unsupported', unsupported);

  const nameToken = root.find('name');
  return {
    file,
    name: nameToken && isString(nameToken) ? nameToken.value : displayName,
    events: template.events,
    ...optional('env', template.env),
    defaults: workflowDefaults,
    jobs,
    notApplied: [...notApplied],
  };
}

function invalid(context: TemplateContext): WorkflowFileError {
  return new WorkflowFileError(
    'invalid',
    context.errors.getErrors().map((error) => ({
      file: error.prefix?.replace(/ \(Line: \d+, Col: \d+\)$/, '') ?? '',
      ...errorPosition(error.prefix, error.range),
      // A YAML syntax error carries a code excerpt after its first line; the position says where.
      message: error.rawMessage.split('\n')[0]!.trim(),
    })),
  );
}

/** The position GitHub shows in its message prefix `(Line: 6, Col: 14)`, else the token's range. */
function errorPosition(
  prefix: string | undefined,
  range: { start: { line: number; column: number } } | undefined,
): { line?: number; column?: number } {
  const shown = prefix && /\(Line: (\d+), Col: (\d+)\)$/.exec(prefix);
  if (shown) return { line: Number(shown[1]), column: Number(shown[2]) };
  return range ? { line: range.start.line, column: range.start.column } : {};
}

async function stepAction(
  step: Step,
  rawStep: MappingToken,
  workspace: string,
  refuse: (token: TemplateToken | undefined, message: string) => void,
): Promise<StepAction | undefined> {
  if ('run' in step) return { kind: 'run', script: step.run };
  if (!('uses' in step)) {
    refuse(rawStep, 'only run and uses steps are supported locally');
    return undefined;
  }
  const uses = step.uses.value;
  if (uses.startsWith('docker://')) {
    refuse(step.uses, `uses: ${uses} is not supported locally: Docker actions need Docker`);
    return undefined;
  }
  if (!uses.startsWith('./')) return { kind: 'third-party', uses };
  const directory = path.resolve(workspace, uses);
  if (!existsSync(path.join(directory, 'action.yml'))) {
    refuse(step.uses, `uses: ${uses} has no action.yml in the workspace (${directory})`);
    return undefined;
  }
  const metadata = await loadActionMetadata(directory);
  const using = metadata.runs?.using ?? '';
  if (!/^node\d+$/.test(using)) {
    const kind = using === 'composite' ? 'composite actions' : using === 'docker' ? 'Docker actions' : using;
    refuse(step.uses, `uses: ${uses} runs with 'using: ${using}', which is not supported locally (${kind})`);
    return undefined;
  }
  return { kind: 'local', uses, directory, metadata };
}

/** bash, sh and python as GitHub names them, or a custom command with `{0}` for the script. */
export function isSupportedShell(shell: string): boolean {
  return ['bash', 'sh', 'python'].includes(shell) || shell.includes('{0}');
}

function runDefaults(mapping: MappingToken): RunDefaults {
  const run = (mapping.find('defaults') as MappingToken | undefined)?.find('run') as MappingToken | undefined;
  return {
    ...optional('shell', run?.find('shell')),
    ...optional('workingDirectory', run?.find('working-directory')),
  };
}

function keyName(key: TemplateToken): string {
  return isString(key) ? key.value : String(key);
}

function position(token: TemplateToken | undefined): { line?: number; column?: number } {
  return token?.range ? { line: token.range.start.line, column: token.range.start.column } : {};
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A path relative to the current directory when it is inside it, else absolute: what an editor can open. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
