// npm run demo: the pull-request pipeline of workflows-examples/ci.yml (validate the data, train a model, gate it
// against the champion) run on this machine by the local workflow runner, as a workflow_dispatch with the local
// backend, in a temporary workspace with its own file registry. No AWS account, no network, nothing written into the
// repository. Exits with the workflow's code: 0 when it passed.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './lib/paths.js';
import { checkPython, DemoPrerequisiteError, prepareDemoWorkspace } from './workflow/demo-workspace.js';
import { seconds } from './workflow/job.js';
import { runWorkflow } from './workflow/run-workflow.js';
import { cancelOnSignals } from './workflow/signals.js';

async function main(): Promise<number> {
  const started = Date.now();
  checkPython();
  const root = await mkdtemp(path.join(os.tmpdir(), 'mlops-actions-demo-'));
  const workspace = path.join(root, 'workspace');
  await prepareDemoWorkspace(repoRoot, workspace);
  const registry = path.join(root, 'model-registry');

  const { signal } = cancelOnSignals();
  const result = await runWorkflow({
    workflowFile: path.join(workspace, 'workflows-examples', 'ci.yml'),
    workspace,
    event: 'workflow_dispatch',
    inputs: { backend: 'local' },
    vars: { MODEL_REGISTRY: registry },
    runDir: path.join(root, 'run'),
    repository: 'local/mlops-actions-demo',
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    signal,
  });

  const outputs = (step: string) => result.runs[0]?.steps.find((s) => s.id === step)?.outputs ?? {};
  const rows: [string, string | undefined][] = [
    ['step summaries', result.summaryFile],
    ['log', result.logFile],
    ['jobs, steps, outputs', result.resultFile],
    ['data validation', outputs('data').report && path.dirname(outputs('data').report!)],
    ['model', outputs('train')['model-data']],
    ['gate report', outputs('gate').report],
    ['file registry', `${registry} (the champion's home; a PR run never registers)`],
  ];
  console.log(
    `\nDemo: workflows-examples/ci.yml ran locally: ${result.conclusion} in ${seconds(Date.now() - started)}`,
  );
  for (const [label, where] of rows) if (where) console.log(`  ${label.padEnd(21)} ${where}`);
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof DemoPrerequisiteError ? error.message : error);
    process.exit(1);
  },
);
