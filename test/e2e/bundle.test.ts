// The build refuses a bundle with an unresolved import instead of shipping one that crashes on the runner.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { bundleAction, unresolvedModules } from '../../scripts/lib/bundle.js';
import { repoRoot } from '../../scripts/lib/paths.js';

const scratch = path.join(repoRoot, '.tmp');
let root = '';
after(() => rm(root, { recursive: true, force: true }));

describe('bundle guard', () => {
  it('recognizes the signatures of modules ncc could not inline', () => {
    assert.deepEqual(unresolvedModules('x = eval("require")("fs"); y = eval("require")("left-pad")'), ['left-pad']);
    assert.deepEqual(unresolvedModules('var e = new Error("Cannot find module"); e.code; webpackMissingModule()'), [
      'webpackMissingModule',
    ]);
    assert.deepEqual(unresolvedModules('import fs from "node:fs"'), []);
  });

  it('fails the build of an action whose import cannot be resolved', async () => {
    await mkdir(scratch, { recursive: true });
    root = await mkdtemp(path.join(scratch, 'bundle-'));
    const action = path.join(root, 'actions', 'broken');
    await mkdir(path.join(action, 'src'), { recursive: true });
    // The type error is silenced so the guard, not the compiler, is what catches it, as with a JS dependency.
    const source = "// @ts-ignore\nimport { nothing } from 'not-a-package-anywhere';\nconsole.log(nothing);\n";
    await writeFile(path.join(action, 'src', 'index.ts'), source);
    await assert.rejects(
      bundleAction(action, path.join(root, 'dist', 'broken')),
      /Cannot find module.*not-a-package-anywhere/,
    );
  });
});
