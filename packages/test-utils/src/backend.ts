/**
 * Test backends. Every suite that touches tensors picks its backend(s) through here so the
 * wasm binaries are located once. Stock kernels only: a suite that trains conv nets on wasm registers
 * the klevel training kernels itself (`onTestBackendReady(registerTrainingKernels)` with
 * @klevel/wasm-train), so test-utils does not depend on wasm-train.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe } from 'vitest';

export type TestBackend = 'cpu' | 'wasm';

const require = createRequire(import.meta.url);
let wasmPathsSet = false;
const hooks: Array<(backend: TestBackend) => void | Promise<void>> = [];

/** Registers a function run after a test backend becomes active (e.g. to register training kernels). */
export function onTestBackendReady(hook: (backend: TestBackend) => void | Promise<void>): void {
  hooks.push(hook);
}

/**
 * Makes `name` the active tfjs backend and waits until it is ready, then runs the
 * {@link onTestBackendReady} hooks (e.g. registering the klevel training kernels on wasm).
 */
export async function useTestBackend(name: TestBackend): Promise<void> {
  if (name === 'wasm' && !wasmPathsSet) {
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    wasmPathsSet = true;
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`test backend '${name}' failed to initialise`);
  await tf.ready();
  for (const hook of hooks) await hook(name);
}

/** The backends a suite should run on: KLEVEL_TEST_BACKENDS=cpu,wasm (default: both). */
export function testBackends(): TestBackend[] {
  const raw = process.env.KLEVEL_TEST_BACKENDS ?? 'wasm,cpu';
  return raw.split(',').map((s) => s.trim()).filter(Boolean) as TestBackend[];
}

/** Runs `fn` as one describe block per backend (like tfjs' describeWithFlags). */
export function describeBackends(
  title: string,
  fn: (backend: TestBackend) => void,
  backends: TestBackend[] = testBackends(),
): void {
  for (const backend of backends) {
    describe(`${title} [${backend}]`, () => {
      let previous = '';
      beforeAll(async () => {
        previous = tf.getBackend() ?? '';
        await useTestBackend(backend);
      });
      afterAll(async () => {
        if (previous && previous !== backend) await tf.setBackend(previous);
      });
      fn(backend);
    });
  }
}
