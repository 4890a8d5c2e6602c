// Bundles one action's entry points with @vercel/ncc into a self-contained ESM folder the runner can execute.
import { createRequire, isBuiltin } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(import.meta.url);
type NccResult = { code: string; assets: Record<string, { source: Buffer | string }> };
type Ncc = (input: string, options: Record<string, unknown>) => Promise<NccResult>;
const ncc = require('@vercel/ncc') as Ncc;

export const ENTRY_POINTS = ['index', 'post'] as const;

export interface BundleResult {
  name: string;
  files: { file: string; bytes: number }[];
}

/** Bundles `<actionDir>/src/{index,post}.ts` into `outDir`; throws when a module could not be resolved. */
export async function bundleAction(actionDir: string, outDir: string): Promise<BundleResult> {
  const name = path.basename(actionDir);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const files: BundleResult['files'] = [];
  const licenseTexts: string[] = [];
  const written = new Map<string, Buffer | string>();
  for (const entry of ENTRY_POINTS) {
    const source = path.join(actionDir, 'src', `${entry}.ts`);
    if (!existsSync(source)) continue;
    const { code, assets } = await ncc(source, {
      cache: false,
      minify: false,
      sourceMap: false,
      quiet: true,
      target: 'es2022',
      license: 'licenses.txt',
    });
    const missing = unresolvedModules(code);
    if (missing.length > 0) {
      throw new Error(
        `${name}/${entry}: the bundle would fail at run time with "Cannot find module": ${missing.join(', ')}`,
      );
    }
    await writeFile(path.join(outDir, `${entry}.js`), code);
    files.push({ file: `${entry}.js`, bytes: Buffer.byteLength(code) });
    for (const [asset, { source: body }] of Object.entries(assets)) {
      if (asset === 'licenses.txt') {
        const text = body.toString().trim();
        if (!licenseTexts.includes(text)) licenseTexts.push(text);
        continue;
      }
      if (asset === 'package.json') continue;
      const target = path.join(outDir, asset);
      const previous = written.get(asset);
      // index and post each emit their lazy chunks under the same names; they must be the same chunks.
      if (previous !== undefined) {
        if (!Buffer.from(previous).equals(Buffer.from(body))) {
          throw new Error(`${name}: ${entry}.js and another entry emit different chunks named ${asset}`);
        }
        continue;
      }
      written.set(asset, body);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, body);
      files.push({ file: asset, bytes: Buffer.byteLength(body) });
    }
  }
  if (files.length === 0) throw new Error(`${name}: no src/index.ts to bundle`);
  await writeFile(path.join(outDir, 'licenses.txt'), licenseTexts.join('\n\n') + '\n');
  // The bundles are ESM; without this the runner's node would load them as CommonJS.
  await writeFile(path.join(outDir, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');
  return { name, files };
}

/**
 * Modules ncc could not inline. A CJS/ESM mix-up leaves `webpackMissingModule`; a package that cannot be resolved
 * becomes `eval("require")("name")`, which throws on the runner (and `require` does not even exist in an ESM bundle).
 */
export function unresolvedModules(code: string): string[] {
  const missing = new Set<string>();
  if (code.includes('webpackMissingModule')) missing.add('webpackMissingModule');
  for (const match of code.matchAll(/eval\("require"\)\("([^"]+)"\)/g)) {
    const specifier = match[1]!;
    if (!isBuiltin(specifier)) missing.add(specifier);
  }
  return [...missing];
}

export async function listActions(root: string): Promise<string[]> {
  const dir = path.join(root, 'actions');
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'action.yml')))
    .map((e) => path.join(dir, e.name))
    .sort();
}
