/**
 * The process-wide registry of surgery handlers, keyed by layer class name, seeded with the built-ins.
 */
import { passThroughClasses, passThroughHandler, reshapeHandler, weightHandlers } from './builtin';
import type { SurgeryHandler } from './handler';

const registry = new Map<string, SurgeryHandler>([
  ...Object.entries(weightHandlers),
  ...passThroughClasses.map((name): [string, SurgeryHandler] => [name, passThroughHandler]),
  ['Reshape', reshapeHandler],
]);

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
    throw new TypeError(
      `registerSurgeryHandler: className must be a non-empty string, got ${String(className)}.`,
    );
  }
  if (handler == null || typeof handler.rewriteConfig !== 'function' || handler.prunableAxes == null) {
    throw new TypeError(
      `registerSurgeryHandler('${className}'): handler must have 'prunableAxes' and a 'rewriteConfig' function.`,
    );
  }
  registry.set(className, handler);
}

/**
 * Removes the handler of a class (built-in handlers included); returns whether one was registered.
 *
 * @param className The layer class name.
 */
export function unregisterSurgeryHandler(className: string): boolean {
  return registry.delete(className);
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
