/**
 * Wrong inputs to the pruner's public functions get a clear error naming the function, the argument, what
 * was expected and the fix: no model, a diverged (NaN) model, a layer @klevel/groups does not know.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { partitionGroups } from '@klevel/groups';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { lenet5, randomizeWeights, zeroGroups } from './__fixtures__/models';
import { applyPlan } from './apply';
import { compareModels } from './equivalence';
import { planPruning } from './plan';
import { prune } from './prune';

/** Dense features per time step, then an LSTM (a class @klevel/groups has no handler for), then a head. */
function lstmModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [6, 3], units: 8, activation: 'relu', name: 'd1' }),
      tfl.layers.dense({ units: 6, activation: 'relu', name: 'd2' }),
      tfl.layers.lstm({ units: 5, name: 'lstm1', recurrentInitializer: 'glorotUniform' }),
      tfl.layers.dense({ units: 2, name: 'head' }),
    ],
  });
}

function setValue(model: tfl.LayersModel, layerName: string, weight: number, index: number, value: number) {
  const v = model.getLayer(layerName).weights[weight]!;
  const data = Float32Array.from(v.read().dataSync());
  data[index] = value;
  const t = tf.tensor(data, v.shape as number[]);
  v.write(t);
  t.dispose();
}

describeBackends('pruner: bad input', () => {
  it('prune / planPruning / applyPlan without a model: a TypeError naming the argument, not a crash', async () => {
    const message = (api: string, got: string) =>
      new RegExp(
        `^${api}: 'model' must be a tfjs-layers LayersModel \\(from tfl\\.sequential, .*\\), got ${got}\\.$`,
      );
    await expect(prune(null as unknown as tfl.LayersModel)).rejects.toThrow(message('prune', 'null'));
    await expect(prune(undefined as unknown as tfl.LayersModel)).rejects.toThrow(
      message('prune', 'undefined'),
    );
    await expect(prune({} as tfl.LayersModel)).rejects.toThrow(message('prune', 'an object without layers'));
    expect(() => planPruning(null as unknown as tfl.LayersModel)).toThrow(message('planPruning', 'null'));
    const model = lenet5();
    const plan = planPruning(model);
    await expect(applyPlan(null as unknown as tfl.LayersModel, plan)).rejects.toThrow(
      message('applyPlan', 'null'),
    );
    await expect(prune(model, null as never)).rejects.toThrow(/^prune: 'options' must be an object/);
    model.dispose();
  });

  it('a diverged model (NaN or infinite weights) is refused, naming the weight and the layer', async () => {
    const model = lenet5();
    randomizeWeights(model, 4);
    const conv = model.layers[2]!.name;
    setValue(model, conv, 0, 5, Number.NaN);
    setValue(model, conv, 0, 9, Number.NaN);
    const nan = new RegExp(
      `^prune: weight '${conv}/kernel(_\\d+)?' of layer '${conv}' is not finite \\(2 NaN, 0 ±Infinity of \\d+ values, ` +
        'the first at flat index 5\\)\\. The model has diverged',
    );
    await expect(prune(model)).rejects.toThrow(nan);
    expect(() => planPruning(model)).toThrow(/^planPruning: weight .* is not finite/);
    const dense = model.layers[5]!.name;
    setValue(model, conv, 0, 5, 0);
    setValue(model, conv, 0, 9, 0);
    setValue(model, dense, 1, 0, Number.POSITIVE_INFINITY);
    await expect(prune(model)).rejects.toThrow(
      new RegExp(
        `^prune: weight '${dense}/bias(_\\d+)?' of layer '${dense}' is not finite \\(0 NaN, 1 ±Infinity`,
      ),
    );
    model.dispose();
  });

  it('an LSTM: the error advises prune(model, { exclude }), which then prunes around it and reports its MACs as 0', async () => {
    const model = lstmModel();
    randomizeWeights(model, 2);
    await expect(prune(model)).rejects.toThrow(
      /^prune: layer 'lstm1' has class 'LSTM', which @klevel\/groups does not know\. Either exclude it: prune\(model, \{ exclude: \['lstm1'\] \}\) \(the layer is then kept unchanged/,
    );
    expect(() => planPruning(model)).toThrow(
      /^planPruning: .*exclude it: planPruning\(model, \{ exclude: \['lstm1'\] \}\)/,
    );

    const { groups } = partitionGroups(model, {
      rules: [{ layers: { all: true }, type: 'filters' }],
      exclude: ['lstm1'],
    });
    const zeroed = groups.filter((g) => g.layerName === 'd1' && g.index % 2 === 0);
    expect(zeroed.every((g) => g.removable)).toBe(true);
    zeroGroups(model, zeroed);
    for (const options of [{ exclude: ['lstm1'] }, { exclude: ['lstm1'], groups: 'filters' as const }]) {
      await expectNoLeaks(async () => {
        const { model: small, plan, report } = await prune(model, options);
        expect(plan.groups.removed.map((g) => g.id).sort()).toEqual(zeroed.map((g) => g.id).sort());
        expect(report.macsCountedAsZero).toEqual([{ layerName: 'lstm1', className: 'LSTM' }]);
        expect(String(report)).toMatch(
          /MACs counted as 0 \(excluded, not countable\): lstm1 \(LSTM\); the MAC totals leave them out/,
        );
        expect(compareModels(small, model).maxRelativeDifference).toBeLessThanOrEqual(1e-5);
        small.dispose();
      });
    }
    model.dispose();
  });

  it('an excluded layer that @klevel/groups can count keeps its MACs in the report', async () => {
    const model = lenet5();
    randomizeWeights(model, 5);
    const head = model.layers[model.layers.length - 1]!.name;
    const { model: small, report } = await prune(model, { exclude: [head] });
    const row = report.layers.find((l) => l.layerName === head)!;
    expect(row.macsBefore).toBeGreaterThan(0);
    expect(row.macsBefore).toBe(row.macsAfter);
    expect(report.macsCountedAsZero).toEqual([]);
    expect(String(report)).not.toMatch(/counted as 0/);
    small.dispose();
    model.dispose();
  });
});
