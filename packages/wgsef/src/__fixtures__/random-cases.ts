/** Seeded random instances for the brute-force and property tests (zero groups, ties, mixed weights). */
import { seededRandom } from '@klevel/test-utils';

export interface NormsCase {
  a: Float64Array;
  w: Float64Array;
  k: number;
  lambda: number;
}

/** A random group-norm prox instance with m in [minM, maxM]. */
export function randomNormsCase(rand: () => number, minM: number, maxM: number): NormsCase {
  const m = minM + Math.floor(rand() * (maxM - minM + 1));
  const scale = 10 ** (rand() * 4 - 2);
  const a = new Float64Array(m);
  for (let j = 0; j < m; j++) a[j] = rand() * scale;
  const w = new Float64Array(m);
  const wKind = rand();
  for (let j = 0; j < m; j++) {
    if (wKind < 0.25) w[j] = 1;
    else if (wKind < 0.5) w[j] = Math.sqrt(1 + Math.floor(rand() * 9));
    else w[j] = 0.3 + rand() * 2.7;
  }
  // zero groups and exact ties (in norm, and sometimes in weight too)
  for (let j = 0; j < m; j++) {
    const u = rand();
    if (u < 0.15) a[j] = 0;
    else if (u < 0.3 && j > 0) {
      const src = Math.floor(rand() * j);
      a[j] = a[src] as number;
      if (rand() < 0.5) w[j] = w[src] as number;
    }
  }
  const k = 1 + Math.floor(rand() * (m + 1));
  const lambda = 10 ** (rand() * 5 - 3);
  return { a, w, k, lambda };
}

/** A grouped vector: contiguous groups of sizes 1..maxSize, some exactly zero. */
export function randomGroupedVector(
  rand: () => number,
  m: number,
  maxSize: number,
): { v: Float64Array; offsets: number[] } {
  const offsets = [0];
  for (let j = 0; j < m; j++) offsets.push((offsets[j] as number) + 1 + Math.floor(rand() * maxSize));
  const n = offsets[m] as number;
  const v = new Float64Array(n);
  const scale = 10 ** (rand() * 2 - 1);
  for (let i = 0; i < n; i++) v[i] = (rand() * 2 - 1) * scale;
  for (let j = 0; j < m; j++) {
    if (rand() < 0.15) for (let i = offsets[j] as number; i < (offsets[j + 1] as number); i++) v[i] = 0;
  }
  return { v, offsets };
}

export { seededRandom };
