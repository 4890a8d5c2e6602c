// The unit of work of the text readers: profile one chunk of a file (complete records or lines) into a fresh
// DatasetProfile. The same function runs inline on the main thread and in the worker threads, so both give the same
// per-chunk profiles, merged in chunk order: the result depends on the bytes and the window size, never on the number
// of workers or their timing.
import { DatasetProfile, type DatasetProfileState, type ProfileOptions } from '../profile.js';
import { addCaptureRecord, type CaptureSide } from './capture.js';
import { ChunkProblem, CsvParser, ProfileSink } from './csv.js';
import { addJsonRow, forEachLine, parseJsonLine } from './jsonl.js';

interface CommonJob {
  profileOptions: ProfileOptions;
  /** The chunk ends the file: its last record needs no line break, and an open quote there is an error. */
  atEof: boolean;
}

export interface CsvChunkJob extends CommonJob {
  kind: 'csv';
  delimiter: number;
  maxFieldBytes: number;
  strict: boolean;
  columnNames: string[];
}

export interface JsonLinesChunkJob extends CommonJob {
  kind: 'jsonl';
  maxLineBytes: number;
}

export interface CaptureChunkJob extends CommonJob {
  kind: 'capture';
  side: CaptureSide;
  maxLineBytes: number;
}

export type ChunkJob = CsvChunkJob | JsonLinesChunkJob | CaptureChunkJob;

/** A problem located relative to the chunk: `line` counts from 0 at its first byte. */
export interface ChunkProblemInfo {
  detail: string;
  line: number;
  column: number;
}

export interface ChunkOutcome<P = DatasetProfile> {
  /** Bytes given, and bytes parsed as complete records; they differ when the chunk was not cut at a record end. */
  length: number;
  consumed: number;
  /** Line feeds in the consumed bytes. */
  lines: number;
  rows: number;
  raggedRows: number;
  /** Chunk-relative line indexes and field counts of the first few ragged rows. */
  raggedLines: number[];
  raggedFieldCounts: number[];
  /** Capture records without the side being read. */
  skippedRecords: number;
  problem: ChunkProblemInfo | null;
  profile: P;
}

/**
 * A CSV profile and its sink kept from chunk to chunk by a worker thread, reset rather than made anew for the next
 * chunk of the same columns: a chunk's profile holds ~2 MB of sketch and table buffers, and allocating them for every
 * chunk only to copy them into the posted state made the garbage collector run far more often. The outcome's
 * profile is then valid until the next job, so only a caller that takes its state at once may pass one.
 */
export class ChunkScratch {
  private key = '';
  private csv: { profile: DatasetProfile; sink: ProfileSink } | null = null;

  csvProfile(job: CsvChunkJob): { profile: DatasetProfile; sink: ProfileSink } {
    const key = JSON.stringify([job.columnNames, job.profileOptions]);
    const checks = job.profileOptions.valueChecks;
    if (this.csv !== null && key === this.key) {
      this.csv.profile.reset();
      return this.csv;
    }
    const profile = new DatasetProfile(job.columnNames, job.profileOptions);
    const made = { profile, sink: csvSink(profile, job) };
    // Profiles with value checks are not reset (see ColumnProfile.reset): made anew each time.
    if (checks === undefined || Object.keys(checks).length === 0) {
      this.csv = made;
      this.key = key;
    }
    return made;
  }
}

/**
 * Profiles `bytes[0, length)`; a malformed record ends the work with `problem` set (nothing is thrown for it). With
 * `scratch`, a CSV chunk reuses the profile of the previous one (see `ChunkScratch`).
 */
export function runChunkJob(job: ChunkJob, bytes: Buffer, length: number, scratch?: ChunkScratch): ChunkOutcome {
  const reused = job.kind === 'csv' && scratch !== undefined ? scratch.csvProfile(job) : null;
  const profile = reused?.profile ?? new DatasetProfile(job.kind === 'csv' ? job.columnNames : [], job.profileOptions);
  const outcome: ChunkOutcome = {
    length,
    consumed: 0,
    lines: 0,
    rows: 0,
    raggedRows: 0,
    raggedLines: [],
    raggedFieldCounts: [],
    skippedRecords: 0,
    problem: null,
    profile,
  };
  try {
    if (job.kind === 'csv') {
      const parser = new CsvParser({
        delimiter: job.delimiter,
        maxFieldBytes: job.maxFieldBytes,
        expectedFields: job.columnNames.length,
        strict: job.strict,
      });
      const sink = reused?.sink ?? csvSink(profile, job);
      try {
        parser.parse(bytes, 0, length, job.atEof, sink);
      } finally {
        // Also after a malformed record: a reused sink must start the next chunk clean.
        sink.endChunk();
      }
      outcome.consumed = parser.consumed;
      outcome.lines = parser.lines;
      outcome.rows = parser.records;
      outcome.raggedRows = parser.raggedRows;
      outcome.raggedLines = parser.raggedLines;
      outcome.raggedFieldCounts = parser.raggedFieldCounts;
    } else if (job.kind === 'jsonl') {
      const progress = forEachLine(bytes, 0, length, job.atEof, job.maxLineBytes, (text, line) =>
        addJsonRow(profile, parseJsonLine(text, line)),
      );
      outcome.consumed = progress.consumed;
      outcome.lines = progress.lines;
      outcome.rows = progress.records;
    } else {
      const tally = { skipped: 0 };
      let rows = 0;
      const progress = forEachLine(bytes, 0, length, job.atEof, job.maxLineBytes, (text, line) => {
        rows += addCaptureRecord(profile, parseJsonLine(text, line), job.side, line, tally);
      });
      outcome.consumed = progress.consumed;
      outcome.lines = progress.lines;
      outcome.rows = rows;
      outcome.skippedRecords = tally.skipped;
    }
  } catch (error) {
    if (!(error instanceof ChunkProblem)) throw error;
    outcome.problem = { detail: error.detail, line: error.line, column: error.column };
  }
  return outcome;
}

/**
 * The sink of a CSV chunk: numbers of a column that holds no text in the chunk are left uncounted in its value
 * frequencies (see `ProfileSinkOptions`); `profileSources` reads the file again should such a column turn out String.
 */
function csvSink(profile: DatasetProfile, job: CsvChunkJob): ProfileSink {
  return new ProfileSink(profile, job.columnNames, { leaveNumbersUncounted: true });
}

/** The outcome with its profile as a structured-clone-friendly state, to post from a worker. */
export function outcomeState(outcome: ChunkOutcome): ChunkOutcome<DatasetProfileState> {
  return { ...outcome, profile: outcome.profile.toState() };
}
