/**
 * The package is plain TypeScript over public tfjs ops: no embedded WebAssembly, no reads of a backend's
 * internals (they change between tfjs releases and bypass autodiff).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import * as wgsef from './index';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

it('ships no WebAssembly and touches no tfjs backend internals', () => {
  const files = sourceFiles(new URL('.', import.meta.url).pathname);
  expect(files.filter((f) => /\.(wat|wasm)$/.test(f))).toEqual([]);
  const internals = /\bdataIdMap\b|\bmemoryOffset\b|makeTensorFromTensorInfo|\bwasmExports\b|\.asm\.memory/;
  const offenders = files
    .filter((f) => f.endsWith('.ts') && !f.endsWith('portable.test.ts'))
    .filter((f) => internals.test(readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
  expect(Object.keys(wgsef).filter((name) => /wasm/i.test(name))).toEqual([]);
});
