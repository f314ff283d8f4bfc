/** Number formatting shared by the terminal, Markdown and HTML reports. */

/** Milliseconds with 3 significant digits (at least 2 decimals below 10 ms). */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 10) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** Counts with an SI suffix: 1234567 -> "1.23 M". */
export function formatCount(n: number | null): string {
  if (n === null) return 'n/a';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

/** Bytes in KiB/MiB. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** A ratio as "3.12x", or "n/a". */
export function formatRatio(x: number | null): string {
  return x === null ? 'n/a' : `${x.toFixed(2)}x`;
}

/** Efficiency (speedup / MAC ratio) as a plain number, or "n/a". */
export function formatEfficiency(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(2);
}

/** Samples per second. */
export function formatThroughput(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}
