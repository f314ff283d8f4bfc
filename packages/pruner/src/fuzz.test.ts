/**
 * Property-based fuzz: random architectures from the building blocks (conv, conv-BN, depthwise,
 * separable, transposed conv, identity/projection residuals, inception concats, add/multiply/average/
 * maximum/minimum merges, reshape round trips, padding/cropping/upsampling, pooling, flatten/GAP,
 * Embedding + Conv1D sequences, dense, dense-BN, dense residuals and concats, shared dense layers, PReLU,
 * dropout, 1-2 outputs), random zeroed removable groups (filters/neurons, or input channels); prune and
 * compare.
 * Set KLEVEL_FUZZ_SEED to replay a failure, KLEVEL_FUZZ_RUNS to change the number of cases per backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@klevel/test-utils';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { disposeFully } from './__fixtures__/models';
import { archSpec, buildArch } from './__fixtures__/random-arch';
import { sparsify } from './__fixtures__/sparsify';
import { compareModels } from './equivalence';
import { prune } from './prune';

const RUNS: Record<string, number> = { cpu: 250, wasm: 200 };
const envRuns = Number(process.env.KLEVEL_FUZZ_RUNS ?? Number.NaN);
const SEED = Number(process.env.KLEVEL_FUZZ_SEED ?? Date.now() % 2 ** 31);

describeBackends('prune fuzz: random architectures, random zero groups', (backend) => {
  it(
    `pruned predict equals sparse predict (seed ${SEED})`,
    async () => {
      const runs = Number.isFinite(envRuns) ? envRuns : (RUNS[backend] as number);
      let cases = 0;
      let removedTotal = 0;
      let casesWithRemoval = 0;
      const property = fc.asyncProperty(
        archSpec,
        fc.noBias(fc.integer({ min: 1, max: 1_000_000 })),
        fc.noBias(fc.integer({ min: 2, max: 8 }).map((x) => x / 10)),
        fc.noBias(fc.constantFrom('filters' as const, 'filters' as const, 'channels' as const)),
        async (spec, weightSeed, fraction, type) => {
          const before = tf.memory().numTensors;
          const model = buildArch(spec);
          try {
            const zeroed = sparsify(model, weightSeed, fraction, type);
            const {
              model: small,
              plan,
              report,
            } = await prune(model, {
              groups: type,
              check: { tolerance: 1e-5, seed: weightSeed },
            });
            try {
              // Every zeroed group is removed, except one per weight axis that would lose every channel.
              const lastChannel = plan.groups.kept
                .filter((g) => g.reason === 'last-channel')
                .map((g) => g.id);
              expect([...plan.groups.removed.map((g) => g.id), ...lastChannel].sort()).toEqual(
                zeroed.map((g) => g.id).sort(),
              );
              expect(report.total.paramsAfter).toBe(small.countParams());
              const again = compareModels(small, model, { seed: weightSeed + 1, batchSize: 2 });
              expect(again.maxRelativeDifference).toBeLessThanOrEqual(1e-5);
              removedTotal += plan.groups.removed.length;
              if (plan.groups.removed.length > 0) casesWithRemoval++;
            } finally {
              disposeFully(small);
            }
          } finally {
            disposeFully(model);
          }
          expect(tf.memory().numTensors, 'tensor leak').toBe(before);
          cases++;
        },
      );
      try {
        await fc.assert(property, { numRuns: runs, seed: SEED });
      } catch (e) {
        throw new Error(
          `prune fuzz failed on ${backend}; replay with KLEVEL_FUZZ_SEED=${SEED}. ${(e as Error).message}\n` +
            `cause: ${String((e as { cause?: unknown }).cause)}`,
        );
      }
      expect(cases).toBe(runs);
      // The cases really exercise removal (not just "nothing to do").
      expect(casesWithRemoval).toBeGreaterThan(runs / 2);
      console.log(
        `prune fuzz [${backend}]: ${cases} cases (${casesWithRemoval} with removals, ${removedTotal} groups removed), ` +
          `0 mismatches (seed ${SEED})`,
      );
    },
    Math.max(120_000, 200 * (Number.isFinite(envRuns) ? envRuns : 250)),
  );
});
