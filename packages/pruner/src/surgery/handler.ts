/**
 * Per-layer surgery handlers and their registry (the Torch-Pruning `PrunerBox` idea).
 *
 * A handler knows nothing about the graph. It says which axes of which weights of its layer class may
 * shrink, checks that a layer's plan is self-consistent (e.g. a Conv2D keeps the same filters in its
 * kernel and its bias), and rewrites the layer's serialized (Keras/pythonic, snake_case) config so the
 * rebuilt layer has the new sizes. The weights themselves are gathered generically by `applyPlan`.
 */
import type { LayerPlan } from '../plan-types';

/** What a handler sees when it checks or rewrites one layer. */
export interface SurgeryContext {
  /** `layer.name`. */
  layerName: string;
  /** `layer.getClassName()`. */
  className: string;
  /** Original shapes of the layer's weights, by weight name ('kernel', 'bias', ...). */
  oldShapes: Readonly<Record<string, readonly number[]>>;
  /** Shapes after the plan is applied, by weight name. */
  newShapes: Readonly<Record<string, readonly number[]>>;
  /** The layer's plan (empty `weights` for layers that only pass channels through). */
  plan: LayerPlan;
}

/** Surgery for one layer class. */
export interface SurgeryHandler {
  /**
   * For each weight name, the axes a plan may shrink. A plan that shrinks any other axis of the layer is
   * refused before anything is built.
   */
  prunableAxes: Readonly<Record<string, readonly number[]>>;
  /** True when the layer has no weights and only carries channels through (pooling, activations, ...). */
  passThrough?: boolean;
  /** Returns human-readable problems with the layer's plan (empty when consistent). */
  validate?(ctx: SurgeryContext): string[];
  /** Returns the layer's new serialized config (must not mutate `config`). */
  rewriteConfig(config: Readonly<Record<string, unknown>>, ctx: SurgeryContext): Record<string, unknown>;
}

const registry = new Map<string, SurgeryHandler>();

/**
 * Registers (or replaces) the surgery handler for a layer class, process-wide.
 *
 * @param className The class name as `layer.getClassName()` reports it (e.g. 'MyConv').
 * @param handler The handler.
 * @example
 * registerSurgeryHandler('ScaleLayer', {
 *   prunableAxes: { scale: [0] },
 *   rewriteConfig: (config) => ({ ...config }),
 * });
 */
export function registerSurgeryHandler(className: string, handler: SurgeryHandler): void {
  if (typeof className !== 'string' || className.length === 0) {
    throw new TypeError(`registerSurgeryHandler: className must be a non-empty string, got ${String(className)}.`);
  }
  if (handler == null || typeof handler.rewriteConfig !== 'function' || handler.prunableAxes == null) {
    throw new TypeError(
      `registerSurgeryHandler('${className}'): handler must have 'prunableAxes' and a 'rewriteConfig' function.`,
    );
  }
  registry.set(className, handler);
}

/**
 * Returns the handler for a class: from `overrides` first, then the registry; undefined when unknown.
 *
 * @param className The layer class name.
 * @param overrides Per-call handlers (e.g. `applyPlan(model, plan, { handlers })`).
 */
export function getSurgeryHandler(
  className: string,
  overrides?: Readonly<Record<string, SurgeryHandler>>,
): SurgeryHandler | undefined {
  return overrides?.[className] ?? registry.get(className);
}

/** Names of every class with a registered handler, sorted. */
export function supportedLayerClasses(): string[] {
  return [...registry.keys()].sort();
}

/**
 * The kept indices of `weightName` along `axis` in `ctx.plan` (the full range when the plan does not
 * shrink that axis), or undefined when the layer has no such weight.
 */
export function keptAlong(ctx: SurgeryContext, weightName: string, axis: number): number[] | undefined {
  const shape = ctx.oldShapes[weightName];
  if (shape === undefined) return undefined;
  const w = ctx.plan.weights.find((p) => p.weightName === weightName);
  const a = w?.axes.find((x) => x.axis === axis);
  if (a !== undefined) return a.kept;
  return Array.from({ length: shape[axis] ?? 0 }, (_, i) => i);
}

/**
 * Checks that `b` keeps exactly the expansion of `a`'s kept indices: index i of `a` maps to the
 * `multiplier` indices i*multiplier .. i*multiplier + multiplier - 1 of `b` (multiplier 1 = same list).
 * Returns a problem description, or undefined when consistent or when either weight is absent.
 */
export function checkTied(
  ctx: SurgeryContext,
  a: readonly [string, number],
  b: readonly [string, number],
  multiplier = 1,
): string | undefined {
  const ka = keptAlong(ctx, a[0], a[1]);
  const kb = keptAlong(ctx, b[0], b[1]);
  if (ka === undefined || kb === undefined) return undefined;
  const expected: number[] = [];
  for (const i of ka) for (let j = 0; j < multiplier; j++) expected.push(i * multiplier + j);
  const same = expected.length === kb.length && expected.every((v, i) => v === kb[i]);
  if (same) return undefined;
  const rel = multiplier === 1 ? 'the same indices as' : `the ${multiplier}-fold expansion of`;
  return (
    `${b[0]} axis ${b[1]} must keep ${rel} ${a[0]} axis ${a[1]} ` +
    `(expected [${preview(expected)}], got [${preview(kb)}])`
  );
}

function preview(xs: readonly number[]): string {
  return xs.length <= 12 ? xs.join(',') : `${xs.slice(0, 12).join(',')},... (${xs.length})`;
}

/** Builds a handler that only checks ties and sets `configKey` from a new weight dimension. */
export function channelHandler(spec: {
  prunableAxes: Record<string, number[]>;
  ties?: Array<{ a: [string, number]; b: [string, number]; multiplier?: (ctx: SurgeryContext) => number }>;
  /** Config key to update and where its value comes from: [weightName, axis]. */
  sizeFrom?: { key: string; weight: string; axis: number };
}): SurgeryHandler {
  return {
    prunableAxes: spec.prunableAxes,
    validate(ctx) {
      const problems: string[] = [];
      for (const t of spec.ties ?? []) {
        const p = checkTied(ctx, t.a, t.b, t.multiplier ? t.multiplier(ctx) : 1);
        if (p !== undefined) problems.push(p);
      }
      return problems;
    },
    rewriteConfig(config, ctx) {
      const next: Record<string, unknown> = { ...config };
      if (spec.sizeFrom !== undefined) {
        const shape = ctx.newShapes[spec.sizeFrom.weight];
        if (shape === undefined) {
          throw new Error(
            `applyPlan: layer '${ctx.layerName}' (${ctx.className}) has no weight '${spec.sizeFrom.weight}' ` +
              `to read its new '${spec.sizeFrom.key}' from.`,
          );
        }
        next[spec.sizeFrom.key] = shape[spec.sizeFrom.axis];
      }
      return next;
    },
  };
}
