// The reader's worker threads run from an ncc bundle: a tiny action entry is bundled the way the build bundles the
// actions (bundleAction), then run with plain node on a CSV large enough to be profiled by two workers. The entry
// guards itself as a bundled action must (see packages/data/src/readers/worker.ts): the bundle is also the code of
// its worker threads.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { bundleAction } from '../../../scripts/lib/bundle.js';
import { repoRoot } from '../../../scripts/lib/paths.js';

const run = promisify(execFile);
const scratch = path.join(repoRoot, '.tmp');

const ENTRY = `
import { openStorage } from '@mlops-actions/core';
import { isReaderWorkerThread, profileSources } from '../../../../../packages/data/src/readers/index.js';

if (!isReaderWorkerThread()) {
  const [spec, workers] = process.argv.slice(2);
  const result = await profileSources({
    spec: spec!,
    storage: openStorage(),
    workers: Number(workers),
    windowBytes: 64 * 1024,
  });
  const value = result.profile.column('value')!;
  console.log(JSON.stringify({
    rows: result.rows,
    columns: result.profile.columnNames,
    sum: value.sum,
    state: JSON.stringify(result.profile.toState(), (_key, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)),
    warnings: result.warnings,
  }));
}
`;

describe('reader workers in an ncc bundle', () => {
  let root = '';
  let bundle = '';
  let csv = '';

  before(async () => {
    await mkdir(scratch, { recursive: true });
    root = await mkdtemp(path.join(scratch, 'reader-bundle-'));
    const action = path.join(root, 'actions', 'profile-csv');
    await mkdir(path.join(action, 'src'), { recursive: true });
    await writeFile(path.join(action, 'src', 'index.ts'), ENTRY);
    // Type-check only what the bundle holds, not every file of the repository (ncc compiles with the nearest tsconfig).
    await writeFile(
      path.join(action, 'tsconfig.json'),
      JSON.stringify({
        extends: path.relative(action, path.join(repoRoot, 'tsconfig.json')),
        compilerOptions: { rootDir: repoRoot },
        include: ['src/**/*.ts'],
      }),
    );
    const out = path.join(root, 'dist', 'profile-csv');
    await bundleAction(action, out);
    bundle = path.join(out, 'index.js');
    csv = path.join(root, 'data.csv');
    let text = 'id,value,name\n';
    for (let i = 0; i < 20_000; i++) text += `${i},${(i % 97) / 4},"n, ${i % 13}"\n`;
    await writeFile(csv, text);
  });

  after(() => rm(root, { recursive: true, force: true }));

  it('profiles a CSV with two workers started from the bundle, as inline', async () => {
    const [parallel, inline] = await Promise.all(
      ['2', '0'].map(async (workers) => {
        const { stdout } = await run(process.execPath, [bundle, csv, workers], { cwd: root, timeout: 60_000 });
        return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
          rows: number;
          columns: string[];
          sum: number;
          state: string;
          warnings: string[];
        };
      }),
    );
    assert.deepEqual(parallel!.warnings, [], 'no fallback to the main thread');
    assert.equal(parallel!.rows, 20_000);
    assert.deepEqual(parallel!.columns, ['id', 'value', 'name']);
    assert.equal(parallel!.state, inline!.state);
  });
});
