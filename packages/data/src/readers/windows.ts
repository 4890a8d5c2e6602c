// Turns a byte stream into windows of a fixed size, the unit of work of the text readers (one window = one chunk,
// parsed inline or by a worker). Windows are filled to an exact size whatever the stream's own chunk sizes, so a file
// is cut at the same places from local disk, S3 or gzip: the chunking, and with it every merged statistic, depends
// only on the bytes.
import { CancelledError } from '@mlops-actions/core';
import { LF, QUOTE } from './bytes.js';

/**
 * The bytes a window holds before it is cut. 8 MiB is a few hundred milliseconds of profiling, against ~20 ms to
 * merge a window's profile on the main thread; smaller windows cost more merging, larger ones more memory in flight.
 */
export const DEFAULT_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * Returned buffers kept for reuse: the windows a file can have in flight (2 per worker) at the default maximum of 8
 * workers (`MAX_DEFAULT_WORKERS`, not imported: profile-sources.ts imports this module). More workers, set explicitly,
 * allocate the rest.
 */
const MAX_SPARE_BUFFERS = 16;

/**
 * Bytes read on request straight into the caller's buffer (a local file), instead of a stream's chunks: no chunk
 * buffers to allocate, copy and collect.
 */
export interface ByteSource {
  /** Reads up to `length` bytes into `into` at `offset`; 0 at the end. */
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

export class ByteWindowReader {
  /** The buffered bytes are `bytes[0, filled)`; the buffer owns its ArrayBuffer, so it can be transferred. */
  bytes: Buffer;
  filled = 0;
  /** Bytes taken out of the stream so far (before any `consume`). */
  bytesRead = 0;
  private readonly source: AsyncIterator<Buffer | Uint8Array | string> | null;
  private readonly direct: ByteSource | null;
  private directClosed = false;
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  private streamDone = false;
  private readonly signal: AbortSignal | undefined;
  private readonly spareBuffers: ArrayBuffer[] = [];

  constructor(
    stream: AsyncIterable<Buffer | Uint8Array | string> | ByteSource,
    capacity: number,
    signal?: AbortSignal,
  ) {
    if (Symbol.asyncIterator in stream) {
      this.source = stream[Symbol.asyncIterator]();
      this.direct = null;
    } else {
      this.source = null;
      this.direct = stream;
    }
    this.bytes = Buffer.from(new ArrayBuffer(capacity));
    this.signal = signal;
  }

  /** True when every byte of the stream is in `bytes[0, filled)`. */
  get atEnd(): boolean {
    return this.streamDone && this.pending === null;
  }

  /** Buffers until `filled >= target` (growing the buffer if needed) or the stream ends. */
  async fill(target: number): Promise<void> {
    if (target > this.bytes.length) this.resize(target);
    if (this.direct !== null) {
      while (this.filled < target && !this.streamDone) {
        if (this.signal?.aborted) throw new CancelledError();
        const read = await this.direct.read(this.bytes, this.filled, target - this.filled);
        if (read === 0) this.streamDone = true;
        this.filled += read;
        this.bytesRead += read;
      }
      return;
    }
    while (this.filled < target) {
      if (this.pending === null) {
        if (this.streamDone) return;
        if (this.signal?.aborted) throw new CancelledError();
        const next = await this.source!.next();
        if (next.done) {
          this.streamDone = true;
          return;
        }
        const value = next.value;
        this.pending =
          typeof value === 'string'
            ? Buffer.from(value)
            : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        this.pendingOffset = 0;
        this.bytesRead += this.pending.length;
        if (this.pending.length === 0) this.pending = null;
        continue;
      }
      const take = Math.min(target - this.filled, this.pending.length - this.pendingOffset);
      this.pending.copy(this.bytes, this.filled, this.pendingOffset, this.pendingOffset + take);
      this.filled += take;
      this.pendingOffset += take;
      if (this.pendingOffset === this.pending.length) this.pending = null;
    }
  }

  /** Drops the first `count` bytes (moving the rest to the front). */
  consume(count: number): void {
    this.bytes.copyWithin(0, count, this.filled);
    this.filled -= count;
  }

  /**
   * Hands out the first `count` bytes as a buffer of their own (to transfer to a worker) and keeps the rest in a
   * fresh buffer, reusing one given back through `recycle`.
   */
  take(count: number): ArrayBuffer {
    const taken = this.bytes;
    const spare = this.spareBuffers.pop();
    this.bytes = Buffer.from(spare && spare.byteLength >= taken.length ? spare : new ArrayBuffer(taken.length));
    taken.copy(this.bytes, 0, count, this.filled);
    this.filled -= count;
    return taken.buffer as ArrayBuffer;
  }

  /**
   * A buffer that came back from a worker, to be reused by `take`. Reusing every one keeps the number of window
   * buffers at the number in flight: allocating fresh 8 MiB buffers per window, freed on another thread, grew the
   * process by tens of MB over a 1 GB file (malloc fragmentation), where reuse keeps it flat.
   */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength >= this.bytes.length && this.spareBuffers.length < MAX_SPARE_BUFFERS) {
      this.spareBuffers.push(buffer);
    }
  }

  /** Ends the stream early (errors, cancellation). */
  async close(): Promise<void> {
    this.pending = null;
    if (!this.streamDone) {
      this.streamDone = true;
      await this.source?.return?.();
    }
    if (this.direct !== null && !this.directClosed) {
      this.directClosed = true;
      await this.direct.close();
    }
  }

  private resize(capacity: number): void {
    const bigger = Buffer.from(new ArrayBuffer(capacity));
    this.bytes.copy(bigger, 0, 0, this.filled);
    this.bytes = bigger;
    this.spareBuffers.length = 0;
  }
}

/**
 * Where a CSV window can be cut so the next chunk starts at a record: just past the last line feed of
 * `bytes[start, end)` with an even number of quotes before it (counted from `start`, itself a record start), or -1
 * when there is none.
 *
 * In RFC 4180 quotes come in pairs around quoted fields (with `""` for a quote inside), so the quote count from a
 * record start is odd exactly inside a quoted field, and a line feed after an even count ends a record. A file that
 * breaks the rule (a stray `"` inside an unquoted field, which the parser reads leniently as a character) can make
 * this guess wrong; the parser of the chunk notices (its last record does not end at the cut) and the reader then
 * re-reads the file sequentially, letting the parser cut each window itself. So the guess only has to be cheap and
 * right for well-formed files: it costs one native `indexOf` for a file without quotes, and `quoteParity` over the
 * window from its first quote otherwise.
 */
export function lastRecordBoundary(bytes: Buffer, start: number, end: number): number {
  if (end <= start) return -1;
  const lastLineFeed = bytes.lastIndexOf(LF, end - 1);
  if (lastLineFeed < start) return -1;
  const quote = bytes.indexOf(QUOTE, start);
  if (quote === -1 || quote > lastLineFeed) return lastLineFeed + 1;
  // Parity of the quotes before the last line feed; then walk back over line feeds until one is outside quotes.
  let odd = quoteParity(bytes, quote, lastLineFeed);
  let lineFeed = lastLineFeed;
  while (odd) {
    const previous = bytes.lastIndexOf(LF, lineFeed - 1);
    if (previous < start) return -1;
    for (let i = previous + 1; i < lineFeed; i++) if (bytes[i] === QUOTE) odd = !odd;
    lineFeed = previous;
  }
  return lineFeed + 1;
}

/**
 * Whether bytes[start, end) hold an odd number of quotes. Four bytes at a time where the buffer is aligned: for a word
 * x = w ^ 0x22222222, the top bit of each byte of `((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x` is clear exactly where w has
 * a quote; these words are XORed together (four accumulators, for instruction-level parallelism) since the parity of
 * a sum of counts is the XOR of their parities, and complemented at the end if their number is odd. About 2 ms for an
 * 8 MiB window, where an `indexOf` per quote took ~8 ms on a file with a quoted field per row.
 */
export function quoteParity(bytes: Uint8Array, start: number, end: number): boolean {
  let odd = 0;
  let i = start;
  const base = bytes.byteOffset;
  while (i < end && (base + i) % 4 !== 0) odd ^= bytes[i++] === QUOTE ? 1 : 0;
  const words = Math.max(0, (end - i) >> 2);
  if (words > 0) {
    const view = new Int32Array(bytes.buffer, base + i, words);
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    const quads = words & ~3;
    for (let w = 0; w < quads; w += 4) {
      const x0 = view[w]! ^ 0x22222222;
      const x1 = view[w + 1]! ^ 0x22222222;
      const x2 = view[w + 2]! ^ 0x22222222;
      const x3 = view[w + 3]! ^ 0x22222222;
      a ^= ((x0 & 0x7f7f7f7f) + 0x7f7f7f7f) | x0;
      b ^= ((x1 & 0x7f7f7f7f) + 0x7f7f7f7f) | x1;
      c ^= ((x2 & 0x7f7f7f7f) + 0x7f7f7f7f) | x2;
      d ^= ((x3 & 0x7f7f7f7f) + 0x7f7f7f7f) | x3;
    }
    for (let w = quads; w < words; w++) {
      const x = view[w]! ^ 0x22222222;
      a ^= ((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x;
    }
    // A quote clears its byte's top bit; XORing `words` complemented values is the XOR of the values, complemented
    // when `words` is odd. One set top bit per quote in `marks`: the parity of their count.
    let marks = a ^ b ^ c ^ d;
    if (words % 2 === 1) marks = ~marks;
    marks = ~marks;
    odd ^= ((marks >>> 7) ^ (marks >>> 15) ^ (marks >>> 23) ^ (marks >>> 31)) & 1;
    i += words * 4;
  }
  while (i < end) odd ^= bytes[i++] === QUOTE ? 1 : 0;
  return odd === 1;
}
