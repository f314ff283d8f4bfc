/**
 * Drift guards. The training kernels call other kernels of a backend directly (below the engine),
 * so they depend on kernel names, attribute names and semantics that tfjs does not promise to
 * keep. Registration therefore checks (1) the tfjs-core version, (2) that every composed kernel
 * exists, and (3) by running each new kernel once on a tiny problem against a naive loop, that
 * the composed kernels still behave as expected.
 */
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry } from './geometry';
import { naiveConvGradients } from './reference';

/** The tfjs-core versions the kernels were verified against (semver range). */
export const SUPPORTED_TFJS_CORE_RANGE = '>=4.22.0 <4.23.0';

const SUPPORTED_MAJOR_MINOR = '4.22';

/** Kernels the composites call, per backend. */
export const COMPOSED_KERNELS: Readonly<Record<'wasm' | 'cpu', readonly string[]>> = {
  wasm: [
    'Conv2D',
    'DepthwiseConv2dNative',
    'Transpose',
    'PadV2',
    'Slice',
    'StridedSlice',
    'Reverse',
    'Reshape',
    'Concat',
    'Sum',
    'Fill',
    'Identity',
    'BatchMatMul',
    'Mean',
    'Tile',
    'AvgPool',
    'Multiply',
    'MaxPool',
    'MaxPoolGrad',
    'Sub',
    'Step',
    'Range',
    'OneHot',
    'Cast',
  ],
  cpu: ['Conv2D', 'Transpose', 'PadV2', 'Slice', 'Reshape', 'Identity'],
};

/**
 * Throws unless `version` (default: the loaded tfjs-core) is in {@link SUPPORTED_TFJS_CORE_RANGE}.
 * @param version a tfjs-core version string, e.g. `tf.version_core`.
 */
export function checkTfjsCoreVersion(version: string = tf.version_core): void {
  const mm = /^(\d+)\.(\d+)\./.exec(version);
  if (mm == null || `${mm[1]}.${mm[2]}` !== SUPPORTED_MAJOR_MINOR) {
    throw new Error(
      `@klevel/wasm-train: @tensorflow/tfjs-core ${version} is not supported; the training kernels reach into ` +
        `backend internals and are verified for ${SUPPORTED_TFJS_CORE_RANGE} only. Install @tensorflow/tfjs-core, ` +
        '-backend-wasm and -backend-cpu 4.22.x, or pass { allowUntestedTfjsVersion: true } to rely on the ' +
        'runtime self-check alone.',
    );
  }
}

/** Throws naming every kernel of `names` that `backendName` lacks. */
export function checkComposedKernels(backendName: string, names: readonly string[]): void {
  const missing = names.filter((k) => tf.getKernel(k, backendName) == null);
  if (missing.length > 0) {
    throw new Error(
      `@klevel/wasm-train: backend '${backendName}' lacks the kernel(s) ${missing.join(', ')} that the training ` +
        `kernels are composed from (tfjs-core ${tf.version_core}; supported ${SUPPORTED_TFJS_CORE_RANGE}).`,
    );
  }
}

interface WritableBackend {
  write(values: tf.BackendValues, shape: number[], dtype: tf.DataType): object;
  readSync(dataId: object): tf.BackendValues;
  disposeData(dataId: object, force?: boolean): boolean;
}

interface ConvProbe {
  name: string;
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: 'same' | 'valid';
  depthwise: boolean;
}

const CONV_PROBES: ConvProbe[] = [
  {
    name: 'conv s2',
    xShape: [2, 6, 5, 3],
    filterShape: [3, 2, 3, 4],
    strides: [2, 1],
    dilations: [1, 1],
    pad: 'same',
    depthwise: false,
  },
  {
    name: 'conv d2',
    xShape: [1, 7, 6, 2],
    filterShape: [2, 3, 2, 3],
    strides: [1, 1],
    dilations: [2, 1],
    pad: 'valid',
    depthwise: false,
  },
  {
    // single-channel input, fewer taps than output channels: the patch-matrix Conv2DBackpropFilter on wasm
    name: 'conv 1-channel s2',
    xShape: [2, 5, 6, 1],
    filterShape: [2, 2, 1, 5],
    strides: [2, 2],
    dilations: [1, 1],
    pad: 'same',
    depthwise: false,
  },
  {
    name: 'depthwise s2',
    xShape: [2, 5, 5, 2],
    filterShape: [3, 3, 2, 2],
    strides: [2, 2],
    dilations: [1, 1],
    pad: 'same',
    depthwise: true,
  },
];

function probeValues(size: number, seed: number): Float32Array {
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = Math.sin(seed * 12.9898 + i * 78.233) * 0.9;
  return v;
}

/**
 * Runs `kernels` (name to kernel function) of `backendName` on tiny problems and compares them with
 * naive loops; throws naming the kernel and the error on any mismatch. Pure backend-level calls:
 * no engine tensors are created.
 */
export function selfCheckKernels(
  backendName: string,
  backend: tf.KernelBackend,
  kernels: ReadonlyMap<string, tf.KernelFunc>,
): void {
  const be = backend as unknown as WritableBackend;
  const owned: object[] = [];
  const input = (values: Float32Array | Int32Array, shape: number[], dtype: tf.DataType): tf.TensorInfo => {
    const dataId = be.write(values, shape, dtype);
    owned.push(dataId);
    return { dataId, shape, dtype };
  };
  const runAndRead = (name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): Float32Array => {
    const fn = kernels.get(name) as tf.KernelFunc;
    const out = fn({ inputs, backend, attrs }) as tf.TensorInfo;
    owned.push(out.dataId);
    return Float32Array.from(be.readSync(out.dataId) as Float32Array);
  };
  const expectClose = (name: string, probe: string, got: ArrayLike<number>, want: ArrayLike<number>) => {
    let maxAbs = 0;
    let maxDiff = got.length === want.length ? 0 : Number.POSITIVE_INFINITY;
    for (let i = 0; i < want.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(want[i] as number));
      maxDiff = Math.max(maxDiff, Math.abs((got[i] as number) - (want[i] as number)));
    }
    if (!(maxDiff <= 1e-4 * (maxAbs + 1e-6))) {
      throw new Error(
        `@klevel/wasm-train: self-check of '${name}' on backend '${backendName}' failed (${probe}: max error ` +
          `${maxDiff} vs max |reference| ${maxAbs}). The composed kernels no longer behave as in tfjs-core ` +
          `${SUPPORTED_TFJS_CORE_RANGE}; tfjs-core ${tf.version_core} is loaded.`,
      );
    }
  };
  try {
    for (const p of CONV_PROBES) {
      const dwName = p.depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter';
      const dxName = p.depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput';
      if (!kernels.has(dwName) && !kernels.has(dxName)) continue;
      const attrs = { strides: p.strides, dilations: p.dilations, pad: p.pad, dataFormat: 'NHWC' };
      const g = convGeometry(p.xShape, p.filterShape, attrs, p.depthwise);
      const co = p.depthwise ? p.filterShape[2] * p.filterShape[3] : p.filterShape[3];
      const dyShape: [number, number, number, number] = [g.batch, g.outHeight, g.outWidth, co];
      const x = probeValues(tf.util.sizeFromShape(p.xShape), 1);
      const w = probeValues(tf.util.sizeFromShape(p.filterShape), 2);
      const dy = probeValues(tf.util.sizeFromShape(dyShape), 3);
      const ref = naiveConvGradients(
        { ...g, xShape: p.xShape, filterShape: p.filterShape, dyShape, depthwise: p.depthwise },
        x,
        w,
        dy,
      );
      const dyInfo = input(dy, dyShape, 'float32');
      if (kernels.has(dwName)) {
        const got = runAndRead(
          dwName,
          { x: input(x, p.xShape, 'float32'), dy: dyInfo },
          { ...attrs, filterShape: p.filterShape },
        );
        expectClose(dwName, p.name, got, ref.dw);
      }
      if (kernels.has(dxName)) {
        const got = runAndRead(
          dxName,
          { dy: dyInfo, filter: input(w, p.filterShape, 'float32') },
          { ...attrs, inputShape: p.xShape },
        );
        expectClose(dxName, p.name, got, ref.dx);
      }
    }
    if (kernels.has('BatchMatMul')) {
      // [2, 3, 4] x [2, 4, 5] with every transpose combination (operands stored transposed), vs naive.
      const [B, M, K, N] = [2, 3, 4, 5];
      const av = probeValues(B * M * K, 4);
      const bv = probeValues(B * K * N, 5);
      const ref = new Float32Array(B * M * N);
      for (let q = 0; q < B; q++)
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            let acc = 0;
            for (let t = 0; t < K; t++)
              acc += (av[(q * M + i) * K + t] as number) * (bv[(q * K + t) * N + j] as number);
            ref[(q * M + i) * N + j] = acc;
          }
      const stored = (v: Float32Array, rows: number, cols: number, transposed: boolean): Float32Array => {
        if (!transposed) return v;
        const t = new Float32Array(v.length);
        for (let q = 0; q < B; q++)
          for (let i = 0; i < rows; i++)
            for (let j = 0; j < cols; j++)
              t[(q * cols + j) * rows + i] = v[(q * rows + i) * cols + j] as number;
        return t;
      };
      for (const [ta, tb] of [
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const got = runAndRead(
          'BatchMatMul',
          {
            a: input(stored(av, M, K, ta), ta ? [B, K, M] : [B, M, K], 'float32'),
            b: input(stored(bv, K, N, tb), tb ? [B, N, K] : [B, K, N], 'float32'),
          },
          { transposeA: ta, transposeB: tb },
        );
        expectClose('BatchMatMul', `transposeA ${ta}, transposeB ${tb}`, got, ref);
      }
    }
    if (kernels.has('Sum') || kernels.has('Mean')) {
      // [3, 2, 4] over the leading axes [0, 1] (and [1, 0], keepDims), vs naive column sums.
      const xv = probeValues(24, 6);
      const sums = new Float64Array(4);
      for (let i = 0; i < 24; i++) sums[i % 4] = (sums[i % 4] as number) + (xv[i] as number);
      for (const name of ['Sum', 'Mean'] as const) {
        if (!kernels.has(name)) continue;
        const want = Array.from(sums, (v) => (name === 'Mean' ? v / 6 : v));
        for (const [axis, keepDims] of [
          [[0, 1], false],
          [[1, 0], true],
        ] as const) {
          const got = runAndRead(name, { x: input(xv, [3, 2, 4], 'float32') }, { axis: [...axis], keepDims });
          expectClose(name, `axes [${axis}] of [3, 2, 4]`, got, want);
        }
      }
    }
    if (kernels.has('Tile')) {
      // [1, 1, 3] tiled by [2, 2, 1] (a broadcast), vs the repeated values.
      const xv = probeValues(3, 7);
      const got = runAndRead('Tile', { x: input(xv, [1, 1, 3], 'float32') }, { reps: [2, 2, 1] });
      expectClose('Tile', 'broadcast [1, 1, 3] by [2, 2, 1]', got, [...xv, ...xv, ...xv, ...xv]);
    }
    if (kernels.has('MaxPoolGrad')) {
      // [1, 4, 4, 2] with 2x2/2 windows holding ties (zeros, repeated maxima), vs the first maximum per window.
      const xv = Float32Array.from([
        0, 0, 1, 3, 0, 0, 2, 3, 0, 0, 1, 3, 0, 5, 2, -1, 4, 1, -2, -1, 4, 1, -3, -1, 2, 4, -1, -1, 2, 4, -1,
        -1,
      ]);
      const dyv = probeValues(8, 8);
      const want = new Float32Array(32);
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++)
          for (let ch = 0; ch < 2; ch++) {
            let best = -1;
            for (let u = 0; u < 2; u++)
              for (let v = 0; v < 2; v++) {
                const o = ((2 * i + u) * 4 + 2 * j + v) * 2 + ch;
                if (best < 0 || (xv[o] as number) > (xv[best] as number)) best = o;
              }
            want[best] = dyv[(i * 2 + j) * 2 + ch] as number;
          }
      const got = runAndRead(
        'MaxPoolGrad',
        { dy: input(dyv, [1, 2, 2, 2], 'float32'), input: input(xv, [1, 4, 4, 2], 'float32') },
        { filterSize: 2, strides: 2, pad: 'valid' },
      );
      expectClose('MaxPoolGrad', '2x2/2 windows with ties', got, want);
    }
    if (kernels.has('UnsortedSegmentSum')) {
      const got = runAndRead(
        'UnsortedSegmentSum',
        {
          x: input(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [4, 2], 'float32'),
          segmentIds: input(Int32Array.from([2, 0, 2, -1]), [4], 'int32'),
        },
        { numSegments: 3 },
      );
      expectClose('UnsortedSegmentSum', 'segments', got, [3, 4, 0, 0, 6, 8]);
    }
  } finally {
    for (const id of owned) be.disposeData(id, true);
  }
}
