/**
 * Builds the example app with Vite's JavaScript API and sorts every warning it prints: a warning that names a
 * klevel package (a path under packages/, a @klevel/ specifier) is the library's fault and fails the test; any
 * other warning is reported but allowed.
 */
import { fileURLToPath } from 'node:url';
import { build, createLogger } from 'vite';

export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));

const KLEVEL = /[/\\]packages[/\\][a-z-]+[/\\]|@klevel\//;

/** Strips ANSI colour codes. */
function plain(text) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters
  return String(text).replace(/\u001b\[[0-9;]*m/g, '');
}

/**
 * Runs `vite build` for the app. Resolves with the warnings, split into klevel's and the rest.
 * @returns {Promise<{ klevel: string[], other: string[], ms: number }>}
 */
export async function viteBuild() {
  const logger = createLogger('info');
  const klevel = [];
  const other = [];
  const keep = (msg) => {
    const text = plain(msg).trim();
    (KLEVEL.test(text) ? klevel : other).push(text);
  };
  logger.warn = keep;
  logger.warnOnce = keep;
  const t0 = performance.now();
  await build({ root: APP_ROOT, logLevel: 'warn', customLogger: logger });
  return { klevel, other, ms: performance.now() - t0 };
}
