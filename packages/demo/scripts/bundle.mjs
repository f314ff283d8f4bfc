#!/usr/bin/env node
/**
 * The build behind `npm run demo` and `npm run bench:paper`: one esbuild bundle (through tsup) of the demo's
 * entry points with every @klevel package taken from its sources (the `@klevel/source` export condition), so
 * a fresh clone runs the demo after a few seconds of building instead of the full build with type
 * declarations. Quiet on success; prints the bundler's errors and exits 1 on failure. Output:
 * packages/demo/dist-run/ (git-ignored).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  await build({
    config: false,
    entry: { cli: join(root, 'src/cli.ts'), 'paper/cli': join(root, 'src/paper/cli.ts') },
    outDir: join(root, 'dist-run'),
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: true,
    clean: true,
    splitting: false,
    silent: true,
    tsconfig: join(root, 'tsconfig.build.json'),
    // tfjs stays external (one engine, its wasm binaries found by Node resolution); the @klevel packages and
    // the ESM-only d3 modules are bundled; the other npm dependencies load from node_modules.
    external: [/^@tensorflow\//, /^node:/, 'commander', 'cli-progress', 'cli-table3'],
    noExternal: [/^@klevel\//, /^d3-/, 'internmap'],
    esbuildOptions(options) {
      options.conditions = ['@klevel/source'];
    },
  });
} catch (err) {
  process.stderr.write(`demo build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
