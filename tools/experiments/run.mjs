#!/usr/bin/env node
// Bundles one experiment of tools/experiments from the workspace sources (esbuild, the '@klevel/source'
// export condition) and runs it: `node tools/experiments/run.mjs <name> [options]`.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.error('usage: node tools/experiments/run.mjs <experiment> [options], e.g. auto-lambda');
  process.exit(2);
}
const outdir = join(here, '..', '..', 'node_modules', '.cache', 'klevel-experiments');
mkdirSync(outdir, { recursive: true });
const outfile = join(outdir, `${name}.mjs`);
await build({
  entryPoints: [join(here, `${name}.ts`)],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['@klevel/source'],
  packages: 'bundle',
  external: ['@tensorflow/*', 'cli-progress'],
  banner: {
    js: "import { createRequire as klevelCreateRequire } from 'node:module'; const require = klevelCreateRequire(import.meta.url);",
  },
  outfile,
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
