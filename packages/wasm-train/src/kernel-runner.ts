/**
 * A tiny helper that calls already-registered backend kernels directly (below the engine, so no
 * tape, no tidy) and disposes every intermediate result exactly once. All composite training
 * kernels in this package are written against it.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Runs kernels of one backend and tracks their outputs as temporaries. */
export class KernelRunner {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(
    readonly backendName: string,
    readonly backend: tf.KernelBackend,
  ) {}

  /** Runs kernel `kernelName` of this runner's backend; the output is a temporary until `keep`. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const config = tf.getKernel(kernelName, this.backendName);
    if (config == null) {
      throw new Error(
        `@klevel/wasm-train: kernel '${kernelName}' is not registered for backend '${this.backendName}'. ` +
          'The training kernels are composed from it; use the supported tfjs version (see SUPPORTED_TFJS_CORE_RANGE).',
      );
    }
    const out = config.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) {
      throw new Error(
        `@klevel/wasm-train: kernel '${kernelName}' returned ${out.length} outputs, expected one.`,
      );
    }
    this.temps.push(out);
    return out;
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    if (sameShape(x.shape, shape)) return x;
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Zero-pads (positive amounts) or crops (negative amounts) each axis: `[before, after]` per axis. */
  padOrCrop(x: tf.TensorInfo, amounts: Array<[number, number]>): tf.TensorInfo {
    let t = x;
    if (amounts.some(([b, a]) => b < 0 || a < 0)) {
      const begin = amounts.map(([b]) => Math.max(0, -b));
      const size = amounts.map(([b, a], i) => (x.shape[i] as number) - Math.max(0, -b) - Math.max(0, -a));
      t = this.slice(t, begin, size);
    }
    if (amounts.some(([b, a]) => b > 0 || a > 0)) {
      const paddings = amounts.map(([b, a]) => [Math.max(0, b), Math.max(0, a)]);
      t = this.run('PadV2', { x: t }, { paddings, constantValue: 0 });
    }
    return t;
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    if (begin.every((b) => b === 0) && sameShape(x.shape, size)) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /** Every `strides[i]`-th element along each axis starting at `begin[i]` (StridedSlice, no masks). */
  stridedSlice(x: tf.TensorInfo, begin: number[], strides: number[]): tf.TensorInfo {
    if (begin.every((b) => b === 0) && strides.every((s) => s === 1)) return x;
    const end = x.shape.slice();
    return this.run(
      'StridedSlice',
      { x },
      { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
    );
  }

  reverse(x: tf.TensorInfo, dims: number[]): tf.TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }

  concat(xs: tf.TensorInfo[], axis: number): tf.TensorInfo {
    if (xs.length === 1) return xs[0] as tf.TensorInfo;
    return this.run('Concat', xs as unknown as tf.NamedTensorInfoMap, { axis });
  }

  sum(x: tf.TensorInfo, axis: number[]): tf.TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  zeros(shape: number[]): tf.TensorInfo {
    return this.run('Fill', {}, { shape, value: 0, dtype: 'float32' });
  }

  /** NHWC Conv2D, explicit 'valid' padding. */
  conv2d(x: tf.TensorInfo, filter: tf.TensorInfo, strides: [number, number], dilations: [number, number]) {
    return this.run('Conv2D', { x, filter }, { strides, dilations, pad: 'valid', dataFormat: 'NHWC' });
  }

  /** NHWC depthwise conv, explicit 'valid' padding. */
  depthwise(x: tf.TensorInfo, filter: tf.TensorInfo, strides: [number, number], dilations: [number, number]) {
    return this.run(
      'DepthwiseConv2dNative',
      { x, filter },
      { strides, dilations, pad: 'valid', dataFormat: 'NHWC' },
    );
  }

  /**
   * Hands `out` to the caller (it is no longer disposed by `dispose`). If `out` is not a
   * temporary (an input passed through unchanged), an Identity copy is returned instead so the
   * engine never receives one of the kernel's own inputs as its output.
   */
  keep(out: tf.TensorInfo): tf.TensorInfo {
    const i = this.temps.indexOf(out);
    if (i < 0) {
      const copy = this.run('Identity', { x: out });
      this.temps.pop();
      return copy;
    }
    this.temps.splice(i, 1);
    return out;
  }

  /** Disposes every temporary (reference counted: reshapes of a kept tensor stay alive). */
  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

/** Runs `body` with a fresh runner and always disposes its temporaries. */
export function withRunner(
  backendName: string,
  backend: object,
  body: (r: KernelRunner) => tf.TensorInfo,
): tf.TensorInfo {
  const runner = new KernelRunner(backendName, backend as tf.KernelBackend);
  try {
    return runner.keep(body(runner));
  } finally {
    runner.dispose();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
