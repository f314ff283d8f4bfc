/**
 * Partition specs: which group type applies to which layers, validated against the dependency graph.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { DependencyGraph, LayerInfo, WeightInfo } from './graph-types';
import { isAllSelector, type LayerSelector, selectLayers } from './selectors';
import type { GroupType } from './types';

/** One group produced by a custom rule. Slices name weights of the layer the rule matched. */
export interface CustomGroup {
  slices: Array<{
    weightName: string;
    axis: number;
    indices: number[];
    /** Default true. */
    regularized?: boolean;
  }>;
}

/** A user function that cuts a layer's weights into groups (compression-only groups). */
export type CustomGroupFn = (layer: tfl.layers.Layer, weights: WeightInfo[]) => CustomGroup[];

/** A group type: a built-in name or a custom function. */
export type GroupTypeSpec = Exclude<GroupType, 'custom'> | { custom: CustomGroupFn };

/** One rule of a {@link PartitionSpec}. */
export interface GroupRule {
  /** Which layers (names, { className }, predicate or { all: true }). */
  layers: LayerSelector;
  /** Which group type those layers get. */
  type: GroupTypeSpec;
}

/**
 * A partition spec: rules (each layer matched by at most one rule) and layers to leave out.
 * `exclude` removes layers from every rule; excluded layers whose class has no handler are also treated
 * as opaque by the dependency graph (their channels become non-removable).
 */
export interface PartitionSpec {
  rules: GroupRule[];
  exclude?: LayerSelector;
}

/** What partitionGroups accepts: one group type for every layer that has it, or a {@link PartitionSpec}. */
export type GroupSpec = GroupTypeSpec | PartitionSpec;

/** A rule resolved against the graph. */
export interface ResolvedRule {
  ruleIndex: number;
  type: GroupType;
  custom?: CustomGroupFn;
  layers: LayerInfo[];
}

const FN = 'partitionGroups';
export const GROUP_TYPES: readonly GroupType[] = [
  'filters',
  'channels',
  'filter-shapes',
  'neurons',
  'layer',
  'weights',
  'custom',
];

function typeOf(type: GroupTypeSpec, where: string): { type: GroupType; custom?: CustomGroupFn } {
  if (typeof type === 'string') {
    if ((type as string) === 'custom' || !GROUP_TYPES.includes(type)) {
      throw new TypeError(
        `${where}: unknown group type ${JSON.stringify(type)}; expected one of ${GROUP_TYPES.filter(
          (t) => t !== 'custom',
        )
          .map((t) => `'${t}'`)
          .join(', ')} or { custom: (layer, weights) => groups }`,
      );
    }
    return { type };
  }
  if (
    type != null &&
    typeof type === 'object' &&
    typeof (type as { custom?: unknown }).custom === 'function'
  ) {
    return { type: 'custom', custom: type.custom };
  }
  throw new TypeError(`${where}: expected a group type name or { custom: fn }, got ${JSON.stringify(type)}`);
}

/** Normalizes a spec into a rule list (the shorthand becomes one `{ all: true }` rule). */
export function normalizeSpec(spec: GroupSpec): PartitionSpec {
  if (spec == null) throw new TypeError(`${FN}: spec is required (e.g. 'filters' or { rules: [...] })`);
  if (typeof spec === 'string' || (typeof spec === 'object' && 'custom' in spec)) {
    return { rules: [{ layers: { all: true }, type: spec as GroupTypeSpec }] };
  }
  if (typeof spec !== 'object' || !Array.isArray((spec as PartitionSpec).rules)) {
    throw new TypeError(
      `${FN}: spec must be a group type or { rules: [{ layers, type }], exclude? }, got ${JSON.stringify(spec)}`,
    );
  }
  if (spec.rules.length === 0)
    throw new RangeError(`${FN}: spec.rules is empty; add at least one { layers, type } rule`);
  return spec;
}

/**
 * Resolves every rule to the graph's layers and validates it: unknown names, a type a layer does not
 * have, a layer matched by two rules, and rules that match nothing are errors. `{ all: true }` rules
 * take only the layers no explicit rule (names, class, predicate) matched.
 */
export function resolveRules(
  graph: DependencyGraph,
  spec: PartitionSpec,
): { rules: ResolvedRule[]; excluded: Set<string> } {
  const layers = graph.layers.map((l) => l.layer);
  const excluded = new Set<string>(graph.excluded);
  if (spec.exclude) {
    for (const l of selectLayers(layers, spec.exclude, `${FN}: spec.exclude`)) excluded.add(l.name);
  }
  const owner = new Map<string, number>();
  const isAll = spec.rules.map(
    (rule) => rule != null && typeof rule === 'object' && isAllSelector(rule.layers),
  );
  const resolve = (rule: GroupRule, ruleIndex: number): ResolvedRule => {
    const where = `${FN}: spec.rules[${ruleIndex}]`;
    if (rule == null || typeof rule !== 'object' || !('layers' in rule) || !('type' in rule)) {
      throw new TypeError(`${where}: expected { layers, type }, got ${JSON.stringify(rule)}`);
    }
    const { type, custom } = typeOf(rule.type, `${where}.type`);
    const all = isAll[ruleIndex]!;
    const named = typeof rule.layers === 'string' || Array.isArray(rule.layers);
    const picked: LayerInfo[] = [];
    let claimedElsewhere = 0;
    for (const layer of selectLayers(layers, rule.layers, `${where}.layers`)) {
      const info = graph.layerByName.get(layer.name)!;
      if (excluded.has(info.name)) {
        if (named) {
          throw new Error(
            `${where}.layers: layer '${info.name}' is also excluded; remove it from one of the two`,
          );
        }
        continue;
      }
      if (!info.groupTypes.includes(type)) {
        if (all) continue;
        throw new Error(
          `${where}: layer '${info.name}' (${info.className}) has no '${type}' groups; it has ${
            info.groupTypes.length ? info.groupTypes.map((t) => `'${t}'`).join(', ') : 'none (no weights)'
          }. Select other layers or change the type`,
        );
      }
      const prev = owner.get(info.name);
      if (prev !== undefined) {
        if (all && !isAll[prev]) {
          claimedElsewhere++; // { all: true } means "every remaining layer": explicit rules win
          continue;
        }
        throw new Error(
          `${FN}: layer '${info.name}' is matched by spec.rules[${prev}] and spec.rules[${ruleIndex}]; each layer may be matched by one rule only (narrow one selector, e.g. with a predicate)`,
        );
      }
      owner.set(info.name, ruleIndex);
      picked.push(info);
    }
    if (picked.length === 0 && claimedElsewhere === 0) {
      throw new Error(`${where}: matched no layer that has '${type}' groups (after exclusions)`);
    }
    return { ruleIndex, type, layers: picked, ...(custom ? { custom } : {}) };
  };
  // Explicit rules first, so that { all: true } rules only take the layers nobody named.
  const rules: ResolvedRule[] = new Array(spec.rules.length);
  spec.rules.forEach((rule, i) => {
    if (!isAll[i]) rules[i] = resolve(rule, i);
  });
  spec.rules.forEach((rule, i) => {
    if (isAll[i]) rules[i] = resolve(rule, i);
  });
  return { rules, excluded };
}
