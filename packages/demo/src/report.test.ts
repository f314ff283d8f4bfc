import { describe, expect, it } from 'vitest';
import { summaryInputs } from './__fixtures__/summary-inputs';
import { barChart, lineChart } from './charts';
import { renderReport } from './report';
import { buildSummary } from './summary';

describe('renderReport', () => {
  const html = renderReport(buildSummary(summaryInputs()));

  it('is one self-contained page: no scripts, no external resources', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('holds the four kinds of charts as inline SVG', () => {
    expect(html.match(/<svg /g)?.length).toBe(6); // loss, accuracy, sparsity, accuracy bars, 2 latency bars
    for (const title of [
      'Training loss per epoch',
      'Accuracy per epoch',
      'Nonzero groups per layer during training',
      'Test accuracy (same training epochs)',
      'Latency, batch 64',
    ]) {
      expect(html).toContain(title);
    }
    expect(html).toContain('conv2 (50)');
    expect(html).toContain('k fc1 = 100');
  });

  it('has the summary and groups tables and the goals', () => {
    expect(html).toContain('<td>88.12%</td>');
    expect(html).toMatch(
      /<td class="l">conv2<\/td><td>50<\/td><td>10<\/td><td>17<\/td><td>12<\/td><td>10<\/td><td>10<\/td>/,
    );
    expect(html).toContain('class="unmet"');
    expect(html).toContain('Fashion-MNIST <b>full</b>');
  });

  it('draws the pruned accuracy before and after its fine-tune', () => {
    expect(html).toContain('pruned, before fine-tune');
    expect(html).toContain('pruned, fine-tuned');
  });

  it('escapes text from the data', () => {
    const evil = renderReport(buildSummary(summaryInputs({ command: 'npm run demo -- --out "<x>&y"' })));
    expect(evil).toContain('--out &quot;&lt;x&gt;&amp;y&quot;');
    expect(evil).not.toContain('"<x>&y"');
  });
});

describe('charts', () => {
  it('lineChart draws one path per series, a legend entry each, and markers', () => {
    const svg = lineChart(
      [
        {
          label: 'a',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: 2 },
            { x: 2, y: 1.5 },
          ],
        },
        {
          label: 'b',
          points: [
            { x: 0, y: 0.5 },
            { x: 2, y: 0.7 },
          ],
          dash: true,
        },
      ],
      { title: 'T', xLabel: 'x', yLabel: 'y', markers: [{ x: 1, label: 'switch' }] },
    );
    expect(svg.match(/<path /g)?.length).toBe(2);
    expect(svg).toContain('stroke-dasharray="4 3"');
    expect(svg).toContain('>switch<');
    expect(svg.match(/<circle /g)?.length).toBe(5);
  });

  it('lineChart skips non-finite points and says when there is no data', () => {
    expect(
      lineChart([{ label: 'a', points: [{ x: 0, y: Number.NaN }] }], {
        title: 'Empty',
        xLabel: '',
        yLabel: '',
      }),
    ).toBe('<p>Empty: no data.</p>');
  });

  it('barChart draws one bar per value with its label', () => {
    const svg = barChart(
      ['b1', 'b64'],
      [
        { label: 'dense', values: [2, 20] },
        { label: 'pruned', values: [1, null] },
      ],
      {
        title: 'Bars',
        yLabel: 'ms',
        format: (v) => `${v} ms`,
      },
    );
    expect(svg.match(/<rect /g)?.length).toBe(3);
    expect(svg).toContain('>20 ms<');
    expect(svg).toContain('<title>pruned, b1: 1 ms</title>');
  });
});
