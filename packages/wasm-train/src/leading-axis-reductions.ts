/**
 * `Sum`, `Mean` and `Tile` for wasm, for the layouts training produces. The stock wasm `Sum`/`Mean` first
 * transpose the reduced axes to the inside (a scalar, index-computing loop over the whole tensor) and then
 * reduce; every bias gradient, BatchNorm gradient and BatchNorm moment of an NHWC conv net reduces the
 * leading axes `[0, 1, 2]`, so that transpose dominated them (200 ms for `[64, 28, 28, 32]`). The stock wasm
 * `Tile` is a scalar element-by-element loop too (2 s to broadcast `[1, 1, 1, 32]` to `[64, 28, 28, 32]`, as
 * the BatchNorm gradient does). Here:
 * - reducing leading axes of float32 `x` viewed as `[outer, inner]`: an XNNPACK average pooling of the
 *   `[1, outer, 1, inner]` image with an `[outer, 1]` window is the `Mean`; times `outer`, the `Sum` (one pass
 *   over x; a `BatchMatMul` with ones would repack all of x as XNNPACK weights on every call);
 * - tiling a float32 `x` whose tiled axes all lead and have size 1: the outer product
 *   `ones[reps, 1] x x[1, size]` (exact: one product by 1 per element).
 * Every other case (inner or mixed axes, int or bool dtypes, nothing to reduce) goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelRunner } from './kernel-runner';

/**
 * `[outer, inner, k]` (x viewed as `[outer, inner]`) when `axes` (any order, negatives allowed) are exactly the
 * leading `k` axes of `shape`, 0 < k < rank, with more than one element to reduce per output.
 */
export function leadingSplit(
  shape: readonly number[],
  axes: number | number[] | null | undefined,
): [number, number, number] | undefined {
  const rank = shape.length;
  // null / undefined mean every axis, as in tfjs' reduction ops; parseAxisParam resolves negatives.
  const list = axes == null ? shape.map((_, i) => i) : tf.util.parseAxisParam(axes, [...shape]);
  const k = new Set(list).size;
  if (k === 0 || k === rank || list.some((a) => a >= k)) return undefined;
  const outer = shape.slice(0, k).reduce((p, d) => p * d, 1);
  const inner = shape.slice(k).reduce((p, d) => p * d, 1);
  return outer > 1 && inner > 0 ? [outer, inner, k] : undefined;
}

function stockKernel(name: string, backendName: string): tf.KernelFunc {
  const stock = tf.getKernel(name, backendName);
  if (stock == null) {
    throw new Error(
      `@klevel/wasm-train: kernel '${name}' is not registered for backend '${backendName}'; use the supported ` +
        'tfjs version (see SUPPORTED_TFJS_CORE_RANGE).',
    );
  }
  return stock.kernelFunc;
}

/** Output shape of a reduction of `shape` over its first `k` axes. */
function reducedShape(shape: readonly number[], k: number, keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (i < k ? 1 : d)) : shape.slice(k);
}

/**
 * A copy of `x` under a fresh tensor id, shaped `shape`, to pass as the `b` operand of `BatchMatMul`: the wasm
 * kernel caches its XNNPACK operator (with `b` packed) under b's tensor id alone, not its shape, so a tensor
 * that reaches it again under another reshape would hit a stale operator. The copy's operator is freed when
 * the runner disposes it.
 */
function freshOperand(r: KernelRunner, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return r.reshape(r.run('Identity', { x }), shape);
}

/**
 * Column means of x viewed as `[outer, inner]`, as `[1, 1, 1, inner]`: one XNNPACK average pooling over an
 * `[1, outer, 1, inner]` image with an `[outer, 1]` window (one pass over x, no transpose, no packing).
 */
function columnMeans(r: KernelRunner, x: tf.TensorInfo, outer: number, inner: number): tf.TensorInfo {
  const image = r.reshape(x, [1, outer, 1, inner]);
  return r.run('AvgPool', { x: image }, { filterSize: [outer, 1], strides: [1, 1], pad: 'valid' });
}

function makeLeadingReduction(kernelName: 'Sum' | 'Mean', backendName: string): tf.KernelFunc {
  const stockFunc = stockKernel(kernelName, backendName);
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
    const split = x.dtype === 'float32' ? leadingSplit(x.shape, axis) : undefined;
    if (split == null) return stockFunc({ inputs, backend, attrs });
    const [outer, inner, k] = split;
    const r = new KernelRunner(backendName, backend as tf.KernelBackend);
    try {
      let s = columnMeans(r, x, outer, inner);
      if (kernelName === 'Sum') {
        const n = r.run('Fill', {}, { shape: [], value: outer, dtype: 'float32' });
        s = r.run('Multiply', { a: s, b: n });
      }
      return r.keep(r.reshape(s, reducedShape(x.shape, k, keepDims)));
    } finally {
      r.dispose();
    }
  };
}

/** `Sum` over leading axes on XNNPACK (an average pooling times the count); other cases use the stock kernel of `backendName`. */
export function makeLeadingSum(backendName: string): tf.KernelFunc {
  return makeLeadingReduction('Sum', backendName);
}

/** `Mean` over leading axes on XNNPACK (an average pooling); other cases use the stock kernel of `backendName`. */
export function makeLeadingMean(backendName: string): tf.KernelFunc {
  return makeLeadingReduction('Mean', backendName);
}

/** `[outer, inner]` when tiling `shape` by `reps` only repeats leading size-1 axes (a broadcast). */
export function broadcastSplit(
  shape: readonly number[],
  reps: readonly number[],
): [number, number] | undefined {
  if (reps.length !== shape.length) return undefined;
  let k = 0;
  while (k < reps.length && shape[k] === 1) k++;
  if (reps.slice(k).some((rep) => rep !== 1)) return undefined;
  const outer = reps.slice(0, k).reduce((p, d) => p * d, 1);
  const inner = shape.reduce((p, d) => p * d, 1);
  return outer > 1 && inner > 0 ? [outer, inner] : undefined;
}

/** `Tile` as an outer product with ones when it broadcasts leading size-1 axes; otherwise the stock kernel. */
export function makeBroadcastTile(backendName: string): tf.KernelFunc {
  const stockFunc = stockKernel('Tile', backendName);
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { reps } = attrs as unknown as { reps: number[] };
    const split = x.dtype === 'float32' ? broadcastSplit(x.shape, reps) : undefined;
    if (split == null) return stockFunc({ inputs, backend, attrs });
    const [outer, inner] = split;
    const r = new KernelRunner(backendName, backend as tf.KernelBackend);
    try {
      const ones = r.run('Fill', {}, { shape: [1, outer, 1], value: 1, dtype: 'float32' });
      const row = freshOperand(r, x, [1, 1, inner]);
      const out = r.run('BatchMatMul', { a: ones, b: row }, { transposeA: false, transposeB: false });
      return r.keep(
        r.reshape(
          out,
          x.shape.map((d, i) => d * (reps[i] as number)),
        ),
      );
    } finally {
      r.dispose();
    }
  };
}
