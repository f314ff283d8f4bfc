/**
 * The WebAssembly passes of the host prox against their JavaScript twins: the same bits on the golden
 * vectors and on thousands of random and adversarial cases (zero groups, ties, tiny and huge norms and
 * lambdas, step groups, k = 1, k >= m), through both root-finding strategies; the aimed search's
 * fallback when the sample misleads; and the module file being in sync with its .wat source.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../__fixtures__/random-cases';
import type { RootMethod } from '../root-finding';
import { proxSearchCounters, setWasmSefPasses, weightedSefProx } from '../weighted-sef-prox';
import { wgsefProx } from '../wgsef';
import { wasmSefPasses } from './sef-passes';

/** Runs fn with the JavaScript passes and with the WebAssembly passes forced for every m. */
function bothPasses<T>(fn: () => T): { js: T; wasm: T } {
  setWasmSefPasses(false);
  const js = fn();
  setWasmSefPasses(true, 1);
  const wasm = fn();
  return { js, wasm };
}

function expectSameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    // === treats +0 and -0 as equal (the JavaScript twin may produce -0 where WebAssembly selects +0).
    if (a[i] !== b[i]) expect.fail(`${what}: entry ${i} differs: ${a[i]} (js) vs ${b[i]} (wasm)`);
  }
}

afterEach(() => setWasmSefPasses(true));

it('the WebAssembly module is available in Node', () => {
  expect(wasmSefPasses()).not.toBeNull();
});

describe('wasm passes == JavaScript passes, bit for bit', () => {
  it('on the 200 golden vectors (wgsefProx)', () => {
    const cases = JSON.parse(
      readFileSync(new URL('../__fixtures__/wgsef-golden.json', import.meta.url), 'utf8'),
    ) as Array<{ v: number[]; groupOffsets: number[]; weights: number[]; k: number; lambda: number }>;
    expect(cases.length).toBeGreaterThanOrEqual(200);
    for (const [i, c] of cases.entries()) {
      const opts = { k: c.k, lambda: c.lambda, weights: c.weights };
      const { js, wasm } = bothPasses(() => wgsefProx(c.v, c.groupOffsets, opts));
      expectSameBits(js, wasm, `golden case ${i}`);
    }
  });

  it('on 3000 random cases with zeros, ties, extreme scales and both strategies', () => {
    const rand = seededRandom(20261125);
    const methods: RootMethod[] = ['select', 'sort'];
    for (let c = 0; c < 3000; c++) {
      const m = c % 3 === 0 ? 1 + Math.floor(rand() * 8) : c % 3 === 1 ? 8 + Math.floor(rand() * 300) : 300 + Math.floor(rand() * 3000);
      const scale = 10 ** (Math.floor(rand() * 40) - 20);
      const a = new Float64Array(m);
      const w = new Float64Array(m);
      for (let j = 0; j < m; j++) {
        const r = rand();
        // zero groups, tied norms, spread norms
        a[j] = r < 0.1 ? 0 : r < 0.25 ? scale : scale * -Math.log(1 - rand());
        w[j] = rand() < 0.5 ? 3 : Math.sqrt(1 + Math.floor(rand() * 64));
      }
      const lambdaChoices = [1e-12, 1e-3, 0.1, 1, 1e3, 1e12];
      const lambda = (lambdaChoices[c % lambdaChoices.length] as number) / scale;
      const k = c % 7 === 0 ? 1 : c % 11 === 0 ? m + 3 : 1 + Math.floor(rand() * m);
      const method = methods[c % 2] as RootMethod;
      const { js, wasm } = bothPasses(() => weightedSefProx(a, { k, lambda, weights: w, method }));
      expectSameBits(js, wasm, `case ${c} (m ${m}, k ${k}, lambda ${lambda}, ${method})`);
    }
  });

  it('with step groups (lambda w^2 beyond 2^52) and norms spanning 600 orders of magnitude', () => {
    const rand = seededRandom(7);
    for (let c = 0; c < 200; c++) {
      const m = 50 + Math.floor(rand() * 500);
      const a = Float64Array.from({ length: m }, () => 10 ** (rand() * 600 - 300));
      const w = Float64Array.from({ length: m }, () => (rand() < 0.5 ? 1 : 2 ** 30));
      const lambda = rand() < 0.5 ? 1 : 1e-300;
      const k = 1 + Math.floor(rand() * m);
      const { js, wasm } = bothPasses(() => weightedSefProx(a, { k, lambda, weights: w }));
      expectSameBits(js, wasm, `case ${c}`);
    }
  });
});

describe('aimed search', () => {
  it('falls back to the full search when the sample misleads, with the same result as sort', () => {
    // Every 16th group (the sample's stride at m = 4096) is large, all others small: the evenly spaced
    // sample sees only large groups and aims far from the root.
    const m = 4096;
    const a = Float64Array.from({ length: m }, (_, j) => (j % 16 === 0 ? 100 + (j % 7) : 1 + (j % 13) * 1e-3));
    const w = new Float64Array(m).fill(1);
    const before = { ...proxSearchCounters };
    const opts = { k: 1000, lambda: 0.05, weights: w };
    const select = weightedSefProx(a, opts);
    expect(proxSearchCounters.aimed).toBe(before.aimed + 1);
    expect(proxSearchCounters.missed).toBe(before.missed + 1);
    const sort = weightedSefProx(a, { ...opts, method: 'sort' });
    for (let j = 0; j < m; j++) expect(select[j]).toBeCloseTo(sort[j] as number, 12);
    const { js, wasm } = bothPasses(() => weightedSefProx(a, opts));
    expectSameBits(js, wasm, 'misled sample');
  });

  it('aims inside on realistic norms (no fallback)', () => {
    const rand = seededRandom(3);
    const m = 20000;
    const w = Float64Array.from({ length: m }, () => Math.sqrt(9 * (1 + Math.floor(rand() * 64))));
    const a = Float64Array.from({ length: m }, (_, j) => (w[j] as number) * 0.05 * -Math.log(1 - rand()));
    const before = { ...proxSearchCounters };
    weightedSefProx(a, { k: 6000, lambda: 1e-3, weights: w });
    expect(proxSearchCounters.aimed).toBe(before.aimed + 1);
    expect(proxSearchCounters.missed).toBe(before.missed);
  });
});

it('the generated module files match their .wat sources (npm run build:wasm-kernels)', () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  // Exits 1 and names the stale file if any generated module differs from assembling its .wat.
  execFileSync(process.execPath, ['tools/wasm/build-kernels.mjs', '--check'], { cwd: root, stdio: 'pipe' });
});
