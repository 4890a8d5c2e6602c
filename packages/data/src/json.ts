import { DataError } from '@mlops-actions/core';

/**
 * Parses a JSON file's text; a syntax error becomes a DataError at its line and column. `JSON.parse` does the work;
 * only when it fails does a small scanner walk the text to find where, since V8's messages do not always say.
 */
export function parseJsonFile(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const { offset, problem } = locateJsonError(body);
    const { line, column } = lineAndColumn(body, offset);
    throw new DataError(`invalid JSON: ${problem}`, { file, line, column }, { cause: error });
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonSyntaxProblem {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

/** The offset and a description of the first syntax error in `text` (RFC 8259). */
export function locateJsonError(text: string): { offset: number; problem: string } {
  let i = 0;

  const fail = (problem: string, at = i): never => {
    throw new JsonSyntaxProblem(at, problem);
  };
  const unexpected = (): never =>
    i >= text.length ? fail('unexpected end of input') : fail(`unexpected ${JSON.stringify(text[i])}`);
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (char: string, what: string): void => {
    skipSpace();
    if (text[i] !== char) {
      if (i >= text.length) fail(`unexpected end of input, expected ${what}`);
      fail(`expected ${what}, got ${JSON.stringify(text[i])}`);
    }
    i++;
  };

  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const code = text.charCodeAt(i);
      if (code === 34) {
        i++;
        return;
      }
      if (code < 0x20) fail('control character in string');
      if (code === 92) {
        const escape = text[i + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape');
          i += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
          i += 2;
        } else {
          fail('invalid escape in string');
        }
      } else {
        i++;
      }
    }
  };

  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (match === null || match[0] === '' || match[0] === '-') fail('invalid number');
    i += match![0].length;
  };

  const value = (depth: number): void => {
    if (depth > 5000) fail('nesting too deep');
    skipSpace();
    const char = text[i];
    if (char === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') {
          if (i >= text.length) fail('unexpected end of input, expected a property name');
          fail(`expected a double-quoted property name, got ${JSON.stringify(text[i])}`);
        }
        string();
        expect(':', "':'");
        value(depth + 1);
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}', "',' or '}'");
        return;
      }
    }
    if (char === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']', "',' or ']'");
        return;
      }
    }
    if (char === '"') return string();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return number();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    unexpected();
  };

  try {
    value(0);
    skipSpace();
    if (i < text.length) fail(`unexpected ${JSON.stringify(text[i])} after the JSON value`);
    // JSON.parse disagreed with the scanner; point at the end rather than nowhere.
    return { offset: text.length, problem: 'not valid JSON' };
  } catch (error) {
    if (error instanceof JsonSyntaxProblem) return { offset: error.offset, problem: error.problem };
    throw error;
  }
}
