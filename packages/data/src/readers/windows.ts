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

/** Returned buffers kept for reuse: more than the windows that can be in flight at once (2 per worker). */
const MAX_SPARE_BUFFERS = 16;

export class ByteWindowReader {
  /** The buffered bytes are `bytes[0, filled)`; the buffer owns its ArrayBuffer, so it can be transferred. */
  bytes: Buffer;
  filled = 0;
  /** Bytes taken out of the stream so far (before any `consume`). */
  bytesRead = 0;
  private readonly source: AsyncIterator<Buffer | Uint8Array | string>;
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  private streamDone = false;
  private readonly signal: AbortSignal | undefined;
  private readonly spareBuffers: ArrayBuffer[] = [];

  constructor(stream: AsyncIterable<Buffer | Uint8Array | string>, capacity: number, signal?: AbortSignal) {
    this.source = stream[Symbol.asyncIterator]();
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
    while (this.filled < target) {
      if (this.pending === null) {
        if (this.streamDone) return;
        if (this.signal?.aborted) throw new CancelledError();
        const next = await this.source.next();
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
      await this.source.return?.();
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
 * right for well-formed files: it costs a native `indexOf` per quote and nothing for files without quotes.
 */
export function lastRecordBoundary(bytes: Buffer, start: number, end: number): number {
  if (end <= start) return -1;
  const lastLineFeed = bytes.lastIndexOf(LF, end - 1);
  if (lastLineFeed < start) return -1;
  let quote = bytes.indexOf(QUOTE, start);
  if (quote === -1 || quote > lastLineFeed) return lastLineFeed + 1;
  // Parity of the quotes before the last line feed; then walk back over line feeds until one is outside quotes.
  let odd = false;
  while (quote !== -1 && quote < lastLineFeed) {
    odd = !odd;
    quote = bytes.indexOf(QUOTE, quote + 1);
  }
  let lineFeed = lastLineFeed;
  while (odd) {
    const previous = bytes.lastIndexOf(LF, lineFeed - 1);
    if (previous < start) return -1;
    for (let i = previous + 1; i < lineFeed; i++) if (bytes[i] === QUOTE) odd = !odd;
    lineFeed = previous;
  }
  return lineFeed + 1;
}
