#!/usr/bin/env node
// External-consumer check: packs every public package, installs the tarballs into a scratch project OUTSIDE
// the workspace (so nothing resolves through workspace links or the @klevel/source condition), and runs
// tools/consumer-check/consumer.mjs there, which uses only the documented public API.
// Usage: npm run check:consumer
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

// Build the public packages in the order of their runtime `dependencies` (not `nx run-many -t build` over the
// workspace: nx also infers edges from test and bench imports, which can form cycles such as
// prox-callback -> hspg -> prox-callback; runtime dependencies are what the tarballs need). nx still caches.
const publicPkgs = new Map();
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  if (!pkg.private)
    publicPkgs.set(
      pkg.name,
      Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@klevel/')),
    );
}
const built = new Set();
while (built.size < publicPkgs.size) {
  const tier = [...publicPkgs]
    .filter(([n, deps]) => !built.has(n) && deps.every((d) => built.has(d)))
    .map(([n]) => n);
  if (tier.length === 0)
    throw new Error(`consumer check: cyclic runtime dependencies among ${[...publicPkgs.keys()]}`);
  // One nx call per package: two packages with an inferred nx edge in one call are refused as a cycle.
  for (const n of tier)
    sh('npx', ['nx', 'run', `${n}:build`, '--excludeTaskDependencies', '--output-style=static'], root);
  for (const n of tier) built.add(n);
}
console.log(`[consumer-check] built ${built.size} packages (${elapsed()})`);
const scratch = mkdtempSync(join(tmpdir(), 'klevel-consumer-'));
try {
  const tarballs = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const pkgDir = join(root, 'packages', dir);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], {
        cwd: pkgDir,
        encoding: 'utf8',
      }),
    );
    tarballs.push(`./${filename}`);
  }
  const tfjs = JSON.parse(
    readFileSync(join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8'),
  ).version;
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'klevel-consumer', private: true, type: 'module' }),
  );
  sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs,
      `@tensorflow/tfjs-core@${tfjs}`,
      `@tensorflow/tfjs-layers@${tfjs}`,
      `@tensorflow/tfjs-backend-cpu@${tfjs}`,
      `@tensorflow/tfjs-backend-wasm@${tfjs}`,
    ],
    scratch,
  );
  copyFileSync(join(import.meta.dirname, 'consumer.mjs'), join(scratch, 'consumer.mjs'));
  copyFileSync(join(import.meta.dirname, 'consumer.cjs'), join(scratch, 'consumer.cjs'));
  console.log(
    `[consumer-check] installed ${tarballs.length} tarballs + tfjs ${tfjs} in ${scratch} (${elapsed()})`,
  );
  sh(process.execPath, ['consumer.mjs'], scratch);
  sh(process.execPath, ['consumer.cjs'], scratch);
  console.log(
    `\nconsumer check passed: the packed packages work from a plain npm project (ESM and CJS) in ${elapsed()}`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
