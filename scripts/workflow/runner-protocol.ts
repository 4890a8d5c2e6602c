// The parts of the GitHub runner protocol that both the e2e harness (test/harness/runner.ts) and the local workflow
// runner need: action.yml metadata, INPUT_* names, the file-command format and `::command::` lines. One copy, so the
// tests of the bundles and the example workflows exercise the same reading of the protocol.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { evaluateExpression, type Scope } from './expressions.js';

export interface ActionMetadata {
  name: string;
  inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

export async function loadActionMetadata(actionDir: string): Promise<ActionMetadata> {
  const doc = parseYaml(await readFile(path.join(actionDir, 'action.yml'), 'utf8')) as Partial<ActionMetadata>;
  return { name: doc.name ?? '', inputs: doc.inputs ?? {}, outputs: doc.outputs ?? {}, runs: doc.runs! };
}

/** The runner's mangling: spaces to underscores, upper-cased, dashes kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export const FILE_COMMANDS = [
  'GITHUB_OUTPUT',
  'GITHUB_ENV',
  'GITHUB_STATE',
  'GITHUB_PATH',
  'GITHUB_STEP_SUMMARY',
] as const;
export type FileCommandVariable = (typeof FILE_COMMANDS)[number];

const FILE_NAMES: Record<FileCommandVariable, string> = {
  GITHUB_OUTPUT: 'output',
  GITHUB_ENV: 'env',
  GITHUB_STATE: 'state',
  GITHUB_PATH: 'path',
  GITHUB_STEP_SUMMARY: 'step-summary',
};

/** Fresh, empty file-command files in `dir`, as the runner creates for every step; returns their paths by variable. */
export async function createFileCommandFiles(dir: string): Promise<Record<FileCommandVariable, string>> {
  await mkdir(dir, { recursive: true });
  const files = Object.fromEntries(
    FILE_COMMANDS.map((variable) => [variable, path.join(dir, FILE_NAMES[variable])]),
  ) as Record<FileCommandVariable, string>;
  await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
  return files;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

/**
 * Parses a file command (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE) with the runner's rules: `NAME=value` lines, or
 * `NAME<<DELIMITER` followed by lines up to one equal to DELIMITER; the value excludes the final newline.
 */
export function parseFileCommand(content: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = line.indexOf('<<');
    const equals = line.indexOf('=');
    if (heredoc > 0 && (equals === -1 || heredoc < equals)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (!delimiter) throw new Error(`file command: empty delimiter for ${name}`);
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        value.push(lines[i]!);
      }
      if (!closed) throw new Error(`file command: no closing delimiter ${delimiter} for ${name}`);
      result[name] = value.join('\n');
    } else if (equals > 0) {
      result[line.slice(0, equals)] = line.slice(equals + 1);
    } else {
      throw new Error(`file command: malformed line ${JSON.stringify(line)}`);
    }
  }
  return result;
}

function unescapeCommand(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

/** A `::command key=value,key=value::message` line, or undefined for any other line. */
export function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const match = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    properties[pair.slice(0, eq)] = unescapeCommand(pair.slice(eq + 1));
  }
  return { command: match[1]!, properties, message: unescapeCommand(match[3] ?? '') };
}

/** `::command key=value,key=value::message` lines from stdout. */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  return stdout
    .split(/\r?\n/)
    .map(parseWorkflowCommand)
    .filter((command) => command !== undefined);
}

/** Evaluates `${{ }}` in an input default with GitHub's own expression engine, as the runner does. */
export function evaluateTemplate(template: string, scope: Scope): string {
  return template.replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) =>
    evaluateExpression(expression.trim(), scope).coerceString(),
  );
}

/**
 * An action's inputs as the runner passes them: every given one, undeclared ones included, and the evaluated
 * action.yml default of each declared one not given. `required` is not enforced: the runner leaves that to the action.
 */
export function resolveInputs(
  metadata: ActionMetadata,
  given: Record<string, string>,
  scope: Scope,
): Record<string, string> {
  const inputs: Record<string, string> = { ...given };
  for (const [name, spec] of Object.entries(metadata.inputs ?? {})) {
    if (name in given || spec.default === undefined) continue;
    inputs[name] = evaluateTemplate(String(spec.default), scope);
  }
  return inputs;
}

/** Inputs as the INPUT_* variables an action reads. */
export function inputVariables(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [inputEnvName(name), value]));
}
