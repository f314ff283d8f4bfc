/**
 * The demo's self-contained HTML report (`report.html`): inline SVG charts (training curves, group sparsity
 * per layer over time, accuracy bars, latency bars), the summary tables and the goals. No scripts, no network.
 */
import { barChart, esc, lineChart, PALETTE } from './charts';
import { formatInt, formatPercent, formatPoints, formatRatio } from './format';
import type { DemoSummary } from './summary';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f4f4f4}
td.l,th.l{text-align:left}.met{color:#2a7a2a}.unmet{color:#b23b3b}
.charts{display:flex;flex-wrap:wrap;gap:16px}
svg text{font-size:11px;fill:#333}svg .title{font-size:13px;font-weight:600}svg .axis-label{font-size:12px}
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#888}svg .baseline{stroke:#999;stroke-dasharray:2 2}
svg .point-label{font-size:10px;fill:#555}
.meta{color:#555}pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px}
`;

/** Training-curve charts (loss and accuracy per epoch, dense vs sparse). */
export function curveCharts(s: DemoSummary): string {
  const d = s.curves.dense;
  const sp = s.curves.sparse;
  const switchEpoch = sp.filter((r) => r.phase === 'wgsef').length;
  const markers = switchEpoch > 0 && switchEpoch < sp.length ? [{ x: switchEpoch + 0.5, label: 'HSPG' }] : [];
  const loss = lineChart(
    [
      { label: 'dense (train)', points: d.map((r) => ({ x: r.epoch, y: r.loss })), color: PALETTE[0] },
      { label: 'WGSEF+HSPG (train)', points: sp.map((r) => ({ x: r.epoch, y: r.loss })), color: PALETTE[1] },
    ],
    { title: 'Training loss per epoch', xLabel: 'epoch', yLabel: 'cross-entropy', markers, yFromZero: true },
  );
  const accSeries = [
    { label: 'dense train', points: d.map((r) => ({ x: r.epoch, y: r.acc })), color: PALETTE[0] },
    { label: 'sparse train', points: sp.map((r) => ({ x: r.epoch, y: r.acc })), color: PALETTE[1] },
  ];
  if (d.some((r) => r.valAcc !== null)) {
    accSeries.push(
      {
        label: 'dense val',
        points: d.map((r) => ({ x: r.epoch, y: r.valAcc ?? Number.NaN })),
        color: PALETTE[0],
        dash: true,
      } as (typeof accSeries)[number],
      {
        label: 'sparse val',
        points: sp.map((r) => ({ x: r.epoch, y: r.valAcc ?? Number.NaN })),
        color: PALETTE[1],
        dash: true,
      } as (typeof accSeries)[number],
    );
  }
  const acc = lineChart(accSeries, {
    title: 'Accuracy per epoch',
    xLabel: 'epoch',
    yLabel: 'accuracy',
    markers,
  });
  return loss + acc;
}

/** Nonzero groups per layer (as a fraction of the layer's groups) over training, from the prox callbacks. */
export function sparsityChart(s: DemoSummary): string {
  const layers = s.groups.layers;
  const h = s.sparsityHistory;
  const switchAt = h.find((p) => p.phase === 'hspg')?.epoch;
  const series = layers.map((l, i) => ({
    label: `${l.layer} (${l.total})`,
    points: h.map((p) => ({ x: p.epoch, y: (p.layers[l.layer] ?? 0) / Math.max(1, l.total) })),
    color: PALETTE[i % PALETTE.length] as string,
  }));
  const requested = layers.map((l, i) => ({
    label: `k ${l.layer} = ${l.requested}`,
    points: h.length
      ? [h[0] as (typeof h)[number], h[h.length - 1] as (typeof h)[number]].map((p) => ({
          x: p.epoch,
          y: l.requested / Math.max(1, l.total),
        }))
      : [],
    color: PALETTE[i % PALETTE.length] as string,
    dash: true,
  }));
  return lineChart([...series, ...requested], {
    title: 'Nonzero groups per layer during training',
    xLabel: 'epoch',
    yLabel: 'fraction of groups nonzero',
    yDomain: [0, 1],
    dots: false,
    markers: switchAt !== undefined ? [{ x: switchAt, label: 'HSPG' }] : [],
  });
}

/** Accuracy bars: dense, pruned before and after its fine-tune. */
export function accuracyChart(s: DemoSummary): string {
  const a = s.accuracy;
  const measured = [a.dense, a.pruned, a.prunedBeforeFineTune];
  const lo = Math.max(0, Math.floor(Math.min(...measured) * 10) / 10 - 0.1);
  return barChart(
    ['test accuracy'],
    [
      { label: 'dense', values: [a.dense], color: PALETTE[0] },
      { label: 'pruned, before fine-tune', values: [a.prunedBeforeFineTune], color: PALETTE[5] },
      { label: 'pruned, fine-tuned', values: [a.pruned], color: PALETTE[1] },
    ],
    {
      title: 'Test accuracy (same training epochs)',
      yLabel: 'accuracy',
      format: (v) => formatPercent(v),
      yDomain: [lo, 1],
    },
  );
}

/** Latency bars (median ms per batch) per batch size, dense vs pruned. */
export function latencyCharts(s: DemoSummary): string {
  const cells = s.latency.cells;
  if (cells.length === 0) return '<p>No latency measured.</p>';
  return cells
    .map((c) =>
      barChart(
        [`${c.backend} batch ${c.batchSize}`],
        [
          { label: 'dense', values: [c.denseMs], color: PALETTE[0] },
          { label: 'pruned', values: [c.prunedMs], color: PALETTE[1] },
        ],
        {
          title: `Latency, batch ${c.batchSize}: ${formatRatio(c.speedup)} faster (MAC ratio ${formatRatio(c.macRatio)})`,
          yLabel: `median ms (${s.latency.clock} clock)`,
          format: (v) => `${v.toFixed(v < 1 ? 3 : 2)} ms`,
        },
      ),
    )
    .join('');
}

function row(cells: Array<string | number>, firstLeft = true): string {
  return `<tr>${cells.map((c, i) => `<td${i === 0 && firstLeft ? ' class="l"' : ''}>${esc(String(c))}</td>`).join('')}</tr>`;
}

/** Renders the whole report page. */
export function renderReport(s: DemoSummary): string {
  const a = s.accuracy;
  const summaryRows = [
    row(['test accuracy', formatPercent(a.dense), formatPercent(a.pruned), formatPoints(a.dropPoints)]),
    row(['pruned, before its fine-tune', '', formatPercent(a.prunedBeforeFineTune), '']),
    row([
      'parameters',
      formatInt(s.costs.paramsBefore),
      formatInt(s.costs.paramsAfter),
      `${formatRatio(s.costs.compression)} smaller`,
    ]),
    row([
      'MACs per image',
      formatInt(s.costs.macsBefore),
      formatInt(s.costs.macsAfter),
      `${formatRatio(s.costs.macRatio)} fewer`,
    ]),
    ...s.latency.cells.map((c) =>
      row([
        `latency ${c.backend} batch ${c.batchSize} (median ms${c.noisy ? ', noisy' : ''})`,
        c.denseMs.toFixed(3),
        c.prunedMs.toFixed(3),
        `${formatRatio(c.speedup)} (paired ${formatRatio(c.pairedSpeedup)}) vs MAC ratio ${formatRatio(c.macRatio)}`,
      ]),
    ),
  ].join('');
  const groupRows = s.groups.layers
    .map((l) =>
      row([
        l.layer,
        l.total,
        l.requested,
        l.nonzeroAfterPhase1 ?? '-',
        l.nonzeroBeforeFinalize,
        l.kept,
        l.prunedWidth ?? '-',
      ]),
    )
    .join('');
  const goals = s.goals
    .map(
      (g) =>
        `<li class="${g.met ? 'met' : 'unmet'}">${g.met ? '✔' : '✘'} ${esc(g.goal)}: ${esc(g.detail)}</li>`,
    )
    .join('');
  const timings = Object.entries(s.timings)
    .map(([k, v]) => `${esc(k)} ${v.toFixed(1)} s`)
    .join(' · ');
  const env = s.environment;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(s.title)}</title><style>${STYLE}</style></head><body>
<h1>${esc(s.title)}</h1>
<pre>${esc(s.command)}</pre>
<p class="meta">${esc(s.date)} · Node ${esc(env.node)} · ${esc(env.platform)} · ${env.cpus} CPU (${esc(env.cpuModel)}) · tfjs ${esc(env.tfjs)}<br>
Backend <b>${esc(s.backend.name)}</b>: ${esc(s.backend.reason)}<br>
Fashion-MNIST <b>${esc(s.data.source)}</b> (${esc(s.data.dir)}): ${formatInt(s.data.train)} training images, ${formatInt(s.data.val)} held-out validation, ${formatInt(s.data.test)} test<br>
${timings}</p>
<h2>Goals</h2><ul>${goals}</ul>
<h2>Summary</h2>
<table><tr><th class="l"></th><th>dense</th><th>pruned</th><th>change</th></tr>${summaryRows}</table>
<h2>Groups (filters / neurons) per layer</h2>
<table><tr><th class="l">layer</th><th>groups</th><th>requested k</th><th>nonzero after WGSEF phase</th><th>nonzero before final finalize</th><th>kept after finalize</th><th>pruned width</th></tr>${groupRows}</table>
<h2>Training</h2>
<div class="charts">${curveCharts(s)}${sparsityChart(s)}</div>
<h2>Accuracy and latency</h2>
<div class="charts">${accuracyChart(s)}${latencyCharts(s)}</div>
<h2>Settings</h2>
<pre>${esc(JSON.stringify(s.settings, null, 2))}</pre>
</body></html>
`;
}
