/**
 * The input gradient of a (depthwise) convolution computed with fast forward convolutions only.
 *
 * Math (one spatial axis, stride s, dilation r, top padding p, filter taps k = 0..K-1):
 *   dX[h] = sum_{oh, k : oh*s + k*r = h + p} dY[oh] * W[k].
 * - Stride 1: a 'full' correlation, i.e. a valid convolution of dY zero-padded by
 *   (K-1)*r - p rows on top and H + p - OH below, with the spatially flipped filter at dilation r.
 * - Stride s > 1 (sub-pixel / phase decomposition): write h + p = q*s + φ. Only taps
 *   k = φ + s*j reach phase φ, so each of the s^2 phases is a stride-1 full correlation of dY with
 *   the sub-filter W[φ::s] (cost 1/s^2 of a zero-inserted transposed conv each). The phase
 *   outputs are stacked, interleaved by transposes and cropped by p. A dilated filter is first
 *   expanded with zeros so the same decomposition applies.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './geometry';
import type { KernelRunner } from './kernel-runner';

/**
 * A stride-1 'valid' correlation of `dy` (NHWC) with the spatially flipped `taps`
 * (`[J, Jw, ...]`, unflipped) at `dilation`, producing `[N, h, w, outChannels]`.
 */
export type FullCorrelation = (
  r: KernelRunner,
  dy: tf.TensorInfo,
  taps: tf.TensorInfo,
  dilation: [number, number],
) => tf.TensorInfo;

/** dX (NHWC, `[N, inHeight, inWidth, outChannels]`) of a convolution with geometry `g`. */
export function transposedConv(
  r: KernelRunner,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
  outChannels: number,
  correlate: FullCorrelation,
): tf.TensorInfo {
  const [sh, sw] = g.stride;
  if (sh === 1 && sw === 1) {
    const [rh, rw] = g.dilation;
    const top = (g.filterHeight - 1) * rh - g.padTop;
    const left = (g.filterWidth - 1) * rw - g.padLeft;
    const dyp = r.padOrCrop(dy, [
      [0, 0],
      [top, g.inHeight + g.padTop - g.outHeight],
      [left, g.inWidth + g.padLeft - g.outWidth],
      [0, 0],
    ]);
    return correlate(r, dyp, filter, g.dilation);
  }
  const taps = g.dilation[0] > 1 || g.dilation[1] > 1 ? dilateFilter(r, filter, g.dilation) : filter;
  const kh = taps.shape[0] as number;
  const kw = taps.shape[1] as number;
  const qh = Math.ceil((g.padTop + g.inHeight) / sh);
  const qw = Math.ceil((g.padLeft + g.inWidth) / sw);
  const n = g.batch;
  const phaseSize = n * qh * qw * outChannels;
  const phases: tf.TensorInfo[] = []; // row-major over (ph, pw), each [N, Qh, Qw, C]
  for (let ph = 0; ph < sh; ph++) {
    for (let pw = 0; pw < sw; pw++) {
      const jh = Math.ceil((kh - ph) / sh);
      const jw = Math.ceil((kw - pw) / sw);
      let y: tf.TensorInfo;
      if (jh <= 0 || jw <= 0) {
        y = r.zeros([n, qh, qw, outChannels]);
      } else {
        const sub = r.stridedSlice(taps, [ph, pw, 0, 0], [sh, sw, 1, 1]);
        const dyp = r.padOrCrop(dy, [
          [0, 0],
          [jh - 1, qh - g.outHeight],
          [jw - 1, qw - g.outWidth],
          [0, 0],
        ]);
        y = correlate(r, dyp, sub, [1, 1]);
      }
      phases.push(r.reshape(y, [1, phaseSize]));
    }
  }
  // Interleave: out[n, q*sh + ph, v*sw + pw, c] = phase(ph, pw)[n, q, v, c], as contiguous stacking
  // plus two native 4-D transposes (first within a phase row, then across rows).
  const rows: tf.TensorInfo[] = [];
  for (let ph = 0; ph < sh; ph++) {
    const row = r.reshape(r.concat(phases.slice(ph * sw, (ph + 1) * sw), 0), [sw, n * qh, qw, outChannels]);
    rows.push(r.reshape(r.transpose(row, [1, 2, 0, 3]), [1, phaseSize * sw])); // [N*Qh, Qw, sw, C]
  }
  const stacked = r.reshape(r.concat(rows, 0), [sh, n, qh, qw * sw * outChannels]);
  const interleaved = r.transpose(stacked, [1, 2, 0, 3]); // [N, Qh, sh, Qw*sw*C]
  const full = r.reshape(interleaved, [n, qh * sh, qw * sw, outChannels]);
  return r.slice(full, [0, g.padTop, g.padLeft, 0], [n, g.inHeight, g.inWidth, outChannels]);
}

/**
 * Inserts `dilation - 1` zeros between the taps of a `[KH, KW, A, B]` filter, giving the
 * equivalent undilated filter of size `[(KH-1)*rh+1, (KW-1)*rw+1, A, B]`.
 */
export function dilateFilter(
  r: KernelRunner,
  filter: tf.TensorInfo,
  dilation: [number, number],
): tf.TensorInfo {
  const [kh, kw, a, b] = filter.shape as [number, number, number, number];
  const [rh, rw] = dilation;
  const t = r.reshape(filter, [kh, 1, kw, 1, a * b]);
  const padded = r.padOrCrop(t, [
    [0, 0],
    [0, rh - 1],
    [0, 0],
    [0, rw - 1],
    [0, 0],
  ]);
  const flat = r.reshape(padded, [kh * rh, kw * rw, a, b]);
  return r.slice(flat, [0, 0, 0, 0], [(kh - 1) * rh + 1, (kw - 1) * rw + 1, a, b]);
}

/** Full correlation for a regular convolution: flip, swap in/out channels, Conv2D. */
export const convCorrelation: FullCorrelation = (r, dy, taps, dilation) => {
  const flipped = r.reverse(taps, [0, 1]);
  const swapped = r.transpose(flipped, [0, 1, 3, 2]); // [J, Jw, Cout, Cin]
  return r.conv2d(dy, swapped, [1, 1], dilation);
};

/** Full correlation for a depthwise convolution (`taps` is `[J, Jw, C, M]`): flip, depthwise, sum over M. */
export const depthwiseCorrelation: FullCorrelation = (r, dy, taps, dilation) => {
  const [jh, jw, c, m] = taps.shape as [number, number, number, number];
  const flipped = r.reverse(taps, [0, 1]);
  const f = r.reshape(flipped, [jh, jw, c * m, 1]);
  const y = r.depthwise(dy, f, [1, 1], dilation); // [N, h, w, C*M]
  if (m === 1) return y;
  const [n, h, w] = y.shape as [number, number, number, number];
  return r.sum(r.reshape(y, [n, h, w, c, m]), [4]);
};
