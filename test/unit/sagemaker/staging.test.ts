// Staging a job's inputs, through the Storage interface on local folders (the S3 side is the e2e test's, on moto).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import { openStorage } from '../../../packages/core/src/storage.js';
import {
  downloadChannel,
  stageLocalChannel,
  uploadSourceArchive,
  uploadSourceFiles,
} from '../../../packages/sagemaker/src/training/staging.js';
import { fixturesDir, readTarWithPython, withTempDir } from './helpers.js';

const storage = openStorage();
const trainScript = path.join(fixturesDir, 'train_script');

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

function inputOf(error: unknown): string | undefined {
  assert.ok(error instanceof ConfigurationError, String(error));
  return error.input;
}

describe('staging', () => {
  it('stages a file channel under its name and a folder channel as its tree, everything in it', async () => {
    await withTempDir(async (dir) => {
      const file = await stageLocalChannel({
        storage,
        channel: 'train',
        localPath: path.join(fixturesDir, 'train_data', 'train.csv'),
        destination: path.join(dir, 'train'),
      });
      assert.deepEqual(file, { uri: `${path.join(dir, 'train')}/`, fileCount: 1, bytes: file.bytes });
      assert.deepEqual(await files(path.join(dir, 'train')), ['train.csv']);

      const folder = await stageLocalChannel({
        storage,
        channel: 'code',
        localPath: trainScript,
        destination: path.join(dir, 'all'),
      });
      // Data is uploaded whole: no ignore rules for a channel.
      assert.deepEqual(await files(path.join(dir, 'all')), [
        '.sagemakerignore',
        'notes/todo.md',
        'scratch.tmp',
        'train.py',
      ]);
      assert.equal(folder.fileCount, 4);

      await assert.rejects(
        stageLocalChannel({ storage, channel: 'x', localPath: path.join(dir, 'missing'), destination: dir }),
        (error) => inputOf(error) === 'inputs',
      );
    });
  });

  it('uploads a command’s code as files through the .sagemakerignore filter, within the size limit', async () => {
    await withTempDir(async (dir) => {
      await uploadSourceFiles({ storage, sourceDir: trainScript, destination: path.join(dir, 'code') });
      assert.deepEqual(await files(path.join(dir, 'code')), ['.sagemakerignore', 'train.py']);
      await assert.rejects(
        uploadSourceFiles({ storage, sourceDir: trainScript, destination: path.join(dir, 'small'), maxBytes: 10 }),
        (error) => inputOf(error) === 'source-dir-size-limit',
      );
      assert.ok(!existsSync(path.join(dir, 'small')));
    });
  });

  it('uploads sourcedir.tar.gz, or the lone script, and refuses an entry point the archive would not hold', async () => {
    await withTempDir(async (dir) => {
      const destination = path.join(dir, 'up', 'sourcedir.tar.gz');
      const archive = await uploadSourceArchive({
        storage,
        sourceDir: trainScript,
        entryPoint: 'train.py',
        destination,
        tempPath: path.join(dir, 'tmp', 'sourcedir.tar.gz'),
      });
      assert.deepEqual(archive.entries, ['.sagemakerignore', 'train.py']);
      assert.deepEqual(
        readTarWithPython(destination).map((m) => m.name),
        ['.sagemakerignore', 'train.py'],
      );

      const lone = path.join(dir, 'lone.tar.gz');
      await uploadSourceArchive({
        storage,
        entryPoint: path.join(trainScript, 'train.py'),
        destination: lone,
        tempPath: path.join(dir, 'tmp', 'lone.tar.gz'),
      });
      assert.deepEqual(
        readTarWithPython(lone).map((m) => m.name),
        ['train.py'],
      );

      for (const entryPoint of ['scratch.tmp', 'missing.py']) {
        const target = path.join(dir, entryPoint, 'sourcedir.tar.gz');
        await assert.rejects(
          uploadSourceArchive({
            storage,
            sourceDir: trainScript,
            entryPoint,
            destination: target,
            tempPath: path.join(dir, 'tmp', 'x.tar.gz'),
          }),
          (error) => {
            assert.equal(inputOf(error), 'entry-point');
            assert.match(
              (error as Error).message,
              entryPoint === 'scratch.tmp'
                ? /left out of the code \(scratch\.tmp: ignored by '\*\.tmp'\)/
                : /no such file/,
            );
            return true;
          },
        );
        assert.ok(!existsSync(target), 'nothing uploaded');
      }
    });
  });

  it('downloads a channel keeping paths below the location, and refuses an empty one', async () => {
    await withTempDir(async (dir) => {
      const remote = path.join(dir, 'remote', 'data');
      await mkdir(path.join(remote, 'part'), { recursive: true });
      await writeFile(path.join(remote, 'a.csv'), 'x\n1\n');
      await writeFile(path.join(remote, 'part', 'b.csv'), 'x\n2\n');
      // A sibling sharing the prefix is another folder, not part of the channel.
      await mkdir(path.join(dir, 'remote', 'data-old'), { recursive: true });
      await writeFile(path.join(dir, 'remote', 'data-old', 'c.csv'), 'x\n3\n');
      const local = path.join(dir, 'local');
      const result = await downloadChannel({ storage, source: remote, directory: local, channel: 'train' });
      assert.deepEqual(result, { directory: local, fileCount: 2, bytes: 8 });
      assert.deepEqual(await files(local), ['a.csv', 'part/b.csv']);
      assert.equal(await readFile(path.join(local, 'part', 'b.csv'), 'utf8'), 'x\n2\n');

      const single = await downloadChannel({
        storage,
        source: path.join(remote, 'a.csv'),
        directory: path.join(dir, 'one'),
        channel: 'train',
      });
      assert.equal(single.fileCount, 1);
      assert.deepEqual(await files(path.join(dir, 'one')), ['a.csv']);

      await assert.rejects(
        downloadChannel({
          storage,
          source: path.join(dir, 'nothing'),
          directory: path.join(dir, 'n'),
          channel: 'train',
        }),
        (error) => inputOf(error) === 'inputs',
      );
    });
  });
});
