/** Renders the finalize + prune outcome: headline tiles and a per-layer table. */
import { compact, esc } from './dom';
import type { PruneOutcome } from './pruning';
import type { LayerBudget } from './training';

function tile(label: string, value: string, sub: string, tone = ''): string {
  return `<div class="tile ${tone}"><div class="label">${esc(label)}</div><div class="value">${value}</div><div class="sub">${sub}</div></div>`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** Writes the result into `el`. */
export function renderPrune(el: HTMLElement, out: PruneOutcome, budgets: LayerBudget[]): void {
  const r = out.report;
  const eq = r.equivalence;
  const equal = eq ? eq.maxRelativeDifference <= eq.tolerance : false;
  const tiles = [
    tile(
      'parameters',
      compact(r.total.paramsAfter),
      `from ${compact(r.total.paramsBefore)} · ${r.compressionRatio.toFixed(1)}× smaller`,
    ),
    tile(
      'MACs per image',
      compact(r.total.macsAfter),
      `from ${compact(r.total.macsBefore)} · ${r.macsRatio.toFixed(1)}× fewer`,
    ),
    tile(
      'outputs equal',
      equal ? '✓ yes' : '✗ no',
      eq
        ? `max rel. diff ${eq.maxRelativeDifference.toExponential(1)} ≤ ${eq.tolerance.toExponential(0)} · test set max |Δ| ${out.testMaxAbsDiff.toExponential(1)}`
        : 'not checked',
      equal ? 'good' : 'bad',
    ),
    tile(
      'test accuracy',
      pct(out.accuracy.pruned),
      `sparse model ${pct(out.accuracy.sparse)} · 500 test images`,
    ),
    tile(
      'groups removed',
      String(r.groupsRemoved),
      `finalize ${out.finalize.nonzeroBefore} → ${out.finalize.nonzeroAfter} nonzero · ${(out.ms.finalize + out.ms.prune).toFixed(0)} ms`,
    ),
  ].join('');
  const keepOf = new Map(budgets.map((b) => [b.layer, b]));
  const rows = r.layers
    .filter((l) => l.paramsBefore > 0)
    .map((l) => {
      const b = keepOf.get(l.layerName);
      const kept = l.paramsBefore ? l.paramsAfter / l.paramsBefore : 1;
      return `<tr>
        <td><b>${esc(l.layerName)}</b> <span class="muted">${esc(l.className)}</span></td>
        <td class="num">${b ? `${b.keep} / ${b.groups}` : '–'}</td>
        <td class="num">${compact(l.paramsBefore)}</td>
        <td class="num">${compact(l.paramsAfter)}</td>
        <td><span class="meter"><span style="width:${(100 * kept).toFixed(1)}%"></span></span>${pct(kept)}</td>
        <td class="num">${compact(l.macsBefore)} → ${compact(l.macsAfter)}</td>
      </tr>`;
    })
    .join('');
  el.className = 'result';
  el.innerHTML = `<div class="tiles">${tiles}</div>
    <table>
      <thead><tr><th>layer</th><th class="num">groups kept</th><th class="num">params before</th><th class="num">after</th><th>kept</th><th class="num">MACs</th></tr></thead>
      <tbody>${rows}</tbody>
    </table>`;
}
