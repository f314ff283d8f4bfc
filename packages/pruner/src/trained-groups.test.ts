/**
 * Property: whatever group type a model was trained with, the plain `prune(model)` removes every channel that
 * is provably dead (a zero filter, or zero weights in every consumer of it) and keeps the outputs equal. Real
 * training: a few prox-SGD steps with `wgsef` and `proxCallback` on Fashion-MNIST, then `finalize()` to exactly
 * k groups, on small conv, residual (add), concat and BatchNorm nets. This is the test that would have caught
 * `groups: 'channels'` training being pruned to nothing by the documented call.
 */
import { type GroupPartition, type GroupSpec, partitionGroups } from '@klevel/groups';
import { proxCallback } from '@klevel/prox-callback';
import { describeBackends, onTestBackendReady } from '@klevel/test-utils';
import { registerTrainingKernels } from '@klevel/wasm-train';
import { wgsef } from '@klevel/wgsef';
import { inceptionModel, lenet5, loadFashionMnist, resnetBlockModel, vggSmall } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compareModels } from './equivalence';
import { measureGroup, WeightReader } from './group-stats';
import { planPruning } from './plan';
import { prune } from './prune';

onTestBackendReady((backend) => {
  registerTrainingKernels(backend);
});

const input: [number, number, number] = [28, 28, 1];
const architectures: Array<[string, () => tfl.LayersModel]> = [
  ['conv (LeNet-5)', () => lenet5({ seed: 1, filters: [6, 8], units: [16, 12] })],
  ['residual add + BatchNorm', () => resnetBlockModel({ seed: 1, inputShape: input, filters: 6 })],
  ['concat (Inception block)', () => inceptionModel({ seed: 1, inputShape: input })],
  ['BatchNorm stack (VGG-small)', () => vggSmall({ seed: 1, filters: [4, 4, 6, 6], units: 12 })],
];

// scope 'global' for 'layer': one group per layer, so a per-layer budget would zero nothing.
const groupTypes: Array<{
  groups: GroupSpec & string;
  scope: 'layer' | 'global';
  minGroupsPerLayer?: number;
}> = [
  { groups: 'filters', scope: 'layer' },
  { groups: 'channels', scope: 'layer' },
  { groups: 'filter-shapes', scope: 'layer' },
  { groups: 'neurons', scope: 'layer' },
  { groups: 'layer', scope: 'global', minGroupsPerLayer: 0 },
  { groups: 'weights', scope: 'layer' },
];

let xs: tf.Tensor;
let ys: tf.Tensor;

/** The zero groups of the trained partition (exactly zero in every regularized slice). */
function zeroGroupsOf(model: tfl.LayersModel, partition: GroupPartition) {
  const reader = new WeightReader(model);
  return partition.groups.map((g) => measureGroup(g, reader)).filter((s) => s.maxAbs === 0);
}

describeBackends('plain prune(model) after training with each group type', () => {
  beforeAll(async () => {
    const data = await loadFashionMnist({ split: 'train', limit: 96 });
    ({ xs, ys } = data.toTensors());
  });
  afterAll(() => tf.dispose([xs, ys]));
  for (const [arch, build] of architectures) {
    for (const { groups, scope, minGroupsPerLayer } of groupTypes) {
      it(`${arch}, trained with groups: '${groups}'`, async () => {
        const model = build();
        const reg = wgsef({
          groups,
          keep: { fraction: 0.5 },
          scope,
          lambda: 1e-3,
          ...(minGroupsPerLayer !== undefined ? { minGroupsPerLayer } : {}),
        });
        model.compile({ optimizer: tf.train.momentum(0.02, 0.9), loss: 'categoricalCrossentropy' });
        await model.fit(xs, ys, {
          batchSize: 32,
          epochs: 1,
          shuffle: false,
          verbose: 0,
          callbacks: [proxCallback(reg, { finalizeOnEnd: true })],
        });
        const trained = partitionGroups(model, groups);
        const zero = zeroGroupsOf(model, trained);
        expect(zero.length, 'finalize() zeroed some groups').toBeGreaterThan(0);

        const { model: small, plan, report } = await prune(model, { check: { tolerance: 1e-5 } });
        // Outputs equal: random inputs (prune's check) and real images.
        expect(report.equivalence?.maxRelativeDifference).toBeLessThanOrEqual(1e-5);
        const real = tf.slice(xs, [0, 0, 0, 0], [16, -1, -1, -1]);
        expect(
          compareModels(small, model, { samples: real, batchSize: 1 }).maxRelativeDifference,
        ).toBeLessThanOrEqual(1e-5);
        real.dispose();

        // Every removable zero channel group of the trained type is removed (or kept with its reason).
        if (groups === 'filters' || groups === 'neurons' || groups === 'channels') {
          // A trained group is accounted for under its own id, as the filter it is ('neurons' are the
          // 'filters' of a Dense), or as the consumer end the plan names ("as 'conv2/channels/3'").
          const decided = [...plan.groups.removed, ...plan.groups.kept];
          const ids = new Set([
            ...decided.map((g) => g.id),
            ...decided.map((g) => g.detail?.match(/as '([^']+)'/)?.[1]),
          ]);
          const missed = zero
            .filter((s) => s.group.removable)
            .map((s) => s.group.id)
            .filter((id) => !ids.has(id) && !ids.has(id.replace('/neurons/', '/filters/')));
          expect(missed, 'zero, removable, but neither removed nor reported kept').toEqual([]);
          if (zero.some((s) => s.group.removable)) expect(plan.groups.removed.length).toBeGreaterThan(0);
        }
        // Nothing removable and zero is left behind: planning the pruned model again removes nothing.
        const again = planPruning(small);
        expect(again.groups.removed.map((g) => `${g.id} (${g.detail ?? g.reason})`)).toEqual([]);
        // Kept zero structures are listed with a reason.
        for (const g of plan.groups.kept) expect(g.reason.length).toBeGreaterThan(0);
        small.dispose();
        model.dispose();
      });
    }
  }
}, ['wasm']);
