/**
 * Convolution geometry shared by the gradient kernels: strides, dilations and the resolved
 * padding of the forward convolution, in NHWC terms.
 */
import { backend_util } from '@tensorflow/tfjs-core';

/** Padding as tfjs kernels receive it. */
export type PadAttr = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** The forward convolution's attributes as the gradient kernels receive them. */
export interface ConvAttrs {
  strides: [number, number] | number;
  dilations?: [number, number] | number;
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Everything the composites need about one forward convolution. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  stride: [number, number];
  dilation: [number, number];
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

/**
 * Resolves the forward geometry of an NHWC convolution with input `xShape` and filter
 * `filterShape` (`[KH, KW, Cin, Cout]`, or `[KH, KW, C, M]` when `depthwise`).
 */
export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
  depthwise: boolean,
): ConvGeometry {
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    stride: [info.strideHeight, info.strideWidth],
    dilation: [info.dilationHeight, info.dilationWidth],
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
}

/** `NCHW` shape to `NHWC` (the composites work in channels-last). */
export function nchwToNhwc(shape: readonly number[]): [number, number, number, number] {
  return [shape[0] as number, shape[2] as number, shape[3] as number, shape[1] as number];
}
