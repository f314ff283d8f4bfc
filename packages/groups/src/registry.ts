/**
 * The layer-handler registry: built-in handlers plus the ones users register for custom layers.
 */
import { BUILTIN_HANDLERS } from './builtin-handlers';
import type { LayerHandler } from './handler-types';

const custom = new Map<string, LayerHandler>();

/**
 * Teaches @klevel/groups (dependency graph, partitions and {@link countFlops}) a layer class it does not
 * know, or overrides a built-in one. `className` is what `layer.getClassName()` returns.
 *
 * A handler maps the channel maps of the call's inputs to the channel maps of its outputs through the
 * {@link LayerHandlerContext}: `produce(n)` for new output channels, returning an input map for
 * pass-through, `couple` for elementwise merges, `bindOutput`/`bindInput`/`bindChannelwise` to say which
 * weight axes follow which channels, `activation`/`markNonZero`/`markMixing` for zero-invariance.
 *
 * @param className The layer's class name (the static `className` of the layer class).
 * @param handler The handler; replaces any previous handler for that class.
 * @example
 * // A per-channel scale layer: y = x * scale (scale has shape [C]).
 * registerLayerHandler('ChannelScale', {
 *   mapChannels(ctx) {
 *     const x = ctx.inputs[0]!;
 *     ctx.bindChannelwise('scale', 0, x, true); // a zeroed filter must also zero its scale entry
 *     return [x];
 *   },
 * });
 */
export function registerLayerHandler(className: string, handler: LayerHandler): void {
  if (typeof className !== 'string' || className.length === 0) {
    throw new TypeError(
      `registerLayerHandler: className must be a non-empty string, got ${String(className)}`,
    );
  }
  if (handler == null || typeof handler.mapChannels !== 'function') {
    throw new TypeError(
      `registerLayerHandler('${className}'): handler must be an object with a mapChannels(ctx) function, got ${typeof handler}`,
    );
  }
  custom.set(className, handler);
}

/** Removes a handler registered with {@link registerLayerHandler} (built-ins come back). Returns whether one was removed. */
export function unregisterLayerHandler(className: string): boolean {
  return custom.delete(className);
}

/** The handler for a class name: a registered one first, then the built-in one, else undefined. */
export function getLayerHandler(className: string): LayerHandler | undefined {
  return custom.get(className) ?? BUILTIN_HANDLERS[className];
}
