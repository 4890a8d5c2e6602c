import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, link, mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ConfigurationError, DataError, recordingLogger } from '@mlops-actions/core';
import { createSourceArchive, FIXED_MTIME_SECONDS, writeTarGz } from '@mlops-actions/sagemaker';
import { readTarWithPython, withTempDir } from './helpers.js';

function tarSha256(archive: Buffer): string {
  return createHash('sha256').update(gunzipSync(archive)).digest('hex');
}

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

describe('.sagemakerignore rules', () => {
  const cases: [rules: string, path: string, isDirectory: boolean, ignored: boolean][] = [
    ['*.log', 'a.log', false, true],
    ['*.log', 'deep/er/a.log', false, true],
    ['*.log', 'a.log.txt', false, false],
    ['*.log\n!keep.log', 'keep.log', false, false],
    ['*.log\n!keep.log', 'sub/keep.log', false, false],
    ['!keep.log\n*.log', 'keep.log', false, true], // the last matching rule decides
    ['/notes', 'notes', true, true],
    ['/notes', 'sub/notes', true, false],
    ['notes/', 'sub/notes', true, true],
    ['notes/', 'notes', false, false], // a trailing slash matches directories only
    ['doc/frotz', 'doc/frotz', false, true],
    ['doc/frotz', 'a/doc/frotz', false, false], // a middle slash anchors
    ['**/foo', 'foo', true, true],
    ['**/foo', 'a/b/foo', false, true],
    ['**/foo/bar', 'x/foo/bar', false, true],
    ['abc/**', 'abc/x/y', false, true],
    ['abc/**', 'abc', true, false],
    ['a/**/b', 'a/b', false, true],
    ['a/**/b', 'a/x/y/b', false, true],
    ['a/**/b', 'a/xb', false, false],
    ['data?.csv', 'data1.csv', false, true],
    ['data?.csv', 'data10.csv', false, false],
    ['data?.csv', 'data/.csv', false, false], // ? never matches a slash
    ['*.py[co]', 'x.pyc', false, true],
    ['*.py[co]', 'x.pyd', false, false],
    ['file[!0-9].txt', 'filea.txt', false, true],
    ['file[!0-9].txt', 'file1.txt', false, false],
    ['a*b', 'a/b', false, false], // * never matches a slash
    ['\\#notes', '#notes', false, true],
    ['#notes', '#notes', false, false], // a comment
    ['\\!important', '!important', false, true],
    ['trailing   ', 'trailing', false, true],
    ['[unclosed', '[unclosed', false, false], // git matches nothing with an unclosed class
    ['*.LOG', 'a.log', false, false], // case-sensitive
    ['!.env', '.env', false, false], // a default exclusion re-included
    ['', 'sub/__pycache__', true, true], // the default exclusions apply at any depth
    ['foo.(bar)+', 'foo.(bar)+', false, true], // regex characters are literal
  ];
  for (const [rules, relativePath, isDirectory, ignored] of cases) {
    const entry = `${relativePath}${isDirectory ? '/' : ''}`;
    it(`${JSON.stringify(rules)} ${ignored ? 'leaves out' : 'keeps'} ${entry}`, async () => {
      await withTempDir(async (dir) => {
        const source = path.join(dir, 'src');
        // A directory is created empty, so that it is archived unless a rule leaves it out.
        if (isDirectory) await mkdir(path.join(source, relativePath), { recursive: true });
        else await writeTree(source, { [relativePath]: 'content\n' });
        await writeFile(path.join(source, '.sagemakerignore'), `${rules}\n`);
        const archive = await createSourceArchive({ sourceDir: source, outputPath: path.join(dir, 's.tar.gz') });
        assert.equal(archive.entries.includes(entry), !ignored, archive.entries.join(', '));
      });
    });
  }
});

describe('createSourceArchive', () => {
  const sourceFiles: Record<string, string> = {
    'train.py': 'print("train")\n',
    'run.sh': '#!/bin/sh\necho run\n',
    'pkg/__init__.py': '',
    'pkg/model.py': 'WEIGHTS = [1, 2]\n',
    'pkg/__pycache__/model.cpython-311.pyc': 'bytecode',
    '__pycache__/train.cpython-311.pyc': 'bytecode',
    '.git/config': '[core]\n',
    '.env': 'AWS_SECRET_ACCESS_KEY=nope\n',
    'node_modules/left-pad/index.js': 'module.exports = 1;\n',
    '.DS_Store': 'finder',
    'pkg/.DS_Store': 'finder',
    'logs/run.log': 'log line\n',
    'keep.log': 'kept on purpose\n',
    'notes/todo.md': 'secret plans\n',
    'data/big.csv': 'a,b\n1,2\n',
    'data/README.md': 'data goes in a channel\n',
    'config/settings.yaml': 'lr: 0.1\n',
    '.sagemakerignore': '# code only\n*.log\n!keep.log\n/notes/\ndata/*.csv\n',
  };

  async function makeSource(root: string): Promise<void> {
    await writeTree(root, sourceFiles);
    await chmod(path.join(root, 'run.sh'), 0o755);
    await mkdir(path.join(root, 'assets', 'empty'), { recursive: true });
  }

  it('packs the directory at the archive root, without the default and .sagemakerignore exclusions', async () => {
    await withTempDir(async (dir) => {
      const source = path.join(dir, 'src');
      await makeSource(source);
      const archive = await createSourceArchive({
        sourceDir: source,
        outputPath: path.join(dir, 'out', 'sourcedir.tar.gz'),
      });
      const expected = [
        '.sagemakerignore',
        'assets/',
        'assets/empty/',
        'config/',
        'config/settings.yaml',
        'data/',
        'data/README.md',
        'keep.log',
        'pkg/',
        'pkg/__init__.py',
        'pkg/model.py',
        'run.sh',
        'train.py',
      ];
      assert.deepEqual(archive.entries, expected);
      assert.equal(archive.fileCount, expected.filter((name) => !name.endsWith('/')).length);
      const expectedBytes = expected
        .filter((name) => !name.endsWith('/'))
        .reduce((sum, name) => sum + Buffer.byteLength(sourceFiles[name]!), 0);
      assert.equal(archive.contentBytes, expectedBytes);
      assert.ok(archive.skipped.some((s) => s.path === 'notes' && /'\/notes\/'/.test(s.reason)));
      assert.ok(archive.skipped.some((s) => s.path === '.env'));
      // logs/ held only ignored files, so it is left out; assets/empty/ was empty on disk and is kept.
      assert.ok(archive.skipped.some((s) => s.path === 'logs' && s.reason === 'everything in it is left out'));

      const members = readTarWithPython(archive.path);
      assert.deepEqual(
        members.map((m) => (m.type === 'dir' ? `${m.name}/` : m.name)),
        expected,
      );
      for (const member of members) {
        assert.equal(member.uid, 0);
        assert.equal(member.gid, 0);
        assert.equal(member.mtime, FIXED_MTIME_SECONDS);
        if (member.type === 'file') assert.equal(member.text, sourceFiles[member.name], member.name);
      }
      const mode = (name: string) => members.find((m) => m.name === name)!.mode;
      assert.equal(mode('run.sh'), 0o755);
      assert.equal(mode('train.py'), 0o644);
      assert.equal(mode('pkg'), 0o755);

      const bytes = await readFile(archive.path);
      assert.equal(archive.archiveBytes, bytes.length);
      assert.equal(archive.sha256, createHash('sha256').update(bytes).digest('hex'));
    });
  });

  it('gives identical bytes for identical sources, whatever their timestamps and location', async () => {
    await withTempDir(async (dir) => {
      const first = path.join(dir, 'one');
      const second = path.join(dir, 'elsewhere', 'two');
      await makeSource(first);
      await makeSource(second);
      await utimes(path.join(second, 'train.py'), new Date('2001-02-03'), new Date('2001-02-03'));
      const a = await createSourceArchive({ sourceDir: first, outputPath: path.join(dir, 'a.tar.gz') });
      const b = await createSourceArchive({ sourceDir: second, outputPath: path.join(dir, 'b.tar.gz') });
      assert.equal(a.sha256, b.sha256);
      // The tar inside is identical too, whichever zlib compressed it.
      assert.equal(tarSha256(await readFile(a.path)), tarSha256(await readFile(b.path)));
      assert.deepEqual(await readFile(a.path), await readFile(b.path));
      await writeFile(path.join(second, 'train.py'), 'print("changed")\n');
      const c = await createSourceArchive({ sourceDir: second, outputPath: path.join(dir, 'c.tar.gz') });
      assert.notEqual(c.sha256, a.sha256);
    });
  });

  it('archives links inside the directory as their targets and skips links out of it with a warning', async () => {
    await withTempDir(async (dir) => {
      const source = path.join(dir, 'src');
      await writeTree(source, { 'train.py': 'code\n', 'lib/util.py': 'util\n' });
      await writeTree(dir, { 'outside/secret.txt': 'do not ship\n' });
      await symlink('train.py', path.join(source, 'alias.py'));
      await symlink(path.join(source, 'lib'), path.join(source, 'lib-link'));
      await symlink(path.join(dir, 'outside', 'secret.txt'), path.join(source, 'secret.txt'));
      await symlink('../outside', path.join(source, 'outside-dir'));
      await symlink('missing.py', path.join(source, 'dangling.py'));
      await symlink('..', path.join(source, 'lib', 'loop'));
      const logger = recordingLogger();
      const archive = await createSourceArchive({ sourceDir: source, outputPath: path.join(dir, 's.tar.gz'), logger });
      // Sorted by archive path, where a directory is `name/`: `lib-link/` comes before `lib/`.
      assert.deepEqual(archive.entries, [
        'alias.py',
        'lib-link/',
        'lib-link/util.py',
        'lib/',
        'lib/util.py',
        'train.py',
      ]);
      const members = readTarWithPython(archive.path);
      assert.ok(members.every((m) => m.type !== 'symlink'));
      assert.equal(members.find((m) => m.name === 'alias.py')!.text, 'code\n');
      const warnings = logger.lines.filter((l) => l.level === 'warning').map((l) => l.message);
      assert.ok(
        warnings.some((w) => /^Skipping secret\.txt: a symbolic link to .*outside\/secret\.txt, outside/.test(w)),
        warnings.join('\n'),
      );
      assert.ok(warnings.some((w) => /^Skipping outside-dir: .*outside the directory/.test(w)));
      assert.ok(warnings.some((w) => /^Skipping dangling\.py: a symbolic link whose target does not exist/.test(w)));
      assert.ok(warnings.some((w) => /^Skipping lib\/loop: a symbolic link back into a directory/.test(w)));
    });
  });

  it('refuses a source over the limit, naming source-dir-size-limit, the size and what to ignore', async () => {
    await withTempDir(async (dir) => {
      const source = path.join(dir, 'src');
      await writeTree(source, {
        'train.py': 'x'.repeat(100),
        'data/huge.bin': 'y'.repeat(5000),
        'data/more.bin': 'z'.repeat(1000),
      });
      const output = path.join(dir, 's.tar.gz');
      await assert.rejects(createSourceArchive({ sourceDir: source, outputPath: output, maxBytes: 4096 }), (error) => {
        assert.ok(error instanceof ConfigurationError);
        assert.equal(error.input, 'source-dir-size-limit');
        assert.match(error.message, /holds 6\.0 KiB in 3 files, over the limit of 4\.0 KiB/);
        assert.match(error.message, /Largest: data\/ \(5\.9 KiB\), train\.py \(100 bytes\)/);
        assert.match(error.message, /\.sagemakerignore/);
        return true;
      });
      assert.equal(spawnSync('test', ['-e', output]).status, 1, 'nothing is written');
      const fits = await createSourceArchive({ sourceDir: source, outputPath: output, maxBytes: 6100 });
      assert.equal(fits.fileCount, 3);
    });
  });

  it('refuses a source directory that does not exist, naming source-dir', async () => {
    await withTempDir(async (dir) => {
      await assert.rejects(
        createSourceArchive({ sourceDir: path.join(dir, 'nope'), outputPath: path.join(dir, 'x.tar.gz') }),
        (error) => error instanceof ConfigurationError && error.input === 'source-dir',
      );
    });
  });
});

describe('archive format', () => {
  it('writes long, non-ASCII and `@` paths that Python’s tarfile and GNU tar read back', async () => {
    await withTempDir(async (dir) => {
      const source = path.join(dir, 'src');
      const names = [
        '@config.py', // node-tar's create() would read this name as an archive to splice in
        'a'.repeat(100),
        `${'d'.repeat(120)}/${'f'.repeat(90)}.txt`,
        `${`${'x'.repeat(60)}/`.repeat(6)}deep.txt`,
        'données/été ☀.txt',
      ];
      await writeTree(source, Object.fromEntries(names.map((name, i) => [name, `content ${i}`])));
      const archive = await createSourceArchive({ sourceDir: source, outputPath: path.join(dir, 'long.tar.gz') });
      const files = archive.entries.filter((entry) => !entry.endsWith('/'));
      assert.deepEqual(files, [...names].sort());
      // node-tar stores a name of exactly 100 bytes at the root as ustar prefix `.` plus the name, which readers list
      // as `./name`: the same path once extracted.
      const listed = (name: string) => name.replace(/^\.\//, '');
      const members = readTarWithPython(archive.path);
      assert.deepEqual(
        members.filter((m) => m.type === 'file').map((m) => [listed(m.name), m.text]),
        files.map((name) => [name, `content ${names.indexOf(name)}`]),
      );
      assert.deepEqual(
        members.map((m) => listed(m.type === 'dir' ? `${m.name}/` : m.name)),
        archive.entries,
      );
      // GNU tar lists a directory whose path is split into ustar prefix and name without its trailing slash.
      const withoutSlash = (name: string) => listed(name).replace(/\/$/, '');
      const gnu = spawnSync('tar', ['-tzf', archive.path], { encoding: 'utf8' });
      if (gnu.status === 0) {
        assert.deepEqual(gnu.stdout.trim().split('\n').map(withoutSlash), archive.entries.map(withoutSlash));
      }
    });
  });

  it('writes modes 0644 and 0755 whatever the umask, hard links as regular files, and a portable gzip header', async () => {
    await withTempDir(async (dir) => {
      const source = path.join(dir, 'src');
      await writeTree(source, { 'private.py': 'private\n', 'tool.sh': 'echo\n', 'shared.py': 'shared\n' });
      await chmod(path.join(source, 'private.py'), 0o600);
      await chmod(path.join(source, 'tool.sh'), 0o700);
      await mkdir(path.join(source, 'closed'), { mode: 0o700 });
      await link(path.join(source, 'shared.py'), path.join(source, 'also-shared.py'));
      const archive = await createSourceArchive({ sourceDir: source, outputPath: path.join(dir, 's.tar.gz') });
      const members = readTarWithPython(archive.path);
      const member = (name: string) => members.find((m) => m.name === name)!;
      assert.equal(member('private.py').mode, 0o644);
      assert.equal(member('tool.sh').mode, 0o755);
      assert.equal(member('closed').mode, 0o755);
      for (const name of ['shared.py', 'also-shared.py']) {
        assert.equal(member(name).type, 'file', name);
        assert.equal(member(name).text, 'shared\n', name);
      }
      const bytes = await readFile(archive.path);
      assert.equal(bytes[9], 0xff, 'gzip OS byte: unknown, the same on every platform');
      assert.equal(bytes.readUInt32LE(4), 0, 'no gzip mtime');
    });
  });

  it('fails with a DataError when a file no longer has the size it was collected with', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'growing.txt');
      await writeFile(file, 'now longer than declared');
      const output = path.join(dir, 'g.tar.gz');
      await assert.rejects(
        writeTarGz(dir, [{ path: 'growing.txt', type: 'file', mode: 0o644, size: 3, source: file }], output),
        (error) => {
          assert.ok(error instanceof DataError);
          assert.match(
            error.message,
            /growing\.txt.*changed while it was being archived \(expected 3 bytes, found 24\)/,
          );
          return true;
        },
      );
    });
  });
});
