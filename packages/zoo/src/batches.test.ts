import { describe, expect, it } from 'vitest';
import { balancedIndices, batchIterator, shuffleData } from './batches';
import { makeFashionMnistData } from './dataset';
import { shuffledIndices } from './random';

function fakeData(n: number) {
  const images = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) images[i * 784] = i; // first pixel identifies the sample
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  return makeFashionMnistData({
    split: 'train',
    source: 'subset',
    dir: '/tmp',
    images,
    labels,
    onehot: true,
  });
}

describe('shuffling and batching', () => {
  it('shuffledIndices is a seeded permutation', () => {
    const a = shuffledIndices(100, 5);
    expect(Array.from(a)).toEqual(Array.from(shuffledIndices(100, 5)));
    expect(Array.from(a)).not.toEqual(Array.from(shuffledIndices(100, 6)));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(() => shuffledIndices(-1, 0)).toThrow(/non-negative integer, received -1/);
  });

  it('batchIterator covers every sample once, in a seeded order, with a smaller last batch', () => {
    const data = fakeData(25);
    const batches = [...batchIterator(data, { batchSize: 10, seed: 3 })];
    expect(batches.map((b) => b.count)).toEqual([10, 10, 5]);
    const seen = batches.flatMap((b) => Array.from({ length: b.count }, (_, i) => b.images[i * 784]!));
    expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    const again = [...batchIterator(data, { batchSize: 10, seed: 3 })].flatMap((b) =>
      Array.from({ length: b.count }, (_, i) => b.images[i * 784]!),
    );
    expect(again).toEqual(seen);
    // labels travel with their images
    for (const b of batches)
      for (let i = 0; i < b.count; i++) expect(b.labels[i]).toBe(b.images[i * 784]! % 10);
  });

  it('batchIterator honours shuffle: false and dropRemainder, and validates batchSize', () => {
    const data = fakeData(25);
    const plain = [...batchIterator(data, { batchSize: 10, shuffle: false, dropRemainder: true })];
    expect(plain.map((b) => b.count)).toEqual([10, 10]);
    expect(plain[1]!.images[0]).toBe(10);
    expect(() => [...batchIterator(data, { batchSize: 0 })]).toThrow(/batchSize must be a positive integer/);
  });

  it('shuffleData permutes samples with labels', () => {
    const s = shuffleData(fakeData(30), 1);
    expect(s.count).toBe(30);
    for (let i = 0; i < 30; i++) expect(s.labels[i]).toBe(s.images[i * 784]! % 10);
  });

  it('balancedIndices takes perClass of each class, sorted, and errors on a short class', () => {
    const labels = Uint8Array.from({ length: 200 }, (_, i) => i % 10);
    const idx = balancedIndices(labels, 7, 0);
    expect(idx.length).toBe(70);
    const counts = new Array(10).fill(0);
    for (const i of idx) counts[labels[i]!]++;
    expect(counts).toEqual(new Array(10).fill(7));
    expect(Array.from(idx)).toEqual([...idx].sort((a, b) => a - b));
    expect(() => balancedIndices(labels, 21, 0)).toThrow(/class 0 has 20 samples, fewer than perClass=21/);
  });
});
