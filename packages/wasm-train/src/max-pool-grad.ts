/**
 * `MaxPoolGrad` for wasm, for non-overlapping windows (stride = window, no padding, the input an exact
 * multiple of the window: every 2x2/2 pool of a conv net). The stock wasm kernel is a scalar two-pass loop
 * (37 ms for `[64, 28, 28, 32]`, 2x2/2); it also routes a tied window's gradient to its *last* maximum and
 * an all-zero window's (common after ReLU) elsewhere, where tfjs' cpu kernel (and TensorFlow) picks the
 * *first* maximum. Here, on XNNPACK elementwise ops and max pooling, with x viewed as
 * `[N*OH, KH, OW, KW, C]` and per-window tensors as `[N*OH, 1, OW, 1, C]` (broadcast):
 * - `below = step(maxPool(x) - x)`: 1 where x is below its window's maximum, 0 at every maximum;
 * - `z = w - w * below` with `w = KH*KW - (window position)`: a rank, unique and > 0 at the maxima, 0 elsewhere;
 * - `first = step(z - (maxPool(z) - 0.5))`: 1 at the first maximum of each window, 0 elsewhere;
 * - `dx = first * dy`.
 * Every value is an exact small integer or a product by 0 or 1, so dx is bit-for-bit the cpu kernel's for
 * finite x (a window holding NaN or only -Infinity may differ). Other geometries (overlapping or padded
 * windows, sizes not a multiple of the window) go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { withRunner } from './kernel-runner';

/** Attributes of `MaxPoolGrad`. */
export interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * `[KH, KW]` when a max pool of input `xShape` (NHWC) with `attrs` tiles the input exactly with
 * non-overlapping windows (stride = window, no padding), else undefined.
 */
export function tilingWindow(
  xShape: readonly number[],
  attrs: MaxPoolGradAttrs,
): [number, number] | undefined {
  if (xShape.length !== 4) return undefined;
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, padInfo: p } = info;
  const tiles =
    info.strideHeight === kh &&
    info.strideWidth === kw &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    p.top === 0 &&
    p.bottom === 0 &&
    p.left === 0 &&
    p.right === 0 &&
    info.inHeight === info.outHeight * kh &&
    info.inWidth === info.outWidth * kw &&
    kh * kw > 1;
  return tiles ? [kh, kw] : undefined;
}

/** Builds the kernel function for backend `backendName`, around its current (stock) `MaxPoolGrad`. */
export function makeMaxPoolGrad(backendName: string): tf.KernelFunc {
  const stock = tf.getKernel('MaxPoolGrad', backendName);
  if (stock == null) {
    throw new Error(
      `@klevel/wasm-train: kernel 'MaxPoolGrad' is not registered for backend '${backendName}'; use the supported ` +
        'tfjs version (see SUPPORTED_TFJS_CORE_RANGE).',
    );
  }
  const stockFunc = stock.kernelFunc;
  return ({ inputs, backend, attrs }) => {
    const { dy, input: x } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const a = attrs as unknown as MaxPoolGradAttrs;
    const win = x.dtype === 'float32' && dy.dtype === 'float32' ? tilingWindow(x.shape, a) : undefined;
    if (win == null) return stockFunc({ inputs, backend, attrs });
    const [kh, kw] = win;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const oh = h / kh;
    const ow = w / kw;
    return withRunner(backendName, backend, (r) => {
      const pool = (t: tf.TensorInfo) =>
        r.run('MaxPool', { x: t }, { filterSize: [kh, kw], strides: [kh, kw], pad: 'valid' });
      const perWindow = (t: tf.TensorInfo) => r.reshape(t, [n * oh, 1, ow, 1, c]);
      const x5 = r.reshape(x, [n * oh, kh, ow, kw, c]);
      const below = r.run('Step', { x: r.run('Sub', { a: perWindow(pool(x)), b: x5 }) }, { alpha: 0 });
      const rank = r.reshape(r.run('Range', {}, { start: kh * kw, stop: 0, step: -1, dtype: 'float32' }), [
        1,
        kh,
        1,
        kw,
        1,
      ]);
      const z = r.run('Sub', { a: rank, b: r.run('Multiply', { a: below, b: rank }) });
      const half = r.run('Fill', {}, { shape: [], value: 0.5, dtype: 'float32' });
      const threshold = r.run('Sub', { a: pool(r.reshape(z, [n, h, w, c])), b: half });
      const first = r.run('Step', { x: r.run('Sub', { a: z, b: perWindow(threshold) }) }, { alpha: 0 });
      return r.reshape(r.run('Multiply', { a: first, b: perWindow(dy) }), [n, h, w, c]);
    });
  };
}
