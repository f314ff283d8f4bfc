/**
 * The demo's data: a seeded training subset, a held-out validation slice (from the training split, disjoint
 * from the training images) and the test split, from the full Fashion-MNIST when installed, else the
 * embedded subset. Always says which one it used.
 */
import { type FashionMnistData, loadFashionMnist, selectSamples, shuffledIndices } from '@klevel/zoo';

/** The three splits as plain arrays (no tensors). */
export interface DemoData {
  source: 'full' | 'subset';
  dir: string;
  train: FashionMnistData;
  /** Undefined when `valSize` is 0 or the pool is too small. */
  val: FashionMnistData | undefined;
  test: FashionMnistData;
  /** Images in the training split before sampling. */
  poolSize: number;
}

/** Options of {@link loadDemoData}. */
export interface LoadDemoDataOptions {
  data: 'auto' | 'full' | 'subset';
  dataDir: string | undefined;
  trainLimit: number | null;
  valSize: number;
  testLimit: number | null;
  seed: number;
}

/**
 * Splits `pool` indices (already shuffled) into train and validation: the validation slice comes first
 * (at most a tenth of the pool), the training images are the next `trainLimit` (or all the rest).
 * @example splitPool(60000, 8192, 1000) // { train: 8192, val: 1000 }
 */
export function splitPool(
  poolSize: number,
  trainLimit: number | null,
  valSize: number,
): { train: number; val: number } {
  const val = Math.min(valSize, Math.floor(poolSize / 10));
  const rest = poolSize - val;
  return { train: trainLimit === null ? rest : Math.min(trainLimit, rest), val };
}

/** Loads and splits the data (see the module comment). */
export async function loadDemoData(o: LoadDemoDataOptions): Promise<DemoData> {
  const common = {
    ...(o.dataDir !== undefined ? { dir: o.dataDir } : {}),
    source: o.dataDir !== undefined && o.data === 'auto' ? ('full' as const) : o.data,
  };
  const pool = await loadFashionMnist({ split: 'train', ...common });
  const test = await loadFashionMnist({
    split: 'test',
    ...common,
    ...(o.testLimit !== null ? { limit: o.testLimit } : {}),
  });
  const order = shuffledIndices(pool.count, o.seed);
  const n = splitPool(pool.count, o.trainLimit, o.valSize);
  const val = n.val > 0 ? selectSamples(pool, order.subarray(0, n.val)) : undefined;
  const train = selectSamples(pool, order.subarray(n.val, n.val + n.train));
  return { source: pool.source, dir: pool.dir, train, val, test, poolSize: pool.count };
}
