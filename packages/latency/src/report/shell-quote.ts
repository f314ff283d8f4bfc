/** Quoting of command-line arguments for the reproducible command shown in reports (POSIX shells). */

/**
 * Quotes one argument so a POSIX shell reads it back unchanged: plain words stay as they are, anything else
 * goes in single quotes (an embedded `'` becomes `'\''`).
 *
 * @example
 * shellQuote('--title'); // --title
 * shellQuote('My run'); // 'My run'
 */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
