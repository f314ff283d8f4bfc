/**
 * `BatchMatMul` with transposed operands, for wasm. The stock wasm kernel runs XNNPACK only when neither
 * operand is transposed and otherwise a scalar loop: measured at [64, 4096] x [4096, 300], transposeA takes
 * 309 ms and transposeB 105 ms, against 15 ms untransposed. Training calls it transposed for every dense
 * layer (dW = x^T dy, dX = dy W^T), so it dominated a VGG-small step. This composite transposes the
 * operand with the backend's Transpose kernel (one memory-bound pass) and multiplies untransposed; calls
 * without transposes go straight to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelRunner } from './kernel-runner';

/** Attributes of `BatchMatMul`. */
export interface BatchMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Builds the kernel function for backend `backendName`, around its current (stock) `BatchMatMul`. */
export function makeBatchMatMul(backendName: string): tf.KernelFunc {
  const stock = tf.getKernel('BatchMatMul', backendName);
  if (stock == null) {
    throw new Error(
      `@klevel/wasm-train: kernel 'BatchMatMul' is not registered for backend '${backendName}'; use the supported ` +
        'tfjs version (see SUPPORTED_TFJS_CORE_RANGE).',
    );
  }
  const stockFunc = stock.kernelFunc;
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    if (!transposeA && !transposeB) return stockFunc({ inputs, backend, attrs });
    // The transposed copies are runner temporaries (disposed below); the product is the kernel's output.
    const r = new KernelRunner(backendName, backend as tf.KernelBackend);
    try {
      const an = transposeA ? r.transpose(a, swapLastTwo(a.shape.length)) : a;
      const bn = transposeB ? r.transpose(b, swapLastTwo(b.shape.length)) : b;
      return stockFunc({ inputs: { a: an, b: bn }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      r.dispose();
    }
  };
}
