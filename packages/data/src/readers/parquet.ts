/**
 * Parquet through hyparquet, read with ranged reads (`storage.readRange`) so a local file or an S3 object is never
 * fetched whole: the footer first (the last 64 KiB, more only if the metadata is larger), then one column chunk of
 * one row group at a time. Memory is bounded by the largest column chunk, whatever the file size. Codecs other than
 * Snappy come from hyparquet-compressors (gzip, brotli, zstd, LZ4).
 *
 * Columns are the schema's leaves; the fields of a struct are flattened to `.` paths as in JSON Lines, while lists and
 * maps stay one column holding their JSON text. Values are converted for the profile:
 * - INT64 (BigInt) becomes a number: exact up to 2^53, rounded beyond (the statistics are doubles anyway);
 * - DECIMAL becomes its (rounded) number value, as hyparquet decodes it;
 * - DATE becomes `YYYY-MM-DD` text and TIMESTAMP ISO 8601 text in UTC (`2024-03-05T14:00:00.000Z`): dates are
 *   categories to Model Monitor (Deequ types them String), and the text keeps them readable in the report;
 * - binary without a string annotation becomes base64 text; null is a missing value; NaN is missing as everywhere.
 */
import { CancelledError, DataError, errorMessage, isAbortError, type Storage } from '@mlops-actions/core';
import {
  type AsyncBuffer,
  type ColumnData,
  type FileMetaData,
  parquetMetadataAsync,
  type ParquetParsers,
  parquetRead,
  parquetSchema,
  type SchemaTree,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { DatasetProfile } from '../profile.js';
import type { RawValue } from '../values.js';

/** Bytes read from the end of the file for the footer; hyparquet reads the rest of the metadata if it is larger. */
const FOOTER_FETCH_BYTES = 64 * 1024;

export interface ParquetReadContext {
  /** Only ranged reads are used. */
  storage: Pick<Storage, 'readRange'>;
  signal?: AbortSignal;
}

/** An AsyncBuffer over ranged reads of a location, for hyparquet. */
export function rangedAsyncBuffer(uri: string, size: number, { storage, signal }: ParquetReadContext): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const bytes = await storage.readRange(uri, start, end ?? size, { signal });
      if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** A column of the profile and how to reach its value in a top-level column's values. */
interface LeafColumn {
  name: string;
  /** Field names below the top-level column (empty for a plain column). */
  path: string[];
}

export interface TopLevelColumn {
  name: string;
  leaves: LeafColumn[];
}

function isStruct(node: SchemaTree): boolean {
  const { converted_type: converted, logical_type: logical } = node.element;
  if (node.children.length === 0) return false;
  if (converted === 'LIST' || converted === 'MAP' || converted === 'MAP_KEY_VALUE') return false;
  if (logical?.type === 'LIST' || logical?.type === 'MAP') return false;
  return true;
}

function leavesOf(node: SchemaTree, prefix: string, path: string[], into: LeafColumn[]): void {
  const name = prefix === '' ? node.element.name : `${prefix}.${node.element.name}`;
  if (!isStruct(node)) {
    into.push({ name, path });
    return;
  }
  for (const child of node.children) leavesOf(child, name, [...path, child.element.name], into);
}

/** The profile's columns of a Parquet schema, grouped by the top-level column that holds them. */
export function parquetColumns(metadata: FileMetaData): TopLevelColumn[] {
  return parquetSchema(metadata).children.map((child) => {
    const leaves: LeafColumn[] = [];
    leavesOf(child, '', [], leaves);
    return { name: child.element.name, leaves };
  });
}

/** Reads the footer; a file that is not Parquet is a DataError naming it. */
export async function readParquetMetadata(uri: string, file: AsyncBuffer): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(file, { initialFetchSize: Math.min(FOOTER_FETCH_BYTES, file.byteLength) });
  } catch (error) {
    if (error instanceof DataError || isAbortError(error)) throw error;
    throw new DataError(`not a readable Parquet file (${errorMessage(error)})`, { file: uri }, { cause: error });
  }
}

const isoDate = (milliseconds: number): string => {
  const date = new Date(milliseconds);
  return Number.isNaN(date.getTime()) ? String(milliseconds) : date.toISOString();
};

/** Dates and timestamps straight to text (see the module comment), without building Date objects to convert. */
const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint | number) => isoDate(Number(millis)),
  timestampFromMicroseconds: (micros: bigint | number) => isoDate(Number(BigInt(micros) / 1000n)),
  timestampFromNanoseconds: (nanos: bigint | number) => isoDate(Number(BigInt(nanos) / 1000000n)),
  dateFromDays: (days: number) => isoDate(days * 86_400_000).slice(0, 10),
};

/** A decoded Parquet value as a profile cell (see the module comment). */
export function parquetCell(value: unknown): RawValue {
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    case 'undefined':
      return null;
    default:
      if (value === null) return null;
      if (value instanceof Date) return isoDate(value.getTime());
      if (value instanceof Uint8Array)
        return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
      return JSON.stringify(value, jsonReplacer);
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value;
}

/**
 * Profiles a Parquet file into `profile`, row group by row group and column by column, and returns its row count.
 * The caller has read `metadata` and its `columns` (`parquetColumns`) already, to check them against other files
 * before profiling. `onRowGroup` reports progress (rows done so far).
 */
export async function profileParquet(
  uri: string,
  size: number,
  profile: DatasetProfile,
  context: ParquetReadContext & {
    metadata: FileMetaData;
    columns: readonly TopLevelColumn[];
    onRowGroup?: (rowsDone: number) => void;
  },
): Promise<number> {
  const file = rangedAsyncBuffer(uri, size, context);
  const { metadata, columns } = context;
  const columnNames = columns.flatMap((column) => column.leaves.map((leaf) => leaf.name));
  const indexes = new Map(columnNames.map((name) => [name, profile.columnIndex(name)]));
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    const groupEnd = groupStart + groupRows;
    for (const column of columns) {
      if (context.signal?.aborted) throw new CancelledError();
      const feed = (chunk: ColumnData) => {
        // A chunk may hold rows outside the requested range; only this row group's rows count.
        const from = Math.max(groupStart, chunk.rowStart) - chunk.rowStart;
        const to = Math.min(groupEnd, chunk.rowEnd) - chunk.rowStart;
        addColumnValues(profile, column, indexes, chunk.columnData, from, to);
      };
      try {
        await parquetRead({
          file,
          metadata,
          columns: [column.name],
          rowStart: groupStart,
          rowEnd: groupEnd,
          compressors,
          parsers: PARSERS,
          onChunk: feed,
        });
      } catch (error) {
        if (context.signal?.aborted || isAbortError(error)) throw new CancelledError();
        if (error instanceof DataError) throw error;
        throw new DataError(
          `cannot read column '${column.name}' of row group starting at row ${groupStart} (${errorMessage(error)})`,
          { file: uri },
          { cause: error },
        );
      }
    }
    for (let row = 0; row < groupRows; row++) profile.endRow();
    groupStart = groupEnd;
    context.onRowGroup?.(groupStart);
  }
  return groupStart;
}

function addColumnValues(
  profile: DatasetProfile,
  column: TopLevelColumn,
  indexes: Map<string, number>,
  values: ArrayLike<unknown>,
  from: number,
  to: number,
): void {
  if (column.leaves.length === 1 && column.leaves[0]!.path.length === 0) {
    const index = indexes.get(column.leaves[0]!.name)!;
    if (values instanceof Float64Array || values instanceof Float32Array || values instanceof Int32Array) {
      for (let i = from; i < to; i++) profile.addValue(index, values[i]!);
    } else {
      for (let i = from; i < to; i++) profile.addValue(index, parquetCell(values[i]));
    }
    return;
  }
  for (const leaf of column.leaves) {
    const index = indexes.get(leaf.name)!;
    for (let i = from; i < to; i++) {
      let value: unknown = values[i];
      for (const field of leaf.path)
        value = value === null || value === undefined ? value : (value as Record<string, unknown>)[field];
      profile.addValue(index, parquetCell(value));
    }
  }
}
