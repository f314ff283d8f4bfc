/**
 * Multi-threaded wasm (useBestBackend({ wasmThreads })): the bundle checks, option validation, and a real
 * model.fit in child processes (the thread count is fixed per process) whose weights must be bit-identical
 * with 1 and 2 threads.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useBestBackend } from './node';
import { checkWasmThreads, threadedWorkerScript } from './wasm-threads';

const bundlePath = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
const bundle = readFileSync(bundlePath, 'utf8');
const script = fileURLToPath(new URL('../test/threads-train.mjs', import.meta.url));

function train(threads: number): {
  threads: number;
  reason: string;
  weights: string;
  loss: number[];
  leaked: number;
  recheck: string;
} {
  const out = execFileSync(process.execPath, [script], {
    env: { ...process.env, WASM_THREADS: String(threads) },
    encoding: 'utf8',
    timeout: 120_000, // also the check that idle pool workers do not keep the process alive
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

describe('wasmThreads', () => {
  it('trains with 2 XNNPACK threads to bit-identical weights, and the process exits', () => {
    const one = train(1);
    const two = train(2);
    expect(one.threads).toBe(1);
    expect(two).toMatchObject({ threads: 2, leaked: 0 });
    expect(two.reason).toMatch(/2 XNNPACK threads/);
    expect(two.loss.every(Number.isFinite)).toBe(true);
    expect(two.loss[1]).toBeLessThan(two.loss[0] as number);
    expect(two.weights).toBe(one.weights);
    expect(two.loss).toEqual(one.loss);
    expect(one.recheck).toMatch(/wasmThreads is 2 but the wasm backend runs 1 thread\(s\)/);
    expect(two.recheck).toMatch(/wasmThreads is 1 but the wasm backend runs 2 thread\(s\)/);
  });

  it('rewrites the real worker to read the main script blob with the bundle bindings', () => {
    const worker = threadedWorkerScript(bundle, bundlePath);
    expect(worker).toContain('e.data.urlOrBlob.text()');
    expect(worker).toMatch(/require\$\$0=require\(\\"fs\\"\)/);
    expect(worker).not.toContain('importScripts(objectUrl)');
  });

  it('refuses a bundle whose worker or bindings changed, naming what changed', () => {
    expect(() => threadedWorkerScript('var x = 1;', bundlePath)).toThrow(
      /no `wasmWorkerContents` string.*drop wasmThreads/,
    );
    const changed = bundle.replace(
      'importScripts(objectUrl);URL.revokeObjectURL',
      'importScripts(objectUrl); URL.revokeObjectURL',
    );
    expect(() => threadedWorkerScript(changed, bundlePath)).toThrow(/main-script loading changed/);
    expect(() => threadedWorkerScript(`${bundle}\nrequire$$9.x();`, bundlePath)).toThrow(
      /uses require\$\$9 without a top-level require/,
    );
  });

  it.each([0, 1.5, 65, '2', Number.NaN])('rejects wasmThreads %s naming the option', (bad) => {
    expect(() => checkWasmThreads(bad)).toThrow(/options\.wasmThreads must be an integer from 1 to 64.*got/);
  });

  it('throws when wasm already runs single-threaded in this process, instead of ignoring the option', async () => {
    await useBestBackend({ backend: 'wasm' }); // single-threaded
    await expect(useBestBackend({ backend: 'wasm', wasmThreads: 2 })).rejects.toThrow(
      /wasmThreads is 2 but the wasm backend runs 1 thread\(s\): it was initialised before this call/,
    );
    const same = await useBestBackend({ backend: 'wasm', wasmThreads: 1 });
    expect(same).toMatchObject({ backend: 'wasm', wasmThreads: 1 });
  });
});
