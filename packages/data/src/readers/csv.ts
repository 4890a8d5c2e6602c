/**
 * The CSV parser: a byte-level scanner over Buffers that finds each record's fields and hands them to a sink.
 *
 * Why not a library: the budget is the whole pipeline at ≥ 100 MiB/s on 2 cores with exact line/column errors,
 * streaming with bounded memory. uDSV (~330 MiB/s by its own benchmark) and PapaParse (~186 MiB/s) parse strings: every
 * byte is first decoded into a JavaScript string, every cell becomes a string before a number is parsed from it, and
 * neither reports the physical line and column of a problem (nor is either installed here). This scanner works on the
 * bytes, decodes numbers from them, and makes a string only for a text cell.
 *
 * Measured on this machine (scripts/bench/data-bench.ts, 1 GB of 10 numeric + 5 string columns, one thread): scanning
 * alone runs at ~230 MiB/s; with every cell decoded (numbers from bytes, strings for text) the reader does ~60 MiB/s
 * per core, read from disk included. The profile the values feed (`DatasetProfile`: KLL sketch, frequencies, moments;
 * ~150–250 ns a value) brings the whole pipeline to ~25 MiB/s per core: it takes about 60 % of the CPU time, and no
 * parser can make the pipeline faster than the profile alone (~40 MiB/s per core on this shape).
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
import type { DatasetProfile } from '../profile.js';
import { asciiText, CR, decoded, decodeNumber, DecodedKind, LF, QUOTE, utf8SequenceLength, utf8Text } from './bytes.js';

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

  private readonly classes: Uint8Array;
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
    const delimiter = this.delimiter;
    const maxFieldBytes = this.maxFieldBytes;
    const expected = this.expectedFields;
    const fields = this.fields;
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
          this.nonAscii = false;
          pos = this.scanUnquoted(bytes, pos, end, atEof, line, lineStart);
          if (pos === INCOMPLETE) {
            if (end - fieldStart > maxFieldBytes) throw fieldTooLong(maxFieldBytes, line, fieldStart - lineStart + 1);
            break records;
          }
          if (this.nonAscii) flags = FieldFlag.NonAscii;
          contentEnd = pos;
          if (contentEnd - contentStart > maxFieldBytes) {
            throw fieldTooLong(maxFieldBytes, line, fieldStart - lineStart + 1);
          }
        }
        if (fields.reserve(count)) {
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

/**
 * Feeds each record to a profile, cell by cell, allocating nothing per row: numeric cells are decoded from the
 * bytes (`decodeNumber`), and a string is made only for text cells, for numbers the fast path leaves to the text
 * rules, and for columns with per-value checks (which need the text as written). Fields past the header's width are
 * dropped; missing trailing fields count as missing values (the profile counts rows, not calls).
 *
 * (A per-column cache of recent strings, to spare making repeated categories, measured no faster on the benchmark:
 * the profile's own per-value work dominates.)
 */
export class ProfileSink implements CsvRecordSink {
  private readonly width: number;
  private readonly decodeNumbers: boolean[];

  constructor(
    readonly profile: DatasetProfile,
    columnNames: readonly string[],
  ) {
    this.width = columnNames.length;
    const checks = profile.options.valueChecks ?? {};
    this.decodeNumbers = columnNames.map((name) => checks[name] === undefined);
  }

  record(bytes: Buffer, fields: CsvFields, count: number): void {
    const profile = this.profile;
    const { starts, ends, flags } = fields;
    const width = count < this.width ? count : this.width;
    for (let column = 0; column < width; column++) {
      const start = starts[column]!;
      const end = ends[column]!;
      const flag = flags[column]!;
      if (flag === 0) {
        if (start === end) {
          profile.addText(column, '');
          continue;
        }
        if (this.decodeNumbers[column] && decodeNumber(bytes, start, end) !== DecodedKind.Text) {
          profile.addValue(column, decoded.value);
          continue;
        }
        profile.addText(column, asciiText(bytes, start, end));
      } else profile.addText(column, fieldText(bytes, start, end, flag));
    }
    profile.endRow();
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
