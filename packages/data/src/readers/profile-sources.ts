/**
 * `profileSources`: the data engine's one entry point for reading — resolve the spec, read every file (CSV, TSV,
 * JSON Lines, SageMaker data capture, Parquet; local or S3; gzip), profile it, and merge the profiles.
 *
 * Text files are read as one stream per file through `storage.readStream` (for S3: one GET) — except uncompressed
 * local files, for which the storage hands out a plain file stream: those are read straight into the window buffers
 * (a file stream delivers 64 KiB chunks, and going through ~16 000 of them per GB, a buffer, a promise and a copy
 * each, cost the main thread ~1.8 CPU-s per GB against ~0.3 for window-sized reads). The bytes are cut into windows of
 * `windowBytes` (8 MiB) at record boundaries; each window is profiled into its own DatasetProfile, and the profiles
 * are merged in window order. Large files (more than two windows) go to a pool of worker threads (`workers`, default
 * one per CPU) while the main thread only reads, cuts and merges:
 * - Reading stays on the main thread: the storage object (an S3 client, middleware, credentials) cannot cross
 *   threads, a gzip stream cannot be split, and reading is cheap next to parsing (a memcpy per window).
 * - Where to cut a CSV window is guessed from quote parity (`lastRecordBoundary`): exact for well-formed RFC 4180.
 *   The worker checks the guess — the window's last record must end exactly at the cut — and if it does not (a stray
 *   quote read leniently), the file is read again without workers, letting the parser cut each window itself.
 *   JSON Lines windows are cut at the last line feed: JSON text holds no raw line break.
 * - Windows are merged in order and problems are reported in order, so the first malformed record of the file is the
 *   one reported, with its absolute line (each window reports its line count). A worker posts its window's profile
 *   as a state (typed arrays, transferred) and the main thread merges that state directly (`mergeState`).
 * - A worker, and the main thread reading inline, keeps its CSV profile from window to window, reset rather than made
 *   anew (see `ChunkScratch`).
 * Since every window is profiled alone whether inline or in a worker, `workers: 0` and `workers: 2` give identical
 * profiles. Memory stays bounded: at most `workers × 2` windows in flight plus one being filled per file read.
 *
 * Files are read `concurrency` at a time (default 4); their profiles are merged in the order of the spec. Parquet
 * files are read on the main thread by ranged reads (see parquet.ts). Fixed-schema files (CSV, TSV, Parquet) must all
 * have the same columns as the first of them; JSON Lines and capture files add columns as they appear.
 */
import {
  CancelledError,
  ConfigurationError,
  DataError,
  errorMessage,
  isAbortError,
  type Logger,
  parseStorageUri,
  silentLogger,
  type Storage,
} from '@mlops-actions/core';
import { ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DatasetProfile, type DatasetProfileState, type ProfileOptions } from '../profile.js';
import { classifyText, ValueKind } from '../values.js';
import { LF } from './bytes.js';
import { type CaptureSide } from './capture.js';
import { type ChunkJob, type ChunkOutcome, ChunkScratch, runChunkJob } from './chunks.js';
import {
  bomLength,
  ChunkProblem,
  CollectingSink,
  columnNamesFromHeader,
  CsvParser,
  DEFAULT_MAX_FIELD_BYTES,
  delimiterByte,
  type HeaderMode,
  looksLikeHeader,
  positionalColumnNames,
  RAGGED_EXAMPLE_LIMIT,
} from './csv.js';
import { profileParquet, rangedAsyncBuffer, readParquetMetadata, parquetColumns } from './parquet.js';
import { ChunkWorkerPool, WorkerUnavailableError } from './pool.js';
import { isReaderWorkerThread } from './worker.js';
import { type DataFormat, type DataSource, resolveSources } from './sources.js';
import { ByteWindowReader, type ByteSource, DEFAULT_WINDOW_BYTES, lastRecordBoundary } from './windows.js';

/** Default worker threads at most: each holds up to two windows in flight and a bundle's worth of code. */
export const MAX_DEFAULT_WORKERS = 8;
/** Files read at the same time: enough to hide S3 latency, few enough to bound memory. */
export const DEFAULT_FILE_CONCURRENCY = 4;
/** Longest JSON line (or capture record) accepted; longer ones are a DataError, not an out-of-memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface ProfileSourcesOptions {
  /** One or more lines: files, globs, folders, s3:// objects or prefixes (see resolveSources). */
  spec: string;
  /** Every file's format; `auto` (default) takes it from the extension. */
  format?: DataFormat | 'auto';
  /** CSV/TSV: whether the first record is a header (default `auto`, see `looksLikeHeader`). */
  header?: HeaderMode;
  /** CSV/TSV field separator: one ASCII character, `\t` or `tab` (default `,` for CSV, tab for TSV). */
  delimiter?: string;
  /** CSV/TSV: a row with another number of fields than the header is an error (default: counted, a warning). */
  strict?: boolean;
  /** CSV/TSV: the longest field accepted, in bytes (default 1 MiB). */
  maxFieldBytes?: number;
  /** Capture data: which side to profile (default `input`). */
  captureSide?: CaptureSide;
  profileOptions?: ProfileOptions;
  storage: Storage;
  signal?: AbortSignal;
  /**
   * Worker threads for large text files (default one per CPU, at most `MAX_DEFAULT_WORKERS`, 0 where there is a single
   * CPU); 0 parses on the main thread.
   */
  workers?: number;
  /** Files read at the same time (default 4). */
  concurrency?: number;
  /** Bytes per chunk of a text file (default 8 MiB); mostly for tests and tuning. */
  windowBytes?: number;
  onProgress?: (progress: ProfileProgress) => void;
  logger?: Logger;
}

export interface ProfileProgress {
  /** Bytes fetched from storage so far (compressed bytes for .gz). */
  bytesRead: number;
  /** Sum of the files' stored sizes. */
  totalBytes: number;
  rows: number;
  filesDone: number;
  filesTotal: number;
}

export interface FileSummary {
  uri: string;
  format: DataFormat;
  /** Stored size. */
  bytes: number;
  rows: number;
  raggedRows: number;
}

export interface RaggedRowExample {
  file: string;
  line: number;
  fields: number;
  expected: number;
}

export interface ProfileSourcesResult {
  profile: DatasetProfile;
  files: FileSummary[];
  /** Stored bytes of all files. */
  bytes: number;
  rows: number;
  seconds: number;
  /** CSV rows with another number of fields than their header (profiled anyway: extra fields dropped). */
  raggedRows: number;
  raggedExamples: RaggedRowExample[];
  /** One sentence each, for the log and the report. */
  warnings: string[];
  /**
   * Times the data was read: 2 when a column held only numbers in some chunks and text in others, so that its
   * numbers, left uncounted in the first read, are counted in its value frequencies (see `profileSources`).
   */
  reads: number;
}

/**
 * Resolves `spec`, reads and profiles every file, and merges the profiles (see the module comment).
 *
 * The CSV reader leaves a column's numbers out of its value frequencies in a chunk where the column holds no text
 * (`ProfileSinkOptions`): they are read only when the column is String. Should a column turn out String with numbers
 * left out (text in some chunks only), the data is read a second time with that column's numbers counted, and the
 * second result is returned, exact. Name the columns known to need them in `profileOptions.countNumbersOf` (a
 * baseline's String columns) to count them in the first read.
 */
export async function profileSources(options: ProfileSourcesOptions): Promise<ProfileSourcesResult> {
  // The second read takes the sources of the first: the same files (a glob or S3 prefix may change meanwhile), and
  // no second listing.
  const resolved: ResolvedSources = {};
  const first = await readAndProfile(options, resolved);
  const uncounted = first.profile.columns
    .filter((column) => column.frequencies.uncountedNumbers > 0 && column.inferredType === 'String')
    .map((column) => column.name);
  if (uncounted.length === 0) return first;
  const counted = options.profileOptions?.countNumbersOf;
  if (counted === 'all') throw new Error('numbers were left uncounted in columns named in countNumbersOf');
  options.logger?.info(
    `Reading the data again: ${uncounted.map((name) => JSON.stringify(name)).join(', ')} ` +
      `${uncounted.length === 1 ? 'holds' : 'hold'} text in some chunks and only numbers in others, ` +
      'and the value frequencies of a String column count its numbers too.',
  );
  const second = await readAndProfile(
    {
      ...options,
      profileOptions: { ...options.profileOptions, countNumbersOf: [...(counted ?? []), ...uncounted] },
    },
    resolved,
  );
  return { ...second, seconds: first.seconds + second.seconds, reads: 2 };
}

/** Filled by the first `readAndProfile` of a `profileSources` call, after its configuration checks. */
interface ResolvedSources {
  sources?: DataSource[];
}

async function readAndProfile(
  options: ProfileSourcesOptions,
  resolved: ResolvedSources,
): Promise<ProfileSourcesResult> {
  if (isReaderWorkerThread()) {
    // A bundled action whose entry does not guard itself runs again in each reader worker: stop it there, loudly,
    // before it starts workers of its own (see worker.ts).
    throw new Error(
      'profileSources was called in a reader worker thread: the action entry must not run in worker threads ' +
        '(start it with `if (!isReaderWorkerThread()) await run();`)',
    );
  }
  const started = performance.now();
  // One failing file stops the others at once; the user's signal stops everything.
  const controller = new AbortController();
  const run = new ProfileRun(options, controller.signal);
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  try {
    const sources = (resolved.sources ??= await resolveSources(options.spec, {
      storage: options.storage,
      signal: controller.signal,
      format: options.format,
    }));
    run.begin(sources);
    const concurrency = Math.max(1, options.concurrency ?? DEFAULT_FILE_CONCURRENCY);
    let next = 0;
    let firstError: unknown;
    const readers = Array.from({ length: Math.min(concurrency, sources.length) }, async () => {
      while (next < sources.length && firstError === undefined) {
        const index = next++;
        try {
          run.fileDone(index, await run.readFile(sources[index]!, index));
        } catch (error) {
          firstError ??= error;
          controller.abort();
        }
      }
    });
    await Promise.all(readers);
    if (firstError !== undefined) throw firstError;
    return run.result(performance.now() - started);
  } catch (error) {
    if (options.signal?.aborted || (isAbortError(error) && !(error instanceof DataError))) {
      throw new CancelledError();
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await run.close();
  }
}

interface FileResult {
  profile: DatasetProfile;
  summary: FileSummary;
  ragged: RaggedRowExample[];
  warnings: string[];
}

/** Thrown inside a parallel read when a CSV window was not cut at a record end: read the file again inline. */
class MisplacedCutError extends Error {
  override readonly name = 'MisplacedCutError';
}

/** State shared by the files of one `profileSources` call. */
class ProfileRun {
  private readonly options: ProfileSourcesOptions;
  private readonly signal: AbortSignal;
  private readonly logger: Logger;
  private readonly windowBytes: number;
  private readonly maxFieldBytes: number;
  private workers: number;
  private pool: ChunkWorkerPool | null = null;
  private sources: DataSource[] = [];
  private readonly merged: DatasetProfile;
  private readonly pending = new Map<number, FileResult>();
  private nextToMerge = 0;
  private readonly summaries: FileSummary[] = [];
  private readonly ragged: RaggedRowExample[] = [];
  private raggedRows = 0;
  private rows = 0;
  private readonly warnings: string[] = [];
  private bytesRead = 0;
  /**
   * Rows profiled so far in files still being read, by file index; a file read again inline overwrites its count
   * from its first chunk on. Finished files count through `pending` or `rows`.
   */
  private readonly partialRows = new Map<number, number>();
  private filesDone = 0;
  private totalBytes = 0;
  /** The first fixed-schema file and, once read, its columns: every other such file must match them. */
  private referenceIndex = -1;
  private referenceColumns: Promise<string[]> | null = null;
  private resolveReference: (columns: string[]) => void = () => {};
  private rejectReference: (error: unknown) => void = () => {};

  constructor(options: ProfileSourcesOptions, signal: AbortSignal) {
    this.options = options;
    this.signal = signal;
    this.logger = options.logger ?? silentLogger;
    this.windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
    this.maxFieldBytes = options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
    if (!Number.isSafeInteger(this.windowBytes) || this.windowBytes < 16) {
      throw new RangeError(`windowBytes must be an integer of at least 16, got ${this.windowBytes}`);
    }
    // The options a user sets through action inputs fail as configuration errors naming them.
    if (!Number.isSafeInteger(this.maxFieldBytes) || this.maxFieldBytes < 1) {
      throw new ConfigurationError(
        `max-field-size must be a positive whole number of bytes, got ${this.maxFieldBytes}`,
        { input: 'max-field-size' },
      );
    }
    if (options.delimiter !== undefined) {
      try {
        delimiterByte(options.delimiter);
      } catch (error) {
        throw new ConfigurationError(errorMessage(error), { input: 'delimiter' });
      }
    }
    // One worker per CPU: the main thread only reads, cuts and merges (~10 % of a CPU on the benchmark).
    const cpus = availableParallelism();
    this.workers = Math.max(0, Math.floor(options.workers ?? (cpus > 1 ? Math.min(MAX_DEFAULT_WORKERS, cpus) : 0)));
    this.merged = new DatasetProfile([], options.profileOptions ?? {});
  }

  begin(sources: DataSource[]): void {
    this.sources = sources;
    this.totalBytes = sources.reduce((sum, source) => sum + source.size, 0);
    this.referenceIndex = sources.findIndex((source) => hasFixedSchema(source.format));
    this.referenceColumns = new Promise<string[]>((resolve, reject) => {
      this.resolveReference = resolve;
      this.rejectReference = reject;
    });
    this.referenceColumns.catch(() => {}); // read only by the files after the reference
  }

  async readFile(source: DataSource, index: number): Promise<FileResult> {
    try {
      if (source.format === 'parquet') return await this.readParquet(source, index);
      if (this.usesWorkers(source)) {
        try {
          return await this.readText(source, index, true);
        } catch (error) {
          if (error instanceof MisplacedCutError) {
            this.logger.debug(`${source.uri}: quotes do not pair up as RFC 4180 has it; reading it again sequentially`);
          } else if (error instanceof WorkerUnavailableError) {
            // Every file with chunks in the failed pool lands here; the pool is closed with the run.
            if (this.workers > 0) {
              this.warnings.push(`worker threads unavailable (${error.message}); profiled on the main thread`);
              this.workers = 0;
            }
          } else throw error;
          return await this.readText(source, index, false);
        }
      }
      return await this.readText(source, index, false);
    } catch (error) {
      if (index === this.referenceIndex) this.rejectReference(error);
      throw error;
    }
  }

  fileDone(index: number, result: FileResult): void {
    this.filesDone++;
    this.partialRows.delete(index);
    // Merged in spec order, so the profile does not depend on which file finished first.
    this.pending.set(index, result);
    for (let ready = this.pending.get(this.nextToMerge); ready; ready = this.pending.get(this.nextToMerge)) {
      this.pending.delete(this.nextToMerge);
      this.merged.merge(ready.profile);
      this.summaries.push(ready.summary);
      this.rows += ready.summary.rows;
      this.raggedRows += ready.summary.raggedRows;
      for (const example of ready.ragged) if (this.ragged.length < RAGGED_EXAMPLE_LIMIT) this.ragged.push(example);
      this.warnings.push(...ready.warnings);
      this.nextToMerge++;
    }
    this.progress();
  }

  result(milliseconds: number): ProfileSourcesResult {
    if (this.rows === 0) {
      throw new DataError(`no rows to profile in ${this.sources.map((source) => source.uri).join(', ')}`);
    }
    return {
      profile: this.merged,
      files: this.summaries,
      bytes: this.totalBytes,
      rows: this.rows,
      seconds: milliseconds / 1000,
      raggedRows: this.raggedRows,
      raggedExamples: this.ragged,
      warnings: this.warnings,
      reads: 1,
    };
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }

  private usesWorkers(source: DataSource): boolean {
    if (this.workers === 0) return false;
    // gzip text usually inflates 3-10×; the stored size understates the work.
    const estimated = source.compression === 'gzip' ? source.size * 4 : source.size;
    return estimated > 2 * this.windowBytes;
  }

  private progress(): void {
    if (!this.options.onProgress) return;
    let rows = this.rows;
    for (const partial of this.partialRows.values()) rows += partial;
    for (const waiting of this.pending.values()) rows += waiting.summary.rows;
    this.options.onProgress({
      bytesRead: this.bytesRead,
      totalBytes: this.totalBytes,
      rows,
      filesDone: this.filesDone,
      filesTotal: this.sources.length,
    });
  }

  private async checkColumns(source: DataSource, index: number, columns: string[]): Promise<void> {
    if (index === this.referenceIndex) {
      this.resolveReference(columns);
      return;
    }
    const expected = await this.referenceColumns!;
    const reference = this.sources[this.referenceIndex]!;
    const missing = expected.filter((name) => !columns.includes(name));
    const extra = columns.filter((name) => !expected.includes(name));
    if (missing.length === 0 && extra.length === 0) return;
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`it lacks ${missing.map((name) => `'${name}'`).join(', ')}`);
    if (extra.length > 0) parts.push(`it has ${extra.map((name) => `'${name}'`).join(', ')} in addition`);
    throw new DataError(`its columns differ from those of ${reference.uri}: ${parts.join(' and ')}`, {
      file: source.uri,
    });
  }

  private async readParquet(source: DataSource, index: number): Promise<FileResult> {
    const counted = {
      signal: this.signal,
      storage: {
        readRange: async (...args: Parameters<Storage['readRange']>) => {
          const bytes = await this.options.storage.readRange(...args);
          this.bytesRead += bytes.length;
          return bytes;
        },
      },
    };
    const metadata = await readParquetMetadata(source.uri, rangedAsyncBuffer(source.uri, source.size, counted));
    const parquet = parquetColumns(metadata);
    const columns = parquet.flatMap((column) => column.leaves.map((leaf) => leaf.name));
    await this.checkColumns(source, index, columns);
    const profile = new DatasetProfile(columns, this.options.profileOptions ?? {});
    const rows = await profileParquet(source.uri, source.size, profile, {
      ...counted,
      metadata,
      columns: parquet,
      onRowGroup: (rowsDone) => {
        this.partialRows.set(index, rowsDone);
        this.progress();
      },
    });
    if (rows === 0) throw new DataError('has no rows', { file: source.uri });
    return {
      profile,
      summary: { uri: source.uri, format: source.format, bytes: source.size, rows, raggedRows: 0 },
      ragged: [],
      warnings: [],
    };
  }

  /** Reads a CSV, TSV, JSON Lines or capture file, in worker threads or on the main thread. */
  private async readText(source: DataSource, index: number, parallel: boolean): Promise<FileResult> {
    const uri = source.uri;
    const stored = await this.openBytes(source);
    const reader = new ByteWindowReader(stored.bytes, this.windowBytes, this.signal);
    const isCsv = source.format === 'csv' || source.format === 'tsv';
    const profileOptions = this.options.profileOptions ?? {};
    const inFlight: Promise<AnyChunkOutcome>[] = [];
    try {
      let firstLine = 1;
      let columnNames: string[] = [];
      let hasHeader = false;
      let delimiter = 0;
      if (isCsv) {
        delimiter = delimiterByte(this.options.delimiter ?? (source.format === 'tsv' ? '\t' : ','));
        const header = await this.readHeader(reader, uri, delimiter);
        columnNames = header.columnNames;
        hasHeader = header.hasHeader;
        firstLine += header.lines;
        await this.checkColumns(source, index, columnNames);
      }
      const job = (atEof: boolean): ChunkJob =>
        isCsv
          ? {
              kind: 'csv',
              delimiter,
              maxFieldBytes: this.maxFieldBytes,
              strict: this.options.strict ?? false,
              columnNames,
              profileOptions,
              atEof,
            }
          : source.format === 'capture'
            ? {
                kind: 'capture',
                side: this.options.captureSide ?? 'input',
                maxLineBytes: MAX_LINE_BYTES,
                profileOptions,
                atEof,
              }
            : { kind: 'jsonl', maxLineBytes: MAX_LINE_BYTES, profileOptions, atEof };
      // The longest window needed for one record: every field at the limit, plus quotes and separators.
      const windowLimit = isCsv
        ? Math.max(this.windowBytes, columnNames.length * (this.maxFieldBytes + 3) + 2)
        : Math.max(this.windowBytes, MAX_LINE_BYTES + 2);
      const cutOf = (bytes: Buffer, length: number): number =>
        isCsv ? lastRecordBoundary(bytes, 0, length) : bytes.lastIndexOf(LF, length - 1) + 1;

      const state = new FileState(uri, columnNames, new DatasetProfile(columnNames, profileOptions), firstLine);
      // Inline chunks reuse one profile as workers do: each outcome is merged (copied) before the next job resets it.
      const scratch = parallel ? undefined : new ChunkScratch();
      const settle = (outcome: AnyChunkOutcome) => {
        if (outcome.problem) {
          const { detail, line, column } = outcome.problem;
          const absolute = state.nextLine + line;
          throw new DataError(detail.replace('{line}', String(absolute)), { file: uri, line: absolute, column });
        }
        if (parallel && outcome.consumed !== outcome.length) throw new MisplacedCutError();
        state.add(outcome);
        this.partialRows.set(index, state.rows);
        this.progress();
      };
      let window = this.windowBytes;
      for (;;) {
        await reader.fill(window);
        if (reader.filled === 0 && reader.atEnd) break;
        const atEof = reader.atEnd;
        const length = reader.filled;
        if (!parallel) {
          const outcome = runChunkJob(job(atEof), reader.bytes, length, scratch);
          if (!outcome.problem && !atEof && outcome.consumed === 0) {
            if (window >= windowLimit) settle(oversized(outcome, isCsv, windowLimit));
            window = Math.min(window * 2, windowLimit);
            continue;
          }
          settle(outcome);
          reader.consume(outcome.consumed);
        } else {
          const cut = atEof ? length : cutOf(reader.bytes, length);
          if (cut <= 0) {
            if (window >= windowLimit) {
              // Locate the problem with the parser itself, after the chunks before it have been checked.
              const outcome = runChunkJob(job(false), reader.bytes, length);
              inFlight.push(Promise.resolve(oversized(outcome, isCsv, windowLimit)));
              break;
            }
            window = Math.min(window * 2, windowLimit);
            continue;
          }
          await this.workerPool().acquire(this.signal);
          const buffer = reader.take(cut);
          const outcome = this.workerPool()
            .run(job(atEof), buffer, cut)
            .then((reply) => {
              reader.recycle(reply.buffer);
              // Merged from the state when its turn comes: no profile is built for it in between.
              return reply;
            });
          // Observed at once: it may fail (a worker dies, the run is cancelled) before its turn to be settled.
          outcome.catch(() => {});
          inFlight.push(outcome);
          // Settle finished chunks in order as soon as possible: memory, progress, and an early stop on an error.
          while (inFlight.length > 2 * this.workers) settle(await inFlight.shift()!);
        }
        window = this.windowBytes;
        if (atEof) break;
      }
      while (inFlight.length > 0) settle(await inFlight.shift()!);
      if (state.rows === 0 && state.skippedRecords === 0) {
        throw new DataError(hasHeader ? 'has a header but no rows' : 'is empty', { file: uri });
      }
      return state.result(source, hasHeader);
    } finally {
      await reader.close();
      stored.close();
    }
  }

  private workerPool(): ChunkWorkerPool {
    if (this.workers === 0) throw new WorkerUnavailableError('worker threads were turned off after a failure');
    this.pool ??= new ChunkWorkerPool(this.workers);
    return this.pool;
  }

  /** Reads the first record; decides whether it is a header; drops it (and any BOM) from the reader. */
  private async readHeader(
    reader: ByteWindowReader,
    uri: string,
    delimiter: number,
  ): Promise<{ columnNames: string[]; hasHeader: boolean; lines: number }> {
    const limit = Math.max(this.windowBytes, 16 * this.maxFieldBytes);
    let target = Math.min(this.windowBytes, 64 * 1024);
    for (;;) {
      await reader.fill(target);
      const bom = bomLength(reader.bytes.subarray(0, reader.filled));
      const parser = new CsvParser({ delimiter, maxFieldBytes: this.maxFieldBytes });
      const sink = new CollectingSink();
      try {
        parser.parse(reader.bytes, bom, reader.filled, reader.atEnd, sink, 1);
      } catch (error) {
        if (!(error instanceof ChunkProblem)) throw error;
        throw new DataError(error.detail.replace('{line}', String(error.line + 1)), {
          file: uri,
          line: error.line + 1,
          column: error.column,
        });
      }
      const cells = sink.rows[0];
      if (cells === undefined) {
        if (reader.atEnd) throw new DataError('is empty', { file: uri });
        if (target >= limit) {
          throw new DataError(`first record longer than ${limit} bytes`, { file: uri, line: 1, column: 1 });
        }
        target = Math.min(target * 2, limit);
        continue;
      }
      const mode = this.options.header ?? 'auto';
      const hasHeader =
        mode === true || mode === 'true' || (mode === 'auto' && looksLikeHeader(cells, isNumberOrBoolean));
      if (!hasHeader) {
        reader.consume(bom);
        return { columnNames: positionalColumnNames(cells.length), hasHeader, lines: 0 };
      }
      reader.consume(parser.consumed);
      return { columnNames: columnNamesFromHeader(cells), hasHeader, lines: parser.lines };
    }
  }

  /**
   * The stored bytes of a text file: the storage's stream, or for an uncompressed local file (the storage gave a plain
   * file stream, and the file does not start as gzip does) the file read straight into the window buffers (see the
   * module comment). The stream is opened either way, so a missing file fails as the storage reports it.
   */
  private async openBytes(source: DataSource): Promise<{ bytes: AsyncIterable<Buffer> | ByteSource; close(): void }> {
    const { uri } = source;
    const stream = await this.options.storage.readStream(uri, { signal: this.signal });
    const close = () => {
      if (!stream.destroyed) stream.destroy();
    };
    const streamed = () => ({ bytes: this.decoded(stream, source), close });
    if (source.compression !== 'none' || !(stream instanceof ReadStream)) return streamed();
    const local = parseStorageUri(uri);
    if (local.kind !== 'local') return streamed();
    const handle = await open(local.path, 'r').catch(() => null);
    if (handle === null) return streamed();
    const head = Buffer.alloc(2);
    const { bytesRead: headLength } = await handle.read(head, 0, 2, 0).catch(() => ({ bytesRead: -1 }));
    if (headLength < 0 || (headLength === 2 && head[0] === 0x1f && head[1] === 0x8b)) {
      await handle.close();
      return streamed();
    }
    close();
    let position = 0;
    const bytes: ByteSource = {
      read: async (into, offset, length) => {
        try {
          const { bytesRead } = await handle.read(into, offset, length, position);
          position += bytesRead;
          this.bytesRead += bytesRead;
          return bytesRead;
        } catch (error) {
          throw new DataError(`Cannot read ${uri}: ${errorMessage(error)}`, {}, { cause: error });
        }
      },
      close: () => handle.close(),
    };
    return { bytes, close: () => {} };
  }

  private decoded(stream: AsyncIterable<unknown>, source: DataSource): AsyncIterable<Buffer> {
    const countRead = (length: number) => {
      this.bytesRead += length;
    };
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const chunk of stream) {
        countRead((chunk as Buffer).length);
        yield chunk as Buffer;
      }
    }
    return gunzippedIfNeeded(counted(), source);
  }
}

/** `bytes`, or their gunzipped content when the source is named `.gz` or starts with gzip's magic bytes. */
async function* gunzippedIfNeeded(bytes: AsyncGenerator<Buffer>, source: DataSource): AsyncGenerator<Buffer> {
  const first = await bytes.next();
  if (first.done) return;
  const head = first.value;
  const gzip = source.compression === 'gzip' || (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b);
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    yield* bytes;
  }
  if (!gzip) {
    yield* all();
    return;
  }
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const input = Readable.from(all());
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    if (isAbortError(error) || error instanceof DataError || !isZlibError(error)) throw error;
    throw new DataError(`is not a valid gzip file (${errorMessage(error)})`, { file: source.uri }, { cause: error });
  } finally {
    input.destroy();
  }
}

/** The running totals of one file. */
class FileState {
  rows = 0;
  raggedRows = 0;
  skippedRecords = 0;
  readonly ragged: RaggedRowExample[] = [];
  /** The absolute line number at which the next chunk starts. */
  nextLine: number;

  constructor(
    readonly uri: string,
    readonly columnNames: string[],
    readonly profile: DatasetProfile,
    firstLine: number,
  ) {
    this.nextLine = firstLine;
  }

  add(outcome: AnyChunkOutcome): void {
    if (outcome.profile instanceof DatasetProfile) this.profile.merge(outcome.profile);
    else this.profile.mergeState(outcome.profile);
    this.rows += outcome.rows;
    this.raggedRows += outcome.raggedRows;
    this.skippedRecords += outcome.skippedRecords;
    for (let i = 0; i < outcome.raggedLines.length && this.ragged.length < RAGGED_EXAMPLE_LIMIT; i++) {
      this.ragged.push({
        file: this.uri,
        line: this.nextLine + outcome.raggedLines[i]!,
        fields: outcome.raggedFieldCounts[i]!,
        expected: this.columnNames.length,
      });
    }
    this.nextLine += outcome.lines;
  }

  result(source: DataSource, hasHeader: boolean): FileResult {
    const warnings: string[] = [];
    if (this.raggedRows > 0) {
      const lines = this.ragged.map((example) => example.line).join(', ');
      const more = this.raggedRows > this.ragged.length ? ', ...' : '';
      warnings.push(
        `${this.uri}: ${this.raggedRows} row${this.raggedRows === 1 ? '' : 's'} with another number of fields than ` +
          `the ${this.columnNames.length} of the ${hasHeader ? 'header' : 'first row'} (line${this.raggedRows === 1 ? '' : 's'} ${lines}${more}); ` +
          `missing fields count as missing values, extra fields are ignored`,
      );
    }
    if (this.skippedRecords > 0) {
      warnings.push(
        `${this.uri}: ${this.skippedRecords} capture record(s) without the side being profiled were skipped`,
      );
    }
    return {
      profile: this.profile,
      summary: {
        uri: this.uri,
        format: source.format,
        bytes: source.size,
        rows: this.rows,
        raggedRows: this.raggedRows,
      },
      ragged: this.ragged,
      warnings,
    };
  }
}

/** A chunk's outcome, with its profile as profiled inline or as a worker thread posted it. */
type AnyChunkOutcome = ChunkOutcome<DatasetProfile | DatasetProfileState>;

/** The outcome for a window that holds no complete record though it reached the size limit. */
function oversized(outcome: AnyChunkOutcome, isCsv: boolean, limit: number): AnyChunkOutcome {
  if (outcome.problem) return outcome;
  const detail = isCsv
    ? `record longer than ${limit} bytes (more than the header's fields at the maximum field length)`
    : `line longer than ${limit} bytes (the maximum record length)`;
  return { ...outcome, problem: { detail, line: 0, column: 1 } };
}

function hasFixedSchema(format: DataFormat): boolean {
  return format === 'csv' || format === 'tsv' || format === 'parquet';
}

function isNumberOrBoolean(text: string): boolean {
  const kind = classifyText(text);
  return kind === ValueKind.Integral || kind === ValueKind.Fractional || kind === ValueKind.Boolean;
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
