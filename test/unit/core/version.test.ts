import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { it } from 'node:test';
import { MLOPS_ACTIONS_VERSION } from '@mlops-actions/core';
import { repoRoot } from '../../../scripts/lib/paths.js';

it('the user-agent version is the package version', async () => {
  const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(MLOPS_ACTIONS_VERSION, pkg.version);
});
