#!/usr/bin/env node
// Packs every public workspace package and checks the tarball with publint and @arethetypeswrong/cli.
// Usage: npm run check:packages   (builds first through nx, so it is safe on a fresh clone)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });

execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], { cwd: root, stdio: 'inherit' });

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);

const out = mkdtempSync(join(tmpdir(), 'klevel-pack-'));
const failures = [];
try {
  for (const { dir, pkg } of packages) {
    const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir }));
    const tarball = join(out, filename);
    for (const [tool, args] of [
      ['publint', ['publint', '--strict', tarball]],
      ['attw', ['attw', '--pack', dir, '--profile', 'node16', '--format', 'table-flipped']],
    ]) {
      try {
        const text = run('npx', args);
        console.log(`ok   ${pkg.name} ${tool}${text.includes('warn') ? `\n${text}` : ''}`);
      } catch (error) {
        failures.push(`${pkg.name} ${tool}`);
        console.log(`FAIL ${pkg.name} ${tool}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\ncheck:packages failed for: ${failures.join(', ')}`);
  process.exit(1);
}
console.log(`\ncheck:packages: ${packages.length} packages passed publint and attw`);
