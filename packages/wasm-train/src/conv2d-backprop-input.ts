/**
 * A fast `Conv2DBackpropInput` built on the backend's forward Conv2D (XNNPACK on wasm): stride 1
 * directly as a full correlation with the flipped filter, larger strides through the sub-pixel
 * phase decomposition in `transposed_conv.ts`. It replaces wasm's stock kernel, a scalar C++ loop
 * that dominated VGG-style training steps (920 of 1364 ms).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type ConvAttrs, convGeometry, nchwToNhwc } from './geometry';
import { withRunner } from './kernel-runner';
import { convCorrelation, transposedConv } from './transposed-conv';

/** Attributes of the `Conv2DBackpropInput` kernel (plus an optional forward `dilations`). */
export interface Conv2DBackpropInputAttrs extends ConvAttrs {
  dataFormat?: 'NHWC' | 'NCHW';
  inputShape: [number, number, number, number];
}

/** Builds the kernel function for backend `backendName`. */
export function makeConv2DBackpropInput(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    return withRunner(backendName, backend, (r) => {
      const nchw = a.dataFormat === 'NCHW';
      const inputShape = nchw ? nchwToNhwc(a.inputShape) : a.inputShape;
      const dyh = nchw ? r.transpose(dy, [0, 2, 3, 1]) : dy;
      const g = convGeometry(inputShape, filter.shape, a, false);
      const dx = transposedConv(r, dyh, filter, g, inputShape[3], convCorrelation);
      return nchw ? r.transpose(dx, [0, 3, 1, 2]) : dx;
    });
  };
}
