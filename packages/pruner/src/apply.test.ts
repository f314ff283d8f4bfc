import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { lenet5, randomizeWeights } from './__fixtures__/models';
import { applyPlan, gatherKept } from './apply';
import { compareModels } from './equivalence';
import type { LayerPlan, PruningPlan } from './plan-types';

function handPlan(layers: LayerPlan[]): PruningPlan {
  return {
    format: 'klevel-pruning-plan',
    version: 1,
    modelName: 'm',
    groups: { removed: [], kept: [] },
    layers,
  };
}

/** Zeroes conv1 filters 1 and 4 (kernel + bias) and returns the matching hand-written plan. */
function sparseLenet(): { model: tfl.LayersModel; plan: PruningPlan; conv1: string; conv2: string } {
  const model = lenet5();
  randomizeWeights(model, 3);
  const conv1 = model.layers[0] as tfl.layers.Layer;
  const conv2 = model.layers[2] as tfl.layers.Layer;
  tf.tidy(() => {
    const mask = tf.tensor1d([1, 0, 1, 1, 0, 1]);
    const [k, b] = conv1.getWeights() as [tf.Tensor, tf.Tensor];
    conv1.setWeights([tf.mul(k, mask), tf.mul(b, mask)]);
  });
  const kept = [0, 2, 3, 5];
  const plan = handPlan([
    {
      layerName: conv1.name,
      className: 'Conv2D',
      weights: [
        { weightName: 'kernel', variableName: '', shape: [5, 5, 1, 6], axes: [{ axis: 3, size: 6, kept }] },
        { weightName: 'bias', variableName: '', shape: [6], axes: [{ axis: 0, size: 6, kept }] },
      ],
    },
    {
      layerName: conv2.name,
      className: 'Conv2D',
      weights: [
        { weightName: 'kernel', variableName: '', shape: [3, 3, 6, 16], axes: [{ axis: 2, size: 6, kept }] },
      ],
    },
  ]);
  return { model, plan, conv1: conv1.name, conv2: conv2.name };
}

describeBackends('gatherKept', () => {
  it('gathers along several axes and returns a fresh tensor', () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const y = gatherKept(x, [
      { axis: 0, kept: [1] },
      { axis: 1, kept: [0, 2] },
    ]);
    expect(y.arraySync()).toEqual([[4, 6]]);
    const z = gatherKept(x, []);
    expect(z).not.toBe(x);
    tf.dispose([x, y, z]);
  });
});

describeBackends('applyPlan', () => {
  it('rebuilds LeNet-5 with fewer filters and identical outputs, leaving the input model untouched', async () => {
    const { model, plan } = sparseLenet();
    const configBefore = JSON.stringify(model.toJSON(null, false));
    const weightsBefore = model.getWeights().map((w) => Array.from(w.dataSync()));
    await expectNoLeaks(async () => {
      const small = await applyPlan(model, plan);
      expect((small.layers[0] as tfl.layers.Layer).getWeights()[0]?.shape).toEqual([5, 5, 1, 4]);
      expect((small.layers[2] as tfl.layers.Layer).getWeights()[0]?.shape).toEqual([3, 3, 4, 16]);
      expect(small.countParams()).toBe(model.countParams() - 2 * (25 + 1) - 2 * 9 * 16);
      const eq = compareModels(small, model);
      expect(eq.maxRelativeDifference).toBeLessThanOrEqual(1e-5);
      small.dispose();
    });
    expect(JSON.stringify(model.toJSON(null, false))).toBe(configBefore);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weightsBefore);
    model.dispose();
  });

  it('with an empty plan gives the same architecture', async () => {
    const model = lenet5();
    const small = await applyPlan(model, handPlan([]));
    expect(small.layers.map((l) => l.outputShape)).toEqual(model.layers.map((l) => l.outputShape));
    expect(compareModels(small, model).maxAbsoluteDifference).toBe(0);
    small.dispose();
    model.dispose();
  });

  it('refuses inconsistent plans with errors naming the layer', async () => {
    const { model, plan, conv1, conv2 } = sparseLenet();
    const edit = (f: (p: PruningPlan) => void) => {
      const p = JSON.parse(JSON.stringify(plan)) as PruningPlan;
      f(p);
      return p;
    };
    const before = tf.memory().numTensors;
    await expect(applyPlan(model, { format: 'x' } as never)).rejects.toThrow(
      /expected a plan from planPruning/,
    );
    await expect(
      applyPlan(
        model,
        edit((p) => {
          (p.layers[0] as LayerPlan).layerName = 'nope';
        }),
      ),
    ).rejects.toThrow(/layer 'nope'/);
    await expect(
      applyPlan(
        model,
        edit((p) => {
          (p.layers[0] as LayerPlan).className = 'Dense';
        }),
      ),
    ).rejects.toThrow(/is a Dense, the model has a Conv2D/);
    await expect(
      applyPlan(
        model,
        edit((p) => {
          p.layers[0]!.weights[0]!.axes[0]!.axis = 0;
        }),
      ),
    ).rejects.toThrow(/axis 0 cannot be pruned; prunable axes are \[2,3\]/);
    await expect(
      applyPlan(
        model,
        edit((p) => {
          p.layers[0]!.weights[1]!.axes[0]!.kept = [0, 1, 2, 3];
        }),
      ),
    ).rejects.toThrow(
      new RegExp(`inconsistent plan for layer '${conv1}'.*bias axis 0 must keep the same indices`),
    );
    await expect(
      applyPlan(
        model,
        edit((p) => {
          p.layers[0]!.weights[0]!.axes[0]!.kept = [];
        }),
      ),
    ).rejects.toThrow(/keeps no index/);
    await expect(
      applyPlan(
        model,
        edit((p) => {
          p.layers[0]!.weights[0]!.axes[0]!.kept = [2, 0, 3, 5];
        }),
      ),
    ).rejects.toThrow(/sorted, distinct integers/);
    await expect(
      applyPlan(
        model,
        edit((p) => {
          p.layers.pop();
        }),
      ),
    ).rejects.toThrow(new RegExp(`layer '${conv2}' \\(Conv2D\\) weight 'kernel' has shape \\[3,3,6,16\\]`));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses a plan that changes the model outputs', async () => {
    const model = lenet5();
    const last = model.layers[7] as tfl.layers.Layer;
    const prev = model.layers[6] as tfl.layers.Layer;
    const plan = handPlan([
      {
        layerName: prev.name,
        className: 'Dense',
        weights: [],
      },
      {
        layerName: last.name,
        className: 'Dense',
        weights: [
          {
            weightName: 'kernel',
            variableName: '',
            shape: [16, 10],
            axes: [{ axis: 1, size: 10, kept: [0, 1] }],
          },
          { weightName: 'bias', variableName: '', shape: [10], axes: [{ axis: 0, size: 10, kept: [0, 1] }] },
        ],
      },
    ]);
    await expect(applyPlan(model, plan)).rejects.toThrow(/changes the model's output shapes/);
    model.dispose();
  });
});
