/** "Did you mean ...?" for misspelt option names and values. */

/** Levenshtein edit distance between two short strings (case-insensitive). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const substitution = (previous[j - 1] as number) + (s[i - 1] === t[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[t.length] as number;
}

/**
 * The choice closest to `value`, if it is close enough to be a likely typo (two edits, a third of its
 * letters, or one is a prefix of the other); undefined otherwise.
 * @example closestMatch('filter', ['filters', 'channels']) // 'filters'
 */
export function closestMatch(value: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const choice of choices) {
    const d = editDistance(value, choice);
    if (d < bestDistance) {
      best = choice;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const v = value.toLowerCase();
  const b = best.toLowerCase();
  const prefix = v.length >= 3 && (b.startsWith(v) || v.startsWith(b));
  return bestDistance <= Math.max(2, Math.floor(best.length / 3)) || prefix ? best : undefined;
}
