/**
 * What a `data` input names, resolved to an ordered list of files.
 *
 * The spec is one or more lines (blank lines and lines starting with `#` are ignored), each one of:
 * - a local file (`data/train.csv`, `file:///...`): that file;
 * - a local glob (`data/**\/*.csv`, tinyglobby syntax, relative to the working directory): the files it matches;
 * - a local folder: every data file below it;
 * - `s3://bucket/key`: that object; `s3://bucket/prefix` or `s3://bucket/prefix/`: every data file under it.
 * Files keep the order of the lines, and within a line the sorted order of the listing (paths as S3 lists keys). A
 * file named twice is read once.
 *
 * Under a folder or prefix, names starting with `_` or `.` (Spark's `_SUCCESS`, `.crc` files) are skipped, and
 * unless `format` is given, so are files whose extension names no known format. A glob reads what it matches
 * (tinyglobby leaves out dot-files unless the pattern names them). The format of a file comes from its
 * extension: `.csv`, `.tsv`, `.jsonl`, `.ndjson`, `.parquet`, each optionally followed by `.gz` (also `.json.gz`, as
 * SageMaker batch transform writes JSON Lines), or from `format` when given. `capture` (SageMaker data capture) reads
 * the JSON Lines files (`.jsonl`, ...) of a capture layout; it is never guessed, since capture files are ordinary JSON
 * Lines by name.
 */
import { DataError, parseStorageUri, type Storage, type StorageEntry } from '@mlops-actions/core';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

export type DataFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet' | 'capture';
export type Compression = 'gzip' | 'none';

export const DATA_FORMATS: readonly DataFormat[] = ['csv', 'tsv', 'jsonl', 'parquet', 'capture'];

export interface DataSource {
  /** As listed: an s3:// URI, a file:// URL or a path, in the style of the spec line that named it. */
  uri: string;
  /** Bytes as stored (compressed size for .gz). */
  size: number;
  format: DataFormat;
  /** From the `.gz` extension; a reader also recognizes gzip by its magic bytes. */
  compression: Compression;
}

export interface ResolveSourcesOptions {
  storage: Storage;
  signal?: AbortSignal;
  /** The format of every file; `auto` (the default) takes it from each file's extension. */
  format?: DataFormat | 'auto';
  /** Where relative globs are matched (default: the working directory). */
  cwd?: string;
}

const EXTENSIONS: [RegExp, Exclude<DataFormat, 'capture'>][] = [
  [/\.csv$/i, 'csv'],
  [/\.tsv$/i, 'tsv'],
  [/\.(jsonl|ndjson)$/i, 'jsonl'],
  [/\.parquet$/i, 'parquet'],
];

/** The format and compression an extension names, or undefined for an unknown one. */
export function formatFromName(
  name: string,
): { format: Exclude<DataFormat, 'capture'>; compression: Compression } | undefined {
  const gzip = /\.gz$/i.test(name);
  const base = gzip ? name.slice(0, -3) : name;
  if (gzip && /\.json$/i.test(base)) return { format: 'jsonl', compression: 'gzip' };
  for (const [pattern, format] of EXTENSIONS) {
    if (pattern.test(base)) {
      // A gzipped Parquet file is not something readers (or Spark) can range-read; keep .parquet.gz unknown.
      if (gzip && format === 'parquet') return undefined;
      return { format, compression: gzip ? 'gzip' : 'none' };
    }
  }
  return undefined;
}

export async function resolveSources(spec: string, options: ResolveSourcesOptions): Promise<DataSource[]> {
  const lines = spec
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) throw new DataError('no data given: name a file, a glob, a folder or an s3:// prefix');
  const sources: DataSource[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    for (const source of await resolveLine(line, options)) {
      if (seen.has(source.uri)) continue;
      seen.add(source.uri);
      sources.push(source);
    }
  }
  return sources;
}

async function resolveLine(line: string, options: ResolveSourcesOptions): Promise<DataSource[]> {
  const { storage, signal } = options;
  const location = parseStorageUri(line);
  if (location.kind === 'local' && !/^file:/i.test(line) && isDynamicPattern(line)) {
    return resolveGlob(line, options);
  }
  const entries: StorageEntry[] = [];
  for await (const entry of storage.list(line, { signal })) entries.push(entry);
  if (entries.length === 0) {
    throw new DataError(
      location.kind === 's3'
        ? `${line} does not exist: there is no object with that key and none under it`
        : `${line} does not exist`,
    );
  }
  // A listing of exactly the named object is an explicit file: its format must be known, whatever its name.
  const named = entries.length === 1 && sameLocation(entries[0]!.uri, line);
  if (named) return [sourceOf(entries[0]!, options.format, true)!];
  const sources = entries
    .filter((entry) => !isHiddenBelow(entry.uri, line))
    .map((entry) => sourceOf(entry, options.format, false))
    .filter((source): source is DataSource => source !== undefined);
  if (sources.length === 0) throw nothingMatched(line, entries, options.format);
  return sources;
}

async function resolveGlob(pattern: string, options: ResolveSourcesOptions): Promise<DataSource[]> {
  const cwd = options.cwd ?? process.cwd();
  const matches = (await glob(pattern, { cwd, onlyFiles: true, signal: options.signal })).sort();
  if (matches.length === 0) throw new DataError(`${pattern} matches no file (relative to ${cwd})`);
  const sources: DataSource[] = [];
  const entries: StorageEntry[] = [];
  for (const match of matches) {
    const file = path.isAbsolute(pattern) || options.cwd !== undefined ? path.resolve(cwd, match) : match;
    const size = await options.storage.size(file, { signal: options.signal });
    const entry = { uri: file, size, lastModified: new Date(0) };
    entries.push(entry);
    const source = sourceOf(entry, options.format, false);
    if (source) sources.push(source);
  }
  if (sources.length === 0) throw nothingMatched(pattern, entries, options.format);
  return sources;
}

function sourceOf(
  entry: StorageEntry,
  format: DataFormat | 'auto' | undefined,
  explicit: boolean,
): DataSource | undefined {
  const name = baseName(entry.uri);
  const known = formatFromName(name);
  if (format !== undefined && format !== 'auto') {
    // Capture data is JSON Lines: under a capture prefix, only the .jsonl(.gz) files are records.
    if (format === 'capture' && !explicit && known?.format !== 'jsonl') return undefined;
    return { uri: entry.uri, size: entry.size, format, compression: /\.gz$/i.test(name) ? 'gzip' : 'none' };
  }
  if (known) return { uri: entry.uri, size: entry.size, ...known };
  if (!explicit) return undefined;
  throw new DataError(
    `cannot tell the format of ${entry.uri} from its name: expected .csv, .tsv, .jsonl, .ndjson or .parquet ` +
      `(optionally .gz), or set the format (csv, tsv, jsonl, parquet, capture)`,
  );
}

function nothingMatched(line: string, entries: StorageEntry[], format: DataFormat | 'auto' | undefined): DataError {
  const names = entries.slice(0, 5).map((entry) => baseName(entry.uri));
  const more = entries.length > 5 ? `, and ${entries.length - 5} more` : '';
  const wanted =
    format === 'capture'
      ? 'no .jsonl capture file'
      : format !== undefined && format !== 'auto'
        ? 'only hidden files (names starting with _ or .)'
        : 'no file with a data extension (.csv, .tsv, .jsonl, .ndjson, .parquet, optionally .gz)';
  return new DataError(`${line} holds ${wanted}; found ${names.join(', ')}${more}`);
}

function baseName(uri: string): string {
  const trimmed = uri.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** A file below the listed location whose own name, or a folder's on the way, starts with `_` or `.`. */
function isHiddenBelow(uri: string, listed: string): boolean {
  const relative = uri.startsWith(listed) ? uri.slice(listed.length) : baseName(uri);
  return relative
    .split(/[\\/]/)
    .filter((part) => part !== '')
    .some((part) => part.startsWith('_') || part.startsWith('.'));
}

function sameLocation(listed: string, named: string): boolean {
  return listed === named || listed.replace(/\/+$/, '') === named.replace(/\/+$/, '');
}
