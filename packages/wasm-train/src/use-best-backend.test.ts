/** useBestBackend from the Node entry: automatic choice without tfjs-node, forced choices and their errors. */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { isTrainingKernelsRegistered } from './index';
import { locateWasmBinaries, useBestBackend } from './node';

describe('useBestBackend', () => {
  it('locates the wasm binaries through Node resolution', async () => {
    const dir = await locateWasmBinaries();
    expect(dir.endsWith('/')).toBe(true);
    expect(existsSync(`${dir}tfjs-backend-wasm-simd.wasm`)).toBe(true);
  });

  it('picks wasm with the training kernels when tfjs-node is not installed', async () => {
    const result = await useBestBackend();
    expect(result.backend).toBe('wasm');
    expect(result.reason).toMatch(/tfjs-node-gpu.*tfjs-node/);
    expect(tf.getBackend()).toBe('wasm');
    expect(isTrainingKernelsRegistered('wasm')).toBe(true);
  });

  it('throws when tensorflow is forced but cannot load, and keeps the active backend', async () => {
    await expect(useBestBackend({ backend: 'tensorflow' })).rejects.toThrow(
      /forced backend 'tensorflow' cannot be used: neither tfjs-node package could be loaded \(@tensorflow\/tfjs-node-gpu: .*@tensorflow\/tfjs-node: /,
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('honours a forced cpu backend', async () => {
    const result = await useBestBackend({ backend: 'cpu' });
    expect(result).toMatchObject({ backend: 'cpu', reason: "forced by options.backend='cpu'" });
    expect(result.kernels?.alreadyRegistered.concat(result.kernels.added, result.kernels.replaced)).toEqual([
      'Conv2DBackpropFilter',
    ]);
    expect(tf.getBackend()).toBe('cpu');
    const again = await useBestBackend({ backend: 'wasm' });
    expect(again.kernels?.alreadyRegistered).toHaveLength(10);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown forced backend', async () => {
    await expect(useBestBackend({ backend: 'webgpu' as 'cpu' })).rejects.toThrow(RangeError);
  });
});
