// 64-bit hashes of column values for the distinct-count sketch and the uniqueness check. Not cryptographic: the inputs
// are data, not an adversary, and the hot path must not allocate, so a hash is written into `HASH` as two 32-bit halves.

/** The last hash computed: `HASH[0]` is the high half, `HASH[1]` the low half. Read it right after the call. */
export const HASH = new Uint32Array(2);

const doubleScratch = new Float64Array(1);
const doubleWords = new Uint32Array(doubleScratch.buffer);

/**
 * MurmurHash3's 32-bit finalizer, signed: the hash tables and HyperLogLog that hash bytes or code units in place keep
 * it in V8's int32 range and store it in `Int32Array`s, whose contents an unsigned result would not equal.
 */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** `mix` as `HASH` stores it (the same bits). */
function finalMix(h: number): number {
  return mix(h) >>> 0;
}

/** Hashes a number by its IEEE-754 bits, so 1, "1" and "1.0" (all parsed to 1) hash alike; -0 hashes as 0. */
export function hashNumber(value: number): void {
  doubleScratch[0] = value + 0; // -0 + 0 is +0
  const low = doubleWords[0]!;
  const high = doubleWords[1]!;
  const first = finalMix(low ^ finalMix(high ^ 0x3c6ef372));
  HASH[0] = first;
  HASH[1] = finalMix(high ^ Math.imul(low, 0x9e3779b1) ^ first);
}

/**
 * Hashes a string by its UTF-16 code units, two at a time (`unit | next << 16`, a last odd unit alone), with two
 * independent multiply-rotate lanes. The readers hash ASCII bytes and stored code units the same way (see
 * frequent-values.ts and `HyperLogLog.addUnits`), so a value hashes alike whichever form it came in.
 */
export function hashString(text: string): void {
  const length = text.length;
  let a = 0x811c9dc5 ^ length;
  let b = 0x1b873593;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    const pair = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ pair, 0x9e3779b1);
    a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ pair, 0x85ebca77);
    b = (b << 17) | (b >>> 15);
  }
  if (i < length) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x9e3779b1);
    a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ unit, 0x85ebca77);
    b = (b << 17) | (b >>> 15);
  }
  const first = finalMix(a ^ Math.imul(b, 0xc2b2ae3d));
  HASH[0] = first;
  HASH[1] = finalMix(b ^ first ^ 0x27d4eb2f);
}
