/**
 * Every conv training kernel against the stock cpu kernels (dilation 1) or a naive loop (dilation
 * 2, which the stock kernels do not accept) on a seeded random sample of the shape grid:
 * kernel 1..7, stride 1/2/3, dilation 1/2, same/valid, channels 1..64, batch 1..16, odd sizes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  maxRelativeError,
  mulberry32,
  runKernelValues,
  seededArray,
  useBackend,
  withStockCpu,
} from '../test/helpers';
import { convGeometry } from './geometry';
import { naiveConvGradients } from './reference';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface Case {
  id: string;
  depthwise: boolean;
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  dyShape: [number, number, number, number];
  attrs: {
    strides: [number, number];
    dilations: [number, number];
    pad: Pad;
    dimRoundingMode?: 'floor';
  };
  x: Float32Array;
  w: Float32Array;
  dy: Float32Array;
  refDw?: Float32Array | Float64Array;
  refDx?: Float32Array | Float64Array;
}

const TOL = 1e-5;
const MAX_MACS = 2.5e6;

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)] as T;
}

/** Samples `count` feasible cases (output non-empty, cheap enough for the naive/cpu references). */
function sampleCases(seed: number, count: number, depthwise: boolean): Case[] {
  const rnd = mulberry32(seed);
  const cases: Case[] = [];
  while (cases.length < count) {
    const k = 1 + Math.floor(rnd() * 7);
    const kw = rnd() < 0.8 ? k : 1 + Math.floor(rnd() * 7);
    const stride = pick(rnd, [1, 2, 3] as const);
    // tf.conv2d accepts stride > 1 or dilation > 1, not both; a few cases exercise both anyway.
    const dilation = stride === 1 || rnd() < 0.15 ? pick(rnd, [1, 2] as const) : 1;
    const padKind = pick(rnd, ['same', 'valid', 'same', 'valid', 'explicit'] as const);
    const p = () => Math.floor(rnd() * 4);
    const pad: Pad =
      padKind === 'explicit'
        ? [
            [0, 0],
            [p(), p()],
            [p(), p()],
            [0, 0],
          ]
        : padKind;
    const h = 5 + 2 * Math.floor(rnd() * 7); // 5..17, odd
    const w = 5 + 2 * Math.floor(rnd() * 7);
    const n = pick(rnd, [1, 2, 3, 5, 8, 16]);
    const cin = pick(rnd, [1, 2, 3, 5, 8, 16, 32, 64]);
    const cout = depthwise ? pick(rnd, [1, 2, 3]) : pick(rnd, [1, 3, 4, 8, 16, 33, 64]);
    const xShape: Case['xShape'] = [n, h, w, cin];
    const filterShape: Case['filterShape'] = [k, kw, cin, cout];
    const attrs: Case['attrs'] = { strides: [stride, stride], dilations: [dilation, dilation], pad };
    if ((k - 1) * dilation + 1 > h || (kw - 1) * dilation + 1 > w) continue;
    const g = convGeometry(xShape, filterShape, attrs, depthwise);
    if (g.outHeight < 1 || g.outWidth < 1) continue;
    const co = depthwise ? cin * cout : cout;
    const macs = n * g.outHeight * g.outWidth * k * kw * cin * (depthwise ? cout : cout);
    if (macs > MAX_MACS) continue;
    const dyShape: Case['dyShape'] = [n, g.outHeight, g.outWidth, co];
    const i = cases.length;
    cases.push({
      id: `${depthwise ? 'dw' : 'conv'}#${i} x${xShape.join('x')} f${filterShape.join('x')} s${stride} d${dilation} ${typeof pad === 'string' ? pad : `pad${JSON.stringify(pad.slice(1, 3))}`}`,
      depthwise,
      xShape,
      filterShape,
      dyShape,
      attrs,
      x: seededArray(tf.util.sizeFromShape(xShape), seed * 1000 + 3 * i),
      w: seededArray(tf.util.sizeFromShape(filterShape), seed * 1000 + 3 * i + 1),
      dy: seededArray(tf.util.sizeFromShape(dyShape), seed * 1000 + 3 * i + 2),
    });
  }
  return cases;
}

function names(c: Case): { dw: string; dx: string } {
  return c.depthwise
    ? { dw: 'DepthwiseConv2dNativeBackpropFilter', dx: 'DepthwiseConv2dNativeBackpropInput' }
    : { dw: 'Conv2DBackpropFilter', dx: 'Conv2DBackpropInput' };
}

function runOurs(c: Case): { dw: Float32Array; dx: Float32Array } {
  const n = names(c);
  const dw = runKernelValues(
    n.dw,
    { x: { values: c.x, shape: c.xShape }, dy: { values: c.dy, shape: c.dyShape } },
    { ...c.attrs, dataFormat: 'NHWC', filterShape: c.filterShape },
  );
  const dx = runKernelValues(
    n.dx,
    { dy: { values: c.dy, shape: c.dyShape }, filter: { values: c.w, shape: c.filterShape } },
    { ...c.attrs, dataFormat: 'NHWC', inputShape: c.xShape },
  );
  expect(dw.shape).toEqual(c.filterShape);
  expect(dx.shape).toEqual(c.xShape);
  return { dw: dw.values, dx: dx.values };
}

function computeReferences(cases: Case[]): void {
  for (const c of cases) {
    if (c.attrs.dilations[0] === 1) {
      const ours = { ...c, attrs: { ...c.attrs } };
      const r = runOurs(ours); // on the stock cpu kernels here
      c.refDw = r.dw;
      c.refDx = r.dx;
    } else {
      const g = convGeometry(c.xShape, c.filterShape, c.attrs, c.depthwise);
      const ref = naiveConvGradients(
        { ...g, xShape: c.xShape, filterShape: c.filterShape, dyShape: c.dyShape, depthwise: c.depthwise },
        c.x,
        c.w,
        c.dy,
      );
      c.refDw = ref.dw;
      c.refDx = ref.dx;
    }
  }
}

const convCases = sampleCases(7, 64, false);
const dwCases = sampleCases(11, 40, true);

describe('training kernels vs cpu reference', () => {
  beforeAll(async () => {
    await withStockCpu(() => computeReferences([...convCases, ...dwCases]));
    await useBackend('wasm');
  }, 120_000);

  it('the sampled grid covers every axis value', () => {
    const all = [...convCases, ...dwCases];
    for (const k of [1, 2, 3, 4, 5, 6, 7]) expect(all.some((c) => c.filterShape[0] === k)).toBe(true);
    for (const s of [1, 2, 3]) expect(all.some((c) => c.attrs.strides[0] === s)).toBe(true);
    expect(all.some((c) => c.attrs.dilations[0] === 2 && c.attrs.strides[0] === 1)).toBe(true);
    expect(all.some((c) => c.attrs.dilations[0] === 2 && c.attrs.strides[0] > 1)).toBe(true);
    expect(all.some((c) => c.attrs.pad === 'valid') && all.some((c) => c.attrs.pad === 'same')).toBe(true);
    expect(all.some((c) => Array.isArray(c.attrs.pad))).toBe(true);
    expect(all.some((c) => c.xShape[3] === 64) && all.some((c) => c.xShape[3] === 1)).toBe(true);
    expect(all.some((c) => c.xShape[0] === 16) && all.some((c) => c.xShape[0] === 1)).toBe(true);
  });

  describe.each([
    ['wasm', 'conv', convCases],
    ['wasm', 'depthwise', dwCases],
  ] as const)('%s %s', (backend, _kind, cases) => {
    beforeAll(async () => useBackend(backend));
    it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
      expect(tf.getBackend()).toBe(backend);
      const ours = runOurs(c);
      expect(maxRelativeError(ours.dw, c.refDw as Float32Array), 'dW').toBeLessThanOrEqual(TOL);
      expect(maxRelativeError(ours.dx, c.refDx as Float32Array), 'dX').toBeLessThanOrEqual(TOL);
    });
  });

  describe('wasm Conv2DBackpropFilter of single-channel inputs (patch matrix) vs naive loops', () => {
    beforeAll(async () => useBackend('wasm'));
    const patchCases: Array<[string, Case['xShape'], Case['filterShape'], Case['attrs']]> = [
      [
        'VGG conv1 geometry, same',
        [4, 12, 12, 1],
        [3, 3, 1, 32],
        { strides: [1, 1], dilations: [1, 1], pad: 'same' },
      ],
      [
        'batch 1, stride 2, valid',
        [1, 9, 9, 1],
        [3, 3, 1, 16],
        { strides: [2, 2], dilations: [1, 1], pad: 'valid' },
      ],
      [
        '2x3 taps, dilation 2, valid',
        [3, 11, 10, 1],
        [2, 3, 1, 8],
        { strides: [1, 1], dilations: [2, 2], pad: 'valid' },
      ],
      ['stride 3, same', [2, 10, 10, 1], [3, 3, 1, 12], { strides: [3, 3], dilations: [1, 1], pad: 'same' }],
      [
        'stride 2, explicit padding',
        [2, 9, 9, 1],
        [3, 3, 1, 10],
        {
          strides: [2, 2],
          dilations: [1, 1],
          pad: [
            [0, 0],
            [1, 2],
            [2, 0],
            [0, 0],
          ],
        },
      ],
      [
        'stride 2 and dilation 2',
        [2, 11, 11, 1],
        [3, 3, 1, 10],
        { strides: [2, 2], dilations: [2, 2], pad: 'valid' },
      ],
      [
        '5x5 taps, floor rounding',
        [2, 13, 12, 1],
        [5, 5, 1, 30],
        { strides: [2, 2], dilations: [1, 1], pad: 1, dimRoundingMode: 'floor' } as unknown as Case['attrs'],
      ],
    ];
    it.each(patchCases)('%s', (_label, xShape, filterShape, attrs) => {
      const g = convGeometry(xShape, filterShape, attrs, false);
      const dyShape: Case['dyShape'] = [xShape[0], g.outHeight, g.outWidth, filterShape[3]];
      const x = seededArray(tf.util.sizeFromShape(xShape), 71);
      const dy = seededArray(tf.util.sizeFromShape(dyShape), 72);
      const w = seededArray(tf.util.sizeFromShape(filterShape), 73);
      const ref = naiveConvGradients({ ...g, xShape, filterShape, dyShape, depthwise: false }, x, w, dy);
      const before = tf.memory().numTensors;
      const dw = runKernelValues(
        'Conv2DBackpropFilter',
        { x: { values: x, shape: xShape }, dy: { values: dy, shape: dyShape } },
        { ...attrs, dataFormat: 'NHWC', filterShape },
      );
      expect(tf.memory().numTensors).toBe(before);
      expect(dw.shape).toEqual(filterShape);
      expect(maxRelativeError(dw.values, ref.dw)).toBeLessThanOrEqual(TOL);
    });
  });

  describe('cpu Conv2DBackpropFilter composite', () => {
    beforeAll(async () => useBackend('cpu'));
    it.each(convCases.filter((c) => c.attrs.dilations[0] === 1).map((c) => [c.id, c] as const))(
      '%s',
      (_id, c) => {
        const dw = runKernelValues(
          'Conv2DBackpropFilter',
          { x: { values: c.x, shape: c.xShape }, dy: { values: c.dy, shape: c.dyShape } },
          { ...c.attrs, dataFormat: 'NHWC', filterShape: c.filterShape },
        );
        expect(maxRelativeError(dw.values, c.refDw as Float32Array)).toBeLessThanOrEqual(TOL);
      },
    );
  });

  describe('NCHW data format (regular conv kernels, wasm)', () => {
    beforeAll(async () => useBackend('wasm'));
    const toNchw = (v: Float32Array, [n, h, w, c]: number[]) => {
      const out = new Float32Array(v.length);
      for (let b = 0; b < (n as number); b++)
        for (let y = 0; y < (h as number); y++)
          for (let x = 0; x < (w as number); x++)
            for (let k = 0; k < (c as number); k++)
              out[((b * (c as number) + k) * (h as number) + y) * (w as number) + x] = v[
                ((b * (h as number) + y) * (w as number) + x) * (c as number) + k
              ] as number;
      return out;
    };
    const nchw = (s: number[]) => [s[0], s[3], s[1], s[2]] as [number, number, number, number];
    it.each(convCases.slice(0, 6).map((c) => [c.id, c] as const))('%s', (_id, c) => {
      const attrs = { ...c.attrs, dataFormat: 'NCHW' };
      const dw = runKernelValues(
        'Conv2DBackpropFilter',
        {
          x: { values: toNchw(c.x, c.xShape), shape: nchw(c.xShape) },
          dy: { values: toNchw(c.dy, c.dyShape), shape: nchw(c.dyShape) },
        },
        { ...attrs, filterShape: c.filterShape },
      );
      const dx = runKernelValues(
        'Conv2DBackpropInput',
        {
          dy: { values: toNchw(c.dy, c.dyShape), shape: nchw(c.dyShape) },
          filter: { values: c.w, shape: c.filterShape },
        },
        { ...attrs, inputShape: nchw(c.xShape) },
      );
      expect(dx.shape).toEqual(nchw(c.xShape));
      expect(maxRelativeError(dw.values, c.refDw as Float32Array)).toBeLessThanOrEqual(TOL);
      expect(
        maxRelativeError(dx.values, toNchw(Float32Array.from(c.refDx as Float32Array), c.xShape)),
      ).toBeLessThanOrEqual(TOL);
    });
  });
});
