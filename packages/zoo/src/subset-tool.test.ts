import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FASHION_MNIST_DIR, fashionMnistSubsetDir, hasFashionMnist } from './fashion-mnist';

const script = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../tools/data/make-fashion-subset.mjs',
);
const run = promisify(execFile);

describe('tools/data/make-fashion-subset.mjs', () => {
  it('regenerates the shipped subset byte for byte from the full dataset (or fails clearly without it)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'klevel-subset-'));
    if (!hasFashionMnist(DEFAULT_FASHION_MNIST_DIR, 'train')) {
      const missing = mkdtempSync(join(tmpdir(), 'klevel-nodata-'));
      await expect(run(process.execPath, [script, '--dir', missing, '--out', out])).rejects.toThrow(
        /Fashion-MNIST train files not found/,
      );
      return;
    }
    await run(process.execPath, [script, '--out', out]);
    for (const name of [
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'manifest.json',
    ]) {
      expect(
        readFileSync(join(out, name)).equals(readFileSync(join(fashionMnistSubsetDir(), name))),
        name,
      ).toBe(true);
    }
  });
});
