/** Number formatters shared by the demo's terminal table, its HTML report and the paper report. Pure. */

/** Integer with thousands separators: `431080` -> `431,080`. */
export function formatInt(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A fraction in percent: `formatPercent(0.8512)` -> `85.12%`. */
export function formatPercent(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A ratio such as a speedup: `2.50x`; `-` when unknown. */
export function formatRatio(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : `${x.toFixed(2)}x`;
}

/** An accuracy drop in percentage points, signed as a change: `formatPoints(0.85)` -> `-0.85 pt`. */
export function formatPoints(drop: number): string {
  return `${drop > 0 ? '-' : '+'}${Math.abs(drop).toFixed(2)} pt`;
}

/** Seconds as `1h02m`, `3m05s`; `?` when not finite. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}
