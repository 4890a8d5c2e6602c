// One API over `s3://bucket/key` and local paths (plain or file://), so every action accepts either wherever it takes
// a location, and the local backend is the same code path as S3 minus the network.
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { awsErrorCode, describeAwsError, s3Client } from './aws.js';
import { CancelledError, ConfigurationError, DataError, errorMessage, isAbortError } from './errors.js';
import { parseStorageUri, type StorageUri } from './inputs.js';
import { type Logger, silentLogger } from './logger.js';
import { MLOPS_ACTIONS_VERSION } from './version.js';

/** A location as text (`s3://b/k`, `file:///p`, `p`) or already parsed. */
export type StorageLocation = string | StorageUri;

export interface StorageEntry {
  /** In the style of the listed prefix: s3://, file:// or a plain path. */
  uri: string;
  size: number;
  lastModified: Date;
}

export interface StorageOptions {
  /** The S3 client, or a factory called on first S3 use (so local-only runs never need a region). */
  s3?: S3Client | (() => S3Client);
  logger?: Logger;
  /** Multipart part size; uploads larger than one part go multipart. */
  partSize?: number;
  /** Parts uploaded in parallel; memory use is about partSize × queueSize. */
  queueSize?: number;
}

export interface SignalOption {
  signal?: AbortSignal;
}

export interface WriteOptions extends SignalOption {
  contentType?: string;
  /**
   * S3: encrypt the object with this KMS key (SSE-KMS), for buckets whose policy refuses objects without it. A key in
   * another account needs its ARN. Local writes ignore it: there is nothing to encrypt them with.
   */
  kmsKeyId?: string;
}

export interface Storage {
  /** A stream of the object's bytes; fails up front (DataError) when it does not exist. */
  readStream(location: StorageLocation, options?: SignalOption): Promise<Readable>;
  /** Bytes [start, endExclusive); shorter when the object ends first, empty past its end. */
  readRange(location: StorageLocation, start: number, endExclusive: number, options?: SignalOption): Promise<Buffer>;
  size(location: StorageLocation, options?: SignalOption): Promise<number>;
  readText(location: StorageLocation, options?: SignalOption): Promise<string>;
  readJson<T = unknown>(location: StorageLocation, options?: SignalOption): Promise<T>;
  /**
   * Writes the whole body or nothing: S3 uploads (multipart above one part) are aborted on failure; local files are
   * written beside the target and renamed over it. Consumes (and on failure destroys) a stream body.
   */
  write(location: StorageLocation, body: string | Buffer | Readable, options?: WriteOptions): Promise<void>;
  /**
   * Every object at or below a location, sorted: the object itself if there is one, then everything under it as a
   * folder (`s3://b/data` lists `data` and `data/...`, never `data-old/...`). A missing location lists nothing.
   */
  list(location: StorageLocation, options?: SignalOption): AsyncIterable<StorageEntry>;
  /** Whether an object (S3) or a file (local) exists there. */
  exists(location: StorageLocation, options?: SignalOption): Promise<boolean>;
  /** Deletes an object or file; one that does not exist is not an error (so cleanup after a failure is safe). */
  remove(location: StorageLocation, options?: SignalOption): Promise<void>;
  /** The location of `parts` below `location`, in the same style. */
  join(location: StorageLocation, ...parts: string[]): string;
}

export const MULTIPART_PART_SIZE = 8 * 1024 * 1024;
const UPLOAD_QUEUE_SIZE = 4;
// Temp files of an in-progress local write; listings skip them so a reader never picks up half a file.
const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

export function openStorage(options: StorageOptions = {}): Storage {
  const logger = options.logger ?? silentLogger;
  const partSize = options.partSize ?? MULTIPART_PART_SIZE;
  const queueSize = options.queueSize ?? UPLOAD_QUEUE_SIZE;
  let client: S3Client | undefined;
  const s3 = (): S3Client => {
    if (client) return client;
    const given = options.s3;
    client =
      typeof given === 'function'
        ? given()
        : (given ?? s3Client({ action: 'storage', version: MLOPS_ACTIONS_VERSION, logger }));
    return client;
  };

  async function readStream(location: StorageLocation, { signal }: SignalOption = {}): Promise<Readable> {
    const loc = parse(location);
    throwIfAborted(signal);
    if (loc.kind === 'local') {
      const handle = await fs.open(loc.path, 'r').catch((error: unknown) => {
        throw localFailure(error, loc.uri, 'read');
      });
      // open() succeeds on a directory; the read would then fail mid-stream with a less helpful message.
      if ((await handle.stat()).isDirectory()) {
        await handle.close();
        throw new DataError(`${loc.uri} is a folder, not a file`);
      }
      return handle.createReadStream(signal ? { signal } : {});
    }
    const key = objectKey(loc);
    try {
      const out = await s3().send(new GetObjectCommand({ Bucket: loc.bucket, Key: key }), { abortSignal: signal });
      if (!(out.Body instanceof Readable)) throw new Error(`GetObject for ${loc.uri} returned no Node stream`);
      return out.Body;
    } catch (error) {
      throw s3Failure(error, loc, 'Reading', signal);
    }
  }

  async function readRange(
    location: StorageLocation,
    start: number,
    endExclusive: number,
    { signal }: SignalOption = {},
  ): Promise<Buffer> {
    const loc = parse(location);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endExclusive) || start < 0 || endExclusive < start) {
      throw new RangeError(`Invalid byte range [${start}, ${endExclusive}) for ${loc.uri}`);
    }
    throwIfAborted(signal);
    if (start === endExclusive) return Buffer.alloc(0);
    if (loc.kind === 'local') {
      const handle = await fs.open(loc.path, 'r').catch((error: unknown) => {
        throw localFailure(error, loc.uri, 'read');
      });
      try {
        const buffer = Buffer.alloc(endExclusive - start);
        let filled = 0;
        while (filled < buffer.length) {
          const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      } catch (error) {
        throw localFailure(error, loc.uri, 'read');
      } finally {
        await handle.close();
      }
    }
    const key = objectKey(loc);
    try {
      const out = await s3().send(
        new GetObjectCommand({ Bucket: loc.bucket, Key: key, Range: `bytes=${start}-${endExclusive - 1}` }),
        { abortSignal: signal },
      );
      const bytes = await out.Body!.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      // S3 answers 416 when the range starts at or past the end; a local read just comes back empty.
      if (awsErrorCode(error) === 'InvalidRange') return Buffer.alloc(0);
      throw s3Failure(error, loc, 'Reading', signal);
    }
  }

  async function size(location: StorageLocation, { signal }: SignalOption = {}): Promise<number> {
    const loc = parse(location);
    throwIfAborted(signal);
    if (loc.kind === 'local') {
      const stat = await fs.stat(loc.path).catch((error: unknown) => {
        throw localFailure(error, loc.uri, 'read');
      });
      if (stat.isDirectory()) throw new DataError(`${loc.uri} is a folder, not a file`);
      return stat.size;
    }
    try {
      const out = await s3().send(new HeadObjectCommand({ Bucket: loc.bucket, Key: objectKey(loc) }), {
        abortSignal: signal,
      });
      return out.ContentLength ?? 0;
    } catch (error) {
      throw s3Failure(error, loc, 'Reading', signal);
    }
  }

  async function readText(location: StorageLocation, options: SignalOption = {}): Promise<string> {
    const stream = await readStream(location, options);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  }

  async function readJson<T = unknown>(location: StorageLocation, options: SignalOption = {}): Promise<T> {
    const text = await readText(location, options);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      const uri = parse(location).uri;
      throw new DataError(`not valid JSON (${errorMessage(error)})`, { file: uri, ...jsonPosition(error, text) });
    }
  }

  async function write(
    location: StorageLocation,
    body: string | Buffer | Readable,
    { contentType, kmsKeyId, signal }: WriteOptions = {},
  ): Promise<void> {
    const loc = parse(location);
    try {
      throwIfAborted(signal);
      if (loc.kind === 'local') await writeLocal(loc, body, signal);
      else await writeS3(loc, body, { contentType, kmsKeyId }, signal);
    } catch (error) {
      if (body instanceof Readable && !body.destroyed) body.destroy();
      throw error;
    }
  }

  async function writeLocal(
    loc: Extract<StorageUri, { kind: 'local' }>,
    body: string | Buffer | Readable,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const target = path.resolve(loc.path);
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true }).catch((error: unknown) => {
      throw localFailure(error, loc.uri, 'write');
    });
    // Same folder, so the rename stays on one filesystem and is atomic.
    const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      if (body instanceof Readable) await pipeline(body, createWriteStream(temp, { flags: 'wx' }), { signal });
      else await fs.writeFile(temp, body, { flag: 'wx', signal });
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true });
      if (signal?.aborted || isAbortError(error)) throw new CancelledError();
      throw localFailure(error, loc.uri, 'write');
    }
  }

  async function writeS3(
    loc: Extract<StorageUri, { kind: 's3' }>,
    body: string | Buffer | Readable,
    { contentType, kmsKeyId }: Pick<WriteOptions, 'contentType' | 'kmsKeyId'>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const key = objectKey(loc);
    const client = s3();
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const upload = new Upload({
      client,
      params: {
        Bucket: loc.bucket,
        Key: key,
        Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
        ...(contentType ? { ContentType: contentType } : {}),
        // Upload copies these into PutObject or CreateMultipartUpload alike; the parts inherit the upload's encryption.
        ...(kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKeyId } : {}),
      },
      partSize,
      queueSize,
      leavePartsOnError: false,
      abortController: controller,
    });
    try {
      await upload.done();
    } catch (error) {
      // lib-storage rejects on abort before its own cleanup runs (and that cleanup waits for in-flight parts), so
      // abort the multipart upload here too: stray parts are billed and invisible. A second abort is harmless.
      if (upload.uploadId) {
        await client
          .send(new AbortMultipartUploadCommand({ Bucket: loc.bucket, Key: key, UploadId: upload.uploadId }))
          .catch((abortError: unknown) => {
            if (awsErrorCode(abortError) !== 'NoSuchUpload') {
              logger.warning(describeAwsError(abortError, `Aborting the multipart upload to ${loc.uri}`));
            }
          });
      }
      throw s3Failure(error, loc, 'Writing', signal);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function* list(location: StorageLocation, { signal }: SignalOption = {}): AsyncGenerator<StorageEntry> {
    const loc = parse(location);
    throwIfAborted(signal);
    if (loc.kind === 'local') {
      yield* listLocal(loc, signal);
      return;
    }
    const client = s3();
    const base = `s3://${loc.bucket}/`;
    const page = async (prefix: string, token: string | undefined, maxKeys?: number) => {
      try {
        return await client.send(
          new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: maxKeys }),
          { abortSignal: signal },
        );
      } catch (error) {
        throw s3Failure(error, loc, 'Listing', signal);
      }
    };
    let prefix = loc.key;
    if (prefix !== '' && !prefix.endsWith('/')) {
      // Keys sort after their own prefixes, so the first key at or after `key` is the object itself if it exists.
      const first = (await page(prefix, undefined, 1)).Contents?.[0];
      if (first?.Key === prefix) yield s3Entry(base, first);
      prefix += '/';
    }
    let token: string | undefined;
    do {
      throwIfAborted(signal);
      const out = await page(prefix, token);
      for (const object of out.Contents ?? []) {
        // Zero-byte "folder" markers made by the console are not objects anyone wants to read.
        if (object.Key && !object.Key.endsWith('/')) yield s3Entry(base, object);
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async function exists(location: StorageLocation, { signal }: SignalOption = {}): Promise<boolean> {
    const loc = parse(location);
    throwIfAborted(signal);
    if (loc.kind === 'local') {
      try {
        return (await fs.stat(loc.path)).isFile();
      } catch (error) {
        if (isMissing(error)) return false;
        throw localFailure(error, loc.uri, 'read');
      }
    }
    try {
      await s3().send(new HeadObjectCommand({ Bucket: loc.bucket, Key: objectKey(loc) }), { abortSignal: signal });
      return true;
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchBucket') return false;
      throw s3Failure(error, loc, 'Checking', signal);
    }
  }

  async function remove(location: StorageLocation, { signal }: SignalOption = {}): Promise<void> {
    const loc = parse(location);
    throwIfAborted(signal);
    if (loc.kind === 'local') {
      try {
        await fs.rm(loc.path, { force: true });
      } catch (error) {
        throw localFailure(error, loc.uri, 'write');
      }
      return;
    }
    try {
      await s3().send(new DeleteObjectCommand({ Bucket: loc.bucket, Key: objectKey(loc) }), { abortSignal: signal });
    } catch (error) {
      throw s3Failure(error, loc, 'Deleting', signal);
    }
  }

  return { readStream, readRange, size, readText, readJson, write, list, exists, remove, join: joinLocation };
}

/** The location of `parts` below `location`, in the same style (s3://, file:// or a plain path). */
export function joinLocation(location: StorageLocation, ...parts: string[]): string {
  const loc = parse(location);
  if (loc.kind === 's3') {
    const segments = [loc.key, ...parts].flatMap((p) => p.split('/')).filter((s) => s !== '');
    const trailing = (parts.length ? parts[parts.length - 1]! : loc.key).endsWith('/') && segments.length > 0;
    return `s3://${loc.bucket}/${segments.join('/')}${trailing ? '/' : ''}`;
  }
  const joined = path.join(loc.path, ...parts);
  return isFileUrl(loc.uri) ? pathToFileURL(joined).href : joined;
}

function parse(location: StorageLocation): StorageUri {
  return typeof location === 'string' ? parseStorageUri(location) : location;
}

function objectKey(loc: Extract<StorageUri, { kind: 's3' }>): string {
  if (loc.key === '' || loc.key.endsWith('/')) {
    throw new ConfigurationError(`${loc.uri} names a folder, not an object: add the object's key after the last '/'`);
  }
  return loc.key;
}

function isFileUrl(uri: string): boolean {
  return /^file:/i.test(uri);
}

function s3Entry(base: string, object: { Key?: string; Size?: number; LastModified?: Date }): StorageEntry {
  return { uri: base + object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
}

async function* listLocal(
  loc: Extract<StorageUri, { kind: 'local' }>,
  signal: AbortSignal | undefined,
): AsyncGenerator<StorageEntry> {
  const asUrl = isFileUrl(loc.uri);
  const root = path.resolve(loc.path);
  const uriOf = (absolute: string, relative: string) =>
    asUrl ? pathToFileURL(absolute).href : relative === '' ? loc.path : path.join(loc.path, relative);
  let stat;
  try {
    stat = await fs.stat(root);
  } catch (error) {
    if (isMissing(error)) return;
    throw localFailure(error, loc.uri, 'list');
  }
  if (stat.isFile()) {
    yield { uri: uriOf(root, ''), size: stat.size, lastModified: stat.mtime };
    return;
  }
  const seen = new Set<string>();
  async function* walk(dir: string, relative: string): AsyncGenerator<StorageEntry> {
    throwIfAborted(signal);
    // A symlink back up the tree would otherwise recurse until the path is too long.
    const real = await fs.realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      throw localFailure(error, loc.uri, 'list');
    });
    const children: { name: string; stat: Awaited<ReturnType<typeof fs.stat>>; sortKey: string }[] = [];
    for (const entry of entries) {
      if (TEMP_FILE.test(entry.name)) continue;
      const full = path.join(dir, entry.name);
      const childStat = await fs.stat(full).catch(() => undefined); // vanished, or a dangling symlink
      if (!childStat || !(childStat.isFile() || childStat.isDirectory())) continue;
      // Sorting "dir/" rather than "dir" puts the whole tree in the order of its full paths, as S3 lists keys.
      children.push({ name: entry.name, stat: childStat, sortKey: entry.name + (childStat.isDirectory() ? '/' : '') });
    }
    children.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    for (const child of children) {
      const full = path.join(dir, child.name);
      const rel = relative === '' ? child.name : path.join(relative, child.name);
      if (child.stat.isDirectory()) yield* walk(full, rel);
      else yield { uri: uriOf(full, rel), size: Number(child.stat.size), lastModified: child.stat.mtime };
    }
  }
  yield* walk(root, '');
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function localFailure(error: unknown, uri: string, doing: 'read' | 'write' | 'list'): Error {
  if (isAbortError(error)) return new CancelledError();
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new DataError(`${uri} does not exist`, {}, { cause: error });
    case 'EISDIR':
      return new DataError(`${uri} is a folder, not a file`, {}, { cause: error });
    case 'ENOTDIR':
    case 'EEXIST':
      return new DataError(`Cannot ${doing} ${uri}: part of its path is a file, not a folder`, {}, { cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DataError(`Cannot ${doing} ${uri}: permission denied`, {}, { cause: error });
    case 'ENOSPC':
      return new DataError(`Cannot ${doing} ${uri}: the disk is full`, {}, { cause: error });
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}

function s3Failure(error: unknown, loc: Extract<StorageUri, { kind: 's3' }>, doing: string, signal?: AbortSignal) {
  if (signal?.aborted || isAbortError(error)) return new CancelledError();
  if (error instanceof ConfigurationError || error instanceof DataError) return error;
  const code = awsErrorCode(error);
  if (code === 'NoSuchKey' || code === 'NotFound')
    return new DataError(`${loc.uri} does not exist`, {}, { cause: error });
  if (code === 'NoSuchBucket') {
    return new DataError(`${loc.uri} does not exist: there is no bucket named ${loc.bucket}`, {}, { cause: error });
  }
  return new Error(describeAwsError(error, `${doing} ${loc.uri}`), { cause: error });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Line and column of a JSON.parse failure, when its message gives a position. */
function jsonPosition(error: unknown, text: string): { line?: number; column?: number } {
  const match = /position (\d+)/.exec(errorMessage(error));
  if (!match) return {};
  const before = text.slice(0, Number(match[1]));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}
