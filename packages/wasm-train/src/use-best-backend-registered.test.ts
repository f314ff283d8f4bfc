/**
 * The browser-safe useBestBackend (main entry) only uses backends the app registered: here only cpu is
 * imported, so wasm is missing and the errors say what to import. Own file: no other test imports wasm here.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { useBestBackend } from './index';

describe('useBestBackend (registered backends only)', () => {
  it('a forced backend that is not registered names the package to import', async () => {
    await expect(useBestBackend({ backend: 'wasm' })).rejects.toThrow(
      /forced backend 'wasm' cannot be used: backend 'wasm' is not registered: import '@tensorflow\/tfjs-backend-wasm' in your app/,
    );
    await expect(useBestBackend({ backend: 'webgl' })).rejects.toThrow(
      /import '@tensorflow\/tfjs-backend-webgl' in your app/,
    );
    expect(tf.engine().registryFactory.wasm).toBeUndefined();
  });

  it('the automatic choice takes the registered cpu backend and says why wasm was skipped', async () => {
    const result = await useBestBackend();
    expect(result.backend).toBe('cpu');
    expect(result.reason).toMatch(
      /^cpu with the fast conv filter gradient \(skipped wasm: backend 'wasm' is not registered/,
    );
    expect(result.kernels?.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects options that are not an object and unknown backends', async () => {
    await expect(useBestBackend(null as unknown as object)).rejects.toThrow(
      /options must be an object, got null/,
    );
    await expect(useBestBackend({ backend: 'webgpu' as 'cpu' })).rejects.toThrow(
      /options.backend must be one of 'tensorflow', 'webgl', 'wasm', 'cpu', got 'webgpu'/,
    );
  });
});
