/**
 * The documentation names tfjs-layers APIs the way the documented install imports them: `loadLayersModel`
 * and `LayersModel` live in `@tensorflow/tfjs-layers` (imported as `tfl`), not in `@tensorflow/tfjs-core`
 * (`tf`), which is what the READMEs and guides install.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');

function files(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

describe('docs: tfjs-layers APIs under the tfl import', () => {
  it('no README, guide, reference page or doc comment says tf.loadLayersModel or tf.LayersModel', () => {
    const docs = [
      join(repo, 'README.md'),
      ...files(join(repo, 'docs'), (p) => p.endsWith('.md')),
      ...files(
        join(repo, 'packages'),
        (p) => /README\.md$/.test(p) || (/\.ts$/.test(p) && !/\.test\.ts$/.test(p)),
      ),
    ];
    const hits: string[] = [];
    for (const file of docs) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\btf\.(loadLayersModel|LayersModel)\b/.test(line))
            hits.push(`${relative(repo, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(docs.length).toBeGreaterThan(20);
    expect(
      hits,
      'write tfl.loadLayersModel / tfl.LayersModel (import * as tfl from "@tensorflow/tfjs-layers")',
    ).toEqual([]);
  });
});
