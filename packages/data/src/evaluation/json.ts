// A small JSON reader for metrics documents. JSON.parse would do for valid text, but on Node 20 many of its errors
// carry no position ("Unexpected token 'N', ... is not valid JSON"), and users need the line and column of their
// mistake. It also accepts the NaN / Infinity / -Infinity tokens Python's json.dump writes for undefined metrics, so
// those can be reported as ignored instead of failing the whole document.

/** A parsed JSON value; objects are Maps so keys keep document order (JS objects move integer-like keys first). */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly detail: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based, in UTF-16 code units. */
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${detail}`);
  }
}

/** Deep enough for any metrics document, shallow enough never to exhaust the call stack. */
const MAX_DEPTH = 256;

/** Parses JSON text (RFC 8259 plus NaN, Infinity, -Infinity; a leading byte-order mark is skipped). Duplicate keys: the last wins, as with JSON.parse. */
export function parseJson(text: string): JsonValue {
  const reader = new JsonReader(text);
  return reader.document();
}

class JsonReader {
  private position = 0;

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.position = 1;
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
      case 'N':
        return this.literal('NaN', Number.NaN);
      case 'I':
        return this.literal('Infinity', Number.POSITIVE_INFINITY);
      default:
        if (char === '-' && this.text.startsWith('-Infinity', this.position)) {
          return this.literal('-Infinity', Number.NEGATIVE_INFINITY);
        }
        if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.number();
        return this.fail(`expected a JSON value, found ${this.describeNext()}`);
    }
  }

  private object(depth: number): JsonObject {
    const object: JsonObject = new Map();
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
      const key = this.string();
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
    const simple: Record<string, string> = {
      '"': '"',
      '\\': '\\',
      '/': '/',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
    };
    if (escapeChar !== undefined && Object.hasOwn(simple, escapeChar)) {
      this.position += 2;
      return simple[escapeChar]!;
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
    if (!this.text.startsWith(word, this.position)) {
      const found = /^[\w+-]+/.exec(this.text.slice(this.position))?.[0] ?? this.text[this.position] ?? '';
      this.fail(`expected a JSON value, found '${found}'`);
    }
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

  private fail(detail: string): never {
    let line = 1;
    let lineStart = 0;
    for (let index = 0; index < this.position; index++) {
      if (this.text.charCodeAt(index) === 0x0a) {
        line++;
        lineStart = index + 1;
      }
    }
    throw new JsonSyntaxError(detail, line, this.position - lineStart + 1);
  }
}
