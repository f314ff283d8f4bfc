/**
 * Helpers for writing surgery handlers: read a layer plan's kept indices and check ties between weights.
 */
import type { SurgeryContext, SurgeryHandler } from './handler';

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

/**
 * Builds the usual handler of a layer with channel-indexed weights: it allows `prunableAxes`, checks that
 * tied weight axes keep matching indices (e.g. kernel filters and bias), and sets one config field from
 * a new weight dimension.
 *
 * @param spec `prunableAxes`, `ties` ({ a, b, multiplier? }) and `sizeFrom` ({ key, weight, axis }).
 * @example
 * registerSurgeryHandler('MyConv', channelHandler({
 *   prunableAxes: { kernel: [2, 3], bias: [0] },
 *   ties: [{ a: ['kernel', 3], b: ['bias', 0] }],
 *   sizeFrom: { key: 'filters', weight: 'kernel', axis: 3 },
 * }));
 */
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
