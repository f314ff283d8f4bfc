/**
 * The building blocks of the latency report's inline-SVG charts (internal: not exported by the package): a
 * palette, text escaping, and a chart layout of a given size with its frame, legend and axes. Scales and paths
 * come from d3-scale / d3-shape; this module only places them. No JavaScript runs in the page.
 */

/** Tableau 10, colour-blind friendly enough for a handful of series. */
export const PALETTE: readonly string[] = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** Escapes text for SVG/HTML. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A scale as the axes need it (d3 linear and log scales qualify). */
export type ChartScale = ((v: number) => number) & { ticks(count?: number): number[] };

/** One legend entry. */
export interface LegendItem {
  label: string;
  color: string;
  dash?: boolean;
}

/** Size of a chart: total width and height and the margins around the plot area (legend on the right). */
export interface ChartSize {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
}

/** A chart layout: the plot area's size and the functions that draw around it. */
export interface ChartLayout {
  innerW: number;
  innerH: number;
  /** Wraps the plot body in an `<svg>` with a title and axis labels. */
  frame(title: string, body: string, xLabel: string, yLabel: string): string;
  /** A legend to the right of the plot area. */
  legend(items: LegendItem[]): string;
  /** Horizontal grid lines and labels at the scale's ticks. */
  yAxis(y: ChartScale, format: (v: number) => string, count?: number): string;
  /**
   * The x axis line and labels at the scale's ticks. Labels that would overlap a label already placed are left
   * out (placed in `priority` order, highest first, then left to right), so the axis stays readable.
   */
  xAxis(
    x: ChartScale,
    format: (v: number) => string,
    count?: number,
    priority?: (v: number) => number,
  ): string;
}

/** Estimated width in px of an axis label (11px sans-serif; generous, so estimates err towards fewer labels). */
export function labelWidth(text: string): number {
  return text.length * 6.6;
}

/** Horizontal space kept free between two axis labels, in px. */
const LABEL_GAP = 6;

/**
 * Of the labelled ticks (`{ at, text }`, `at` in px), the ones that fit without overlapping: placed greedily in
 * `priority` order (highest first; ties left to right).
 */
export function fitLabels<T extends { at: number; text: string; priority: number }>(
  ticks: readonly T[],
): T[] {
  const placed: T[] = [];
  const order = ticks
    .filter((t) => t.text !== '')
    .map((t, i) => ({ t, i }))
    .sort((a, b) => b.t.priority - a.t.priority || a.i - b.i);
  for (const { t } of order) {
    const clear = placed.every(
      (p) => Math.abs(p.at - t.at) >= (labelWidth(p.text) + labelWidth(t.text)) / 2 + LABEL_GAP,
    );
    if (clear) placed.push(t);
  }
  return placed.sort((a, b) => a.at - b.at);
}

/**
 * A chart layout of the given size.
 * @example
 * const kit = chartLayout({ width: 560, height: 320, margin: { top: 28, right: 140, bottom: 44, left: 58 } });
 * const svg = kit.frame('Loss', kit.yAxis(y, String) + path, 'epoch', 'loss');
 */
export function chartLayout(size: ChartSize): ChartLayout {
  const { width: W, height: H, margin: M } = size;
  const innerW = W - M.left - M.right;
  const innerH = H - M.top - M.bottom;
  return {
    innerW,
    innerH,
    frame: (title, body, xLabel, yLabel) =>
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">` +
      `<text x="${(W - M.right) / 2}" y="16" text-anchor="middle" class="title">${esc(title)}</text>` +
      `<g transform="translate(${M.left},${M.top})">${body}</g>` +
      `<text x="${M.left + innerW / 2}" y="${H - 8}" text-anchor="middle" class="axis-label">${esc(xLabel)}</text>` +
      `<text transform="translate(14,${M.top + innerH / 2}) rotate(-90)" text-anchor="middle" class="axis-label">${esc(yLabel)}</text>` +
      '</svg>',
    legend: (items) =>
      items
        .map(
          (it, i) =>
            `<g transform="translate(${innerW + 16},${i * 18})"><line x1="0" x2="18" y1="6" y2="6" stroke="${it.color}" stroke-width="3"${
              it.dash ? ' stroke-dasharray="4 3"' : ''
            }/><text x="24" y="10">${esc(it.label)}</text></g>`,
        )
        .join(''),
    yAxis: (y, format, count = 6) =>
      y
        .ticks(count)
        .map(
          (t) =>
            `<g class="tick"><line x1="0" x2="${innerW}" y1="${y(t)}" y2="${y(t)}" class="grid"/><text x="-6" y="${
              y(t) + 4
            }" text-anchor="end">${esc(format(t))}</text></g>`,
        )
        .join(''),
    xAxis: (x, format, count = 6, priority = () => 0) =>
      `<line x1="0" x2="${innerW}" y1="${innerH}" y2="${innerH}" class="axis"/>` +
      fitLabels(x.ticks(count).map((t) => ({ at: x(t), text: format(t), priority: priority(t) })))
        .map((t) => `<text x="${t.at}" y="${innerH + 16}" text-anchor="middle">${esc(t.text)}</text>`)
        .join(''),
  };
}

/** A compact axis number: 3 significant digits, no trailing zeros (0.1, 2.5, 1000). */
export function axisNumber(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** A compact axis count with an SI suffix and no padding zeros: 100k, 2M, 1.5G (table cells keep formatCount). */
export function axisCount(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${axisNumber(v / 1e9)}G`;
  if (abs >= 1e6) return `${axisNumber(v / 1e6)}M`;
  if (abs >= 1e3) return `${axisNumber(v / 1e3)}k`;
  return axisNumber(v);
}
