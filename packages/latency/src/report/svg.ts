/**
 * Minimal inline-SVG charts for the HTML report, drawn server-side with d3-scale (scales, nice ticks) and
 * d3-shape (line paths); no JavaScript runs in the page. Three charts: latency per batch size, latency vs MACs,
 * and measured speedup vs the ideal (MAC ratio).
 */
import { scaleBand, scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import type { LatencyReport } from '../types';
import { formatCount, formatMs } from './format';
import {
  axisCount,
  axisNumber,
  type ChartScale as Scale,
  chartLayout,
  esc,
  labelWidth,
  PALETTE,
} from './svg-kit';

const { innerW, innerH, frame, legend, yAxis, xAxis } = chartLayout({
  width: 640,
  height: 340,
  margin: { top: 28, right: 170, bottom: 52, left: 64 },
});

/**
 * Readable ticks on a log axis: labels at 1, 2, 5 x 10^k, or only at powers of ten when the axis spans more
 * than three decades (other ticks keep their grid line but get no label).
 */
function logTickFormat(v: number, fmt: (v: number) => string, domainValues: [number, number]): string {
  const decades = Math.log10(domainValues[1] / domainValues[0]);
  const mant = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  const keep = decades > 3 ? [1] : [1, 2, 5];
  return keep.some((m) => Math.abs(mant - m) < 1e-6) ? fmt(v) : '';
}

/** On a log axis, powers of ten keep their label first, then 5 x 10^k, then 2 x 10^k. */
function logTickPriority(v: number): number {
  const mant = Math.round((v / 10 ** Math.floor(Math.log10(v) + 1e-9)) * 1e6) / 1e6;
  return mant === 1 ? 2 : mant === 5 ? 1 : 0;
}

function domain(values: number[], pad = 1.25): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? [lo / 2, hi * 2] : [lo / pad, hi * pad];
}

/**
 * Median latency (with a p10-p90 whisker) against batch size, one line per model and backend, log-log axes.
 */
export function latencyPerBatchChart(report: LatencyReport): string {
  const rs = report.results;
  const batches = [...new Set(rs.map((r) => r.batchSize))].sort((a, b) => a - b);
  const x = scaleLog()
    .domain(
      batches.length > 1 ? [batches[0]!, batches[batches.length - 1]!] : [batches[0]! / 2, batches[0]! * 2],
    )
    .range([20, innerW - 20]);
  const y = scaleLog()
    .domain(domain(rs.flatMap((r) => [r.p10, r.p90])))
    .range([innerH, 0])
    .nice();
  const series = [...new Set(rs.map((r) => `${r.model} · ${r.backend}`))];
  const models = report.models.map((m) => m.name);
  const backends = report.settings.backends;
  let body = yAxis(y as Scale, (v) => logTickFormat(v, axisNumber, y.domain() as [number, number]));
  body += `<line x1="0" x2="${innerW}" y1="${innerH}" y2="${innerH}" class="axis"/>`;
  body += batches
    .map((b) => `<text x="${x(b)}" y="${innerH + 16}" text-anchor="middle">${b}</text>`)
    .join('');
  const items: Array<{ label: string; color: string; dash?: boolean }> = [];
  for (const s of series) {
    const pts = rs.filter((r) => `${r.model} · ${r.backend}` === s).sort((a, b) => a.batchSize - b.batchSize);
    const first = pts[0]!;
    const color = PALETTE[models.indexOf(first.model) % PALETTE.length]!;
    const dash = backends.indexOf(first.backend) % 2 === 1;
    const path = line<(typeof pts)[number]>()
      .x((r) => x(r.batchSize))
      .y((r) => y(r.median))(pts);
    body += `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash ? ' stroke-dasharray="4 3"' : ''}/>`;
    for (const r of pts) {
      body +=
        `<line x1="${x(r.batchSize)}" x2="${x(r.batchSize)}" y1="${y(r.p10)}" y2="${y(r.p90)}" stroke="${color}"/>` +
        `<circle cx="${x(r.batchSize)}" cy="${y(r.median)}" r="3.5" fill="${color}"><title>${esc(
          `${r.model} ${r.backend} batch ${r.batchSize}: median ${formatMs(r.median)} ms (p10 ${formatMs(r.p10)}, p90 ${formatMs(r.p90)})`,
        )}</title></circle>`;
    }
    items.push({ label: s, color, dash });
  }
  body += legend(items);
  return frame('Latency per batch size (median, p10–p90)', body, 'batch size', 'ms per batch (log)');
}

/** Median latency against MACs per batch, one point per model x batch x backend, log-log axes. */
export function latencyVsMacsChart(report: LatencyReport): string {
  const rs = report.results.filter((r) => r.macsPerBatch !== null && r.macsPerBatch > 0);
  if (rs.length === 0) return '<p>No MAC counts available: latency vs MACs cannot be drawn.</p>';
  const x = scaleLog()
    .domain(domain(rs.map((r) => r.macsPerBatch!)))
    .range([0, innerW])
    .nice();
  const y = scaleLog()
    .domain(domain(rs.map((r) => r.median)))
    .range([innerH, 0])
    .nice();
  const models = report.models.map((m) => m.name);
  // Point labels only while they stay readable; every point keeps a hover title.
  const labelPoints = rs.length <= 8;
  let body = yAxis(y as Scale, (v) => logTickFormat(v, axisNumber, y.domain() as [number, number]));
  body += xAxis(
    x as Scale,
    (v) => logTickFormat(v, axisCount, x.domain() as [number, number]),
    8,
    logTickPriority,
  );
  for (const r of rs) {
    const color = PALETTE[models.indexOf(r.model) % PALETTE.length]!;
    body +=
      `<circle cx="${x(r.macsPerBatch!)}" cy="${y(r.median)}" r="4.5" fill="${color}" fill-opacity="0.85"><title>${esc(
        `${r.model} ${r.backend} batch ${r.batchSize}: ${formatCount(r.macsPerBatch)} MACs, ${formatMs(r.median)} ms`,
      )}</title></circle>` +
      (labelPoints
        ? `<text x="${x(r.macsPerBatch!) + 7}" y="${y(r.median) - 5}" class="point-label">${esc(
            `b${r.batchSize} ${r.backend}`,
          )}</text>`
        : '');
  }
  body += legend(models.map((name, i) => ({ label: name, color: PALETTE[i % PALETTE.length]! })));
  return frame('Latency vs MACs per batch', body, 'MACs per batch (log)', 'median ms per batch (log)');
}

/**
 * For every non-baseline model: measured speedup (solid) next to the ideal speedup, the MAC ratio (hatched
 * outline), per backend and batch size; the label above is the efficiency (speedup / MAC ratio).
 */
export function speedupVsIdealChart(report: LatencyReport): string {
  const baseline = report.models[0]?.name;
  const rs = report.results.filter((r) => r.model !== baseline);
  if (rs.length === 0) return '<p>Only one model: no speedup to chart.</p>';
  const groups = [...new Set(rs.map((r) => `${r.backend} b${r.batchSize}`))];
  const models = report.models.map((m) => m.name).filter((n) => n !== baseline);
  const x0 = scaleBand().domain(groups).range([0, innerW]).padding(0.2);
  const x1 = scaleBand().domain(models).range([0, x0.bandwidth()]).padding(0.1);
  const y = scaleLinear()
    .domain([0, Math.max(1, ...rs.flatMap((r) => [r.speedup, r.macRatio ?? 0])) * 1.15])
    .range([innerH, 0])
    .nice();
  let body = yAxis(y as unknown as Scale, (v) => `${v}x`);
  body += `<line x1="0" x2="${innerW}" y1="${y(1)}" y2="${y(1)}" class="baseline"/>`;
  body += `<line x1="0" x2="${innerW}" y1="${innerH}" y2="${innerH}" class="axis"/>`;
  // Group labels that do not fit their band go on two lines (backend, then batch) instead of overlapping.
  const twoLines = groups.some((g) => labelWidth(g) + 6 > x0.step());
  body += groups
    .map((g) => {
      const cx = x0(g)! + x0.bandwidth() / 2;
      if (!twoLines) return `<text x="${cx}" y="${innerH + 16}" text-anchor="middle">${esc(g)}</text>`;
      const [backend, batch] = [g.slice(0, g.lastIndexOf(' ')), g.slice(g.lastIndexOf(' ') + 1)];
      return `<text x="${cx}" y="${innerH + 14}" text-anchor="middle"><tspan x="${cx}">${esc(backend)}</tspan><tspan x="${cx}" dy="12">${esc(batch)}</tspan></text>`;
    })
    .join('');
  // Efficiency labels sit above each model's bar pair; when the pairs are too narrow they would collide.
  const showEfficiency = labelWidth('0.00') * (10 / 11) + 4 <= x1.step();
  for (const r of rs) {
    const color = PALETTE[(models.indexOf(r.model) + 1) % PALETTE.length]!;
    const gx = x0(`${r.backend} b${r.batchSize}`)! + x1(r.model)!;
    const bw = x1.bandwidth();
    const half = bw / 2;
    body += `<rect x="${gx}" y="${y(r.speedup)}" width="${half}" height="${innerH - y(r.speedup)}" fill="${color}"><title>${esc(
      `${r.model} ${r.backend} b${r.batchSize}: measured speedup ${r.speedup.toFixed(2)}x`,
    )}</title></rect>`;
    if (r.macRatio !== null) {
      body += `<rect x="${gx + half}" y="${y(r.macRatio)}" width="${half}" height="${innerH - y(r.macRatio)}" fill="none" stroke="${color}" stroke-width="2" stroke-dasharray="4 3"><title>${esc(
        `ideal (MAC ratio) ${r.macRatio.toFixed(2)}x; efficiency ${(r.efficiency ?? 0).toFixed(2)}`,
      )}</title></rect>`;
      if (showEfficiency)
        body += `<text x="${gx + half}" y="${Math.min(y(r.speedup), y(r.macRatio)) - 5}" text-anchor="middle" class="point-label">${(
          r.efficiency ?? 0
        ).toFixed(2)}</text>`;
    }
  }
  body += legend([
    ...models.map((m, i) => ({ label: m, color: PALETTE[(i + 1) % PALETTE.length]! })),
    { label: 'ideal (MAC ratio)', color: '#555', dash: true },
  ]);
  return frame(
    `Speedup vs ideal (against ${baseline}); ${showEfficiency ? 'label = efficiency' : 'efficiency in the tooltips'}`,
    body,
    'backend · batch',
    'speedup',
  );
}
