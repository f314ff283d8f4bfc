/**
 * Finalize (the exact-k step), prune (the smaller model, checked against the sparse one) and evaluate both on
 * the test images.
 */
import { type PruningReport, prune } from '@klevel/pruner';
import type { FinalizeResult, WgsefRegularizer } from '@klevel/wgsef';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** What the prune step shows (the caller owns `pruned` and disposes it). */
export interface PruneOutcome {
  finalize: FinalizeResult;
  pruned: tfl.LayersModel;
  report: PruningReport;
  /** Test accuracy of the sparse (finalized, not pruned) model and of the pruned one. */
  accuracy: { sparse: number; pruned: number };
  /** max |pruned(x) - sparse(x)| over the test images (softmax outputs). */
  testMaxAbsDiff: number;
  ms: { finalize: number; prune: number };
}

/** Fraction of `xs` whose arg-max prediction matches the one-hot `ys`. */
export async function accuracy(model: tfl.LayersModel, xs: tf.Tensor, ys: tf.Tensor): Promise<number> {
  const hits = tf.tidy(() => {
    const pred = model.predict(xs, { batchSize: 250 }) as tf.Tensor;
    return tf.sum(tf.cast(tf.equal(tf.argMax(pred, 1), tf.argMax(ys, 1)), 'float32'));
  });
  const n = (await hits.data())[0]!;
  hits.dispose();
  return n / xs.shape[0]!;
}

async function maxAbsDiff(a: tfl.LayersModel, b: tfl.LayersModel, xs: tf.Tensor): Promise<number> {
  const d = tf.tidy(() =>
    tf.max(
      tf.abs(
        tf.sub(
          a.predict(xs, { batchSize: 250 }) as tf.Tensor,
          b.predict(xs, { batchSize: 250 }) as tf.Tensor,
        ),
      ),
    ),
  );
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

/** Finalizes `reg` on `model` (in place: exactly k groups per layer), then prunes a copy of it. */
export async function finalizeAndPrune(
  model: tfl.LayersModel,
  reg: WgsefRegularizer,
  testXs: tf.Tensor,
  testYs: tf.Tensor,
): Promise<PruneOutcome> {
  const t0 = performance.now();
  const finalize = reg.finalize();
  const t1 = performance.now();
  const samples = tf.tidy(() => tf.slice(testXs, 0, 32));
  let result: Awaited<ReturnType<typeof prune>>;
  try {
    result = await prune(model, { check: { samples } });
  } finally {
    samples.dispose();
  }
  const t2 = performance.now();
  return {
    finalize,
    pruned: result.model,
    report: result.report,
    accuracy: {
      sparse: await accuracy(model, testXs, testYs),
      pruned: await accuracy(result.model, testXs, testYs),
    },
    testMaxAbsDiff: await maxAbsDiff(model, result.model, testXs),
    ms: { finalize: t1 - t0, prune: t2 - t1 },
  };
}
