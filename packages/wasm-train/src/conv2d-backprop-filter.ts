/**
 * `Conv2DBackpropFilter` as a composite of the backend's own fast kernels.
 *
 * Math: dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s + kh*r - p, ow*s + kw*r - q, ci] * dy[n,oh,ow,co].
 * Swapping the roles of batch and channels makes this a forward convolution: with
 * xT = transpose(pad(x)) as `[Ci, Hp, Wp, N]` (batch Ci, channels N) and dyT = `[OH, OW, N, Co]`
 * as the filter, conv(xT, dyT, stride r, dilation s) is `[Ci, KH', KW', Co]`; crop to KH x KW and
 * transpose back to `[KH, KW, Ci, Co]`. On wasm this runs on XNNPACK instead of a scalar loop.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type ConvAttrs, convGeometry } from './geometry';
import { type KernelRunner, withRunner } from './kernel-runner';

/** Attributes of the `Conv2DBackpropFilter` kernel (plus an optional forward `dilations`). */
export interface Conv2DBackpropFilterAttrs extends ConvAttrs {
  dataFormat?: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
}

/** Builds the kernel function for backend `backendName`. */
export function makeConv2DBackpropFilter(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    return withRunner(backendName, backend, (r) => {
      const nchw = a.dataFormat === 'NCHW';
      const xh = nchw ? r.transpose(x, [0, 2, 3, 1]) : x;
      const dyh = nchw ? r.transpose(dy, [0, 2, 3, 1]) : dy;
      return conv2dFilterGradNHWC(r, xh, dyh, a);
    });
  };
}

/** dW for NHWC `x` and `dy` (the layout every composite works in). */
export function conv2dFilterGradNHWC(
  r: KernelRunner,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  a: Conv2DBackpropFilterAttrs,
): tf.TensorInfo {
  const [kh, kw, ci, co] = a.filterShape;
  const g = convGeometry(x.shape, a.filterShape, a, false);
  const xp = r.padOrCrop(x, [
    [0, 0],
    [g.padTop, g.padBottom],
    [g.padLeft, g.padRight],
    [0, 0],
  ]);
  const xt = r.transpose(xp, [3, 1, 2, 0]); // [Ci, Hp, Wp, N]
  const dyt = r.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
  const c = r.conv2d(xt, dyt, g.dilation, g.stride); // [Ci, >=KH, >=KW, Co]
  const cropped = r.slice(c, [0, 0, 0, 0], [ci, kh, kw, co]);
  return r.transpose(cropped, [1, 2, 0, 3]);
}
