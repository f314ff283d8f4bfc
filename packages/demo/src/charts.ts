/**
 * Inline-SVG line and bar charts for the demo report, drawn server-side with d3-scale and d3-shape on the chart
 * layout (frame, legend, axes, palette) that @klevel/latency's report charts use.
 * No JavaScript runs in the page and nothing is loaded from the network.
 */

import { scaleBand, scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { axisNumber, chartLayout, esc, PALETTE } from './svg-kit';

export { esc, PALETTE };

const { innerW, innerH, frame, legend, yAxis, xAxis } = chartLayout({
  width: 560,
  height: 320,
  margin: { top: 28, right: 140, bottom: 44, left: 58 },
});
const tickLabel = axisNumber;

/** A series of a line chart. */
export interface LineSeries {
  label: string;
  points: Array<{ x: number; y: number }>;
  color?: string;
  dash?: boolean;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Fixed y domain (default: the data's range, from 0 when `yFromZero`). */
  yDomain?: [number, number];
  yFromZero?: boolean;
  /** Vertical marker lines, e.g. the phase switch. */
  markers?: Array<{ x: number; label: string }>;
  /** Draw a dot on every point (default: when a series has at most 40 points). */
  dots?: boolean;
}

function extent(values: number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** A linear-axes line chart, one path per series, with a legend and optional vertical markers. */
export function lineChart(series: LineSeries[], o: LineChartOptions): string {
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (all.length === 0) return `<p>${esc(o.title)}: no data.</p>`;
  const [x0, x1] = extent(all.map((p) => p.x));
  const ys = all.map((p) => p.y);
  const yd = o.yDomain ?? (o.yFromZero ? [0, Math.max(...ys)] : extent(ys));
  const x = scaleLinear().domain([x0, x1]).range([0, innerW]).nice();
  const y = scaleLinear().domain(yd).range([innerH, 0]).nice();
  let body = yAxis(y, tickLabel);
  body += xAxis(x, tickLabel, 8);
  for (const m of o.markers ?? []) {
    body += `<line x1="${x(m.x)}" x2="${x(m.x)}" y1="0" y2="${innerH}" class="baseline"/><text x="${x(m.x) + 3}" y="10" class="point-label">${esc(m.label)}</text>`;
  }
  const items: Array<{ label: string; color: string; dash?: boolean }> = [];
  series.forEach((s, i) => {
    const color = s.color ?? (PALETTE[i % PALETTE.length] as string);
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    const d = line<{ x: number; y: number }>()
      .x((p) => x(p.x))
      .y((p) => y(p.y))(pts);
    if (d) {
      body += `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dash ? ' stroke-dasharray="4 3"' : ''}/>`;
    }
    if (o.dots ?? pts.length <= 40) {
      for (const p of pts) {
        body += `<circle cx="${x(p.x)}" cy="${y(p.y)}" r="3" fill="${color}"><title>${esc(`${s.label}: ${tickLabel(p.x)}, ${tickLabel(p.y)}`)}</title></circle>`;
      }
    }
    items.push({ label: s.label, color, ...(s.dash ? { dash: true } : {}) });
  });
  body += legend(items);
  return frame(o.title, body, o.xLabel, o.yLabel);
}

/** A grouped bar chart: categories on x, one bar per series in each category. */
export interface BarChartOptions {
  title: string;
  yLabel: string;
  xLabel?: string;
  /** Format of the value printed above each bar. */
  format?: (v: number) => string;
  /** Fixed y domain (default [0, max * 1.15]). */
  yDomain?: [number, number];
}

/** Grouped bars; `values[s][c]` is series s in category c (null = no bar). */
export function barChart(
  categories: string[],
  series: Array<{ label: string; values: Array<number | null>; color?: string }>,
  o: BarChartOptions,
): string {
  const vals = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  if (categories.length === 0 || vals.length === 0) return `<p>${esc(o.title)}: no data.</p>`;
  const fmt = o.format ?? tickLabel;
  const x0 = scaleBand().domain(categories).range([0, innerW]).padding(0.2);
  const x1 = scaleBand()
    .domain(series.map((s) => s.label))
    .range([0, x0.bandwidth()])
    .padding(0.08);
  const y = scaleLinear()
    .domain(o.yDomain ?? [0, Math.max(...vals) * 1.15])
    .range([innerH, 0])
    .nice();
  const [ylo] = y.domain() as [number, number];
  let body = yAxis(y, tickLabel);
  body += `<line x1="0" x2="${innerW}" y1="${innerH}" y2="${innerH}" class="axis"/>`;
  body += categories
    .map(
      (c) =>
        `<text x="${(x0(c) as number) + x0.bandwidth() / 2}" y="${innerH + 16}" text-anchor="middle">${esc(c)}</text>`,
    )
    .join('');
  series.forEach((s, si) => {
    const color = s.color ?? (PALETTE[si % PALETTE.length] as string);
    s.values.forEach((v, ci) => {
      if (v === null || !Number.isFinite(v)) return;
      const c = categories[ci] as string;
      const bx = (x0(c) as number) + (x1(s.label) as number);
      const top = y(Math.max(v, ylo));
      body +=
        `<rect x="${bx}" y="${top}" width="${x1.bandwidth()}" height="${Math.max(0, innerH - top)}" fill="${color}"><title>${esc(`${s.label}, ${c}: ${fmt(v)}`)}</title></rect>` +
        `<text x="${bx + x1.bandwidth() / 2}" y="${top - 4}" text-anchor="middle" class="point-label">${esc(fmt(v))}</text>`;
    });
  });
  body += legend(
    series.map((s, i) => ({ label: s.label, color: s.color ?? (PALETTE[i % PALETTE.length] as string) })),
  );
  return frame(o.title, body, o.xLabel ?? '', o.yLabel);
}
