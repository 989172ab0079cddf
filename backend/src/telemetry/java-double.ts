/**
 * Java's Double.toString (JDK 19+: shortest round-trip digits, the same digits JavaScript picks):
 * plain decimal with at least one fraction digit when 1e-3 <= |v| < 1e7, else `d.dddE±n`.
 * `42` → "42.0", `1e7` → "1.0E7", `1e-4` → "1.0E-4", `-0` → "-0.0".
 */
export function javaDoubleToString(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(v);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const plain = String(v);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [mantissa, exponent] = v.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}
