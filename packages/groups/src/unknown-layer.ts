/**
 * The error for a layer class @klevel/groups has no handler for, worded for the API the user called: the way
 * out it names (an `exclude` option) is one that API really takes.
 */

/** What each API of @klevel/groups takes to leave a layer out. */
const EXCLUDE_ADVICE: Record<string, (layerName: string) => string> = {
  buildDependencyGraph: (n) =>
    `buildDependencyGraph(model, { exclude: ['${n}'] }) (its channels then become non-removable)`,
  partitionGroups: (n) =>
    `partitionGroups(model, { rules: [...], exclude: ['${n}'] }) (its channels then become non-removable)`,
  countFlops: (n) => `countFlops(model, { exclude: ['${n}'] }) (it is then counted as 0 MACs)`,
};

/**
 * Thrown when a model contains a layer class no handler describes. `api` is the function the user called;
 * `layerName` and `className` say which layer. Other packages re-word it for their own API with
 * {@link adviseUnknownLayer}.
 */
export class UnknownLayerError extends Error {
  override readonly name = 'UnknownLayerError';

  /**
   * @param api The public function the user called (starts the message).
   * @param className `layer.getClassName()`.
   * @param layerName `layer.name`.
   * @param excludeAdvice How to exclude the layer in that API and what that does, e.g.
   *   `prune(model, { exclude: ['lstm1'] }) (it is kept unchanged)`. Defaults to the @klevel/groups wording.
   */
  constructor(
    readonly api: string,
    readonly className: string,
    readonly layerName: string,
    excludeAdvice?: string,
  ) {
    const advice = excludeAdvice ?? (EXCLUDE_ADVICE[api] ?? EXCLUDE_ADVICE.partitionGroups!)(layerName);
    super(
      `${api}: layer '${layerName}' has class '${className}', which @klevel/groups does not know. Either ` +
        `exclude it: ${advice}; or describe it with ` +
        `registerLayerHandler('${className}', { mapChannels(ctx) { ... } }) from @klevel/groups.`,
    );
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** True for an {@link UnknownLayerError} (structural check, so duplicate package copies still match). */
export function isUnknownLayerError(e: unknown): e is UnknownLayerError {
  return (
    e instanceof Error &&
    e.name === 'UnknownLayerError' &&
    typeof (e as UnknownLayerError).layerName === 'string' &&
    typeof (e as UnknownLayerError).className === 'string'
  );
}

/**
 * Re-words an {@link UnknownLayerError} for the API the user called; any other value comes back unchanged.
 * Use it where a package calls @klevel/groups on the user's behalf: `catch (e) { throw adviseUnknownLayer(e,
 * 'prune', (n) => `prune(model, { exclude: ['${n}'] })`); }`.
 *
 * @param e What was caught.
 * @param api The public function the user called.
 * @param excludeAdvice The call that excludes layer `layerName` in that API.
 * @example
 * try { return partitionGroups(model, spec); }
 * catch (e) { throw adviseUnknownLayer(e, 'wgsef', (n) => `wgsef({ ..., exclude: ['${n}'] })`); }
 */
export function adviseUnknownLayer(
  e: unknown,
  api: string,
  excludeAdvice: (layerName: string) => string,
): unknown {
  if (!isUnknownLayerError(e)) return e;
  return new UnknownLayerError(api, e.className, e.layerName, excludeAdvice(e.layerName));
}
