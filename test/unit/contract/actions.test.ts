// Every action folder keeps the contract: schema-valid action.yml on node24 pointing at its bundle, described inputs,
// inputs read by the code equal to the inputs declared, and action-README.md generated from them.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { listActions } from '../../../scripts/lib/bundle.js';
import { renderDocs } from '../../../scripts/lib/docs.js';
import { repoRoot } from '../../../scripts/lib/paths.js';
import { checkActionContract } from '../../harness/contract.js';

const probe = path.join(repoRoot, 'test', 'harness', 'probe-action');
const actions = await listActions(repoRoot);

// Inside the repository, so the copies resolve @mlops-actions/* like the original does.
const scratch = path.join(repoRoot, '.tmp');
const copies: string[] = [];
after(() => Promise.all(copies.map((dir) => rm(dir, { recursive: true, force: true }))));

async function brokenCopy(edit: (yml: string) => string, extraSource?: string): Promise<string> {
  await mkdir(scratch, { recursive: true });
  const root = await mkdtemp(path.join(scratch, 'contract-'));
  copies.push(root);
  const dir = path.join(root, 'probe-action');
  await cp(probe, dir, { recursive: true });
  const file = path.join(dir, 'action.yml');
  await writeFile(file, edit(await readFile(file, 'utf8')));
  if (extraSource) await writeFile(path.join(dir, 'src', 'extra.ts'), extraSource);
  return dir;
}

describe('action contract', () => {
  for (const actionDir of actions) {
    it(`${path.basename(actionDir)} keeps the contract`, async () => {
      assert.deepEqual(await checkActionContract(actionDir), []);
    });
  }

  it('the probe action keeps the contract', async () => {
    assert.deepEqual(await checkActionContract(probe), []);
  });

  const broken: [string, (yml: string) => string, RegExp, string?][] = [
    ['a runtime other than node24', (y) => y.replace('using: node24', 'using: node20'), /runs.using is node20/],
    ['an unknown runtime', (y) => y.replace('using: node24', 'using: node22'), /schema: .*node22/],
    ['a main outside dist', (y) => y.replace('../../dist/probe-action/index.js', 'index.js'), /runs.main is index.js/],
    [
      'an undescribed input',
      (y) => y.replace(/ {4}description: Text echoed.*\n/, ''),
      /input 'message' has no description/,
    ],
    [
      'a declared input the code never reads',
      (y) => y.replace('outputs:', '  unused:\n    description: x\noutputs:'),
      /'unused' is declared but never read/,
    ],
    [
      'an input the code reads but does not declare',
      (y) => y.replace(/ {2}mode:\n(?: {4}.*\n)+/, ''),
      /reads undeclared input 'mode'/,
    ],
    [
      'a default that differs from the code',
      (y) => y.replace('default: echo', 'default: wait'),
      /'mode': default is "wait" in action.yml but "echo" in code/,
    ],
    [
      'a required flag that differs',
      (y) => y.replace('required: true', 'required: false'),
      /'message': required is false/,
    ],
    [
      'a direct input read',
      (y) => y,
      /extra.ts reads an input directly/,
      "import * as core from '@actions/core';\nexport const x = core.getInput('x');\n",
    ],
  ];
  for (const [what, edit, expected, extra] of broken) {
    it(`flags ${what}`, async () => {
      const problems = await checkActionContract(await brokenCopy(edit, extra));
      assert.ok(
        problems.some((p) => expected.test(p)),
        `expected ${expected} in ${JSON.stringify(problems)}`,
      );
    });
  }

  it('action-README.md is generated from the action.yml files', async () => {
    const current = await readFile(path.join(repoRoot, 'action-README.md'), 'utf8');
    assert.equal(await renderDocs(repoRoot, current), current, 'run `npm run docs`');
  });
});
