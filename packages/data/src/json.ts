// The one JSON reader that reports where a document goes wrong. On Node 20 many of JSON.parse's errors carry no
// position ("Unexpected token 'N', ... is not valid JSON"), and users need the line and column of their mistake.
//
// Two ways in:
// - parseJsonFile (Model Monitor files, several MB): JSON.parse does the work, as it is much faster than
//   any reader written in JS; the reader below runs only after it failed, to say where.
// - parseJson (metrics documents): the reader builds the value itself, as Maps, because those callers need what
//   JSON.parse cannot give — document key order, Python's NaN / Infinity tokens, duplicate keys refused.

import { DataError } from '@mlops-actions/core';

/** A parsed JSON value; objects are Maps so keys keep document order (JS objects move integer-like keys first). */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export interface JsonReadOptions {
  /** Accept NaN, Infinity and -Infinity, which Python's json.dump writes for undefined numbers. Default false. */
  readonly nonFinite?: boolean;
  /**
   * A key that appears twice in one object: `'last-wins'` (the default) keeps the later value at the earlier key's
   * place, as JSON.parse does; `'reject'` throws a JsonDuplicateKeyError at the second one.
   */
  readonly duplicateKeys?: 'last-wins' | 'reject';
}

export class JsonSyntaxError extends Error {
  override readonly name: string = 'JsonSyntaxError';
  constructor(
    readonly detail: string,
    /** In UTF-16 code units from the start of the text, byte-order mark included. */
    readonly offset: number,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in UTF-16 code units; a byte-order mark does not count. */
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${detail}`);
  }
}

/** A key seen twice in one object, with `duplicateKeys: 'reject'`. Valid JSON, but a reader that refuses it. */
export class JsonDuplicateKeyError extends JsonSyntaxError {
  override readonly name: string = 'JsonDuplicateKeyError';
  constructor(
    readonly key: string,
    offset: number,
    line: number,
    column: number,
    readonly first: { readonly line: number; readonly column: number },
  ) {
    super(
      `the key '${key}' appears twice in one object (first at line ${first.line}, column ${first.column})`,
      offset,
      line,
      column,
    );
  }
}

/**
 * Parses JSON text (RFC 8259; a leading byte-order mark is skipped) into Maps, arrays and primitives. Throws a
 * JsonSyntaxError at the first character that cannot be read.
 */
export function parseJson(text: string, options: JsonReadOptions = {}): JsonValue {
  return new JsonReader(text, options).document();
}

/**
 * Parses a JSON file's text into plain objects (JSON.parse's value; a leading byte-order mark is skipped); a syntax
 * error becomes a DataError at its line and column.
 */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const { detail, line, column } = syntaxErrorIn(text);
    throw new DataError(`invalid JSON: ${detail}`, { file, line, column }, { cause: error });
  }
}

/** The offset and a description of the first syntax error in `text`, as JSON.parse reads it. */
export function locateJsonError(text: string): { offset: number; problem: string } {
  const { offset, detail } = syntaxErrorIn(text);
  return { offset, problem: detail };
}

function syntaxErrorIn(text: string): JsonSyntaxError {
  try {
    new JsonReader(text, {}).document();
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  // JSON.parse disagreed with the reader; point at the end rather than nowhere.
  const { line, column } = lineAndColumn(text, text.length);
  return new JsonSyntaxError('not valid JSON', text.length, line, column);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  // Editors do not show a byte-order mark, so it takes no column.
  let lineStart = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let index = 0; index < offset; index++) {
    if (text.charCodeAt(index) === 0x0a) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Deep enough for any metrics or Model Monitor document, shallow enough never to exhaust the call stack. */
const MAX_DEPTH = 256;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** What an error names as found: a whole word (`tru`, `NaN`) reads better than its first letter. */
const WORD = /[\w+-]+/y;

class JsonReader {
  private position = 0;
  private readonly nonFinite: boolean;
  private readonly rejectDuplicates: boolean;

  constructor(
    private readonly text: string,
    options: JsonReadOptions,
  ) {
    if (text.charCodeAt(0) === 0xfeff) this.position = 1;
    this.nonFinite = options.nonFinite ?? false;
    this.rejectDuplicates = options.duplicateKeys === 'reject';
  }

  document(): JsonValue {
    this.skipWhitespace();
    if (this.position >= this.text.length) this.fail('expected a JSON value, found an empty document');
    const value = this.value(0);
    this.skipWhitespace();
    if (this.position < this.text.length) this.fail(`expected the end of the document, found ${this.describeNext()}`);
    return value;
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const char = this.text[this.position];
    switch (char) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
    }
    if (this.nonFinite) {
      if (char === 'N') return this.literal('NaN', Number.NaN);
      if (char === 'I') return this.literal('Infinity', Number.POSITIVE_INFINITY);
      if (this.text.startsWith('-Infinity', this.position)) {
        return this.literal('-Infinity', Number.NEGATIVE_INFINITY);
      }
    }
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number();
    return this.fail(`expected a JSON value, found ${this.describeWord()}`);
  }

  private object(depth: number): JsonObject {
    const object: JsonObject = new Map();
    const keyOffsets = this.rejectDuplicates ? new Map<string, number>() : undefined;
    this.position++; // '{'
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position++;
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') {
        this.fail(`expected a double-quoted property name, found ${this.describeNext()}`);
      }
      const keyOffset = this.position;
      const key = this.string();
      if (keyOffsets !== undefined) {
        const first = keyOffsets.get(key);
        if (first !== undefined) this.failDuplicate(key, keyOffset, first);
        keyOffsets.set(key, keyOffset);
      }
      this.skipWhitespace();
      if (this.text[this.position] !== ':')
        this.fail(`expected ':' after the property name, found ${this.describeNext()}`);
      this.position++;
      this.skipWhitespace();
      object.set(key, this.value(depth + 1));
      this.skipWhitespace();
      const separator = this.text[this.position];
      if (separator === '}') {
        this.position++;
        return object;
      }
      if (separator !== ',') this.fail(`expected ',' or '}' after a property value, found ${this.describeNext()}`);
      this.position++;
    }
  }

  private array(depth: number): JsonValue[] {
    const array: JsonValue[] = [];
    this.position++; // '['
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position++;
      return array;
    }
    for (;;) {
      this.skipWhitespace();
      array.push(this.value(depth + 1));
      this.skipWhitespace();
      const separator = this.text[this.position];
      if (separator === ']') {
        this.position++;
        return array;
      }
      if (separator !== ',') this.fail(`expected ',' or ']' after an array element, found ${this.describeNext()}`);
      this.position++;
    }
  }

  private string(): string {
    const start = this.position;
    this.position++; // opening quote
    let decoded = '';
    let chunkStart = this.position;
    for (;;) {
      const code = this.text.charCodeAt(this.position);
      if (Number.isNaN(code)) {
        // The end of the text says nothing about which quote was left open; the quote itself does.
        this.position = start;
        this.fail('unterminated string');
      }
      if (code === 0x22) break; // closing quote
      if (code < 0x20) this.fail('control character in a string (escape it, e.g. \\n)');
      if (code !== 0x5c) {
        this.position++;
        continue;
      }
      decoded += this.text.slice(chunkStart, this.position);
      decoded += this.escape();
      chunkStart = this.position;
    }
    decoded += this.text.slice(chunkStart, this.position);
    this.position++; // closing quote
    return decoded;
  }

  private escape(): string {
    const escapeChar = this.text[this.position + 1];
    if (escapeChar !== undefined && Object.hasOwn(SIMPLE_ESCAPES, escapeChar)) {
      this.position += 2;
      return SIMPLE_ESCAPES[escapeChar]!;
    }
    if (escapeChar === 'u') {
      const hex = this.text.slice(this.position + 2, this.position + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('expected four hexadecimal digits after \\u');
      this.position += 6;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    return this.fail(`invalid escape '\\${escapeChar ?? ''}' in a string`);
  }

  private number(): number {
    const start = this.position;
    const text = this.text;
    const digitsFrom = (from: number): number => {
      let at = from;
      while (at < text.length && text[at]! >= '0' && text[at]! <= '9') at++;
      return at;
    };
    let at = start;
    if (text[at] === '-') at++;
    if (text[at] === '0') {
      at++;
    } else {
      const end = digitsFrom(at);
      if (end === at) {
        this.position = at;
        this.fail(`expected a digit, found ${this.describeNext()}`);
      }
      at = end;
    }
    if (text[at] === '.') {
      const end = digitsFrom(at + 1);
      if (end === at + 1) {
        this.position = at + 1;
        this.fail(`expected a digit after the decimal point, found ${this.describeNext()}`);
      }
      at = end;
    }
    if (text[at] === 'e' || text[at] === 'E') {
      let exponentStart = at + 1;
      if (text[exponentStart] === '+' || text[exponentStart] === '-') exponentStart++;
      const end = digitsFrom(exponentStart);
      if (end === exponentStart) {
        this.position = exponentStart;
        this.fail(`expected a digit in the exponent, found ${this.describeNext()}`);
      }
      at = end;
    }
    this.position = at;
    return Number(text.slice(start, at));
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.position)) this.fail(`expected a JSON value, found ${this.describeWord()}`);
    this.position += word.length;
    return value;
  }

  private skipWhitespace(): void {
    const text = this.text;
    while (this.position < text.length) {
      const char = text[this.position];
      if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') return;
      this.position++;
    }
  }

  private describeNext(): string {
    const char = this.text[this.position];
    return char === undefined ? 'the end of the document' : `'${char}'`;
  }

  private describeWord(): string {
    WORD.lastIndex = this.position;
    const word = WORD.exec(this.text)?.[0];
    return word === undefined ? this.describeNext() : `'${word.length > 40 ? `${word.slice(0, 40)}…` : word}'`;
  }

  private fail(detail: string): never {
    const { line, column } = lineAndColumn(this.text, this.position);
    throw new JsonSyntaxError(detail, this.position, line, column);
  }

  private failDuplicate(key: string, offset: number, firstOffset: number): never {
    const { line, column } = lineAndColumn(this.text, offset);
    throw new JsonDuplicateKeyError(key, offset, line, column, lineAndColumn(this.text, firstOffset));
  }
}
