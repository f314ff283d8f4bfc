import { type GroupPartition, partitionGroups } from '@klevel/groups';
import { describeBackends, expectArraysClose, expectNoLeaks } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { sefValue } from '../sef';
import { weightedSefProx } from '../weighted-sef-prox';
import { convBnModel, denseModel } from './__fixtures__/models';
import { manualPartition } from './__fixtures__/partitions';
import { scaleTerm } from './device';
import { groupLasso } from './group-lasso-regularizer';
import { penaltyTensor } from './loss';
import { WgsefRegularizer, wgsef } from './wgsef-regularizer';

/** Per-group vectors read back from the model (terms group along their last axis in these fixtures). */
function groupVectors(model: tfl.LayersModel, p: GroupPartition): number[][] {
  const out: number[][] = p.groups.map(() => []);
  for (const term of p.terms) {
    const w = model.weights.find((v) => v.name === term.variableName);
    const data = w?.read().dataSync() as Float32Array;
    const n = term.shape[term.shape.length - 1] as number;
    data.forEach((x, i) => {
      const g = term.groupIds[i % n] as number;
      if (g >= 0) out[g]?.push(x);
    });
  }
  return out;
}
const norm = (v: number[]) => Math.hypot(...v);

describe('wgsef() options', () => {
  const p: GroupPartition = { groups: [], terms: [] };
  it('rejects a bare number keep as ambiguous', () => {
    expect(() => wgsef({ groups: p, keep: 0.3 as never, lambda: 1 })).toThrow(
      /ambiguous.*keep: \{ fraction: 0.3 \}/,
    );
    expect(() => wgsef({ groups: p, keep: 12 as never, lambda: 1 })).toThrow(/keep: \{ count: 12 \}/);
  });
  it('rejects out-of-range keep, lambda and unknown options', () => {
    expect(() => wgsef({ groups: p, keep: { fraction: 1.5 }, lambda: 1 })).toThrow(RangeError);
    expect(() => wgsef({ groups: p, keep: { count: 0 }, lambda: 1 })).toThrow(/integer >= 1/);
    expect(() => wgsef({ groups: p, keep: { count: 2, fraction: 0.1 } as never, lambda: 1 })).toThrow(
      /exactly one/,
    );
    expect(() => wgsef({ groups: p, keep: { count: 2 }, lambda: -1 })).toThrow(
      /lambda must be a finite number >= 0/,
    );
    expect(() => wgsef({ groups: p, keep: { count: 2 }, lambda: 1, lamda: 2 } as never)).toThrow(
      /unknown option.*lamda/,
    );
    expect(() => wgsef({ groups: p, lambda: 1 } as never)).toThrow(/'keep' is required/);
    expect(() => wgsef({ keep: { count: 1 }, lambda: 1 } as never)).toThrow(/'groups' is required/);
    expect(() => wgsef({ groups: p, keep: { count: 1 }, lambda: 1, scope: 'model' as never })).toThrow(
      /scope/,
    );
  });
  it('checks a lambda schedule at every step', () => {
    const reg = wgsef({ groups: p, keep: { count: 1 }, lambda: (s) => (s > 2 ? Number.NaN : 0.1) });
    expect(reg.lambdaAt(1)).toBe(0.1);
    expect(() => reg.lambdaAt(3)).toThrow(/schedule returned NaN at step 3/);
  });
});

describeBackends('WgsefRegularizer', () => {
  it('attach validates layer names, budgets and empty partitions', () => {
    const model = denseModel();
    const p = manualPartition(model, ['d1', 'd2']);
    expect(() =>
      wgsef({ groups: p, keep: { count: 1 }, lambda: 1, include: ['nope'] }).attach(model),
    ).toThrow(/'nope', which is not in the model\. Layers: d1, d2, out/);
    expect(() => wgsef({ groups: p, keep: { count: 1 }, lambda: 1, exclude: ['out'] }).attach(model)).toThrow(
      /owns no group/,
    );
    expect(() => wgsef({ groups: p, keep: { count: 4 }, lambda: 1 }).attach(model)).toThrow(
      /exceeds the 3 group\(s\) of layer 'd2'/,
    );
    expect(() => wgsef({ groups: p, keep: { count: 1 }, lambda: 1, scope: 'global' }).attach(model)).toThrow(
      /minGroupsPerLayer 1 \(needs 2\)/,
    );
    expect(() =>
      wgsef({ groups: { groups: [], terms: [] }, keep: { count: 1 }, lambda: 1 }).attach(model),
    ).toThrow(/no regularized groups/);
    const reg = wgsef({ groups: p, keep: { count: 2 }, lambda: 1, exclude: ['d2'] }).attach(model);
    expect(reg.binding.numGroups).toBe(4);
    expect(reg.binding.terms.map((t) => t.layerName)).toEqual(['d1', 'd1']);
    expect(() => wgsef({ groups: p, keep: { count: 1 }, lambda: 1 }).binding).toThrow(
      /call reg.attach\(model\) first/,
    );
  });

  it('prox (scope layer) equals the weighted SEF prox of each layer, applied per group', async () => {
    const model = denseModel(3);
    const p = manualPartition(model, ['d1', 'd2']);
    const reg = wgsef({ groups: p, keep: { count: 2 }, lambda: 0.8 }).attach(model);
    const before = groupVectors(model, p);
    const res = await expectNoLeaks(() => reg.prox(0.5));
    const after = groupVectors(model, p);
    const expected: number[][] = [];
    for (const members of [
      [0, 1, 2, 3],
      [4, 5, 6],
    ]) {
      const a = members.map((j) => norm(before[j] as number[]));
      const w = members.map((j) => Math.sqrt((before[j] as number[]).length));
      const t = weightedSefProx(a, { k: 2, lambda: 0.4, weights: w });
      members.forEach((j, i) => {
        expected.push((before[j] as number[]).map((x) => (x * (t[i] as number)) / (a[i] as number)));
      });
    }
    expectArraysClose(after.flat(), expected.flat(), 1e-5);
    expectArraysClose(res.norms, after.map(norm), 1e-5);
    expect(res.learningRate * (res.lambdas[0] as number)).toBeCloseTo(0.4, 12);
    expect(res.units.map((u) => [u.name, u.k])).toEqual([
      ['d1', 2],
      ['d2', 2],
    ]);
    expect(res.stats.total.groups).toBe(7);
    expect(res.stats.layers.d1?.nonzero).toBeGreaterThanOrEqual(2);
  });

  it('value is lambda * sum of per-layer SEF of the weighted norms', () => {
    const model = denseModel(4);
    const p = manualPartition(model, ['d1', 'd2']);
    const reg = wgsef({ groups: p, keep: { count: 2 }, lambda: 0.3 }).attach(model);
    const v = groupVectors(model, p);
    const b = v.map((g) => Math.sqrt(g.length) * norm(g));
    expect(reg.value()).toBeCloseTo(0.3 * (sefValue(b.slice(0, 4), 2) + sefValue(b.slice(4), 2)), 4);
  });

  it('global scope respects the per-layer floor in the prox and in finalize', () => {
    const model = denseModel(5);
    const p = manualPartition(model, ['d1', 'd2']);
    // make every d2 group tiny so a plain global prox would empty d2
    const d2 = model.getLayer('d2');
    for (const w of d2.trainableWeights) {
      const small = tf.mul(w.read(), 1e-3);
      w.write(small);
      small.dispose();
    }
    const reg = wgsef({ groups: p, keep: { count: 3 }, scope: 'global', lambda: 5 }).attach(model);
    const res = reg.prox(1);
    expect(res.stats.layers.d2?.nonzero).toBeGreaterThanOrEqual(1);
    expect(res.stats.total.nonzero).toBeGreaterThanOrEqual(3);
    const fin = reg.finalize();
    expect(fin.nonzeroAfter).toBe(3);
    expect(fin.stats.layers.d2?.nonzero).toBe(1);
    expect(fin.stats.layers.d1?.nonzero).toBe(2);
    const model2 = denseModel(5);
    for (const w of model2.getLayer('d2').trainableWeights) {
      const small = tf.mul(w.read(), 1e-3);
      w.write(small);
      small.dispose();
    }
    const p2 = manualPartition(model2, ['d1', 'd2']);
    const free = wgsef({
      groups: p2,
      keep: { count: 3 },
      scope: 'global',
      minGroupsPerLayer: 0,
      lambda: 5,
    }).attach(model2);
    expect(free.finalize().stats.layers.d2?.nonzero).toBe(0);
  });

  it('finalize keeps exactly k per layer (the largest weighted norms) and reports the count before', () => {
    const model = convBnModel(6);
    const p = manualPartition(model, [{ layer: 'c1', coupled: ['bn1'] }, 'c2']);
    const reg = wgsef({ groups: p, keep: { fraction: 0.5 }, lambda: 0.1 }).attach(model);
    expect(Array.from(reg.budget?.perLayer ?? [])).toEqual([2, 2]);
    const before = groupVectors(model, p).map(norm);
    const fin = reg.finalize();
    expect(fin.nonzeroBefore).toBe(7);
    expect(fin.nonzeroAfter).toBe(4);
    const after = groupVectors(model, p);
    const keptC1 = [0, 1, 2, 3].filter((j) => norm(after[j] as number[]) > 0);
    const top2 = [0, 1, 2, 3].sort((a, b) => (before[b] as number) - (before[a] as number)).slice(0, 2);
    expect(keptC1.sort()).toEqual(top2.sort());
    // BN gamma/beta of removed filters are zero too (coupled group)
    const gamma = model.getLayer('bn1').trainableWeights[0]?.read().dataSync() as Float32Array;
    for (const j of [0, 1, 2, 3]) expect(gamma[j] === 0).toBe(!keptC1.includes(j));
  });

  it('gradientFactors give lambda * grad WGSEF (head: w^2, tail: w beta / a)', () => {
    const model = denseModel(7);
    const p = manualPartition(model, ['d1']);
    const reg = wgsef({ groups: p, keep: { count: 1 }, lambda: 2, groupWeights: 'uniform' }).attach(model);
    const a = groupVectors(model, p).map(norm);
    const f = reg.gradientFactors(Float64Array.from(a));
    // k = 1: SEF = 1/2 (sum a)^2 (all tail, beta = sum a): grad on group j = beta * x_j / a_j
    const beta = a.reduce((s, x) => s + x, 0);
    expectArraysClose(
      f,
      a.map((x) => (2 * beta) / x),
      1e-9,
    );
  });

  it('subgradient mode: the penalty tensor has value lambda R and gradient lambda grad R', async () => {
    const model = denseModel(8);
    const p = manualPartition(model, ['d1', 'd2']);
    const reg = wgsef({ groups: p, keep: { count: 2 }, lambda: 0.5, gradient: 'subgradient' }).attach(model);
    const vars = reg.binding.variables();
    const { value, grads } = await expectNoLeaks(
      () => tf.variableGrads(() => penaltyTensor(reg, 0), vars),
      1 + vars.length,
    );
    expect(value.dataSync()[0]).toBeCloseTo(reg.value(), 4);
    const factors = reg.gradientFactors(reg.binding.groupNorms());
    const g = reg.binding.terms.map((term, t) => scaleTerm(term, vars[t] as tf.Tensor, factors, 0));
    vars.forEach((v, t) => {
      expectArraysClose(grads[v.name]?.dataSync() as Float32Array, g[t]?.dataSync() as Float32Array, 1e-5);
    });
    tf.dispose([value, ...Object.values(grads), ...g]);
    expect(reg.loss('categoricalCrossentropy')).toBeTypeOf('function');
    const proxReg = wgsef({ groups: p, keep: { count: 2 }, lambda: 0.5 });
    expect(proxReg.loss('categoricalCrossentropy')).toBe('categoricalCrossentropy');
  });

  it('the binding reuses the norms of the last prox until something writes the weights', () => {
    const model = denseModel(13);
    const p = manualPartition(model, ['d1']);
    const reg = wgsef({ groups: p, keep: { count: 2 }, lambda: 0.1 }).attach(model);
    const { norms } = reg.prox(0.1);
    // the host-computed float64 norms come back (a download would give the float32 sums instead)
    expect([...reg.binding.groupNorms()]).toEqual([...norms]);
    expect([...reg.binding.groupNorms()]).toEqual([...norms]);
    for (const v of reg.binding.variables()) v.assign(tf.tidy(() => tf.mul(v, 2)));
    const fresh = reg.binding.groupNorms();
    expectArraysClose(
      fresh,
      norms.map((a) => 2 * a),
      1e-5,
    );
  });

  it('no tensor leaks over 500 prox steps, finalize, value and metric', async () => {
    const model = convBnModel(9);
    const p = manualPartition(model, [{ layer: 'c1', coupled: ['bn1'] }, 'c2']);
    const reg = wgsef({ groups: p, keep: { count: 2 }, lambda: 1e-3 }).attach(model);
    const metric = reg.metric();
    await expectNoLeaks(() => {
      for (let i = 0; i < 500; i++) reg.prox(0.01, { step: i });
      reg.finalize();
      reg.value();
      tf.dispose(tf.tidy(() => metric(tf.zeros([1]), tf.zeros([1]))));
    });
  });

  it("batchNorm: 'scales' measures and cuts a BN-followed filter by its gamma/beta, not its kernel", async () => {
    const model = convBnModel(4);
    const reg = wgsef({ groups: 'filters', keep: { count: 1 }, lambda: 1e-2, batchNorm: 'scales' }).attach(
      model,
    );
    expect(reg.layout.groups.filter((g) => g.layerName === 'c1').map((g) => g.size)).toEqual([2, 2, 2, 2]);
    const kernelBefore = model.getLayer('c1').getWeights()[0]!.dataSync().slice();
    await expectNoLeaks(() => {
      reg.finalize();
    });
    const [gamma, beta] = model
      .getLayer('bn1')
      .getWeights()
      .map((w) => Array.from(w.dataSync()));
    const cut = gamma!.map((g, o) => g === 0 && beta![o] === 0);
    expect(cut.filter(Boolean)).toHaveLength(3);
    expect(Array.from(model.getLayer('c1').getWeights()[0]!.dataSync())).toEqual(Array.from(kernelBefore));
    // a ready partition already says what is measured
    const ready = () =>
      wgsef({
        groups: (m) => partitionGroups(m, 'filters'),
        keep: { count: 1 },
        lambda: 1e-2,
        batchNorm: 'scales',
      });
    expect(ready).toThrow(
      /batchNorm: 'scales' applies to a group type or spec.*partitionGroups\(model, spec, \{ batchNorm: 'scales' \}\)/,
    );
  });

  it('getConfig/fromConfig round trip; functions are reported as not serializable', () => {
    const reg = wgsef({
      groups: 'filters',
      keep: { fraction: 0.25 },
      scope: 'global',
      lambda: 0.02,
      include: ['conv2d_Conv2D1', 'dense_1'],
      groupWeights: 'uniform',
      batchNorm: 'scales',
    });
    const config = reg.getConfig();
    // what tfjs does to a training config on load (camel-cases strings with '_')
    const json = JSON.parse(JSON.stringify(config).replace(/_(\w)/g, (_m, c) => c.toUpperCase()));
    const back = WgsefRegularizer.fromConfig(WgsefRegularizer, json) as WgsefRegularizer;
    expect(back.options).toEqual(reg.options);
    expect(WgsefRegularizer.className).toBe('KlevelWgsefRegularizer');
    const fnReg = wgsef({ groups: 'filters', keep: { count: 1 }, lambda: () => 1 });
    expect(fnReg.serializationProblem()).toMatch(/lambda \(a schedule function\)/);
    expect(() => fnReg.getConfig()).toThrow(/cannot be serialized/);
  });
});

describeBackends('GroupLassoRegularizer', () => {
  it('prox is the group soft threshold (floor 0) and keeps the top group per layer with the floor', () => {
    const model = denseModel(10);
    const p = manualPartition(model, ['d1', 'd2']);
    const before = groupVectors(model, p);
    const reg = groupLasso({ groups: p, lambda: 0.2, minGroupsPerLayer: 0 }).attach(model);
    reg.prox(1);
    const after = groupVectors(model, p);
    const expected = before.map((g) => {
      const a = norm(g);
      const t = Math.max(0, a - 0.2 * Math.sqrt(g.length));
      return g.map((x) => (x * t) / a);
    });
    expectArraysClose(after.flat(), expected.flat(), 1e-5);
    const huge = groupLasso({ groups: p, lambda: 100 }).attach(model);
    const res = huge.prox(1);
    expect(res.stats.layers.d1?.nonzero).toBe(1);
    expect(res.stats.layers.d2?.nonzero).toBe(1);
    expect(() => huge.finalize()).toThrow(/no keep budget/);
  });
});
