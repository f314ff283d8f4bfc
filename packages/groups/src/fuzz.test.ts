/**
 * Seeded random functional architectures (convs, BN, depthwise, activations with and without f(0) = 0,
 * Add / Multiply / Concatenate, pooling): zeroing every other removable group and removing it must keep the
 * outputs, for filter and input-channel partitions alike.
 */
import { describeBackends, maxRelativeDifference, seededRandom } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { randomizeWeights } from './__fixtures__/models';
import { outputs, removeChannels, zeroGroups } from './__fixtures__/reference-remover';
import { buildDependencyGraph } from './graph';
import type { DependencyGraph } from './graph-types';
import { partitionGroups } from './partition';
import type { Group } from './types';

const L = tfl.layers;
type ST = tfl.SymbolicTensor;
const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'elu', 'linear', 'softplus'] as const;

/** Drops chosen groups that would remove the last output channel of a layer (a 0-filter conv is invalid). */
function keepOnePerLayer(graph: DependencyGraph, chosen: Group[]): Group[] {
  const removed = new Set<number>();
  const out: Group[] = [];
  for (const g of chosen) {
    const trial = new Set([...removed, g.channel!]);
    const emptied = graph.layers.some((l) => {
      const b = l.bindings.find((x) => x.role === 'output');
      return b !== undefined && [...b.channels].every((c) => trial.has(c));
    });
    if (emptied) continue;
    removed.add(g.channel!);
    out.push(g);
  }
  return out;
}

function randomModel(seed: number): tfl.LayersModel {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const x = tfl.input({ name: `fz${seed}_in`, shape: [8, 8, 3] });
  let n = 0;
  const name = (kind: string) => `fz${seed}_${kind}${n++}`;
  const pool: Array<{ t: ST; c: number; s: number }> = [];
  const first = L.conv2d({ name: name('conv'), filters: 4, kernelSize: 3, padding: 'same' }).apply(x) as ST;
  pool.push({ t: first, c: 4, s: 8 });
  for (let step = 0; step < 7; step++) {
    const cur = pick(pool);
    const r = rnd();
    let next: { t: ST; c: number; s: number } | undefined;
    if (r < 0.3) {
      const c = 2 + Math.floor(rnd() * 5);
      let t = L.conv2d({
        name: name('conv'),
        filters: c,
        kernelSize: pick([1, 3]),
        padding: 'same',
        activation: pick(ACTIVATIONS),
      }).apply(cur.t) as ST;
      if (rnd() < 0.5) t = L.batchNormalization({ name: name('bn') }).apply(t) as ST;
      next = { t, c, s: cur.s };
    } else if (r < 0.4) {
      const m = pick([1, 2]);
      let t = L.depthwiseConv2d({
        name: name('dw'),
        kernelSize: 3,
        depthMultiplier: m,
        padding: 'same',
      }).apply(cur.t) as ST;
      if (rnd() < 0.5) t = L.batchNormalization({ name: name('bn') }).apply(t) as ST;
      next = { t, c: cur.c * m, s: cur.s };
    } else if (r < 0.5) {
      next = {
        t: L.activation({ name: name('act'), activation: pick(ACTIVATIONS) }).apply(cur.t) as ST,
        c: cur.c,
        s: cur.s,
      };
    } else if (r < 0.6 && cur.s > 2) {
      next = {
        t: L.maxPooling2d({ name: name('pool'), poolSize: 2 }).apply(cur.t) as ST,
        c: cur.c,
        s: cur.s / 2,
      };
    } else {
      const mates = pool.filter((p) => p !== cur && p.s === cur.s);
      const same = mates.filter((p) => p.c === cur.c);
      if (r < 0.8 && same.length > 0) {
        const other = pick(same);
        const layer = rnd() < 0.7 ? L.add({ name: name('add') }) : L.multiply({ name: name('mul') });
        next = { t: layer.apply([cur.t, other.t]) as ST, c: cur.c, s: cur.s };
      } else if (mates.length > 0) {
        const other = pick(mates);
        next = {
          t: L.concatenate({ name: name('cat') }).apply([cur.t, other.t]) as ST,
          c: cur.c + other.c,
          s: cur.s,
        };
      }
    }
    if (next) pool.push(next);
  }
  // Read every leaf so no branch is dead: global-pool the last few tensors, concatenate, classify.
  const leaves = pool.slice(-3).map((p) => L.globalAveragePooling2d({ name: name('gap') }).apply(p.t) as ST);
  const joined = leaves.length > 1 ? (L.concatenate({ name: name('join') }).apply(leaves) as ST) : leaves[0]!;
  const y = L.dense({ name: name('fc'), units: 3 }).apply(joined) as ST;
  return tfl.model({ inputs: x, outputs: y });
}

describeBackends('fuzz: random architectures keep their outputs after zero-group removal', () => {
  for (let seed = 1; seed <= 10; seed++) {
    it(`seed ${seed}`, async () => {
      const model = randomModel(seed);
      randomizeWeights(model, seed);
      const graph = buildDependencyGraph(model);
      let checked = 0;
      for (const spec of ['filters', 'channels'] as const) {
        const { groups } = partitionGroups(model, spec, { graph });
        const chosen = keepOnePerLayer(
          graph,
          groups.filter((g) => g.removable).filter((_g, i) => i % 2 === seed % 2),
        );
        if (chosen.length === 0) continue;
        const backup = model.getWeights().map((w) => tf.clone(w));
        zeroGroups(model, chosen);
        const rnd = seededRandom(seed + 100);
        const xs = tf.tensor4d(
          Float32Array.from({ length: 2 * 8 * 8 * 3 }, () => rnd() * 2 - 1),
          [2, 8, 8, 3],
        );
        const before = outputs(model, xs);
        const pruned = await removeChannels(model, graph, new Set(chosen.map((g) => g.channel!)));
        const after = outputs(pruned, xs);
        expect(
          maxRelativeDifference(after[0]!, before[0]!),
          `${spec}: ${chosen.map((g) => g.id).join(' ')}`,
        ).toBeLessThanOrEqual(1e-5);
        checked += chosen.length;
        pruned.dispose();
        xs.dispose();
        model.setWeights(backup);
        tf.dispose(backup);
      }
      expect(checked).toBeGreaterThan(0);
      model.dispose();
    });
  }
});
