// Extracts the few GitHub REST operations the actions call from @octokit/openapi's api.github.com description into
// test/fixtures/github-openapi.json, so the local GitHub API harness validates requests against GitHub's own schemas
// without the tests loading a 13 MB file. Re-run after upgrading @octokit/openapi:
//   npx tsx scripts/extract-github-openapi.ts
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './lib/paths.js';

export const OPERATION_IDS = [
  'issues/list-comments',
  'issues/create-comment',
  'issues/update-comment',
  'actions/create-workflow-dispatch',
] as const;

type ComponentKind = 'schemas' | 'parameters' | 'responses' | 'headers' | 'examples' | 'requestBodies';
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface OpenApiDocument {
  openapi: string;
  info: JsonObject;
  paths: Record<string, Record<string, JsonObject>>;
  components: Partial<Record<ComponentKind, Record<string, Json>>>;
}

export function extract(document: OpenApiDocument, operationIds: readonly string[]): JsonObject {
  const wanted = new Set(operationIds);
  const paths: Record<string, JsonObject> = {};
  for (const [route, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method) || typeof operation.operationId !== 'string') continue;
      if (!wanted.delete(operation.operationId)) continue;
      const kept = (paths[route] ??= {});
      kept[method] = operation;
      // Path-level parameters apply to every operation under the path.
      if (item.parameters !== undefined) kept.parameters = item.parameters as unknown as Json;
    }
  }
  if (wanted.size > 0) throw new Error(`operations not found in the description: ${[...wanted].join(', ')}`);

  // Carry along every component the operations reach, transitively, so every $ref in the output resolves.
  const components: Partial<Record<ComponentKind, Record<string, Json>>> = {};
  const pending: Json[] = [paths];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        if (seen.has(value)) continue;
        seen.add(value);
        const match = /^#\/components\/([^/]+)\/(.+)$/.exec(value);
        if (!match) throw new Error(`unsupported $ref ${value}`);
        const kind = match[1] as ComponentKind;
        const name = (match[2] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
        const target = document.components[kind]?.[name];
        if (target === undefined) throw new Error(`dangling $ref ${value}`);
        (components[kind] ??= {})[name] = target;
        pending.push(target);
      } else {
        pending.push(value);
      }
    }
  }
  for (const kind of Object.keys(components) as ComponentKind[]) {
    components[kind] = Object.fromEntries(
      Object.entries(components[kind] ?? {}).sort(([a], [b]) => a.localeCompare(b)),
    );
  }

  return {
    openapi: document.openapi,
    info: {
      ...document.info,
      'x-extracted-operations': [...operationIds],
    },
    paths,
    components: components as JsonObject,
  };
}

function main(): void {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@octokit/openapi/package.json');
  const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
  const source = path.join(path.dirname(packageJson), 'generated', 'api.github.com.json');
  // Read once: a 13 MB parse is quicker than any streaming parser and needs no extra dependency.
  const document = JSON.parse(readFileSync(source, 'utf8')) as OpenApiDocument;
  const extracted = extract(document, OPERATION_IDS);
  (extracted.info as JsonObject)['x-extracted-from'] = `@octokit/openapi@${version} generated/api.github.com.json`;

  const target = path.join(repoRoot, 'test', 'fixtures', 'github-openapi.json');
  mkdirSync(path.dirname(target), { recursive: true });
  const text = `${JSON.stringify(extracted, null, 2)}\n`;
  writeFileSync(target, text);
  const components = extracted.components as Record<string, Record<string, Json>>;
  const counts = Object.entries(components).map(([kind, entries]) => `${Object.keys(entries).length} ${kind}`);
  console.log(
    `wrote ${path.relative(repoRoot, target)}: ${Buffer.byteLength(text)} bytes, ` +
      `${OPERATION_IDS.length} operations, ${counts.join(', ')}`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
