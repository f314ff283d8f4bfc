import { afterEach, expect, it } from 'vitest';
import { getWasmAcceleration, setWasmAcceleration } from './wasm-acceleration';
import { weightedSefProx } from './weighted-sef-prox';

afterEach(() => setWasmAcceleration({ hostProx: true, tensorKernels: true }));

it('toggles the fast paths, returns the previous settings, and keeps the results', () => {
  expect(getWasmAcceleration()).toEqual({ hostProx: true, tensorKernels: true });
  const a = Float64Array.from({ length: 1000 }, (_, j) => 1 + ((j * 7919) % 1000) / 100);
  const opts = { k: 100, lambda: 0.01, weights: new Float64Array(1000).fill(2) };
  const fast = weightedSefProx(a, opts);
  const before = setWasmAcceleration({ hostProx: false });
  expect(before).toEqual({ hostProx: true, tensorKernels: true });
  expect(getWasmAcceleration()).toEqual({ hostProx: false, tensorKernels: true });
  expect(Array.from(weightedSefProx(a, opts))).toEqual(Array.from(fast));
  setWasmAcceleration(before);
  expect(getWasmAcceleration()).toEqual(before);
});

it('rejects bad options with a message that names the option and the fix', () => {
  expect(() => setWasmAcceleration(null as never)).toThrow(/expected an object like \{ hostProx: false \}/);
  expect(() => setWasmAcceleration({ hostprox: false } as never)).toThrow(
    /unknown option 'hostprox'. Fix: use 'hostProx' and\/or 'tensorKernels'/,
  );
  expect(() => setWasmAcceleration({ tensorKernels: 'no' } as never)).toThrow(
    /'tensorKernels' must be true or false; received no/,
  );
  expect(getWasmAcceleration()).toEqual({ hostProx: true, tensorKernels: true });
});
