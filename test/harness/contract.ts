// The contract every action folder keeps; the contract test runs it over actions/*, and over broken fixtures to show
// that each check can fail.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NoOperationTraceWriter } from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/action-parser';
import { parse as parseYaml } from 'yaml';

interface DeclaredInput {
  description?: string;
  required?: boolean;
  default?: unknown;
}

interface SpecInput {
  required?: boolean;
  default?: string;
}

/** Reads the inputs outside `parseInputs` would bypass the spec, so the comparison below would miss them. */
const DIRECT_INPUT_READS = /\bget(?:Boolean|Multiline)?Input\s*\(|INPUT_[A-Z]/;

export async function checkActionContract(actionDir: string): Promise<string[]> {
  const name = path.basename(actionDir);
  const problems: string[] = [];
  const file = path.join(actionDir, 'action.yml');
  const content = await readFile(file, 'utf8');

  const parsed = parseAction({ name: `${name}/action.yml`, content }, new NoOperationTraceWriter());
  for (const error of parsed.context.errors.getErrors()) problems.push(`schema: ${error.message}`);

  const doc = (parseYaml(content) ?? {}) as {
    description?: string;
    inputs?: Record<string, DeclaredInput>;
    outputs?: Record<string, { description?: string }>;
    runs?: { using?: string; main?: string; post?: string };
    branding?: unknown;
  };
  if (doc.runs?.using !== 'node24') problems.push(`runs.using is ${doc.runs?.using}, expected node24`);
  if (doc.runs?.main !== `../../dist/${name}/index.js`) {
    problems.push(`runs.main is ${doc.runs?.main}, expected ../../dist/${name}/index.js`);
  }
  const hasPost = existsSync(path.join(actionDir, 'src', 'post.ts'));
  const expectedPost = hasPost ? `../../dist/${name}/post.js` : undefined;
  if (doc.runs?.post !== expectedPost) problems.push(`runs.post is ${doc.runs?.post}, expected ${expectedPost}`);
  if (!doc.branding) problems.push('no branding (icon and color) for the Marketplace');

  const declared = doc.inputs ?? {};
  for (const [input, spec] of Object.entries(declared)) {
    if (!spec?.description?.trim()) problems.push(`input '${input}' has no description`);
  }
  for (const [output, spec] of Object.entries(doc.outputs ?? {})) {
    if (!spec?.description?.trim()) problems.push(`output '${output}' has no description`);
  }

  const specFile = path.join(actionDir, 'src', 'inputs.ts');
  if (!existsSync(specFile)) {
    problems.push('src/inputs.ts (exporting inputSpec) is missing');
    return problems;
  }
  const module = (await import(pathToFileURL(specFile).href)) as { inputSpec?: Record<string, SpecInput> };
  if (!module.inputSpec) {
    problems.push('src/inputs.ts does not export inputSpec');
    return problems;
  }
  const read = module.inputSpec;
  for (const input of Object.keys(read))
    if (!(input in declared)) problems.push(`the code reads undeclared input '${input}'`);
  for (const input of Object.keys(declared))
    if (!(input in read)) problems.push(`input '${input}' is declared but never read`);
  for (const [input, spec] of Object.entries(read)) {
    const yml = declared[input];
    if (!yml) continue;
    if (Boolean(spec.required) !== Boolean(yml.required)) {
      problems.push(
        `input '${input}': required is ${Boolean(yml.required)} in action.yml but ${Boolean(spec.required)} in code`,
      );
    }
    const ymlDefault = yml.default === undefined ? undefined : String(yml.default);
    if (spec.default !== ymlDefault) {
      problems.push(
        `input '${input}': default is ${JSON.stringify(ymlDefault)} in action.yml but ${JSON.stringify(spec.default)} in code`,
      );
    }
  }

  for (const source of await listSources(path.join(actionDir, 'src'))) {
    const text = await readFile(source, 'utf8');
    if (DIRECT_INPUT_READS.test(text)) {
      problems.push(`${path.relative(actionDir, source)} reads an input directly instead of through inputSpec`);
    }
  }
  return problems;
}

async function listSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}
