// The gate's rule language: one comparison per line between a challenger metric and a number or the champion's
// metric. A tokenizer and a recursive-descent parser, never eval; evaluation against two MetricSets.
import { ConfigurationError } from '@mlops-actions/core';
import { lookupMetric, metricPathsClosestTo } from './metrics.js';
import type { MetricSet } from './metrics.js';

/*
 * Grammar (one rule per line; blank lines and `#` comments — whole-line or trailing — are skipped):
 *
 *   rule       := path operator threshold
 *   operator   := '>=' | '>' | '<=' | '<' | '==' | '!='
 *   threshold  := '-'? number
 *               | 'champion.' path adjustment?
 *   adjustment := ('+' | '-') number '%'?        offset, or percentage of |champion value|
 *               | '*' number                      factor
 *   number     := digits ('.' digits?)? exponent? | '.' digits exponent?      exponent := ('e'|'E') ('+'|'-')? digits
 *   path       := [A-Za-z_] [A-Za-z0-9_.:@/]*   with '-' allowed inside when a letter or '_' follows it
 *
 * The `-` rule lets `train-rmse` be one path while `champion.rmse-0.5` still reads as `champion.rmse - 0.5`. A path
 * may not end with '.' or hold '..'. Metric names outside this alphabet (spaces, quotes) cannot be referenced.
 * Columns in messages are 1-based and count UTF-16 code units (a tab is one column).
 */

export type ComparisonOperator = '>=' | '>' | '<=' | '<' | '==' | '!=';

const OPERATORS: readonly ComparisonOperator[] = ['>=', '>', '<=', '<', '==', '!='];

export type ChampionAdjustment =
  /** `champion.x + 0.01` / `- 0.01`: amount is signed. */
  | { readonly kind: 'offset'; readonly amount: number }
  /** `champion.x - 0.5%`: percent is signed; the threshold moves by percent/100 · |champion value|. */
  | { readonly kind: 'percent'; readonly percent: number }
  /** `champion.x * 1.02`. */
  | { readonly kind: 'factor'; readonly factor: number };

export type Threshold =
  | { readonly kind: 'number'; readonly value: number }
  | {
      readonly kind: 'champion';
      readonly metric: string;
      /** 1-based column of `champion.` in the line. */
      readonly column: number;
      readonly adjustment?: ChampionAdjustment;
    };

export interface Rule {
  /** The rule as written, without its comment and surrounding blanks. */
  readonly source: string;
  /** 1-based line in the `rules` input. */
  readonly line: number;
  /** The challenger metric's path or alias, as written. */
  readonly metric: string;
  /** 1-based column of the metric. */
  readonly column: number;
  readonly op: ComparisonOperator;
  readonly threshold: Threshold;
}

const INPUT = 'rules';

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer

type TokenKind = 'path' | 'number' | 'operator' | 'plus' | 'minus' | 'star' | 'percent' | 'unknown' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based. */
  readonly column: number;
  readonly value?: number;
}

class RuleSyntaxError extends Error {
  constructor(
    readonly column: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const SINGLE_CHARACTER_TOKENS = new Map<string, TokenKind>([
  ['+', 'plus'],
  ['-', 'minus'],
  ['*', 'star'],
  ['%', 'percent'],
]);

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

const isLetter = (char: string | undefined): boolean => char !== undefined && /[A-Za-z_]/.test(char);
const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';
const isPathChar = (char: string | undefined): boolean => char !== undefined && /[A-Za-z0-9_.:@/]/.test(char);
const isNumberWordChar = (char: string | undefined): boolean => char !== undefined && /[A-Za-z0-9_.]/.test(char);

/** Splits one line (its comment already removed) into tokens, ending with an `end` token placed after the last one. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    const column = at + 1;
    if (char === ' ' || char === '\t' || char === '\r') {
      at++;
    } else if (isLetter(char)) {
      let end = at + 1;
      while (end < text.length && (isPathChar(text[end]) || (text[end] === '-' && isLetter(text[end + 1])))) end++;
      const path = text.slice(at, end);
      const emptySegment = path.indexOf('..');
      if (emptySegment !== -1) {
        throw new RuleSyntaxError(at + emptySegment + 2, `expected a path segment between the dots of '${path}'`);
      }
      if (path.endsWith('.')) throw new RuleSyntaxError(end + 1, `expected a metric path after '${path}'`);
      tokens.push({ kind: 'path', text: path, column });
      at = end;
    } else if (isDigit(char) || (char === '.' && isDigit(text[at + 1]))) {
      // Take the whole word, so `0.5.1` or `1e` is reported as one bad number rather than split in two.
      let end = at + 1;
      while (
        end < text.length &&
        (isNumberWordChar(text[end]) || ((text[end] === '+' || text[end] === '-') && /[eE]/.test(text[end - 1]!)))
      ) {
        end++;
      }
      const word = text.slice(at, end);
      if (!NUMBER.test(word)) throw new RuleSyntaxError(column, `'${word}' is not a number`);
      tokens.push({ kind: 'number', text: word, column, value: Number(word) });
      at = end;
    } else {
      const pair = text.slice(at, at + 2);
      const operator =
        OPERATORS.find((candidate) => candidate.length === 2 && candidate === pair) ??
        OPERATORS.find((candidate) => candidate === char);
      if (operator !== undefined) {
        tokens.push({ kind: 'operator', text: operator, column });
        at += operator.length;
      } else {
        tokens.push({ kind: SINGLE_CHARACTER_TOKENS.get(char) ?? 'unknown', text: char, column });
        at++;
      }
    }
  }
  const last = tokens.at(-1);
  tokens.push({ kind: 'end', text: '', column: last ? last.column + last.text.length : 1 });
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

const OPERATOR_LIST = OPERATORS.join(', ');

class LineParser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  rule(): Omit<Rule, 'source' | 'line'> {
    const metric = this.next();
    if (metric.kind !== 'path') throw this.expected('a metric path', undefined, metric);
    if (metric.text === 'champion' || metric.text.startsWith('champion.')) {
      throw new RuleSyntaxError(
        metric.column,
        `the left side is a challenger metric; '${metric.text}' belongs on the right side (e.g. f1 >= champion.f1)`,
      );
    }
    const operator = this.next();
    if (operator.kind !== 'operator') {
      const hint = operator.text === '=' ? " (use '==' for equality)" : '';
      throw this.expected(`one of ${OPERATOR_LIST}`, metric, operator, hint);
    }
    const threshold = this.threshold(operator);
    return { metric: metric.text, column: metric.column, op: operator.text as ComparisonOperator, threshold };
  }

  private threshold(operator: Token): Threshold {
    const first = this.next();
    if (first.kind === 'number') return this.finish(first, { kind: 'number', value: first.value! });
    if (first.kind === 'minus') {
      const number = this.next();
      if (number.kind !== 'number') throw this.expected('a number', first, number);
      return this.finish(number, { kind: 'number', value: -number.value! });
    }
    if (first.kind === 'path') {
      if (first.text === 'champion') throw this.expected("'.' and a metric path", first, this.next());
      if (!first.text.startsWith('champion.')) {
        throw new RuleSyntaxError(
          first.column,
          `unknown reference '${first.text}': the right side is a number or champion.<metric path>`,
        );
      }
      return this.championThreshold(first);
    }
    throw this.expected('a number or champion.<metric path>', operator, first);
  }

  private championThreshold(reference: Token): Threshold {
    const base = {
      kind: 'champion',
      metric: reference.text.slice('champion.'.length),
      column: reference.column,
    } as const;
    const sign = this.next();
    if (sign.kind === 'end') return base;
    if (sign.kind === 'plus' || sign.kind === 'minus') {
      const number = this.next();
      if (number.kind !== 'number') throw this.expected('a number', sign, number);
      const signed = sign.kind === 'minus' ? -number.value! : number.value!;
      const percent = this.peek();
      if (percent.kind === 'percent') {
        this.next();
        return this.finish(percent, { ...base, adjustment: { kind: 'percent', percent: signed } });
      }
      return this.finish(number, { ...base, adjustment: { kind: 'offset', amount: signed } });
    }
    if (sign.kind === 'star') {
      const number = this.next();
      if (number.kind !== 'number') throw this.expected('a number', sign, number);
      return this.finish(number, { ...base, adjustment: { kind: 'factor', factor: number.value! } });
    }
    throw this.expected("'+', '-', '*' or the end of the rule", reference, sign);
  }

  /** Requires the end of the line after `last`. */
  private finish<T>(last: Token, result: T): T {
    const next = this.next();
    if (next.kind !== 'end') throw this.expected('the end of the rule', last, next);
    return result;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  /** `expected <what> after '<previous>'`, naming what was found unless the line simply ended. */
  private expected(what: string, previous: Token | undefined, found: Token, hint = ''): RuleSyntaxError {
    const after = previous ? ` after '${previous.text}'` : '';
    const foundText = found.kind === 'end' ? '' : `, found '${found.text}'`;
    return new RuleSyntaxError(found.column, `expected ${what}${after}${foundText}${hint}`);
  }
}

/**
 * Parses the `rules` input. Every malformed line is reported, each as `Input 'rules' line L, column C: expected …`, in
 * one ConfigurationError. A text without any rule is an error too: a gate that checks nothing would always pass.
 */
export function parseRules(text: string): Rule[] {
  const rules: Rule[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const line = index + 1;
    const commentAt = rawLine.indexOf('#');
    const content = commentAt === -1 ? rawLine : rawLine.slice(0, commentAt);
    if (content.trim() === '') return;
    try {
      const parsed = new LineParser(tokenize(content)).rule();
      rules.push({ source: content.trim(), line, ...parsed });
    } catch (error) {
      if (!(error instanceof RuleSyntaxError)) throw error;
      problems.push(`Input '${INPUT}' line ${line}, column ${error.column}: ${error.detail}`);
    }
  });
  if (problems.length > 0) throw new ConfigurationError(problems, { input: INPUT });
  if (rules.length === 0) {
    throw new ConfigurationError(`Input '${INPUT}' holds no rule; write one per line, e.g. 'f1.macro >= 0.8'`, {
      input: INPUT,
    });
  }
  return rules;
}

/** A rule in canonical spelling (single spaces, numbers as JavaScript prints them); parses back to the same rule. */
export function formatRule(rule: Pick<Rule, 'metric' | 'op' | 'threshold'>): string {
  return `${rule.metric} ${rule.op} ${formatThreshold(rule.threshold)}`;
}

function formatThreshold(threshold: Threshold): string {
  if (threshold.kind === 'number') return String(threshold.value);
  const reference = `champion.${threshold.metric}`;
  const adjustment = threshold.adjustment;
  if (adjustment === undefined) return reference;
  switch (adjustment.kind) {
    case 'offset':
      return `${reference} ${signed(adjustment.amount)}`;
    case 'percent':
      return `${reference} ${signed(adjustment.percent)}%`;
    case 'factor':
      return `${reference} * ${adjustment.factor}`;
  }
}

function signed(amount: number): string {
  return amount < 0 || Object.is(amount, -0) ? `- ${-amount}` : `+ ${amount}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

export interface RuleOutcome {
  /** The rule's source text. */
  readonly rule: string;
  readonly line: number;
  /** The challenger metric as written in the rule. */
  readonly metric: string;
  readonly op: ComparisonOperator;
  /** The challenger's value. */
  readonly actual: number;
  /** What `actual` was compared with; undefined when a champion rule could not be evaluated. */
  readonly threshold: number | undefined;
  /** The champion's value of the referenced metric, for champion rules when the champion has it. */
  readonly championValue?: number;
  /** actual − championValue. */
  readonly delta?: number;
  readonly passed: boolean;
  /** Why a rule passed or failed without a comparison. */
  readonly note?: string;
}

export const FIRST_MODEL_NOTE = 'no champion yet: this is the first model';

/**
 * Evaluates every rule against the challenger's metrics and, for `champion.` references, the champion's.
 *
 * - Metric names resolve by path or unambiguous alias (see MetricSet) in each set separately.
 * - A challenger metric that cannot be found is a mistake in the rules: a ConfigurationError lists, per such rule, the
 *   available paths closest first (or the paths an ambiguous alias fits).
 * - No champion at all (`champion` undefined, the first model): champion rules pass with {@link FIRST_MODEL_NOTE}.
 * - A champion that lacks the referenced metric (or where it is ambiguous): the rule fails with a note. Failing closed
 *   is deliberate — a renamed or dropped metric must not wave a challenger through unchecked.
 * - Comparisons are exact IEEE-754 double comparisons, `==` and `!=` included: no tolerance is applied, so
 *   `accuracy == 0.9` holds only for the very double 0.9. Thresholds are computed in doubles too: `champion + 0.1`
 *   may round (0.2 + 0.1 is 0.30000000000000004).
 * - Threshold arithmetic: `+ a` / `- a` add or subtract a; `± p%` moves by p/100 of |champion value| (the absolute
 *   value, so `-` always lowers the bar and `+` raises it, whatever the champion's sign); `* f` multiplies.
 */
export function evaluateRules(
  rules: string | readonly Rule[],
  challenger: MetricSet,
  champion: MetricSet | undefined,
): RuleOutcome[] {
  const parsed = typeof rules === 'string' ? parseRules(rules) : rules;
  const problems: string[] = [];
  const outcomes: RuleOutcome[] = [];
  for (const rule of parsed) {
    const found = lookupMetric(challenger, rule.metric);
    if (!found.found) {
      problems.push(unknownMetricProblem(rule, challenger, found.ambiguous));
      continue;
    }
    outcomes.push(evaluateRule(rule, found.metric.value, champion));
  }
  if (problems.length > 0) throw new ConfigurationError(problems, { input: INPUT });
  return outcomes;
}

function evaluateRule(rule: Rule, actual: number, champion: MetricSet | undefined): RuleOutcome {
  const base = { rule: rule.source, line: rule.line, metric: rule.metric, op: rule.op, actual };
  const threshold = rule.threshold;
  if (threshold.kind === 'number') {
    return { ...base, threshold: threshold.value, passed: compare(actual, rule.op, threshold.value) };
  }
  if (champion === undefined) return { ...base, threshold: undefined, passed: true, note: FIRST_MODEL_NOTE };

  const found = lookupMetric(champion, threshold.metric);
  if (!found.found) {
    const note =
      found.ambiguous.length > 0
        ? `the champion's metric '${threshold.metric}' is ambiguous (${found.ambiguous.join(', ')}); write the full path`
        : `the champion has no metric '${threshold.metric}', so the rule cannot be checked (failing closed); the champion has: ${[...champion.metrics.keys()].join(', ')}`;
    return { ...base, threshold: undefined, passed: false, note };
  }
  const championValue = found.metric.value;
  const limit = applyAdjustment(championValue, threshold.adjustment);
  return {
    ...base,
    threshold: limit,
    championValue,
    delta: actual - championValue,
    passed: compare(actual, rule.op, limit),
  };
}

function applyAdjustment(championValue: number, adjustment: ChampionAdjustment | undefined): number {
  if (adjustment === undefined) return championValue;
  switch (adjustment.kind) {
    case 'offset':
      return championValue + adjustment.amount;
    case 'percent':
      return championValue + (Math.abs(championValue) * adjustment.percent) / 100;
    case 'factor':
      return championValue * adjustment.factor;
  }
}

function compare(actual: number, op: ComparisonOperator, threshold: number): boolean {
  switch (op) {
    case '>=':
      return actual >= threshold;
    case '>':
      return actual > threshold;
    case '<=':
      return actual <= threshold;
    case '<':
      return actual < threshold;
    case '==':
      return actual === threshold;
    case '!=':
      return actual !== threshold;
  }
}

const MAX_LISTED_PATHS = 30;

function unknownMetricProblem(rule: Rule, challenger: MetricSet, ambiguous: readonly string[]): string {
  const where = `Input '${INPUT}' line ${rule.line}, column ${rule.column}`;
  if (ambiguous.length > 0) {
    return `${where}: metric '${rule.metric}' is ambiguous (${ambiguous.join(', ')}); write the full path`;
  }
  const closest = metricPathsClosestTo(challenger, rule.metric);
  const listed = closest.slice(0, MAX_LISTED_PATHS).join(', ');
  const more = closest.length > MAX_LISTED_PATHS ? ` and ${closest.length - MAX_LISTED_PATHS} more` : '';
  return `${where}: unknown metric '${rule.metric}'; available (closest first): ${listed}${more}`;
}
