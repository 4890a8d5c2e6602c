// The fast paths the readers take (classifying bytes, counting text from bytes, adding numbers in batches, batched
// KLL updates) must give exactly what the one-value-at-a-time API gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  classifyAscii,
  classifyText,
  ColumnProfile,
  DatasetProfile,
  FrequentValues,
  KllSketch,
  lastParsed,
  ValueKind,
} from '@mlops-actions/data';
import { profileRows, readFixture, seededNormal, seededRandom } from './helpers.js';

/** Text that looks like numbers, Booleans, missing markers and words, in ASCII. */
const asciiCell = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t',
    'true',
    'FALSE',
    'NaN',
    'null',
    'Null',
    'nan ',
    'inf',
    '-',
    '+',
    '.',
    'e5',
    '1e',
    '1e+',
  ),
  fc.constantFrom('2.0', '-0', '+7', '007', ' 3.25 ', '.5', '5.', '1e-3', '-2.5E2', '1e400', '1e-400', '0x1F'),
  fc.stringMatching(/^[ \t]?[+-]?\d{0,20}(\.\d{0,20})?([eE][+-]?\d{0,4})?[ \t]?$/),
  fc.integer().map(String),
  fc.double({ noNaN: true }).map(String),
  fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 12 }),
);

function classifyBytes(text: string): [ValueKind, number | boolean | undefined] {
  const bytes = Buffer.from(`#${text}#`, 'latin1');
  const kind = classifyAscii(bytes, 1, bytes.length - 1);
  return [kind, parsedOf(kind)];
}

function parsedOf(kind: ValueKind): number | boolean | undefined {
  if (kind === ValueKind.Integral || kind === ValueKind.Fractional) return lastParsed.number;
  if (kind === ValueKind.Boolean) return lastParsed.boolean;
  return undefined;
}

describe('classifyAscii', () => {
  it('classifies and parses bytes exactly as classifyText does the text (property)', () => {
    fc.assert(
      fc.property(asciiCell, (text) => {
        const kind = classifyText(text);
        const expected = [kind, parsedOf(kind)];
        assert.deepEqual(classifyBytes(text), expected, JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads an empty range as missing', () => {
    assert.equal(classifyAscii(Buffer.from('12'), 1, 1), ValueKind.Missing);
  });
});

describe('FrequentValues from bytes', () => {
  it('counts ASCII bytes as the strings they spell, exactly and past the capacity (property)', () => {
    const word = fc.stringMatching(/^[a-e]{0,3}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(word, fc.boolean()), { maxLength: 200 }),
        fc.integer({ min: 1, max: 12 }),
        (cells, capacity) => {
          const viaText = new FrequentValues(capacity);
          const viaBytes = new FrequentValues(capacity);
          for (const [text, asBytes] of cells) {
            viaText.addString(text);
            if (asBytes) {
              const bytes = Buffer.from(`,${text},`);
              viaBytes.addAscii(bytes, 1, bytes.length - 1);
            } else viaBytes.addString(text);
          }
          assert.deepEqual(viaBytes.entries(), viaText.entries());
          assert.equal(viaBytes.undercount, viaText.undercount);
          assert.equal(viaBytes.distinctCount(), viaText.distinctCount());
          assert.deepEqual(viaBytes.toState(), viaText.toState());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same summary for numbers added in a batch or one by one', () => {
    const random = seededRandom(3);
    const values = Float64Array.from({ length: 20_000 }, () => Math.floor(random() * 3000) / (random() < 0.5 ? 1 : 4));
    values[5] = -0;
    const one = new FrequentValues(100);
    for (const value of values) one.addNumber(value);
    const batch = new FrequentValues(100);
    for (let at = 0; at < values.length; at += 777) {
      const part = values.slice(at, at + 777);
      batch.addNumbers(part, part.length);
    }
    assert.deepEqual(batch.toState(), one.toState());
  });
});

describe('Batched numbers', () => {
  it('KllSketch.updateMany equals update on each value, whatever the batch sizes', () => {
    const normal = seededNormal(11);
    const values = Float64Array.from({ length: 60_000 }, () => normal());
    const one = new KllSketch();
    for (const value of values) one.update(value);
    for (const size of [1, 7, 1000, 5000, 60_000]) {
      const batch = new KllSketch();
      for (let at = 0; at < values.length; at += size) batch.updateMany(values, at, Math.min(values.length, at + size));
      assert.deepEqual(batch.toState(), one.toState(), `batches of ${size}`);
    }
  });

  it('ColumnProfile.addNumbers equals addNumber on each value, moments included', () => {
    const normal = seededNormal(5);
    const values = Float64Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? Math.round(normal() * 100) : normal()));
    const one = new ColumnProfile('x');
    for (const value of values) one.addNumber(value);
    const batch = new ColumnProfile('x');
    for (let at = 0; at < values.length;) {
      const part = values.slice(at, at + 1 + (at % 1500));
      let fractional = 0;
      for (const value of part) if (!Number.isInteger(value)) fractional++;
      batch.addNumbers(part, part.length, fractional);
      at += part.length;
    }
    assert.deepEqual(batch.toState(), one.toState());
    assert.equal(batch.populationVariance, one.populationVariance);
  });

  it('reads moments without changing them', () => {
    const a = new ColumnProfile('x');
    const b = new ColumnProfile('x');
    for (let i = 0; i < 3000; i++) {
      a.addNumber(Math.sin(i) * 1e3);
      b.addNumber(Math.sin(i) * 1e3);
      if (i % 100 === 0) assert.ok(Number.isFinite(a.populationVariance));
    }
    assert.deepEqual(a.toState(), b.toState());
  });
});

describe('Profiles reused and merged from states', () => {
  const lines = readFixture('baseline.csv').trim().split('\n');
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((line) => line.split(','));

  it('profiles as new after reset()', () => {
    const reused = profileRows(header, rows, {}, 0, 3000);
    reused.reset();
    for (const row of rows.slice(3000)) reused.addRow(row);
    assert.deepEqual(reused.toState(), profileRows(header, rows, {}, 3000).toState());
  });

  it('mergeState(state) equals merge(fromState(state))', () => {
    const state = structuredClone(profileRows(header, rows, { frequentValueCapacity: 40 }, 2000).toState());
    const viaProfile = profileRows(header, rows, { frequentValueCapacity: 40 }, 0, 2000);
    const viaState = DatasetProfile.fromState(structuredClone(viaProfile.toState()));
    viaProfile.merge(DatasetProfile.fromState(state));
    viaState.mergeState(state);
    assert.deepEqual(viaState.toState(), viaProfile.toState());
  });
});
