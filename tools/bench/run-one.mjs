// Runs one benchmark module in a fresh process (clean tfjs engine state) and writes its result as JSON.
// Usage: node tools/bench/run-one.mjs <module.bench.mjs> <out.json>
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [file, out] = process.argv.slice(2);
const mod = await import(pathToFileURL(file).href);
if (typeof mod.run !== 'function')
  throw new TypeError(`${file} must export an async run() returning { title, markdown }`);
const result = await mod.run({ quick: process.env.KLEVEL_BENCH_QUICK === '1' });
if (!result || typeof result.title !== 'string' || typeof result.markdown !== 'string') {
  throw new TypeError(`${file}: run() must resolve to { title: string, markdown: string }`);
}
writeFileSync(out, JSON.stringify(result));
