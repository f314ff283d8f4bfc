#!/usr/bin/env node
// Bundle-size report with a budget: every public package entry (each `exports` subpath) bundled with esbuild
// (`--bundle --minify`, browser platform for the main entries and `--platform=node` for the Node-only `/node`
// subpaths; tfjs external, so the number is klevel's own code plus its other dependencies), and a few probes
// that import one name (tree-shaking, e.g. `topKGroups` from @klevel/wgsef). Sizes come from esbuild's metafile.
// Fails when a size is over its budget in budget.json or an entry has no budget. Needs the built dists.
// Usage: node tools/bundle-check/sizes.mjs [--update]   (--update rewrites budget.json: size + 10%, rounded up)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { publicPackages } from './browser-bundle.mjs';

const root = resolve(import.meta.dirname, '../..');
const budgetFile = join(import.meta.dirname, 'budget.json');
const update = process.argv.includes('--update');

/** Single-name imports whose cost shows that the entry tree-shakes. */
const PROBES = [
  { name: 'topKGroups', from: '@klevel/wgsef' },
  { name: 'wgsefProx', from: '@klevel/wgsef' },
  { name: 'wgsef', from: '@klevel/wgsef' },
  { name: 'proxCallback', from: '@klevel/prox-callback' },
  { name: 'hspg', from: '@klevel/hspg' },
  { name: 'countFlops', from: '@klevel/groups' },
  { name: 'prune', from: '@klevel/pruner' },
  { name: 'benchmarkLatency', from: '@klevel/latency' },
  { name: 'summarize', from: '@klevel/latency' },
  { name: 'useBestBackend', from: '@klevel/wasm-train' },
];

function entries() {
  const out = [];
  for (const { name, pkg } of publicPackages()) {
    for (const sub of Object.keys(pkg.exports ?? {})) {
      if (sub === './package.json') continue;
      const id = sub === '.' ? name : `${name}/${sub.slice(2)}`;
      out.push({ id, node: sub === './node' || sub.endsWith('/node') });
    }
  }
  return out;
}

async function measure(dir, key, source, node) {
  const entry = join(dir, `${key.replace(/[^a-z0-9]+/gi, '_')}.js`);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry],
    outfile: `${entry}.out.js`,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: node ? 'node' : 'browser',
    external: ['@tensorflow/*'],
    metafile: true,
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const [output] = Object.values(result.metafile.outputs).filter((o) => o.entryPoint);
  const klevel = Object.entries(output.inputs)
    .filter(([path]) => path.includes('packages/'))
    .reduce((sum, [, v]) => sum + v.bytesInOutput, 0);
  return { bytes: output.bytes, klevel };
}

const budget = JSON.parse(readFileSync(budgetFile, 'utf8'));
const dir = mkdtempSync(join(root, 'node_modules', '.klevel-sizes-'));
const rows = [];
try {
  for (const { id, node } of entries()) {
    const size = await measure(dir, id, `export * from '${id}';\n`, node);
    rows.push({ key: id, what: `everything of ${id}${node ? ' (Node)' : ''}`, ...size });
  }
  for (const p of PROBES) {
    const key = `${p.name} from ${p.from}`;
    const size = await measure(dir, key, `export { ${p.name} } from '${p.from}';\n`, false);
    rows.push({ key, what: `only \`${p.name}\` from ${p.from}`, ...size });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const failures = [];
console.log('| import | minified (tfjs external) | of it klevel | budget |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) {
  const limit = budget[r.key];
  const over = limit === undefined ? 'no budget' : r.bytes > limit ? 'OVER' : '';
  if (over && !update) failures.push(`${r.key}: ${r.bytes} bytes, budget ${limit ?? 'none'}`);
  console.log(`| ${r.what} | ${kb(r.bytes)} | ${kb(r.klevel)} | ${limit === undefined ? '-' : kb(limit)} ${over} |`);
}
if (update) {
  const next = Object.fromEntries(rows.map((r) => [r.key, Math.ceil((r.bytes * 1.1) / 100) * 100]));
  writeFileSync(budgetFile, `${JSON.stringify(next, null, 2)}\n`);
  console.log(`\nwrote ${budgetFile}`);
} else if (failures.length > 0) {
  console.error(`\nbundle sizes over budget (or without one) in tools/bundle-check/budget.json:\n  ${failures.join('\n  ')}`);
  console.error('If the growth is intended, run `node tools/bundle-check/sizes.mjs --update` and commit the budget.');
  process.exit(1);
} else {
  console.log(`\nbundle sizes: ${rows.length} entries and probes within budget`);
}
