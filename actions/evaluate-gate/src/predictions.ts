// Reads a predictions file into the columns the gate needs, and computes the metrics from them.
//
// Predictions are read whole into memory (at most MAX_PREDICTION_BYTES per file): a gate compares a model on an
// evaluation set, which is small next to the training data that validate-data streams.
import { gunzipSync } from 'node:zlib';
import { DataError, errorMessage, type Storage } from '@mlops-actions/core';
import { computeMetrics, type Cell, type ComputedMetrics, type EvaluationTask } from '@mlops-actions/data/evaluation';
import { resolveSources } from '@mlops-actions/data/readers';
import {
  ChunkProblem,
  CollectingSink,
  CsvParser,
  DEFAULT_MAX_FIELD_BYTES,
  bomLength,
  delimiterByte,
  type CsvFields,
} from '@mlops-actions/data/readers/csv';
import { forEachLine, parseJsonLine } from '@mlops-actions/data/readers/jsonl';

export const MAX_PREDICTION_BYTES = 512 * 1024 * 1024;
const LF = 0x0a;

export interface PredictionsOptions {
  source: string;
  labelColumn: string;
  predictionColumn: string;
  /** The positive-class score column; for multi-class, a prefix of per-class columns. */
  scoreColumn?: string;
  task?: EvaluationTask;
  positiveLabel?: string;
  bootstrapSamples: number;
  confidence: number;
  seed: number;
  storage: Storage;
  signal: AbortSignal;
}

interface Table {
  file: string;
  names: string[];
  rows: Cell[][];
  /** The 1-based line each row starts on, for errors: JSON Lines skip blank lines, CSV records may span lines. */
  lines: number[];
}

export async function readPredictions(options: PredictionsOptions): Promise<ComputedMetrics> {
  const { storage, signal } = options;
  const sources = await resolveSources(options.source, { storage, signal });
  const tables: Table[] = [];
  for (const source of sources) {
    if (source.size > MAX_PREDICTION_BYTES) {
      throw new DataError(`is ${source.size} bytes; predictions are read whole, at most ${MAX_PREDICTION_BYTES}`, {
        file: source.uri,
      });
    }
    let bytes = Buffer.from(await storage.readRange(source.uri, 0, source.size, { signal }));
    if (source.compression === 'gzip' || (bytes[0] === 0x1f && bytes[1] === 0x8b)) {
      try {
        bytes = gunzipSync(bytes, { maxOutputLength: MAX_PREDICTION_BYTES });
      } catch (error) {
        throw new DataError(`is not a valid gzip file (${errorMessage(error)})`, { file: source.uri });
      }
    }
    if (source.format === 'csv' || source.format === 'tsv') tables.push(readCsv(source.uri, bytes, source.format));
    else if (source.format === 'jsonl') tables.push(readJsonLines(source.uri, bytes));
    else throw new DataError(`predictions must be CSV or JSON Lines, not ${source.format}`, { file: source.uri });
  }

  const first = tables[0]!;
  const column = (table: Table, name: string, input: string): number => {
    const index = table.names.indexOf(name);
    if (index === -1) {
      throw new DataError(`has no column '${name}' (input '${input}'); its columns are: ${table.names.join(', ')}`, {
        file: table.file,
      });
    }
    return index;
  };
  const labels: Cell[] = [];
  const predictions: Cell[] = [];
  const scores: number[] = [];
  const classScores = new Map<string, number[]>();
  const scorePrefix = options.scoreColumn;
  const singleScore = scorePrefix !== undefined && first.names.includes(scorePrefix);
  const classColumns =
    scorePrefix !== undefined && !singleScore ? first.names.filter((n) => n.startsWith(scorePrefix)) : [];
  if (scorePrefix !== undefined && !singleScore && classColumns.length === 0) {
    throw new DataError(
      `has no column '${scorePrefix}' nor columns starting with it (input 'score-column'); its columns are: ${first.names.join(', ')}`,
      { file: first.file },
    );
  }
  for (const table of tables) {
    const labelAt = column(table, options.labelColumn, 'label-column');
    const predictionAt = column(table, options.predictionColumn, 'prediction-column');
    const scoreAt = singleScore ? column(table, scorePrefix!, 'score-column') : -1;
    const classAt = classColumns.map(
      (name) => [name.slice(scorePrefix!.length), column(table, name, 'score-column')] as const,
    );
    table.rows.forEach((row, index) => {
      const line = table.lines[index]!;
      labels.push(row[labelAt]);
      predictions.push(row[predictionAt]);
      if (scoreAt !== -1) scores.push(scoreOf(row[scoreAt], table.file, line, scorePrefix!));
      for (const [className, at] of classAt) {
        let list = classScores.get(className);
        if (!list) classScores.set(className, (list = []));
        list.push(scoreOf(row[at], table.file, line, `${scorePrefix}${className}`));
      }
    });
  }
  return computeMetrics(
    {
      labels,
      predictions,
      ...(singleScore ? { scores } : {}),
      ...(classScores.size > 0 ? { classScores } : {}),
    },
    {
      task: options.task,
      positiveLabel: options.positiveLabel,
      bootstrapSamples: options.bootstrapSamples,
      confidence: options.confidence,
      seed: options.seed,
      location: tables.length === 1 ? { file: first.file } : undefined,
    },
  );
}

function scoreOf(cell: Cell, file: string, line: number, columnName: string): number {
  const value = typeof cell === 'number' ? cell : Number(cell);
  if (cell === null || cell === undefined || cell === '' || !Number.isFinite(value)) {
    throw new DataError(`score column '${columnName}' holds ${JSON.stringify(cell)}, not a number`, { file, line });
  }
  return value;
}

function readCsv(file: string, bytes: Buffer, format: 'csv' | 'tsv'): Table {
  const start = bomLength(bytes);
  const delimiter = delimiterByte(format === 'tsv' ? '\t' : ',');
  const header = new CollectingSink();
  const headerParser = new CsvParser({ delimiter, maxFieldBytes: DEFAULT_MAX_FIELD_BYTES });
  located(file, 0, () => headerParser.parse(bytes, start, bytes.length, true, header, 1));
  const names = header.rows[0];
  if (!names) throw new DataError('is empty', { file });
  const sink = new LineCollectingSink();
  const parser = new CsvParser({
    delimiter,
    maxFieldBytes: DEFAULT_MAX_FIELD_BYTES,
    expectedFields: names.length,
    strict: true,
  });
  located(file, headerParser.lines, () => parser.parse(bytes, headerParser.consumed, bytes.length, true, sink));
  if (sink.rows.length === 0) throw new DataError('has a header but no rows', { file });
  return { file, names, rows: sink.rows, lines: sink.lines };
}

/** Collects records with the line each starts on, found by counting line feeds up to its first field. */
class LineCollectingSink extends CollectingSink {
  readonly lines: number[] = [];
  private counted = 0;
  private lineFeeds = 0;

  override record(bytes: Buffer, fields: CsvFields, count: number): void {
    const start = fields.starts[0]!;
    for (let at = bytes.indexOf(LF, this.counted); at !== -1 && at < start; at = bytes.indexOf(LF, at + 1)) {
      this.lineFeeds++;
    }
    this.counted = start;
    this.lines.push(this.lineFeeds + 1);
    super.record(bytes, fields, count);
  }
}

function readJsonLines(file: string, bytes: Buffer): Table {
  const names: string[] = [];
  const objects: Record<string, unknown>[] = [];
  const lines: number[] = [];
  located(file, 0, () =>
    forEachLine(bytes, 0, bytes.length, true, bytes.length, (text, line) => {
      const value = parseJsonLine(text, line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ChunkProblem('expected a JSON object per line', line, 1);
      }
      for (const key of Object.keys(value)) if (!names.includes(key)) names.push(key);
      objects.push(value as Record<string, unknown>);
      lines.push(line + 1);
    }),
  );
  if (objects.length === 0) throw new DataError('is empty', { file });
  const rows = objects.map((object) =>
    names.map((name): Cell => {
      const value = object[name];
      return typeof value === 'number' || typeof value === 'string'
        ? value
        : value == null
          ? null
          : JSON.stringify(value);
    }),
  );
  return { file, names, rows, lines };
}

/** Turns a parser's ChunkProblem (lines counted from `lineOffset`) into a DataError with the file's line. */
function located<T>(file: string, lineOffset: number, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ChunkProblem)) throw error;
    const line = lineOffset + error.line + 1;
    throw new DataError(error.detail.replace('{line}', String(line)), { file, line, column: error.column });
  }
}
