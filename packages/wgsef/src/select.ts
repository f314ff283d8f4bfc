/**
 * Worst-case linear selection of the kth smallest entry of a Float64Array (introselect).
 *
 * Quickselect with a median-of-3 (ninther for large ranges) pivot and a three-way partition (so runs of
 * equal values, common for tied group norms, cost one pass). If the active range fails to halve within
 * two partition steps, the pivot switches to the median of medians of 5 (Blum et al. 1973), which
 * guarantees a 30/70 split, so the total work is O(n) in the worst case and ~2-3n comparisons typically.
 *
 * reference: D. R. Musser, "Introspective Sorting and Selection Algorithms", Softw. Pract. Exp. 1997.
 */

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

function median3(x: number, y: number, z: number): number {
  if (x < y) {
    if (y < z) return y;
    return Math.max(x, z);
  }
  if (x < z) return x;
  return Math.max(y, z);
}

function insertionSort(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const x = a[i] as number;
    let j = i - 1;
    while (j >= lo && (a[j] as number) > x) {
      a[j + 1] = a[j] as number;
      j--;
    }
    a[j + 1] = x;
  }
}

/** Median of medians of 5 over a[lo..hi] (inclusive): a pivot value with at least ~30% on each side. */
function medianOfMedians(a: Float64Array, lo: number, hi: number): number {
  let store = lo;
  for (let g = lo; g <= hi; g += 5) {
    const end = Math.min(g + 4, hi);
    insertionSort(a, g, end);
    swap(a, store++, g + ((end - g) >> 1));
  }
  const count = store - lo;
  return selectRange(a, lo, store - 1, lo + ((count - 1) >> 1));
}

/**
 * Rearranges a[lo..hi] (inclusive) so that a[kth] holds the value it would have if the range were sorted,
 * and returns that value. Entries are permuted; none are lost.
 */
export function selectRange(a: Float64Array, lo: number, hi: number, kth: number): number {
  let lastSize = hi - lo + 1;
  let steps = 0;
  let linear = false;
  while (hi > lo) {
    if (hi - lo < 16) {
      insertionSort(a, lo, hi);
      return a[kth] as number;
    }
    let pivot: number;
    if (linear) {
      pivot = medianOfMedians(a, lo, hi);
    } else if (hi - lo < 512) {
      pivot = median3(a[lo] as number, a[(lo + hi) >> 1] as number, a[hi] as number);
    } else {
      const s = (hi - lo) >> 3;
      const mid = (lo + hi) >> 1;
      pivot = median3(
        median3(a[lo] as number, a[lo + s] as number, a[lo + 2 * s] as number),
        median3(a[mid - s] as number, a[mid] as number, a[mid + s] as number),
        median3(a[hi - 2 * s] as number, a[hi - s] as number, a[hi] as number),
      );
    }
    // Three-way partition: [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const x = a[i] as number;
      if (x < pivot) {
        a[i] = a[lt] as number;
        a[lt] = x;
        lt++;
        i++;
      } else if (x > pivot) {
        a[i] = a[gt] as number;
        a[gt] = x;
        gt--;
      } else {
        i++;
      }
    }
    if (kth < lt) hi = lt - 1;
    else if (kth > gt) lo = gt + 1;
    else return pivot;
    steps++;
    if (!linear && steps % 2 === 0) {
      const size = hi - lo + 1;
      if (2 * size > lastSize) linear = true;
      lastSize = size;
    }
  }
  return a[kth] as number;
}

/**
 * The kth smallest (0-based) of the first `n` entries of `a`, in worst-case O(n). Permutes a[0..n).
 * @example selectKth(Float64Array.of(5, 1, 4, 2), 4, 1) // 2
 */
export function selectKth(a: Float64Array, n: number, kth: number): number {
  if (!(kth >= 0 && kth < n && n <= a.length)) {
    throw new RangeError(`selectKth: kth must be in [0, n) with n <= a.length; received kth=${kth}, n=${n}.`);
  }
  return selectRange(a, 0, n - 1, kth);
}
