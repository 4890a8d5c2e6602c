// Moving training inputs to where the job reads them: the code and local channel data up to S3 for a SageMaker job,
// and S3 channels down to the runner for a local run.
//
// Decisions:
// - Code for script mode goes up as one `sourcedir.tar.gz` (what the framework images' training toolkit downloads);
//   code for a command goes up as plain files under a prefix, which SageMaker mounts as the `code` channel, so the
//   command needs nothing in the image to unpack it (the SageMaker Python SDK v3 ModelTrainer does the same).
// - A local channel that is a file is staged as `<prefix>/<its name>`, a directory as its tree: the container then sees
//   the same `/opt/ml/input/data/<channel>/...` as the local backend, which links the same file or directory.
// - Data directories are uploaded whole (no ignore rules): what is in the folder is the data. Symbolic links are
//   followed inside the folder and skipped (with a warning) when they lead out of it, as for the code.
// - Downloads read `s3://bucket/prefix` as a folder (`prefix` and `prefix/...`), never `prefix-other/...`, which
//   SageMaker's plain key-prefix match would also take; a file-like URI downloads as that one file.
// - Uploads take an SSE-KMS key (`kmsKeyId`) for buckets whose policy refuses objects without one; downloads write only
//   local files, so they take none.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  CancelledError,
  ConfigurationError,
  type Logger,
  silentLogger,
  type Storage,
  type StorageLocation,
} from '@mlops-actions/core';
import {
  collectTree,
  createEntryPointArchive,
  createSourceArchive,
  DEFAULT_SOURCE_MAX_BYTES,
  formatBytes,
  IGNORE_FILE_NAME,
  type CollectedTree,
  type SourceArchive,
} from '../source-archive.js';

/** Parallel uploads or downloads: enough to hide S3's per-request latency, few enough for a 2-core runner. */
const STAGING_CONCURRENCY = 4;

interface TransferOptions {
  storage: Storage;
  logger?: Logger;
  signal?: AbortSignal;
}

interface UploadOptions extends TransferOptions {
  /** SSE-KMS key for every object uploaded (see WriteOptions.kmsKeyId). */
  kmsKeyId?: string;
}

export interface UploadedTree {
  /** The prefix the files went under, ending with `/`. */
  uri: string;
  fileCount: number;
  bytes: number;
}

/** Uploads every file of a collected tree to `<destination>/<relative path>`. */
async function uploadTree(
  tree: CollectedTree,
  destination: string,
  { storage, logger = silentLogger, signal, kmsKeyId }: UploadOptions,
): Promise<UploadedTree> {
  const prefix = asPrefix(storage, destination);
  await forEachLimited(tree.files, STAGING_CONCURRENCY, signal, async (file) => {
    await storage.write(storage.join(prefix, file.path), createReadStream(file.absolutePath), { kmsKeyId, signal });
  });
  logger.debug(`Uploaded ${tree.files.length} files (${formatBytes(tree.contentBytes)}) to ${prefix}`);
  return { uri: prefix, fileCount: tree.files.length, bytes: tree.contentBytes };
}

export interface StageChannelOptions extends UploadOptions {
  /** A local file or directory. */
  localPath: string;
  /** The prefix to upload under, e.g. `s3://bucket/output/<job>/input/train/`. */
  destination: string;
  /** The channel, for messages. */
  channel: string;
}

/** Uploads a local channel (a file or a directory) and returns the prefix to give the job as its S3Uri. */
export async function stageLocalChannel(options: StageChannelOptions): Promise<UploadedTree> {
  const { storage, localPath, destination, channel, logger = silentLogger, signal, kmsKeyId } = options;
  const stats = await stat(localPath).catch(() => undefined);
  if (!stats) {
    throw new ConfigurationError(`Input 'inputs' has ${channel}: ${localPath}, which does not exist`, {
      input: 'inputs',
    });
  }
  const prefix = asPrefix(storage, destination);
  if (stats.isFile()) {
    await storage.write(storage.join(prefix, path.basename(localPath)), createReadStream(localPath), {
      kmsKeyId,
      signal,
    });
    logger.info(`Uploaded ${localPath} (${formatBytes(stats.size)}) for channel ${channel} to ${prefix}`);
    return { uri: prefix, fileCount: 1, bytes: stats.size };
  }
  const tree = await collectTree(localPath, { defaultIgnores: false, ignoreFile: false, logger, signal });
  if (tree.files.length === 0) {
    throw new ConfigurationError(`Input 'inputs' has ${channel}: ${localPath}, a folder without any file`, {
      input: 'inputs',
    });
  }
  const uploaded = await uploadTree(tree, prefix, { storage, logger, signal, kmsKeyId });
  logger.info(
    `Uploaded ${uploaded.fileCount} files (${formatBytes(uploaded.bytes)}) from ${localPath} for channel ${channel} to ${prefix}`,
  );
  return uploaded;
}

export interface UploadSourceArchiveOptions extends UploadOptions {
  /** The code folder; without it, the entry point alone is archived. */
  sourceDir?: string;
  /** Relative to `sourceDir` (and checked to be in the archive), or the path of a lone script. */
  entryPoint: string;
  /** `<code-location>/<job>/source/sourcedir.tar.gz`. */
  destination: string;
  /** Where the archive is written before the upload. */
  tempPath: string;
  maxBytes?: number;
}

/** Packs the code as sourcedir.tar.gz (see createSourceArchive) and uploads it to `destination`. */
export async function uploadSourceArchive(options: UploadSourceArchiveOptions): Promise<SourceArchive> {
  const { storage, destination, tempPath, logger = silentLogger, signal, kmsKeyId } = options;
  const archive =
    options.sourceDir !== undefined
      ? await createSourceArchive({
          sourceDir: options.sourceDir,
          outputPath: tempPath,
          maxBytes: options.maxBytes ?? DEFAULT_SOURCE_MAX_BYTES,
          logger,
          signal,
        })
      : await createEntryPointArchive({ entryPoint: options.entryPoint, outputPath: tempPath, logger, signal });
  if (options.sourceDir !== undefined) checkEntryPointArchived(archive, options.entryPoint, options.sourceDir);
  await storage.write(destination, createReadStream(archive.path), {
    contentType: 'application/gzip',
    kmsKeyId,
    signal,
  });
  logger.info(`Uploaded the code (${formatBytes(archive.archiveBytes)}) to ${destination}`);
  return archive;
}

/** The script the toolkit will run must be in the archive: refused here rather than minutes later in the container. */
function checkEntryPointArchived(archive: SourceArchive, entryPoint: string, sourceDir: string): void {
  const relative = path.posix.normalize(entryPoint.split(path.sep).join('/'));
  if (archive.entries.includes(relative)) return;
  const skipped = archive.skipped.find((s) => s.path === relative || relative.startsWith(`${s.path}/`));
  const why = skipped ? `it is left out of the code (${skipped.path}: ${skipped.reason})` : 'there is no such file';
  throw new ConfigurationError(
    `Input 'entry-point' has an invalid value ${JSON.stringify(entryPoint)}: ${why} in the source directory ${sourceDir} (give the script's path relative to source-dir)`,
    { input: 'entry-point' },
  );
}

export interface UploadSourceFilesOptions extends UploadOptions {
  sourceDir: string;
  /** `<code-location>/<job>/source/code/`. */
  destination: string;
  maxBytes?: number;
}

/** Uploads the code folder as plain files, through the same filter as sourcedir.tar.gz (.sagemakerignore and all). */
export async function uploadSourceFiles(options: UploadSourceFilesOptions): Promise<UploadedTree> {
  const { storage, sourceDir, destination, logger = silentLogger, signal, kmsKeyId } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_SOURCE_MAX_BYTES;
  const stats = await stat(sourceDir).catch(() => undefined);
  if (!stats?.isDirectory()) {
    throw new ConfigurationError(
      `Input 'source-dir' has an invalid value ${JSON.stringify(sourceDir)}: not a directory`,
      {
        input: 'source-dir',
      },
    );
  }
  const tree = await collectTree(sourceDir, { logger, signal });
  if (tree.contentBytes > maxBytes) {
    throw new ConfigurationError(
      `Input 'source-dir-size-limit': the source directory ${sourceDir} holds ${formatBytes(tree.contentBytes)} in ` +
        `${tree.files.length} files, over the limit of ${formatBytes(maxBytes)}. List what training does not need in ` +
        `${IGNORE_FILE_NAME}, pass data as an input channel instead, or raise source-dir-size-limit.`,
      { input: 'source-dir-size-limit' },
    );
  }
  const uploaded = await uploadTree(tree, destination, { storage, logger, signal, kmsKeyId });
  logger.info(`Uploaded the code (${uploaded.fileCount} files, ${formatBytes(uploaded.bytes)}) to ${uploaded.uri}`);
  return uploaded;
}

export interface DownloadChannelOptions extends TransferOptions {
  /** `s3://bucket/prefix` or `s3://bucket/key`. */
  source: StorageLocation;
  /** A local folder; the objects land under it by their path below `source`. */
  directory: string;
  channel: string;
}

/** Downloads an S3 channel for a local run; returns how many files and bytes came down. */
export async function downloadChannel(
  options: DownloadChannelOptions,
): Promise<{ directory: string; fileCount: number; bytes: number }> {
  const { storage, directory, channel, logger = silentLogger, signal } = options;
  const source = typeof options.source === 'string' ? options.source : options.source.uri;
  const base = source.replace(/\/+$/, '');
  const root = path.resolve(directory);
  const entries: { uri: string; target: string; size: number }[] = [];
  for await (const entry of storage.list(source, { signal })) {
    // The object at the location itself keeps its name; the rest keep their path below the location.
    const relative = entry.uri === base ? path.posix.basename(base) : entry.uri.slice(base.length + 1);
    const target = path.resolve(root, relative);
    if (!target.startsWith(root + path.sep)) {
      logger.warning(`Skipping ${entry.uri} for channel ${channel}: its key leads outside the channel folder`);
      continue;
    }
    entries.push({ uri: entry.uri, target, size: entry.size });
  }
  if (entries.length === 0) {
    throw new ConfigurationError(`Input 'inputs' has ${channel}: ${source}, where there is no object`, {
      input: 'inputs',
    });
  }
  await forEachLimited(entries, STAGING_CONCURRENCY, signal, async ({ uri, target }) => {
    await storage.write(target, await storage.readStream(uri, { signal }), { signal });
  });
  const bytes = entries.reduce((sum, e) => sum + e.size, 0);
  logger.info(`Downloaded ${entries.length} files (${formatBytes(bytes)}) from ${source} for channel ${channel}`);
  return { directory: root, fileCount: entries.length, bytes };
}

function asPrefix(storage: Storage, location: string): string {
  const joined = storage.join(location);
  return joined.endsWith('/') ? joined : `${joined}/`;
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure stops new work and is thrown. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      if (signal?.aborted) throw new CancelledError('Cancelled while transferring files');
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
