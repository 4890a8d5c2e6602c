// Resolving a data spec to files: paths, globs, folders, formats, and the errors for what matches nothing.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStorage } from '@mlops-actions/core';
import { formatFromName, resolveSources } from '../../../packages/data/src/readers/sources.js';
import { assertDataError, scratchDir, writeFiles } from './helpers.js';

const storage = openStorage();
let dir = '';
let cleanup: () => Promise<void> = async () => {};

before(async () => {
  ({ dir, cleanup } = await scratchDir('sources-'));
  await writeFiles(dir, {
    'data/a.csv': 'x\n1\n',
    'data/b.csv.gz': 'not really gzip',
    'data/sub/c.tsv': 'x\n2\n',
    'data/sub/d.jsonl': '{}\n',
    'data/e.ndjson': '{}\n',
    'data/f.json.gz': '',
    'data/g.parquet': 'PAR1',
    'data/_SUCCESS': '',
    'data/.h.csv.crc': '',
    'data/_tmp/i.csv': 'x\n',
    'data/README.md': '# not data',
    'other/notes.txt': 'text',
    'odd/table.data': 'x\n1\n',
  });
});
after(() => cleanup());

const names = (sources: { uri: string }[]) => sources.map((source) => path.relative(dir, source.uri));

describe('formatFromName', () => {
  it('knows the data extensions, with and without .gz', () => {
    assert.deepEqual(formatFromName('a.CSV'), { format: 'csv', compression: 'none' });
    assert.deepEqual(formatFromName('a.csv.gz'), { format: 'csv', compression: 'gzip' });
    assert.deepEqual(formatFromName('a.tsv'), { format: 'tsv', compression: 'none' });
    assert.deepEqual(formatFromName('a.jsonl'), { format: 'jsonl', compression: 'none' });
    assert.deepEqual(formatFromName('a.ndjson.gz'), { format: 'jsonl', compression: 'gzip' });
    assert.deepEqual(formatFromName('a.json.gz'), { format: 'jsonl', compression: 'gzip' });
    assert.deepEqual(formatFromName('part-0.snappy.parquet'), { format: 'parquet', compression: 'none' });
    for (const unknown of ['a.json', 'a.parquet.gz', 'a.txt', 'a.gz', 'csv'])
      assert.equal(formatFromName(unknown), undefined);
  });
});

describe('resolveSources', () => {
  it('resolves a file to itself with its size and format', async () => {
    const sources = await resolveSources(path.join(dir, 'data/a.csv'), { storage });
    assert.deepEqual(sources, [{ uri: path.join(dir, 'data/a.csv'), size: 4, format: 'csv', compression: 'none' }]);
  });

  it('lists a folder recursively in path order, skipping hidden and non-data files', async () => {
    const sources = await resolveSources(path.join(dir, 'data'), { storage });
    assert.deepEqual(names(sources), [
      'data/a.csv',
      'data/b.csv.gz',
      'data/e.ndjson',
      'data/f.json.gz',
      'data/g.parquet',
      'data/sub/c.tsv',
      'data/sub/d.jsonl',
    ]);
    assert.deepEqual(
      sources.map((source) => `${source.format}/${source.compression}`),
      ['csv/none', 'csv/gzip', 'jsonl/none', 'jsonl/gzip', 'parquet/none', 'tsv/none', 'jsonl/none'],
    );
  });

  it('matches globs (relative to cwd or absolute), in sorted order', async () => {
    const relative = await resolveSources('data/**/*.{csv,tsv}', { storage, cwd: dir });
    assert.deepEqual(names(relative), ['data/_tmp/i.csv', 'data/a.csv', 'data/sub/c.tsv']);
    const absolute = await resolveSources(path.join(dir, 'data/*.csv*'), { storage });
    assert.deepEqual(names(absolute), ['data/a.csv', 'data/b.csv.gz']);
  });

  it('keeps the order of the lines, ignores blank and # lines, and reads a file named twice once', async () => {
    const spec = [
      path.join(dir, 'data/sub/c.tsv'),
      '',
      '# comment',
      path.join(dir, 'data/a.csv'),
      path.join(dir, 'data/sub/c.tsv'),
    ].join('\n');
    assert.deepEqual(names(await resolveSources(spec, { storage })), ['data/sub/c.tsv', 'data/a.csv']);
  });

  it('uses the given format for every file, whatever its name', async () => {
    const sources = await resolveSources(path.join(dir, 'odd/table.data'), { storage, format: 'csv' });
    assert.equal(sources[0]!.format, 'csv');
    const folder = await resolveSources(path.join(dir, 'other'), { storage, format: 'tsv' });
    assert.deepEqual(names(folder), ['other/notes.txt']);
  });

  it('takes only .jsonl files as capture files under a prefix', async () => {
    const sources = await resolveSources(path.join(dir, 'data'), { storage, format: 'capture' });
    assert.deepEqual(names(sources), ['data/e.ndjson', 'data/f.json.gz', 'data/sub/d.jsonl']);
    assert.ok(sources.every((source) => source.format === 'capture'));
  });

  it('fails on a named file whose format the name does not tell', async () => {
    const file = path.join(dir, 'odd/table.data');
    await assert.rejects(resolveSources(file, { storage }), (error) =>
      assertDataError(error, { detail: /cannot tell the format of .*table\.data from its name/ }),
    );
  });

  it('fails on a missing file, a glob matching nothing and a folder without data, naming them', async () => {
    const missing = path.join(dir, 'nope.csv');
    await assert.rejects(resolveSources(missing, { storage }), (error) =>
      assertDataError(error, {
        detail: new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist$`),
      }),
    );
    await assert.rejects(resolveSources('data/*.xlsx', { storage, cwd: dir }), (error) =>
      assertDataError(error, { detail: /^data\/\*\.xlsx matches no file/ }),
    );
    await assert.rejects(resolveSources(path.join(dir, 'other'), { storage }), (error) =>
      assertDataError(error, { detail: /other holds no file with a data extension .*; found notes\.txt$/ }),
    );
    await assert.rejects(resolveSources('  \n# only a comment\n', { storage }), (error) =>
      assertDataError(error, { detail: /^no data given/ }),
    );
  });
});
