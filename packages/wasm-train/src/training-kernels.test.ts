/** Registration behaviour: before ready, twice, unregister/restore, unknown backends. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
// Gradients are registered by tfjs-layers (the ESM tfjs-core entry does not register them).
import '@tensorflow/tfjs-layers';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import {
  isTrainingKernelsRegistered,
  registerTrainingKernels,
  trainingKernelNames,
  unregisterTrainingKernels,
  useBestBackend,
} from './index';

function convGradOnActiveBackend(): number {
  return tf.tidy(() => {
    const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
    const w = tf.variable(tf.ones([3, 3, 2, 4]));
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 2, 'same')) as tf.Scalar,
      [w],
    );
    const g = grads[w.name] as tf.Tensor;
    const out = (g.dataSync()[0] as number) + (value.dataSync()[0] as number) * 0;
    w.dispose();
    return out;
  });
}

describe('registerTrainingKernels', () => {
  it('throws a clear error before the backend is initialised', () => {
    expect(tf.engine().registry.wasm).toBeUndefined();
    expect(() => registerTrainingKernels('wasm')).toThrow(
      /registered but not initialised.*tf\.setBackend\('wasm'\)/,
    );
    expect(isTrainingKernelsRegistered('wasm')).toBe(false);
  });

  it('rejects backends it has no kernels for', () => {
    expect(() => registerTrainingKernels('webgl')).toThrow(RangeError);
    expect(() => registerTrainingKernels('tensorflow')).toThrow(/'wasm' or 'cpu'/);
  });

  it('registers on a ready backend and reports added and replaced kernels', async () => {
    const result = await useBestBackend({ backend: 'wasm' });
    expect(result.kernels).toMatchObject({
      backend: 'wasm',
      added: [
        'Conv2DBackpropFilter',
        'DepthwiseConv2dNativeBackpropFilter',
        'DepthwiseConv2dNativeBackpropInput',
        'UnsortedSegmentSum',
      ],
      replaced: ['Conv2DBackpropInput', 'BatchMatMul', 'Sum', 'Mean', 'Tile', 'MaxPoolGrad'],
      alreadyRegistered: [],
      tfjsCoreVersion: tf.version_core,
    });
    expect(isTrainingKernelsRegistered('wasm')).toBe(true);
  });

  it('is idempotent: a second call changes nothing', () => {
    const before = trainingKernelNames('wasm').map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
    const report = registerTrainingKernels('wasm');
    expect(report.added).toEqual([]);
    expect(report.replaced).toEqual([]);
    expect(report.alreadyRegistered).toEqual(trainingKernelNames('wasm'));
    expect(trainingKernelNames('wasm').map((k) => tf.getKernel(k, 'wasm')?.kernelFunc)).toEqual(before);
  });

  it('unregister restores the stock kernels (and stock wasm cannot train a conv)', () => {
    expect(convGradOnActiveBackend()).toBeGreaterThan(0);
    expect(unregisterTrainingKernels('wasm')).toEqual(trainingKernelNames('wasm'));
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBeDefined();
    expect(isTrainingKernelsRegistered('wasm')).toBe(false);
    expect(() => convGradOnActiveBackend()).toThrow(
      /Conv2DBackpropFilter' not registered for backend 'wasm'/,
    );
    const report = registerTrainingKernels('wasm');
    expect(report.replaced).toEqual(['Conv2DBackpropInput', 'BatchMatMul', 'Sum', 'Mean', 'Tile', 'MaxPoolGrad']);
    expect(convGradOnActiveBackend()).toBeGreaterThan(0);
  });

  it('explains a backend that is not registered at all, then one that is not initialised', async () => {
    await useBestBackend({ backend: 'cpu' });
    expect(isTrainingKernelsRegistered('cpu')).toBe(true);
    await tf.setBackend('wasm');
    tf.removeBackend('cpu');
    expect(() => registerTrainingKernels('cpu')).toThrow(
      /'cpu' is not registered\. Import '@tensorflow\/tfjs-backend-cpu'/,
    );
    tf.registerBackend('cpu', () => new MathBackendCPU(), 1);
    expect(() => registerTrainingKernels('cpu')).toThrow(/not initialised/);
    await tf.setBackend('cpu');
    // Kernel registrations outlive a backend instance: still the klevel ones.
    expect(registerTrainingKernels('cpu').alreadyRegistered).toEqual(['Conv2DBackpropFilter']);
    expect(convGradOnActiveBackend()).toBeGreaterThan(0);
  });
});
