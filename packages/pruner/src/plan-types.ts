/**
 * The pruning plan: plain JSON that says, for every weight the pruner changes, which indices survive
 * along which axis, and which groups were removed (or deliberately kept) and why.
 *
 * A plan is produced by {@link planPruning}, can be logged, diffed, edited by hand and fed to
 * {@link applyPlan}. Only `layers` drives the surgery; `groups` documents the decision.
 */

/** Why a group ended up in the plan's group lists. */
export type GroupDecisionReason =
  /** All of its regularized parameters are zero (|x| <= tolerance): removing it keeps the outputs. */
  | 'zero'
  /** The caller listed it in `select`. */
  | 'selected'
  /** `keep: k` ranked it below the k largest weighted norms of its layer. */
  | 'below-top-k'
  /** Kept although removable, so the channel count stays a multiple of `roundTo`. */
  | 'round-to'
  /** Kept although removable, because removing it would leave a weight axis with no index at all. */
  | 'last-channel'
  /** Zero (or selected) but not structurally removable; the group's own `reason` says why. */
  | 'not-removable'
  /** Zero (or selected) but it touches a layer listed in `exclude`. */
  | 'excluded';

/** One group mentioned by a plan. */
export interface PlannedGroup {
  /** The group id from @klevel/groups (e.g. 'conv2d_1/filters/3'). */
  id: string;
  /** The layer the group belongs to. */
  layerName: string;
  /** The group type ('filters', 'neurons', ...). */
  type: string;
  /** Position of the group inside its layer. */
  index: number;
  /** Euclidean norm of the group's regularized parameters. */
  norm: number;
  /** Largest absolute value among the group's regularized parameters. */
  maxAbs: number;
  /** The decision. */
  reason: GroupDecisionReason;
  /** Extra detail (e.g. the group's own non-removable reason). */
  detail?: string;
}

/** The indices kept along one axis of one weight. */
export interface AxisPlan {
  /** Axis of the weight tensor. */
  axis: number;
  /** Original length of that axis. */
  size: number;
  /** Sorted, distinct indices that survive, all in [0, size). Never empty. */
  kept: number[];
}

/** The surgery on one weight variable. */
export interface WeightPlan {
  /** Weight name inside the layer ('kernel', 'bias', 'gamma', ...). */
  weightName: string;
  /** Original variable name (informative; `weightName` is what applyPlan matches). */
  variableName: string;
  /** Original shape of the weight. */
  shape: number[];
  /** The axes that shrink, at most one entry per axis. */
  axes: AxisPlan[];
}

/** The surgery on one layer. */
export interface LayerPlan {
  /** `layer.name`. */
  layerName: string;
  /** `layer.getClassName()`: selects the surgery handler. */
  className: string;
  /** The weights that shrink. Weights not listed are copied unchanged. */
  weights: WeightPlan[];
}

/** A complete, JSON-serializable pruning plan. */
export interface PruningPlan {
  /** Format tag, always 'klevel-pruning-plan'. */
  format: 'klevel-pruning-plan';
  /** Format version, currently 1. */
  version: 1;
  /** Name of the model the plan was made for. */
  modelName: string;
  /** Group decisions: removed groups, and removable-looking groups that were kept, with reasons. */
  groups: {
    removed: PlannedGroup[];
    kept: PlannedGroup[];
  };
  /** The per-layer surgery, in the model's layer order. Empty when nothing is removed. */
  layers: LayerPlan[];
}

/** The format tag of {@link PruningPlan}. */
export const PLAN_FORMAT = 'klevel-pruning-plan';
