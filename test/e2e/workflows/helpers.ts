// Shared by the workflow runner's tests: throwaway workspaces holding the fixture actions, and a run that keeps
// its log as text.
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../../scripts/lib/paths.js';
import {
  runWorkflow,
  type RunWorkflowOptions,
  type WorkflowRunResult,
} from '../../../scripts/workflow/run-workflow.js';

export const fixtures = path.join(repoRoot, 'test', 'e2e', 'workflows', 'fixtures');

/** A new workspace holding the fixture actions under actions/ (recorder, tidy, composite). */
export async function fixtureWorkspace(): Promise<string> {
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'workflow-test-'));
  await cp(path.join(fixtures, 'actions'), path.join(workspace, 'actions'), { recursive: true });
  await mkdir(path.join(workspace, 'data'));
  return workspace;
}

export interface LoggedRun {
  result: WorkflowRunResult;
  /** What the run printed (no colours). */
  log: string;
  summary: string;
  resultJson: string;
}

export async function runLogged(
  options: Partial<RunWorkflowOptions> & Pick<RunWorkflowOptions, 'workflowFile' | 'workspace'>,
): Promise<LoggedRun> {
  let log = '';
  const result = await runWorkflow({
    event: 'push',
    runDir: await mkdtemp(path.join(os.tmpdir(), 'workflow-test-run-')),
    ...options,
    write: (text) => {
      log += text;
      options.write?.(text);
    },
    color: false,
  });
  return {
    result,
    log,
    summary: await readFile(result.summaryFile, 'utf8'),
    resultJson: await readFile(result.resultFile, 'utf8'),
  };
}

/** The outputs of step `id` in the first run of job `job`. */
export function stepOutputs(result: WorkflowRunResult, job: string, id: string): Record<string, string> {
  const step = result.runs.find((run) => run.id === job)?.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in job ${job}`);
  return step.outputs;
}
