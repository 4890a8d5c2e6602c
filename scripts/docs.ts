// npm run docs: regenerate action-README.md's tables; `npm run docs -- --check` fails when they are out of date.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderDocs } from './lib/docs.js';
import { repoRoot } from './lib/paths.js';

const file = path.join(repoRoot, 'action-README.md');
const current = await readFile(file, 'utf8');
const next = await renderDocs(repoRoot, current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('action-README.md is out of date with the action.yml files: run `npm run docs` and commit it.');
    process.exit(1);
  }
  console.log('action-README.md is in sync with the action.yml files');
} else if (next !== current) {
  await writeFile(file, next);
  console.log('action-README.md updated');
} else {
  console.log('action-README.md already up to date');
}
