// Packs a source directory the way the SageMaker Python SDK's tar_and_upload_dir does: sourcedir.tar.gz with the
// directory's contents at the archive root (`train.py`, `pkg/__init__.py`), which the training toolkit extracts
// into /opt/ml/code.
//
// Decisions:
// - Always left out: .git, .env, __pycache__, node_modules, .DS_Store (at any depth), then the rules of
//   `.sagemakerignore` at the root of the source directory, which may re-include any of those with `!`. The rules
//   are gitignore syntax, matched by the `ignore` package as git does (case-sensitively); a directory they exclude
//   is not entered, so nothing inside it can be re-included, as in git.
// - Symbolic links are followed and archived as what they point to (a regular file, or a directory's contents), so the
//   archive never holds a link that would dangle in the container or that Python's tarfile extraction filters refuse.
//   A link whose target resolves outside the source directory, a dangling link and a link back to a directory being
//   walked (a cycle) are skipped with a warning.
// - Deterministic: entries sorted by path, mode 0644 or 0755 (executable bit kept), owner 0/0, fixed mtime, written
//   by node-tar (see tar.ts).
// - The size limit counts the bytes of the files to be archived and is checked before anything is written.
import { lstat, mkdir, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError, ConfigurationError, type Logger, silentLogger } from '@mlops-actions/core';
import ignore from 'ignore';
import { writeTarGz, type TarEntry } from './tar.js';

const DEFAULT_IGNORED_NAMES = ['.git', '.env', '__pycache__', 'node_modules', '.DS_Store'] as const;
export const IGNORE_FILE_NAME = '.sagemakerignore';
/** 100 MiB: code, not data; data belongs in an input channel. */
export const DEFAULT_SOURCE_MAX_BYTES = 100 * 1024 * 1024;

export interface CollectOptions {
  /** Apply DEFAULT_IGNORED_NAMES (default true). */
  defaultIgnores?: boolean;
  /** Read `.sagemakerignore` from the root of the directory (default true). */
  ignoreFile?: boolean;
  /** More gitignore-style rules, applied after the file's. */
  extraIgnorePatterns?: readonly string[];
  logger?: Logger;
  signal?: AbortSignal;
}

export interface CollectedFile {
  /** Posix path relative to the root. */
  path: string;
  /** Where to read it (through any symbolic link). */
  absolutePath: string;
  size: number;
  mode: number;
}

export interface SkippedPath {
  path: string;
  reason: string;
}

export interface CollectedTree {
  root: string;
  files: CollectedFile[];
  /** Directories (posix, relative), sorted; each is archived as an entry so empty ones survive. */
  directories: string[];
  /** Ignored paths and skipped links, with why. */
  skipped: SkippedPath[];
  contentBytes: number;
}

function isInside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Walks a directory applying the ignore rules and the link policy above. */
export async function collectTree(rootDir: string, options: CollectOptions = {}): Promise<CollectedTree> {
  const { defaultIgnores = true, ignoreFile = true, extraIgnorePatterns = [], logger = silentLogger, signal } = options;
  const root = await realpath(rootDir);
  const matcher = ignore({ ignorecase: false });
  if (defaultIgnores) matcher.add(DEFAULT_IGNORED_NAMES.join('\n'));
  if (ignoreFile) {
    const text = await readFile(path.join(root, IGNORE_FILE_NAME), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    matcher.add(text);
  }
  matcher.add(extraIgnorePatterns.join('\n'));

  const files: CollectedFile[] = [];
  const directories: string[] = [];
  const skipped: SkippedPath[] = [];
  const skip = (relativePath: string, reason: string, warn: boolean) => {
    skipped.push({ path: relativePath, reason });
    (warn ? logger.warning : logger.debug).call(logger, `Skipping ${relativePath}: ${reason}`);
  };

  // `ancestors` holds the real paths of the directories being walked, to notice a link leading back into one.
  // Returns how many entries the directory contributes, so that a directory whose contents were all left out is left
  // out too (an empty directory on disk is kept).
  const walk = async (directory: string, relative: string, ancestors: Set<string>): Promise<number> => {
    if (signal?.aborted) throw new CancelledError('Collecting the source files was cancelled');
    const names = (await readdir(directory)).sort(comparePaths);
    let contributed = 0;
    for (const name of names) {
      const relativePath = relative ? `${relative}/${name}` : name;
      const absolutePath = path.join(directory, name);
      const linkStats = await lstat(absolutePath);
      let stats = linkStats;
      let realTarget = absolutePath;
      if (linkStats.isSymbolicLink()) {
        try {
          realTarget = await realpath(absolutePath);
        } catch {
          skip(relativePath, 'a symbolic link whose target does not exist', true);
          continue;
        }
        if (!isInside(root, realTarget)) {
          skip(relativePath, `a symbolic link to ${realTarget}, outside the directory being archived`, true);
          continue;
        }
        stats = await stat(absolutePath);
      }
      const isDirectory = stats.isDirectory();
      // A trailing slash is how `ignore` tells a directory, for patterns like `name/`.
      const { ignored, rule } = matcher.test(isDirectory ? `${relativePath}/` : relativePath);
      if (ignored) {
        skip(relativePath, `ignored by '${rule?.pattern ?? ''}'`, false);
        continue;
      }
      if (isDirectory) {
        const realDirectory = linkStats.isSymbolicLink() ? realTarget : await realpath(absolutePath);
        if (ancestors.has(realDirectory)) {
          skip(relativePath, 'a symbolic link back into a directory that contains it', true);
          continue;
        }
        const index = directories.push(relativePath) - 1;
        const inside = await walk(absolutePath, relativePath, new Set([...ancestors, realDirectory]));
        const emptyOnDisk = (await readdir(absolutePath)).length === 0;
        if (inside === 0 && !emptyOnDisk) {
          directories.splice(index, 1);
          skip(relativePath, 'everything in it is left out', false);
        } else contributed++;
      } else if (stats.isFile()) {
        files.push({
          path: relativePath,
          absolutePath,
          size: stats.size,
          mode: stats.mode & 0o111 ? 0o755 : 0o644,
        });
        contributed++;
      } else {
        skip(relativePath, 'not a regular file or directory (socket, FIFO or device)', true);
      }
    }
    return contributed;
  };
  await walk(root, '', new Set([root]));
  files.sort((a, b) => comparePaths(a.path, b.path));
  directories.sort(comparePaths);
  return { root, files, directories, skipped, contentBytes: files.reduce((sum, f) => sum + f.size, 0) };
}

/** The tar entries of a collected tree: directories and files merged in path order. */
export function treeEntries(tree: CollectedTree): TarEntry[] {
  const entries: TarEntry[] = [
    ...tree.directories.map((directory): TarEntry => ({ path: directory, type: 'directory', mode: 0o755 })),
    ...tree.files.map((file): TarEntry => ({
      path: file.path,
      type: 'file',
      mode: file.mode,
      size: file.size,
      source: file.absolutePath,
    })),
  ];
  // A directory sorts as "name/" so that it precedes its contents and follows "name-x" like in a listing.
  const key = (entry: TarEntry) => (entry.type === 'directory' ? `${entry.path}/` : entry.path);
  return entries.sort((a, b) => comparePaths(key(a), key(b)));
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The biggest contributors, as top-level entries (a directory counts all it holds). */
function largestTopLevel(tree: CollectedTree, count: number): string[] {
  const totals = new Map<string, number>();
  for (const file of tree.files) {
    const top = file.path.includes('/') ? `${file.path.split('/')[0]}/` : file.path;
    totals.set(top, (totals.get(top) ?? 0) + file.size);
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1] || comparePaths(a[0], b[0]))
    .slice(0, count)
    .map(([name, bytes]) => `${name} (${formatBytes(bytes)})`);
}

export interface SourceArchiveOptions extends CollectOptions {
  sourceDir: string;
  /** Where to write the archive, e.g. `<temp>/sourcedir.tar.gz`. */
  outputPath: string;
  /** Refuse sources bigger than this many bytes (default {@link DEFAULT_SOURCE_MAX_BYTES}). */
  maxBytes?: number;
  /** The input named when the limit is exceeded. */
  limitInput?: string;
}

export interface SourceArchive {
  path: string;
  /** Size of sourcedir.tar.gz. */
  archiveBytes: number;
  /** sha256 of sourcedir.tar.gz (identical sources give identical bytes with the same Node/zlib). */
  sha256: string;
  /** Bytes of the files archived. */
  contentBytes: number;
  fileCount: number;
  /** Archive paths in order (directories end with `/`). */
  entries: string[];
  skipped: SkippedPath[];
}

export async function createSourceArchive(options: SourceArchiveOptions): Promise<SourceArchive> {
  const { sourceDir, outputPath, maxBytes = DEFAULT_SOURCE_MAX_BYTES, limitInput = 'source-dir-size-limit' } = options;
  const logger = options.logger ?? silentLogger;
  const sourceStats = await stat(sourceDir).catch(() => undefined);
  if (!sourceStats?.isDirectory()) {
    throw new ConfigurationError(
      `Input 'source-dir' has an invalid value ${JSON.stringify(sourceDir)}: not a directory`,
      {
        input: 'source-dir',
      },
    );
  }
  const tree = await collectTree(sourceDir, options);
  if (tree.contentBytes > maxBytes) {
    throw new ConfigurationError(
      `Input '${limitInput}': the source directory ${sourceDir} holds ${formatBytes(tree.contentBytes)} in ` +
        `${tree.files.length} files, over the limit of ${formatBytes(maxBytes)}. Largest: ` +
        `${largestTopLevel(tree, 5).join(', ')}. List what training does not need in ${IGNORE_FILE_NAME} ` +
        `(gitignore syntax), pass data as an input channel instead, or raise ${limitInput}.`,
      { input: limitInput },
    );
  }
  const entries = treeEntries(tree);
  await mkdir(path.dirname(outputPath), { recursive: true });
  try {
    const result = await writeTarGz(tree.root, entries, outputPath, options.signal);
    logger.info(
      `Packed ${tree.files.length} files (${formatBytes(tree.contentBytes)}) from ${sourceDir} into ${outputPath} ` +
        `(${formatBytes(result.archiveBytes)}, sha256 ${result.sha256})`,
    );
    return {
      path: outputPath,
      archiveBytes: result.archiveBytes,
      sha256: result.sha256,
      contentBytes: tree.contentBytes,
      fileCount: tree.files.length,
      entries: entries.map((entry) => (entry.type === 'directory' ? `${entry.path}/` : entry.path)),
      skipped: tree.skipped,
    };
  } catch (error) {
    await rm(outputPath, { force: true });
    throw error;
  }
}

export interface EntryPointArchiveOptions {
  /** A script given without a source directory. */
  entryPoint: string;
  outputPath: string;
  logger?: Logger;
  signal?: AbortSignal;
}

/**
 * sourcedir.tar.gz holding only the entry point, at the archive root: what the SageMaker Python SDK uploads when a
 * script is given without a source directory. Never the script's whole folder, which could be the repository.
 */
export async function createEntryPointArchive(options: EntryPointArchiveOptions): Promise<SourceArchive> {
  const { entryPoint, outputPath, logger = silentLogger } = options;
  const stats = await stat(entryPoint).catch(() => undefined);
  if (!stats?.isFile()) {
    throw new ConfigurationError(
      `Input 'entry-point' has an invalid value ${JSON.stringify(entryPoint)}: no such file`,
      {
        input: 'entry-point',
      },
    );
  }
  const name = path.basename(entryPoint);
  const entry: TarEntry = {
    path: name,
    type: 'file',
    mode: stats.mode & 0o111 ? 0o755 : 0o644,
    size: stats.size,
    source: path.resolve(entryPoint),
  };
  await mkdir(path.dirname(outputPath), { recursive: true });
  try {
    const result = await writeTarGz(path.dirname(path.resolve(entryPoint)), [entry], outputPath, options.signal);
    logger.info(`Packed ${entryPoint} alone into ${outputPath} (${formatBytes(result.archiveBytes)})`);
    return {
      path: outputPath,
      archiveBytes: result.archiveBytes,
      sha256: result.sha256,
      contentBytes: stats.size,
      fileCount: 1,
      entries: [name],
      skipped: [],
    };
  } catch (error) {
    await rm(outputPath, { force: true });
    throw error;
  }
}
