/**
 * A double as Java's `Double.toString` prints it, which is how Model Monitor's (Scala) messages print numbers:
 * integral values keep a `.0` (`100.0`), magnitudes from 10⁻³ up to 10⁷ are plain (`0.27`, `99.71751412429379`), others
 * use `E` notation (`1.0E-4`, `1.5E7`). The digits are JavaScript's shortest round-trip digits, which is what Java
 * prints since JDK 19.
 */
export function javaDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** A fraction as a Java-printed percentage: 0.5 → `50.0`, 0.9971751412429379 → `99.71751412429379`. */
export function javaPercent(fraction: number): string {
  return javaDouble(fraction * 100);
}

/** `part` of `whole` as a Java-printed percentage, rounded once (1202 of 2000 → `60.1`, not `60.099999999999994`). */
export function percentOf(part: number, whole: number): string {
  return javaDouble((part * 100) / whole);
}

/** A value quoted for a message: text in single quotes, numbers as they print. */
export function quoteValue(value: string | number): string {
  return typeof value === 'number' ? String(value) : `'${value}'`;
}
