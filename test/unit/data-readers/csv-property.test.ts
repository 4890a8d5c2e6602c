// Property tests of the CSV reader: random tables written with random quoting and line ends parse back identically,
// however the bytes are split into windows and stream chunks, and profiles are the same inline and in workers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CollectingSink, CsvParser } from '../../../packages/data/src/readers/csv.js';
import { lastRecordBoundary } from '../../../packages/data/src/readers/windows.js';
import { profileSources } from '../../../packages/data/src/readers/index.js';
import { parseCsvText, rechunkingStorage, scratchDir, writeFiles } from './helpers.js';

/** Cells that stress the quoting rules: delimiters, quotes, CR, LF, CR LF, non-ASCII text, empty strings. */
const cell = fc.oneof(
  fc.constantFrom('', ',', '"', '""', '\n', '\r\n', '\r', 'a,b', 'say "hi"', ' padded ', 'Müller', '東京', '😀'),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.integer().map(String),
  fc.double({ noNaN: true }).map(String),
);

const table = fc
  .integer({ min: 1, max: 5 })
  .chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 25 }));

interface Style {
  alwaysQuote: boolean[];
  crlf: boolean[];
  finalLineEnd: boolean;
}

const style = fc.record({
  alwaysQuote: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
  crlf: fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }),
  finalLineEnd: fc.boolean(),
});

/** Writes a table as RFC 4180 CSV, quoting where needed and sometimes where not. */
function writeCsv(rows: string[][], { alwaysQuote, crlf, finalLineEnd }: Style): string {
  let out = '';
  rows.forEach((row, r) => {
    out += row
      .map((value, c) => {
        // A lone empty field would be a blank line, which the reader skips: quote it.
        const needs = /[",\r\n]/.test(value) || (row.length === 1 && value === '');
        return needs || alwaysQuote[(r * 7 + c) % 64] ? `"${value.replaceAll('"', '""')}"` : value;
      })
      .join(',');
    if (r < rows.length - 1 || finalLineEnd) out += crlf[r % 32] ? '\r\n' : '\n';
  });
  return out;
}

/** Parses `bytes` window by window, as the reader does, with the window ends given. */
function parseInWindows(bytes: Buffer, ends: number[]): string[][] {
  const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 1 << 20 });
  const sink = new CollectingSink();
  let start = 0;
  for (const end of [...ends.filter((e) => e < bytes.length).sort((a, b) => a - b), bytes.length]) {
    if (end <= start) continue;
    parser.parse(bytes, start, end, end === bytes.length, sink);
    start = parser.consumed;
  }
  return sink.rows;
}

describe('CSV properties', () => {
  it('parses a written table back identically', () => {
    fc.assert(
      fc.property(table, style, (rows, how) => {
        assert.deepEqual(parseCsvText(writeCsv(rows, how)), rows);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same records whatever the windows the bytes are parsed in', () => {
    fc.assert(
      fc.property(table, style, fc.array(fc.nat(), { maxLength: 12 }), (rows, how, cuts) => {
        const bytes = Buffer.from(writeCsv(rows, how));
        const ends = cuts.map((cut) => cut % (bytes.length + 1));
        assert.deepEqual(parseInWindows(bytes, ends), rows);
      }),
      { numRuns: 2000 },
    );
  });

  it('cuts well-formed CSV by quote parity exactly where the parser ends its last complete record', () => {
    fc.assert(
      fc.property(table, style, fc.nat(), (rows, how, cut) => {
        const bytes = Buffer.from(writeCsv(rows, how));
        const end = cut % (bytes.length + 1);
        const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 1 << 20 });
        parser.parse(bytes, 0, end, false, new CollectingSink());
        assert.equal(lastRecordBoundary(bytes, 0, end), parser.consumed > 0 ? parser.consumed : -1);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('CSV profiles: inline and in workers', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  before(async () => ({ dir, cleanup } = await scratchDir()));
  after(() => cleanup());

  it('are identical for any window size and stream chunking', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 300, maxLength: 800 }),
        style,
        fc.integer({ min: 64, max: 4096 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 5 }),
        async (rows, how, windowBytes, streamChunks) => {
          const text = writeCsv([['a', 'b', 'c'], ...rows], how);
          const [file] = await writeFiles(dir, { [`t${run++}.csv`]: text });
          const options = { spec: file!, header: true, windowBytes } as const;
          const inline = await profileSources({ ...options, storage: rechunkingStorage(streamChunks), workers: 0 });
          const parallel = await profileSources({ ...options, storage: rechunkingStorage(streamChunks), workers: 2 });
          assert.equal(inline.rows, rows.length);
          assert.deepEqual(parallel.profile.toState(), inline.profile.toState());
        },
      ),
      { numRuns: 6 },
    );
  });
});
