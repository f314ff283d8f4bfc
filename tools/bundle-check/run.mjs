#!/usr/bin/env node
// `npm run check:bundle`: the browser bundling check (every default entry bundles for the browser with plain
// esbuild), then the bundle-size report against tools/bundle-check/budget.json. Needs the built dists
// (`npm run build`, or after `npm test`).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const here = import.meta.dirname;
execFileSync(process.execPath, [join(here, 'browser-bundle.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(here, 'sizes.mjs')], { stdio: 'inherit' });
