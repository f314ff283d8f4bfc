/**
 * When wasm cannot start (here: binaries missing at the configured path), a forced wasm throws
 * and the automatic choice falls back to cpu, saying why. Own file: the failed wasm init is
 * permanent for the process.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBestBackend } from './node';

describe('useBestBackend without a working wasm', () => {
  it('forced wasm fails loudly instead of falling back', async () => {
    await expect(useBestBackend({ backend: 'wasm', wasmPaths: '/nonexistent/klevel-wasm/' })).rejects.toThrow(
      /forced backend 'wasm' cannot be used/,
    );
    expect(tf.getBackend()).not.toBe('cpu');
  });

  it('automatic choice falls back to cpu and reports the wasm failure', async () => {
    const result = await useBestBackend({ wasmPaths: '/nonexistent/klevel-wasm/' });
    expect(result.backend).toBe('cpu');
    expect(result.reason).toMatch(/skipped tensorflow: .*; wasm: /);
    expect(result.kernels?.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
