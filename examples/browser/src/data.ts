/**
 * The embedded Fashion-MNIST subset of @klevel/zoo (2,000 train and 500 test images), fetched as static assets
 * and parsed with zoo's IDX reader (its browser build inflates gzip with fflate).
 */
import { type FashionMnistData, IMAGE_SIZE, makeFashionMnistData, parseIdx } from '@klevel/zoo';
import testImagesUrl from 'zoo-data/t10k-images-idx3-ubyte.gz?url';
import testLabelsUrl from 'zoo-data/t10k-labels-idx1-ubyte.gz?url';
import trainImagesUrl from 'zoo-data/train-images-idx3-ubyte.gz?url';
import trainLabelsUrl from 'zoo-data/train-labels-idx1-ubyte.gz?url';

const FILES = {
  train: { images: trainImagesUrl, labels: trainLabelsUrl },
  test: { images: testImagesUrl, labels: testLabelsUrl },
} as const;

/**
 * The bytes of an IDX file as served. Static servers differ: some send a .gz file as it is, others (Vite's
 * preview server among them) add `Content-Encoding: gzip` and the browser inflates it already; `parseIdx`
 * inflates only what still starts with the gzip magic number.
 */
async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`fetching ${url.slice(0, 80)} failed: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`fetching ${url.slice(0, 80)} failed: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Loads one split of the embedded subset (pixels scaled to [0, 1], one-hot labels by default). */
export async function loadSubset(split: 'train' | 'test'): Promise<FashionMnistData> {
  const urls = FILES[split];
  const [imageBytes, labelBytes] = await Promise.all([fetchBytes(urls.images), fetchBytes(urls.labels)]);
  const images = parseIdx(imageBytes, 3, urls.images);
  const labels = parseIdx(labelBytes, 1, urls.labels);
  const [n, h, w] = images.dims as [number, number, number];
  if (h !== IMAGE_SIZE || w !== IMAGE_SIZE || labels.dims[0] !== n) {
    throw new Error(
      `${urls.images}: expected N x 28 x 28 images with N labels, got [${images.dims}] / [${labels.dims}]`,
    );
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i]! / 255;
  return makeFashionMnistData({
    split,
    source: 'subset',
    dir: new URL(urls.images, location.href).pathname,
    images: pixels,
    labels: labels.data.slice(),
    onehot: true,
  });
}
