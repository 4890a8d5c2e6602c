// Parquet: value conversions, the column layout of nested schemas, and unreadable files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileMetaData } from 'hyparquet';
import { CancelledError, openStorage } from '@mlops-actions/core';
import { parquetCell, parquetColumns } from '../../../packages/data/src/readers/parquet.js';
import { profileSources } from '../../../packages/data/src/readers/index.js';
import { assertDataError, scratchDir, vegaData, writeFiles } from './helpers.js';

const storage = openStorage();
const flights = path.join(vegaData, 'flights-3m.parquet');

describe('Parquet values', () => {
  it('converts values for the profile', () => {
    assert.equal(parquetCell(12n), 12);
    assert.equal(parquetCell(2n ** 60n), 2 ** 60);
    assert.equal(parquetCell(1.5), 1.5);
    assert.equal(parquetCell('x'), 'x');
    assert.equal(parquetCell(true), true);
    assert.equal(parquetCell(null), null);
    assert.equal(parquetCell(undefined), null);
    assert.equal(parquetCell(new Date(Date.UTC(2024, 2, 5, 14))), '2024-03-05T14:00:00.000Z');
    assert.equal(parquetCell(new Uint8Array([1, 2, 255])), 'AQL/');
    assert.equal(parquetCell([1n, 'a', { b: new Uint8Array([0]) }]), '[1,"a",{"b":"AA=="}]');
    assert.equal(parquetCell({ key: 'value' }), '{"key":"value"}');
  });

  it('flattens struct fields to dotted columns and keeps lists and maps whole', () => {
    const metadata = {
      schema: [
        { name: 'root', num_children: 4 },
        { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
        { name: 'point', repetition_type: 'OPTIONAL', num_children: 2 },
        { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        { name: 'meta', repetition_type: 'OPTIONAL', num_children: 1 },
        { name: 'source', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'tags', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
        { name: 'attributes', repetition_type: 'OPTIONAL', logical_type: { type: 'MAP' }, num_children: 1 },
        { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
        { name: 'key', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
        { name: 'value', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      ],
    } as unknown as FileMetaData;
    assert.deepEqual(parquetColumns(metadata), [
      { name: 'id', leaves: [{ name: 'id', path: [] }] },
      {
        name: 'point',
        leaves: [
          { name: 'point.x', path: ['x'] },
          { name: 'point.meta.source', path: ['meta', 'source'] },
        ],
      },
      { name: 'tags', leaves: [{ name: 'tags', path: [] }] },
      { name: 'attributes', leaves: [{ name: 'attributes', path: [] }] },
    ]);
  });
});

describe('Parquet files', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  before(async () => ({ dir, cleanup } = await scratchDir()));
  after(() => cleanup());

  it('refuses a file that is not Parquet, or a truncated one, naming it', async () => {
    const bytes = readFileSync(flights);
    const [garbage, truncated] = await writeFiles(dir, {
      'garbage.parquet': 'this is not parquet at all, just text long enough',
      'truncated.parquet': bytes.subarray(0, bytes.length - 1000),
    });
    for (const file of [garbage!, truncated!]) {
      await assert.rejects(profileSources({ spec: file, storage, workers: 0 }), (error) =>
        assertDataError(error, { file, detail: /^not a readable Parquet file \(/ }),
      );
    }
  });

  it('refuses a Parquet file whose columns differ from the CSV before it', async () => {
    const [csv] = await writeFiles(dir, { 'flights.csv': 'date,delay,distance,origin\nx,1,2,ABC\n' });
    await assert.rejects(profileSources({ spec: `${csv}\n${flights}`, storage, workers: 0 }), (error) =>
      assertDataError(error, {
        file: flights,
        detail: /differ from those of .*flights\.csv: it has 'destination' in addition/,
      }),
    );
  });

  it('stops between column chunks when cancelled', async () => {
    const controller = new AbortController();
    const running = profileSources({
      spec: flights,
      storage,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await assert.rejects(running, CancelledError);
  });
});
