// Helpers of the reader tests: scratch folders, a storage that re-chunks streams, DataError assertions.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DataError, openStorage, type Storage } from '@mlops-actions/core';
import { CollectingSink, CsvParser } from '../../../packages/data/src/readers/csv.js';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const vegaData = path.join(repoRoot, 'node_modules', 'vega-datasets', 'data');
export const readerFixtures = path.join(repoRoot, 'test', 'fixtures', 'readers');

/** A fresh folder under the OS temp dir, removed by `cleanup`. */
export async function scratchDir(prefix = 'readers-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `files` (relative path → content) under `dir` and returns their absolute paths, in order. */
export async function writeFiles(dir: string, files: Record<string, string | Buffer>): Promise<string[]> {
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    written.push(file);
  }
  return written;
}

/**
 * Local storage whose read streams deliver the bytes in chunks of the given sizes (cycled), to exercise every way a
 * record can be split across stream chunks.
 */
export function rechunkingStorage(sizes: readonly number[], base: Storage = openStorage()): Storage {
  return {
    ...base,
    async readStream(location, options) {
      const stream = await base.readStream(location, options);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      const pieces: Buffer[] = [];
      for (let at = 0, i = 0; at < bytes.length; i++) {
        const size = Math.max(1, sizes[i % sizes.length]!);
        pieces.push(bytes.subarray(at, at + size));
        at += size;
      }
      return Readable.from(pieces);
    },
  };
}

/** Asserts a DataError with exactly this location and a detail matching `detail`. */
export function assertDataError(
  error: unknown,
  expected: { file?: string; line?: number; column?: number; detail?: RegExp },
): true {
  assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
  if (expected.detail) assert.match(error.detail, expected.detail);
  if ('file' in expected) assert.equal(error.location.file, expected.file, 'file');
  if ('line' in expected) assert.equal(error.location.line, expected.line, 'line');
  if ('column' in expected) assert.equal(error.location.column, expected.column, 'column');
  return true;
}

/** All records of a CSV text, parsed in one go (no header handling). */
export function parseCsvText(text: string | Buffer, delimiter = ','): string[][] {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const parser = new CsvParser({ delimiter: delimiter.charCodeAt(0), maxFieldBytes: 1 << 20 });
  const sink = new CollectingSink();
  parser.parse(bytes, 0, bytes.length, true, sink);
  return sink.rows;
}
