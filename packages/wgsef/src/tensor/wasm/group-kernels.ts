/**
 * Fused group kernels on the tfjs wasm backend, run by a small SIMD WebAssembly module (group-kernels.wat)
 * that imports the backend's own memory and works on the weights where they are stored:
 * - group norms: the per-position sums of squares of a float32 term in one pass (no squared intermediate
 *   tensor, no pooled tensor, no download: the sums are read from the heap), float64 accumulation;
 * - rescale: the prox output `x * scale[position]` written straight into a tensor the backend allocates
 *   (the factors are written into the heap: no upload, no broadcasting binary op).
 *
 * This relies on internals of @tensorflow/tfjs-backend-wasm 4.x: `backend.wasm.asm.memory` (the
 * WebAssembly.Memory), `backend.wasm._malloc/_free`, `backend.dataIdMap.get(dataId).memoryOffset` and
 * `backend.makeOutput`. They are checked when the kernels are first set up for a backend instance; if any
 * is missing (another tfjs version, the threaded build's shared memory, no SIMD), the functions here
 * report that they did not run and the callers use tfjs ops instead (same results, slower). No other
 * path depends on these internals.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TermGeometry } from '../term-ops';
import { instantiateEmbedded, type WasmMemory, wasmApi } from '../../wasm/embedded-module';
import { GROUP_KERNELS_WASM_BASE64 } from './group-kernels-wasm';

interface WasmTensorData {
  memoryOffset: number | null;
}

interface WasmBackendLike {
  wasm: { asm?: { memory?: unknown }; _malloc?: unknown; _free?: unknown };
  dataIdMap: { get(dataId: object): WasmTensorData | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** The instantiated kernels, bound to one backend instance. */
interface FusedKernels {
  memory: WasmMemory;
  malloc: (bytes: number) => number;
  free: (ptr: number) => void;
  dataIdMap: WasmBackendLike['dataIdMap'];
  columns: (src: number, rows: number, cols: number, dst: number) => void;
  rows: (src: number, outer: number, positions: number, inner: number, dst: number) => void;
  scaleColumns: (src: number, rows: number, cols: number, scale: number, dst: number) => void;
  scaleRows: (src: number, outer: number, positions: number, inner: number, scale: number, dst: number) => void;
  makeOutput: (shape: number[]) => tf.TensorInfo;
}

/** Kernels per backend instance (null: this backend cannot use them; checked once). */
const kernelsByBackend = new WeakMap<object, FusedKernels | null>();
let enabled = true;

/**
 * Turns the fused wasm reduction on or off (default on). For tests and benchmarks that compare it with
 * the portable path; not part of the public API.
 */
export function setFusedWasmKernels(on: boolean): void {
  enabled = on;
}

function setUp(backend: object): FusedKernels | null {
  const b = backend as Partial<WasmBackendLike>;
  const memory = b.wasm?.asm?.memory;
  const malloc = b.wasm?._malloc;
  const free = b.wasm?._free;
  if (
    wasmApi === undefined ||
    !(memory instanceof wasmApi.Memory) ||
    typeof malloc !== 'function' ||
    typeof free !== 'function' ||
    typeof b.dataIdMap?.get !== 'function' ||
    typeof b.makeOutput !== 'function'
  ) {
    return null;
  }
  try {
    const ex = instantiateEmbedded(GROUP_KERNELS_WASM_BASE64, { env: { memory } });
    const kernels: FusedKernels = {
      memory,
      malloc: malloc as FusedKernels['malloc'],
      free: free as FusedKernels['free'],
      dataIdMap: b.dataIdMap as WasmBackendLike['dataIdMap'],
      columns: ex.sum_squares_columns as FusedKernels['columns'],
      rows: ex.sum_squares_rows as FusedKernels['rows'],
      scaleColumns: ex.scale_columns as FusedKernels['scaleColumns'],
      scaleRows: ex.scale_rows as FusedKernels['scaleRows'],
      makeOutput: (shape) => (b as WasmBackendLike).makeOutput(shape, 'float32'),
    };
    // The internals are checked by name above; this checks their meaning on known numbers.
    return selfCheck(kernels) ? kernels : null;
  } catch {
    // Shared memory of the threaded build, or no wasm SIMD: the portable path is used.
    return null;
  }
}

function kernelsForCurrentBackend(): FusedKernels | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend();
  let k = kernelsByBackend.get(backend);
  if (k === undefined) {
    k = setUp(backend);
    kernelsByBackend.set(backend, k);
  }
  return k;
}

/**
 * Adds the squared norms of one float32 term to `out` by group: `out[groupIds[p]] += sum of squares at
 * position p` (ids of -1 skipped), computed by the fused wasm kernel and read straight from the heap.
 * Returns false, touching nothing, when the kernel does not apply (backend not wasm, kernels unavailable,
 * group axes not one contiguous block, dtype not float32); the caller then reduces with tfjs ops.
 */
export function addFusedSquareSums(
  x: tf.Tensor,
  g: TermGeometry,
  groupIds: ArrayLike<number>,
  out: Float64Array,
): boolean {
  if (!enabled || x.dtype !== 'float32' || !g.contiguous || x.isDisposed) return false;
  const k = kernelsForCurrentBackend();
  if (k === null) return false;
  return addSquareSumsWith(k, x, g, groupIds, out);
}

function addSquareSumsWith(
  k: FusedKernels,
  x: tf.Tensor,
  g: TermGeometry,
  groupIds: ArrayLike<number>,
  out: Float64Array,
): boolean {
  const P = g.positions;
  if (P === 0 || x.size === 0) return true;
  const src = k.dataIdMap.get(x.dataId)?.memoryOffset;
  if (typeof src !== 'number') return false;
  const block = k.malloc(P * 8 + 8);
  if (!(block > 0)) return false;
  const dst = (block + 7) & ~7; // float64 alignment
  try {
    new Float64Array(k.memory.buffer, dst, P).fill(0);
    if (g.inner === 1) k.columns(src, g.outer, P, dst);
    else k.rows(src, g.outer, P, g.inner, dst);
    // A fresh view after the call (the buffer is replaced if the heap grew meanwhile).
    addByGroup(out, groupIds, new Float64Array(k.memory.buffer, dst, P), g.idRunBase);
    return true;
  } finally {
    k.free(block);
  }
}

/** out[groupIds[p]] += sums[p] (monomorphic in Float64Array: this is the per-group hot loop). */
function addByGroup(out: Float64Array, groupIds: ArrayLike<number>, sums: Float64Array, runBase?: number): void {
  if (runBase !== undefined) {
    // ids are runBase + p: a slice, no gather
    const o = out.subarray(runBase, runBase + sums.length);
    for (let p = 0; p < sums.length; p++) o[p] = (o[p] as number) + (sums[p] as number);
    return;
  }
  for (let p = 0; p < sums.length; p++) {
    const g = groupIds[p] as number;
    if (g >= 0) out[g] = (out[g] as number) + (sums[p] as number);
  }
}

/**
 * `x * scales[groupIds[p]]` at every position p (`unassigned` where the id is -1) as a NEW tensor written
 * by the fused wasm kernel; undefined when it does not apply (then the caller uses one tf.mul). Same
 * float32 products as tf.mul.
 */
export function fusedScale(
  x: tf.Tensor,
  g: TermGeometry,
  groupIds: ArrayLike<number>,
  scales: ArrayLike<number>,
  unassigned: number,
): tf.Tensor | undefined {
  if (!enabled || x.dtype !== 'float32' || !g.contiguous || x.isDisposed || x.size === 0) return undefined;
  const k = kernelsForCurrentBackend();
  if (k === null) return undefined;
  return scaleWith(k, x, g, groupIds, scales, unassigned);
}

function scaleWith(
  k: FusedKernels,
  x: tf.Tensor,
  g: TermGeometry,
  groupIds: ArrayLike<number>,
  scales: ArrayLike<number>,
  unassigned: number,
): tf.Tensor | undefined {
  const src = k.dataIdMap.get(x.dataId)?.memoryOffset;
  if (typeof src !== 'number') return undefined;
  const P = g.positions;
  const block = k.malloc(P * 4 + 16);
  if (!(block > 0)) return undefined;
  try {
    const info = k.makeOutput(x.shape.slice());
    const dst = k.dataIdMap.get(info.dataId)?.memoryOffset as number;
    const f = (block + 15) & ~15;
    // Views after the allocations (the heap may have grown).
    const factors = new Float32Array(k.memory.buffer, f, P);
    const base = g.idRunBase;
    if (base !== undefined && scales instanceof Float64Array) {
      factors.set(scales.subarray(base, base + P)); // ids are base + p: one converting copy
    } else {
      for (let p = 0; p < P; p++) {
        const id = groupIds[p] as number;
        factors[p] = id >= 0 ? (scales[id] as number) : unassigned;
      }
    }
    if (g.inner === 1) k.scaleColumns(src, g.outer, P, f, dst);
    else k.scaleRows(src, g.outer, P, g.inner, f, dst);
    return tf.engine().makeTensorFromTensorInfo(info);
  } finally {
    k.free(block);
  }
}

/**
 * Runs both kernels on known numbers through the backend's internals and compares exactly (small
 * integers: every sum and product is exact in float32): a [3, 21] tensor of 1..63 summed by columns (the
 * 16-, 4- and 1-column routes) and by rows, and scaled by column. False if anything differs.
 */
function selfCheck(k: FusedKernels): boolean {
  const rows = 3;
  const cols = 21;
  const x = tf.tensor(
    Float32Array.from({ length: rows * cols }, (_, i) => i + 1),
    [rows, cols],
  );
  const ids = Int32Array.from({ length: cols }, (_, i) => i);
  const byCol: TermGeometry = {
    positions: cols,
    perPosition: rows,
    contiguous: true,
    outer: rows,
    inner: 1,
    scaleShape: [cols],
    reduceAxes: [0],
  };
  const byRow: TermGeometry = {
    positions: rows,
    perPosition: cols,
    contiguous: true,
    outer: 1,
    inner: cols,
    scaleShape: [rows, 1],
    reduceAxes: [1],
  };
  let y: tf.Tensor | undefined;
  try {
    const colSums = new Float64Array(cols);
    const rowSums = new Float64Array(rows);
    if (!addSquareSumsWith(k, x, byCol, ids, colSums) || !addSquareSumsWith(k, x, byRow, ids, rowSums)) return false;
    for (let c = 0; c < cols; c++) {
      let e = 0;
      for (let r = 0; r < rows; r++) e += (r * cols + c + 1) ** 2;
      if (colSums[c] !== e) return false;
    }
    for (let r = 0; r < rows; r++) {
      let e = 0;
      for (let c = 0; c < cols; c++) e += (r * cols + c + 1) ** 2;
      if (rowSums[r] !== e) return false;
    }
    const scales = Float64Array.from({ length: cols }, (_, c) => 0.5 * (c + 1));
    y = scaleWith(k, x, byCol, ids, scales, 1);
    if (y === undefined) return false;
    const v = y.dataSync();
    for (let i = 0; i < rows * cols; i++) {
      if (v[i] !== Math.fround((i + 1) * (scales[i % cols] as number))) return false;
    }
    return true;
  } finally {
    x.dispose();
    y?.dispose();
  }
}

/** Whether the kernels can be set up on `backend` (internals present and the self-check passing); tests. */
export function fusedKernelsWorkOn(backend: object): boolean {
  return setUp(backend) !== null;
}
