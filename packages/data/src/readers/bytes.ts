// Byte-level helpers shared by the readers: UTF-8 validation, numbers decoded straight from bytes, and cheap string
// slices, so the hot loops never build a string they do not need.
export const LF = 0x0a;
export const CR = 0x0d;
export const QUOTE = 0x22;

/**
 * Length of the valid UTF-8 sequence whose lead byte is at `bytes[at]` (a byte ≥ 0x80), 0 when `end` cuts it short
 * (the rest may be in the next buffer), -1 when it is invalid: a stray continuation byte, an overlong form, a
 * surrogate, a code point above U+10FFFF, or a missing continuation byte. The rules are RFC 3629's, as a fatal
 * `TextDecoder` applies them.
 */
export function utf8SequenceLength(bytes: Uint8Array, at: number, end: number): number {
  const lead = bytes[at]!;
  let length: number;
  let min = 0x80;
  let max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0)
      min = 0xa0; // overlong
    else if (lead === 0xed) max = 0x9f; // UTF-16 surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0)
      min = 0x90; // overlong
    else if (lead === 0xf4) max = 0x8f; // above U+10FFFF
  } else return -1;
  // The second byte has the tighter bounds; the others are plain continuation bytes.
  if (at + 1 >= end) return 0;
  const second = bytes[at + 1]!;
  if (second < min || second > max) return -1;
  for (let i = 2; i < length; i++) {
    if (at + i >= end) return 0;
    const next = bytes[at + i]!;
    if (next < 0x80 || next > 0xbf) return -1;
  }
  return length;
}

/** Offset of the first byte of `bytes[start, end)` that breaks UTF-8, or -1 when it is all valid. */
export function firstInvalidUtf8(bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end;) {
    if (bytes[i]! < 0x80) {
      i++;
      continue;
    }
    const length = utf8SequenceLength(bytes, i, end);
    if (length <= 0) return i;
    i += length;
  }
  return -1;
}

/** What `decodeNumber` found: not a number it can decode exactly (use the text), Integral, or Fractional. */
export const DecodedKind = { Text: 0, Integral: 1, Fractional: 2 } as const;
export type DecodedKind = (typeof DecodedKind)[keyof typeof DecodedKind];

/** The value of the last successful `decodeNumber`. */
export const decoded = { value: 0 };

const EXACT_POWERS_OF_TEN = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * Decodes ASCII `bytes[start, end)` as `classifyText` would classify and parse the same text, without making a
 * string — but only where the result is certain to be identical; everything else answers `Text` and the caller falls
 * back to `classifyText` on a string.
 *
 * Decoded here: `[+-]digits` with at most 15 digits (Integral; exact in a double), and `[+-]digits.digits` or with an
 * exponent `e[+-]digits` where the significant digits number at most 15 and the decimal exponent lies in [-22, 22]
 * (Fractional). For those, `m / 10^k` or `m · 10^k` with both operands exact doubles is correctly rounded, so it
 * equals `Number(text)` bit for bit (Clinger's fast path). Left to the text path: surrounding whitespace, more
 * digits, larger exponents, and Fractional text whose value is a whole number (`"2.0"` must count as Fractional, but a
 * whole JavaScript number counts as Integral), as well as Booleans, `NaN`, `null` and every other word.
 */
export function decodeNumber(bytes: Uint8Array, start: number, end: number): DecodedKind {
  let i = start;
  let code = bytes[i]!;
  const negative = code === 45; // '-'
  if (negative || code === 43) i++; // '+'
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  while (i < end) {
    code = bytes[i]! - 48;
    if (code < 0 || code > 9) break;
    mantissa = mantissa * 10 + code;
    digits++;
    i++;
  }
  if (i === end) {
    if (digits === 0 || digits > 15) return DecodedKind.Text;
    decoded.value = negative ? -mantissa : mantissa;
    return DecodedKind.Integral;
  }
  if (bytes[i] === 46) {
    // '.'
    i++;
    while (i < end) {
      code = bytes[i]! - 48;
      if (code < 0 || code > 9) break;
      mantissa = mantissa * 10 + code;
      digits++;
      scale--;
      i++;
    }
  } else if ((bytes[i]! | 32) !== 101) return DecodedKind.Text; // neither '.' nor 'e'
  if (digits === 0 || digits > 15) return DecodedKind.Text;
  if (i < end) {
    if ((bytes[i]! | 32) !== 101) return DecodedKind.Text; // 'e' or 'E'
    i++;
    let exponentNegative = false;
    if (i < end && (bytes[i] === 45 || bytes[i] === 43)) exponentNegative = bytes[i++] === 45;
    let exponent = 0;
    const exponentStart = i;
    while (i < end) {
      code = bytes[i]! - 48;
      if (code < 0 || code > 9 || exponent > 1000) break;
      exponent = exponent * 10 + code;
      i++;
    }
    if (i !== end || i === exponentStart) return DecodedKind.Text;
    scale += exponentNegative ? -exponent : exponent;
  }
  if (scale < -22 || scale > 22) return DecodedKind.Text;
  let value = scale < 0 ? mantissa / EXACT_POWERS_OF_TEN[-scale]! : mantissa * EXACT_POWERS_OF_TEN[scale]!;
  // A whole value (`2.0`, `1e3`, `0.0`) would be counted as Integral by the number path: let the text decide.
  if (Number.isInteger(value)) return DecodedKind.Text;
  if (negative) value = -value;
  decoded.value = value;
  return DecodedKind.Fractional;
}

type SlicingBuffer = Buffer & {
  latin1Slice?(start: number, end: number): string;
  utf8Slice?(start: number, end: number): string;
};

// Buffer's own slice methods skip toString's encoding lookup; they are undocumented, so fall back when absent.
const fastLatin1 = typeof (Buffer.prototype as SlicingBuffer).latin1Slice === 'function';
const fastUtf8 = typeof (Buffer.prototype as SlicingBuffer).utf8Slice === 'function';

/** `bytes[start, end)` as text, for bytes known to be ASCII. */
export function asciiText(bytes: Buffer, start: number, end: number): string {
  return fastLatin1 ? (bytes as SlicingBuffer).latin1Slice!(start, end) : bytes.toString('latin1', start, end);
}

/** `bytes[start, end)` as text, for bytes known to be valid UTF-8. */
export function utf8Text(bytes: Buffer, start: number, end: number): string {
  return fastUtf8 ? (bytes as SlicingBuffer).utf8Slice!(start, end) : bytes.toString('utf8', start, end);
}
