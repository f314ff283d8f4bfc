#!/usr/bin/env node
/**
 * Regenerates the embedded Fashion-MNIST subset of @klevel/zoo (packages/zoo/data/fashion-mnist-subset) from
 * the full dataset: a class-balanced, seeded sample of 200 train and 50 test images per class, written as
 * gzipped IDX files with the published names, plus manifest.json with the source indices.
 *
 * Usage: node tools/data/make-fashion-subset.mjs [--dir /usr/share/datasets/fashion-mnist]
 *          [--out packages/zoo/data/fashion-mnist-subset] [--train-per-class 200] [--test-per-class 50] [--seed 2017]
 *
 * Self-contained on purpose (node built-ins only), so it runs without building the workspace.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    out: { type: 'string', default: join(root, 'packages/zoo/data/fashion-mnist-subset') },
    'train-per-class': { type: 'string', default: '200' },
    'test-per-class': { type: 'string', default: '50' },
    seed: { type: 'string', default: '2017' },
  },
});

function readIdx(path, rank) {
  let bytes = new Uint8Array(readFileSync(path));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = new Uint8Array(gunzipSync(bytes));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== (0x800 | rank)) throw new Error(`${path}: magic 0x${magic.toString(16)}, expected 0x80${rank}`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const data = bytes.subarray(4 + 4 * rank);
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${path}: length does not match dims`);
  return { dims, data };
}

function writeIdx(path, dims, data) {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x800 | dims.length, false);
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  out.set(data, 4 + 4 * dims.length);
  // mtime 0 in the gzip header (bytes 4-7 are zero from zlib by default) keeps the output byte-stable.
  writeFileSync(path, gzipSync(out, { level: 9 }));
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Same algorithm as balancedIndices in packages/zoo/src/batches.ts (seeded Fisher-Yates, then per class). */
function balancedIndices(labels, perClass, seed) {
  const rand = mulberry32(seed);
  const order = Int32Array.from({ length: labels.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const picked = Array.from({ length: 10 }, () => []);
  for (const i of order) if (picked[labels[i]].length < perClass) picked[labels[i]].push(i);
  picked.forEach((b, c) => {
    if (b.length < perClass) throw new Error(`class ${c} has only ${b.length} samples`);
  });
  return Int32Array.from(picked.flat()).sort();
}

const seed = Number(values.seed);
const manifest = { dataset: 'Fashion-MNIST', license: 'MIT (Zalando SE), see LICENSE', seed, splits: {} };
mkdirSync(values.out, { recursive: true });
for (const [split, prefix, perClassText] of [
  ['train', 'train', values['train-per-class']],
  ['test', 't10k', values['test-per-class']],
]) {
  const find = (base) => [join(values.dir, `${base}.gz`), join(values.dir, base)].find((p) => existsSync(p));
  const imagesPath = find(`${prefix}-images-idx3-ubyte`);
  const labelsPath = find(`${prefix}-labels-idx1-ubyte`);
  if (!imagesPath || !labelsPath) throw new Error(`Fashion-MNIST ${split} files not found in ${values.dir}`);
  const images = readIdx(imagesPath, 3);
  const labels = readIdx(labelsPath, 1);
  const perClass = Number(perClassText);
  const idx = balancedIndices(labels.data, perClass, seed);
  const px = 28 * 28;
  const subImages = new Uint8Array(idx.length * px);
  const subLabels = new Uint8Array(idx.length);
  idx.forEach((i, k) => {
    subImages.set(images.data.subarray(i * px, (i + 1) * px), k * px);
    subLabels[k] = labels.data[i];
  });
  writeIdx(join(values.out, `${prefix}-images-idx3-ubyte.gz`), [idx.length, 28, 28], subImages);
  writeIdx(join(values.out, `${prefix}-labels-idx1-ubyte.gz`), [idx.length], subLabels);
  manifest.splits[split] = { count: idx.length, perClass, sourceIndices: Array.from(idx) };
  console.log(`${split}: ${idx.length} images (${perClass} per class) from ${imagesPath}`);
}
writeFileSync(join(values.out, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
console.log(`wrote ${values.out}`);
