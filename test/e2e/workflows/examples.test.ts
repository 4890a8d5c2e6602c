// The example workflows (workflows-examples/) run end to end by the local workflow runner, with the committed action
// bundles, in throwaway workspaces: what `npm run demo` shows, and what a user who copies them gets.
//
// Decision: the test registers the first model in the file registry itself, with the FileRegistry API (what
// register-model will call once it ships), rather than a `run:` step in ci.yml: a pull-request pipeline must never
// register a model, and a stand-in registration script in the examples would be copied by users and then outlive
// register-model.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isMapping } from '@actions/workflow-parser';
import { openStorage } from '@mlops-actions/core';
import { FileRegistry } from '@mlops-actions/sagemaker';
import { repoRoot } from '../../../scripts/lib/paths.js';
import { prepareDemoWorkspace } from '../../../scripts/workflow/demo-workspace.js';
import { loadWorkflow } from '../../../scripts/workflow/workflow-file.js';
import { type GitHubApi, startGitHubApi } from '../../harness/github-api.js';
import { readTarWithPython } from '../../unit/sagemaker/helpers.js';
import { runLogged, stepOutputs } from './helpers.js';

const examples = path.join(repoRoot, 'workflows-examples');

async function demoWorkspace(): Promise<{ workspace: string; registry: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'examples-test-'));
  const workspace = path.join(root, 'workspace');
  await prepareDemoWorkspace(repoRoot, workspace);
  return { workspace, registry: path.join(root, 'model-registry') };
}

const example = (workspace: string, name: string) => path.join(workspace, 'workflows-examples', name);

describe('example workflows: what they ask of the actions', () => {
  it('are valid, run locally, and give each action only inputs its action.yml declares, and every required one', async () => {
    const files = (await readdir(examples)).filter((name) => name.endsWith('.yml'));
    assert.deepEqual(files.sort(), ['baseline.yml', 'ci.yml', 'ct.yml']);
    for (const file of files) {
      const workflow = await loadWorkflow(path.join(examples, file), repoRoot);
      for (const job of workflow.jobs) {
        for (const step of job.steps) {
          if (step.action.kind !== 'local') continue;
          const given: string[] = [];
          if (step.with && isMapping(step.with)) for (const { key } of step.with) given.push(String(key));
          const declared = step.action.metadata.inputs;
          const where = `${file} ${job.id}.${step.id} (${step.action.uses})`;
          for (const name of given) assert.ok(name in declared, `${where}: input ${name} is not in action.yml`);
          for (const [name, spec] of Object.entries(declared)) {
            if (spec.required) assert.ok(given.includes(name), `${where}: required input ${name} is missing`);
          }
        }
      }
    }
  });
});

describe('npm run demo (scripts/demo.ts)', () => {
  it('runs ci.yml in a temporary workspace, exits 0, and points at files outside the repository', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'demo.ts')], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stdout);
    assert.match(stdout, /Demo: workflows-examples\/ci\.yml ran locally: success in \d+\.\d s/);
    const listed = [
      ...stdout.matchAll(/^ {2}(step summaries|log|jobs, steps, outputs|data validation|model|gate report) +(\S+)$/gm),
    ];
    assert.equal(listed.length, 6, stdout);
    for (const [, label, where] of listed) {
      assert.ok(existsSync(where!), `${label}: ${where} does not exist`);
      assert.ok(where!.startsWith(os.tmpdir()) && !where!.startsWith(repoRoot), `${label} is not in a temp folder`);
    }
    const summary = await readFile(listed[0]![2]!, 'utf8');
    assert.match(summary, /## ✅ Data validation passed/);
    assert.match(summary, /## ✅ Training job penguins-ci-\d+-1 completed \(local\)/);
    assert.match(summary, /## ✅ Evaluation gate passed: 4 of 4 rules/);
  });
});

describe('ci.yml: pull-request pipeline', () => {
  it('passes a first model without a champion, then gates the next run against it once registered', async () => {
    const { workspace, registry } = await demoWorkspace();
    const dispatch = () =>
      runLogged({
        workflowFile: example(workspace, 'ci.yml'),
        workspace,
        event: 'workflow_dispatch',
        inputs: { backend: 'local' },
        vars: { MODEL_REGISTRY: registry },
      });

    const first = await dispatch();
    assert.equal(first.result.conclusion, 'success', first.log);
    assert.deepEqual(
      first.result.runs[0]!.steps.filter((s) => s.outcome !== 'skipped').map((s) => s.id),
      ['__actions_checkout', 'data', 'train', 'gate', '__actions_upload-artifact', 'post-train'],
      'checkout, the three actions, the artifact upload (skipped locally with a notice) and train post step',
    );
    assert.deepEqual(
      first.result.annotations.filter((a) => a.level !== 'notice'),
      [],
      'no warning: every input is declared',
    );
    const data = stepOutputs(first.result, 'model', 'data');
    assert.equal(data.passed, 'true');
    assert.equal(data['row-count'], '344');
    const train = stepOutputs(first.result, 'model', 'train');
    assert.equal(train.status, 'Completed');
    const trained = JSON.parse(train.metrics!) as Record<string, number>;
    assert.ok(trained.accuracy! >= 0.9 && trained.macro_f1! >= 0.85, train.metrics);
    const model = readTarWithPython(train['model-data']!);
    assert.deepEqual(
      model.map((m) => m.name),
      ['model.json'],
    );
    assert.deepEqual((JSON.parse(model[0]!.text!) as { classes: string[] }).classes, ['Adelie', 'Chinstrap', 'Gentoo']);
    const gate = stepOutputs(first.result, 'model', 'gate');
    assert.equal(gate.passed, 'true');
    assert.deepEqual(JSON.parse(gate.champion!), { id: 'none' });
    assert.equal(first.result.jobs.model!.outputs.passed, 'true');

    // What register-model will do when a model is approved for production.
    await new FileRegistry(openStorage({}), registry).register({
      group: 'penguins',
      status: 'Approved',
      modelData: train['model-data']!,
      metrics: trained,
      metadata: { trainingJob: train['job-name']! },
    });

    const second = await dispatch();
    assert.equal(second.result.conclusion, 'success', second.log);
    const secondGate = stepOutputs(second.result, 'model', 'gate');
    assert.equal(JSON.parse(secondGate.champion!).id, `${registry}#penguins/v1`);
    const results = JSON.parse(secondGate.results!) as { rule: string; championValue?: number; passed: boolean }[];
    const againstChampion = results.filter((r) => r.rule.includes('champion.'));
    assert.equal(againstChampion.length, 2);
    for (const rule of againstChampion) {
      assert.equal(rule.passed, true);
      assert.equal(typeof rule.championValue, 'number', JSON.stringify(rule));
    }
    assert.doesNotMatch(second.summary, /this is the first model/);
    assert.notEqual(stepOutputs(second.result, 'model', 'train')['job-name'], train['job-name'], 'a job per run');
  });

  describe('on a pull request', () => {
    let github: GitHubApi;
    before(async () => {
      github = await startGitHubApi();
    });
    after(() => github?.stop());

    it('posts the gate report as one sticky comment on the pull request', async () => {
      const { workspace, registry } = await demoWorkspace();
      const token = 'ghs_exampleTokenOfTheLocalRun0000000000000';
      const pullRequest = () =>
        runLogged({
          workflowFile: example(workspace, 'ci.yml'),
          workspace,
          event: 'pull_request',
          repository: 'octo-org/ml-repo',
          vars: { MODEL_REGISTRY: registry },
          secrets: { GITHUB_TOKEN: token },
          apiUrl: github.url,
        });
      const first = await pullRequest();
      assert.equal(first.result.conclusion, 'success', first.log);
      assert.equal(github.comments.length, 1);
      const [comment] = github.comments;
      assert.equal(comment!.issueNumber, 1);
      assert.equal(`${comment!.owner}/${comment!.repo}`, 'octo-org/ml-repo');
      assert.match(comment!.body, /Evaluation gate passed: 4 of 4 rules/);
      assert.ok(!first.log.includes(token), 'the token is masked');

      const again = await pullRequest();
      assert.equal(again.result.conclusion, 'success', again.log);
      assert.equal(github.comments.length, 1, 'the second run updates the comment');
    });
  });
});

describe('ct.yml: continuous training', () => {
  it('on its schedule: checks the data, retrains, gates and reports', async () => {
    const { workspace, registry } = await demoWorkspace();
    const { result, log, summary } = await runLogged({
      workflowFile: example(workspace, 'ct.yml'),
      workspace,
      event: 'schedule',
      vars: { MODEL_REGISTRY: registry },
    });
    assert.equal(result.conclusion, 'success', log);
    assert.deepEqual(Object.fromEntries(Object.entries(result.jobs).map(([id, job]) => [id, job.result])), {
      data: 'success',
      retrain: 'success',
      report: 'success',
    });
    assert.equal(result.jobs.data!.outputs.rows, '344');
    assert.equal(result.jobs.retrain!.outputs.passed, 'true');
    assert.match(
      summary,
      /## Continuous training\nRetrained on 344 rows: the new model \(.+model\.tar\.gz\) passes the gate \(champion: none yet\)/,
    );
  });

  it('on repository_dispatch with data that fails validation: no retraining, and the report says why', async () => {
    const { workspace, registry } = await demoWorkspace();
    const csv = await readFile(path.join(examples, 'data', 'penguins.csv'), 'utf8');
    // A new snapshot where a unit changed upstream: body mass in kilograms.
    const broken = csv.replace(/^(([^,]*,){5})(\d+)(,)/gm, (_, head: string, _field, grams: string, comma: string) => {
      return `${head}${Number(grams) / 1000}${comma}`;
    });
    await writeFile(path.join(workspace, 'snapshot.csv'), broken);
    const { result, log, summary } = await runLogged({
      workflowFile: example(workspace, 'ct.yml'),
      workspace,
      event: 'repository_dispatch',
      payload: { action: 'training-data-updated', client_payload: { data: 'snapshot.csv' } },
      vars: { MODEL_REGISTRY: registry },
    });
    assert.equal(result.conclusion, 'failure');
    assert.equal(result.exitCode, 1);
    assert.deepEqual(Object.fromEntries(Object.entries(result.jobs).map(([id, job]) => [id, job.result])), {
      data: 'failure',
      retrain: 'skipped',
      report: 'success',
    });
    assert.match(log, /body_mass_g/);
    assert.match(summary, /Data check: failure; retraining: skipped\. The champion \(none yet\) stays\./);
  });
});

describe('baseline.yml', () => {
  it('suggests statistics.json and constraints.json for the committed data, with the committed columns', async () => {
    const { workspace } = await demoWorkspace();
    const { result, log } = await runLogged({
      workflowFile: example(workspace, 'baseline.yml'),
      workspace,
      event: 'workflow_dispatch',
      inputs: { destination: 'new-baseline' },
    });
    assert.equal(result.conclusion, 'success', log);
    // Names and types, not every number: the committed baseline stays valid when the engine's estimates improve.
    const features = async (dir: string) =>
      (
        JSON.parse(await readFile(path.join(dir, 'constraints.json'), 'utf8')) as {
          features: { name: string; inferred_type: string }[];
        }
      ).features.map((f) => `${f.name}: ${f.inferred_type}`);
    const suggested = await features(path.join(workspace, 'new-baseline'));
    assert.deepEqual(suggested, await features(path.join(examples, 'data', 'baseline')));
    assert.ok(existsSync(path.join(workspace, 'new-baseline', 'statistics.json')));
  });
});
