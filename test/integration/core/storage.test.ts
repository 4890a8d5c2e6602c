// The storage API against a real moto_server (S3) and the local filesystem, with the real SDK clients.
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { s3Client } from '../../../packages/core/src/aws.js';
import { CancelledError, ConfigurationError, DataError } from '../../../packages/core/src/errors.js';
import {
  joinLocation,
  MULTIPART_PART_SIZE,
  openStorage,
  type Storage,
  type StorageEntry,
} from '../../../packages/core/src/storage.js';
import { applyEnv, type Moto, motoSkip, startMoto } from '../../harness/moto.js';

const MiB = 1024 * 1024;
const BUCKET = 'storage-test';
// moto takes any key without checking it exists; an ARN is what real S3 reports back whatever form was given.
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

async function collect(entries: AsyncIterable<StorageEntry>): Promise<StorageEntry[]> {
  const out: StorageEntry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

/** `total` bytes of a repeatable pattern, produced in 1 MiB chunks so nothing holds the whole body. */
function patternStream(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(MiB, total - sent);
      const chunk = Buffer.alloc(n);
      for (let i = 0; i < n; i++) chunk[i] = (sent + i) % 251;
      sent += n;
      this.push(chunk);
    },
  });
}

async function sha256(stream: AsyncIterable<unknown>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function isDataError(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('storage on S3 (moto_server)', { skip: motoSkip() }, () => {
  let moto: Moto;
  let restoreEnv: () => void = () => {};
  let client: S3Client;
  let storage: Storage;
  let listCalls = 0;

  before(async () => {
    moto = await startMoto();
    restoreEnv = applyEnv(moto.env);
    // No endpoint in code: the client reaches moto through AWS_ENDPOINT_URL, as users' clients would.
    client = s3Client({ action: 'storage-test', version: '0.0.0' });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ListObjectsV2Command') listCalls++;
        return next(args);
      },
      { step: 'initialize', name: 'countListCalls' },
    );
    storage = openStorage({ s3: () => client });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  after(async () => {
    restoreEnv();
    await moto?.stop();
  });

  it('routes a client with no endpoint in code to moto through AWS_ENDPOINT_URL alone', async () => {
    const plain = new S3Client({ region: 'us-east-1' });
    const { Buckets } = await plain.send(new ListBucketsCommand({}));
    assert.ok(Buckets?.some((b) => b.Name === BUCKET));

    // The service-specific variable wins over the general one, as in the SDK's documented precedence.
    const restore = applyEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_S3: moto.endpoint });
    try {
      const s3Only = new S3Client({ region: 'us-east-1' });
      assert.ok((await s3Only.send(new ListBucketsCommand({}))).Buckets?.some((b) => b.Name === BUCKET));
    } finally {
      restore();
    }
  });

  it('writes and reads back text, JSON and bytes', async () => {
    const uri = `s3://${BUCKET}/round/trip.json`;
    await storage.write(uri, JSON.stringify({ hello: 'wörld' }), { contentType: 'application/json' });
    assert.deepEqual(await storage.readJson(uri), { hello: 'wörld' });
    assert.equal(await storage.size(uri), Buffer.byteLength('{"hello":"wörld"}'));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'round/trip.json' }));
    assert.equal(head.ContentType, 'application/json');

    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await storage.write(`s3://${BUCKET}/round/bytes.bin`, bytes);
    const back = await storage.readStream(`s3://${BUCKET}/round/bytes.bin`);
    assert.ok(back instanceof Readable);
    const chunks: Buffer[] = [];
    for await (const chunk of back) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), bytes);
  });

  it('uploads a stream over 8 MiB as a multipart upload and leaves no upload open', async () => {
    const uri = `s3://${BUCKET}/big/object.bin`;
    const total = 20 * MiB + 123;
    await storage.write(uri, patternStream(total));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/object.bin' }));
    // 8 MiB parts: 8 + 8 + 4 MiB -> an ETag with the multipart suffix "-3".
    assert.match(head.ETag ?? '', /-3"?$/);
    assert.equal(head.ContentLength, total);
    assert.equal(await sha256(await storage.readStream(uri)), await sha256(patternStream(total)));
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    assert.equal(open.Uploads?.length ?? 0, 0);
  });

  it('encrypts with the KMS key given, in one request and multipart alike, and not without one', async () => {
    const head = (key: string) => client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    await storage.write(`s3://${BUCKET}/kms/small.json`, '{"a": 1}', {
      contentType: 'application/json',
      kmsKeyId: KMS_KEY,
    });
    const total = MULTIPART_PART_SIZE + 5;
    await storage.write(`s3://${BUCKET}/kms/big.bin`, patternStream(total), { kmsKeyId: KMS_KEY });
    await storage.write(`s3://${BUCKET}/kms/plain.json`, '{"a": 1}');

    const small = await head('kms/small.json');
    assert.deepEqual([small.ServerSideEncryption, small.SSEKMSKeyId], ['aws:kms', KMS_KEY]);
    assert.equal(small.ContentType, 'application/json');
    const big = await head('kms/big.bin');
    assert.match(big.ETag ?? '', /-2"?$/, 'went up in two parts');
    assert.deepEqual([big.ServerSideEncryption, big.SSEKMSKeyId], ['aws:kms', KMS_KEY]);
    assert.equal(
      await sha256(await storage.readStream(`s3://${BUCKET}/kms/big.bin`)),
      await sha256(patternStream(total)),
    );
    const plain = await head('kms/plain.json');
    assert.notEqual(plain.ServerSideEncryption, 'aws:kms');
    assert.equal(plain.SSEKMSKeyId, undefined);
  });

  it('aborts the multipart upload when the write is cancelled', async () => {
    const controller = new AbortController();
    let release: () => void = () => {};
    // One full part and a byte, then nothing until the test lets go: the upload is open and waiting for more.
    const body = Readable.from(
      (async function* () {
        yield Buffer.alloc(8 * MiB + 1, 7);
        await new Promise<void>((resolve) => (release = resolve));
      })(),
    );
    const writing = storage.write(`s3://${BUCKET}/cancelled/object.bin`, body, { signal: controller.signal });
    const deadline = Date.now() + 20_000;
    while (((await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads?.length ?? 0) === 0) {
      assert.ok(Date.now() < deadline, 'the multipart upload never started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    controller.abort();
    await assert.rejects(writing, CancelledError);
    release();
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    assert.equal(open.Uploads?.length ?? 0, 0);
    assert.equal(await storage.exists(`s3://${BUCKET}/cancelled/object.bin`), false);
    assert.equal(body.destroyed, true);
  });

  it('reads byte ranges', async () => {
    const uri = `s3://${BUCKET}/range/digits.txt`;
    await storage.write(uri, '0123456789abcdefghij');
    assert.equal((await storage.readRange(uri, 5, 15)).toString(), '56789abcde');
    assert.equal((await storage.readRange(uri, 0, 1)).toString(), '0');
    assert.equal((await storage.readRange(uri, 18, 40)).toString(), 'ij');
    assert.equal((await storage.readRange(uri, 20, 30)).length, 0);
    assert.equal((await storage.readRange(uri, 3, 3)).length, 0);
    await assert.rejects(storage.readRange(uri, 5, 4), RangeError);
  });

  it('lists over 1 000 keys through pagination, sorted, as a folder', async () => {
    const keys = Array.from({ length: 1050 }, (_, i) => `many/part-${String(i).padStart(4, '0')}.csv`);
    for (let i = 0; i < keys.length; i += 75) {
      await Promise.all(
        keys.slice(i, i + 75).map((Key) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x' }))),
      );
    }
    // Neighbours that a plain prefix would match but a folder does not; a console-style folder marker is skipped.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'many-other/x.csv', Body: 'x' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'many/', Body: '', ContentLength: 0 }));

    listCalls = 0;
    const listed = await collect(storage.list(`s3://${BUCKET}/many`));
    assert.equal(listed.length, 1050);
    assert.ok(listCalls >= 3, `expected a probe and at least two pages, saw ${listCalls} ListObjectsV2 calls`);
    assert.deepEqual(
      listed.map((e) => e.uri),
      keys.map((k) => `s3://${BUCKET}/${k}`),
    );
    assert.equal(listed[0]!.size, 1);
    assert.ok(listed[0]!.lastModified instanceof Date);

    assert.equal((await collect(storage.list(`s3://${BUCKET}/many/`))).length, 1050);
    const single = await collect(storage.list(`s3://${BUCKET}/many/part-0007.csv`));
    assert.deepEqual(
      single.map((e) => e.uri),
      [`s3://${BUCKET}/many/part-0007.csv`],
    );
    assert.deepEqual(await collect(storage.list(`s3://${BUCKET}/nothing-here/`)), []);
  });

  it('tells present from missing objects', async () => {
    await storage.write(`s3://${BUCKET}/exists/yes.txt`, 'y');
    assert.equal(await storage.exists(`s3://${BUCKET}/exists/yes.txt`), true);
    assert.equal(await storage.exists(`s3://${BUCKET}/exists/no.txt`), false);
    assert.equal(await storage.exists('s3://no-such-bucket-here/x'), false);
  });

  it('removes objects, and a missing one without complaint', async () => {
    await storage.write(`s3://${BUCKET}/remove/me.txt`, 'x');
    await storage.remove(`s3://${BUCKET}/remove/me.txt`);
    assert.equal(await storage.exists(`s3://${BUCKET}/remove/me.txt`), false);
    await storage.remove(`s3://${BUCKET}/remove/me.txt`);
  });

  it('turns missing objects and buckets into DataErrors naming the URI', async () => {
    const uri = `s3://${BUCKET}/missing/key.csv`;
    await assert.rejects(
      storage.readStream(uri),
      isDataError(/^s3:\/\/storage-test\/missing\/key\.csv does not exist$/),
    );
    await assert.rejects(storage.readText(uri), isDataError(/does not exist/));
    await assert.rejects(storage.readRange(uri, 0, 10), isDataError(/does not exist/));
    await assert.rejects(storage.size(uri), isDataError(/^s3:\/\/storage-test\/missing\/key\.csv does not exist$/));
    await assert.rejects(
      storage.readText('s3://no-such-bucket-here/k'),
      isDataError(/^s3:\/\/no-such-bucket-here\/k does not exist: there is no bucket named no-such-bucket-here$/),
    );
    await assert.rejects(storage.write('s3://no-such-bucket-here/k', 'x'), isDataError(/no bucket named/));
    await assert.rejects(collect(storage.list('s3://no-such-bucket-here/p/')), isDataError(/no bucket named/));
  });

  it('refuses bad URIs and folder URIs with a ConfigurationError', async () => {
    await assert.rejects(storage.readText('s3://Bad_Bucket/k'), ConfigurationError);
    await assert.rejects(storage.readText('ftp://host/file'), ConfigurationError);
    await assert.rejects(storage.readText(`s3://${BUCKET}/folder/`), /names a folder, not an object/);
    await assert.rejects(storage.write(`s3://${BUCKET}`, 'x'), ConfigurationError);
  });
});

describe('storage on local paths', () => {
  let dir: string;
  const storage = openStorage({
    s3: () => {
      throw new Error('local paths must never create an S3 client');
    },
  });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'storage-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes and reads plain paths, relative paths and file:// URLs, creating parent folders', async () => {
    const plain = path.join(dir, 'a', 'b', 'c.json');
    await storage.write(plain, '{"n": 1}');
    assert.deepEqual(await storage.readJson(plain), { n: 1 });

    const url = pathToFileURL(path.join(dir, 'url dir', 'x y.txt')).href;
    assert.match(url, /^file:\/\/.*url%20dir\/x%20y\.txt$/);
    await storage.write(url, Buffer.from('via url'));
    assert.equal(await readFile(path.join(dir, 'url dir', 'x y.txt'), 'utf8'), 'via url');
    assert.equal(await storage.readText(url), 'via url');
    assert.equal(await storage.size(url), 7);

    const relative = path.relative(process.cwd(), path.join(dir, 'rel.txt'));
    await storage.write(relative, patternStream(3 * MiB));
    assert.equal(await storage.size(relative), 3 * MiB);
    const expected = [0, 1, 2].map((i) => (MiB + i) % 251);
    assert.deepEqual([...(await storage.readRange(relative, MiB, MiB + 3))], expected);
    assert.equal((await storage.readRange(relative, 3 * MiB - 2, 3 * MiB + 10)).length, 2);
    assert.equal((await storage.readRange(relative, 4 * MiB, 5 * MiB)).length, 0);
  });

  it('writes a local file as it is when given a KMS key, with no S3 client', async () => {
    const target = path.join(dir, 'kms', 'report.md');
    await storage.write(target, '# report', { kmsKeyId: KMS_KEY });
    assert.equal(await readFile(target, 'utf8'), '# report');
  });

  it('writes atomically: the target keeps its old content until the rename and no temp file is left', async () => {
    const target = path.join(dir, 'atomic', 'model.json');
    await storage.write(target, 'old');
    let release: () => void = () => {};
    const body = Readable.from(
      (async function* () {
        yield Buffer.from('new ');
        await new Promise<void>((resolve) => (release = resolve));
        yield Buffer.from('content');
      })(),
    );
    const writing = storage.write(target, body);
    // Mid-write: a temp file exists beside the target, the target is untouched, and listings do not show the temp.
    let names: string[] = [];
    for (let i = 0; i < 100 && names.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      names = await readdir(path.dirname(target));
    }
    assert.equal(names.length, 2, `expected the target and a temp file, saw ${names.join(', ')}`);
    assert.equal(await readFile(target, 'utf8'), 'old');
    assert.deepEqual(
      (await collect(storage.list(path.dirname(target)))).map((e) => path.basename(e.uri)),
      ['model.json'],
    );
    release();
    await writing;
    assert.equal(await readFile(target, 'utf8'), 'new content');
    assert.deepEqual(await readdir(path.dirname(target)), ['model.json']);
  });

  it('leaves the target and the folder untouched when a write fails or is cancelled', async () => {
    const target = path.join(dir, 'failing', 'out.csv');
    await storage.write(target, 'kept');
    const broken = Readable.from(
      (async function* () {
        yield Buffer.from('partial');
        throw new Error('source broke');
      })(),
    );
    await assert.rejects(storage.write(target, broken), /source broke/);

    const controller = new AbortController();
    const endless = Readable.from(
      (async function* () {
        for (;;) {
          yield Buffer.alloc(1024);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })(),
    );
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(storage.write(target, endless, { signal: controller.signal }), CancelledError);
    assert.equal(await readFile(target, 'utf8'), 'kept');
    assert.deepEqual(await readdir(path.dirname(target)), ['out.csv']);
  });

  it('lists recursively, sorted by full path, in the style of the location', async () => {
    const root = path.join(dir, 'tree');
    for (const file of ['b.txt', 'a/z.txt', 'a/b/c.txt', 'a-c.txt', 'a/a.txt', 'c/d/e/f.txt']) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), file);
    }
    const expected = ['a-c.txt', 'a/a.txt', 'a/b/c.txt', 'a/z.txt', 'b.txt', 'c/d/e/f.txt'];

    const plain = await collect(storage.list(root));
    assert.deepEqual(
      plain.map((e) => e.uri),
      expected.map((f) => path.join(root, f)),
    );
    assert.equal(plain[0]!.size, 'a-c.txt'.length);
    assert.ok(plain[0]!.lastModified instanceof Date);

    const asUrl = await collect(storage.list(pathToFileURL(root).href));
    assert.deepEqual(
      asUrl.map((e) => e.uri),
      expected.map((f) => pathToFileURL(path.join(root, f)).href),
    );

    const single = await collect(storage.list(path.join(root, 'b.txt')));
    assert.deepEqual(
      single.map((e) => e.uri),
      [path.join(root, 'b.txt')],
    );
    assert.deepEqual(await collect(storage.list(path.join(root, 'missing'))), []);
  });

  it('answers exists for files, folders and missing paths', async () => {
    await storage.write(path.join(dir, 'e', 'f.txt'), 'x');
    assert.equal(await storage.exists(path.join(dir, 'e', 'f.txt')), true);
    assert.equal(await storage.exists(pathToFileURL(path.join(dir, 'e', 'f.txt')).href), true);
    assert.equal(await storage.exists(path.join(dir, 'e', 'g.txt')), false);
    assert.equal(await storage.exists(path.join(dir, 'e')), false, 'a folder is not an object');
    assert.equal(await storage.exists(path.join(dir, 'e', 'f.txt', 'below-a-file')), false);
  });

  it('removes files, and a missing one without complaint', async () => {
    const file = path.join(dir, 'r', 'gone.txt');
    await storage.write(file, 'x');
    await storage.remove(file);
    assert.equal(await storage.exists(file), false);
    await storage.remove(file);
  });

  it('turns missing files, folders and bad JSON into DataErrors naming the path', async () => {
    const missing = path.join(dir, 'nope', 'data.csv');
    await assert.rejects(storage.readStream(missing), isDataError(new RegExp(`^${escape(missing)} does not exist$`)));
    await assert.rejects(storage.readRange(missing, 0, 1), isDataError(/does not exist/));
    await assert.rejects(storage.size(missing), isDataError(/does not exist/));
    await assert.rejects(storage.readText(dir), isDataError(/is a folder, not a file/));
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{\n  "a": 1,\n  oops\n}');
    await assert.rejects(storage.readJson(bad), isDataError(new RegExp(`^${escape(bad)}:3:\\d+: not valid JSON`)));
  });
});

describe('joinLocation', () => {
  it('joins in the style of the base location', () => {
    assert.equal(joinLocation('s3://bkt/models', 'run-1', 'model.tar.gz'), 's3://bkt/models/run-1/model.tar.gz');
    assert.equal(joinLocation('s3://bkt/models/', '/run-1/', 'x/'), 's3://bkt/models/run-1/x/');
    assert.equal(joinLocation('s3://bkt', 'k'), 's3://bkt/k');
    assert.equal(joinLocation('out/dir', 'a', 'b.json'), path.join('out/dir', 'a', 'b.json'));
    assert.equal(joinLocation('file:///tmp/x', 'y z.txt'), 'file:///tmp/x/y%20z.txt');
    assert.equal(openStorage().join('s3://bkt/p', 'q'), 's3://bkt/p/q');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
