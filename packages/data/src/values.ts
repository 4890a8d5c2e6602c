/**
 * How a raw cell is read: missing, a number (Integral or Fractional), a Boolean, or text.
 *
 * Missing values (counted in `num_missing`, never typed):
 * - `null` and `undefined`, and the number NaN;
 * - text that is empty or only whitespace (space, tab, CR, LF), and the literals `NaN` and `null` in any letter case
 *   (what pandas, Spark and numpy write for a missing number). Other spellings such as `NA` or `None` are text: they
 *   are legitimate category names too often to guess.
 *
 * Text, after trimming surrounding whitespace, is:
 * - Integral: an optional sign and digits (`-12`, `+7`, `007`), as Deequ's `StatefulDataType`;
 * - Fractional: an optional sign, digits with a decimal point and/or an exponent (`1.5`, `.5`, `5.`, `1e-3`).
 *   Deequ's pattern has no exponent; accepting one keeps numpy/pandas output (`1e-05`) numeric. A number whose
 *   magnitude overflows to ±Infinity (`1e999`) is text;
 * - Boolean: `true` or `false` in any letter case (Deequ: lower case only);
 * - String: anything else (`inf`, `0x1F`, `1,000`, `12 kg`).
 * JavaScript numbers are Integral when `Number.isInteger`, else Fractional; ±Infinity counts as text.
 */
export type RawValue = string | number | boolean | null | undefined;

export const ValueKind = { Missing: 0, Integral: 1, Fractional: 2, Boolean: 3, String: 4 } as const;
export type ValueKind = (typeof ValueKind)[keyof typeof ValueKind];

/** Set by `classifyText`: the number an Integral or Fractional text parses to, or the Boolean a Boolean text means. */
export const lastParsed = { number: 0, boolean: false };

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** 10^0 … 10^22: the powers of ten a double holds exactly. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Whether text[start, end) spells the lower-case ASCII `word` in any letter case, without allocating. */
function spellsIgnoringCase(text: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((text.charCodeAt(start + i) | 32) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Classifies text (see the module comment); for numbers and Booleans it leaves the value in `lastParsed`. */
export function classifyText(text: string): ValueKind {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  if (start === end) return ValueKind.Missing;

  let i = start;
  let code = text.charCodeAt(i);
  const negative = code === 45; // '-'
  if (negative || code === 43) i++; // '+'
  // All digits, integer and fraction, accumulate into one integer mantissa; it is exact up to 15 digits.
  let digits = 0;
  let mantissa = 0;
  while (i < end && isDigit((code = text.charCodeAt(i)))) {
    mantissa = mantissa * 10 + (code - 48);
    digits++;
    i++;
  }
  if (i === end && digits > 0) {
    lastParsed.number = digits <= 15 ? (negative ? -mantissa : mantissa) : Number(text);
    return ValueKind.Integral;
  }
  let fractional = false;
  let fractionDigits = 0;
  if (i < end && code === 46) {
    // '.'
    fractional = true;
    i++;
    while (i < end && isDigit((code = text.charCodeAt(i)))) {
      mantissa = mantissa * 10 + (code - 48);
      digits++;
      fractionDigits++;
      i++;
    }
  }
  let exponent = 0;
  if (digits > 0 && i < end && (text.charCodeAt(i) | 32) === 101) {
    // 'e' or 'E'
    let j = i + 1;
    const exponentNegative = j < end && text.charCodeAt(j) === 45;
    if (j < end && (text.charCodeAt(j) === 43 || exponentNegative)) j++;
    const exponentStart = j;
    while (j < end && isDigit((code = text.charCodeAt(j)))) {
      if (exponent < 100_000) exponent = exponent * 10 + (code - 48);
      j++;
    }
    if (j > exponentStart) {
      fractional = true;
      if (exponentNegative) exponent = -exponent;
      i = j;
    }
  }
  if (fractional && digits > 0 && i === end) {
    // Clinger's fast path: an exact mantissa times or over an exact power of ten is one correctly rounded operation,
    // so it equals Number(text), which handles everything else.
    const scale = exponent - fractionDigits;
    let value: number;
    if (digits <= 15 && scale >= -22 && scale <= 22) {
      value = scale < 0 ? mantissa / POWERS_OF_TEN[-scale]! : mantissa * POWERS_OF_TEN[scale]!;
      if (negative) value = -value;
    } else {
      value = Number(text);
    }
    if (Number.isFinite(value)) {
      lastParsed.number = value;
      return ValueKind.Fractional;
    }
    return ValueKind.String;
  }

  if (spellsIgnoringCase(text, start, end, 'true')) {
    lastParsed.boolean = true;
    return ValueKind.Boolean;
  }
  if (spellsIgnoringCase(text, start, end, 'false')) {
    lastParsed.boolean = false;
    return ValueKind.Boolean;
  }
  if (spellsIgnoringCase(text, start, end, 'nan') || spellsIgnoringCase(text, start, end, 'null')) {
    return ValueKind.Missing;
  }
  return ValueKind.String;
}

/** Whether bytes[start, end) spell the lower-case ASCII `word` in any letter case. */
function bytesSpellIgnoringCase(bytes: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((bytes[start + i]! | 32) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** The ASCII bytes[start, end) as a string (for the rare texts only `Number` parses exactly). */
function asciiString(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/**
 * `classifyText` on ASCII bytes: the same kind and the same `lastParsed` value as `classifyText` gives for the text
 * they spell, without making a string (except for numbers beyond the exact fast path, which `Number` parses). The
 * caller guarantees that every byte is below 0x80; the readers use it for cells they know to be ASCII.
 */
export function classifyAscii(bytes: Uint8Array, start: number, end: number): ValueKind {
  if (start >= end) return ValueKind.Missing;
  const textStart = start;
  const textEnd = end;
  if (bytes[start]! <= 32 || bytes[end - 1]! <= 32) {
    while (start < end && isSpace(bytes[start]!)) start++;
    while (end > start && isSpace(bytes[end - 1]!)) end--;
    if (start === end) return ValueKind.Missing;
  }

  let i = start;
  const sign = bytes[i]!;
  const negative = sign === 45; // '-'
  if (negative || sign === 43) i++; // '+'
  // All digits, integer and fraction, accumulate into one integer mantissa (exact up to 15 digits); the first nine
  // in int32 arithmetic, which is several times faster than a chain of double multiply-adds.
  const integerStart = i;
  let small = 0;
  let limit = end - i > 9 ? i + 9 : end;
  while (i < limit) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) break;
    small = small * 10 + digit;
    i++;
  }
  let mantissa = small;
  if (i === limit && i < end) {
    while (i < end) {
      const digit = bytes[i]! - 48;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      i++;
    }
  }
  let digits = i - integerStart;
  if (i === end && digits > 0) {
    lastParsed.number =
      digits <= 15 ? (negative ? -mantissa : mantissa) : Number(asciiString(bytes, textStart, textEnd));
    return ValueKind.Integral;
  }
  let fractional = false;
  let fractionDigits = 0;
  if (i < end && bytes[i] === 46) {
    // '.'
    fractional = true;
    i++;
    const fractionStart = i;
    if (digits < 9) {
      limit = end - i > 9 - digits ? i + 9 - digits : end;
      while (i < limit) {
        const digit = bytes[i]! - 48;
        if (digit < 0 || digit > 9) break;
        small = small * 10 + digit;
        i++;
      }
      mantissa = small;
    }
    if (digits + (i - fractionStart) >= 9) {
      while (i < end) {
        const digit = bytes[i]! - 48;
        if (digit < 0 || digit > 9) break;
        mantissa = mantissa * 10 + digit;
        i++;
      }
    }
    fractionDigits = i - fractionStart;
    digits += fractionDigits;
  }
  let exponent = 0;
  if (digits > 0 && i < end && (bytes[i]! | 32) === 101) {
    // 'e' or 'E'
    let j = i + 1;
    const exponentNegative = j < end && bytes[j] === 45;
    if (j < end && (bytes[j] === 43 || exponentNegative)) j++;
    const exponentStart = j;
    while (j < end && isDigit(bytes[j]!)) {
      if (exponent < 100_000) exponent = exponent * 10 + (bytes[j]! - 48);
      j++;
    }
    if (j > exponentStart) {
      fractional = true;
      if (exponentNegative) exponent = -exponent;
      i = j;
    }
  }
  if (fractional && digits > 0 && i === end) {
    const scale = exponent - fractionDigits;
    let value: number;
    if (digits <= 15 && scale >= -22 && scale <= 22) {
      value = scale < 0 ? mantissa / POWERS_OF_TEN[-scale]! : mantissa * POWERS_OF_TEN[scale]!;
      if (negative) value = -value;
    } else {
      value = Number(asciiString(bytes, textStart, textEnd));
    }
    if (Number.isFinite(value)) {
      lastParsed.number = value;
      return ValueKind.Fractional;
    }
    return ValueKind.String;
  }

  if (bytesSpellIgnoringCase(bytes, start, end, 'true')) {
    lastParsed.boolean = true;
    return ValueKind.Boolean;
  }
  if (bytesSpellIgnoringCase(bytes, start, end, 'false')) {
    lastParsed.boolean = false;
    return ValueKind.Boolean;
  }
  if (bytesSpellIgnoringCase(bytes, start, end, 'nan') || bytesSpellIgnoringCase(bytes, start, end, 'null')) {
    return ValueKind.Missing;
  }
  return ValueKind.String;
}

/** Classifies any raw value; numbers and Booleans are left in `lastParsed` as for `classifyText`. */
export function classifyValue(value: RawValue): ValueKind {
  if (typeof value === 'string') return classifyText(value);
  if (typeof value === 'number') {
    if (value !== value) return ValueKind.Missing;
    if (!Number.isFinite(value)) return ValueKind.String;
    lastParsed.number = value;
    return Number.isInteger(value) ? ValueKind.Integral : ValueKind.Fractional;
  }
  if (typeof value === 'boolean') {
    lastParsed.boolean = value;
    return ValueKind.Boolean;
  }
  return ValueKind.Missing;
}

/**
 * The key a value is compared by in frequency counts, domains and allowed values: numbers by value, Booleans as
 * `true`/`false`, text as written. Missing values have no key (`undefined`).
 */
export function canonicalKey(value: RawValue): string | number | undefined {
  switch (classifyValue(value)) {
    case ValueKind.Missing:
      return undefined;
    case ValueKind.Integral:
    case ValueKind.Fractional:
      return lastParsed.number + 0;
    case ValueKind.Boolean:
      return lastParsed.boolean ? 'true' : 'false';
    case ValueKind.String:
      return typeof value === 'string' ? value : String(value);
  }
}
