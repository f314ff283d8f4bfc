/**
 * Layer selectors used by specs and options: by name, by class, by predicate, or every layer.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.layers.Layer;

/**
 * Picks layers of a model.
 * - `'conv1'` or `['conv1', 'conv2']`: by `layer.name` (unknown names are an error);
 * - `{ className: 'Conv2D' }` or `{ className: ['Conv2D', 'Dense'] }`: by `layer.getClassName()`;
 * - `(layer) => boolean`: by predicate;
 * - `{ all: true }`: every layer (in a rule: every layer that has the rule's group type and that no
 *   explicit rule matched).
 */
export type LayerSelector =
  | string
  | readonly string[]
  | { className: string | readonly string[] }
  | { all: true }
  | ((layer: Layer) => boolean);

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional', 'LayersModel']);

/** True when `layer` is itself a model used as a layer (it is flattened by the graph). */
export function isNestedModel(layer: Layer): boolean {
  return (
    MODEL_CLASSES.has(layer.getClassName()) &&
    Array.isArray((layer as unknown as { layers?: unknown }).layers)
  );
}

/** Every non-input, non-model layer of `model`, nested models expanded in place, each layer once. */
export function collectLayers(model: tfl.LayersModel): Layer[] {
  const out: Layer[] = [];
  const seen = new Set<Layer>();
  const visit = (layers: Layer[]) => {
    for (const layer of layers) {
      if (seen.has(layer)) continue;
      seen.add(layer);
      if (isNestedModel(layer)) visit((layer as unknown as tfl.LayersModel).layers);
      else if (layer.getClassName() !== 'InputLayer') out.push(layer);
    }
  };
  visit(model.layers);
  return out;
}

function listPreview(items: string[]): string {
  const shown = items.slice(0, 12).map((s) => `'${s}'`);
  return `${shown.join(', ')}${items.length > 12 ? `, ... (${items.length} in all)` : ''}`;
}

/** True for the `{ all: true }` selector. */
export function isAllSelector(selector: LayerSelector): boolean {
  return typeof selector === 'object' && selector !== null && !Array.isArray(selector) && 'all' in selector;
}

/**
 * Resolves a selector against `layers`. `where` names the argument in error messages
 * (e.g. "partitionGroups: spec.rules[1].layers").
 */
export function selectLayers(layers: readonly Layer[], selector: LayerSelector, where: string): Layer[] {
  if (typeof selector === 'function') {
    const picked = layers.filter((l) => selector(l));
    if (picked.length === 0) throw new Error(`${where}: the predicate matched no layer of the model`);
    return picked;
  }
  if (typeof selector === 'string' || Array.isArray(selector)) {
    const names = typeof selector === 'string' ? [selector] : (selector as readonly string[]);
    const byName = new Map(layers.map((l) => [l.name, l]));
    const missing = names.filter((n) => !byName.has(n));
    if (missing.length > 0) {
      throw new Error(
        `${where}: unknown layer name(s) ${listPreview(missing)}; the model's layers are ${listPreview([...byName.keys()])}`,
      );
    }
    return names.map((n) => byName.get(n)!);
  }
  if (selector != null && typeof selector === 'object') {
    if ('all' in selector) {
      if (selector.all !== true)
        throw new TypeError(`${where}: expected { all: true }, got all: ${String(selector.all)}`);
      return [...layers];
    }
    if ('className' in selector) {
      const classes = typeof selector.className === 'string' ? [selector.className] : selector.className;
      const picked = layers.filter((l) => classes.includes(l.getClassName()));
      if (picked.length === 0) {
        const present = [...new Set(layers.map((l) => l.getClassName()))];
        throw new Error(
          `${where}: no layer has class ${listPreview([...classes])}; the model's classes are ${listPreview(present)}`,
        );
      }
      return picked;
    }
  }
  throw new TypeError(
    `${where}: expected a layer name, an array of names, { className }, { all: true } or a predicate, got ${JSON.stringify(selector)}`,
  );
}
