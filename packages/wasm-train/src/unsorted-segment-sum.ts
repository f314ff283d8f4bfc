/**
 * `UnsortedSegmentSum` (the gradient of `tf.gather`, hence of Embedding layers), missing from the
 * wasm backend. out[s, ...] = sum_{i : ids[i] = s} x[i, ...]; ids outside [0, numSegments) are
 * dropped, as in TensorFlow. One linear pass over the data in JavaScript: O(size(x)), unlike a
 * one-hot matmul, which would cost O(size(x) * numSegments).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Attributes of `UnsortedSegmentSum`. */
export interface UnsortedSegmentSumAttrs {
  numSegments: number;
}

interface ReadWriteBackend {
  readSync(dataId: object): tf.BackendValues;
  makeOutput?(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.BackendValues,
  ): tf.TensorInfo;
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values?: tf.BackendValues): tf.TensorInfo;
}

/** Builds the kernel function (it is backend-agnostic: it reads and writes through the backend). */
export function makeUnsortedSegmentSum(): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
    if (!Number.isInteger(numSegments) || numSegments < 0) {
      throw new RangeError(
        `UnsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}.`,
      );
    }
    const be = backend as unknown as ReadWriteBackend;
    const values = be.readSync(x.dataId) as Float32Array | Int32Array;
    const ids = be.readSync(segmentIds.dataId) as Int32Array | Float32Array;
    const idRank = segmentIds.shape.length;
    const inner = tf.util.sizeFromShape(x.shape.slice(idRank));
    const outShape = [numSegments, ...x.shape.slice(idRank)];
    const out =
      x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i] as number;
      if (s < 0 || s >= numSegments) continue;
      const src = i * inner;
      const dst = s * inner;
      for (let k = 0; k < inner; k++) out[dst + k] = (out[dst + k] as number) + (values[src + k] as number);
    }
    const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
    if (typeof be.makeOutput === 'function') return be.makeOutput(outShape, dtype, undefined, out);
    if (typeof be.makeTensorInfo === 'function') return be.makeTensorInfo(outShape, dtype, out);
    throw new Error('UnsortedSegmentSum: the backend exposes neither makeOutput nor makeTensorInfo.');
  };
}
