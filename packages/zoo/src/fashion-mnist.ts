/**
 * Fashion-MNIST loader: reads the four IDX files (gzip-compressed or not) from the Debian
 * `dataset-fashion-mnist` directory, any directory the user names, or the small embedded subset.
 *
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, Zalando Research, MIT license): 60,000 train and 10,000 test
 * 28x28 grey-scale images of 10 clothing classes.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  type FashionMnistData,
  type FashionMnistSource,
  IMAGE_SIZE,
  makeFashionMnistData,
  NUM_CLASSES,
} from './dataset';
import { parseIdx } from './idx';

/** Where Debian's `dataset-fashion-mnist` package installs the full dataset. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Options of {@link loadFashionMnist}. */
export interface LoadFashionMnistOptions {
  /** `'train'` (60,000 images; 2,000 in the subset) or `'test'` (10,000; 500 in the subset). */
  split: 'train' | 'test';
  /**
   * Directory holding the IDX files of the full dataset (default {@link DEFAULT_FASHION_MNIST_DIR}).
   * When given explicitly its files must exist: there is no fallback for a named directory.
   */
  dir?: string;
  /**
   * `'full'`: the dataset in `dir`, error if missing. `'subset'`: the embedded subset.
   * `'auto'` (default): the full dataset when the default directory has it, else the embedded subset; the
   * result's `source` says which one was used (print it).
   */
  source?: 'auto' | FashionMnistSource;
  /** Keep only the first `limit` samples (default: all). */
  limit?: number;
  /** Default label encoding of `toTensors()` (default true: one-hot). */
  onehot?: boolean;
}

/** File names of a split, as published (`train-*` / `t10k-*`). */
export function fashionMnistFileNames(split: 'train' | 'test'): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k';
  return { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` };
}

/** The directory of the embedded subset shipped with @klevel/zoo (`packages/zoo/data/fashion-mnist-subset`). */
export function fashionMnistSubsetDir(): string {
  // The package root from Node resolution of this package's own package.json, so the path is right from
  // src/, dist/ and from a bundle that inlined this module (tsup shims import.meta.url in the CJS build).
  const root = dirname(createRequire(import.meta.url).resolve('@klevel/zoo/package.json'));
  return resolve(root, 'data', 'fashion-mnist-subset');
}

/** Finds `<dir>/<base>.gz` or `<dir>/<base>`; undefined when neither exists. */
function findFile(dir: string, base: string): string | undefined {
  for (const candidate of [join(dir, `${base}.gz`), join(dir, base)]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** True when `dir` holds both files of `split` (gzip-compressed or not). */
export function hasFashionMnist(dir: string, split: 'train' | 'test'): boolean {
  const names = fashionMnistFileNames(split);
  return findFile(dir, names.images) !== undefined && findFile(dir, names.labels) !== undefined;
}

/**
 * Loads one split of Fashion-MNIST as normalized typed arrays (and a `toTensors()` helper).
 *
 * Every file is checked: gzip integrity, IDX magic numbers (0x803 images, 0x801 labels), 28x28 image dims,
 * payload lengths, matching image/label counts and labels in 0..9. A corrupt or truncated file gives an Error
 * naming the file and the problem.
 *
 * @param options - see {@link LoadFashionMnistOptions}.
 * @returns the data; `source` is `'full'` or `'subset'` and callers should print it.
 * @example
 * const train = await loadFashionMnist({ split: 'train', limit: 5000 });
 * console.log(`Fashion-MNIST ${train.source}: ${train.count} train images`);
 * const { xs, ys } = train.toTensors();
 */
export async function loadFashionMnist(options: LoadFashionMnistOptions): Promise<FashionMnistData> {
  const { split, limit, onehot = true, source = 'auto' } = options ?? ({} as LoadFashionMnistOptions);
  if (split !== 'train' && split !== 'test') {
    throw new TypeError(
      `loadFashionMnist: options.split must be 'train' or 'test', received ${String(split)}`,
    );
  }
  if (source !== 'auto' && source !== 'full' && source !== 'subset') {
    throw new TypeError(
      `loadFashionMnist: options.source must be 'auto', 'full' or 'subset', received ${String(source)}`,
    );
  }
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(`loadFashionMnist: options.limit must be a positive integer, received ${limit}`);
  }
  const fullDir = resolve(options.dir ?? DEFAULT_FASHION_MNIST_DIR);
  let used: FashionMnistSource;
  if (source === 'subset') used = 'subset';
  else if (source === 'full' || options.dir !== undefined) used = 'full';
  else used = hasFashionMnist(fullDir, split) ? 'full' : 'subset';
  const dir = used === 'full' ? fullDir : fashionMnistSubsetDir();

  const names = fashionMnistFileNames(split);
  const imagePath = findFile(dir, names.images);
  const labelPath = findFile(dir, names.labels);
  if (!imagePath || !labelPath) {
    const missing = [imagePath ? '' : names.images, labelPath ? '' : names.labels].filter(Boolean);
    throw new Error(
      `loadFashionMnist: ${missing.join(' and ')}(.gz) not found in ${dir}. Install the full dataset ` +
        "(apt-get install dataset-fashion-mnist), pass the directory that holds it as `dir`, or use source: 'subset'",
    );
  }
  const [imageBytes, labelBytes] = await Promise.all([readFile(imagePath), readFile(labelPath)]);
  const imagesIdx = parseIdx(imageBytes, 3, imagePath);
  const labelsIdx = parseIdx(labelBytes, 1, labelPath);
  const [n, h, w] = imagesIdx.dims as [number, number, number];
  if (h !== IMAGE_SIZE || w !== IMAGE_SIZE) {
    throw new Error(`loadFashionMnist: ${imagePath} holds ${h}x${w} images, expected 28x28`);
  }
  if (labelsIdx.dims[0] !== n) {
    throw new Error(
      `loadFashionMnist: ${imagePath} holds ${n} images but ${labelPath} holds ${labelsIdx.dims[0]} labels; ` +
        'the files do not belong together',
    );
  }
  const count = Math.min(n, limit ?? n);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const images = new Float32Array(count * pixels);
  const raw = imagesIdx.data;
  for (let i = 0; i < images.length; i++) images[i] = raw[i]! / 255;
  const labels = labelsIdx.data.slice(0, count);
  for (let i = 0; i < count; i++) {
    if (labels[i]! >= NUM_CLASSES) {
      throw new Error(
        `loadFashionMnist: ${labelPath} label ${i} is ${labels[i]}, expected 0..9; the file is corrupt`,
      );
    }
  }
  return makeFashionMnistData({ split, source: used, dir, images, labels, onehot });
}
