// Windows over a byte stream and where a CSV window may be cut.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { CancelledError } from '@mlops-actions/core';
import { ByteWindowReader, lastRecordBoundary } from '../../../packages/data/src/readers/windows.js';

function boundary(text: string, start = 0, end = Buffer.byteLength(text)): number {
  return lastRecordBoundary(Buffer.from(text), start, end);
}

describe('lastRecordBoundary', () => {
  it('cuts after the last line feed when there are no quotes', () => {
    assert.equal(boundary('a,b\nc,d\ne'), 8);
    assert.equal(boundary('a,b\n'), 4);
    assert.equal(boundary('no line feed'), -1);
    assert.equal(boundary(''), -1);
  });

  it('skips line feeds inside quoted fields', () => {
    assert.equal(boundary('a,"x\ny"\nb,"open\nstill'), 8);
    assert.equal(boundary('"only\nquoted\nlines'), -1);
    assert.equal(boundary('"a""b",c\n"d\n'), 9);
  });

  it('counts quotes from `start` and looks only below `end`', () => {
    const text = 'junk"\na,b\nc,"d\ne"\nf';
    assert.equal(boundary(text, 6), 18);
    assert.equal(boundary(text, 6, 14), 10);
  });

  it('ignores bytes past `end` even when the buffer holds more', () => {
    const bytes = Buffer.from('a\nb\n"c\n"\n');
    assert.equal(lastRecordBoundary(bytes, 0, 5), 4);
  });
});

describe('ByteWindowReader', () => {
  const streamOf = (...chunks: string[]) => Readable.from(chunks.map((chunk) => Buffer.from(chunk)));

  it('fills to an exact size whatever the stream chunk sizes', async () => {
    const reader = new ByteWindowReader(streamOf('abc', 'defgh', 'ij'), 4);
    await reader.fill(4);
    assert.equal(reader.bytes.toString('latin1', 0, reader.filled), 'abcd');
    assert.equal(reader.atEnd, false);
    await reader.fill(6); // grows the buffer
    assert.equal(reader.bytes.toString('latin1', 0, reader.filled), 'abcdef');
    await reader.fill(100);
    assert.equal(reader.bytes.toString('latin1', 0, reader.filled), 'abcdefghij');
    assert.equal(reader.atEnd, true);
    assert.equal(reader.bytesRead, 10);
  });

  it('consumes from the front and hands out transferable prefixes', async () => {
    const reader = new ByteWindowReader(streamOf('0123456789'), 8);
    await reader.fill(8);
    reader.consume(2);
    assert.equal(reader.bytes.toString('latin1', 0, reader.filled), '234567');
    const taken = reader.take(4);
    assert.equal(Buffer.from(taken, 0, 4).toString('latin1'), '2345');
    assert.equal(reader.bytes.toString('latin1', 0, reader.filled), '67');
    assert.notEqual(reader.bytes.buffer, taken);
    reader.recycle(taken);
    await reader.fill(8);
    assert.equal(reader.bytes.toString('latin1', 0, reader.filled), '6789');
    assert.equal(reader.take(4).byteLength, 8);
    assert.equal(reader.bytes.buffer, taken, 'the recycled buffer is reused');
  });

  it('stops with a CancelledError once the signal is aborted', async () => {
    const controller = new AbortController();
    const reader = new ByteWindowReader(streamOf('ab', 'cd'), 4, controller.signal);
    await reader.fill(2);
    controller.abort();
    await assert.rejects(reader.fill(4), CancelledError);
    await reader.close();
  });
});
