/**
 * Naive (loop) reference gradients of a 2-D convolution in NHWC, used by the registration
 * self-check and by the tests for configurations the stock cpu kernels do not cover (dilations).
 * Pure math on flat arrays.
 */

/** Geometry of a naive reference convolution (resolved padding). */
export interface NaiveConv {
  /** `[N, H, W, C]` of the forward input. */
  xShape: [number, number, number, number];
  /** `[KH, KW, Cin, Cout]`, or `[KH, KW, C, M]` when `depthwise`. */
  filterShape: [number, number, number, number];
  /** `[N, OH, OW, Cout]` (Cout = C*M for depthwise). */
  dyShape: [number, number, number, number];
  stride: [number, number];
  dilation: [number, number];
  padTop: number;
  padLeft: number;
  depthwise: boolean;
}

/** Returns `{ dx, dw }` for the given x, filter and dy by direct summation. */
export function naiveConvGradients(
  g: NaiveConv,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  dy: ArrayLike<number>,
): { dx: Float64Array; dw: Float64Array } {
  const [n, h, wd, c] = g.xShape;
  const [kh, kw, f2, f3] = g.filterShape;
  const [, oh, ow, co] = g.dyShape;
  const dx = new Float64Array(n * h * wd * c);
  const dw = new Float64Array(kh * kw * f2 * f3);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let u = 0; u < kh; u++)
          for (let v = 0; v < kw; v++) {
            const hi = i * g.stride[0] + u * g.dilation[0] - g.padTop;
            const wj = j * g.stride[1] + v * g.dilation[1] - g.padLeft;
            if (hi < 0 || hi >= h || wj < 0 || wj >= wd) continue;
            const xo = ((b * h + hi) * wd + wj) * c;
            const dyo = ((b * oh + i) * ow + j) * co;
            const wo = (u * kw + v) * f2 * f3;
            if (g.depthwise) {
              for (let ch = 0; ch < c; ch++)
                for (let m = 0; m < f3; m++) {
                  const d = dy[dyo + ch * f3 + m] as number;
                  dw[wo + ch * f3 + m] = (dw[wo + ch * f3 + m] as number) + (x[xo + ch] as number) * d;
                  dx[xo + ch] = (dx[xo + ch] as number) + (w[wo + ch * f3 + m] as number) * d;
                }
            } else {
              for (let ci = 0; ci < c; ci++)
                for (let o = 0; o < co; o++) {
                  const d = dy[dyo + o] as number;
                  dw[wo + ci * co + o] = (dw[wo + ci * co + o] as number) + (x[xo + ci] as number) * d;
                  dx[xo + ci] = (dx[xo + ci] as number) + (w[wo + ci * co + o] as number) * d;
                }
            }
          }
  return { dx, dw };
}
