import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FASHION_MNIST_DIR,
  fashionMnistSubsetDir,
  hasFashionMnist,
  loadFashionMnist,
} from './fashion-mnist';
import { encodeIdx, parseIdx } from './idx';

/** Writes a tiny valid split into a fresh tmp dir and returns the dir; `mutate` can corrupt files. */
function craft(
  n: number,
  opts: { gzip?: boolean; labels?: Uint8Array; imageDims?: number[]; labelDims?: number[] } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'klevel-fmnist-'));
  const imageDims = opts.imageDims ?? [n, 28, 28];
  const images = Uint8Array.from({ length: imageDims.reduce((a, b) => a * b, 1) }, (_, i) => i % 256);
  const labels = opts.labels ?? Uint8Array.from({ length: n }, (_, i) => i % 10);
  const write = (name: string, bytes: Uint8Array) =>
    opts.gzip === false
      ? writeFileSync(join(dir, name), bytes)
      : writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes));
  write('train-images-idx3-ubyte', encodeIdx(imageDims, images));
  write('train-labels-idx1-ubyte', encodeIdx(opts.labelDims ?? [labels.length], labels));
  return dir;
}

describe('loadFashionMnist: embedded subset', () => {
  it('loads 2,000 train / 500 test images, 200 / 50 per class, pixels in [0, 1]', async () => {
    for (const [split, perClass] of [
      ['train', 200],
      ['test', 50],
    ] as const) {
      const data = await loadFashionMnist({ split, source: 'subset' });
      expect(data.source).toBe('subset');
      expect(data.dir).toBe(fashionMnistSubsetDir());
      expect(data.count).toBe(perClass * 10);
      expect(data.images.length).toBe(perClass * 10 * 784);
      const counts = new Array(10).fill(0);
      for (const l of data.labels) counts[l]++;
      expect(counts).toEqual(new Array(10).fill(perClass));
      let min = 1;
      let max = 0;
      for (const v of data.images) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
    }
  });

  it('ships its license and a manifest whose indices match the full dataset when it is installed', async () => {
    const dir = fashionMnistSubsetDir();
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/MIT License[\s\S]*Zalando SE/);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.splits.test.sourceIndices).toHaveLength(500);
    const subset = await loadFashionMnist({ split: 'test', source: 'subset' });
    if (hasFashionMnist(DEFAULT_FASHION_MNIST_DIR, 'test')) {
      const full = await loadFashionMnist({ split: 'test', source: 'full' });
      expect(full.count).toBe(10000);
      manifest.splits.test.sourceIndices.forEach((src: number, k: number) => {
        expect(subset.labels[k]).toBe(full.labels[src]);
        expect(subset.images[k * 784 + 400]).toBe(full.images[src * 784 + 400]);
      });
    } else {
      await expect(loadFashionMnist({ split: 'test', source: 'full' })).rejects.toThrow(/not found in/);
    }
  });

  it("source 'auto' uses the full dataset when installed, else the subset, and says which", async () => {
    const data = await loadFashionMnist({ split: 'test', limit: 10 });
    expect(data.source).toBe(hasFashionMnist(DEFAULT_FASHION_MNIST_DIR, 'test') ? 'full' : 'subset');
    expect(data.count).toBe(10);
  });
});

describe('loadFashionMnist: crafted directories', () => {
  it('reads plain and gzip IDX files from a named directory, honouring limit', async () => {
    for (const gzip of [true, false]) {
      const dir = craft(12, { gzip });
      const data = await loadFashionMnist({ split: 'train', dir, limit: 5 });
      expect(data.source).toBe('full');
      expect(data.count).toBe(5);
      expect(data.images[1]).toBeCloseTo(1 / 255, 7);
      expect(Array.from(data.labels)).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it('never falls back when a named directory lacks the files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klevel-empty-'));
    await expect(loadFashionMnist({ split: 'test', dir })).rejects.toThrow(
      /t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte\(\.gz\) not found in .*klevel-empty-.*source: 'subset'/,
    );
  });

  it('gives clear errors for truncated, mismatched and corrupt files', async () => {
    const truncated = craft(4, { gzip: false });
    const imgPath = join(truncated, 'train-images-idx3-ubyte');
    const bytes = readFileSync(imgPath);
    writeFileSync(imgPath, bytes.subarray(0, bytes.length - 100));
    await expect(loadFashionMnist({ split: 'train', dir: truncated })).rejects.toThrow(
      /train-images-idx3-ubyte declares dims \[4, 28, 28\] = 3136 bytes of data but holds 3036; the file is truncated/,
    );

    const truncatedGz = craft(4);
    const gzPath = join(truncatedGz, 'train-labels-idx1-ubyte.gz');
    const gz = readFileSync(gzPath);
    writeFileSync(gzPath, gz.subarray(0, gz.length - 5));
    await expect(loadFashionMnist({ split: 'train', dir: truncatedGz })).rejects.toThrow(
      /train-labels-idx1-ubyte.gz is not a valid gzip stream/,
    );

    await expect(
      loadFashionMnist({ split: 'train', dir: craft(4, { labels: Uint8Array.from([0, 1, 2]) }) }),
    ).rejects.toThrow(/holds 4 images but .* holds 3 labels/);
    await expect(
      loadFashionMnist({ split: 'train', dir: craft(2, { labels: Uint8Array.from([0, 12]) }) }),
    ).rejects.toThrow(/label 1 is 12, expected 0..9/);
    await expect(
      loadFashionMnist({ split: 'train', dir: craft(2, { imageDims: [2, 32, 32] }) }),
    ).rejects.toThrow(/holds 32x32 images, expected 28x28/);

    const swapped = craft(3, { gzip: false });
    writeFileSync(
      join(swapped, 'train-images-idx3-ubyte'),
      readFileSync(join(swapped, 'train-labels-idx1-ubyte')),
    );
    await expect(loadFashionMnist({ split: 'train', dir: swapped })).rejects.toThrow(
      /magic number 0x00000801, expected 0x00000803/,
    );
  });

  it('validates its options', async () => {
    await expect(loadFashionMnist({ split: 'validation' as 'train' })).rejects.toThrow(
      /split must be 'train' or 'test', received validation/,
    );
    await expect(loadFashionMnist({ split: 'train', limit: 0 })).rejects.toThrow(
      /limit must be a positive integer/,
    );
    await expect(loadFashionMnist({ split: 'train', source: 'web' as 'full' })).rejects.toThrow(
      /source must be/,
    );
  });

  it('parses the real files when installed (magic numbers and dims)', () => {
    if (!hasFashionMnist(DEFAULT_FASHION_MNIST_DIR, 'train')) {
      expect(hasFashionMnist(fashionMnistSubsetDir(), 'train')).toBe(true);
      return;
    }
    const labels = parseIdx(readFileSync(join(DEFAULT_FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz')), 1);
    expect(labels.dims).toEqual([60000]);
  });
});

describeBackends('FashionMnistData.toTensors', () => {
  it('makes [N,28,28,1] images and one-hot or int labels without leaking', async () => {
    const data = await loadFashionMnist({ split: 'test', source: 'subset', limit: 6 });
    await expectNoLeaks(() => {
      const { xs, ys } = data.toTensors();
      expect(xs.shape).toEqual([6, 28, 28, 1]);
      expect(ys.shape).toEqual([6, 10]);
      const argmax = tf.argMax(ys, 1);
      expect(Array.from(argmax.dataSync())).toEqual(Array.from(data.labels));
      argmax.dispose();
      const ints = data.toTensors({ onehot: false });
      expect(ints.ys.dtype).toBe('int32');
      expect(Array.from(ints.ys.dataSync())).toEqual(Array.from(data.labels));
      tf.dispose([xs, ys, ints.xs, ints.ys]);
    });
  });
});
