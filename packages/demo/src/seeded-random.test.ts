import { describe, expect, it } from 'vitest';
import { withSeededMathRandom } from './seeded-random';

describe('withSeededMathRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', async () => {
    const draw = () => Promise.resolve([Math.random(), Math.random(), Math.random()]);
    const a = await withSeededMathRandom(3, draw);
    const b = await withSeededMathRandom(3, draw);
    const c = await withSeededMathRandom(4, draw);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const v of a) expect(v >= 0 && v < 1).toBe(true);
  });

  it('restores Math.random afterwards, also when the call throws', async () => {
    const original = Math.random;
    await withSeededMathRandom(1, async () => 0);
    expect(Math.random).toBe(original);
    await expect(
      withSeededMathRandom(1, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(Math.random).toBe(original);
  });
});
