/**
 * JSON Lines: one JSON value per line, profiled as one row.
 *
 * - An object is flattened: nested objects become columns named by their `.`-joined path (`{"a": {"b": 1}}` gives
 *   column `a.b`); arrays stay whole, as their JSON text (a list is one value of the column, not several columns).
 * - A top-level array is a positional row, like a CSV line without header: element i goes to column `_c<i>`.
 * - A top-level scalar is a one-column row (`_c0`).
 * - `null` is a missing value; a key absent from a line is missing in that row.
 * - Blank lines are skipped; a CR before the LF is ignored. Lines and columns are 1-based; columns count bytes.
 * Columns are discovered as they appear, so files of one dataset may differ in which optional keys they hold.
 */
import type { RawValue } from '../values.js';
import type { DatasetProfile } from '../profile.js';
import { CR, firstInvalidUtf8, LF, utf8Text } from './bytes.js';
import { ChunkProblem } from './csv.js';

/** Adds one parsed JSON line to `profile` as a row (see the module comment). */
export function addJsonRow(profile: DatasetProfile, value: unknown): void {
  if (isPlainObject(value)) addFlattened(profile, value, '');
  else if (Array.isArray(value)) addPositional(profile, value);
  else addCell(profile, '_c0', value);
  profile.endRow();
}

/** Element i of `values` to column `_c<i>`; nested values as JSON text. */
export function addPositional(profile: DatasetProfile, values: readonly unknown[]): void {
  for (let i = 0; i < values.length; i++) addCell(profile, `_c${i}`, values[i]);
}

/** The fields of an object, nested objects flattened to `.` paths under `prefix`. */
export function addFlattened(profile: DatasetProfile, object: Record<string, unknown>, prefix: string): void {
  for (const key in object) {
    const value = object[key];
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value)) addFlattened(profile, value, name);
    else addCell(profile, name, value);
  }
}

function addCell(profile: DatasetProfile, name: string, value: unknown): void {
  profile.addValue(profile.columnIndex(name), cellValue(value));
}

/** A JSON value as a profile cell: scalars as they are, arrays and objects as JSON text. */
export function cellValue(value: unknown): RawValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    default:
      return JSON.stringify(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Result of parsing the lines of a byte range. */
export interface LinesProgress {
  /** Offset just past the last complete line. */
  consumed: number;
  /** Line feeds before `consumed`. */
  lines: number;
  /** Lines handed to `onLine` (blank lines excluded). */
  records: number;
}

/**
 * Calls `onLine(text, lineIndex)` for each complete, non-blank line of `bytes[start, end)` (the last one needs no LF
 * when `atEof`). Invalid UTF-8 and lines longer than `maxLineBytes` are ChunkProblems; `onLine` may throw its own.
 */
export function forEachLine(
  bytes: Buffer,
  start: number,
  end: number,
  atEof: boolean,
  maxLineBytes: number,
  onLine: (text: string, lineIndex: number) => void,
): LinesProgress {
  let pos = start;
  let line = 0;
  let records = 0;
  while (pos < end) {
    let lineEnd = bytes.indexOf(LF, pos);
    if (lineEnd === -1 || lineEnd >= end) {
      if (!atEof) break;
      lineEnd = end;
    }
    let textEnd = lineEnd;
    if (textEnd > pos && bytes[textEnd - 1] === CR) textEnd--;
    if (textEnd - pos > maxLineBytes) {
      throw new ChunkProblem(`line longer than ${maxLineBytes} bytes (the maximum record length)`, line, 1);
    }
    if (!isBlank(bytes, pos, textEnd)) {
      const text = utf8Text(bytes, pos, textEnd);
      // Decoding replaces invalid bytes with U+FFFD; only then is the line checked byte by byte.
      if (text.includes('\uFFFD')) {
        const invalid = firstInvalidUtf8(bytes, pos, textEnd);
        if (invalid !== -1) throw new ChunkProblem('invalid UTF-8 (save the file as UTF-8)', line, invalid - pos + 1);
      }
      onLine(text, line);
      records++;
    }
    pos = lineEnd + 1;
    line++;
  }
  return { consumed: Math.min(pos, end), lines: line, records };
}

function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte !== 0x20 && byte !== 0x09 && byte !== CR) return false;
  }
  return true;
}

/** JSON.parse, with a failure turned into a ChunkProblem at the failing byte of the line. */
export function parseJsonLine(text: string, lineIndex: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text);
    const column = Buffer.byteLength(text.slice(0, offset), 'utf8') + 1;
    throw new ChunkProblem(`not valid JSON: ${jsonErrorDetail(error, offset, text)}`, lineIndex, column);
  }
}

/** V8's message without its position suffix, which changes between Node versions and is replaced by line/column. */
function jsonErrorDetail(error: unknown, offset: number, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const cleaned = message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/,? ?"[^"]*"(\.\.\.)? is not valid JSON$/s, '')
    .trim();
  if (cleaned !== '' && !/^Unexpected token/.test(cleaned)) return cleaned;
  return offset >= text.length ? 'unexpected end of the line' : `unexpected ${JSON.stringify(text[offset])}`;
}

/**
 * Offset (in UTF-16 units) of the first character of `text` at which JSON stops being valid: a small validating
 * scanner, used only after JSON.parse failed, since V8's messages do not always say where (and differ by version).
 */
export function jsonErrorOffset(text: string): number {
  let pos = 0;
  const length = text.length;
  const skipSpace = () => {
    while (pos < length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      pos++;
    }
  };
  const fail = (): never => {
    throw pos;
  };
  const literal = (word: string) => {
    for (let i = 0; i < word.length; i++) {
      if (text[pos] !== word[i]) fail();
      pos++;
    }
  };
  const string = () => {
    pos++; // opening quote
    for (;;) {
      if (pos >= length) fail();
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 0x5c) {
        pos++;
        const escape = text[pos];
        if (escape === 'u') {
          for (let i = 1; i <= 4; i++) if (!/[0-9a-fA-F]/.test(text[pos + i] ?? '')) fail();
          pos += 5;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) pos++;
        else fail();
        continue;
      }
      pos++;
    }
  };
  const number = () => {
    if (text[pos] === '-') pos++;
    if (text[pos] === '0') pos++;
    else if (/[1-9]/.test(text[pos] ?? '')) while (/[0-9]/.test(text[pos] ?? '')) pos++;
    else fail();
    if (text[pos] === '.') {
      pos++;
      if (!/[0-9]/.test(text[pos] ?? '')) fail();
      while (/[0-9]/.test(text[pos] ?? '')) pos++;
    }
    if (text[pos] === 'e' || text[pos] === 'E') {
      pos++;
      if (text[pos] === '+' || text[pos] === '-') pos++;
      if (!/[0-9]/.test(text[pos] ?? '')) fail();
      while (/[0-9]/.test(text[pos] ?? '')) pos++;
    }
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail();
    skipSpace();
    const c = text[pos];
    if (c === '{') {
      pos++;
      skipSpace();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail();
        string();
        skipSpace();
        if (text[pos] !== ':') fail();
        pos++;
        value(depth + 1);
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return;
        }
        fail();
      }
    }
    if (c === '[') {
      pos++;
      skipSpace();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (;;) {
        value(depth + 1);
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value(0);
    skipSpace();
    return pos < length ? pos : length;
  } catch (offset) {
    if (typeof offset === 'number') return Math.min(offset, length);
    return 0; // a RangeError from a pathologically deep value: point at the line
  }
}
