/** Small statistics and formatting helpers: medians with spread, ratios, human units. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function min(xs: readonly number[]): number {
  return xs.length ? Math.min(...xs) : NaN;
}

export function max(xs: readonly number[]): number {
  return xs.length ? Math.max(...xs) : NaN;
}

/** `median (min–max)` of timings in ms, or one value when there is one sample. */
export function msSpread(xs: readonly number[], digits?: number): string {
  if (xs.length === 0) return '—';
  const f = (v: number) => fmtMs(v, digits);
  return xs.length === 1 ? f(xs[0]) : `${f(median(xs))} (${f(min(xs))}–${f(max(xs))})`;
}

/** A duration in ms, as ms below 10 s and as s above. */
export function fmtMs(ms: number, digits?: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(digits ?? 1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(digits ?? 1)} ms`;
}

/** The ratio of the medians, with the spread of the per-repetition ratios when paired. */
export function ratio(ours: readonly number[], base: readonly number[]): string {
  if (!ours.length || !base.length) return '—';
  const r = median(ours) / median(base);
  if (ours.length === base.length && ours.length > 1) {
    const paired = ours.map((o, i) => o / base[i]);
    return `${fmtRatio(r)} (${fmtRatio(min(paired))}–${fmtRatio(max(paired))})`;
  }
  return fmtRatio(r);
}

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  if (r >= 100) return `${Math.round(r)}×`;
  if (r >= 10) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
  if (n >= 10 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

export function pct(part: number, whole: number): string {
  if (whole === 0) return '—';
  const p = (100 * part) / whole;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

/** Milliseconds since an arbitrary origin, sub-millisecond. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
