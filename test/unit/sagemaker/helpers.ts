// Shared by the sagemaker tests: Python as the reference implementation (json, str, tarfile) and temp folders.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'sagemaker');

/** Runs a Python program with JSON on stdin and returns what it prints as JSON on stdout. */
export function python<T>(program: string, input: unknown = null): T {
  const result = spawnSync('python3', ['-c', program], { input: JSON.stringify(input), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python3 failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export interface TarMember {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  size: number;
  /** File content as UTF-8 text (files only). */
  text?: string;
}

/** Lists a .tar.gz with Python's tarfile, which is what the SageMaker training toolkit extracts archives with. */
export function readTarWithPython(archive: string): TarMember[] {
  return python<TarMember[]>(
    `
import json, sys, tarfile
members = []
with tarfile.open(sys.argv[1] if len(sys.argv) > 1 else json.load(sys.stdin), "r:gz") as tar:
    for m in tar.getmembers():
        entry = {"name": m.name, "type": "file" if m.isfile() else "dir" if m.isdir() else "symlink" if m.issym() else "other",
                 "mode": m.mode, "uid": m.uid, "gid": m.gid, "uname": m.uname, "gname": m.gname, "mtime": m.mtime, "size": m.size}
        if m.isfile():
            entry["text"] = tar.extractfile(m).read().decode("utf-8", "replace")
        members.append(entry)
print(json.dumps(members))
`,
    archive,
  );
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sagemaker-test-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
