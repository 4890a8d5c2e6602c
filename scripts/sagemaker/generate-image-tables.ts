// Builds packages/sagemaker/src/image-tables.json from the SageMaker Python SDK's image_uri_config files kept under
// test/fixtures/sagemaker/image_uri_config/ (see SOURCES.json there for where each copy came from).
//
//   npx tsx scripts/sagemaker/generate-image-tables.ts [configDir] [outFile]
//
// Only the `training` scope is kept. Registry maps (region -> account) repeat across versions, so each distinct map is
// stored once and referenced by id. Tag formats are derived the way the SDK's image_uris._format_tag does it: the
// non-empty parts of <version>-<processor>-<py version>-<container version>, and for Hugging Face
// <base framework version>-transformers<version>-... . Partition DNS suffixes come from botocore's endpoints.json.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import type { FrameworkTable, ImageTables, ImageVersionTable } from '../../packages/sagemaker/src/image-uris.js';
import { repoRoot } from '../lib/paths.js';

export const FRAMEWORKS = ['sklearn', 'xgboost', 'pytorch', 'tensorflow', 'huggingface'] as const;

// botocore/data/endpoints.json partitions (regionRegex, dnsSuffix), which the SDK resolves the ECR hostname through.
const PARTITIONS = [
  { name: 'aws', regionRegex: '^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.com' },
  { name: 'aws-cn', regionRegex: '^cn\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.com.cn' },
  { name: 'aws-us-gov', regionRegex: '^us\\-gov\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.com' },
  { name: 'aws-iso', regionRegex: '^us\\-iso\\-\\w+\\-\\d+$', dnsSuffix: 'c2s.ic.gov' },
  { name: 'aws-iso-b', regionRegex: '^us\\-isob\\-\\w+\\-\\d+$', dnsSuffix: 'sc2s.sgov.gov' },
  { name: 'aws-iso-e', regionRegex: '^eu\\-isoe\\-\\w+\\-\\d+$', dnsSuffix: 'cloud.adc-e.uk' },
  { name: 'aws-iso-f', regionRegex: '^us\\-isof\\-\\w+\\-\\d+$', dnsSuffix: 'csp.hci.ic.gov' },
  { name: 'aws-eusc', regionRegex: '^eusc\\-(de)\\-\\w+\\-\\d+$', dnsSuffix: 'amazonaws.eu' },
];

interface SdkVersionEntry {
  processors?: string[];
  py_versions?: string[];
  registries?: Record<string, string>;
  repository?: string;
  container_version?: Record<string, string>;
  tag_prefix?: string;
  version_aliases?: Record<string, string>;
  [key: string]: unknown;
}

interface SdkScope {
  processors?: string[];
  version_aliases?: Record<string, string>;
  versions: Record<string, SdkVersionEntry>;
}

const KNOWN_ENTRY_KEYS = new Set([
  'processors',
  'py_versions',
  'registries',
  'repository',
  'container_version',
  'tag_prefix',
]);

function fail(message: string): never {
  throw new Error(`generate-image-tables: ${message}`);
}

export function buildImageTables(configDir: string): ImageTables {
  const sources = JSON.parse(readFileSync(path.join(configDir, 'SOURCES.json'), 'utf8')) as {
    files: ImageTables['sources'];
  };
  const registries: Record<string, Record<string, string>> = {};
  const registryIds = new Map<string, string>();
  const registryId = (map: Record<string, string> | undefined, where: string): string => {
    if (!map || Object.keys(map).length === 0) fail(`${where} has no registries`);
    const sorted = Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const key = JSON.stringify(sorted);
    let id = registryIds.get(key);
    if (!id) {
      id = `registry-${registryIds.size + 1}`;
      registryIds.set(key, id);
      registries[id] = sorted;
    }
    return id;
  };

  const describe = (
    entry: SdkVersionEntry,
    scopeProcessors: string[] | undefined,
    where: string,
    huggingFace: boolean,
  ): ImageVersionTable => {
    for (const key of Object.keys(entry)) {
      if (!KNOWN_ENTRY_KEYS.has(key)) fail(`${where} has key '${key}' this generator does not understand`);
    }
    if (!entry.repository) fail(`${where} has no repository`);
    // The SDK takes the scope's processors first, then the version's (image_uris.retrieve).
    const processors = scopeProcessors ?? entry.processors ?? [];
    const pyVersions = entry.py_versions ?? [];
    const parts = [huggingFace ? '{base}-transformers{version}' : '{version}'];
    if (processors.length) parts.push('{processor}');
    if (pyVersions.length) parts.push('{py}');
    if (entry.container_version) parts.push('{container}');
    const table: ImageVersionTable = {
      repository: entry.repository,
      processors,
      pyVersions,
      registry: registryId(entry.registries, where),
      tagFormat: parts.join('-'),
    };
    if (entry.container_version) table.containerVersions = entry.container_version;
    if (entry.tag_prefix) table.tagPrefix = entry.tag_prefix;
    return table;
  };

  const frameworks: Record<string, FrameworkTable> = {};
  for (const framework of FRAMEWORKS) {
    const config = JSON.parse(readFileSync(path.join(configDir, `${framework}.json`), 'utf8')) as Record<
      string,
      SdkScope
    >;
    // sklearn and xgboost have no top-level `scope` key; the SDK defaults them to `training` like the others.
    const scope = config.training ?? fail(`${framework}.json has no training scope`);
    const versions: FrameworkTable['versions'] = {};
    for (const [version, entry] of Object.entries(scope.versions)) {
      const where = `${framework} ${version}`;
      if (framework === 'huggingface') {
        const { version_aliases: baseFrameworkAliases = {}, ...bases } = entry;
        const baseFrameworks: Record<string, ImageVersionTable> = {};
        for (const [base, baseEntry] of Object.entries(bases)) {
          baseFrameworks[base] = describe(baseEntry as SdkVersionEntry, scope.processors, `${where} ${base}`, true);
        }
        versions[version] = { baseFrameworkAliases, baseFrameworks };
      } else {
        versions[version] = describe(entry, scope.processors, where, false);
      }
    }
    frameworks[framework] = { versionAliases: scope.version_aliases ?? {}, versions };
  }
  return {
    generatedBy: 'scripts/sagemaker/generate-image-tables.ts from test/fixtures/sagemaker/image_uri_config',
    sources: sources.files,
    partitions: PARTITIONS,
    registries,
    frameworks,
  };
}

/** The file's text, formatted the way the repository's prettier check expects. */
export async function formatImageTables(tables: ImageTables, filePath: string): Promise<string> {
  const config = (await prettier.resolveConfig(filePath)) ?? {};
  return prettier.format(JSON.stringify(tables), { ...config, filepath: filePath });
}

export const DEFAULT_CONFIG_DIR = path.join(repoRoot, 'test', 'fixtures', 'sagemaker', 'image_uri_config');
export const DEFAULT_OUTPUT = path.join(repoRoot, 'packages', 'sagemaker', 'src', 'image-tables.json');

async function main(): Promise<void> {
  const [configDir = DEFAULT_CONFIG_DIR, outFile = DEFAULT_OUTPUT] = process.argv.slice(2);
  const tables = buildImageTables(configDir);
  writeFileSync(outFile, await formatImageTables(tables, outFile));
  const counts = Object.entries(tables.frameworks).map(([name, t]) => `${name} ${Object.keys(t.versions).length}`);
  console.log(
    `wrote ${outFile}: ${counts.join(', ')} versions; ${Object.keys(tables.registries).length} registry maps`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
