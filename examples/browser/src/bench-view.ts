/** Renders a dense-vs-pruned latency report: one row of bars per batch size, with the speedup. */
import type { LatencyReport } from '@klevel/latency';
import { esc, ms } from './dom';

/** Writes the report of one backend into `el` (earlier backends' sections are kept above it). */
export function renderBench(el: HTMLElement, report: LatencyReport, backendDetail: string): void {
  const backend = report.settings.backends[0] ?? '?';
  const rows = report.settings.batchSizes
    .map((bs) => {
      const cell = report.results.filter((r) => r.batchSize === bs);
      const dense = cell.find((r) => r.model === 'dense');
      const pruned = cell.find((r) => r.model === 'pruned');
      if (!dense || !pruned) return '';
      const max = Math.max(dense.median, pruned.median);
      const bar = (name: string, v: number) =>
        `<div class="bar-line"><span>${name}</span><div class="bar-track"><div class="bar-fill ${name}" style="width:${((100 * v) / max).toFixed(1)}%"></div></div><span class="ms">${ms(v)}</span></div>`;
      return `<div class="bench-row">
        <div class="bs">batch ${bs}<small>${Math.round(pruned.throughput)} img/s pruned</small></div>
        <div class="bars">${bar('dense', dense.median)}${bar('pruned', pruned.median)}</div>
        <div class="speedup">${pruned.speedup.toFixed(2)}× <small>faster (paired ${pruned.pairedSpeedup.toFixed(2)}×) · ${pruned.macRatio?.toFixed(1) ?? '?'}× fewer MACs</small></div>
      </div>`;
    })
    .join('');
  const section = document.createElement('div');
  section.className = 'bench-section';
  section.dataset.backend = backend;
  const runs = report.results[0]?.timesMs.length ?? 0;
  section.innerHTML = `<h3>${esc(backend)} <span class="muted">${esc(backendDetail)}</span></h3>
    <div class="bench-rows">${rows}</div>
    <p class="bench-meta">speedup: ratio of the medians (paired: median of the per-round ratios) · median of ${runs} interleaved runs per model after ${report.settings.warmupRuns} warm-up runs · tfjs ${esc(report.environment.tfjs)} · ${esc(new Date(report.date).toLocaleString())}</p>`;
  el.querySelector(`.bench-section[data-backend="${backend}"]`)?.remove();
  if (el.classList.contains('empty')) {
    el.classList.remove('empty');
    el.replaceChildren();
  }
  el.prepend(section);
}
