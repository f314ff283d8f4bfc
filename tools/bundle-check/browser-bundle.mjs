#!/usr/bin/env node
// Browser bundling check: a plain `esbuild --bundle --platform=browser` of an app that imports the default
// entry of every public @klevel package must succeed with no plugins and no externals (no Node built-in and no
// bare-specifier dynamic import reachable from a default entry). Resolves the built dists through the
// workspace links, as a user's app resolves the installed packages: run `npm run build` first.
// Usage: node tools/bundle-check/browser-bundle.mjs [--outdir DIR]
// Exported `bundleBrowserApp` is reused by the browser tests (examples/browser).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');

/** Public packages: name and the path of their package.json directory. */
export function publicPackages() {
  return readdirSync(join(root, 'packages'))
    .map((dir) => ({ dir: join(root, 'packages', dir), pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private)
    .map(({ dir, pkg }) => ({ name: pkg.name, dir, pkg }));
}

/** The app's source: a namespace import of every default entry, all of it kept (no tree-shaking away). */
export function appSource(names) {
  const lines = names.map((n, i) => `import * as m${i} from '${n}';`);
  lines.push(`const all = { ${names.map((n, i) => `'${n}': m${i}`).join(', ')} };`);
  lines.push('for (const [name, mod] of Object.entries(all)) console.log(name, Object.keys(mod).length);');
  return `${lines.join('\n')}\n`;
}

/**
 * Bundles the app for the browser with esbuild's defaults (no plugins, no externals) into `outdir`.
 * @returns `{ outfile, bytes, warnings }`; throws with esbuild's errors when bundling fails.
 */
export async function bundleBrowserApp({ outdir, minify = false } = {}) {
  const names = publicPackages().map((p) => p.name);
  const dir = mkdtempSync(join(root, 'node_modules', '.klevel-bundle-check-'));
  try {
    const entry = join(dir, 'app.js');
    writeFileSync(entry, appSource(names));
    const outfile = join(outdir, 'app.js');
    const result = await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify,
      logLevel: 'silent',
      absWorkingDir: root,
    });
    const text = readFileSync(outfile, 'utf8');
    // A dynamic import left in the bundle is a run-time import() of a package name, which cannot resolve in a
    // browser (esbuild leaves non-literal specifiers alone without an error).
    const dynamic = text.match(/.{0,80}\bimport\((?!\s*["'`]\.).{0,40}/g) ?? [];
    if (dynamic.length > 0) {
      throw Object.assign(new Error('dynamic import in the browser bundle'), {
        errors: dynamic.map((d) => ({ text: `run-time import() left in the bundle: ...${d}...` })),
      });
    }
    return { outfile, bytes: Buffer.byteLength(text), names, warnings: result.warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--outdir');
  const outdir = i > 0 ? resolve(process.argv[i + 1]) : mkdtempSync(join(tmpdir(), 'klevel-browser-bundle-'));
  try {
    const { bytes, names, warnings } = await bundleBrowserApp({ outdir, minify: true });
    for (const w of warnings) console.log(`warning: ${w.text}`);
    console.log(
      `browser bundle ok: ${names.length} default entries (${names.join(', ')}) with tfjs bundled in: ` +
        `${(bytes / 1024).toFixed(0)} KB minified, no plugins, no externals`,
    );
  } catch (error) {
    const errors = error.errors ?? [];
    for (const e of errors) console.error(`error: ${e.text}${e.location ? ` (${e.location.file}:${e.location.line})` : ''}`);
    console.error(`browser bundle FAILED with ${errors.length} error(s): a default entry reaches Node-only code`);
    process.exit(1);
  } finally {
    if (i < 0) rmSync(outdir, { recursive: true, force: true });
  }
}
