/**
 * Argument checks shared by every public function of @klevel/wgsef. Each check throws a TypeError
 * (wrong kind of value) or RangeError (right kind, bad value) whose message names the function and
 * argument, states what was expected, shows what was received and says how to fix it.
 * Nothing here mutates its input.
 */

/** Short printable form of a received value for error messages. */
export function describeValue(x: unknown): string {
  if (typeof x === 'number') return Number.isNaN(x) ? 'NaN' : String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x);
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x))
    return `a ${x.constructor.name} of length ${(x as unknown as ArrayLike<unknown>).length}`;
  if (typeof x === 'object') return `an object (${Object.prototype.toString.call(x)})`;
  return typeof x;
}

/** True for arrays, typed arrays and other objects with a numeric `length`. */
function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as { length?: unknown }).length === 'number' &&
    Number.isInteger((x as { length: number }).length) &&
    (x as { length: number }).length >= 0
  );
}

/** Checks `k` is an integer >= 1 (k larger than the number of groups is allowed). */
export function checkK(fn: string, k: unknown): number {
  if (typeof k !== 'number') {
    throw new TypeError(
      `${fn}: option 'k' must be a number (the number of groups to keep); received ${describeValue(k)}. ` +
        'Fix: pass an integer such as { k: 4 }.',
    );
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(
      `${fn}: option 'k' must be an integer >= 1 (the number of groups to keep); received ${describeValue(k)}. ` +
        'Fix: pass a whole number of groups, e.g. { k: Math.max(1, Math.round(0.3 * numGroups)) }.',
    );
  }
  return k;
}

/** Checks `lambda` is a finite number >= 0. */
export function checkLambda(fn: string, lambda: unknown): number {
  if (typeof lambda !== 'number') {
    throw new TypeError(
      `${fn}: option 'lambda' must be a number (the penalty weight, >= 0); received ${describeValue(lambda)}. ` +
        'Fix: pass e.g. { lambda: 0.01 } (in prox-SGD: learning rate times lambda).',
    );
  }
  if (!Number.isFinite(lambda) || lambda < 0) {
    throw new RangeError(
      `${fn}: option 'lambda' must be finite and >= 0; received ${describeValue(lambda)}. ` +
        'Fix: pass a non-negative finite penalty weight, e.g. { lambda: 0.01 }.',
    );
  }
  return lambda;
}

/** Checks `v` is array-like and every entry is a finite number. */
export function checkFiniteArray(fn: string, name: string, v: unknown): ArrayLike<number> {
  if (!isArrayLike(v)) {
    throw new TypeError(
      `${fn}: '${name}' must be an array-like of numbers (number[], Float32Array or Float64Array); ` +
        `received ${describeValue(v)}. Fix: pass the values as a flat array.`,
    );
  }
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      const err = typeof x === 'number' ? RangeError : TypeError;
      throw new err(
        `${fn}: '${name}' must contain only finite numbers; received ${describeValue(x)} at index ${i}. ` +
          'Fix: remove NaN/Infinity first (they usually mean the training diverged; lower the learning rate).',
      );
    }
  }
  return v as ArrayLike<number>;
}

/** Whether every entry of `v` is finite and >= `min` (NaN fails). */
function allInRange(v: Float64Array, min: number): boolean {
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    // never taken on valid input: a perfectly predicted branch (NaN fails both comparisons)
    if (!(x >= min && x < Number.POSITIVE_INFINITY)) return false;
  }
  return true;
}

/** Checks group norms: finite and >= 0. */
export function checkNorms(fn: string, norms: unknown): ArrayLike<number> {
  // Fast path (one branch-predictable pass) for the common Float64Array; errors take the slow path.
  if (norms instanceof Float64Array && allInRange(norms, 0)) return norms;
  const a = checkFiniteArray(fn, 'norms', norms);
  for (let i = 0; i < a.length; i++) {
    if ((a[i] as number) < 0) {
      throw new RangeError(
        `${fn}: 'norms' must be group norms (>= 0); received ${describeValue(a[i])} at index ${i}. ` +
          'Fix: pass Euclidean norms of the groups, not signed values.',
      );
    }
  }
  return a;
}

/**
 * Checks contiguous-group offsets: integers, first 0, last `n`, non-decreasing. Returns them as an
 * Int32Array copy. `allowEmpty` = whether two equal consecutive offsets (an empty group) are accepted.
 */
export function checkOffsets(fn: string, offsets: unknown, n: number, allowEmpty: boolean): Int32Array {
  if (!isArrayLike(offsets)) {
    throw new TypeError(
      `${fn}: 'groupOffsets' must be an array-like of integers [0, ..., v.length]; received ${describeValue(offsets)}. ` +
        'Fix: pass the start offset of every group followed by v.length, e.g. [0, 3, 7] for groups v[0..3) and v[3..7).',
    );
  }
  const len = offsets.length;
  if (len < 1) {
    throw new RangeError(
      `${fn}: 'groupOffsets' must have at least one entry (0 followed by one end offset per group); received an empty array. ` +
        `Fix: pass [0, v.length] for a single group.`,
    );
  }
  const out = new Int32Array(len);
  for (let i = 0; i < len; i++) {
    const o = offsets[i];
    if (typeof o !== 'number' || !Number.isInteger(o)) {
      throw new TypeError(
        `${fn}: 'groupOffsets' must contain integers; received ${describeValue(o)} at index ${i}. ` +
          'Fix: offsets are element positions in v, e.g. [0, 3, 7].',
      );
    }
    out[i] = o;
  }
  if (out[0] !== 0) {
    throw new RangeError(
      `${fn}: 'groupOffsets' must start at 0; received ${out[0]} as its first entry. Fix: prepend 0 (groups cover v from its start).`,
    );
  }
  if (out[len - 1] !== n) {
    throw new RangeError(
      `${fn}: 'groupOffsets' must end at v.length = ${n}; received ${out[len - 1]} as its last entry. ` +
        'Fix: append v.length so the last group ends at the end of v (every entry of v belongs to a group).',
    );
  }
  for (let j = 0; j + 1 < len; j++) {
    const a = out[j] as number;
    const b = out[j + 1] as number;
    if (b < a) {
      throw new RangeError(
        `${fn}: 'groupOffsets' must be non-decreasing; received ${a} at index ${j} followed by ${b}. ` +
          'Fix: groups are contiguous ranges [offsets[j], offsets[j+1]); sort or rebuild the offsets.',
      );
    }
    if (b === a && !allowEmpty) {
      throw new RangeError(
        `${fn}: group ${j} is empty (groupOffsets[${j}] = groupOffsets[${j + 1}] = ${a}), and empty groups need an ` +
          'explicit positive weight (the default weight sqrt(size) would be 0). ' +
          "Fix: remove the repeated offset, or pass 'weights' with a positive weight for every group.",
      );
    }
  }
  return out;
}

/** Checks group weights: array-like of length m, every entry finite and > 0. Returns a Float64Array copy. */
export function checkWeights(fn: string, weights: unknown, m: number): Float64Array {
  if (!isArrayLike(weights)) {
    throw new TypeError(
      `${fn}: option 'weights' must be an array-like of ${m} positive numbers (one per group); ` +
        `received ${describeValue(weights)}. Fix: omit it for the default sqrt(group size), or pass one weight per group.`,
    );
  }
  if (weights.length !== m) {
    throw new RangeError(
      `${fn}: option 'weights' must have one entry per group (${m}); received length ${weights.length}. ` +
        'Fix: pass exactly one positive weight per group, in group order.',
    );
  }
  if (weights instanceof Float64Array && allInRange(weights, Number.MIN_VALUE)) return weights.slice();
  const out = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const w = weights[j];
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) {
      const err = typeof w === 'number' ? RangeError : TypeError;
      throw new err(
        `${fn}: option 'weights' must contain finite numbers > 0; received ${describeValue(w)} at index ${j}. ` +
          'Fix: use positive weights (default sqrt(group size); 1 for unweighted).',
      );
    }
    out[j] = w;
  }
  return out;
}

/** Checks an options argument is a plain object. */
export function checkOptions(fn: string, options: unknown, example: string): Record<string, unknown> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${fn}: 'options' must be an object; received ${describeValue(options)}. Fix: pass ${example}.`,
    );
  }
  return options as Record<string, unknown>;
}

/** Checks the root-finding method name. */
export function checkMethod(fn: string, method: unknown): 'sort' | 'select' | undefined {
  if (method === undefined || method === 'sort' || method === 'select') return method;
  throw new RangeError(
    `${fn}: option 'method' must be 'sort' or 'select'; received ${describeValue(method)}. ` +
      "Fix: omit it for the default, or pass method: 'select' (worst-case linear) or 'sort' (O(m log m)).",
  );
}
