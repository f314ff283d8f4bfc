/** The terminal rendering of a latency report, as a box table (cli-table3). */
import Table from 'cli-table3';
import type { LatencyReport } from '../types';
import { formatCount, formatEfficiency, formatMs, formatRatio, formatThroughput } from './format';

/**
 * Renders `report` as a terminal table: one row per backend x batch x model with median, p10/p90, min-max,
 * throughput, MACs, speedup, MAC ratio and efficiency; noisy rows are marked with "!".
 *
 * @example
 * console.log(toTerminalTable(report));
 */
export function toTerminalTable(report: LatencyReport, options: { color?: boolean } = {}): string {
  const table = new Table({
    head: [
      'backend',
      'batch',
      'model',
      'median ms',
      'p10–p90 ms',
      'min–max ms',
      'samples/s',
      'MACs/sample',
      'speedup',
      'MAC ratio',
      'efficiency',
    ],
    colAligns: [
      'left',
      'right',
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ],
    style: options.color ? {} : { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of report.results) {
    table.push([
      r.backend,
      String(r.batchSize),
      `${r.model}${r.noisy ? ' !' : ''}`,
      formatMs(r.median),
      `${formatMs(r.p10)}–${formatMs(r.p90)}`,
      `${formatMs(r.min)}–${formatMs(r.max)}`,
      formatThroughput(r.throughput),
      formatCount(r.macs),
      formatRatio(r.speedup),
      formatRatio(r.macRatio),
      formatEfficiency(r.efficiency),
    ]);
  }
  let out = table.toString();
  if (report.results.some((r) => r.noisy)) {
    out += `\n! noisy: min–max spread above ${report.settings.noiseThreshold} × median; trust that median less.`;
  }
  return out;
}
