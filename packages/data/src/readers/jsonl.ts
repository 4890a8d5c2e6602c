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
import { locateJsonError } from '../json.js';
import { CR, firstInvalidUtf8, LF, utf8Text } from './bytes.js';
import { ChunkProblem, positionalName } from './csv.js';

/** Adds one parsed JSON line to `profile` as a row (see the module comment). */
export function addJsonRow(profile: DatasetProfile, value: unknown): void {
  if (isPlainObject(value)) addFlattened(profile, value, '');
  else if (Array.isArray(value)) addPositional(profile, value);
  else addCell(profile, '_c0', value);
  profile.endRow();
}

/** Element i of `values` to column `_c<i>`; nested values as JSON text. */
export function addPositional(profile: DatasetProfile, values: readonly unknown[]): void {
  for (let i = 0; i < values.length; i++) addCell(profile, positionalName(i), values[i]);
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
  } catch {
    // V8's messages differ by version and do not always say where; the reader in json.ts does, in UTF-16 units.
    const { offset, problem } = locateJsonError(text);
    const column = Buffer.byteLength(text.slice(0, offset), 'utf8') + 1;
    throw new ChunkProblem(`not valid JSON: ${problem}`, lineIndex, column);
  }
}
