/**
 * `DepthwiseConv2dNativeBackpropFilter` and `DepthwiseConv2dNativeBackpropInput` from forward
 * depthwise convolutions (missing from the wasm backend, tfjs #8082).
 *
 * Filter gradient: dW[kh,kw,c,m] = sum_n sum_{oh,ow} x[n, oh*s+kh*r-p, ., c] * dy[n,oh,ow,c*M+m].
 * Fold (c, n) into the channel axis of one image: x' = `[1, Hp, Wp, C*N]`, filter
 * f' = `[OH, OW, C*N, M]` from dy. A depthwise conv with stride r and dilation s gives
 * `[1, KH', KW', C*N*M]`; reshape to `[KH, KW, C, N, M]` and sum over N.
 * Input gradient: the phase-decomposed full correlation of `transposed_conv.ts` with depthwise
 * sub-convolutions, summing the channel multiplier M.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type ConvAttrs, convGeometry } from './geometry';
import { withRunner } from './kernel-runner';
import { depthwiseCorrelation, transposedConv } from './transposed-conv';

/** Attributes of `DepthwiseConv2dNativeBackpropFilter`. */
export interface DepthwiseBackpropFilterAttrs extends ConvAttrs {
  filterShape: [number, number, number, number];
}

/** Attributes of `DepthwiseConv2dNativeBackpropInput`. */
export interface DepthwiseBackpropInputAttrs extends ConvAttrs {
  inputShape: [number, number, number, number];
}

/** Builds the depthwise filter-gradient kernel function for backend `backendName`. */
export function makeDepthwiseBackpropFilter(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as DepthwiseBackpropFilterAttrs;
    return withRunner(backendName, backend, (r) => {
      const [kh, kw, c, m] = a.filterShape;
      const g = convGeometry(x.shape, a.filterShape, a, true);
      const n = g.batch;
      const xp = r.padOrCrop(x, [
        [0, 0],
        [g.padTop, g.padBottom],
        [g.padLeft, g.padRight],
        [0, 0],
      ]);
      const [, hp, wp] = xp.shape as [number, number, number, number];
      const xt = r.transpose(xp, [1, 2, 3, 0]); // [Hp, Wp, C, N]
      const img = r.reshape(xt, [1, hp, wp, c * n]);
      const dy5 = r.reshape(dy, [n, g.outHeight, g.outWidth, c, m]);
      const dyt = r.transpose(dy5, [1, 2, 3, 0, 4]); // [OH, OW, C, N, M]
      const f = r.reshape(dyt, [g.outHeight, g.outWidth, c * n, m]);
      const y = r.depthwise(img, f, g.dilation, g.stride); // [1, KH', KW', C*N*M]
      const [, yh, yw] = y.shape as [number, number, number, number];
      const y5 = r.reshape(y, [yh, yw, c, n, m]);
      const cropped = r.slice(y5, [0, 0, 0, 0, 0], [kh, kw, c, n, m]);
      return r.sum(cropped, [3]);
    });
  };
}

/** Builds the depthwise input-gradient kernel function for backend `backendName`. */
export function makeDepthwiseBackpropInput(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as DepthwiseBackpropInputAttrs;
    return withRunner(backendName, backend, (r) => {
      const g = convGeometry(a.inputShape, filter.shape, a, true);
      return transposedConv(r, dy, filter, g, a.inputShape[3], depthwiseCorrelation);
    });
  };
}
