// JSON Lines: flattening, positional rows, blank lines, and errors at the failing byte.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { openStorage } from '@mlops-actions/core';
import { DatasetProfile } from '../../../packages/data/src/profile.js';
import { ChunkProblem } from '../../../packages/data/src/readers/csv.js';
import { locateJsonError } from '../../../packages/data/src/json.js';
import { addJsonRow, forEachLine, parseJsonLine } from '../../../packages/data/src/readers/jsonl.js';
import { profileSources } from '../../../packages/data/src/readers/index.js';
import { assertDataError, scratchDir, writeFiles } from './helpers.js';

describe('JSON Lines rows', () => {
  it('flattens nested objects to dotted paths and keeps arrays as JSON text', () => {
    const profile = new DatasetProfile();
    addJsonRow(profile, { a: 1, b: { c: 'x', d: { e: true } }, list: [1, { f: 2 }], empty: {}, none: null });
    assert.deepEqual(profile.columnNames, ['a', 'b.c', 'b.d.e', 'list', 'none']);
    assert.equal(profile.column('list')!.frequencies.entries()[0]!.value, '[1,{"f":2}]');
    assert.equal(profile.column('b.d.e')!.inferredType, 'Boolean');
    assert.equal(profile.missingCount(profile.column('none')!), 1);
    assert.equal(profile.rowCount, 1);
  });

  it('reads a top-level array as a positional row and a scalar as _c0', () => {
    const profile = new DatasetProfile();
    addJsonRow(profile, [1, 'two', [3]]);
    addJsonRow(profile, 4.5);
    assert.deepEqual(profile.columnNames, ['_c0', '_c1', '_c2']);
    assert.equal(profile.column('_c0')!.sum, 5.5);
    assert.equal(profile.column('_c2')!.frequencies.entries()[0]!.value, '[3]');
    assert.equal(profile.missingCount(profile.column('_c1')!), 1);
  });

  it('walks complete lines, skipping blank ones and a CR before each LF', () => {
    const bytes = Buffer.from('{"a":1}\r\n\n   \n{"a":2}\n{"a":');
    const seen: [string, number][] = [];
    const progress = forEachLine(bytes, 0, bytes.length, false, 100, (text, line) => seen.push([text, line]));
    assert.deepEqual(seen, [
      ['{"a":1}', 0],
      ['{"a":2}', 3],
    ]);
    assert.deepEqual(progress, { consumed: 22, lines: 4, records: 2 });
    const atEnd = forEachLine(bytes, 22, bytes.length, true, 100, () => {});
    assert.equal(atEnd.consumed, bytes.length);
  });

  it('reports invalid UTF-8 and over-long lines with their position', () => {
    const invalid = Buffer.from('{"a":"ok"}\n{"a":"\xe9"}\n', 'latin1');
    assert.throws(
      () => forEachLine(invalid, 0, invalid.length, true, 100, () => {}),
      (error) => error instanceof ChunkProblem && error.line === 1 && error.column === 7,
    );
    const long = Buffer.from('{"a":"0123456789"}\n');
    assert.throws(
      () => forEachLine(long, 0, long.length, true, 10, () => {}),
      (error) => error instanceof ChunkProblem && /line longer than 10 bytes/.test(error.detail),
    );
  });
});

describe('JSON syntax errors', () => {
  it('points at the failing character, in bytes', () => {
    const cases: [string, number, RegExp][] = [
      ['{"a": }', 7, /expected a JSON value, found '}'/],
      ['{"a": 1,}', 9, /property name/],
      ['{"é": tru}', 8, /found 'tru'/], // é is two bytes
      ['[1, 2', 6, /end of the document/],
      ['{"a": 1} x', 10, /found 'x'/],
      ['"unterminated', 1, /unterminated string/], // the opening quote says which string was left open
    ];
    for (const [text, column, detail] of cases) {
      assert.throws(
        () => parseJsonLine(text, 4),
        (error) => {
          assert.ok(error instanceof ChunkProblem);
          assert.equal(error.line, 4);
          assert.equal(error.column, column, text);
          assert.match(error.detail, /^not valid JSON: /);
          assert.match(error.detail, detail);
          return true;
        },
      );
    }
  });

  it('finds no error in valid JSON and an error wherever JSON.parse fails', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        assert.equal(locateJsonError(text).offset, text.length);
      }),
    );
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('}', ']', ',', ':', '"', 'x', '\\'), (text, at, junk) => {
        const broken = text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1));
        let valid = true;
        try {
          JSON.parse(broken);
        } catch {
          valid = false;
        }
        if (valid) return;
        const { offset } = locateJsonError(broken);
        // A stray quote or backslash can open a string that only the end of the line shows to be unterminated.
        if (junk === '"' || junk === '\\') assert.ok(offset <= broken.length, broken);
        else assert.ok(offset < broken.length, broken);
      }),
    );
  });
});

describe('profileSources: JSON Lines files', () => {
  const storage = openStorage();
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  before(async () => ({ dir, cleanup } = await scratchDir()));
  after(() => cleanup());

  it('profiles .jsonl, .ndjson and .json.gz files, keys appearing as they come', async () => {
    const [a, b, c] = await writeFiles(dir, {
      'a.jsonl': '{"x": 1}\n{"x": 2, "y": {"z": "p"}}\n',
      'b.ndjson': '{"y": {"z": "q"}}\n',
      'c.json.gz': gzipSync('{"x": 3}\n'),
    });
    const result = await profileSources({ spec: `${a}\n${b}\n${c}`, storage, workers: 0 });
    assert.deepEqual(result.profile.columnNames, ['x', 'y.z']);
    assert.equal(result.rows, 4);
    assert.equal(result.profile.column('x')!.sum, 6);
    assert.equal(result.profile.missingCount(result.profile.column('x')!), 1);
  });

  it('reports a syntax error with the file, line and column', async () => {
    const [uri] = await writeFiles(dir, { 'bad.jsonl': '{"a": 1}\n\n{"a": 2, "b": [1, 2}\n' });
    await assert.rejects(profileSources({ spec: uri!, storage, workers: 0 }), (error) =>
      assertDataError(error, { file: uri, line: 3, column: 20, detail: /^not valid JSON/ }),
    );
  });

  it('fails on an empty JSON Lines file', async () => {
    const [uri] = await writeFiles(dir, { 'empty.jsonl': '\n  \n' });
    await assert.rejects(profileSources({ spec: uri!, storage, workers: 0 }), (error) =>
      assertDataError(error, { file: uri, detail: /^is empty$/ }),
    );
  });
});
