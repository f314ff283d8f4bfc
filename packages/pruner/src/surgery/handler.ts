/**
 * The surgery handler interface (the Torch-Pruning `PrunerBox` idea; registry in registry.ts).
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
  /** The original layer's output shape (as `layer.outputShape` reports it). */
  outputShape: unknown;
  /**
   * Size of the last axis of the layer's first input before and after the plan (computed on demand from
   * the dependency graph of @klevel/groups).
   */
  inputSize(): { before: number; after: number };
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
  /**
   * True when `rewriteConfig` must run for every layer of the class, even layers the plan does not list
   * (weightless layers whose config encodes the channel count, e.g. Reshape's target shape).
   */
  alwaysRewrite?: boolean;
  /** Returns human-readable problems with the layer's plan (empty when consistent). */
  validate?(ctx: SurgeryContext): string[];
  /** Returns the layer's new serialized config (must not mutate `config`). */
  rewriteConfig(config: Readonly<Record<string, unknown>>, ctx: SurgeryContext): Record<string, unknown>;
}
