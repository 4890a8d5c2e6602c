// The CSV profile sink's fast path (records taken whole by `ProfileSink.fastRecord`, numbers decoded while the bytes
// are scanned) must profile exactly as the parser's own reading of the same records, cell by cell through addText.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DatasetProfile } from '../../../packages/data/src/profile.js';
import { ChunkProblem, CsvParser, ProfileSink } from '../../../packages/data/src/readers/csv.js';
import { parseCsvText } from './helpers.js';

/** Cells for the fast path and around it: numbers of every shape, quoted text, non-ASCII, quotes, CR, blanks. */
const cell = fc.oneof(
  fc.constantFrom('', '-', '-0', '0.0', '2.0', '5.', '.5', '-.5', '+7', '007', '1e3', '1.5e-3', ' 12', '12 ', 'true'),
  fc.constantFrom('NaN', 'null', '"quoted"', '"a,b"', '"say ""hi"""', '"two\nlines"', 'Müller', '"Chloé"', 'a\rb'),
  fc.constantFrom('1234567890123456', '123456789012345', '12345678.9012345', '0.000000000000001', '9'.repeat(20)),
  fc.stringMatching(/^-?\d{1,17}(\.\d{0,17})?$/),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.string({ maxLength: 6 }),
);

const rows = fc
  .integer({ min: 1, max: 4 })
  .chain((width) =>
    fc.tuple(
      fc.constant(width),
      fc.array(fc.array(cell, { minLength: width - 1, maxLength: width + 1 }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
    ),
  );

/** Records the fast path took and declined over the property runs (both must happen for the test to mean much). */
const fastPathTally = { taken: 0, declined: 0 };

/** The rows as CSV text; cells are written as given (quotes included), so some rows are malformed or ragged. */
function csvText(cells: string[][], crlf: boolean[]): string {
  return cells.map((row, r) => row.join(',') + (crlf[r] ? '\r\n' : '\n')).join('');
}

function profileWith(
  text: string,
  names: string[],
  fast: boolean,
  valueChecks?: Record<string, { pattern: string }>,
): DatasetProfile | ChunkProblem {
  const bytes = Buffer.from(text);
  const profile = new DatasetProfile(names, valueChecks ? { valueChecks } : {});
  const sink = new ProfileSink(profile, names);
  if (!fast) (sink as { fastRecord?: unknown }).fastRecord = undefined;
  else {
    const fastRecord = sink.fastRecord.bind(sink);
    sink.fastRecord = (...args) => {
      const next = fastRecord(...args);
      fastPathTally[next >= 0 ? 'taken' : 'declined']++;
      return next;
    };
  }
  const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 64, expectedFields: names.length });
  try {
    parser.parse(bytes, 0, bytes.length, true, sink);
  } catch (error) {
    if (error instanceof ChunkProblem) return error;
    throw error;
  }
  return profile;
}

describe('CSV profile sink fast path', () => {
  it('profiles exactly as the records the parser reads itself (property)', () => {
    fc.assert(
      fc.property(rows, ([width, cells, crlf]) => {
        const names = Array.from({ length: width }, (_, i) => `c${i}`);
        const text = csvText(cells, crlf);
        const fast = profileWith(text, names, true);
        const generic = profileWith(text, names, false);
        if (generic instanceof ChunkProblem) {
          assert.ok(fast instanceof ChunkProblem, 'both fail');
          assert.deepEqual([fast.detail, fast.line, fast.column], [generic.detail, generic.line, generic.column]);
          return;
        }
        assert.ok(fast instanceof DatasetProfile);
        assert.deepEqual(fast.toState(), generic.toState());
      }),
      { numRuns: 1500 },
    );
    assert.ok(fastPathTally.taken > 1000 && fastPathTally.declined > 1000, JSON.stringify(fastPathTally));
  });

  it('gives the profile of the cells added as text, one by one', () => {
    const text = 'a,b,c\n1,2.50,x\n-0,"7",Müller\n007,-3.25,"q, r"\n,1e3,true\n2.0,.5,\n';
    const names = ['a', 'b', 'c'];
    const viaSink = profileWith(text.slice(6), names, true) as DatasetProfile;
    const viaText = new DatasetProfile(names);
    for (const row of parseCsvText(text).slice(1)) {
      row.forEach((value, column) => viaText.addText(column, value));
      viaText.endRow();
    }
    assert.deepEqual(viaSink.toState(), viaText.toState());
  });

  it('keeps the text of columns with value checks', () => {
    const names = ['code', 'n'];
    const text = '007,1\n1.50,2\n"12",3\n';
    const fast = profileWith(text, names, true, { code: { pattern: '^\\d{3}$' } }) as DatasetProfile;
    const generic = profileWith(text, names, false, { code: { pattern: '^\\d{3}$' } }) as DatasetProfile;
    assert.deepEqual(fast.toState(), generic.toState());
    assert.deepEqual([...fast.column('code')!.checks!.patternMismatches.examples.keys()], ['1.50', '12']);
  });
});
