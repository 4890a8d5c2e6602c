// npm run build: bundles every actions/<name>/src/{index,post}.ts into dist/<name>/ and reports each bundle's size.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { bundleAction, listActions } from './lib/bundle.js';
import { repoRoot } from './lib/paths.js';

const only = process.argv.slice(2);
const actions = (await listActions(repoRoot)).filter((dir) => only.length === 0 || only.includes(path.basename(dir)));
if (only.length === 0) await rm(path.join(repoRoot, 'dist'), { recursive: true, force: true });

let failed = false;
for (const dir of actions) {
  const name = path.basename(dir);
  const started = Date.now();
  try {
    const result = await bundleAction(dir, path.join(repoRoot, 'dist', name));
    const sizes = result.files.map((f) => `${f.file} ${(f.bytes / 1024).toFixed(0)} KiB`).join(', ');
    console.log(`dist/${name}: ${sizes} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed = true;
    console.error(`dist/${name}: ${(error as Error).message}`);
  }
}
if (actions.length === 0) console.log('no actions to bundle (actions/*/action.yml)');
if (failed) process.exit(1);
