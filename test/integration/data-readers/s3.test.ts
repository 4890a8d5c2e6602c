// The readers against a real moto_server S3: a prefix holding several CSV files (one gzipped) and a Parquet file,
// read through the real SDK client. A middleware records every GetObject to prove the Parquet object is read by
// ranges and never fetched whole.
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { DataError, openStorage, s3Client, type Storage } from '@mlops-actions/core';
import { profileSources, resolveSources } from '../../../packages/data/src/readers/index.js';
import { applyEnv, type Moto, motoSkip, startMoto } from '../../harness/moto.js';

const BUCKET = 'readers-test';
const parquetBytes = readFileSync(
  path.resolve(import.meta.dirname, '../../../node_modules/vega-datasets/data/flights-3m.parquet'),
);

/** Rows with the columns of flights-3m.parquet, so CSV and Parquet files form one dataset. */
function flightsCsv(rows: number, offset: number): string {
  let text = 'date,delay,distance,origin,destination\n';
  for (let i = 0; i < rows; i++) {
    const day = String(1 + ((i + offset) % 28)).padStart(2, '0');
    text += `2001-02-${day}T10:00:00.000Z,${((i * 7) % 50) - 10},${100 + i},"S${i % 3}","D, ${i % 5}"\n`;
  }
  return text;
}

interface GetRecord {
  key: string;
  range: string | undefined;
}

describe('readers on S3 (moto_server)', { skip: motoSkip() }, () => {
  let moto: Moto;
  let restoreEnv: () => void = () => {};
  let client: S3Client;
  let storage: Storage;
  const gets: GetRecord[] = [];

  before(async () => {
    moto = await startMoto();
    restoreEnv = applyEnv(moto.env);
    client = s3Client({ action: 'readers-test', version: '0.0.0' });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetObjectCommand') {
          const input = args.input as { Key: string; Range?: string };
          gets.push({ key: input.Key, range: input.Range });
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordGetObject' },
    );
    storage = openStorage({ s3: () => client });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const put = (key: string, body: string | Buffer) =>
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    await put('dataset/part-0.csv', flightsCsv(3000, 0));
    await put('dataset/part-1.csv.gz', gzipSync(flightsCsv(2000, 5)));
    await put('dataset/part-2.csv', flightsCsv(40_000, 9));
    await put('dataset/flights.parquet', parquetBytes);
    await put('dataset/_SUCCESS', '');
    await put('dataset-old/stale.csv', 'not,part,of,the,dataset\n');
  });

  after(async () => {
    restoreEnv();
    await moto?.stop();
  });

  it('resolves a prefix to its data objects, in key order, skipping markers and look-alike prefixes', async () => {
    const sources = await resolveSources(`s3://${BUCKET}/dataset`, { storage });
    assert.deepEqual(
      sources.map((source) => [source.uri, source.format, source.compression]),
      [
        [`s3://${BUCKET}/dataset/flights.parquet`, 'parquet', 'none'],
        [`s3://${BUCKET}/dataset/part-0.csv`, 'csv', 'none'],
        [`s3://${BUCKET}/dataset/part-1.csv.gz`, 'csv', 'gzip'],
        [`s3://${BUCKET}/dataset/part-2.csv`, 'csv', 'none'],
      ],
    );
    assert.equal(sources[0]!.size, parquetBytes.length);
  });

  it('profiles the whole prefix, reading the Parquet object only by ranges', async () => {
    gets.length = 0;
    const result = await profileSources({
      spec: `s3://${BUCKET}/dataset/`,
      storage,
      workers: 2,
      windowBytes: 256 * 1024,
    });
    assert.equal(result.rows, 3_000_000 + 3000 + 2000 + 40_000);
    assert.deepEqual(
      result.files.map((file) => file.rows),
      [3_000_000, 3000, 2000, 40_000],
    );
    assert.deepEqual(result.profile.columnNames, ['date', 'delay', 'distance', 'origin', 'destination']);
    assert.equal(result.profile.column('delay')!.inferredType, 'Integral');

    const parquetGets = gets.filter((get) => get.key === 'dataset/flights.parquet');
    assert.ok(parquetGets.length > 11, `${parquetGets.length} ranged GETs (11 row groups × 5 columns + footer)`);
    let fetched = 0;
    for (const { range } of parquetGets) {
      const match = /^bytes=(\d+)-(\d+)$/.exec(range ?? '');
      assert.ok(match, `every Parquet GET has a Range header, got ${range}`);
      const length = Number(match[2]) - Number(match[1]) + 1;
      assert.ok(length < parquetBytes.length / 4, `a GET of ${length} bytes`);
      fetched += length;
    }
    assert.ok(fetched < parquetBytes.length * 1.1, `fetched ${fetched} of ${parquetBytes.length} bytes`);
    // The CSV objects are streamed with one GET each.
    for (const key of ['dataset/part-0.csv', 'dataset/part-1.csv.gz', 'dataset/part-2.csv']) {
      assert.deepEqual(
        gets.filter((get) => get.key === key).map((get) => get.range),
        [undefined],
        key,
      );
    }
  });

  it('gives the same CSV profile from S3 as from the same bytes on disk, with and without workers', async () => {
    const uri = `s3://${BUCKET}/dataset/part-2.csv`;
    const inline = await profileSources({ spec: uri, storage, workers: 0, windowBytes: 64 * 1024 });
    const parallel = await profileSources({ spec: uri, storage, workers: 2, windowBytes: 64 * 1024 });
    assert.deepEqual(parallel.profile.toState(), inline.profile.toState());
    assert.equal(inline.profile.column('destination')!.frequencies.distinctCount(), 5);
  });

  it('fails with DataErrors naming a missing key and a prefix with nothing under it', async () => {
    await assert.rejects(
      profileSources({ spec: `s3://${BUCKET}/dataset/missing.csv`, storage }),
      (error) =>
        error instanceof DataError && error.message.includes(`s3://${BUCKET}/dataset/missing.csv does not exist`),
    );
    await assert.rejects(
      profileSources({ spec: `s3://${BUCKET}/nothing-here/`, storage }),
      (error) => error instanceof DataError && error.message.includes(`s3://${BUCKET}/nothing-here/`),
    );
  });
});
