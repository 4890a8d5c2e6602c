// The byte-level UTF-8 helpers against their reference, a fatal TextDecoder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { firstInvalidUtf8, utf8SequenceLength } from '../../../packages/data/src/readers/bytes.js';

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
