// Generates the input/output tables of action-README.md from the action.yml files, so the reference cannot drift.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { listActions } from './bundle.js';

interface ActionYaml {
  name: string;
  description: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs?: Record<string, { description?: string }>;
}

const begin = (name: string) => `<!-- BEGIN GENERATED: ${name} (npm run docs) -->`;
const end = (name: string) => `<!-- END GENERATED: ${name} -->`;

function cell(text: string): string {
  return text
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/\r?\n+/g, ' ');
}

export function renderActionReference(dirName: string, action: ActionYaml, owner = '<owner>'): string {
  const lines = [
    begin(dirName),
    `## ${dirName}`,
    '',
    cell(action.description),
    '',
    '```yaml',
    `- uses: ${owner}/mlops-actions/actions/${dirName}@v1`,
    '```',
    '',
    '### Inputs',
    '',
    '| input | required | default | description |',
    '| --- | --- | --- | --- |',
  ];
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    const fallback = spec.default === undefined ? '' : `\`${cell(String(spec.default))}\``;
    lines.push(`| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${fallback} | ${cell(spec.description ?? '')} |`);
  }
  lines.push('', '### Outputs', '', '| output | description |', '| --- | --- |');
  for (const [name, spec] of Object.entries(action.outputs ?? {})) {
    lines.push(`| \`${name}\` | ${cell(spec.description ?? '')} |`);
  }
  lines.push(end(dirName));
  return lines.join('\n');
}

/** Returns action-README.md with every action's generated block replaced or, for a new action, appended. */
export async function renderDocs(root: string, current: string): Promise<string> {
  let text = current;
  for (const dir of await listActions(root)) {
    const name = path.basename(dir);
    const action = parseYaml(await readFile(path.join(dir, 'action.yml'), 'utf8')) as ActionYaml;
    const block = renderActionReference(name, action);
    const start = text.indexOf(begin(name));
    const stop = text.indexOf(end(name));
    if (start !== -1 && stop > start) text = text.slice(0, start) + block + text.slice(stop + end(name).length);
    else text = `${text.trimEnd()}\n\n${block}\n`;
  }
  return text;
}
