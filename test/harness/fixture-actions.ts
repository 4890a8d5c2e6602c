// Builds test-only actions (like the probe) into a temporary repository layout, actions/<name> beside dist/<name>,
// so their action.yml paths resolve exactly as the real actions' do.
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleAction } from '../../scripts/lib/bundle.js';

export async function buildFixtureAction(sourceDir: string): Promise<string> {
  const name = path.basename(sourceDir);
  const root = await mkdtemp(path.join(os.tmpdir(), 'mlops-fixture-action-'));
  const actionDir = path.join(root, 'actions', name);
  await cp(sourceDir, actionDir, { recursive: true });
  // ncc resolves @mlops-actions/* and @actions/* from the source's location, so bundle from the repo copy.
  await bundleAction(sourceDir, path.join(root, 'dist', name));
  return actionDir;
}
