/**
 * `Conv2DBackpropFilter` as a composite of the backend's own fast kernels.
 *
 * Math: dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s + kh*r - p, ow*s + kw*r - q, ci] * dy[n,oh,ow,co].
 * Swapping the roles of batch and channels makes this a forward convolution: with
 * xT = transpose(pad(x)) as `[Ci, Hp, Wp, N]` (batch Ci, channels N) and dyT = `[OH, OW, N, Co]`
 * as the filter, conv(xT, dyT, stride r, dilation s) is `[Ci, KH', KW', Co]`; crop to KH x KW and
 * transpose back to `[KH, KW, Ci, Co]`; the padding of x is the conv's own. On wasm this runs on XNNPACK
 * instead of a scalar loop. Single-channel inputs with few taps use the patch matrix instead (see below).
 */
import * as tf from '@tensorflow/tfjs-core';
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
  if (r.backendName === 'wasm' && ci === 1 && kh * kw > 1 && kh * kw < co)
    return filterGradFromPatches(r, x, dy, a);
  const g = convGeometry(x.shape, a.filterShape, a, false);
  // The forward padding is the transposed conv's own (explicit) padding: no padded copy of x.
  const xt = r.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyt = r.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
  const c = r.run(
    'Conv2D',
    { x: xt, filter: dyt },
    {
      strides: g.dilation,
      dilations: g.stride,
      pad: [
        [0, 0],
        [g.padTop, g.padBottom],
        [g.padLeft, g.padRight],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  ); // [Ci, >=KH, >=KW, Co]
  const cropped = r.slice(c, [0, 0, 0, 0], [ci, kh, kw, co]);
  return r.transpose(cropped, [1, 2, 0, 3]);
}

/**
 * dW of a single-channel input with fewer taps than output channels (a grayscale net's first layer: 3x3 to 32
 * channels), on wasm. The formulation above packs all of dy as XNNPACK conv weights (an `[N*OH*OW, Co]`
 * filter, repacked on every call, which dominates it there); here the packed operand is the much smaller patch
 * matrix: `patches = conv(x, identity filter [KH, KW, 1, KH*KW])` with the forward geometry is
 * `[N*OH*OW, KH*KW]` (each entry one tap of x times 1, exact), and `dW^T = dy^T [Co, N*OH*OW] x patches`.
 */
function filterGradFromPatches(
  r: KernelRunner,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  a: Conv2DBackpropFilterAttrs,
): tf.TensorInfo {
  const [kh, kw, , co] = a.filterShape;
  const taps = kh * kw;
  const indices = r.run('Range', {}, { start: 0, stop: taps, step: 1, dtype: 'int32' });
  // int32 one-hot, then cast: wasm's OneHot writes int32 whatever dtype it is asked for.
  const eyeInt = r.run('OneHot', { indices }, { depth: taps, onValue: 1, offValue: 0, dtype: 'int32' });
  const eye = r.run('Cast', { x: eyeInt }, { dtype: 'float32' });
  const patches = r.run('Conv2D', { x, filter: r.reshape(eye, [kh, kw, 1, taps]) }, {
    strides: a.strides,
    dilations: a.dilations ?? 1,
    pad: a.pad,
    ...(a.dimRoundingMode == null ? {} : { dimRoundingMode: a.dimRoundingMode }),
    dataFormat: 'NHWC',
  } as tf.NamedAttrMap); // [N, OH, OW, KH*KW]
  const rows = tf.util.sizeFromShape(patches.shape) / taps;
  // `patches` is this kernel's own tensor, so the BatchMatMul operator cached under its id dies with it.
  const dyt = r.transpose(r.reshape(dy, [rows, co]), [1, 0]);
  const dwt = r.run(
    'BatchMatMul',
    { a: r.reshape(dyt, [1, co, rows]), b: r.reshape(patches, [1, rows, taps]) },
    { transposeA: false, transposeB: false },
  ); // [1, Co, KH*KW]
  return r.reshape(r.transpose(r.reshape(dwt, [co, taps]), [1, 0]), [kh, kw, 1, co]);
}
