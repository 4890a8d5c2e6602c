// Real public data (vega-datasets): statistics checked against values computed independently — Python's csv module
// for seattle-weather.csv (test/fixtures/readers/seattle-weather-reference.py), and the Parquet file's own column
// statistics (written by Polars) and a direct hyparquet read for flights-3m.parquet.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { openStorage, type Storage } from '@mlops-actions/core';
import { DatasetProfile } from '../../../packages/data/src/profile.js';
import { parquetCell } from '../../../packages/data/src/readers/parquet.js';
import { profileSources } from '../../../packages/data/src/readers/index.js';
import { readerFixtures, vegaData } from './helpers.js';

interface NumberReference {
  kind: 'number';
  count: number;
  sum: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}
interface TextReference {
  kind: 'text';
  count: number;
  distinct: number;
  top: [string, number][];
}
interface SeattleReference {
  rows: number;
  columns: string[];
  statistics: Record<string, NumberReference | TextReference>;
}

const storage = openStorage();
const relativeError = (actual: number, expected: number) =>
  Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);

describe('seattle-weather.csv against Python csv', () => {
  const reference = JSON.parse(
    readFileSync(path.join(readerFixtures, 'seattle-weather.reference.json'), 'utf8'),
  ) as SeattleReference;
  const file = path.join(vegaData, 'seattle-weather.csv');

  it('matches the row count, the columns and every statistic', async () => {
    const { profile, rows } = await profileSources({ spec: file, storage, workers: 0 });
    assert.equal(rows, reference.rows);
    assert.deepEqual(profile.columnNames, reference.columns);
    for (const [name, expected] of Object.entries(reference.statistics)) {
      const column = profile.column(name)!;
      assert.equal(column.present, expected.count, name);
      if (expected.kind === 'number') {
        assert.equal(column.inferredType, 'Fractional', name);
        assert.equal(column.min, expected.min, name);
        assert.equal(column.max, expected.max, name);
        assert.ok(relativeError(column.sum, expected.sum) < 1e-12, `${name} sum ${column.sum} vs ${expected.sum}`);
        assert.ok(relativeError(column.mean, expected.mean) < 1e-12, `${name} mean`);
        assert.ok(relativeError(column.populationStdDev, expected.std) < 1e-9, `${name} std`);
      } else {
        assert.equal(column.inferredType, 'String', name);
        // Exact up to 1000 distinct values; beyond, the HyperLogLog estimate (±0.81 % standard error).
        const distinct = column.frequencies.distinctCount();
        if (expected.distinct <= 1000) assert.equal(distinct, expected.distinct, name);
        else assert.ok(relativeError(distinct, expected.distinct) < 0.03, `${name} distinct ${distinct}`);
        if (column.frequencies.isExact) {
          const top = column.frequencies
            .entries()
            .slice(0, expected.top.length)
            .map(({ value, count }) => [value, count]);
          assert.deepEqual(top, expected.top, name);
        }
      }
    }
  });

  it('gives the same profile in worker threads with many small chunks', async () => {
    const inline = await profileSources({ spec: file, storage, workers: 0, windowBytes: 2048 });
    const parallel = await profileSources({ spec: file, storage, workers: 2, windowBytes: 2048 });
    assert.deepEqual(parallel.profile.toState(), inline.profile.toState());
    assert.equal(parallel.rows, reference.rows);
  });
});

describe('flights-3m.parquet', () => {
  const file = path.join(vegaData, 'flights-3m.parquet');
  const bytes = readFileSync(file);
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

  it('matches the metadata row count and the column statistics Polars wrote, reading by ranges', async () => {
    const metadata = await parquetMetadataAsync(arrayBuffer);
    const ranges: number[] = [];
    const counting: Storage = {
      ...storage,
      async readRange(location, start, end, options) {
        ranges.push(end - start);
        return storage.readRange(location, start, end, options);
      },
      async readStream() {
        throw new Error('a Parquet file must be read by ranges, not streamed');
      },
    };
    const first = await profileSources({ spec: file, storage: counting, workers: 0 });
    assert.equal(first.rows, Number(metadata.num_rows));
    assert.deepEqual(first.profile.columnNames, ['date', 'delay', 'distance', 'origin', 'destination']);
    // No read fetched the file whole; together they fetched about one file (each column chunk once, plus the footer).
    assert.ok(Math.max(...ranges) < bytes.length / 4, `largest read ${Math.max(...ranges)}`);
    const total = ranges.reduce((sum, length) => sum + length, 0);
    assert.ok(total < bytes.length * 1.1, `read ${total} bytes of ${bytes.length}`);

    for (const [index, name] of [
      [1, 'delay'],
      [2, 'distance'],
    ] as const) {
      const stats = metadata.row_groups.map((group) => group.columns[index]!.meta_data!.statistics!);
      const min = Math.min(...stats.map((s) => Number(s.min_value)));
      const max = Math.max(...stats.map((s) => Number(s.max_value)));
      const column = first.profile.column(name)!;
      assert.equal(column.inferredType, 'Integral');
      assert.equal(column.present, first.rows);
      assert.equal(column.min, min, `${name} min`);
      assert.equal(column.max, max, `${name} max`);
      assert.ok(column.mean > min && column.mean < max);
    }
    const date = first.profile.column('date')!;
    assert.equal(date.inferredType, 'String');
    assert.match(String(date.frequencies.entries()[0]!.value), /^2001-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);

    // Origins, counted straight from hyparquet without the reader.
    const origins = await parquetReadObjects({ file: arrayBuffer, columns: ['origin'], compressors });
    const counts = new Map<string, number>();
    for (const row of origins) counts.set(row.origin as string, (counts.get(row.origin as string) ?? 0) + 1);
    const origin = first.profile.column('origin')!;
    assert.equal(origin.frequencies.distinctCount(), counts.size);
    for (const { value, count } of origin.frequencies.entries().slice(0, 5))
      assert.equal(count, counts.get(value as string));
  });

  it('profiles the numeric columns exactly as hyparquet reads them whole, value by value in order', async () => {
    const result = await profileSources({ spec: file, storage, workers: 0 });
    const rows = await parquetReadObjects({ file: arrayBuffer, columns: ['delay', 'distance'], compressors });
    const reference = new DatasetProfile(['delay', 'distance']);
    for (const row of rows) {
      reference.addValue(0, parquetCell(row.delay));
      reference.addValue(1, parquetCell(row.distance));
    }
    // profileSources merges each file's profile into an empty one, as it merges several files.
    const merged = new DatasetProfile([]).merge(reference);
    for (const name of ['delay', 'distance']) {
      assert.deepEqual(result.profile.column(name)!.toState(), merged.column(name)!.toState(), name);
    }
  });

  it('is stable: the same profile on every read', async () => {
    const a = await profileSources({ spec: file, storage, workers: 0 });
    const b = await profileSources({ spec: file, storage, workers: 2 });
    assert.deepEqual(b.profile.toState(), a.profile.toState());
  });
});
