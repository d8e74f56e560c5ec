// @ts-check
'use strict';

/**
 * Small statistics helpers. Every figure is a median over rounds of a per-run value,
 * because on a shared 2-core machine one disturbed run must not move the result.
 */

/** @param {number[]} values */
function median(values) {
  return percentile(values, 50);
}

/**
 * Nearest-rank percentile (no interpolation): p99 of 2000 samples is a real sample,
 * the 1980th, which is what a reader of "p99" expects.
 * @param {number[]} values
 * @param {number} p 0..100
 */
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Ratio that stays printable when the denominator is 0 or missing. */
function ratio(/** @type {number} */ a, /** @type {number} */ b) {
  return b > 0 && Number.isFinite(a) ? a / b : NaN;
}

/** Fixed decimals, and "-" for NaN so a failed figure still prints one tidy line. */
function fmt(/** @type {number} */ n, digits = 2) {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

/** "10^6" for powers of ten, else the plain number: how the issue names the sizes. */
function pow10(/** @type {number} */ n) {
  const e = Math.log10(n);
  return Number.isInteger(e) ? `10^${e}` : String(n);
}

module.exports = { median, percentile, ratio, fmt, pow10 };
