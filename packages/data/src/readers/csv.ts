/**
 * The CSV parser: a byte-level scanner over Buffers that finds each record's fields and hands them to a sink.
 *
 * Why not a library: the budget is the whole pipeline at ≥ 100 MiB/s on 2 cores with exact line/column errors,
 * streaming with bounded memory. uDSV (~330 MiB/s by its own benchmark) and PapaParse (~186 MiB/s) parse strings: every
 * byte is first decoded into a JavaScript string, every cell becomes a string before a number is parsed from it, and
 * neither reports the physical line and column of a problem (nor is either installed here). This scanner works on the
 * bytes, decodes numbers from them, and makes a string only for a text cell.
 *
 * Profiling, the records of plain rows are not even handed over field by field: the profile sink reads them itself
 * (`CsvRecordSink.fastRecord`, see `ProfileSink`), decoding numbers while it scans, and the parser reads only the
 * rows the fast path declines (quotes escaped or spanning lines, invalid UTF-8, a CR alone, ragged rows, the end of
 * the bytes). Measured on this machine (scripts/bench/chunk-bench.ts, the 1 GB benchmark file of 10 numeric + 5
 * string columns, one thread): ~2 µs a row when every value is counted in the frequencies, of which the scan and
 * number decoding take ~25 %, the per-column hand-over ~10 %, and the profile the rest (frequencies ~30 %, KLL sketch
 * ~15 %, moments ~5 %). Leaving the numbers of numeric columns uncounted (`ProfileSinkOptions`) takes off ~15 %;
 * run-to-run spread on this machine is about ±10 %, so compare medians of several runs.
 *
 * The dialect is RFC 4180 with the leniency of Python's `csv` module (strict=False) for what the RFC leaves undefined:
 * - Fields are separated by `delimiter` (one ASCII byte) and records by LF or CR LF. A CR not followed by LF is data.
 * - A field that starts with `"` is quoted: it may hold delimiters, CR and LF; `""` inside stands for one `"`. After the
 *   closing quote, anything but a delimiter or a line end is kept as literal text (`"ab"c` reads `abc`).
 * - A `"` inside an unquoted field is an ordinary character (`5'11"` reads as written).
 * - Empty lines are skipped (as pandas does): they are neither records nor ragged rows.
 * - Lines and columns are 1-based and physical: a newline inside a quoted field starts a new line. Columns count
 *   bytes from the start of the line (the same as characters for ASCII text).
 * - The text must be UTF-8; a byte-order mark at the start is skipped (by the caller, see `bomLength`).
 *
 * Errors (always with line and column): an unclosed quote at the end of the input, a field longer than
 * `maxFieldBytes`, invalid UTF-8, and in strict mode a row with another number of fields than the header.
 */
import type { ColumnProfile, DatasetProfile } from '../profile.js';
import { classifyAscii, lastParsed, ValueKind } from '../values.js';
import { asciiText, CR, LF, QUOTE, utf8SequenceLength, utf8Text } from './bytes.js';

/** 1 MiB: longer fields are almost always a missing closing quote swallowing the rest of the file. */
export const DEFAULT_MAX_FIELD_BYTES = 1024 * 1024;
/** Ragged rows listed by line (in a chunk, a file and the result; all are counted). */
export const RAGGED_EXAMPLE_LIMIT = 10;

/** A problem found while parsing, located relative to the parsed bytes: `line` counts from 0 at their start. */
export class ChunkProblem extends Error {
  override readonly name = 'ChunkProblem';
  constructor(
    readonly detail: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${detail} (line ${line} of the chunk, column ${column})`);
  }
}

export const FieldFlag = {
  /** The field was quoted; its range excludes the quotes. */
  Quoted: 1,
  /** Quoted and holding `""` pairs to collapse. */
  Escaped: 2,
  /** Holds bytes ≥ 0x80 (already validated as UTF-8). */
  NonAscii: 4,
  /** Quoted, then text after the closing quote; its range is the raw field, opening quote included. */
  Irregular: 8,
} as const;

/** The fields of the current record, as byte ranges into the parsed buffer. */
export class CsvFields {
  starts: Int32Array;
  ends: Int32Array;
  flags: Uint8Array;
  /** Ranges kept; fields past it are counted but not stored (a row wider than the header needs no more). */
  capacity: number;
  private readonly growable: boolean;

  constructor(capacity: number | 'all') {
    this.growable = capacity === 'all';
    this.capacity = capacity === 'all' ? 64 : Math.max(1, capacity);
    this.starts = new Int32Array(this.capacity);
    this.ends = new Int32Array(this.capacity);
    this.flags = new Uint8Array(this.capacity);
  }

  /** Makes room for field `index`; false when it is past a fixed capacity. */
  reserve(index: number): boolean {
    if (index < this.capacity) return true;
    if (!this.growable) return false;
    const capacity = this.capacity * 2;
    const grow = <T extends Int32Array | Uint8Array>(old: T, made: T): T => {
      made.set(old);
      return made;
    };
    this.starts = grow(this.starts, new Int32Array(capacity));
    this.ends = grow(this.ends, new Int32Array(capacity));
    this.flags = grow(this.flags, new Uint8Array(capacity));
    this.capacity = capacity;
    return true;
  }
}

export interface CsvRecordSink {
  /** A complete record of `count` fields; the first `min(count, fields.capacity)` are in `fields`. */
  record(bytes: Buffer, fields: CsvFields, count: number): void;
  /** Called when a `parse` ends (returning or throwing), for sinks that gather records before using them. */
  finish?(): void;
  /**
   * An optional fast path, tried by the parser at each record start when the rows should have `expectedFields`
   * fields: take the record at bytes[pos, end) if it is plain — exactly the expected fields, each unquoted or quoted
   * without `""` or line breaks, valid UTF-8, ending in LF or CR LF before `end`, no field longer than
   * `maxFieldBytes` — and return where the next record starts; else return -1 having taken nothing, and the parser
   * reads the record itself. A taken record must be handled exactly as `record` would handle the parser's fields.
   */
  fastRecord?(bytes: Buffer, pos: number, end: number, parser: CsvParser): number;
}

export interface CsvParserOptions {
  /** The separator byte (`,` = 0x2c, tab = 0x09). */
  delimiter: number;
  maxFieldBytes: number;
  /** The number of fields every row should have (the header's); undefined while reading the header. */
  expectedFields?: number;
  /** A row with another number of fields is an error instead of a counted warning. */
  strict?: boolean;
}

// Byte classes of the scanning loops; 0 is "part of the field, keep going".
const ORDINARY = 0;
const DELIMITER = 1;
const LINE_FEED = 2;
const CARRIAGE_RETURN = 3;
const NON_ASCII = 4;
const CLOSING_QUOTE = 5;
/** Returned by the field scanners when the bytes end before the record does. */
const INCOMPLETE = -1;

const QUOTED_CLASSES = new Uint8Array(256);
QUOTED_CLASSES[QUOTE] = CLOSING_QUOTE;
QUOTED_CLASSES[LF] = LINE_FEED;
for (let byte = 0x80; byte < 0x100; byte++) QUOTED_CLASSES[byte] = NON_ASCII;

/**
 * Finds records in a byte range. One parser is reused for many ranges; each `parse` counts lines from 0 at its start
 * and leaves its results in `consumed`, `lines`, `records` and the ragged-row tallies.
 */
export class CsvParser {
  readonly delimiter: number;
  readonly maxFieldBytes: number;
  readonly expectedFields: number;
  readonly strict: boolean;
  readonly fields: CsvFields;

  /** Offset just past the last complete record (and the empty lines after it). */
  consumed = 0;
  /** Line feeds before `consumed`: the line index (0-based) at which the next parse would start. */
  lines = 0;
  records = 0;
  /** Rows of the last parse whose field count differs from `expectedFields`. */
  raggedRows = 0;
  /** Their line indexes, relative to the parse start (the first few). */
  raggedLines: number[] = [];
  raggedFieldCounts: number[] = [];

  /** Byte classes of unquoted fields for this delimiter; shared with `ProfileSink.fastRecord`, which must not write it. */
  readonly classes: Uint8Array;
  private nonAscii = false;

  constructor(options: CsvParserOptions) {
    const { delimiter, maxFieldBytes } = options;
    if (!Number.isInteger(delimiter) || delimiter < 1 || delimiter > 0x7f || [LF, CR, QUOTE].includes(delimiter)) {
      throw new RangeError(`a CSV delimiter must be one ASCII character other than a quote or line break`);
    }
    this.delimiter = delimiter;
    this.maxFieldBytes = maxFieldBytes;
    this.expectedFields = options.expectedFields ?? 0;
    this.strict = options.strict ?? false;
    // One extra stored field locates the first surplus field of a ragged row for the strict-mode error.
    this.fields = new CsvFields(this.expectedFields > 0 ? this.expectedFields + 1 : 'all');
    this.classes = new Uint8Array(256);
    this.classes[delimiter] = DELIMITER;
    this.classes[LF] = LINE_FEED;
    this.classes[CR] = CARRIAGE_RETURN;
    for (let byte = 0x80; byte < 0x100; byte++) this.classes[byte] = NON_ASCII;
  }

  /**
   * Parses the complete records of `bytes[start, end)` into `sink`, at most `maxRecords`. Unless `atEof`, a record
   * cut off by `end` is left unparsed (`consumed` stops before it) for the caller to retry with more bytes; at the
   * end of input the last record needs no line break. Throws a ChunkProblem for malformed input.
   */
  parse(bytes: Buffer, start: number, end: number, atEof: boolean, sink: CsvRecordSink, maxRecords = Infinity): void {
    try {
      this.parseRecords(bytes, start, end, atEof, sink, maxRecords);
    } finally {
      sink.finish?.();
    }
  }

  private parseRecords(
    bytes: Buffer,
    start: number,
    end: number,
    atEof: boolean,
    sink: CsvRecordSink,
    maxRecords: number,
  ): void {
    const delimiter = this.delimiter;
    const maxFieldBytes = this.maxFieldBytes;
    const expected = this.expectedFields;
    const fields = this.fields;
    const classes = this.classes;
    let pos = start;
    let line = 0;
    let lineStart = start;
    let records = 0;
    // Where a retry with more bytes would resume: after the last complete record or skipped empty line.
    let consumed = start;
    let consumedLines = 0;
    this.raggedRows = 0;
    this.raggedLines = [];
    this.raggedFieldCounts = [];

    const fast = expected > 0 && sink.fastRecord !== undefined;
    records: while (pos < end && records < maxRecords) {
      const first = bytes[pos]!;
      if (first === LF || (first === CR && (pos + 1 >= end || bytes[pos + 1] === LF))) {
        if (first === CR && pos + 1 >= end && !atEof) break; // CR LF or CR and more data: cannot tell yet
        pos += first === CR && pos + 1 < end ? 2 : 1;
        line++;
        lineStart = pos;
        consumed = pos;
        consumedLines = line;
        continue;
      }
      if (fast) {
        const next = sink.fastRecord!(bytes, pos, end, this);
        if (next >= 0) {
          // A plain record is one line with the expected fields: nothing to report.
          pos = next;
          line++;
          lineStart = pos;
          records++;
          consumed = pos;
          consumedLines = line;
          continue;
        }
      }
      const recordLine = line;
      let count = 0;
      // Where a strict-mode ragged-row error points: the first surplus field, or the end of a short row.
      let raggedLine = 0;
      let raggedColumn = 0;
      for (;;) {
        const fieldStart = pos;
        if (count === expected) {
          raggedLine = line;
          raggedColumn = pos - lineStart + 1;
        }
        let flags = 0;
        let contentStart = pos;
        let contentEnd: number;
        if (pos < end && bytes[pos] === QUOTE) {
          const quoteLine = line;
          const quoteColumn = pos - lineStart + 1;
          pos++;
          contentStart = pos;
          flags = FieldFlag.Quoted;
          for (;;) {
            let kind = ORDINARY;
            while (pos < end && (kind = QUOTED_CLASSES[bytes[pos]!]!) === ORDINARY) pos++;
            if (pos >= end) {
              // Already too long, wherever it ends: say so now rather than wait for more bytes.
              if (end - contentStart > maxFieldBytes) throw fieldTooLong(maxFieldBytes, quoteLine, quoteColumn);
              if (!atEof) break records;
              // `{line}` becomes the absolute line once the chunk's place in the file is known.
              throw new ChunkProblem(
                `unclosed quote opened at line {line}, column ${quoteColumn}`,
                quoteLine,
                quoteColumn,
              );
            }
            if (kind === CLOSING_QUOTE) {
              if (pos + 1 < end) {
                if (bytes[pos + 1] === QUOTE) {
                  flags |= FieldFlag.Escaped;
                  pos += 2;
                  continue;
                }
              } else if (!atEof) break records; // a second quote may follow
              break;
            }
            if (kind === LINE_FEED) {
              pos++;
              line++;
              lineStart = pos;
              continue;
            }
            const length = utf8SequenceLength(bytes, pos, end);
            if (length > 0) {
              flags |= FieldFlag.NonAscii;
              pos += length;
              continue;
            }
            if (length === 0 && !atEof) break records;
            throw invalidUtf8(line, pos - lineStart + 1);
          }
          contentEnd = pos;
          pos++; // the closing quote
          if (contentEnd - contentStart > maxFieldBytes) throw fieldTooLong(maxFieldBytes, quoteLine, quoteColumn);
          if (pos < end) {
            const next = bytes[pos]!;
            if (next === CR && pos + 1 >= end && !atEof) break records;
            if (next !== delimiter && next !== LF && !(next === CR && (pos + 1 >= end || bytes[pos + 1] === LF))) {
              // Text after the closing quote: the field runs on, unquoted, to the next delimiter or line end.
              this.nonAscii = (flags & FieldFlag.NonAscii) !== 0;
              pos = this.scanUnquoted(bytes, pos, end, atEof, line, lineStart);
              if (pos === INCOMPLETE) break records;
              flags |= FieldFlag.Irregular | (this.nonAscii ? FieldFlag.NonAscii : 0);
              contentStart = fieldStart;
              contentEnd = pos;
              if (contentEnd - contentStart > maxFieldBytes) throw fieldTooLong(maxFieldBytes, quoteLine, quoteColumn);
            }
          } else if (!atEof) break records;
        } else {
          // The common case inline: ASCII up to a delimiter or line feed. Anything else (a CR, non-ASCII bytes, the
          // end of the bytes) continues in scanUnquoted from where this loop stopped.
          let kind = ORDINARY;
          while (pos < end && (kind = classes[bytes[pos]!]!) === ORDINARY) pos++;
          if (pos >= end || (kind !== DELIMITER && kind !== LINE_FEED)) {
            this.nonAscii = false;
            pos = this.scanUnquoted(bytes, pos, end, atEof, line, lineStart);
            if (pos === INCOMPLETE) {
              if (end - fieldStart > maxFieldBytes) throw fieldTooLong(maxFieldBytes, line, fieldStart - lineStart + 1);
              break records;
            }
            if (this.nonAscii) flags = FieldFlag.NonAscii;
          }
          contentEnd = pos;
          if (contentEnd - contentStart > maxFieldBytes) {
            throw fieldTooLong(maxFieldBytes, line, fieldStart - lineStart + 1);
          }
        }
        if (count < fields.capacity || fields.reserve(count)) {
          fields.starts[count] = contentStart;
          fields.ends[count] = contentEnd;
          fields.flags[count] = flags;
        }
        count++;
        if (pos < end && bytes[pos] === delimiter) {
          pos++;
          continue;
        }
        if (count < expected) {
          raggedLine = line;
          raggedColumn = pos - lineStart + 1;
        }
        if (pos < end) {
          // CR LF, a lone LF, or a CR that is the last byte of the input
          pos += bytes[pos] === CR && pos + 1 < end ? 2 : 1;
          line++;
          lineStart = pos;
        }
        break;
      }
      if (expected > 0 && count !== expected) {
        if (this.strict) {
          const detail =
            count > expected
              ? `row has ${count} fields, expected ${expected} (as many as the header); the first extra field starts here`
              : `row has ${count} fields, expected ${expected} (as many as the header); the row ends here`;
          throw new ChunkProblem(detail, raggedLine, raggedColumn);
        }
        this.raggedRows++;
        if (this.raggedLines.length < RAGGED_EXAMPLE_LIMIT) {
          this.raggedLines.push(recordLine);
          this.raggedFieldCounts.push(count);
        }
      }
      sink.record(bytes, fields, count);
      records++;
      consumed = pos;
      consumedLines = line;
    }
    this.consumed = consumed;
    this.lines = consumedLines;
    this.records = records;
  }

  /**
   * Returns the end of the unquoted field at `pos` (at its delimiter, line end or the end of input), or INCOMPLETE
   * when the bytes end first and more may follow. Sets `nonAscii` when the field holds validated multi-byte text.
   */
  private scanUnquoted(
    bytes: Buffer,
    pos: number,
    end: number,
    atEof: boolean,
    line: number,
    lineStart: number,
  ): number {
    const classes = this.classes;
    for (;;) {
      let kind = ORDINARY;
      while (pos < end && (kind = classes[bytes[pos]!]!) === ORDINARY) pos++;
      if (pos >= end) return atEof ? pos : INCOMPLETE;
      if (kind === NON_ASCII) {
        const length = utf8SequenceLength(bytes, pos, end);
        if (length > 0) {
          this.nonAscii = true;
          pos += length;
          continue;
        }
        if (length === 0 && !atEof) return INCOMPLETE;
        throw invalidUtf8(line, pos - lineStart + 1);
      }
      if (kind === CARRIAGE_RETURN) {
        if (pos + 1 < end) {
          if (bytes[pos + 1] === LF) return pos;
          pos++; // a lone CR is data
          continue;
        }
        return atEof ? pos : INCOMPLETE;
      }
      return pos; // delimiter or line feed
    }
  }
}

function invalidUtf8(line: number, column: number): ChunkProblem {
  return new ChunkProblem('invalid UTF-8 (save the file as UTF-8)', line, column);
}

function fieldTooLong(maxFieldBytes: number, line: number, column: number): ChunkProblem {
  return new ChunkProblem(
    `field longer than ${maxFieldBytes} bytes (the maximum field length; a quote left open swallows the ` +
      `lines after it)`,
    line,
    column,
  );
}

/** Scratch for collapsing `""` pairs; grows to the longest escaped field seen (at most `maxFieldBytes`). */
let scratch = Buffer.allocUnsafe(4096);

function scratchOf(length: number): Buffer {
  if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, scratch.length * 2));
  return scratch;
}

/** The text of a stored field: quotes removed, `""` collapsed, decoded as UTF-8. */
export function fieldText(bytes: Buffer, start: number, end: number, flags: number): string {
  if (flags & FieldFlag.Irregular) return irregularFieldText(bytes, start, end, flags);
  if (flags & FieldFlag.Escaped) {
    const out = scratchOf(end - start);
    let length = 0;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      out[length++] = byte;
      if (byte === QUOTE) i++; // the second quote of the pair
    }
    return flags & FieldFlag.NonAscii ? utf8Text(out, 0, length) : asciiText(out, 0, length);
  }
  return flags & FieldFlag.NonAscii ? utf8Text(bytes, start, end) : asciiText(bytes, start, end);
}

/** A field like `"ab""c"de`: quoted part with pairs collapsed, then the rest as written (Python's csv reads `ab"cde`). */
function irregularFieldText(bytes: Buffer, start: number, end: number, flags: number): string {
  const out = scratchOf(end - start);
  let length = 0;
  let inQuotes = true;
  for (let i = start + 1; i < end; i++) {
    const byte = bytes[i]!;
    if (inQuotes && byte === QUOTE) {
      if (i + 1 < end && bytes[i + 1] === QUOTE) {
        out[length++] = QUOTE;
        i++;
      } else inQuotes = false;
      continue;
    }
    out[length++] = byte;
  }
  return flags & FieldFlag.NonAscii ? utf8Text(out, 0, length) : asciiText(out, 0, length);
}

/** Keeps each record as an array of strings: for headers, tests and small payloads (not the hot path). */
export class CollectingSink implements CsvRecordSink {
  readonly rows: string[][] = [];

  record(bytes: Buffer, fields: CsvFields, count: number): void {
    const stored = Math.min(count, fields.capacity);
    const row: string[] = new Array<string>(stored);
    for (let i = 0; i < stored; i++) row[i] = fieldText(bytes, fields.starts[i]!, fields.ends[i]!, fields.flags[i]!);
    this.rows.push(row);
  }
}

/** Records gathered by `ProfileSink` before their cells are profiled, column by column. */
const BATCH_ROWS = 256;
/** Values a column gathers before handing them over to its profile in one call. */
const SLAB = 8192;
/** The flag of a field a short row does not have (its column is not touched for that row). */
const ABSENT_FIELD = 0xff;
/** Flags of fields the fast path decoded as numbers (the value is in `ProfileSink.values`). */
const DECODED_INTEGRAL = 0xfd;
const DECODED_FRACTIONAL = 0xfe;
/** 10^0 … 10^15: the divisors of the fast path's decimals (at most 15 digits in all). */
const DECIMAL_SCALES = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
/** Numbers a column keeps uncounted in a chunk (1 MiB) before recording them as skipped and keeping the next ones. */
const MAX_KEPT_NUMBERS = 1 << 17;

export interface ProfileSinkOptions {
  /**
   * Leave the numbers of a column uncounted in its value frequencies while the chunk holds no text for it (default
   * false). Counting numbers is about a third of the cost of profiling a numeric column, and no output reads those
   * counts unless the column turns out String. The numbers are kept (in order, up to `MAX_KEPT_NUMBERS`) and counted
   * when the column's first text comes, so a column with text in every chunk is counted exactly; the others are
   * recorded as skipped (`FrequentValues.skipNumbers`) by `endChunk`, which the caller must then call when the chunk
   * ends. Columns named in the profile's `countNumbersOf` are always counted.
   */
  leaveNumbersUncounted?: boolean;
}

/**
 * Feeds records to a profile, allocating nothing per row (column-at-a-time loops, typed buffers, values in batches):
 * - Plain rows are read by `fastRecord`, which the parser tries at each record start: fields are scanned with their
 *   numbers (`-?digits(.digits)?`, at most 15 digits) decoded on the way; other rows come through `record` as the
 *   parser read them. Either way a row's cells go to batch arrays (a field's range and flags, or its decoded value).
 * - Every `BATCH_ROWS` rows, each column of the batch is classified in one loop (`classifyAscii` on the bytes for the
 *   cells not decoded yet) into the column's slabs: numbers with their Integral/Fractional vote, or the byte ranges of
 *   text. A slab goes to the column in one call (`addNumbers`, `addAsciiStrings`) when it is full, when the other
 *   kind of value comes (so the column's frequencies see its values in file order), and when the parse ends: a
 *   column's sketch and tables stay in cache for thousands of values instead of being fetched again every batch.
 * - Text is counted from its bytes (`FrequentValues.addAscii`): strings are made only for non-ASCII or escaped text,
 *   and for columns with per-value checks (which need the text as written and keep the cell-by-cell path).
 * - Optionally (`leaveNumbersUncounted`), a column's numbers skip the value frequencies until its first text in the
 *   chunk (see `ProfileSinkOptions`).
 * Fields past the header's width are dropped; missing trailing fields count as missing values (the profile counts
 * rows, not calls). The parser calls `finish()` when a parse ends; the bytes must stay unchanged until then.
 */
export class ProfileSink implements CsvRecordSink {
  private readonly width: number;
  private readonly columns: ColumnProfile[];
  /** Per column: profiled from the bytes (true), or cell by cell from strings (columns with value checks). */
  private readonly fromBytes: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly flags: Uint8Array;
  /** Numbers the fast path decoded, by cell as `starts`. */
  private readonly values: Float64Array;
  /**
   * Per column, the values gathered for it across batches (in file order): numbers with their count and how many are
   * Fractional, or the byte ranges of ASCII text cells. They go to the column a slab at a time, so that its sketch
   * and tables stay in cache for thousands of values rather than being fetched again for every batch of rows.
   */
  private readonly slabNumbers: (Float64Array | undefined)[];
  private readonly numberCounts: Int32Array;
  private readonly fractionalCounts: Int32Array;
  private readonly slabStarts: (Int32Array | undefined)[];
  private readonly slabEnds: (Int32Array | undefined)[];
  private readonly stringCounts: Int32Array;
  private rows = 0;
  private bytes: Buffer | null = null;
  /** Per column: 1 where its numbers may stay uncounted (see `ProfileSinkOptions`), and 1 while they do. */
  private readonly mayLeaveUncounted: Uint8Array;
  private readonly leavingUncounted: Uint8Array;
  /** Per column, the numbers not counted yet in this chunk, in order (see `ProfileSinkOptions`). */
  private readonly keptNumbers: (Float64Array | undefined)[];
  private readonly keptCounts: Int32Array;

  constructor(
    readonly profile: DatasetProfile,
    columnNames: readonly string[],
    options: ProfileSinkOptions = {},
  ) {
    this.width = columnNames.length;
    const checks = profile.options.valueChecks ?? {};
    const counted = profile.options.countNumbersOf ?? [];
    this.columns = columnNames.map((_, index) => profile.columns[index]!);
    this.fromBytes = Uint8Array.from(columnNames, (name) => (checks[name] === undefined ? 1 : 0));
    this.mayLeaveUncounted = Uint8Array.from(columnNames, (name, index) =>
      options.leaveNumbersUncounted === true && counted !== 'all' && !counted.includes(name) && this.fromBytes[index]
        ? 1
        : 0,
    );
    this.leavingUncounted = this.mayLeaveUncounted.slice();
    this.keptNumbers = new Array<Float64Array | undefined>(this.width).fill(undefined);
    this.keptCounts = new Int32Array(this.width);
    this.starts = new Int32Array(this.width * BATCH_ROWS);
    this.ends = new Int32Array(this.width * BATCH_ROWS);
    this.flags = new Uint8Array(this.width * BATCH_ROWS);
    this.values = new Float64Array(this.width * BATCH_ROWS);
    this.slabNumbers = new Array<Float64Array | undefined>(this.width).fill(undefined);
    this.numberCounts = new Int32Array(this.width);
    this.fractionalCounts = new Int32Array(this.width);
    this.slabStarts = new Array<Int32Array | undefined>(this.width).fill(undefined);
    this.slabEnds = new Array<Int32Array | undefined>(this.width).fill(undefined);
    this.stringCounts = new Int32Array(this.width);
  }

  /**
   * The parser's fast path (see `CsvRecordSink.fastRecord`), fused with number decoding: an unquoted field of the
   * form `-?digits` or `-?digits.digits` (at most 15 digits, so the value is exact as in `classifyAscii`) is decoded
   * while it is scanned; any other field keeps its byte range for `classifyAscii` later, as from `record`.
   */
  fastRecord(bytes: Buffer, pos: number, end: number, parser: CsvParser): number {
    const width = this.width;
    const delimiter = parser.delimiter;
    if (parser.expectedFields !== width) return -1;
    if (bytes !== this.bytes) {
      this.finish();
      this.bytes = bytes;
    }
    const classes = parser.classes;
    const { starts, ends, flags, values, fromBytes } = this;
    const maxFieldBytes = parser.maxFieldBytes;
    const lastColumn = width - 1;
    let at = this.rows;
    for (let column = 0; column < width; column++, at += BATCH_ROWS) {
      if (pos >= end) return -1;
      const fieldStart = pos;
      let byte = bytes[pos]!;
      if (byte === QUOTE) {
        pos++;
        let flag: number = FieldFlag.Quoted;
        for (;;) {
          while (pos < end && QUOTED_CLASSES[(byte = bytes[pos]!)] === ORDINARY) pos++;
          if (pos >= end || byte < 0x80) break;
          // Valid UTF-8 goes on (invalid or cut short: the parser's to report or to wait for).
          const length = utf8SequenceLength(bytes, pos, end);
          if (length <= 0) return -1;
          flag = FieldFlag.Quoted | FieldFlag.NonAscii;
          pos += length;
        }
        // A closing quote then the field's end; a `""` or a line break is the parser's to read.
        if (pos + 1 >= end || byte !== QUOTE || pos - fieldStart - 1 > maxFieldBytes) return -1;
        starts[at] = fieldStart + 1;
        ends[at] = pos;
        flags[at] = flag;
        pos++;
      } else {
        let decoded = 0;
        if (fromBytes[column] === 1) {
          // -?digits(.digits)?: the first nine digits (integer and fraction) in int32 arithmetic, several times
          // faster than a chain of double multiply-adds; more (up to 15, all exact) in doubles.
          let p = pos;
          const negative = byte === 45; // '-'
          if (negative) p++;
          const digitsStart = p;
          let small = 0;
          let limit = end - p > 9 ? p + 9 : end;
          while (p < limit) {
            const digit = bytes[p]! - 48;
            if (digit < 0 || digit > 9) break;
            small = small * 10 + digit;
            p++;
          }
          let mantissa = small;
          if (p === limit) {
            while (p < end) {
              const digit = bytes[p]! - 48;
              if (digit < 0 || digit > 9) break;
              mantissa = mantissa * 10 + digit;
              p++;
            }
          }
          let digits = p - digitsStart;
          let fractionDigits = 0;
          if (digits > 0 && digits <= 15 && p < end && bytes[p] === 46) {
            // '.'
            const fractionStart = ++p;
            if (digits < 9) {
              limit = end - p > 9 - digits ? p + 9 - digits : end;
              while (p < limit) {
                const digit = bytes[p]! - 48;
                if (digit < 0 || digit > 9) break;
                small = small * 10 + digit;
                p++;
              }
              mantissa = small;
            }
            if (digits + (p - fractionStart) >= 9) {
              while (p < end) {
                const digit = bytes[p]! - 48;
                if (digit < 0 || digit > 9) break;
                mantissa = mantissa * 10 + digit;
                p++;
              }
            }
            fractionDigits = p - fractionStart;
            digits += fractionDigits;
            if (fractionDigits === 0) digits = 0;
          }
          if (digits > 0 && digits <= 15 && p < end) {
            const next = bytes[p]!;
            if (column < lastColumn ? next === delimiter : next === LF || next === CR) {
              let value = fractionDigits === 0 ? mantissa : mantissa / DECIMAL_SCALES[fractionDigits]!;
              if (negative) value = -value;
              values[at] = value;
              decoded = fractionDigits === 0 ? DECODED_INTEGRAL : DECODED_FRACTIONAL;
            }
          }
          // Otherwise scan on from p: the bytes before it are digits, signs and dots, all ordinary.
          pos = p;
        }
        let flag = decoded;
        if (decoded === 0) {
          for (;;) {
            while (pos < end && classes[(byte = bytes[pos]!)] === ORDINARY) pos++;
            if (pos >= end || byte < 0x80) break;
            const length = utf8SequenceLength(bytes, pos, end);
            if (length <= 0) return -1;
            flag = FieldFlag.NonAscii;
            pos += length;
          }
          if (pos >= end || pos - fieldStart > maxFieldBytes) return -1;
          starts[at] = fieldStart;
          ends[at] = pos;
        }
        flags[at] = flag;
      }
      // The field's end: the delimiter, or for the last field the line's end.
      byte = bytes[pos]!;
      if (column < lastColumn) {
        if (byte !== delimiter) return -1;
        pos++;
      } else if (byte === LF) pos++;
      else if (byte === CR && pos + 1 < end && bytes[pos + 1] === LF) pos += 2;
      else return -1;
    }
    if (++this.rows === BATCH_ROWS) this.profileRows();
    return pos;
  }

  record(bytes: Buffer, fields: CsvFields, count: number): void {
    if (bytes !== this.bytes) {
      this.finish();
      this.bytes = bytes;
    }
    const width = this.width;
    const stored = count < width ? count : width;
    const { starts, ends, flags } = fields;
    for (let column = 0, at = this.rows; column < width; column++, at += BATCH_ROWS) {
      if (column < stored) {
        this.starts[at] = starts[column]!;
        this.ends[at] = ends[column]!;
        this.flags[at] = flags[column]!;
      } else this.flags[at] = ABSENT_FIELD;
    }
    if (++this.rows === BATCH_ROWS) this.profileRows();
  }

  /** Profiles the records gathered so far, and hands every gathered value over (the parser calls it when a parse ends). */
  finish(): void {
    if (this.rows > 0) this.profileRows();
    const bytes = this.bytes;
    for (let column = 0; column < this.width; column++) {
      if (this.numberCounts[column]! > 0) this.flushNumbers(column);
      if (this.stringCounts[column]! > 0) this.flushStrings(column, this.stringCounts[column]!, bytes!);
    }
  }

  /** Profiles the gathered records column by column, into the columns' slabs. */
  private profileRows(): void {
    const rows = this.rows;
    const bytes = this.bytes!;
    for (let column = 0; column < this.width; column++) {
      if (this.fromBytes[column] === 1) this.profileColumn(column, column * BATCH_ROWS, rows, bytes);
      else this.profileColumnText(this.columns[column]!, column * BATCH_ROWS, rows, bytes);
    }
    this.profile.endRows(rows);
    this.rows = 0;
  }

  private profileColumn(index: number, base: number, rows: number, bytes: Buffer): void {
    const column = this.columns[index]!;
    const { starts, ends, flags, values } = this;
    const numbers = this.slabNumbers[index] ?? this.newNumberSlab(index);
    let count = this.numberCounts[index]!;
    let fractional = this.fractionalCounts[index]!;
    let strings = this.stringCounts[index]!;
    let missing = 0;
    for (let at = base; at < base + rows; at++) {
      const flag = flags[at]!;
      let number: number;
      let isFractional: boolean;
      if (flag >= DECODED_INTEGRAL) {
        if (flag === ABSENT_FIELD) continue;
        number = values[at]!;
        isFractional = flag === DECODED_FRACTIONAL;
      } else {
        const start = starts[at]!;
        const end = ends[at]!;
        if ((flag & ~FieldFlag.Quoted) !== 0) {
          // Non-ASCII or escaped: the text, after everything gathered before it.
          if (count > 0) {
            this.handOverNumbers(index, numbers, count, fractional);
            count = fractional = 0;
          }
          if (strings > 0) strings = this.flushStrings(index, strings, bytes);
          if (this.leavingUncounted[index] === 1) this.countKeptNumbers(index);
          column.addText(fieldText(bytes, start, end, flag));
          continue;
        }
        // ASCII, as written or inside quotes
        if (start === end) {
          missing++;
          continue;
        }
        const kind = classifyAscii(bytes, start, end);
        if (kind === ValueKind.Missing) {
          missing++;
          continue;
        }
        if (kind === ValueKind.String || kind === ValueKind.Boolean) {
          if (count > 0) {
            this.handOverNumbers(index, numbers, count, fractional);
            count = fractional = 0;
          }
          if (this.leavingUncounted[index] === 1) this.countKeptNumbers(index);
          if (kind === ValueKind.Boolean) {
            if (strings > 0) strings = this.flushStrings(index, strings, bytes);
            column.addBoolean(lastParsed.boolean);
            continue;
          }
          const stringStarts = this.slabStarts[index] ?? this.newStringSlab(index);
          stringStarts[strings] = start;
          this.slabEnds[index]![strings] = end;
          if (++strings === SLAB) strings = this.flushStrings(index, strings, bytes);
          continue;
        }
        number = lastParsed.number;
        isFractional = kind === ValueKind.Fractional;
      }
      if (strings > 0) strings = this.flushStrings(index, strings, bytes);
      numbers[count++] = number;
      if (isFractional) fractional++;
      if (count === SLAB) {
        this.handOverNumbers(index, numbers, count, fractional);
        count = fractional = 0;
      }
    }
    this.numberCounts[index] = count;
    this.fractionalCounts[index] = fractional;
    this.stringCounts[index] = strings;
    if (missing > 0) column.addMissing(missing);
  }

  private newNumberSlab(index: number): Float64Array {
    const slab = new Float64Array(SLAB);
    this.slabNumbers[index] = slab;
    return slab;
  }

  private newStringSlab(index: number): Int32Array {
    const slab = new Int32Array(SLAB);
    this.slabStarts[index] = slab;
    this.slabEnds[index] = new Int32Array(SLAB);
    return slab;
  }

  private flushNumbers(index: number): void {
    this.handOverNumbers(index, this.slabNumbers[index]!, this.numberCounts[index]!, this.fractionalCounts[index]!);
    this.numberCounts[index] = 0;
    this.fractionalCounts[index] = 0;
  }

  /** Gives a slab of numbers to the column; while it is leaving numbers uncounted, keeps them for its frequencies. */
  private handOverNumbers(index: number, numbers: Float64Array, count: number, fractional: number): void {
    const column = this.columns[index]!;
    if (this.leavingUncounted[index] === 0) {
      column.addNumbers(numbers, count, fractional);
      return;
    }
    column.addNumbers(numbers, count, fractional, false);
    let kept = this.keptCounts[index]!;
    if (kept + count > MAX_KEPT_NUMBERS) {
      // Too many to keep: these are left uncounted for good, and keeping starts again.
      column.frequencies.skipNumbers(kept);
      kept = 0;
    }
    let buffer = this.keptNumbers[index];
    if (buffer === undefined || buffer.length < kept + count) {
      const grown = new Float64Array(Math.min(MAX_KEPT_NUMBERS, Math.max(2 * (kept + count), SLAB)));
      if (buffer !== undefined) grown.set(buffer.subarray(0, kept));
      this.keptNumbers[index] = buffer = grown;
    }
    buffer.set(numbers.subarray(0, count), kept);
    this.keptCounts[index] = kept + count;
  }

  /** The column's first text in the chunk: its numbers so far are counted before it, and the next ones as they come. */
  private countKeptNumbers(index: number): void {
    const kept = this.keptCounts[index]!;
    if (kept > 0) this.columns[index]!.frequencies.addNumbers(this.keptNumbers[index]!, kept);
    this.keptCounts[index] = 0;
    this.leavingUncounted[index] = 0;
  }

  /**
   * Ends a chunk (after its last `parse`): the numbers still uncounted are recorded as skipped, and the next chunk,
   * profiled into a fresh or reset profile, starts leaving numbers uncounted again.
   */
  endChunk(): void {
    this.finish();
    for (let index = 0; index < this.width; index++) {
      const kept = this.keptCounts[index]!;
      if (kept > 0) this.columns[index]!.frequencies.skipNumbers(kept);
    }
    this.keptCounts.fill(0);
    this.leavingUncounted.set(this.mayLeaveUncounted);
  }

  /** Hands over the column's `count` gathered texts; returns 0, their new number. */
  private flushStrings(index: number, count: number, bytes: Buffer): number {
    this.columns[index]!.addAsciiStrings(bytes, this.slabStarts[index]!, this.slabEnds[index]!, count);
    this.stringCounts[index] = 0;
    return 0;
  }

  /** The cell-by-cell path for a column with value checks: every cell as a string. */
  private profileColumnText(column: ColumnProfile, base: number, rows: number, bytes: Buffer): void {
    const { starts, ends, flags } = this;
    for (let at = base; at < base + rows; at++) {
      const flag = flags[at]!;
      if (flag === ABSENT_FIELD) continue;
      if (flag === 0) column.addText(asciiText(bytes, starts[at]!, ends[at]!));
      else column.addText(fieldText(bytes, starts[at]!, ends[at]!, flag));
    }
  }
}

/** How a file's first record is taken: `auto` decides with `looksLikeHeader`. */
export type HeaderMode = 'auto' | 'true' | 'false' | boolean;

/**
 * The header rule of `header: auto`: the first record is a header unless one of its cells is a number or a Boolean
 * (by the profile's own text rules, `classifyText`). Column names are text; data rows of a numeric dataset hold
 * numbers, so a first row with a number is data. An all-text file is read as having a header: a header-less CSV of
 * text only is rare, and `header: false` says so. (The rule "first row text, second row has numbers" would read every
 * all-text dataset as header-less; checking only the first row also decides with a single record.)
 */
export function looksLikeHeader(cells: readonly string[], isNumberOrBoolean: (text: string) => boolean): boolean {
  return !cells.some(isNumberOrBoolean);
}

/**
 * Column names from a header record: an empty name becomes Spark's `_c<i>` (as Model Monitor names header-less
 * columns), and a repeated name gets `.1`, `.2`, ... as pandas does, so every column keeps its own profile.
 */
export function columnNamesFromHeader(cells: readonly string[]): string[] {
  const seen = new Set<string>();
  return cells.map((cell, index) => {
    let name = cell === '' ? `_c${index}` : cell;
    if (seen.has(name)) {
      let suffix = 1;
      while (seen.has(`${name}.${suffix}`)) suffix++;
      name = `${name}.${suffix}`;
    }
    seen.add(name);
    return name;
  });
}

const positionalNames: string[] = [];

/** `_c<index>`, the name of a positional column; cached, as rows without header name their cells one by one. */
export function positionalName(index: number): string {
  return (positionalNames[index] ??= `_c${index}`);
}

/** Spark's names for the columns of a CSV without header: `_c0`, `_c1`, ... */
export function positionalColumnNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `_c${index}`);
}

/** Length of a UTF-8 byte-order mark at the start of `bytes` (3), or 0. */
export function bomLength(bytes: Uint8Array): number {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** The byte a `delimiter` option names: one ASCII character, or `\t` / `tab` for a tab. */
export function delimiterByte(delimiter: string): number {
  const text = delimiter === '\\t' || delimiter.toLowerCase() === 'tab' ? '\t' : delimiter;
  const code = text.length === 1 ? text.charCodeAt(0) : -1;
  if (code < 1 || code > 0x7f || code === LF || code === CR || code === QUOTE) {
    throw new RangeError(
      `'${delimiter}' cannot be a CSV delimiter: use one ASCII character other than a quote or a line break ` +
        `(write \\t or tab for a tab)`,
    );
  }
  return code;
}
