// `${{ }}` evaluation with GitHub's own engine (@actions/expressions), over the template tokens @actions/workflow-parser
// produced. The parser has already turned `text ${{ x }}` into `format('text {0}', x)` and checked every expression's
// syntax and contexts, so this module only supplies the context values and the functions the engine leaves to the
// runner: success(), failure(), cancelled(), always() and hashFiles().
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { globSync } from 'tinyglobby';

/** A job's status as the runner keeps it while its steps run. */
export type JobStatus = 'success' | 'failure' | 'cancelled';

/**
 * What success(), failure() and cancelled() answer. For a step they follow the job's status; for a job they follow
 * its `needs` (all succeeded / one failed), so both can be false when a needed job was skipped.
 */
export interface StatusFunctions {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

export function statusFunctions(status: JobStatus): StatusFunctions {
  return { success: status === 'success', failure: status === 'failure', cancelled: status === 'cancelled' };
}

export interface Scope {
  /** Context name to its plain JSON value: github, env, inputs, steps, needs, matrix, ... */
  contexts: Record<string, unknown>;
  status: StatusFunctions;
  /** Root of hashFiles(). */
  workspace: string;
}

export class ExpressionFailure extends Error {}

const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'] as const;

function functionsFor(scope: Scope): Map<string, FunctionDefinition> {
  const functions = new Map<string, FunctionDefinition>();
  for (const name of STATUS_FUNCTIONS) {
    const answer = name === 'always' || scope.status[name];
    functions.set(name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(answer) });
  }
  functions.set('hashfiles', {
    name: 'hashFiles',
    minArgs: 1,
    maxArgs: 255,
    call: (...patterns) =>
      new data.StringData(
        hashFiles(
          scope.workspace,
          patterns.map((p) => p.coerceString()),
        ),
      ),
  });
  return functions;
}

export function toExpressionData(value: unknown): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;
}

export function fromExpressionData(value: data.ExpressionData): unknown {
  return JSON.parse(JSON.stringify(value, data.replacer)) as unknown;
}

/** Evaluates one expression (without `${{ }}`). */
export function evaluateExpression(expression: string, scope: Scope): data.ExpressionData {
  const functions = functionsFor(scope);
  try {
    const tokens = new Lexer(expression).lex().tokens;
    const tree = new Parser(tokens, Object.keys(scope.contexts), [...functions.values()]).parse();
    const contexts = toExpressionData(scope.contexts) as data.Dictionary;
    return new Evaluator(tree, contexts, functions).evaluate();
  } catch (error) {
    throw new ExpressionFailure(`Evaluating \${{ ${expression} }}: ${(error as Error).message}`);
  }
}

/** A value already evaluated (`continue-on-error`, `fail-fast`) as the runner reads a flag: by expression truthiness. */
export function evaluateFlag(value: unknown): boolean {
  return truthy(toExpressionData(value));
}

export function evaluateCondition(expression: string, scope: Scope): boolean {
  return truthy(evaluateExpression(expression, scope));
}

/**
 * A token's value as plain JSON: literals as they are, expressions evaluated, mappings and sequences recursively.
 * Numbers and Booleans stay typed (a matrix of numbers, `continue-on-error: true`); use `asText` where the runner
 * wants a string.
 */
export function evaluateToken(token: TemplateToken, scope: Scope): unknown {
  if (isString(token)) return token.value;
  if (isNumber(token) || isBoolean(token)) return token.value;
  if (isBasicExpression(token)) return fromExpressionData(evaluateExpression(token.expression, scope));
  if (isSequence(token)) return [...token].map((item) => evaluateToken(item, scope));
  if (isMapping(token)) {
    const result: Record<string, unknown> = {};
    for (const { key, value } of token) result[String(evaluateToken(key, scope))] = evaluateToken(value, scope);
    return result;
  }
  return null; // `key:` with no value
}

/** A value as the runner turns it into an input or an environment variable (null is empty, 1.0 is "1"). */
export function asText(value: unknown): string {
  return toExpressionData(value).coerceString();
}

export function evaluateText(token: TemplateToken, scope: Scope): string {
  return asText(evaluateToken(token, scope));
}

/** A mapping token (env, with, outputs) as name -> text. */
export function evaluateTextMap(token: TemplateToken | undefined, scope: Scope): Record<string, string> {
  if (!token) return {};
  const value = evaluateToken(token, scope);
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ExpressionFailure(`expected a mapping, got ${JSON.stringify(value)}`);
  }
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, asText(item)]));
}

/**
 * GitHub's hashFiles(): the files under the workspace matching the patterns (`!pattern` excludes), in path order,
 * each hashed with SHA-256, then the SHA-256 of those digests; '' when nothing matches.
 */
export function hashFiles(workspace: string, patterns: string[]): string {
  const files = globSync(
    patterns.filter((p) => !p.startsWith('!')),
    { cwd: workspace, ignore: patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1)), dot: true },
  )
    .map((file) => path.join(workspace, file))
    .filter((file) => statSync(file).isFile())
    .sort();
  if (files.length === 0) return '';
  const combined = createHash('sha256');
  for (const file of files) combined.update(createHash('sha256').update(readFileSync(file)).digest());
  return combined.digest('hex');
}
