/**
 * The model binding: which groups, terms and weights of one tfjs-layers model a regularizer acts on, its
 * keep budget and budget units, and the two device operations on them (group norms, group scaling).
 *
 * Group norms are remembered together with the identity of the weight buffers they describe (tfjs gives a
 * variable a new buffer on every `assign`), so reading them again after a prox, a finalize or an HSPG step
 * costs nothing until some code writes the weights; no other package has to feed or invalidate a cache.
 */
import type { GroupPartition, LayoutTerm } from '@klevel/groups';
import type * as tf from '@tensorflow/tfjs-core';
import { tidy } from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkFloors, type KeepBudget, resolveBudget } from './budget';
import { allOnes, groupSquaredNormsOf, scaleTerm } from './device';
import { buildLayout, checkPartition, filterPartition, type GroupLayout } from './layout';
import type { ResolvedArgs } from './options';
import { resolvePartition } from './partition';
import type { PenaltyUnit } from './penalty';

/** A model variable as tfjs-layers exposes it (read/write of a live tf.Variable). */
interface BoundVariable {
  read(): tf.Variable;
  write(x: tf.Tensor): unknown;
}

/** The regularized part of one model. Create it with {@link bindModel}. */
export class ModelBinding {
  private memo: { ids: unknown[]; norms: Float64Array } | undefined;

  constructor(
    readonly model: tfl.LayersModel,
    /** The regularized groups and where they lie in the variables. */
    readonly layout: GroupLayout,
    /** The keep budget (undefined for a group lasso without `keep`). */
    readonly budget: KeepBudget | undefined,
    /** The least number of groups each layer keeps (aligned with `layout.layerNames`). */
    readonly floors: Int32Array,
    /** Budget units: one per layer (scope 'layer') or one `'global'` unit; one lambda each. */
    readonly units: PenaltyUnit[],
    /** Unit index of each group. */
    readonly unitOf: Int32Array,
    private readonly vars: BoundVariable[],
  ) {}

  /** The LayoutTerms of the regularized variables. */
  get terms(): LayoutTerm[] {
    return this.layout.terms;
  }

  /** Number of regularized groups m. */
  get numGroups(): number {
    return this.layout.groups.length;
  }

  /** The regularized partition (groups + LayoutTerms). */
  get partition(): GroupPartition {
    return { groups: this.layout.groups, terms: this.layout.terms };
  }

  /** The live variables of the terms, in term order (do not dispose them). */
  variables(): tf.Variable[] {
    return this.vars.map((v) => v.read());
  }

  /** Group norms `a_j` of the current weights: one download of m numbers, or none if nothing wrote them. */
  groupNorms(): Float64Array {
    const ids = this.bufferIds();
    const memo = this.memo;
    if (memo?.ids.every((id, t) => id === ids[t])) return Float64Array.from(memo.norms);
    const norms = groupSquaredNormsOf(this.terms, this.numGroups, this.variables()).map(Math.sqrt);
    this.memo = { ids, norms };
    return Float64Array.from(norms);
  }

  /**
   * Multiplies every group of the weights by `scales[j]` on the device (positions outside groups kept).
   * @param normsAfter the group norms after the scaling when the caller knows them (remembered).
   */
  scaleGroups(scales: ArrayLike<number>, normsAfter?: Float64Array): void {
    if (!allOnes(scales)) {
      tidy(() => {
        this.terms.forEach((term, t) => {
          const v = this.vars[t] as BoundVariable;
          v.write(scaleTerm(term, v.read(), scales));
        });
      });
    }
    if (normsAfter) this.memo = { ids: this.bufferIds(), norms: Float64Array.from(normsAfter) };
  }

  private bufferIds(): unknown[] {
    return this.vars.map((v) => v.read().dataId);
  }
}

/** The budget units of a layout: its layers (scope 'layer') or one global unit. */
function unitsOf(layout: GroupLayout, budget: KeepBudget | undefined, scope: 'layer' | 'global') {
  if (scope === 'global') {
    const members = Int32Array.from(layout.groups, (_, j) => j);
    const units: PenaltyUnit[] = [{ name: 'global', members, k: budget?.total ?? 0 }];
    return { units, unitOf: new Int32Array(layout.groups.length) };
  }
  const units = layout.layerGroups.map((members, l) => ({
    name: layout.layerNames[l] as string,
    members,
    k: budget ? (budget.perLayer[l] as number) : 0,
  }));
  return { units, unitOf: layout.layerOf };
}

/**
 * The floor of each layer: the number given, or for `'auto'` half of the layer's share of a global budget,
 * `max(1, floor(f * m_l / 2))` with `f` the kept fraction (1 in scope 'layer' or without `keep`).
 */
export function floorsOf(options: ResolvedArgs, layout: GroupLayout): Int32Array {
  const sizes = layout.layerGroups.map((g) => g.length);
  const { keep, scope, minGroupsPerLayer: floor } = options;
  if (floor !== 'auto') return new Int32Array(sizes.length).fill(floor);
  if (scope !== 'global' || !keep) return new Int32Array(sizes.length).fill(1);
  const m = layout.groups.length;
  const f = keep.fraction ?? Math.min(1, (keep.count as number) / m);
  return Int32Array.from(sizes, (size) => Math.min(size, Math.max(1, Math.floor((f * size) / 2))));
}

/**
 * Binds the options to `model`: builds the groups, applies include/exclude, resolves the weights, the keep
 * budget and the floors; throws with the option to fix when the model does not fit them.
 * @param fn the public factory name used in messages
 */
export function bindModel(fn: string, options: ResolvedArgs, model: tfl.LayersModel): ModelBinding {
  if (!model || !Array.isArray((model as { layers?: unknown }).layers)) {
    throw new TypeError(`${fn}.attach: expected a tfjs-layers LayersModel, got ${typeof model}.`);
  }
  const { partition: raw, unanalysed } = resolvePartition(
    fn,
    options.groups,
    options.exclude,
    model,
    options.batchNorm,
  );
  checkPartition(fn, raw);
  const partition = filterPartition(
    fn,
    raw,
    options.include,
    options.exclude.filter((name) => !unanalysed.includes(name)),
    model.layers.map((l) => l.name),
    options.removableOnly,
  );
  if (partition.groups.length === 0 || partition.terms.length === 0) {
    throw new Error(
      `${fn}.attach: the model has no regularized groups for groups=${JSON.stringify(options.groups)}` +
        `${options.include ? ` include=${JSON.stringify(options.include)}` : ''}${
          options.exclude.length ? ` exclude=${JSON.stringify(options.exclude)}` : ''
        }; check the group type matches the model's layers.`,
    );
  }
  const layout = buildLayout(fn, partition, options.groupWeights);
  const byName = new Map<string, BoundVariable>();
  for (const w of model.weights) byName.set(w.name, w as unknown as BoundVariable);
  const vars = partition.terms.map((term) => {
    const v = byName.get(term.variableName);
    if (!v) {
      throw new Error(
        `${fn}.attach: the partition refers to variable '${term.variableName}', which is not a weight of model '${model.name}'. Was the partition built for another model?`,
      );
    }
    return v;
  });
  const floors = floorsOf(options, layout);
  checkFloors(fn, floors, layout);
  const budget = options.keep ? resolveBudget(fn, options.keep, options.scope, floors, layout) : undefined;
  const { units, unitOf } = unitsOf(layout, budget, options.scope);
  return new ModelBinding(model, layout, budget, floors, units, unitOf, vars);
}
