// Python's view of hyperparameter values. The SageMaker Python SDK encodes every script-mode hyperparameter with
// `json.dumps(v)`, and the training toolkit decodes them with `json.loads`, re-encodes them for SM_HPS / SM_TRAINING_ENV
// with `json.dumps(sort_keys=True, separators=(",", ":"))` and turns them into `--key value` arguments with `str(v)`.
// JavaScript's JSON differs (no int/float distinction, `[1,2]` instead of `[1, 2]`, no ASCII escaping, `1e-05` vs
// `0.00001`), so these helpers work on a small tagged tree that keeps what Python keeps.

export type PyValue =
  | { kind: 'none' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; digits: string }
  | { kind: 'float'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'dict'; entries: [string, PyValue][] };

/**
 * A JavaScript value as Python holds it: what `json.loads` makes of the value's JSON text. So an integral number is
 * an int unless JSON.stringify writes it with an exponent (1e21 and up), and -0 is the int 0. NaN and the infinities,
 * which JSON cannot carry, stay floats (YAML's .nan and .inf).
 */
export function toPyValue(value: unknown): PyValue {
  if (value === null || value === undefined) return { kind: 'none' };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'bigint') return { kind: 'int', digits: value.toString() };
  if (typeof value === 'number') {
    return Number.isInteger(value) && Math.abs(value) < 1e21
      ? { kind: 'int', digits: String(value) } // the digits JSON.stringify writes, not the binary value's
      : { kind: 'float', value };
  }
  if (typeof value === 'string') return { kind: 'str', value };
  if (Array.isArray(value)) return { kind: 'list', items: value.map(toPyValue) };
  if (value instanceof Date) return { kind: 'str', value: value.toISOString() };
  if (typeof value === 'object') {
    return {
      kind: 'dict',
      entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toPyValue(v)]),
    };
  }
  throw new TypeError(`cannot represent a ${typeof value} as a hyperparameter value`);
}

/** `repr(float)`: the shortest round-tripping digits, scientific notation below 1e-4 and from 1e16 on. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest digits that round-trip, like Python's repr.
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const sign = exponent < 0 ? '-' : '+';
    text = `${fraction}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  } else if (exponent < 0) {
    text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  } else if (digits.length <= exponent + 1) {
    text = `${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
  } else {
    text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  }
  return negative ? `-${text}` : text;
}

function jsonFloat(value: number): string {
  // json.dumps writes the non-finite floats with JavaScript's spelling (allow_nan=True is the default).
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return pythonFloatRepr(value);
}

function jsonString(text: string, ensureAscii: boolean): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) {
      // Python escapes per UTF-16 code unit, so astral characters become a surrogate pair.
      for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
    } else out += char;
  }
  return `${out}"`;
}

export interface PythonJsonOptions {
  /** `sort_keys=True`. */
  sortKeys?: boolean;
  /** `separators=(",", ":")` instead of the default `(", ", ": ")`. */
  compact?: boolean;
  /** `ensure_ascii` (Python's default is true). */
  ensureAscii?: boolean;
}

/** `json.dumps(value, ...)` as CPython writes it. */
export function pythonJsonDumps(value: PyValue, options: PythonJsonOptions = {}): string {
  const { sortKeys = false, compact = false, ensureAscii = true } = options;
  const itemSeparator = compact ? ',' : ', ';
  const keySeparator = compact ? ':' : ': ';
  const write = (node: PyValue): string => {
    switch (node.kind) {
      case 'none':
        return 'null';
      case 'bool':
        return node.value ? 'true' : 'false';
      case 'int':
        return node.digits;
      case 'float':
        return jsonFloat(node.value);
      case 'str':
        return jsonString(node.value, ensureAscii);
      case 'list':
        return `[${node.items.map(write).join(itemSeparator)}]`;
      case 'dict': {
        const entries = sortKeys ? [...node.entries].sort(([a], [b]) => comparePythonStrings(a, b)) : node.entries;
        return `{${entries.map(([k, v]) => jsonString(k, ensureAscii) + keySeparator + write(v)).join(itemSeparator)}}`;
      }
    }
  };
  return write(value);
}

/** Python compares str by code point; JavaScript's default sort compares UTF-16 code units. */
export function comparePythonStrings(a: string, b: string): number {
  const left = [...a].map((c) => c.codePointAt(0)!);
  const right = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i]! - right[i]!;
  }
  return left.length - right.length;
}

function pythonStringRepr(text: string): string {
  // repr() prefers single quotes and switches to double quotes when the text has a ' but no ".
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return out + quote;
}

/** `repr(value)`. Used inside containers, where Python's str() falls back to repr(). */
function pythonRepr(value: PyValue): string {
  switch (value.kind) {
    case 'none':
      return 'None';
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'int':
      return value.digits;
    case 'float':
      return pythonFloatRepr(value.value);
    case 'str':
      return pythonStringRepr(value.value);
    case 'list':
      return `[${value.items.map(pythonRepr).join(', ')}]`;
    case 'dict':
      return `{${value.entries.map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  }
}

/** `str(value)`. */
export function pythonStr(value: PyValue): string {
  return value.kind === 'str' ? value.value : pythonRepr(value);
}

/** Thrown by {@link parsePythonJson} where `json.loads` raises. */
export class PythonJsonSyntaxError extends Error {
  override readonly name = 'PythonJsonSyntaxError';
}

/**
 * `json.loads(text)` keeping Python's types: a number with a fraction or exponent is a float, one without is an int
 * of any size; NaN, Infinity and -Infinity are accepted; a repeated key keeps its last value.
 */
export function parsePythonJson(text: string): PyValue {
  let position = 0;
  const fail = (what: string): never => {
    throw new PythonJsonSyntaxError(`${what} at character ${position}`);
  };
  const skipWhitespace = () => {
    while (position < text.length && ' \t\n\r'.includes(text[position]!)) position++;
  };
  const expect = (literal: string) => {
    if (!text.startsWith(literal, position)) fail(`expected '${literal}'`);
    position += literal.length;
  };
  const parseString = (): string => {
    expect('"');
    let out = '';
    for (;;) {
      if (position >= text.length) fail('unterminated string');
      const char = text[position++]!;
      if (char === '"') return out;
      if (char === '\\') {
        const escape = text[position++];
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
        if (escape !== undefined && escape in simple) out += simple[escape];
        else if (escape === 'u') {
          const hex = text.slice(position, position + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          position += 4;
        } else fail('invalid escape');
      } else if (char.charCodeAt(0) < 0x20) fail('control character in string');
      else out += char;
    }
  };
  const parseValue = (): PyValue => {
    skipWhitespace();
    const char = text[position];
    if (char === '{') {
      position++;
      const entries = new Map<string, PyValue>();
      skipWhitespace();
      if (text[position] === '}') {
        position++;
        return { kind: 'dict', entries: [] };
      }
      for (;;) {
        skipWhitespace();
        const key = parseString();
        skipWhitespace();
        expect(':');
        entries.delete(key); // a repeated key moves to its last position, as in a Python dict built in order
        entries.set(key, parseValue());
        skipWhitespace();
        if (text[position] === ',') position++;
        else if (text[position] === '}') {
          position++;
          return { kind: 'dict', entries: [...entries] };
        } else fail("expected ',' or '}'");
      }
    }
    if (char === '[') {
      position++;
      const items: PyValue[] = [];
      skipWhitespace();
      if (text[position] === ']') {
        position++;
        return { kind: 'list', items };
      }
      for (;;) {
        items.push(parseValue());
        skipWhitespace();
        if (text[position] === ',') position++;
        else if (text[position] === ']') {
          position++;
          return { kind: 'list', items };
        } else fail("expected ',' or ']'");
      }
    }
    if (char === '"') return { kind: 'str', value: parseString() };
    for (const [literal, node] of [
      ['null', { kind: 'none' }],
      ['true', { kind: 'bool', value: true }],
      ['false', { kind: 'bool', value: false }],
      ['NaN', { kind: 'float', value: NaN }],
      ['Infinity', { kind: 'float', value: Infinity }],
      ['-Infinity', { kind: 'float', value: -Infinity }],
    ] as const) {
      if (text.startsWith(literal, position)) {
        position += literal.length;
        return node;
      }
    }
    const number = /^(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(position));
    if (!number) return fail('expected a value');
    position += number[0].length;
    if (number[2] === undefined && number[3] === undefined) {
      return { kind: 'int', digits: BigInt(number[1]!).toString() };
    }
    return { kind: 'float', value: Number(number[0]) };
  };
  const value = parseValue();
  skipWhitespace();
  if (position !== text.length) fail('extra data');
  return value;
}
