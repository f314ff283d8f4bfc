/** Small DOM helpers: element lookup that fails loudly, escaping, number formatting. */

/** The element with this id; throws when the page lacks it (a broken index.html, not a user error). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no element #${id}`);
  return el as T;
}

/** HTML-escapes text for innerHTML templates. */
export function esc(text: unknown): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** 431080 -> "431k", 2300000 -> "2.30M". */
export function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Milliseconds with sensible precision. */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`;
}

/** Sets a status line's text and tone. */
export function setStatus(el: HTMLElement, text: string, tone: '' | 'good' | 'bad' = ''): void {
  el.textContent = text;
  el.className = `status ${tone}`.trim();
}
