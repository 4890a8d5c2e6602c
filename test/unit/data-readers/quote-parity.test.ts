// quoteParity counts quotes four bytes at a time where the buffer is aligned: it must agree with a byte-by-byte count
// wherever the range starts and ends and however the buffer sits in its ArrayBuffer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { quoteParity } from '../../../packages/data/src/readers/windows.js';

describe('quoteParity', () => {
  it('agrees with counting the quotes one by one (property)', () => {
    const bytes = fc.uint8Array({ maxLength: 200 }).map((array) =>
      // Plenty of quotes, and bytes next to them in value (0x21, 0x23, 0xa2) that a bit trick could confuse.
      array.map((byte) => [0x22, 0x21, 0x23, 0xa2, byte][byte % 5]!),
    );
    fc.assert(
      fc.property(bytes, fc.nat(7), fc.nat(), fc.nat(), (content, shift, a, b) => {
        const backing = new Uint8Array(content.length + 8);
        const view = backing.subarray(shift, shift + content.length);
        view.set(content);
        const start = content.length === 0 ? 0 : a % (content.length + 1);
        const end = start + (content.length === 0 ? 0 : b % (content.length - start + 1));
        let quotes = 0;
        for (let i = start; i < end; i++) if (view[i] === 0x22) quotes++;
        assert.equal(quoteParity(view, start, end), quotes % 2 === 1);
      }),
      { numRuns: 3000 },
    );
  });
});
