/**
 * The two live charts (uPlot, canvas): training loss per batch, coloured by phase, and the nonzero groups of
 * every layer as a share of its groups, with each layer's budget k as a dashed line. Points are appended per
 * batch and drawn at most once per animation frame.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LayerBudget, StepEvent } from './training';

/** Colours of the phases and of the layers (colour-blind-safe, Okabe-Ito order). */
export const PHASE_COLORS = { 'prox-sgd': '#0072b2', hspg: '#d55e00' } as const;
export const LAYER_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00'];

const AXIS = {
  stroke: '#5b6472',
  grid: { stroke: '#e8ebf0', width: 1 },
  ticks: { stroke: '#e8ebf0', width: 1 },
  font: '12px Inter, system-ui, sans-serif',
};

/**
 * A uPlot plugin drawing a dashed vertical line with a label where HSPG starts (the first HSPG batch); `at`
 * returns that batch or undefined before it.
 */
function phaseMarker(at: () => number | undefined): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const x0 = at();
        if (x0 === undefined) return;
        const x = Math.round(u.valToPos(x0 - 0.5, 'x', true));
        const { top, height } = u.bbox;
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = PHASE_COLORS.hspg;
        ctx.globalAlpha = 0.7;
        ctx.setLineDash([4, 4]);
        ctx.lineWidth = devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.globalAlpha = 1;
        ctx.fillStyle = PHASE_COLORS.hspg;
        ctx.font = `${11 * devicePixelRatio}px Inter, system-ui, sans-serif`;
        ctx.fillText('HSPG →', x + 5 * devicePixelRatio, top + 12 * devicePixelRatio);
        ctx.restore();
      },
    },
  };
}

/** A live chart: append steps, or clear it. */
export interface LiveChart {
  push(e: StepEvent): void;
  reset(budgets?: LayerBudget[]): void;
}

function widthOf(el: HTMLElement): number {
  return Math.max(280, el.clientWidth);
}

/** Keeps the chart as wide as its container. */
function followWidth(el: HTMLElement, plot: () => uPlot | undefined): void {
  new ResizeObserver(() => {
    const p = plot();
    if (p && p.width !== widthOf(el)) p.setSize({ width: widthOf(el), height: p.height });
  }).observe(el);
}

function scheduler(draw: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      draw();
    });
  };
}

/** Loss per batch: one series per phase, so the switch to HSPG shows as a change of colour. */
export function lossChart(el: HTMLElement): LiveChart {
  let x: number[] = [];
  let prox: (number | null)[] = [];
  let half: (number | null)[] = [];
  let hspgAt: number | undefined;
  const plot = new uPlot(
    {
      plugins: [phaseMarker(() => hspgAt)],
      width: widthOf(el),
      height: 240,
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { ...AXIS, label: 'batch', labelSize: 18, labelFont: AXIS.font },
        { ...AXIS, label: 'loss', labelSize: 18, labelFont: AXIS.font, size: 48 },
      ],
      series: [
        {},
        { label: 'prox-SGD (WGSEF)', stroke: PHASE_COLORS['prox-sgd'], width: 1.6, spanGaps: false },
        { label: 'HSPG', stroke: PHASE_COLORS.hspg, width: 1.6, spanGaps: false },
      ],
    },
    [[], [], []],
    el,
  );
  followWidth(el, () => plot);
  const draw = scheduler(() => plot.setData([x, prox, half] as uPlot.AlignedData));
  return {
    push(e) {
      el.querySelector('.chart-empty')?.remove();
      if (e.phase === 'hspg') hspgAt ??= e.step;
      x.push(e.step);
      prox.push(e.phase === 'prox-sgd' ? e.loss : null);
      half.push(e.phase === 'hspg' ? e.loss : null);
      // the HSPG line starts where prox-SGD ended
      if (e.phase === 'hspg' && half.length >= 2 && half[half.length - 2] === null)
        half[half.length - 2] = prox[prox.length - 2] ?? null;
      draw();
    },
    reset() {
      x = [];
      prox = [];
      half = [];
      hspgAt = undefined;
      draw();
    },
  };
}

/** Nonzero groups per layer, in % of the layer's groups; dashed: the layer's budget k. */
export function groupsChart(el: HTMLElement): LiveChart {
  let budgets: LayerBudget[] = [];
  let x: number[] = [];
  let ys: number[][] = [];
  let plot: uPlot | undefined;
  let hspgAt: number | undefined;
  /** The layers' budgets as a share of their groups (equal up to rounding: one line stands for all). */
  const budgetShare = () => {
    const shares = budgets.map((b) => (100 * b.keep) / Math.max(1, b.groups)).sort((a, b) => a - b);
    return shares[Math.floor(shares.length / 2)] ?? 0;
  };
  const data = () => [x, ...ys, x.map(budgetShare)];
  const make = (width: number) => {
    plot?.destroy();
    const series: uPlot.Series[] = [{}];
    budgets.forEach((b, i) => {
      const stroke = LAYER_COLORS[i % LAYER_COLORS.length]!;
      series.push({ label: `${b.layer} (${b.groups})`, stroke, width: 1.8 });
    });
    series.push({
      label: `budget k (${Math.round(budgetShare())}%)`,
      stroke: '#7b8494',
      width: 1.2,
      dash: [6, 5],
    });
    plot = new uPlot(
      {
        plugins: [phaseMarker(() => hspgAt)],
        width,
        height: 240,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, y: { range: [0, 100] } },
        axes: [
          { ...AXIS, label: 'batch', labelSize: 18, labelFont: AXIS.font },
          {
            ...AXIS,
            label: 'nonzero groups (%)',
            labelSize: 18,
            labelFont: AXIS.font,
            size: 48,
            values: (_u, v) => v.map((t) => `${t}%`),
          },
        ],
        series,
      },
      data() as uPlot.AlignedData,
      el,
    );
    return plot;
  };
  make(widthOf(el));
  followWidth(el, () => plot);
  const draw = scheduler(() => plot?.setData(data() as uPlot.AlignedData));
  return {
    push(e) {
      if (e.phase === 'hspg') hspgAt ??= e.step;
      x.push(e.step);
      budgets.forEach((b, i) => {
        ys[i]!.push((100 * (e.nonzero[b.layer] ?? b.groups)) / Math.max(1, b.groups));
      });
      draw();
    },
    reset(next) {
      if (next) {
        budgets = next;
        el.querySelector('.chart-empty')?.remove();
      }
      hspgAt = undefined;
      x = [];
      ys = budgets.map(() => []);
      make(widthOf(el));
      draw();
    },
  };
}
