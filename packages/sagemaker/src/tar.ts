// Deterministic .tar.gz archives, written by node-tar (`tar`). Identical inputs give identical bytes:
// - `portable`: no uid/gid/uname/atime/ctime/dev/ino, and the gzip header's OS byte is 0xFF on every platform
//   (zlib would write its build's OS code; the gzip mtime is 0 either way);
// - `mtime`: one fixed date for every entry;
// - the entries are exactly the ones given, in the order given (`noDirRecurse`), read through symbolic links
//   (`follow`).
// Two things node-tar does not offer as options, done through its `filter` and `onWriteEntry` hooks:
// - modes are normalised to the entry's (0644 or 0755), where `portable` alone only applies a 022 umask (a 0600 file
//   would stay 0600 and depend on the umask of the machine that wrote it), and every file is archived as a regular
//   file (node-tar would turn the second path of a hard-linked file into a hard link entry);
// - directories keep the fixed mtime: `portable` drops directory mtimes (Python's tarfile then reads 0).
// `Pack` is used rather than `tar.create`, which reads a path starting with `@` as an archive to splice in.
// Known node-tar quirk, left alone: a name of exactly 100 bytes at the root is stored as ustar prefix `.` plus the
// name, which readers list as `./name` and extract to the same place.
import { createHash } from 'node:crypto';
import { createWriteStream, Stats } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CancelledError, DataError, isAbortError } from '@mlops-actions/core';
import { Pack } from 'tar';

/** 1980-01-01T00:00:00Z, the reproducible-builds convention (also the earliest date a zip can hold). */
export const FIXED_MTIME_SECONDS = 315532800;

export interface TarFileEntry {
  /** Posix path inside the archive and under the root directory, relative, without a leading `./`. */
  path: string;
  type: 'file';
  /** 0o644 or 0o755. */
  mode: number;
  /** Expected size: archiving fails with a DataError when the file has another size by the time it is read. */
  size: number;
  /** The file read for the entry: `<root>/<path>` (through any symbolic link). */
  source: string;
}

export interface TarDirectoryEntry {
  path: string;
  type: 'directory';
  mode: number;
}

export type TarEntry = TarFileEntry | TarDirectoryEntry;

export interface TarGzResult {
  /** Bytes of the .tar.gz file. */
  archiveBytes: number;
  /** sha256 (hex) of the .tar.gz file: stable for a given Node/zlib build. */
  sha256: string;
}

function changed(root: string, entry: TarEntry, stats: Stats): DataError | undefined {
  let problem: string | undefined;
  if (entry.type === 'directory') {
    if (!stats.isDirectory()) problem = 'no longer a directory';
  } else if (!stats.isFile()) {
    problem = 'no longer a regular file';
  } else if (stats.size !== entry.size) {
    problem = `expected ${entry.size} bytes, found ${stats.size}`;
  }
  return problem === undefined
    ? undefined
    : new DataError(`changed while it was being archived (${problem})`, { file: path.join(root, entry.path) });
}

/** Writes `entries`, read from `root`, as a gzip-compressed tar to `outputPath`. */
export async function writeTarGz(
  root: string,
  entries: readonly TarEntry[],
  outputPath: string,
  signal?: AbortSignal,
): Promise<TarGzResult> {
  if (signal?.aborted) throw new CancelledError('Archiving was cancelled');
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  const pack: Pack = new Pack({
    cwd: root,
    portable: true,
    follow: true,
    noDirRecurse: true,
    mtime: new Date(FIXED_MTIME_SECONDS * 1000),
    gzip: { level: 9 },
    // Called with the stats each entry is then written from, before node-tar looks at them.
    filter: (entryPath, stats) => {
      const entry = byPath.get(entryPath);
      if (!entry || !(stats instanceof Stats)) return true;
      const error = changed(root, entry, stats);
      if (error) {
        pack.emit('error', error);
        return false;
      }
      stats.mode = (stats.mode & ~0o7777) | entry.mode;
      stats.nlink = 1;
      return true;
    },
    // Called just before the header is encoded, after `portable` has dropped a directory's mtime.
    onWriteEntry: (entry) => {
      entry.noMtime = false;
    },
  });
  for (const entry of entries) pack.add(entry.path);
  pack.end();

  const hash = createHash('sha256');
  let archiveBytes = 0;
  try {
    await pipeline(
      pack,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          archiveBytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(outputPath),
      { signal },
    );
  } catch (error) {
    if (isAbortError(error)) throw new CancelledError('Archiving was cancelled');
    // node-tar's error when a file is shorter or longer than its stats said.
    const { code, path: file } = error as { code?: string; path?: string };
    if (code === 'EOF') {
      throw new DataError(
        `changed while it was being archived (${(error as Error).message})`,
        { file },
        { cause: error },
      );
    }
    throw error;
  }
  return { archiveBytes, sha256: hash.digest('hex') };
}
