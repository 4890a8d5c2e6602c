// The demo's workspace: a throwaway checkout holding just what the example workflows use (the actions' metadata,
// their committed bundles, workflows-examples/), so a run never writes into the repository and needs no build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { listActions } from '../lib/bundle.js';
import { loadActionMetadata } from './runner-protocol.js';

export class DemoPrerequisiteError extends Error {}

/** What the local backend's training needs on this machine: python3 with numpy (workflows-examples/model/train.py). */
export function checkPython(): void {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new DemoPrerequisiteError(
      'The demo trains workflows-examples/model/train.py locally, which needs python3 with numpy ' +
        `(${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}): pip install numpy`,
    );
  }
}

/**
 * Copies into `workspace` every action with its bundle (`actions/<name>/action.yml` and the `dist/` folder its
 * `runs.main` points into) and `workflows-examples/`.
 */
export async function prepareDemoWorkspace(repoRoot: string, workspace: string): Promise<void> {
  await mkdir(workspace, { recursive: true });
  for (const actionDir of await listActions(repoRoot)) {
    const name = path.basename(actionDir);
    const metadata = await loadActionMetadata(actionDir);
    const bundleDir = path.dirname(path.resolve(actionDir, metadata.runs.main));
    if (!existsSync(path.resolve(actionDir, metadata.runs.main))) {
      throw new DemoPrerequisiteError(`${name}: ${metadata.runs.main} is missing; run npm run build`);
    }
    await cp(path.join(actionDir, 'action.yml'), path.join(workspace, 'actions', name, 'action.yml'));
    await cp(bundleDir, path.join(workspace, path.relative(repoRoot, bundleDir)), { recursive: true });
  }
  await cp(path.join(repoRoot, 'workflows-examples'), path.join(workspace, 'workflows-examples'), { recursive: true });
}
