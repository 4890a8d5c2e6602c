// Byte-level helpers shared by the readers: UTF-8 validation and cheap string slices, so the hot loops never build a
// string they do not need. Numbers are read straight from bytes by classifyAscii in values.ts.
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
