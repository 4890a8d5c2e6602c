// npm run check-dist: a clean rebuild must leave dist/ exactly as committed.
import { execFileSync } from 'node:child_process';
import { repoRoot } from './lib/paths.js';

execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: repoRoot, stdio: 'inherit' });
const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', 'dist/'], {
  cwd: repoRoot,
  encoding: 'utf8',
});
if (status.trim() !== '') {
  console.error('dist/ differs from a clean build of the sources. Run `npm run build` and commit dist/:');
  console.error(status);
  console.error(execFileSync('git', ['diff', '--stat', '--', 'dist/'], { cwd: repoRoot, encoding: 'utf8' }));
  process.exit(1);
}
console.log('dist/ is what a clean build produces');
