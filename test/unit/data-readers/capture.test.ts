// SageMaker data capture: both sides, the three encodings, the payload shapes, and what is skipped or refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStorage } from '@mlops-actions/core';
import { DatasetProfile } from '../../../packages/data/src/profile.js';
import { addCaptureRecord, addJsonValueRows } from '../../../packages/data/src/readers/capture.js';
import { ChunkProblem } from '../../../packages/data/src/readers/csv.js';
import { profileSources } from '../../../packages/data/src/readers/index.js';
import { assertDataError, scratchDir, writeFiles } from './helpers.js';

interface Side {
  data: string;
  encoding: string;
  observedContentType?: string;
}

function record(input?: Side, output?: Side, id = 'e1'): string {
  const captureData: Record<string, unknown> = {};
  if (input) captureData.endpointInput = { mode: 'INPUT', observedContentType: 'text/csv', ...input };
  if (output) captureData.endpointOutput = { mode: 'OUTPUT', observedContentType: 'text/csv', ...output };
  return JSON.stringify({
    captureData,
    eventMetadata: { eventId: id, inferenceTime: '2024-03-05T14:00:00Z' },
    eventVersion: '0',
  });
}

function rowsOf(line: string, side: 'input' | 'output' = 'input') {
  const profile = new DatasetProfile();
  const tally = { skipped: 0 };
  const rows = addCaptureRecord(profile, JSON.parse(line), side, 0, tally);
  return { profile, rows, skipped: tally.skipped };
}

describe('capture records', () => {
  it('reads a CSV payload of several rows into positional columns', () => {
    const { profile, rows } = rowsOf(record({ data: '1,2.5,a\n3,4.5,b\n', encoding: 'CSV' }));
    assert.equal(rows, 2);
    assert.deepEqual(profile.columnNames, ['_c0', '_c1', '_c2']);
    assert.equal(profile.column('_c1')!.sum, 7);
    assert.equal(profile.column('_c2')!.inferredType, 'String');
  });

  it('reads the output side when asked', () => {
    const line = record({ data: '1,2\n', encoding: 'CSV' }, { data: '0.87\n', encoding: 'CSV' });
    const { profile, rows } = rowsOf(line, 'output');
    assert.equal(rows, 1);
    assert.equal(profile.column('_c0')!.sum, 0.87);
  });

  it('reads JSON payloads: instances, predictions, arrays and objects', () => {
    const json = (data: unknown) =>
      rowsOf(record({ data: JSON.stringify(data), encoding: 'JSON', observedContentType: 'application/json' }));
    const instances = json({
      instances: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    });
    assert.equal(instances.rows, 3);
    assert.equal(instances.profile.column('_c1')!.sum, 12);
    const objects = json({ instances: [{ a: 1, b: { c: 2 } }, { a: 3 }] });
    assert.deepEqual(objects.profile.columnNames, ['a', 'b.c']);
    assert.equal(objects.rows, 2);
    const predictions = json({ predictions: [0.1, 0.9] });
    assert.equal(predictions.rows, 2);
    assert.equal(predictions.profile.column('_c0')!.sum, 1);
    assert.equal(
      json([
        [1, 2],
        [3, 4],
      ]).rows,
      2,
    );
    assert.equal(json([1, 2, 3]).rows, 1);
    assert.equal(json({ features: [1, 2], label: 'x' }).profile.column('label')!.present, 1);
    assert.equal(json([]).rows, 0);
  });

  it('decodes BASE64 payloads by their content type, or by their first character', () => {
    const base64 = (text: string, observedContentType: string) =>
      rowsOf(record({ data: Buffer.from(text).toString('base64'), encoding: 'BASE64', observedContentType }));
    assert.equal(base64('1,2\n3,4\n', 'text/csv').rows, 2);
    assert.equal(base64('{"instances": [[1], [2], [3]]}', 'application/json').rows, 3);
    assert.equal(base64('{"a": 1}\n{"a": 2}\n', 'application/jsonlines').rows, 2);
    assert.equal(base64('[[1, 2]]', 'application/octet-stream').rows, 1);
    assert.deepEqual(base64('5,6,7', 'application/octet-stream').profile.columnNames, ['_c0', '_c1', '_c2']);
  });

  it('skips and counts records without the side being read', () => {
    const { rows, skipped } = rowsOf(record(undefined, { data: '1\n', encoding: 'CSV' }), 'input');
    assert.equal(rows, 0);
    assert.equal(skipped, 1);
  });

  it('refuses records that are not capture records, or have an unknown encoding or a broken payload', () => {
    const fails = (line: string, detail: RegExp) =>
      assert.throws(
        () => rowsOf(line),
        (error) => error instanceof ChunkProblem && detail.test(error.detail) && error.line === 0,
      );
    fails('{"hello": 1}', /not a SageMaker data capture record/);
    fails(record({ data: '1', encoding: 'XML' }), /encoding is "XML"; expected CSV, JSON or BASE64/);
    fails(
      record({ data: '1,"open\n', encoding: 'CSV' }),
      /endpointInput\.data: unclosed quote opened at line 1, column 3/,
    );
    fails(
      record({ data: '{"instances": [1,}', encoding: 'JSON', observedContentType: 'application/json' }),
      /endpointInput\.data: not valid JSON.*column 18 of the payload/,
    );
    fails(JSON.stringify({ captureData: { endpointInput: { data: 5, encoding: 'CSV' } } }), /data is not a string/);
  });

  it('turns a scalar JSON payload into one row', () => {
    const profile = new DatasetProfile();
    assert.equal(addJsonValueRows(profile, 0.5), 1);
    assert.equal(profile.column('_c0')!.sum, 0.5);
  });
});

describe('profileSources: capture files', () => {
  const storage = openStorage();
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  before(async () => ({ dir, cleanup } = await scratchDir()));
  after(() => cleanup());

  it('reads the .jsonl files of a capture layout, skipping other files, and warns about skipped records', async () => {
    await writeFiles(dir, {
      'capture/my-endpoint/AllTraffic/2024/03/05/14/00-00-000-a.jsonl':
        record({ data: '1,2\n3,4\n', encoding: 'CSV' }) +
        '\n' +
        record(undefined, { data: '1\n', encoding: 'CSV' }) +
        '\n',
      'capture/my-endpoint/AllTraffic/2024/03/05/15/00-00-000-b.jsonl':
        record({ data: '5,6\n', encoding: 'CSV' }) + '\n',
      'capture/my-endpoint/AllTraffic/2024/03/05/15/notes.txt': 'not capture data',
    });
    const result = await profileSources({ spec: `${dir}/capture`, format: 'capture', storage, workers: 0 });
    assert.equal(result.files.length, 2);
    assert.equal(result.rows, 3);
    assert.equal(result.profile.column('_c1')!.sum, 12);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]!, /1 capture record\(s\) without the side being profiled were skipped/);
  });

  it('locates a broken capture record by file and line', async () => {
    const [uri] = await writeFiles(dir, {
      'broken.jsonl': record({ data: '1\n', encoding: 'CSV' }) + '\n' + record({ data: 'x', encoding: 'YAML' }) + '\n',
    });
    await assert.rejects(profileSources({ spec: uri!, format: 'capture', storage, workers: 0 }), (error) =>
      assertDataError(error, { file: uri, line: 2, column: 1, detail: /encoding is "YAML"/ }),
    );
  });
});
