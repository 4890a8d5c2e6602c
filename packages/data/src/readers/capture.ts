/**
 * SageMaker endpoint data capture: JSON Lines files written under `<destination>/<endpoint>/<variant>/yyyy/mm/dd/hh/`,
 * one inference per line:
 *   {"captureData": {"endpointInput": {"observedContentType", "mode": "INPUT", "data", "encoding"},
 *                    "endpointOutput": {...}}, "eventMetadata": {...}, "eventVersion": "0"}
 *
 * One side is read (`input`, the features, by default; or `output`, the predictions). Its `data` is decoded by
 * `encoding`: `CSV` and `JSON` hold the payload as text, `BASE64` (what SageMaker writes when the endpoint's capture
 * config names no content types) holds it base64-encoded, and the payload is then read by `observedContentType`
 * (CSV for `text/csv`, JSON Lines for `application/jsonlines`, JSON for other `json` types), or, for any other type,
 * as JSON when it starts with `{` or `[` and as CSV otherwise.
 *
 * Payload rows:
 * - CSV: every line is a row of positional columns `_c0`, `_c1`, ... (no header, as Model Monitor reads captured CSV),
 *   so a batch request of several lines gives several rows.
 * - JSON: `{"instances": [...]}` (the SageMaker/TensorFlow Serving request) or `{"predictions": [...]}` (its response)
 *   gives one row per element; a bare array of arrays or of objects gives one row per element; any other array is one
 *   positional row; any other object is one row flattened as in JSON Lines. Each row element that is an array is
 *   positional (`_c<i>`), an object is flattened, a scalar is `_c0`.
 * Records without the chosen side (capture of inputs only, say) are skipped and counted.
 */
import type { DatasetProfile } from '../profile.js';
import { ChunkProblem, CollectingSink, CsvParser, DEFAULT_MAX_FIELD_BYTES, positionalName } from './csv.js';
import { addFlattened, addPositional, cellValue, forEachLine, parseJsonLine } from './jsonl.js';

export type CaptureSide = 'input' | 'output';

const SIDE_FIELD: Record<CaptureSide, string> = { input: 'endpointInput', output: 'endpointOutput' };

export interface CaptureTally {
  /** Records whose chosen side was absent. */
  skipped: number;
}

/**
 * Adds the rows of one capture record (a parsed line) to `profile`. `lineIndex` locates problems in the file.
 * Returns the number of rows added.
 */
export function addCaptureRecord(
  profile: DatasetProfile,
  record: unknown,
  side: CaptureSide,
  lineIndex: number,
  tally: CaptureTally,
): number {
  const field = SIDE_FIELD[side];
  const captureData = (record as { captureData?: unknown } | null)?.captureData;
  if (typeof captureData !== 'object' || captureData === null) {
    throw new ChunkProblem('not a SageMaker data capture record: it has no captureData object', lineIndex, 1);
  }
  const payload = (captureData as Record<string, unknown>)[field];
  if (payload === undefined || payload === null) {
    tally.skipped++;
    return 0;
  }
  if (typeof payload !== 'object') {
    throw new ChunkProblem(`captureData.${field} is not an object`, lineIndex, 1);
  }
  const { data, encoding, observedContentType } = payload as Record<string, unknown>;
  if (typeof data !== 'string') throw new ChunkProblem(`captureData.${field}.data is not a string`, lineIndex, 1);
  const where = `captureData.${field}.data`;
  const contentType = typeof observedContentType === 'string' ? observedContentType.toLowerCase() : '';
  switch (typeof encoding === 'string' ? encoding.toUpperCase() : encoding) {
    case 'CSV':
      return addCsvPayload(profile, Buffer.from(data, 'utf8'), where, lineIndex);
    case 'JSON':
      return addJsonPayload(profile, data, contentType, where, lineIndex);
    case 'BASE64': {
      const bytes = Buffer.from(data, 'base64');
      const kind = payloadKind(contentType, bytes);
      if (kind === 'csv') return addCsvPayload(profile, bytes, where, lineIndex);
      return addJsonPayload(
        profile,
        bytes.toString('utf8'),
        kind === 'jsonlines' ? kind : contentType,
        where,
        lineIndex,
      );
    }
    default:
      throw new ChunkProblem(
        `captureData.${field}.encoding is ${JSON.stringify(encoding)}; expected CSV, JSON or BASE64`,
        lineIndex,
        1,
      );
  }
}

function payloadKind(contentType: string, bytes: Buffer): 'csv' | 'json' | 'jsonlines' {
  if (contentType.includes('csv')) return 'csv';
  if (contentType.includes('jsonlines') || contentType.includes('ndjson')) return 'jsonlines';
  if (contentType.includes('json')) return 'json';
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b || byte === 0x5b ? 'json' : 'csv'; // '{' or '['
  }
  return 'csv';
}

/** Shared by every CSV payload: `parse` starts afresh on each range (see `CsvParser`). */
const payloadParser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: DEFAULT_MAX_FIELD_BYTES });

function addCsvPayload(profile: DatasetProfile, bytes: Buffer, where: string, lineIndex: number): number {
  const parser = payloadParser;
  const rows = new CollectingSink();
  try {
    parser.parse(bytes, 0, bytes.length, true, rows);
  } catch (error) {
    if (!(error instanceof ChunkProblem)) throw error;
    throw payloadProblem(where, error, lineIndex);
  }
  for (const row of rows.rows) {
    for (let i = 0; i < row.length; i++) profile.addText(profile.columnIndex(positionalName(i)), row[i]!);
    profile.endRow();
  }
  return rows.rows.length;
}

function addJsonPayload(
  profile: DatasetProfile,
  text: string,
  contentType: string,
  where: string,
  lineIndex: number,
): number {
  const located = (error: unknown): never => {
    if (!(error instanceof ChunkProblem)) throw error;
    throw payloadProblem(where, error, lineIndex);
  };
  if (contentType.includes('jsonlines') || contentType.includes('ndjson')) {
    let rows = 0;
    try {
      const bytes = Buffer.from(text, 'utf8');
      forEachLine(bytes, 0, bytes.length, true, Number.MAX_SAFE_INTEGER, (line, index) => {
        rows += addJsonValueRows(profile, parseJsonLine(line, index));
      });
    } catch (error) {
      located(error);
    }
    return rows;
  }
  let value: unknown;
  try {
    value = parseJsonLine(text, 0);
  } catch (error) {
    located(error);
  }
  return addJsonValueRows(profile, value);
}

/** A problem inside a payload, located at its capture record (the payload's own position goes in the text). */
function payloadProblem(where: string, problem: ChunkProblem, lineIndex: number): ChunkProblem {
  const line = problem.line + 1;
  const detail = problem.detail.replace('{line}', String(line));
  return new ChunkProblem(
    `${where}: ${detail} (at line ${line}, column ${problem.column} of the payload)`,
    lineIndex,
    1,
  );
}

/** The rows of one JSON payload (see the module comment); returns how many. */
export function addJsonValueRows(profile: DatasetProfile, value: unknown): number {
  let rows: readonly unknown[];
  if (Array.isArray(value)) {
    // An empty batch has no rows; a list of arrays or objects is a batch; a list of scalars is one row.
    if (value.length === 0) rows = [];
    else rows = value.every((item) => typeof item === 'object' && item !== null) ? value : [value];
  } else if (typeof value === 'object' && value !== null) {
    const batch = (value as Record<string, unknown>).instances ?? (value as Record<string, unknown>).predictions;
    rows = Array.isArray(batch) ? batch : [value];
  } else rows = [value];
  for (const row of rows) {
    if (Array.isArray(row)) addPositional(profile, row);
    else if (typeof row === 'object' && row !== null) addFlattened(profile, row as Record<string, unknown>, '');
    else profile.addValue(profile.columnIndex('_c0'), cellValue(row));
    profile.endRow();
  }
  return rows.length;
}
