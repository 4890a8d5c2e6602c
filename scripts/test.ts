// npm test [unit|integration|e2e ...] [-- node test flags]: runs the suites with node's own test runner, TypeScript via tsx.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib/paths.js';

const SUITES = ['unit', 'integration', 'e2e'];
const args = process.argv.slice(2);
const dash = args.indexOf('--');
const suites = (dash === -1 ? args : args.slice(0, dash)).filter(Boolean);
const extra = dash === -1 ? [] : args.slice(dash + 1);
for (const suite of suites) {
  if (!SUITES.includes(suite)) {
    console.error(`unknown suite '${suite}'; expected one of ${SUITES.join(', ')}`);
    process.exit(2);
  }
}

function collect(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return collect(full);
    return entry.endsWith('.test.ts') ? [full] : [];
  });
}

const files = (suites.length ? suites : SUITES).flatMap((suite) => collect(path.join(repoRoot, 'test', suite))).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...extra, ...files],
  { cwd: repoRoot, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
