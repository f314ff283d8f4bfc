/** Drift guards: version range, missing composed kernels, self-check against naive loops. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../test/helpers';
import { makeConv2DBackpropFilter } from './conv2d-backprop-filter';
import {
  COMPOSED_KERNELS,
  checkComposedKernels,
  checkTfjsCoreVersion,
  SUPPORTED_TFJS_CORE_RANGE,
  selfCheckKernels,
} from './guards';

describe('drift guards', () => {
  beforeAll(async () => useBackend('wasm'));

  it('accepts the installed tfjs-core and every 4.22.x', () => {
    expect(SUPPORTED_TFJS_CORE_RANGE).toBe('>=4.22.0 <4.23.0');
    expect(() => checkTfjsCoreVersion()).not.toThrow();
    expect(() => checkTfjsCoreVersion('4.22.7')).not.toThrow();
  });

  it('rejects other versions, naming the supported range and the escape hatch', () => {
    for (const v of ['4.21.0', '4.23.0', '5.0.0', 'garbage']) {
      expect(() => checkTfjsCoreVersion(v)).toThrow(
        new RegExp(`tfjs-core ${v} is not supported.*>=4\\.22\\.0 <4\\.23\\.0.*allowUntestedTfjsVersion`),
      );
    }
  });

  it('names missing composed kernels', () => {
    expect(() => checkComposedKernels('wasm', COMPOSED_KERNELS.wasm)).not.toThrow();
    expect(() => checkComposedKernels('wasm', ['Conv2D', 'NoSuchKernel', 'AlsoMissing'])).toThrow(
      /backend 'wasm' lacks the kernel\(s\) NoSuchKernel, AlsoMissing/,
    );
  });

  it('self-check passes for the real composite and catches a kernel that drifted', () => {
    const backend = tf.engine().registry.wasm as tf.KernelBackend;
    expect(() =>
      selfCheckKernels(
        'wasm',
        backend,
        new Map([['Conv2DBackpropFilter', makeConv2DBackpropFilter('wasm')]]),
      ),
    ).not.toThrow();
    const good = makeConv2DBackpropFilter('wasm');
    // Simulates an upstream change in Conv2D's stride/dilation semantics.
    const drifted: tf.KernelFunc = (args) => good({ ...args, attrs: { ...args.attrs, strides: 1 } });
    const numDataIds = backend.numDataIds();
    expect(() => selfCheckKernels('wasm', backend, new Map([['Conv2DBackpropFilter', drifted]]))).toThrow(
      /self-check of 'Conv2DBackpropFilter' on backend 'wasm' failed/,
    );
    expect(backend.numDataIds()).toBe(numDataIds);
  });
});
