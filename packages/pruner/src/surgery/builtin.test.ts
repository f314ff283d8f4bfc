import { describe, expect, it } from 'vitest';
import type { LayerPlan } from '../plan-types';
import { passThroughClasses, passThroughHandler, reshapeHandler, weightHandlers } from './builtin';
import type { SurgeryContext } from './handler';

function ctx(
  className: string,
  oldShapes: Record<string, number[]>,
  prune: Record<string, Array<[number, number[]]>>,
  extra: Partial<SurgeryContext> = {},
): SurgeryContext {
  const newShapes = Object.fromEntries(Object.entries(oldShapes).map(([k, v]) => [k, [...v]]));
  const plan: LayerPlan = { layerName: 'l', className, weights: [] };
  for (const [w, axes] of Object.entries(prune)) {
    plan.weights.push({
      weightName: w,
      variableName: `l/${w}`,
      shape: oldShapes[w]!,
      axes: axes.map(([axis, kept]) => ({ axis, size: oldShapes[w]![axis]!, kept })),
    });
    for (const [axis, kept] of axes) newShapes[w]![axis] = kept.length;
  }
  return {
    layerName: 'l',
    className,
    oldShapes,
    newShapes,
    plan,
    outputShape: null,
    inputSize: () => ({ before: 1, after: 1 }),
    ...extra,
  };
}

describe('built-in surgery handlers', () => {
  it('Conv2D/Dense/Conv2DTranspose/Embedding rewrite their size field from the new weight shape', () => {
    const conv = ctx(
      'Conv2D',
      { kernel: [3, 3, 2, 6], bias: [6] },
      { kernel: [[3, [0, 4]]], bias: [[0, [0, 4]]] },
    );
    expect(weightHandlers.Conv2D!.validate!(conv)).toEqual([]);
    expect(weightHandlers.Conv2D!.rewriteConfig({ filters: 6, name: 'l' }, conv)).toEqual({
      filters: 2,
      name: 'l',
    });
    const dense = ctx(
      'Dense',
      { kernel: [4, 5], bias: [5] },
      { kernel: [[1, [1, 2, 3]]], bias: [[0, [1, 2, 3]]] },
    );
    expect(weightHandlers.Dense!.rewriteConfig({ units: 5 }, dense)).toEqual({ units: 3 });
    const tconv = ctx(
      'Conv2DTranspose',
      { kernel: [3, 3, 6, 2], bias: [6] },
      { kernel: [[2, [5]]], bias: [[0, [5]]] },
    );
    expect(weightHandlers.Conv2DTranspose!.validate!(tconv)).toEqual([]);
    expect(weightHandlers.Conv2DTranspose!.rewriteConfig({ filters: 6 }, tconv)).toEqual({ filters: 1 });
    const emb = ctx('Embedding', { embeddings: [10, 4] }, { embeddings: [[1, [0, 3]]] });
    expect(weightHandlers.Embedding!.rewriteConfig({ output_dim: 4 }, emb)).toEqual({ output_dim: 2 });
  });

  it('ties: kernel/bias, depthwise bias with the multiplier, separable pointwise input, BN statistics', () => {
    const bad = ctx('Conv2D', { kernel: [1, 1, 2, 4], bias: [4] }, { kernel: [[3, [0, 1]]] });
    expect(weightHandlers.Conv2D!.validate!(bad)).toEqual([
      'bias axis 0 must keep the same indices as kernel axis 3 (expected [0,1], got [0,1,2,3])',
    ]);
    const dw = ctx(
      'DepthwiseConv2D',
      { depthwise_kernel: [3, 3, 3, 2], bias: [6] },
      { depthwise_kernel: [[2, [0, 2]]], bias: [[0, [0, 1, 4, 5]]] },
    );
    expect(weightHandlers.DepthwiseConv2D!.validate!(dw)).toEqual([]);
    const dwBad = ctx(
      'DepthwiseConv2D',
      { depthwise_kernel: [3, 3, 3, 2], bias: [6] },
      { depthwise_kernel: [[2, [0, 2]]], bias: [[0, [0, 2]]] },
    );
    expect(weightHandlers.DepthwiseConv2D!.validate!(dwBad)[0]).toMatch(
      /the 2-fold expansion of depthwise_kernel axis 2/,
    );
    const sep = ctx(
      'SeparableConv2D',
      { depthwise_kernel: [3, 3, 2, 1], pointwise_kernel: [1, 1, 2, 5], bias: [5] },
      {
        depthwise_kernel: [[2, [1]]],
        pointwise_kernel: [
          [2, [1]],
          [3, [0, 1]],
        ],
        bias: [[0, [0, 1]]],
      },
    );
    expect(weightHandlers.SeparableConv2D!.validate!(sep)).toEqual([]);
    expect(weightHandlers.SeparableConv2D!.rewriteConfig({ filters: 5 }, sep)).toEqual({ filters: 2 });
    const bn = ctx(
      'BatchNormalization',
      { gamma: [3], beta: [3], moving_mean: [3], moving_variance: [3] },
      { gamma: [[0, [0]]], beta: [[0, [0]]], moving_mean: [[0, [0]]], moving_variance: [[0, [1]]] },
    );
    expect(weightHandlers.BatchNormalization!.validate!(bn)).toEqual([
      'moving_variance axis 0 must keep the same indices as moving_mean axis 0 (expected [0], got [1])',
    ]);
  });

  it('PReLU only shrinks the last axis of alpha', () => {
    const ok = ctx('PReLU', { alpha: [4, 4, 3] }, { alpha: [[2, [0, 2]]] });
    expect(weightHandlers.PReLU!.validate!(ok)).toEqual([]);
    const bad = ctx('PReLU', { alpha: [4, 4, 3] }, { alpha: [[1, [0, 2]]] });
    expect(weightHandlers.PReLU!.validate!(bad)).toEqual([
      'alpha may only shrink along its last axis, not 1',
    ]);
  });

  it('Reshape scales its last target dimension with the surviving channels', () => {
    const flat = ctx(
      'Reshape',
      {},
      {},
      { outputShape: [null, 48], inputSize: () => ({ before: 6, after: 4 }) },
    );
    expect(reshapeHandler.rewriteConfig({ target_shape: [48] }, flat)).toEqual({ target_shape: [32] });
    const keep = ctx(
      'Reshape',
      {},
      {},
      { outputShape: [null, 16, 6], inputSize: () => ({ before: 6, after: 5 }) },
    );
    expect(reshapeHandler.rewriteConfig({ target_shape: [16, 6] }, keep)).toEqual({ target_shape: [16, 5] });
    const same = ctx(
      'Reshape',
      {},
      {},
      { outputShape: [null, 16, 6], inputSize: () => ({ before: 6, after: 6 }) },
    );
    expect(reshapeHandler.rewriteConfig({ target_shape: [16, 6] }, same)).toEqual({ target_shape: [16, 6] });
    const odd = ctx(
      'Reshape',
      {},
      {},
      { outputShape: [null, 7], inputSize: () => ({ before: 6, after: 5 }) },
    );
    expect(() => reshapeHandler.rewriteConfig({ target_shape: [7] }, odd)).toThrow(
      /Reshape 'l' .* would receive 5 of 6/,
    );
  });

  it('pass-through layers copy their config', () => {
    expect(passThroughClasses).toEqual(
      expect.arrayContaining(['Flatten', 'Concatenate', 'Add', 'MaxPooling2D']),
    );
    const config = { name: 'p', pool_size: [2, 2] };
    const out = passThroughHandler.rewriteConfig(config, ctx('MaxPooling2D', {}, {}));
    expect(out).toEqual(config);
    expect(out).not.toBe(config);
  });
});
