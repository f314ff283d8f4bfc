/**
 * Property-based fuzz of foldBatchNorm on the random architectures of the prune fuzz (conv-BN, depthwise-BN,
 * dense-BN, residuals, concats, shared layers, 1-2 outputs) with random weights and BN statistics: the folded
 * model computes the same outputs, has fewer BatchNorms, keeps every other layer name, leaks nothing and
 * leaves the input model unchanged. KLEVEL_FUZZ_SEED replays a failure, KLEVEL_FOLD_FUZZ_RUNS sets the cases.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@klevel/test-utils';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { disposeFully, randomizeWeights } from './__fixtures__/models';
import { archSpec, buildArch } from './__fixtures__/random-arch';
import { compareModels } from './equivalence';
import { foldBatchNorm } from './fold-batch-norm';

const RUNS: Record<string, number> = { cpu: 200, wasm: 150 };
const envRuns = Number(process.env.KLEVEL_FOLD_FUZZ_RUNS ?? Number.NaN);
const SEED = Number(process.env.KLEVEL_FUZZ_SEED ?? Date.now() % 2 ** 31);

describeBackends('foldBatchNorm fuzz: random architectures', (backend) => {
  it(`folded predict equals unfolded predict (seed ${SEED})`, async () => {
    const runs = Number.isFinite(envRuns) ? envRuns : (RUNS[backend] as number);
    let foldedTotal = 0;
    let casesWithFolds = 0;
    const property = fc.asyncProperty(
      archSpec,
      fc.noBias(fc.integer({ min: 1, max: 1_000_000 })),
      async (spec, weightSeed) => {
        const before = tf.memory().numTensors;
        const model = buildArch(spec);
        try {
          randomizeWeights(model, weightSeed);
          const config = JSON.stringify(model.toJSON(null, false));
          const bns = model.layers
            .filter((l) => l.getClassName() === 'BatchNormalization')
            .map((l) => l.name);
          const r = await foldBatchNorm(model, { check: { tolerance: 1e-4, seed: weightSeed } });
          try {
            expect([...r.folded, ...r.notFolded.map((n) => n.layerName)].sort()).toEqual(
              expect.arrayContaining(bns.slice().sort()),
            );
            expect(r.model.layers.map((l) => l.name)).toEqual(
              model.layers.map((l) => l.name).filter((n) => !r.folded.includes(n)),
            );
            const again = compareModels(r.model, model, { seed: weightSeed + 1, batchSize: 2 });
            expect(again.maxRelativeDifference).toBeLessThanOrEqual(1e-4);
            expect(JSON.stringify(model.toJSON(null, false))).toBe(config);
            foldedTotal += r.folded.length;
            if (r.folded.length > 0) casesWithFolds++;
          } finally {
            disposeFully(r.model);
          }
        } finally {
          disposeFully(model);
        }
        expect(tf.memory().numTensors, 'tensor leak').toBe(before);
      },
    );
    try {
      await fc.assert(property, { numRuns: runs, seed: SEED });
    } catch (e) {
      throw new Error(
        `foldBatchNorm fuzz failed on ${backend}; replay with KLEVEL_FUZZ_SEED=${SEED}. ${(e as Error).message}\n` +
          `cause: ${String((e as { cause?: unknown }).cause)}`,
      );
    }
    expect(casesWithFolds).toBeGreaterThan(0);
    console.log(
      `foldBatchNorm fuzz [${backend}]: ${runs} cases (${casesWithFolds} with folds, ${foldedTotal} BNs folded), seed ${SEED}`,
    );
  }, 120_000);
});
