/**
 * A double as Java's Double.toString writes it, which is how ThingsBoard writes DOUBLE values into metadata,
 * JSON and text: always with a fraction (`42.0`), and in computerized scientific notation outside
 * [10^-3, 10^7) (`1.0E7`, `1.0E-4`); `-0` is `-0.0`. Java (JDK 19+) and JavaScript both pick the shortest
 * digits that identify the double, so only the layout differs from JavaScript's.
 */
export function javaDoubleToString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}
