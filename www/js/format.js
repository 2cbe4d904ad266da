// Number formatting shared by every view: one Intl formatter each, since toLocaleString
// builds a new one per call (milliseconds per render on long sequences).

const NUMBER = new Intl.NumberFormat('en-US');
// Axis numbers without exponents: 3510 -> "3,510", 0.01234 -> "0.0123".
const AXIS = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/** An integer or decimal with thousands separators: 1234567 -> "1,234,567". */
export const fmt = (n) => NUMBER.format(n);

/** A share in [0, 1] as a percentage with one decimal; null (no data) as a dash. */
export const pct = (x) => (x == null ? '–' : `${(100 * x).toFixed(1)}%`);

/** An axis label: three significant digits, never in exponent notation. */
export const axisNum = (x) => AXIS.format(x);

/** A duration: whole milliseconds under a second, else seconds with one decimal. */
export const duration = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** The smallest round step (1, 2 or 5 times a power of ten) at least `raw`. */
export function niceTick(raw) {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** "1 strategy", "3 strategies": a count with its noun in the right number. */
export const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : many}`;
