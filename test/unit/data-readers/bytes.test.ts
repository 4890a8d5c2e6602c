// The byte-level helpers against their references: TextDecoder for UTF-8, classifyText + Number for numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decoded,
  decodeNumber,
  DecodedKind,
  firstInvalidUtf8,
  utf8SequenceLength,
} from '../../../packages/data/src/readers/bytes.js';
import { classifyText, ValueKind } from '../../../packages/data/src/values.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('UTF-8 validation', () => {
  it('agrees with a fatal TextDecoder on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        assert.equal(firstInvalidUtf8(bytes, 0, bytes.length) === -1, isValidUtf8(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts every encoded string and finds the first bad byte after a valid prefix', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.constantFrom(0x80, 0xbf, 0xc0, 0xf5, 0xff), (text, bad) => {
        const valid = Buffer.from(text, 'utf8');
        assert.equal(firstInvalidUtf8(valid, 0, valid.length), -1);
        const broken = Buffer.concat([valid, Buffer.from([bad, 0x41])]);
        assert.equal(firstInvalidUtf8(broken, 0, broken.length), valid.length);
      }),
    );
  });

  it('tells a sequence cut by the end of the range (0) from an invalid one (-1)', () => {
    const euro = Buffer.from('€', 'utf8'); // e2 82 ac
    assert.equal(utf8SequenceLength(euro, 0, 3), 3);
    assert.equal(utf8SequenceLength(euro, 0, 2), 0);
    assert.equal(utf8SequenceLength(euro, 0, 1), 0);
    assert.equal(utf8SequenceLength(Buffer.from([0xed, 0xa0, 0x80]), 0, 3), -1); // a surrogate
    assert.equal(utf8SequenceLength(Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0, 4), -1); // above U+10FFFF
    assert.equal(utf8SequenceLength(Buffer.from([0xe0, 0x80, 0x80]), 0, 3), -1); // overlong
  });
});

describe('decodeNumber', () => {
  const expectSame = (text: string) => {
    const bytes = Buffer.from(text, 'latin1');
    const kind = decodeNumber(bytes, 0, bytes.length);
    if (kind === DecodedKind.Text) return;
    const reference = classifyText(text);
    assert.equal(reference, kind === DecodedKind.Integral ? ValueKind.Integral : ValueKind.Fractional, text);
    // A decoded number is exactly what the text path would add: Number(text), and typed the same way.
    assert.ok(Object.is(decoded.value, Number(text)), `${text}: ${decoded.value} vs ${Number(text)}`);
    assert.equal(Number.isInteger(decoded.value), kind === DecodedKind.Integral, text);
  };

  it('decodes plain integers and decimals', () => {
    const cases: [string, DecodedKind, number][] = [
      ['0', DecodedKind.Integral, 0],
      ['-12', DecodedKind.Integral, -12],
      ['+7', DecodedKind.Integral, 7],
      ['007', DecodedKind.Integral, 7],
      ['999999999999999', DecodedKind.Integral, 999999999999999],
      ['1.5', DecodedKind.Fractional, 1.5],
      ['-0.25', DecodedKind.Fractional, -0.25],
      ['.5', DecodedKind.Fractional, 0.5],
      ['1e-3', DecodedKind.Fractional, 0.001],
      ['-2.5E-1', DecodedKind.Fractional, -0.25],
    ];
    for (const [text, kind, value] of cases) {
      const bytes = Buffer.from(text);
      assert.equal(decodeNumber(bytes, 0, bytes.length), kind, text);
      assert.ok(Object.is(decoded.value, value), text);
    }
  });

  it('leaves to the text path what it cannot decode exactly or that the text rules type differently', () => {
    const texts = [
      '',
      '-',
      '+',
      '.',
      'e5',
      '1e',
      '1e+',
      '1.2.3',
      ' 1',
      '1 ',
      '0x1F',
      '1,000',
      'NaN',
      'true',
      'inf',
      '1234567890123456',
      '0.0000000000000001',
      '1e23',
      '1e-23',
      '2.0',
      '1e3',
      '0.0',
      '-0.0',
      '5.',
      '-2.5E+1', // whole values of Fractional text
    ];
    for (const text of texts) {
      const bytes = Buffer.from(text);
      assert.equal(decodeNumber(bytes, 0, bytes.length), DecodedKind.Text, JSON.stringify(text));
    }
  });

  it('agrees with classifyText and Number on random numeric text', () => {
    const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{0,${max}}$`));
    const numeric = fc
      .tuple(
        fc.constantFrom('', '-', '+'),
        digits(12),
        fc.option(digits(12), { nil: undefined }),
        fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), digits(3)), { nil: undefined }),
      )
      .map(
        ([sign, whole, fraction, exponent]) =>
          `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent ? exponent.join('') : ''}`,
      );
    fc.assert(fc.property(numeric, expectSame), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ noNaN: true }).map(String), expectSame), { numRuns: 5000 });
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 8 }), (value, places) =>
        expectSame(value.toFixed(places)),
      ),
      { numRuns: 5000 },
    );
  });
});
